"""The task DAG: scheduling queries, critical path, validation, copy-on-change."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.dag import DAGValidationError, NodeStatus, TaskDAG, TaskNode


def dag_of(spec: dict[str, list[str]], files: dict[str, list[str]] | None = None) -> TaskDAG:
    files = files or {}
    return TaskDAG(
        nodes=[
            TaskNode(id=k, name=k.upper(), files=files.get(k, [f"{k}.py"]), depends_on=v)
            for k, v in spec.items()
        ]
    )


DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}


def test_ready_nodes_follow_finished_dependencies() -> None:
    dag = dag_of(DIAMOND)
    assert [n.id for n in dag.ready_nodes()] == ["a"]
    dag = dag.mark("a", NodeStatus.DONE)
    assert [n.id for n in dag.ready_nodes()] == ["b", "c"]
    dag = dag.mark("b", NodeStatus.RUNNING).mark("c", NodeStatus.DONE)
    assert dag.ready_nodes() == []  # d still waits for b; running nodes are not ready
    dag = dag.mark("b", NodeStatus.FAILED)
    assert dag.ready_nodes() == []  # a failed dependency never satisfies d
    dag = dag.mark("b", NodeStatus.DONE)
    assert [n.id for n in dag.ready_nodes()] == ["d"]
    assert not dag.all_done()
    assert dag.mark("d", NodeStatus.DONE).all_done()
    assert TaskDAG().all_done()


def test_topological_order_keeps_declaration_order_among_peers() -> None:
    dag = dag_of({"z": ["y"], "y": [], "x": [], "w": ["x", "z"]})
    assert [n.id for n in dag.topological_order()] == ["y", "x", "z", "w"]


def test_get_node_and_file_owners() -> None:
    dag = dag_of(DIAMOND, files={"a": ["pkg/a.py", "pkg/a_util.py"]})
    assert dag.get_node("c").name == "C"
    with pytest.raises(KeyError, match="'nope'"):
        dag.get_node("nope")
    node = dag.node_for_file("pkg/a_util.py")
    assert node is not None and node.id == "a"
    assert dag.node_for_file("missing.py") is None
    assert dag.file_owners()["d.py"] == "d"


def test_critical_path_by_hand() -> None:
    dag = dag_of(DIAMOND)
    assert dag.critical_path({"a": 2, "b": 3, "c": 1, "d": 1}) == (["a", "b", "d"], 6.0)
    assert dag.critical_path({"a": 2, "b": 1, "c": 5, "d": 1}) == (["a", "c", "d"], 8.0)
    # Independent roots: the longest single node wins; missing durations count as zero.
    assert dag_of({"p": [], "q": []}).critical_path({"q": 4}) == (["q"], 4.0)
    assert TaskDAG().critical_path({}) == ([], 0.0)


def test_dependents_are_transitive_and_exclude_the_start() -> None:
    dag = dag_of({"a": [], "b": ["a"], "c": ["b"], "d": [], "e": ["d", "c"]})
    assert dag.dependents(["a"]) == {"b", "c", "e"}
    assert dag.dependents(["d"]) == {"e"}
    assert dag.dependents(["a", "b"]) == {"c", "e"}
    assert dag.dependents(["e"]) == set()


def test_cycle_is_reported_with_its_members() -> None:
    dag = dag_of({"a": ["c"], "b": ["a"], "c": ["b"], "d": []})
    problems = dag.validate_structure()
    assert len(problems) == 1 and problems[0].startswith("dependency cycle: ")
    cycle = problems[0].removeprefix("dependency cycle: ").split(" -> ")
    assert set(cycle) == {"a", "b", "c"} and cycle[0] == cycle[-1]
    with pytest.raises(DAGValidationError, match="dependency cycle") as info:
        dag.topological_order()
    assert info.value.problems == problems


@pytest.mark.parametrize(
    ("dag", "message"),
    [
        (dag_of({"a": ["a"]}), "node 'a' depends on itself"),
        (dag_of({"a": ["ghost"]}), "node 'a' depends on unknown node 'ghost'"),
        (
            TaskDAG(nodes=[TaskNode(id="a", name="1"), TaskNode(id="a", name="2")]),
            "duplicate node id 'a'",
        ),
        (
            dag_of({"a": [], "b": []}, files={"a": ["x.py"], "b": ["x.py"]}),
            "file 'x.py' is claimed by nodes 'a' and 'b'",
        ),
    ],
)
def test_validation_problems_name_what_is_wrong(dag: TaskDAG, message: str) -> None:
    assert message in dag.validate_structure()
    with pytest.raises(DAGValidationError, match=message):
        dag.raise_if_invalid()


def test_a_valid_dag_has_no_problems() -> None:
    assert dag_of(DIAMOND).validate_structure() == []
    dag_of(DIAMOND).raise_if_invalid()


def test_reset_and_mark_return_copies() -> None:
    dag = dag_of(DIAMOND).mark("a", NodeStatus.DONE, worker_id="w1").mark("b", NodeStatus.FAILED)
    before = dag.model_dump()
    reset = dag.reset_nodes(["a", "b"])
    assert dag.model_dump() == before
    for node_id in ("a", "b"):
        node = reset.get_node(node_id)
        assert (node.status, node.worker_id, node.started_at, node.finished_at) == (
            NodeStatus.IDLE,
            None,
            None,
            None,
        )
    assert reset.get_node("c") == dag.get_node("c")

    marked = dag.mark("c", NodeStatus.RUNNING, worker_id="w2")
    assert dag.get_node("c").status == NodeStatus.IDLE
    running = marked.get_node("c")
    assert running.status == NodeStatus.RUNNING and running.started_at is not None
    finished = marked.mark("c", NodeStatus.DONE).get_node("c")
    assert finished.finished_at is not None and finished.duration is not None
    assert finished.duration >= 0
    assert dag.mark("d", NodeStatus.DONE, finished_at=5.0).get_node("d").finished_at == 5.0


@st.composite
def random_dags(draw: st.DrawFn) -> tuple[TaskDAG, dict[str, float]]:
    """Acyclic by construction: a node only depends on nodes declared before it."""
    count = draw(st.integers(min_value=1, max_value=12))
    ids = [f"n{i}" for i in range(count)]
    nodes = []
    for i, node_id in enumerate(ids):
        deps = draw(st.lists(st.sampled_from(ids[:i]), unique=True)) if i else []
        nodes.append(TaskNode(id=node_id, name=node_id, depends_on=deps))
    order = draw(st.permutations(nodes))  # declaration order must not matter
    durations = {n: draw(st.floats(min_value=0, max_value=100, allow_nan=False)) for n in ids}
    return TaskDAG(nodes=list(order)), durations


@given(random_dags())
def test_topological_order_respects_every_edge(case: tuple[TaskDAG, dict[str, float]]) -> None:
    dag, _ = case
    order = [n.id for n in dag.topological_order()]
    assert sorted(order) == sorted(n.id for n in dag.nodes)
    position = {node_id: i for i, node_id in enumerate(order)}
    for node in dag.nodes:
        for dep in node.depends_on:
            assert position[dep] < position[node.id]


@given(random_dags())
def test_critical_path_is_a_chain_between_the_bounds(
    case: tuple[TaskDAG, dict[str, float]],
) -> None:
    dag, durations = case
    path, length = dag.critical_path(durations)
    assert max(durations.values()) <= length + 1e-9
    assert length <= sum(durations.values()) + 1e-9
    assert length == pytest.approx(sum(durations[n] for n in path))
    for earlier, later in itertools.pairwise(path):
        assert earlier in dag.get_node(later).depends_on
