"""DAG builder: edges from the plan's declared imports; files importing each other share a node.

Deterministic and local: no LLM round trip on the critical path.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from models.dag import TaskDAG, TaskNode
from models.schemas import Plan, PlannedFile


class PlanError(ValueError):
    """A plan that cannot be repaired into a schedulable DAG."""


def is_test_path(path: str) -> bool:
    name = PurePosixPath(path).name
    return (
        path.startswith("tests/")
        or path.startswith("test/")
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def repair_plan(plan: Plan) -> tuple[Plan, list[str]]:
    """Drop what cannot be built (duplicates, test files, unknown or self imports), saying so."""
    notes: list[str] = []
    seen: set[str] = set()
    files: list[PlannedFile] = []
    for f in plan.files:
        if f.path in seen:
            notes.append(f"duplicate path {f.path!r} in the plan: kept the first entry")
            continue
        if is_test_path(f.path):
            notes.append(f"{f.path!r} is a test file: tests are written by the tester, dropped")
            continue
        seen.add(f.path)
        files.append(f)
    if not files:
        raise PlanError("the plan lists no source files to write")
    known = {f.path for f in files}
    repaired: list[PlannedFile] = []
    for f in files:
        imports: list[str] = []
        for imp in f.imports:
            target = imp if imp in known else _match_module(imp, known)
            if target is None:
                notes.append(f"{f.path!r} imports unknown file {imp!r}: import ignored")
            elif target == f.path:
                notes.append(f"{f.path!r} imports itself: import ignored")
            elif target not in imports:
                imports.append(target)
        repaired.append(f.model_copy(update={"imports": imports}))
    return plan.model_copy(update={"files": repaired}), notes


def _match_module(name: str, known: set[str]) -> str | None:
    """Accept a dotted module name or a path without `.py` for a planned file."""
    candidate = name.strip().removesuffix(".py").replace(".", "/")
    for path in (f"{candidate}.py", f"{candidate}/__init__.py"):
        if path in known:
            return path
    return None


def _components(files: list[PlannedFile]) -> list[list[str]]:
    """Strongly connected components (Tarjan), in a deterministic order."""
    graph = {f.path: list(f.imports) for f in files}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0

    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for j in range(i, len(graph[node])):
                nxt = graph[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    order = {f.path: i for i, f in enumerate(files)}
    return [sorted(c, key=order.__getitem__) for c in out]


def node_id_for(paths: list[str], taken: set[str]) -> str:
    first = PurePosixPath(paths[0])
    stem = first.parent.name if first.stem == "__init__" and first.parent.name else first.stem
    base = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_") or "module"
    node_id, n = base, 2
    while node_id in taken:
        parent = re.sub(r"[^a-z0-9_]+", "_", first.parent.name.lower()).strip("_")
        node_id = (
            f"{parent}_{base}" if parent and f"{parent}_{base}" not in taken else f"{base}_{n}"
        )
        n += 1
    return node_id


def build_dag(plan: Plan) -> tuple[TaskDAG, Plan, list[str]]:
    """The task DAG for a plan, the repaired plan it was built from, and notes on repairs."""
    plan, notes = repair_plan(plan)
    comps = _components(plan.files)
    owner: dict[str, str] = {}
    taken: set[str] = set()
    nodes: list[TaskNode] = []
    by_path = {f.path: f for f in plan.files}
    # Declaration order of the first file keeps node order stable for the user.
    order = {f.path: i for i, f in enumerate(plan.files)}
    comps.sort(key=lambda c: order[c[0]])
    for comp in comps:
        node_id = node_id_for(comp, taken)
        taken.add(node_id)
        for path in comp:
            owner[path] = node_id
        if len(comp) > 1:
            notes.append(
                f"files {', '.join(comp)} import each other: coded together as {node_id!r}"
            )
    for comp in comps:
        node_id = owner[comp[0]]
        deps: list[str] = []
        for path in comp:
            for imp in by_path[path].imports:
                dep = owner[imp]
                if dep != node_id and dep not in deps:
                    deps.append(dep)
        description = " ".join(by_path[p].purpose for p in comp)
        nodes.append(
            TaskNode(
                id=node_id,
                name=PurePosixPath(comp[0]).with_suffix("").as_posix().replace("/", "."),
                description=description,
                files=list(comp),
                depends_on=deps,
            )
        )
    dag = TaskDAG(nodes=nodes)
    dag.raise_if_invalid()
    return dag, plan, notes
