"""The pure parts of the dashboard: DOT text, file tree, plan editing, charts, run status."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from graph.progress import NodeRow, WorkerSpan
from models.dag import TaskDAG, TaskNode
from models.schemas import Plan, PlannedFile
from ui.dashboard import charts
from ui.dashboard.approval import plan_from_table
from ui.dashboard.dag_view import FILL, dag_dot
from ui.dashboard.files import language_for, tree_text
from ui.dashboard.results import plan_table
from ui.dashboard.status import STALE_AFTER_S, can_resume


def row(
    node_id: str, deps: list[str], status: str, start: float | None, end: float | None
) -> NodeRow:
    return NodeRow(
        id=node_id,
        name=f"{node_id}.py",
        files=[f"{node_id}.py"],
        depends_on=deps,
        status=status,
        worker_id="w1" if start is not None else None,
        started_at=start,
        finished_at=end,
        iteration=0,
        error=None,
    )


def diamond_dag() -> TaskDAG:
    shape = {"base": [], "left": ["base"], "right": ["base"], "top": ["left", "right"]}
    return TaskDAG(nodes=[TaskNode(id=n, name=n, depends_on=d) for n, d in shape.items()])


def test_dot_colours_nodes_by_status_and_bolds_the_critical_path() -> None:
    rows = [
        row("base", [], "DONE", 0.0, 1.0),
        row("left", ["base"], "DONE", 1.0, 2.0),
        row("right", ["base"], "RUNNING", 1.0, None),  # 4 s so far at now=5: the long branch
        row("top", ["left", "right"], "IDLE", None, None),
    ]

    dot = dag_dot(diamond_dag(), rows, now=5.0)

    assert f'"base" [label="base.py\\nw1 · 1.0s", fillcolor="{FILL["DONE"]}"' in dot
    assert f'"right" [label="right.py\\nw1 · 4.0s", fillcolor="{FILL["RUNNING"]}"' in dot
    assert f'"top" [label="top.py\\nwaiting", fillcolor="{FILL["IDLE"]}"' in dot
    assert '"base" -> "right" [penwidth=3' in dot
    assert '"base" -> "left";' in dot  # off the critical path: a plain edge


def test_dot_escapes_quotes_in_names() -> None:
    dag = TaskDAG(nodes=[TaskNode(id='a"b', name="x")])
    dot = dag_dot(dag, [row('a"b', [], "FAILED", 0.0, 1.0)], now=2.0)
    assert '"a\\"b"' in dot and FILL["FAILED"] in dot


def test_file_tree_lists_folders_after_files() -> None:
    tree = tree_text(["pkg/b.py", "README.md", "pkg/a.py", "tests/test_a.py"])
    assert tree.splitlines() == [
        "├── README.md",
        "├── pkg/",
        "│   ├── a.py",
        "│   └── b.py",
        "└── tests/",
        "    └── test_a.py",
    ]


def test_language_follows_the_file_type() -> None:
    assert language_for("pkg/mod.py") == "python"
    assert language_for("pyproject.toml") == "toml"
    assert language_for("Dockerfile") == "docker"
    assert language_for("notes.txt") is None


def test_edited_plan_table_becomes_a_plan() -> None:
    plan = Plan(
        objective="o",
        files=[
            PlannedFile(path="a.py", purpose="A", interface="def a()"),
            PlannedFile(path="b.py", purpose="B", interface="def b()", imports=["a.py"]),
        ],
    )
    table = plan_table(plan)
    table.loc[1, "interface"] = "def b(x: int) -> int"
    table.loc[2] = ["c.py", "C", "def c()", "a.py, b.py"]
    table.loc[3] = [None, None, None, None]  # a blank row the editor added

    edited = plan_from_table("new objective", table, "requests, rich", "pytest")

    assert edited.objective == "new objective"
    assert edited.paths == ["a.py", "b.py", "c.py"]
    assert edited.files[1].interface == "def b(x: int) -> int"
    assert edited.files[2].imports == ["a.py", "b.py"]
    assert edited.requirements == ["requests", "rich"]


def test_plan_with_an_unsafe_path_is_refused() -> None:
    table = pd.DataFrame([{"path": "../evil.py", "purpose": "", "interface": "", "imports": ""}])
    with pytest.raises(ValidationError):
        plan_from_table("o", table, "", "")


def test_gantt_data_shows_overlap() -> None:
    spans = [
        WorkerSpan("a", "w1", 0, 10.0, 12.0, "DONE"),
        WorkerSpan("b", "w2", 0, 11.0, 13.0, "DONE"),
        WorkerSpan("c", "w1", 0, 12.5, None, "RUNNING"),
    ]
    frame = charts.gantt_frame(spans, origin=10.0, now=14.0)

    assert list(frame["start"]) == [0.0, 1.0, 2.5]
    assert list(frame["end"]) == [2.0, 3.0, 4.0]  # the running span is drawn up to now
    assert charts.max_parallel(spans, now=14.0) == 2
    assert charts.gantt_chart(frame, span=4.0).to_dict()["layer"]


def test_stopped_or_silent_runs_can_resume_live_ones_cannot() -> None:
    assert can_resume("failed", 0.0, 1.0)
    assert can_resume("budget_exceeded", 0.0, 1.0)
    assert not can_resume("done", 0.0, 1.0)
    assert not can_resume("running", 100.0, 101.0)
    assert can_resume("running", 100.0, 100.0 + STALE_AFTER_S + 1)
