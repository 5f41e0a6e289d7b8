"""Plans become DAGs: edges from imports, mutual imports merged, bad plans repaired or rejected."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agents.dag_builder import PlanError, build_dag, is_test_path
from models.schemas import Plan, PlannedFile


def plan(*files: tuple[str, list[str]]) -> Plan:
    return Plan(
        objective="o",
        files=[
            PlannedFile(path=p, purpose=f"{p} purpose", interface="def f() -> int", imports=i)
            for p, i in files
        ],
    )


def edges(dag) -> set[tuple[str, str]]:
    return {(d, n.id) for n in dag.nodes for d in n.depends_on}


def test_edges_follow_declared_imports() -> None:
    dag, _, notes = build_dag(
        plan(
            ("config.py", []),
            ("models.py", ["config.py"]),
            ("auth.py", ["config.py"]),
            ("routes.py", ["models.py", "auth.py"]),
            ("main.py", ["routes.py"]),
        )
    )

    assert [n.id for n in dag.nodes] == ["config", "models", "auth", "routes", "main"]
    assert edges(dag) == {
        ("config", "models"),
        ("config", "auth"),
        ("models", "routes"),
        ("auth", "routes"),
        ("routes", "main"),
    }
    assert [n.id for n in dag.ready_nodes()] == ["config"]
    assert notes == []


def test_files_importing_each_other_become_one_node() -> None:
    dag, _, notes = build_dag(
        plan(
            ("a.py", ["b.py"]),
            ("b.py", ["c.py"]),
            ("c.py", ["a.py"]),
            ("d.py", ["a.py"]),
        )
    )

    assert [n.files for n in dag.nodes] == [["a.py", "b.py", "c.py"], ["d.py"]]
    assert dag.nodes[1].depends_on == [dag.nodes[0].id]
    assert any("import each other" in n for n in notes)


def test_unknown_and_self_imports_are_dropped_with_a_note() -> None:
    dag, repaired, notes = build_dag(plan(("a.py", ["a.py", "missing.py", "b"]), ("b.py", [])))

    assert edges(dag) == {("b", "a")}  # "b" is accepted as the module name of b.py
    assert repaired.files[0].imports == ["b.py"]
    assert any("imports itself" in n for n in notes)
    assert any("unknown file 'missing.py'" in n for n in notes)


def test_dotted_module_names_and_packages_resolve_to_planned_files() -> None:
    dag, _, _ = build_dag(
        plan(("pkg/__init__.py", []), ("pkg/core.py", ["pkg"]), ("app.py", ["pkg.core"]))
    )

    assert edges(dag) == {("pkg", "core"), ("core", "app")}


def test_duplicate_paths_and_test_files_are_repaired() -> None:
    dag, repaired, notes = build_dag(
        plan(("a.py", []), ("a.py", []), ("tests/test_a.py", ["a.py"]), ("test_b.py", []))
    )

    assert [n.files for n in dag.nodes] == [["a.py"]]
    assert repaired.paths == ["a.py"]
    assert any("duplicate path 'a.py'" in n for n in notes)
    assert sum("test file" in n for n in notes) == 2


def test_plan_with_only_test_files_is_rejected() -> None:
    with pytest.raises(PlanError, match="no source files"):
        build_dag(plan(("tests/test_x.py", [])))


def test_node_ids_are_unique_for_files_with_the_same_name() -> None:
    dag, _, _ = build_dag(plan(("a/util.py", []), ("b/util.py", []), ("c/util.py", [])))

    ids = [n.id for n in dag.nodes]
    assert len(set(ids)) == 3 and ids[0] == "util"


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../escape.py", "a\\b.py", "C:/x.py", ".git/hooks/pre-commit", "a\x00b"]
)
def test_unsafe_paths_never_reach_the_dag(path: str) -> None:
    with pytest.raises(ValidationError, match="unsafe file path"):
        plan((path, []))


def test_large_plans_with_long_chains_build() -> None:
    n = 1500  # deeper than Python's recursion limit: the SCC search must not recurse
    files = [(f"m{i}.py", [f"m{i - 1}.py"] if i else []) for i in range(n)]
    dag, _, _ = build_dag(plan(*files))

    assert len(dag.nodes) == n
    path, length = dag.critical_path({node.id: 1.0 for node in dag.nodes})
    assert length == n and path[0] == "m0"


@pytest.mark.parametrize(
    ("path", "expected"),
    [("tests/test_a.py", True), ("test_a.py", True), ("a_test.py", True), ("conftest.py", True),
     ("testing.py", False), ("pkg/contest.py", False)],
)  # fmt: skip
def test_is_test_path(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected
