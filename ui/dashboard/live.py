"""The live view: polls the run store about once a second and redraws; never blocks the page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.store import Event
from models.settings import Settings
from ui.dashboard import charts, state
from ui.dashboard.dag_view import LEGEND, critical_path, dag_dot
from ui.dashboard.snapshot import Snapshot, load_snapshot
from ui.dashboard.status import badge, is_active

POLL_S = 1.0
EVENTS_SHOWN = 200


def render(settings: Settings, run_id: str, active: bool) -> None:
    """The panel of `run_id`; it refreshes itself only while the run is live."""
    panel = st.fragment(_panel, run_every=POLL_S if active else None)
    panel(settings, run_id, active)


def _panel(settings: Settings, run_id: str, was_active: bool) -> None:
    snap = load_snapshot(state.store(settings), run_id)
    if snap is None:
        st.warning(f"Run {run_id} is no longer in the store.")
        return
    live = is_active(snap.record.status) or state.running_here(run_id)
    if was_active and not live:
        st.rerun()  # the run just ended or paused: redraw the page with results or approval
    _progress(snap)
    _dag(snap)
    _usage(snap, settings.budget_usd)
    _timelines(snap)
    _events(snap.events)


def _progress(snap: Snapshot) -> None:
    total = len(snap.rows)
    done = snap.nodes_done
    phase = snap.record.phase or snap.record.status
    text = f"{badge(snap.record.status)} phase: {phase}"
    text += f" · {done}/{total} nodes done" if total else ""
    st.progress(done / total if total else 0.0, text=text)


def _usage(snap: Snapshot, default_budget: float) -> None:
    t = snap.totals
    budget = snap.budget_usd(default_budget)
    end = snap.record.finished_at or snap.now
    cols = st.columns(5)
    cols[0].metric(
        "Cost so far",
        f"${t.cost_usd:.4f}",
        f"budget ${budget:.2f}",
        delta_color="off",
        delta_arrow="off",
    )
    cols[1].metric("Input tokens", f"{t.input_tokens:,}")
    cols[2].metric("Output tokens", f"{t.output_tokens:,}")
    cols[3].metric(
        "Cache reads",
        f"{t.cache_read_tokens:,}",
        f"{t.cache_read_share:.0%} of input, {t.cache_write_tokens:,} written",
        delta_color="off",
        delta_arrow="off",
    )
    cols[4].metric(
        "Elapsed",
        f"{max(0.0, end - snap.record.created_at):.1f}s",
        f"{t.calls} calls",
        delta_color="off",
        delta_arrow="off",
    )
    st.progress(min(1.0, t.cost_usd / budget), text=f"budget used: {t.cost_usd / budget:.1%}")


def _dag(snap: Snapshot) -> None:
    st.subheader("Task DAG")
    if snap.dag is None:
        st.caption("The DAG appears once the plan is made (and approved, when it is reviewed).")
        return
    st.graphviz_chart(dag_dot(snap.dag, snap.rows, snap.now), width="stretch")
    path, length = critical_path(snap.dag, snap.rows, snap.now)
    suffix = f" · critical path {' → '.join(path)} ({length:.1f}s)" if path else ""
    st.caption(LEGEND + suffix)


def _timelines(snap: Snapshot) -> None:
    phases, workers = st.columns(2)
    with phases:
        st.subheader("Phases")
        if snap.timings:
            frame = charts.phase_frame(snap.timings, snap.origin, snap.running_phase())
            st.altair_chart(charts.phase_chart(frame, snap.span), width="stretch")
        else:
            st.caption("No phase has finished yet.")
    with workers:
        st.subheader("Workers")
        if snap.spans:
            frame = charts.gantt_frame(snap.spans, snap.origin, snap.now)
            st.altair_chart(charts.gantt_chart(frame, snap.span), width="stretch")
            peak = charts.max_parallel(snap.spans, snap.now)
            st.caption(f"Up to {peak} node(s) coded at the same time.")
        else:
            st.caption("No worker has started yet.")


def event_frame(events: list[Event], origin: float) -> pd.DataFrame:
    """The newest events first, timed from `origin`."""
    rows = [
        {"t (s)": round(e.at - origin, 1), "level": e.level, "kind": e.kind, "message": e.message}
        for e in reversed(events[-EVENTS_SHOWN:])
    ]
    return pd.DataFrame(rows, columns=["t (s)", "level", "kind", "message"])


def _events(events: list[Event]) -> None:
    st.subheader("Event log")
    if not events:
        st.caption("No events yet.")
        return
    origin = events[0].at
    st.dataframe(event_frame(events, origin), hide_index=True, height=240, width="stretch")
