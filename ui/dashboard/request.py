"""The request box: example prompts one click away, the plan-review toggle, Run and Cancel."""

from __future__ import annotations

import streamlit as st

from agents.llm.base import NoRecordingError
from agents.llm.cassette import available_requests, find_cassette
from agents.llm.factory import no_cassette_message
from graph.runner import start_in_background
from models.settings import Settings, examples_dir
from ui.dashboard import state
from ui.dashboard.status import is_active


def _fill(text: str) -> None:
    st.session_state[state.REQUEST] = text


def missing_recording(settings: Settings, request: str) -> NoRecordingError | None:
    """The error a replay run would stop with at once, caught before a run is created."""
    if settings.resolved_provider() != "replay" or settings.replay_file is not None:
        return None
    if find_cassette(request, examples_dir()) is not None:
        return None
    return NoRecordingError(no_cassette_message(request))


def _examples() -> None:
    examples = list(available_requests(examples_dir()).values())
    if not examples:
        return
    st.caption("Recorded examples (they run offline):")
    columns = st.columns(min(len(examples), 3))
    for i, text in enumerate(examples):
        label = text if len(text) <= 70 else text[:67] + "..."
        columns[i % len(columns)].button(
            label, key=f"example-{i}", help=text, on_click=_fill, args=(text,), width="stretch"
        )


def render(settings: Settings) -> None:
    st.text_area(
        "Describe the project",
        key=state.REQUEST,
        height=110,
        placeholder="e.g. A command-line todo list stored in a JSON file, with tests.",
    )
    _examples()
    st.toggle(
        "Review the plan before coding",
        key=state.APPROVE_PLAN,
        help="Pause after planning so you can edit the files and their interfaces.",
    )
    current = state.current_run_id()
    record = state.store(settings).get_run(current) if current else None
    live = record is not None and (is_active(record.status) or state.running_here(record.run_id))
    run_col, cancel_col, _ = st.columns([1, 1, 4])
    run = run_col.button("Run", type="primary", key="run", width="stretch")
    cancel = cancel_col.button("Cancel", key="cancel", disabled=not live, width="stretch")
    if cancel and current:
        state.store(settings).request_cancel(current)
        st.toast("Cancelling: the run stops after the calls in flight.")
    if run:
        _start(settings, str(st.session_state.get(state.REQUEST) or "").strip())


def _start(settings: Settings, request: str) -> None:
    if not request:
        st.warning("Describe the project first, or pick one of the examples.")
        return
    problem = missing_recording(settings, request)
    if problem is not None:
        # Paragraph breaks keep the message's list of examples apart from the advice after it.
        st.error(str(problem).replace("\n", "\n\n"), icon=":material/error:")
        return
    handle = start_in_background(
        settings, request=request, approve_plan=bool(st.session_state.get(state.APPROVE_PLAN))
    )
    state.remember(handle)
    st.rerun()  # redraw the whole page for the new run (Cancel enabled, live view)
