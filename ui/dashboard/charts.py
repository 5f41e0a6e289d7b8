"""Altair charts of a run: the phase timeline and the worker Gantt chart that shows overlap."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from graph.progress import WorkerSpan
from models.state import PhaseTiming
from ui.dashboard.dag_view import FILL

SPAN_COLOURS = {
    "RUNNING": FILL["RUNNING"],
    "DONE": FILL["DONE"],
    "FAILED": FILL["FAILED"],
    "CANCELLED": FILL["IDLE"],
}
# A fixed band per row: the chart grows with the number of phases or workers.
ROW_PX = 26


def phase_frame(
    timings: Sequence[PhaseTiming],
    origin: float,
    running: tuple[str, float, float] | None = None,
) -> pd.DataFrame:
    """One row per phase run, in seconds since `origin`; later rounds are labelled.

    `running` is (phase, started_at, now) of the phase still under way, drawn up to now.
    """
    rows = [
        {
            "phase": t.phase if t.iteration == 0 else f"{t.phase} (round {t.iteration + 1})",
            "start": t.started_at - origin,
            "end": max(t.finished_at, t.started_at) - origin,
            "seconds": round(t.seconds, 3),
        }
        for t in timings
    ]
    if running is not None:
        phase, start, now = running
        rows.append(
            {
                "phase": f"{phase} (running)",
                "start": start - origin,
                "end": max(now, start) - origin,
                "seconds": round(max(0.0, now - start), 3),
            }
        )
    return pd.DataFrame(rows, columns=["phase", "start", "end", "seconds"])


def gantt_frame(spans: Sequence[WorkerSpan], origin: float, now: float) -> pd.DataFrame:
    """One row per node attempt on its worker; a running attempt ends at `now`."""
    rows = [
        {
            "worker": s.worker_id,
            "node": s.node_id,
            "round": s.iteration + 1,
            "start": s.start - origin,
            "end": (s.end if s.end is not None else now) - origin,
            "status": s.status,
        }
        for s in spans
    ]
    frame = pd.DataFrame(rows, columns=["worker", "node", "round", "start", "end", "status"])
    frame["seconds"] = (frame["end"] - frame["start"]).round(2)
    return frame


def max_parallel(spans: Sequence[WorkerSpan], now: float) -> int:
    """The most node attempts that were running at the same instant."""
    points = sorted(
        [(s.start, 1) for s in spans] + [(s.end if s.end is not None else now, -1) for s in spans]
    )
    best = current = 0
    for _, delta in points:
        current += delta
        best = max(best, current)
    return best


def _time_axis(span: float) -> alt.X:
    # Both charts share one time axis, so a phase lines up with the workers busy in it.
    return alt.X("start:Q", title="seconds since start", scale=alt.Scale(domain=[0, span]))


def phase_chart(frame: pd.DataFrame, span: float) -> alt.Chart:
    order = list(dict.fromkeys(frame["phase"]))
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadius=3)
        .encode(
            x=_time_axis(span),
            x2="end:Q",
            y=alt.Y("phase:N", sort=order, title=None),
            color=alt.Color("phase:N", legend=None),
            tooltip=["phase", "seconds"],
        )
        .properties(height=alt.Step(ROW_PX))
    )


def gantt_chart(frame: pd.DataFrame, span: float) -> alt.LayerChart:
    workers = sorted(frame["worker"].unique(), key=lambda w: (len(str(w)), str(w)))
    base = alt.Chart(frame, height=alt.Step(ROW_PX)).encode(
        x=_time_axis(span),
        y=alt.Y("worker:N", sort=workers, title="worker"),
    )
    bars = base.mark_bar(cornerRadius=3, opacity=0.9).encode(
        x2="end:Q",
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=list(SPAN_COLOURS), range=list(SPAN_COLOURS.values())),
            legend=alt.Legend(orient="right", title=None),
        ),
        tooltip=["node", "worker", "round", "status", "seconds"],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(text="node:N")
    return alt.LayerChart(layer=[bars, labels])
