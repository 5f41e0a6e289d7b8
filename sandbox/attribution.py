"""Blame project source files for failing tests: traceback frames plus the test's imports."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from models.report import TestCase

# pytest frames look like `pkg/mod.py:12: in f` or `pkg/mod.py:12: Error`; Python's like
# `File "/abs/pkg/mod.py", line 12`.
_PYTEST_FRAME = re.compile(r"^\s*([^\s:'\"]+\.py):\d+", re.M)
_PYTHON_FRAME = re.compile(r'File "([^"]+\.py)", line \d+')
_TEST_MODULE = re.compile(r"test module '([^']+\.py)'")


def is_test_file(rel: str) -> bool:
    path = PurePosixPath(rel)
    name = path.name
    return (
        "tests" in path.parts[:-1]
        or "test" in path.parts[:-1]
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


class Attributor:
    """Resolves paths seen in failure text (host or in-sandbox spelling) to project files."""

    def __init__(self, project_dir: Path, sandbox_root: str | None = None) -> None:
        self.project = project_dir.resolve()
        # Where the project appears inside the sandbox when it differs (Docker mounts /work).
        self.sandbox_root = sandbox_root

    def relative(self, raw: str) -> str | None:
        """The project-relative POSIX path of an existing file, or None if outside the project."""
        text = raw.strip()
        if self.sandbox_root and (
            text == self.sandbox_root or text.startswith(self.sandbox_root + "/")
        ):
            text = text[len(self.sandbox_root) :].lstrip("/")
        candidate = Path(text)
        if not candidate.is_absolute():
            candidate = self.project / candidate
        try:
            resolved = candidate.resolve()
            rel = resolved.relative_to(self.project)
        except (OSError, ValueError):
            return None
        if not resolved.is_file() or any(part.startswith(".") for part in rel.parts):
            return None
        return rel.as_posix()

    def test_file(self, case: TestCase) -> str | None:
        """The test module a case belongs to, from `file`, the message, or the dotted classname."""
        if case.file and (rel := self.relative(case.file)):
            return rel
        match = _TEST_MODULE.search(case.message)
        if match and (rel := self.relative(match.group(1))):
            return rel
        dotted = case.classname or case.name  # collection errors put the module in `name`
        parts = [p for p in dotted.split(".") if p]
        for end in range(len(parts), 0, -1):
            if rel := self.relative("/".join(parts[:end]) + ".py"):
                return rel
        return None

    def frames(self, text: str) -> list[str]:
        found = [m.group(1) for m in _PYTEST_FRAME.finditer(text)]
        found += [m.group(1) for m in _PYTHON_FRAME.finditer(text)]
        return _unique(rel for raw in found if (rel := self.relative(raw)))

    def imported_modules(self, test_rel: str) -> list[str]:
        """Project files a test module imports (absolute and relative imports), as they exist."""
        path = self.project / test_rel
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, SyntaxError, ValueError):
            return []
        package = PurePosixPath(test_rel).parent.parts
        found: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found += self._module_files(alias.name.split("."))
            elif isinstance(node, ast.ImportFrom):
                base = list(package[: len(package) - node.level + 1]) if node.level else []
                if node.level and node.level - 1 > len(package):
                    continue
                module = base + (node.module.split(".") if node.module else [])
                # `from pkg import mod` may name submodules; blame the package only for names
                # that are not modules of their own.
                subs = [self._module_files([*module, alias.name]) for alias in node.names]
                found += [f for files in subs for f in files]
                if module and not all(subs):
                    found += self._module_files(module)
        return _unique(found)

    def _module_files(self, parts: list[str]) -> list[str]:
        for root in ("", "src/"):
            stem = root + "/".join(parts)
            for candidate in (stem + ".py", stem + "/__init__.py"):
                if rel := self.relative(candidate):
                    return [rel]
        return []

    def blame(self, case: TestCase) -> list[str]:
        """Source files for one failing case; the test file itself when no source file is found."""
        test_rel = self.test_file(case)
        blamed = [f for f in self.frames(case.message) if not is_test_file(f)]
        if test_rel:
            blamed += [f for f in self.imported_modules(test_rel) if not is_test_file(f)]
        blamed = _unique(blamed)
        if not blamed and test_rel:
            blamed = [test_rel]
        return blamed


def attribute(cases: list[TestCase], attributor: Attributor) -> tuple[list[TestCase], list[str]]:
    """Cases with `file` and `blamed_files` filled in, and the union of blamed files."""
    out: list[TestCase] = []
    failing: list[str] = []
    for case in cases:
        update: dict[str, object] = {}
        if (test_rel := attributor.test_file(case)) is not None:
            update["file"] = test_rel
        if case.outcome in ("failed", "error"):
            blamed = attributor.blame(case)
            update["blamed_files"] = blamed
            failing += blamed
        out.append(case.model_copy(update=update))
    return out, _unique(failing)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
