"""The current run: its status, what went wrong and what to do, then approval, live view, results."""

from __future__ import annotations

import time

import streamlit as st

from graph.runner import AWAITING_APPROVAL
from models.settings import Settings
from ui.dashboard import approval, history, live, results, state
from ui.dashboard.snapshot import load_snapshot
from ui.dashboard.status import can_resume, is_active, next_step


def render(settings: Settings, run_id: str) -> None:
    store = state.store(settings)
    snap = load_snapshot(store, run_id)
    if snap is None:
        st.warning(f"Run {run_id} is not in the run store at {settings.db_path}.")
        return
    record = snap.record
    active = is_active(record.status) or state.running_here(run_id)
    st.divider()
    st.markdown(f"### Run `{run_id}`")  # its live status is drawn by the live panel
    st.caption(f"{record.request[:500]} · provider: {record.provider}")
    handle = state.handle_for(run_id)
    if handle is not None and handle.done() and handle.exception is not None:
        st.error(
            f"The run stopped unexpectedly: {type(handle.exception).__name__}: "
            f"{handle.exception}. Its finished work is kept; press Resume to continue."
        )
    if record.error and not active:
        st.error(record.error, icon=":material/error:")
        hint = next_step(record.status)
        if hint:
            st.info(hint, icon=":material/arrow_forward:")
    resumable = not active and can_resume(record.status, snap.last_activity, time.time())
    if resumable and st.button("Resume", key=f"resume-{run_id}", type="primary"):
        history.resume(settings, run_id)
        st.rerun()
    if record.status == AWAITING_APPROVAL and not active:
        approval.render(settings, record)
    live.render(settings, run_id, active)
    files = store.artifacts(run_id)
    if files and not active and record.status != AWAITING_APPROVAL:
        results.render(snap, files)
