"""Static check of a generated project: parses, imports resolve, imported names exist, arity.

Cheap and local, so only files with real problems go to the integrator's LLM.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath


def module_name(path: str) -> str | None:
    p = PurePosixPath(path)
    if p.suffix != ".py":
        return None
    parts = list(p.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) if parts else None


@dataclass
class ModuleInfo:
    path: str
    name: str
    is_package: bool
    names: set[str] = field(default_factory=set)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    open_namespace: bool = False  # star import or module __getattr__: names cannot be known


def _collect(path: str, name: str, tree: ast.Module) -> ModuleInfo:
    info = ModuleInfo(path=path, name=name, is_package=path.endswith("__init__.py"))
    for stmt in _top_level(tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.names.add(stmt.name)
            info.functions[stmt.name] = stmt
            if stmt.name == "__getattr__":
                info.open_namespace = True
        elif isinstance(stmt, ast.ClassDef):
            info.names.add(stmt.name)
            info.classes[stmt.name] = stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        info.names.add(n.id)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                info.names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    info.open_namespace = True
                else:
                    info.names.add(alias.asname or alias.name)
    return info


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements at module level, including those inside if/try blocks (guarded imports)."""
    out: list[ast.stmt] = []
    for stmt in body:
        out.append(stmt)
        if isinstance(stmt, ast.If):
            out.extend(_top_level(stmt.body) + _top_level(stmt.orelse))
        elif isinstance(stmt, ast.Try):
            out.extend(_top_level(stmt.body) + _top_level(stmt.orelse))
            for h in stmt.handlers:
                out.extend(_top_level(h.body))
            out.extend(_top_level(stmt.finalbody))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            out.extend(_top_level(stmt.body))
    return out


def _resolve_relative(importer: ModuleInfo, level: int, module: str | None) -> str:
    base = importer.name.split(".")
    if not importer.is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    parts = base + (module.split(".") if module else [])
    return ".".join(p for p in parts if p)


def _arity_problem(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, skip_first: bool
) -> str | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    args = fn.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if skip_first and positional:
        positional = positional[1:]
    n_defaults = len(args.defaults)
    required = positional[: len(positional) - n_defaults] if n_defaults else positional
    given_kw = {k.arg for k in call.keywords if k.arg}
    n_pos = len(call.args)
    if args.vararg is None and n_pos > len(positional):
        return f"takes at most {len(positional)} positional arguments but {n_pos} are given"
    kwonly = {a.arg for a in args.kwonlyargs}
    if args.kwarg is None:
        unknown = given_kw - set(positional) - kwonly
        if unknown:
            return f"got unexpected keyword argument(s) {', '.join(sorted(unknown))}"
    missing = [a for a in required[n_pos:] if a not in given_kw]
    kw_required = [
        a.arg
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)
        if d is None and a.arg not in given_kw
    ]
    if missing or kw_required:
        return f"missing required argument(s) {', '.join(missing + kw_required)}"
    return None


def check_project(files: Mapping[str, str]) -> dict[str, list[str]]:
    """Problems per file path; files without problems are absent."""
    problems: dict[str, list[str]] = {}
    trees: dict[str, ast.Module] = {}
    modules: dict[str, ModuleInfo] = {}
    for path, content in files.items():
        name = module_name(path)
        if name is None:
            continue
        try:
            tree = ast.parse(content, filename=path)
        except SyntaxError as exc:
            problems.setdefault(path, []).append(f"syntax error line {exc.lineno}: {exc.msg}")
            continue
        trees[path] = tree
        modules[name] = _collect(path, name, tree)
    roots = {name.split(".")[0] for name in modules} | {
        PurePosixPath(p).parts[0] for p in files if len(PurePosixPath(p).parts) > 1
    }

    for path, tree in trees.items():
        me = modules[module_name(path) or ""]
        imported_funcs: dict[str, tuple[ModuleInfo, str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in roots and alias.name not in modules:
                        problems.setdefault(path, []).append(
                            f"line {node.lineno}: imports missing project module {alias.name!r}"
                        )
            elif isinstance(node, ast.ImportFrom):
                target = (
                    _resolve_relative(me, node.level, node.module)
                    if node.level
                    else (node.module or "")
                )
                if not node.level and target.split(".")[0] not in roots:
                    continue  # standard library or third party
                mod = modules.get(target)
                if mod is None:
                    problems.setdefault(path, []).append(
                        f"line {node.lineno}: imports missing project module {target!r}"
                    )
                    continue
                for alias in node.names:
                    name = alias.name
                    if name == "*" or mod.open_namespace:
                        continue
                    if name in mod.names or f"{target}.{name}" in modules:
                        if name in mod.functions or name in mod.classes:
                            imported_funcs[alias.asname or name] = (mod, name)
                        continue
                    problems.setdefault(path, []).append(
                        f"line {node.lineno}: imports {name!r} from {target!r}, "
                        f"which does not define it ({mod.path})"
                    )
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            ref = imported_funcs.get(node.func.id)
            if ref is None:
                continue
            mod, name = ref
            if name in mod.functions:
                problem = _arity_problem(mod.functions[name], node, skip_first=False)
            else:
                init = next(
                    (
                        s
                        for s in mod.classes[name].body
                        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and s.name == "__init__"
                    ),
                    None,
                )
                is_plain = not mod.classes[name].bases and not mod.classes[name].decorator_list
                problem = (
                    _arity_problem(init, node, skip_first=True)
                    if init is not None and is_plain
                    else None
                )
            if problem:
                problems.setdefault(path, []).append(
                    f"line {node.lineno}: call to {name}() from {mod.path} {problem}"
                )
    return problems


def public_api(content: str) -> str:
    """A fingerprint of a module's public interface, to tell whether a revision changed it."""
    try:
        tree = ast.parse(content)
    except SyntaxError:
        return "<syntax error>"
    parts: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not stmt.name.startswith(
            "_"
        ):
            parts.append(f"def {stmt.name}({ast.unparse(stmt.args)})")
        elif isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
            methods = [
                f"{s.name}({ast.unparse(s.args)})"
                for s in stmt.body
                if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                and (not s.name.startswith("_") or s.name == "__init__")
            ]
            parts.append(f"class {stmt.name}: " + ", ".join(methods))
    return "\n".join(parts)
