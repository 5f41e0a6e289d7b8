"""The eager DAG executor: order, overlap, failures, cancellation, worker pool."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from graph.scheduler import SchedulerEvent, remaining_chain, run_dag
from models.dag import DAGValidationError, NodeStatus, TaskDAG, TaskNode


def dag_of(spec: dict[str, list[str]]) -> TaskDAG:
    return TaskDAG(
        nodes=[
            TaskNode(id=k, name=k, files=[f"{k.lower()}.py"], depends_on=v) for k, v in spec.items()
        ]
    )


class Gated:
    """Fake work: each node runs until the test releases it (or at once when `auto`)."""

    def __init__(self, auto: set[str] | None = None, fail: set[str] | None = None) -> None:
        self.auto = auto or set()
        self.fail = fail or set()
        self.release: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.started: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.log: list[tuple[str, str]] = []
        self.running: dict[str, str] = {}  # node -> worker
        self.max_running = 0
        self.overlaps: set[frozenset[str]] = set()

    async def __call__(self, node: TaskNode, worker: str) -> str:
        assert worker not in self.running.values(), f"{worker} already busy"
        assert node.status == NodeStatus.RUNNING and node.worker_id == worker
        for other in self.running:
            self.overlaps.add(frozenset((other, node.id)))
        self.running[node.id] = worker
        self.max_running = max(self.max_running, len(self.running))
        self.log.append(("start", node.id))
        self.started[node.id].set()
        try:
            if node.id in self.auto:
                await asyncio.sleep(0)
            else:
                await self.release[node.id].wait()
        except asyncio.CancelledError:
            self.log.append(("cancelled", node.id))
            raise
        finally:
            del self.running[node.id]
        self.log.append(("end", node.id))
        if node.id in self.fail:
            raise RuntimeError(f"boom in {node.id}")
        return f"{node.id}@{worker}"

    async def wait_started(self, *ids: str) -> None:
        for node_id in ids:
            await asyncio.wait_for(self.started[node_id].wait(), timeout=5)

    def starts(self) -> list[str]:
        return [n for kind, n in self.log if kind == "start"]

    def index(self, kind: str, node_id: str) -> int:
        return self.log.index((kind, node_id))


async def settle() -> None:
    """Let every runnable task take its turn."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_chain_runs_in_dependency_order() -> None:
    dag = dag_of({"A": [], "B": ["A"], "C": ["B"]})
    work = Gated(auto={"A", "B", "C"})
    result = await run_dag(dag, work, max_workers=4)
    assert work.log == [
        ("start", "A"),
        ("end", "A"),
        ("start", "B"),
        ("end", "B"),
        ("start", "C"),
        ("end", "C"),
    ]
    assert result.dag.all_done()
    assert result.results == {"A": "A@w1", "B": "B@w1", "C": "C@w1"}
    a, b = result.dag.get_node("A"), result.dag.get_node("B")
    assert a.finished_at is not None and b.started_at is not None
    assert a.finished_at <= b.started_at
    assert not result.errors and not result.blocked and not result.cancelled


async def test_diamond_overlaps_the_middle_and_joins() -> None:
    dag = dag_of({"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]})
    work = Gated(auto={"A", "D"})
    task = asyncio.create_task(run_dag(dag, work, max_workers=4))
    await work.wait_started("B", "C")
    assert set(work.running) == {"B", "C"}
    work.release["B"].set()
    await settle()
    assert "D" not in work.starts()  # D waits for C too
    work.release["C"].set()
    result = await task
    assert work.index("start", "D") > work.index("end", "C")
    assert frozenset(("B", "C")) in work.overlaps
    assert result.dag.all_done()


async def test_fan_out_of_eight_on_four_workers() -> None:
    names = [f"N{i}" for i in range(8)]
    dag = dag_of({name: [] for name in names})
    work = Gated()
    task = asyncio.create_task(run_dag(dag, work, max_workers=4))
    for i, name in enumerate(names):
        expected = names[: min(i + 4, len(names))]
        await work.wait_started(*expected)
        await settle()
        assert work.starts() == expected  # a full pool starts nothing more
        assert len(work.running) == min(4, len(names) - i)
        work.release[name].set()  # each finished node lets exactly one more start
    result = await task
    assert work.max_running == 4
    assert result.dag.all_done()
    # Every node overlapped with at least three others: no worker sat idle in between.
    for name in names:
        assert sum(1 for pair in work.overlaps if name in pair) >= 3


async def test_a_fast_branch_does_not_wait_for_a_slow_root() -> None:
    dag = dag_of({"A": [], "B": [], "C": ["B"]})
    work = Gated(auto={"B", "C"})
    task = asyncio.create_task(run_dag(dag, work, max_workers=2))
    await work.wait_started("C")
    await settle()
    assert "A" in work.running  # C started and even finished while A is still busy
    assert ("end", "C") in work.log
    work.release["A"].set()
    result = await task
    assert work.index("start", "C") < work.index("end", "A")
    # B heads the longer chain, so it started first; C reuses B's freed worker.
    assert work.starts()[:2] == ["B", "A"]
    assert result.dag.get_node("C").worker_id == result.dag.get_node("B").worker_id == "w1"


async def test_failure_blocks_only_its_dependents() -> None:
    dag = dag_of({"A": [], "B": ["A"], "C": ["B"], "D": [], "E": ["D"]})
    events: list[SchedulerEvent] = []
    work = Gated(auto=set("ABCDE"), fail={"A"})
    result = await run_dag(dag, work, max_workers=2, on_event=events.append)
    assert result.errors == {"A": "RuntimeError: boom in A"}
    assert result.blocked == ["B", "C"]
    statuses = {n.id: n.status for n in result.dag.nodes}
    assert statuses == {
        "A": NodeStatus.FAILED,
        "B": NodeStatus.IDLE,
        "C": NodeStatus.IDLE,
        "D": NodeStatus.DONE,
        "E": NodeStatus.DONE,
    }
    assert result.dag.get_node("A").error == "RuntimeError: boom in A"
    assert set(result.results) == {"D", "E"}
    assert "B" not in work.starts() and "C" not in work.starts()
    assert [e.node_id for e in events if e.kind == "blocked"] == ["B", "C"]
    assert [e.node_id for e in events if e.kind == "failed"] == ["A"]


async def test_done_nodes_are_kept_and_failed_ones_retried() -> None:
    base = dag_of({"A": [], "B": ["A"], "C": []})
    dag = base.mark("A", NodeStatus.DONE, worker_id="w7", started_at=1.0, finished_at=2.0)
    dag = dag.mark("C", NodeStatus.FAILED, error="old failure", started_at=1.0, finished_at=2.0)
    work = Gated(auto={"A", "B", "C"})
    result = await run_dag(dag, work, max_workers=2)
    assert sorted(work.starts()) == ["B", "C"]
    assert result.dag.get_node("A") == dag.get_node("A")
    assert set(result.results) == {"B", "C"}
    assert result.dag.get_node("C").status == NodeStatus.DONE
    assert result.dag.get_node("C").error is None


async def test_cancel_stops_new_work_and_keeps_finished_work() -> None:
    dag = dag_of({"A": [], "B": [], "C": ["A"], "D": ["C"]})
    events: list[SchedulerEvent] = []
    cancel = asyncio.Event()
    work = Gated(auto={"A"})
    task = asyncio.create_task(
        run_dag(dag, work, max_workers=2, cancel=cancel, on_event=events.append)
    )
    await work.wait_started("B", "C")
    cancel.set()
    result = await task
    assert result.cancelled
    assert result.results == {"A": "A@w1"}
    assert {n.id: n.status for n in result.dag.nodes} == {
        "A": NodeStatus.DONE,
        "B": NodeStatus.IDLE,
        "C": NodeStatus.IDLE,
        "D": NodeStatus.IDLE,
    }
    assert result.dag.get_node("B").worker_id is None
    assert ("cancelled", "B") in work.log and ("cancelled", "C") in work.log
    assert "D" not in work.starts()
    assert sorted(e.node_id for e in events if e.kind == "cancelled") == ["B", "C"]


async def test_cancel_set_before_start_runs_nothing() -> None:
    cancel = asyncio.Event()
    cancel.set()
    work = Gated(auto={"A"})
    result = await run_dag(dag_of({"A": []}), work, max_workers=1, cancel=cancel)
    assert work.log == [] and result.cancelled
    assert result.dag.get_node("A").status == NodeStatus.IDLE


async def test_extra_jobs_share_the_pool_and_overlap_nodes() -> None:
    dag = dag_of({"A": []})
    work = Gated()
    extra_started = asyncio.Event()

    async def write_tests(worker: str) -> str:
        extra_started.set()
        await work.started["A"].wait()
        work.release["A"].set()
        return f"tests@{worker}"

    async def broken(worker: str) -> str:
        raise ValueError("no contracts")

    result = await run_dag(
        dag, work, max_workers=2, extra_jobs=[("tests", write_tests), ("docs", broken)]
    )
    # A only finishes after the extra job released it: they ran at the same time.
    assert extra_started.is_set()
    assert result.extra_results == {"tests": "tests@w2"}
    assert result.extra_errors == {"docs": "ValueError: no contracts"}
    assert result.results == {"A": "A@w1"}
    assert set(result.busy_intervals()) == {"A", "tests", "docs"}
    assert set(result.busy_intervals(include_extras=False)) == {"A"}


async def test_extra_jobs_yield_to_ready_nodes_of_higher_priority() -> None:
    order: list[str] = []
    dag = dag_of({"X": [], "A": [], "B": ["A"]})

    async def work(node: TaskNode, worker: str) -> None:
        order.append(node.id)

    async def extra(worker: str) -> None:
        order.append("extra")

    await run_dag(dag, work, max_workers=1, extra_jobs=[("extra", extra)])
    # A heads the longest chain; ties between a node and an extra job go to the node.
    assert order == ["A", "X", "B", "extra"]


async def test_priority_is_longest_remaining_chain_then_declaration_order() -> None:
    dag = dag_of({"X": [], "A": [], "B": ["A"], "C": ["B"]})
    order: list[str] = []

    async def work(node: TaskNode, worker: str) -> None:
        order.append(node.id)

    await run_dag(dag, work, max_workers=1)
    assert order == ["A", "B", "X", "C"]
    order.clear()
    await run_dag(dag, work, max_workers=1, estimates={"X": 10.0})
    assert order == ["X", "A", "B", "C"]
    assert remaining_chain(dag) == {"X": 1.0, "A": 3.0, "B": 2.0, "C": 1.0}


async def test_first_alone_runs_one_node_before_fanning_out() -> None:
    dag = dag_of({"A": [], "B": [], "C": []})
    work = Gated(auto={"B", "C"})
    task = asyncio.create_task(run_dag(dag, work, max_workers=3, first_alone=True))
    await work.wait_started("A")
    await settle()
    assert work.starts() == ["A"]
    work.release["A"].set()
    result = await task
    assert work.starts() == ["A", "B", "C"]
    assert frozenset(("B", "C")) in work.overlaps
    assert result.dag.all_done()


async def test_first_alone_fans_out_after_the_first_fails() -> None:
    dag = dag_of({"A": [], "B": [], "C": []})
    work = Gated(auto={"A", "B", "C"}, fail={"A"})
    result = await run_dag(dag, work, max_workers=3, first_alone=True)
    assert work.log[:2] == [("start", "A"), ("end", "A")]
    assert set(result.results) == {"B", "C"}


async def test_worker_ids_are_reused_and_never_shared() -> None:
    names = [f"N{i}" for i in range(9)]
    dag = dag_of({name: [] for name in names})
    work = Gated(auto=set(names))  # asserts internally that a worker is never double-booked
    result = await run_dag(dag, work, max_workers=3)
    workers = [n.worker_id for n in result.dag.nodes]
    assert not result.errors
    assert set(workers) == {"w1", "w2", "w3"}
    assert work.max_running == 3


async def test_input_dag_is_not_mutated() -> None:
    dag = dag_of({"A": [], "B": ["A"], "C": []})
    dag = dag.mark("C", NodeStatus.FAILED, error="x", started_at=1.0, finished_at=2.0)
    before = dag.model_dump()
    result = await run_dag(dag, Gated(auto={"A", "B", "C"}), max_workers=2)
    assert dag.model_dump() == before
    assert result.dag is not dag and result.dag.all_done()


async def test_event_stream_and_a_broken_listener() -> None:
    dag = dag_of({"A": [], "B": ["A"]})
    seen: list[tuple[str, str, str | None]] = []

    def listener(event: SchedulerEvent) -> None:
        seen.append((event.kind, event.node_id, event.worker_id))
        raise RuntimeError("listener bug")

    result = await run_dag(dag, Gated(auto={"A", "B"}), max_workers=2, on_event=listener)
    assert result.dag.all_done()
    assert seen == [
        ("started", "A", "w1"),
        ("done", "A", "w1"),
        ("started", "B", "w1"),
        ("done", "B", "w1"),
    ]


async def test_invalid_input_is_rejected() -> None:
    with pytest.raises(DAGValidationError, match="cycle"):
        await run_dag(dag_of({"A": ["B"], "B": ["A"]}), Gated(), max_workers=1)

    async def noop(worker: str) -> None:
        return None

    with pytest.raises(ValueError, match="unique"):
        await run_dag(dag_of({"A": []}), Gated(), max_workers=1, extra_jobs=[("A", noop)])
    with pytest.raises(ValueError, match="unique"):
        await run_dag(TaskDAG(), Gated(), max_workers=1, extra_jobs=[("t", noop), ("t", noop)])
    with pytest.raises(ValueError, match="max_workers"):
        await run_dag(dag_of({"A": []}), Gated(), max_workers=0)


async def test_empty_and_already_done_dags_return_at_once() -> None:
    assert (await run_dag(TaskDAG(), Gated(), max_workers=2)).results == {}
    done = dag_of({"A": []}).mark("A", NodeStatus.DONE)
    work = Gated()
    result = await run_dag(done, work, max_workers=2)
    assert work.log == [] and result.dag.all_done() and not result.cancelled


async def test_cancelling_run_dag_itself_cancels_its_workers() -> None:
    dag = dag_of({"A": [], "B": []})
    work = Gated()
    task = asyncio.create_task(run_dag(dag, work, max_workers=2))
    await work.wait_started("A", "B")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ("cancelled", "A") in work.log and ("cancelled", "B") in work.log
    assert work.running == {}
