"""AgentState: reducers for parallel writers, and a warning-free checkpoint round trip."""

from __future__ import annotations

import logging
import typing
import warnings
from enum import Enum
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.event_hooks import SerdeEvent, register_serde_event_listener
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from models.dag import NodeStatus, TaskDAG, TaskNode
from models.report import TestCase, TestReport
from models.schemas import Plan, PlannedFile, Review, ReviewIssue
from models.state import (
    CHECKPOINT_MODULES,
    AgentState,
    Artifact,
    PhaseTiming,
    Revision,
    RunStatus,
    merge_artifacts,
)
from models.usage import LLMUsage


def usage(role: str, cost: float = 0.01) -> LLMUsage:
    return LLMUsage(role=role, model="claude-haiku-4-5", input_tokens=10, cost_usd=cost)


def full_state() -> AgentState:
    """A state with every field set, as it looks after a revision round."""
    dag = TaskDAG(
        nodes=[
            TaskNode(id="core", name="core", files=["calc/core.py"]),
            TaskNode(id="cli", name="cli", files=["calc/cli.py"], depends_on=["core"]),
        ]
    ).mark("core", NodeStatus.DONE, worker_id="w1", started_at=1.0, finished_at=2.0)
    return AgentState(
        run_id="run-1",
        user_request="a calculator",
        project_name="calc",
        summary="adds numbers",
        plan=Plan(
            objective="calc",
            files=[PlannedFile(path="calc/core.py", purpose="maths", interface="add(a, b)")],
            requirements=["click"],
        ),
        task_dag=dag,
        artifacts={
            "calc/core.py": Artifact(
                path="calc/core.py", content="def add(a, b): ...", node_id="core"
            ),
            "tests/test_core.py": Artifact(path="tests/test_core.py", content="", kind="test"),
        },
        review=Review(
            score=6,
            approved=False,
            summary="ok",
            issues=[ReviewIssue(path="calc/cli.py", severity="major", message="no main")],
        ),
        test_result=TestReport(
            backend="local",
            passed=1,
            failed=1,
            cases=[TestCase(name="test_add", outcome="failed", blamed_files=["calc/core.py"])],
            failing_files=["calc/core.py"],
        ),
        status=RunStatus.RUNNING,
        iteration=1,
        failing_files=["calc/core.py"],
        timings=[PhaseTiming(phase="planner", started_at=1.0, finished_at=2.0)],
        usage=[usage("planner"), usage("coder")],
        revisions=[Revision(iteration=1, failing_files=["calc/core.py"], reset_nodes=["core"])],
    )


def test_merge_artifacts_replaces_paths_and_keeps_the_rest() -> None:
    old = {"a.py": Artifact(path="a.py", content="1"), "b.py": Artifact(path="b.py", content="b")}
    new = {"a.py": Artifact(path="a.py", content="2", iteration=1)}
    merged = merge_artifacts(old, new)
    assert {p: a.content for p, a in merged.items()} == {"a.py": "2", "b.py": "b"}
    assert old["a.py"].content == "1"  # inputs are left alone
    assert merge_artifacts({}, {}) == {}


def test_reducers_combine_parallel_branches_in_a_real_graph() -> None:
    def coder_a(state: AgentState) -> dict[str, Any]:
        return {
            "usage": [usage("coder-a")],
            "artifacts": {"a.py": Artifact(path="a.py", content="a")},
        }

    def coder_b(state: AgentState) -> dict[str, Any]:
        return {
            "usage": [usage("coder-b")],
            "artifacts": {"b.py": Artifact(path="b.py", content="b")},
        }

    builder = StateGraph(AgentState)
    builder.add_node("coder_a", coder_a)
    builder.add_node("coder_b", coder_b)
    builder.add_edge(START, "coder_a")
    builder.add_edge(START, "coder_b")
    builder.add_edge("coder_a", END)
    builder.add_edge("coder_b", END)
    start = AgentState(
        user_request="x",
        usage=[usage("planner")],
        artifacts={
            "a.py": Artifact(path="a.py", content="old"),
            "c.py": Artifact(path="c.py", content="c"),
        },
    )
    out = builder.compile().invoke(start)
    assert sorted(u.role for u in out["usage"]) == ["coder-a", "coder-b", "planner"]
    assert {p: a.content for p, a in out["artifacts"].items()} == {
        "a.py": "a",
        "b.py": "b",
        "c.py": "c",
    }
    assert AgentState.model_validate(out).cost_usd == pytest.approx(0.03)


def test_files_and_cost() -> None:
    state = full_state()
    assert state.files() == {"calc/core.py": "def add(a, b): ...", "tests/test_core.py": ""}
    assert state.files("test") == {"tests/test_core.py": ""}
    assert state.cost_usd == pytest.approx(0.02)


def _model_types(annotation: Any, seen: set[type]) -> None:
    """Every Pydantic model and Enum reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, Enum)):
        if annotation in seen:
            return
        seen.add(annotation)
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                _model_types(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        _model_types(arg, seen)


def test_every_type_in_the_state_is_allowed_for_checkpoints() -> None:
    reachable: set[type] = set()
    _model_types(AgentState, reachable)
    allowed = {(module, name) for module, name, *_ in CHECKPOINT_MODULES}
    missing = sorted(
        f"{t.__module__}.{t.__name__}"
        for t in reachable
        if (t.__module__, t.__name__) not in allowed
    )
    assert missing == []
    assert all(len(entry) == 2 for entry in CHECKPOINT_MODULES)  # (module, class name)


@pytest.fixture
def serde_problems(caplog: pytest.LogCaptureFixture) -> Any:
    """Collect allowlist events and warnings from langgraph's serializer; fail on any."""
    events: list[SerdeEvent] = []
    unregister = register_serde_event_listener(events.append)
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="langgraph"):
        warnings.simplefilter("error")
        yield events
    unregister()
    assert events == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_state_round_trips_through_the_serializer(serde_problems: list[SerdeEvent]) -> None:
    serde = JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_MODULES)
    state = full_state()
    restored = serde.loads_typed(serde.dumps_typed(state))
    assert isinstance(restored, AgentState)
    assert restored == state
    # LangGraph checkpoints each channel (field) on its own; each must come back typed too.
    for name in AgentState.model_fields:
        value = getattr(state, name)
        assert serde.loads_typed(serde.dumps_typed(value)) == value, name


def test_state_survives_a_checkpointed_graph(serde_problems: list[SerdeEvent]) -> None:
    def plan(state: AgentState) -> dict[str, Any]:
        return {"status": RunStatus.DONE, "usage": [usage("reviewer")]}

    builder = StateGraph(AgentState)
    builder.add_node("plan", plan)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", END)
    saver = InMemorySaver(serde=JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_MODULES))
    graph = builder.compile(checkpointer=saver)
    config: Any = {"configurable": {"thread_id": "t1"}}
    graph.invoke(full_state(), config)
    values = graph.get_state(config).values
    restored = AgentState.model_validate(values)
    assert restored.status == RunStatus.DONE
    assert restored.task_dag == full_state().task_dag
    assert isinstance(values["task_dag"], TaskDAG) and isinstance(values["review"], Review)
    assert [u.role for u in restored.usage] == ["planner", "coder", "reviewer"]
