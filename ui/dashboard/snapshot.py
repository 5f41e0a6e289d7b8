"""One consistent read of a run from the store: everything a refresh of the live view draws."""

from __future__ import annotations

import time
from dataclasses import dataclass

from graph.progress import NodeRow, WorkerSpan, node_rows, worker_spans
from graph.store import Event, RunRecord, RunStore
from models.dag import TaskDAG
from models.state import PhaseTiming
from models.usage import UsageTotals

EVENT_LIMIT = 5000


@dataclass
class Snapshot:
    record: RunRecord
    dag: TaskDAG | None
    rows: list[NodeRow]
    spans: list[WorkerSpan]
    timings: list[PhaseTiming]
    totals: UsageTotals
    events: list[Event]
    now: float

    @property
    def nodes_done(self) -> int:
        return sum(1 for r in self.rows if r.status == "DONE")

    @property
    def origin(self) -> float:
        """Time zero of the charts: the earliest phase or worker start of the run."""
        starts = [t.started_at for t in self.timings] + [s.start for s in self.spans]
        return min(starts) if starts else self.record.created_at

    @property
    def last_activity(self) -> float:
        """When the run last wrote anything: a silent active run was probably killed."""
        times = [self.record.updated_at]
        times += [e.at for e in self.events[-1:]]
        times += [s.end or s.start for s in self.spans[-1:]]
        return max(times)

    @property
    def span(self) -> float:
        """Seconds from the origin to the end of the run, or to now while it runs."""
        ends = [t.finished_at for t in self.timings] + [s.end or self.now for s in self.spans]
        end = self.now if self.record.finished_at is None else max(ends, default=self.now)
        return max(0.1, end - self.origin)

    def running_phase(self) -> tuple[str, float, float] | None:
        """(phase, started_at, now) of the phase under way, while the run is active."""
        phase = self.record.phase
        if self.record.status not in ("pending", "running") or not phase:
            return None
        if self.timings and self.timings[-1].phase == phase:
            return None
        start = max((t.finished_at for t in self.timings), default=self.record.created_at)
        return phase, start, self.now

    def budget_usd(self, default: float) -> float:
        value = self.record.settings.get("budget_usd")
        return float(value) if isinstance(value, int | float) and value > 0 else default

    def revisions(self) -> list[Event]:
        return [e for e in self.events if e.kind == "revision"]

    def coding_rounds(self) -> list[Event]:
        return [e for e in self.events if e.kind == "coding"]


def load_snapshot(store: RunStore, run_id: str, now: float | None = None) -> Snapshot | None:
    record = store.get_run(run_id)
    if record is None:
        return None
    dag = store.get_dag(run_id)
    return Snapshot(
        record=record,
        dag=dag,
        rows=node_rows(store, run_id, dag) if dag is not None else [],
        spans=worker_spans(store, run_id),
        timings=store.timings(run_id),
        totals=store.usage_totals(run_id),
        events=store.events(run_id, limit=EVENT_LIMIT),
        now=time.time() if now is None else now,
    )
