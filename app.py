"""The dashboard: describe a project, watch the parallel coders work, download the result.

Run with `streamlit run app.py`. The page only reads the run store and calls graph.runner;
each part of it lives in ui/dashboard/.
"""

from __future__ import annotations

import streamlit as st

from ui.dashboard import history, request, run_view, sidebar, state

st.set_page_config(
    page_title="parallel-codegen", page_icon=":material/account_tree:", layout="wide"
)
state.init()
settings = sidebar.render()

st.title("parallel-codegen")
st.caption(
    "Describe a project: a planner splits it into files with agreed interfaces, independent "
    "files are coded at the same time, then integrated, reviewed and tested."
)
new_run, past_runs = st.tabs(["New run", "History"])
with new_run:
    request.render(settings)
with past_runs:
    history.render(settings)

run_id = state.current_run_id()
if run_id is not None:
    run_view.render(settings, run_id)
