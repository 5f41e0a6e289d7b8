"""Plan approval: the person edits the files and their contracts, then coding starts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from graph.runner import start_in_background
from graph.store import RunRecord
from models.schemas import Plan, PlannedFile
from models.settings import Settings
from ui.dashboard import state
from ui.dashboard.results import plan_table


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def plan_from_table(
    objective: str, table: pd.DataFrame, requirements: str, test_strategy: str
) -> Plan:
    """The edited plan; rows without a path (blank rows the editor adds) are dropped."""
    files = [
        PlannedFile(
            path=_text(row["path"]).strip(),
            purpose=_text(row["purpose"]),
            interface=_text(row["interface"]),
            imports=[p.strip() for p in _text(row["imports"]).split(",") if p.strip()],
        )
        for row in table.to_dict("records")
        if _text(row.get("path")).strip()
    ]
    return Plan(
        objective=objective,
        files=files,
        requirements=[r.strip() for r in requirements.split(",") if r.strip()],
        test_strategy=test_strategy,
    )


def render(settings: Settings, record: RunRecord) -> None:
    st.subheader("Review the plan")
    try:
        plan = Plan.model_validate(record.plan)
    except ValidationError as exc:
        st.error(f"The stored plan cannot be read: {exc}")
        return
    st.caption(
        "Edit the files, their purpose, the interface others may rely on, and the planned "
        "files each one imports (comma separated). Coding starts from this plan."
    )
    rid = record.run_id
    objective = st.text_area("Objective", plan.objective, key=f"objective-{rid}")
    table = st.data_editor(
        plan_table(plan),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"plan-{rid}",
        column_config={
            "path": st.column_config.TextColumn("path", required=True),
            "interface": st.column_config.TextColumn("interface", width="large"),
        },
    )
    requirements = st.text_input(
        "Requirements (comma separated)", ", ".join(plan.requirements), key=f"reqs-{rid}"
    )
    if st.button("Approve plan and start coding", type="primary", key=f"approve-{rid}"):
        try:
            approved = plan_from_table(objective, table, requirements, plan.test_strategy)
        except ValidationError as exc:
            st.error("The plan is not valid yet:\n\n" + _problems(exc))
            return
        state.remember(start_in_background(settings, run_id=rid, plan_answer=approved))
        st.rerun()


def _problems(exc: ValidationError) -> str:
    return "\n".join(
        f"- {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:8]
    )
