"""Per-browser-tab state. The current run lives in st.session_state only, so two tabs running
two generations never see each other's live state; the one shared object is the store handle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from graph.runner import RunHandle
from graph.store import RunStore
from models.settings import Settings

RUN_ID = "run_id"
HANDLES = "run_handles"
REQUEST = "request_text"
APPROVE_PLAN = "approve_plan"


def init() -> None:
    st.session_state.setdefault(RUN_ID, None)
    st.session_state.setdefault(HANDLES, {})


@st.cache_resource(show_spinner=False)
def _store(db_path: str) -> RunStore:
    # One thread-safe reader per database file; it holds no run of its own.
    return RunStore(Path(db_path))


def store(settings: Settings) -> RunStore:
    return _store(str(settings.db_path.resolve()))


def current_run_id() -> str | None:
    value: Any = st.session_state.get(RUN_ID)
    return value if isinstance(value, str) else None


def select_run(run_id: str | None) -> None:
    st.session_state[RUN_ID] = run_id


def remember(handle: RunHandle) -> None:
    """Keep the background run of this tab (to notice a crash) and make it the current run."""
    st.session_state.setdefault(HANDLES, {})[handle.run_id] = handle
    select_run(handle.run_id)


def handle_for(run_id: str) -> RunHandle | None:
    handles: dict[str, RunHandle] = st.session_state.get(HANDLES, {})
    return handles.get(run_id)


def running_here(run_id: str) -> bool:
    """True while this tab's background thread for `run_id` is still executing."""
    handle = handle_for(run_id)
    return handle is not None and not handle.done()
