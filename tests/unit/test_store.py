"""The SQLite run store: round trips, isolation between runs, threads and processes."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store import RunStore
from models.dag import NodeStatus, TaskDAG, TaskNode
from models.paths import UnsafePathError
from models.schemas import Plan, PlannedFile
from models.state import PhaseTiming, RunStatus
from models.usage import LLMUsage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "runs.sqlite"


@pytest.fixture
def store(db_path: Path) -> Iterator[RunStore]:
    s = RunStore(db_path)
    yield s
    s.close()


def new_run(store: RunStore, run_id: str = "r1", parent_run: str | None = None) -> str:
    store.create_run(
        run_id,
        f"build {run_id}",
        provider="replay",
        settings={"max_workers": 4},
        parent_run=parent_run,
    )
    return run_id


def test_creates_the_directory_in_wal_mode(db_path: Path, store: RunStore) -> None:
    assert db_path.exists()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


def test_run_round_trip(store: RunStore) -> None:
    new_run(store, "r1")
    new_run(store, "r2", parent_run="r1")
    record = store.get_run("r1")
    assert record is not None
    assert (record.request, record.provider, record.status) == ("build r1", "replay", "pending")
    assert record.settings == {"max_workers": 4}
    assert record.plan is None and not record.cancel_requested
    plan = Plan(objective="o", files=[PlannedFile(path="a.py", purpose="p", interface="f()")])
    store.update_run(
        "r1",
        status=RunStatus.DONE,
        phase="tester",
        project_name="calc",
        finished_at=123.5,
        iteration=2,
        output_dir="/tmp/out",
        zip_path="/tmp/out.zip",
        plan_json=plan,
        review_json={"score": 8},
        test_report={"passed": 3},
        summary_json='{"files": 1}',
        speedup=2.5,
    )
    record = store.get_run("r1")
    assert record is not None
    assert record.status == RunStatus.DONE == "done"
    assert (record.phase, record.project_name, record.iteration) == ("tester", "calc", 2)
    assert (record.finished_at, record.speedup) == (123.5, 2.5)
    assert (record.output_dir, record.zip_path) == ("/tmp/out", "/tmp/out.zip")
    assert Plan.model_validate(record.plan_json) == plan
    assert record.review == {"score": 8}
    assert record.test_report_json == {"passed": 3}
    assert record.summary == {"files": 1}
    assert record.updated_at >= record.created_at
    child = store.get_run("r2")
    assert child is not None and child.parent_run == "r1"
    assert [r.run_id for r in store.list_runs()] == ["r2", "r1"]
    assert [r.run_id for r in store.list_runs(limit=1)] == ["r2"]
    assert store.get_run("nope") is None


def test_update_run_rejects_unknown_fields_and_runs(store: RunStore) -> None:
    new_run(store)
    with pytest.raises(ValueError, match="unknown run field 'colour'"):
        store.update_run("r1", colour="red")
    with pytest.raises(KeyError):
        store.update_run("missing", status="done")
    with pytest.raises(sqlite3.IntegrityError):
        new_run(store, "r1")  # run ids are unique


def test_dag_snapshot_round_trip(store: RunStore) -> None:
    new_run(store)
    assert store.get_dag("r1") is None
    dag = TaskDAG(
        nodes=[
            TaskNode(id="a", name="A", files=["a.py"]),
            TaskNode(id="b", name="B", files=["b.py"], depends_on=["a"]),
        ]
    )
    store.set_dag("r1", dag)
    assert store.get_dag("r1") == dag
    later = dag.mark("a", NodeStatus.DONE, worker_id="w1")
    store.set_dag("r1", later)
    assert store.get_dag("r1") == later


def test_node_transitions_and_latest_state(store: RunStore) -> None:
    new_run(store)
    store.node_transition("r1", "a", "RUNNING", worker_id="w1", at=1.0, iteration=0)
    store.node_transition("r1", "b", NodeStatus.RUNNING, worker_id="w2", at=1.5, iteration=0)
    store.node_transition("r1", "a", "DONE", worker_id="w1", at=2.0, iteration=0)
    store.node_transition("r1", "a", "DONE", worker_id="w1", at=2.0, iteration=0)  # duplicate
    store.node_transition("r1", "b", "FAILED", worker_id="w2", at=3.0, iteration=0, error="boom")
    transitions = store.node_transitions("r1")
    assert [(t.node_id, t.status) for t in transitions] == [
        ("a", "RUNNING"),
        ("b", "RUNNING"),
        ("a", "DONE"),
        ("b", "FAILED"),
    ]
    states = store.node_states("r1")
    assert states["a"].status == "DONE" and states["a"].worker_id == "w1"
    assert states["b"].status == "FAILED" and states["b"].error == "boom"


def test_events_page_by_id(store: RunStore) -> None:
    new_run(store)
    first = store.add_event("r1", "planning", at=10.0)
    second = store.add_event("r1", "slow call", level="warning", kind="llm", data={"s": 3})
    assert second > first
    events = store.events("r1")
    assert [(e.message, e.level, e.kind) for e in events] == [
        ("planning", "info", "log"),
        ("slow call", "warning", "llm"),
    ]
    assert events[0].at == 10.0 and events[1].data == {"s": 3}
    assert [e.id for e in store.events("r1", after_id=first)] == [second]
    assert len(store.events("r1", limit=1)) == 1


def test_artifacts_keep_latest_and_history(store: RunStore) -> None:
    new_run(store)
    store.put_artifacts(
        "r1", {"./pkg//a.py": "v1", "b.py": "b"}, kind="source", node_id="n1", iteration=0
    )
    store.put_artifacts("r1", {"tests/test_a.py": "t"}, kind="test", node_id=None, iteration=0)
    store.put_artifacts("r1", {"pkg/a.py": "v2"}, kind="source", node_id="n1", iteration=1)
    store.put_artifacts("r1", {"pkg/a.py": "v2"}, kind="source", node_id="n1", iteration=1)
    assert store.artifacts("r1") == {"b.py": "b", "pkg/a.py": "v2", "tests/test_a.py": "t"}
    assert store.artifacts("r1", kind="test") == {"tests/test_a.py": "t"}
    assert store.artifact_history("r1", "pkg/a.py") == [(0, "v1"), (1, "v2")]


@pytest.mark.parametrize("bad", ["/etc/passwd", "../x.py", ".git/config", "a\\b.py", ""])
def test_unsafe_artifact_path_is_rejected_and_nothing_written(store: RunStore, bad: str) -> None:
    new_run(store)
    with pytest.raises(UnsafePathError):
        store.put_artifacts(
            "r1", {"ok.py": "x", bad: "evil"}, kind="source", node_id=None, iteration=0
        )
    assert store.artifacts("r1") == {}


def test_usage_and_timings(store: RunStore) -> None:
    new_run(store)
    calls = [
        LLMUsage.priced(
            role="planner", model="claude-sonnet-4-6", input_tokens=1000, output_tokens=200
        ),
        LLMUsage.priced(
            role="coder",
            model="claude-haiku-4-5",
            input_tokens=10,
            cache_read_tokens=5000,
            node_id="n1",
            attempts=2,
        ),
    ]
    for u in calls:
        store.add_usage("r1", u)
    assert store.usage("r1") == calls
    totals = store.usage_totals("r1")
    assert totals.calls == 3 and totals.cache_read_tokens == 5000
    assert totals.cost_usd == pytest.approx(sum(u.cost_usd for u in calls))
    plan = PhaseTiming(phase="planner", started_at=1.0, finished_at=2.0)
    code = PhaseTiming(phase="coders", iteration=1, started_at=2.0, finished_at=5.0)
    store.add_timing("r1", code)
    store.add_timing("r1", plan)
    store.add_timing("r1", plan.model_copy(update={"finished_at": 2.5}))  # same phase, new end
    assert store.timings("r1") == [plan.model_copy(update={"finished_at": 2.5}), code]


def test_runs_are_isolated(store: RunStore) -> None:
    for run_id in ("r1", "r2"):
        new_run(store, run_id)
        store.node_transition(run_id, "a", "DONE", worker_id="w1", at=1.0, iteration=0)
        store.add_event(run_id, f"hello {run_id}")
        store.put_artifacts(run_id, {"a.py": run_id}, kind="source", node_id="a", iteration=0)
        store.add_usage(run_id, LLMUsage(role="coder", model="m", cost_usd=1.0))
        store.add_timing(run_id, PhaseTiming(phase="p", started_at=1.0, finished_at=2.0))
    store.request_cancel("r1")
    assert store.artifacts("r2") == {"a.py": "r2"}
    assert [e.message for e in store.events("r2")] == ["hello r2"]
    assert len(store.node_transitions("r2")) == 1
    assert store.usage_totals("r2").cost_usd == 1.0
    assert len(store.timings("r2")) == 1
    assert store.cancel_requested("r1") and not store.cancel_requested("r2")
    store.delete_run("r1")
    assert store.get_run("r1") is None and store.artifacts("r1") == {}
    assert store.artifacts("r2") == {"a.py": "r2"}


def test_rows_need_an_existing_run(store: RunStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.add_event("ghost", "hello")
    with pytest.raises(KeyError):
        store.request_cancel("ghost")
    assert not store.cancel_requested("ghost")


def test_concurrent_writers_and_a_reader(store: RunStore) -> None:
    new_run(store)
    errors: list[BaseException] = []
    stop = threading.Event()
    seen: list[int] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                store.node_transition(
                    "r1", f"n{n}", "RUNNING", worker_id=f"w{n}", at=float(i), iteration=0
                )
                store.add_event("r1", f"writer {n} step {i}")
                store.put_artifacts(
                    "r1", {f"m{n}/f{i}.py": str(i)}, kind="source", node_id=f"n{n}", iteration=0
                )
        except BaseException as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    def reader() -> None:
        try:
            while not stop.is_set():
                seen.append(len(store.events("r1", limit=10_000)))
                store.artifacts("r1")
                store.node_states("r1")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert errors == []
    assert len(store.events("r1", limit=10_000)) == 160
    assert len(store.artifacts("r1")) == 160
    assert len(store.node_transitions("r1")) == 160
    assert seen == sorted(seen)  # the reader only ever saw the count grow


def test_two_instances_share_the_file(db_path: Path) -> None:
    pipeline, dashboard = RunStore(db_path), RunStore(db_path)
    try:
        new_run(pipeline, "r1")
        event_id = pipeline.add_event("r1", "started")
        assert [e.id for e in dashboard.events("r1")] == [event_id]
        assert not pipeline.cancel_requested("r1")
        dashboard.request_cancel("r1")
        assert pipeline.cancel_requested("r1")
        pipeline.update_run("r1", status="cancelled")
        record = dashboard.get_run("r1")
        assert record is not None and record.status == "cancelled" and record.cancel_requested
        dashboard.clear_cancel("r1")  # resuming the run
        assert not pipeline.cancel_requested("r1")
    finally:
        pipeline.close()
        dashboard.close()


def test_reopening_keeps_data_and_close_is_final(db_path: Path) -> None:
    first = RunStore(db_path)
    new_run(first)
    first.close()
    with pytest.raises(RuntimeError, match="closed"):
        first.get_run("r1")
    again = RunStore(db_path)
    try:
        assert again.get_run("r1") is not None
    finally:
        again.close()


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    RunStore(db_path).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(RuntimeError, match="newer version"):
        RunStore(db_path)
