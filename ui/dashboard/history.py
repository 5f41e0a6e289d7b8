"""Every run in the store, from this dashboard or the CLI: reopen one, or resume it."""

from __future__ import annotations

import time
from datetime import datetime

import pandas as pd
import streamlit as st

from graph.runner import start_in_background
from graph.store import RunRecord
from models.settings import Settings
from ui.dashboard import state
from ui.dashboard.snapshot import load_snapshot
from ui.dashboard.status import can_resume

LIMIT = 200


def history_table(runs: list[RunRecord]) -> pd.DataFrame:
    rows = []
    for r in runs:
        summary = r.summary or {}
        rows.append(
            {
                "run": r.run_id,
                "started": datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                "status": r.status,
                "request": r.request if len(r.request) <= 80 else r.request[:77] + "...",
                "provider": r.provider,
                "files": summary.get("files"),
                "cost ($)": round(float(summary.get("cost_usd", 0.0)), 4) if summary else None,
            }
        )
    return pd.DataFrame(
        rows, columns=["run", "started", "status", "request", "provider", "files", "cost ($)"]
    )


def resume(settings: Settings, run_id: str) -> None:
    """Continue a stopped run on a background thread; finished nodes are not redone."""
    state.remember(start_in_background(settings, run_id=run_id, resume=True))


def render(settings: Settings) -> None:
    runs = state.store(settings).list_runs(limit=LIMIT)
    if not runs:
        st.caption("No runs yet. Runs started here or with `parallel-codegen run` appear here.")
        return
    st.dataframe(history_table(runs), hide_index=True, width="stretch", height=240)
    by_id = {r.run_id: r for r in runs}
    current = state.current_run_id()
    ids = list(by_id)
    picked = st.selectbox(
        "Run",
        ids,
        index=ids.index(current) if current in by_id else 0,
        key="history_pick",
        format_func=lambda rid: f"{rid} · {by_id[rid].status} · {by_id[rid].request[:60]}",
    )
    if picked is None:
        return
    record = by_id[picked]
    open_col, resume_col, _ = st.columns([1, 1, 4])
    if open_col.button("Open", key="history_open", width="stretch"):
        state.select_run(picked)
    snap = load_snapshot(state.store(settings), picked)
    last_activity = snap.last_activity if snap is not None else record.updated_at
    resumable = can_resume(record.status, last_activity, time.time())
    if resume_col.button(
        "Resume",
        key="history_resume",
        disabled=not resumable or state.running_here(picked),
        width="stretch",
        help="Continue a failed, cancelled or over-budget run, or one that stopped writing "
        "for 10 minutes (killed).",
    ):
        resume(settings, picked)
        st.rerun()
