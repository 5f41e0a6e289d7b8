"""A read model of a run's progress, shared by the terminal view and the dashboard."""

from __future__ import annotations

import time
from dataclasses import dataclass

from graph.store import RunStore
from models.dag import TaskDAG


@dataclass
class NodeRow:
    id: str
    name: str
    files: list[str]
    depends_on: list[str]
    status: str
    worker_id: str | None
    started_at: float | None
    finished_at: float | None
    iteration: int
    error: str | None

    def seconds(self, now: float | None = None) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at if self.finished_at is not None else (now or time.time())
        return max(0.0, end - self.started_at)


def node_rows(store: RunStore, run_id: str, dag: TaskDAG | None = None) -> list[NodeRow]:
    """One row per DAG node, with its latest status and the times of its latest attempt."""
    dag = dag or store.get_dag(run_id)
    if dag is None:
        return []
    rows: dict[str, NodeRow] = {
        n.id: NodeRow(
            id=n.id,
            name=n.name,
            files=list(n.files),
            depends_on=list(n.depends_on),
            status="IDLE",
            worker_id=None,
            started_at=None,
            finished_at=None,
            iteration=0,
            error=None,
        )
        for n in dag.nodes
    }
    for t in store.node_transitions(run_id):
        row = rows.get(t.node_id)
        if row is None:
            continue
        row.status = t.status
        row.iteration = t.iteration
        if t.status == "RUNNING":
            row.started_at, row.finished_at, row.worker_id, row.error = (
                t.at,
                None,
                t.worker_id,
                None,
            )
        elif t.status in ("DONE", "FAILED"):
            row.finished_at = t.at
            row.error = t.error
            row.worker_id = t.worker_id or row.worker_id
        elif t.status == "IDLE":
            row.started_at = row.finished_at = None
            row.worker_id = None
            row.error = t.error
    return list(rows.values())


@dataclass
class WorkerSpan:
    node_id: str
    worker_id: str
    iteration: int
    start: float
    end: float | None
    status: str


def worker_spans(store: RunStore, run_id: str) -> list[WorkerSpan]:
    """Every attempt of every node as a span on its worker: the data of a Gantt chart."""
    open_spans: dict[str, WorkerSpan] = {}
    spans: list[WorkerSpan] = []
    for t in store.node_transitions(run_id):
        if t.status == "RUNNING":
            span = WorkerSpan(t.node_id, t.worker_id or "?", t.iteration, t.at, None, "RUNNING")
            open_spans[t.node_id] = span
            spans.append(span)
        elif t.node_id in open_spans:
            span = open_spans.pop(t.node_id)
            span.end = t.at
            span.status = "CANCELLED" if t.status == "IDLE" else t.status
    return spans
