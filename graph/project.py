"""Writing a generated project to disk, as a zip and as a git repository, never outside its root."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from agents.orchestrator import normalize_request
from models.paths import UnsafePathError, check_path
from models.schemas import Plan

# Fixed timestamp so the same files always give a byte-identical zip.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def safe_target(root: Path, path: str) -> Path:
    """The absolute location of `path` under `root`; refuses anything that would leave it."""
    rel = check_path(path)
    root = root.resolve()
    target = root.joinpath(*rel.split("/"))
    # A symlink planted in the tree must not redirect a write outside the root.
    cursor = root
    for part in rel.split("/")[:-1]:
        cursor = cursor / part
        if cursor.is_symlink():
            raise UnsafePathError(path, f"{cursor.relative_to(root)} is a symbolic link")
    if target.is_symlink():
        raise UnsafePathError(path, "is a symbolic link")
    if not str(target.resolve()).startswith(str(root) + os.sep):
        raise UnsafePathError(path, "resolves outside the project directory")
    return target


def write_files(root: Path, files: Mapping[str, str], *, clean: bool = False) -> list[Path]:
    if clean and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for path, content in sorted(files.items()):
        target = safe_target(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        written.append(target)
    return written


def project_readme(name: str, request: str, plan: Plan | None, files: Mapping[str, str]) -> str:
    lines = [f"# {name}", "", request.strip(), ""]
    if plan is not None:
        lines += ["## Objective", "", plan.objective, "", "## Files", ""]
        for f in plan.files:
            lines.append(f"- `{f.path}`: {f.purpose}")
        tests = sorted(p for p in files if p.startswith("tests/"))
        if tests:
            lines += ["", "## Tests", ""] + [f"- `{p}`" for p in tests]
        lines += ["", "## Usage", ""]
        if plan.requirements:
            lines += ["```", "pip install " + " ".join(plan.requirements), "```", ""]
    lines += ["Run the tests from this directory:", "", "```", "python -m pytest", "```", ""]
    return "\n".join(lines)


def complete_project(
    name: str, request: str, plan: Plan | None, files: Mapping[str, str]
) -> dict[str, str]:
    """The generated files plus a README and requirements.txt where the model wrote none."""
    project = dict(files)
    # The README quotes the request normalised: raw input may hold terminal escapes.
    shown = normalize_request(request)
    project.setdefault("README.md", project_readme(name, shown, plan, files))
    if plan is not None and plan.requirements:
        project.setdefault("requirements.txt", "\n".join(plan.requirements) + "\n")
    return dict(sorted(project.items()))


def build_zip(files: Mapping[str, str], zip_path: Path, *, prefix: str = "") -> Path:
    """A reproducible zip holding only safe relative paths."""
    data = zip_bytes(files, prefix=prefix)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh temporary file (O_EXCL) that nothing planted can redirect, then an atomic rename.
    fd, tmp = tempfile.mkstemp(dir=zip_path.parent, prefix=".zip-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, zip_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return zip_path


def zip_bytes(files: Mapping[str, str], *, prefix: str = "") -> bytes:
    """The project as a zip in memory: sorted, fixed timestamps, only safe relative paths."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, content in sorted(files.items()):
            rel = check_path(path)
            info = zipfile.ZipInfo(f"{prefix}{rel}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, content)
    return buf.getvalue()


def git_commit(root: Path, message: str) -> bool:
    """One commit of the whole project, when git is available. Never fails the run."""
    git = shutil.which("git")
    if git is None:
        return False
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "parallel-codegen",
        "GIT_AUTHOR_EMAIL": "codegen@localhost",
        "GIT_COMMITTER_NAME": "parallel-codegen",
        "GIT_COMMITTER_EMAIL": "codegen@localhost",
    }
    try:
        if not (root / ".git").exists():
            subprocess.run([git, "init", "-q"], cwd=root, check=True, env=env, timeout=30)
        subprocess.run([git, "add", "-A"], cwd=root, check=True, env=env, timeout=30)
        subprocess.run(
            [git, "commit", "-q", "--no-verify", "-m", message],
            cwd=root,
            check=True,
            env=env,
            timeout=30,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return True
