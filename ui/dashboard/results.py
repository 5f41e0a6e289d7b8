"""What a run produced: files, plan, review, tests, iterations, speedup, and the zip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from graph.project import complete_project, zip_bytes
from graph.store import Event, RunRecord
from models.report import TestReport
from models.schemas import Plan, Review
from ui.dashboard import files as file_view
from ui.dashboard.snapshot import Snapshot


def _model(model: type[Any], data: Any) -> Any:
    """The stored JSON as its model, or None when absent or from an incompatible version."""
    if not data:
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def project_files(record: RunRecord, files: Mapping[str, str]) -> dict[str, str]:
    """The files of the download: generated ones plus a README and requirements, if absent."""
    plan: Plan | None = _model(Plan, record.plan)
    return complete_project(record.project_name or "project", record.request, plan, files)


def render(snap: Snapshot, files: Mapping[str, str]) -> None:
    record = snap.record
    st.header("Result")
    _headline(snap)
    project = project_files(record, files)
    st.download_button(
        "Download project (.zip)",
        data=zip_bytes(project),
        file_name=f"{record.project_name or record.run_id}.zip",
        mime="application/zip",
        key=f"zip-{record.run_id}",
        type="primary",
        icon=":material/download:",
        on_click="ignore",
    )
    tabs = st.tabs(["Files", "Plan", "Review", "Tests", "Iterations"])
    with tabs[0]:
        file_view.render(project, key=record.run_id)
    with tabs[1]:
        _plan(_model(Plan, record.plan))
    with tabs[2]:
        _review(_model(Review, record.review))
    with tabs[3]:
        _tests(_model(TestReport, record.test_report))
    with tabs[4]:
        _iterations(snap.revisions(), snap.coding_rounds())


def _headline(snap: Snapshot) -> None:
    summary: dict[str, Any] = snap.record.summary or {}
    report: TestReport | None = _model(TestReport, snap.record.test_report)
    review: Review | None = _model(Review, snap.record.review)
    cols = st.columns(4)
    cols[0].metric("Files", summary.get("files", 0))
    if report is not None:
        cols[1].metric("Tests passed", f"{report.passed}/{report.total}")
    if review is not None:
        cols[2].metric("Review score", f"{review.score}/10")
    speedup = float(summary.get("speedup") or 0.0)
    if speedup:
        cols[3].metric(
            "Speedup over sequential coding",
            f"x{speedup:.2f}",
            f"{summary.get('coding_work_s', 0.0):.1f}s of work in "
            f"{summary.get('coding_wall_s', 0.0):.1f}s",
            delta_color="off",
            delta_arrow="off",
        )


def plan_table(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "path": f.path,
                "purpose": f.purpose,
                "interface": f.interface,
                "imports": ", ".join(f.imports),
            }
            for f in plan.files
        ],
        columns=["path", "purpose", "interface", "imports"],
    )


def _plan(plan: Plan | None) -> None:
    if plan is None:
        st.caption("No plan was made.")
        return
    st.markdown(f"**Objective:** {plan.objective}")
    st.dataframe(plan_table(plan), hide_index=True, width="stretch")
    st.markdown("**Requirements:** " + (", ".join(plan.requirements) or "none"))
    if plan.test_strategy:
        st.markdown(f"**Test strategy:** {plan.test_strategy}")


def _review(review: Review | None) -> None:
    if review is None:
        st.caption("No review was made.")
        return
    verdict = "approved" if review.approved else "not approved"
    st.markdown(f"**Score {review.score}/10**, {verdict}. {review.summary}")
    if not review.issues:
        st.success("The reviewer raised no issues.")
        return
    by_file: dict[str, list[str]] = {}
    for issue in review.issues:
        by_file.setdefault(issue.path, []).append(f"**{issue.severity}**: {issue.message}")
    for path, messages in sorted(by_file.items()):
        with st.expander(f"{path} ({len(messages)} issue(s))"):
            for message in messages:
                st.markdown("- " + message)


def cases_table(report: TestReport) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "test": c.name,
                "file": c.file or c.classname,
                "outcome": c.outcome,
                "seconds": round(c.duration_s, 3),
                "message": c.message[:300],
            }
            for c in report.cases
        ],
        columns=["test", "file", "outcome", "seconds", "message"],
    )


def _tests(report: TestReport | None) -> None:
    if report is None:
        st.caption("The tests did not run.")
        return
    st.markdown(
        f"**{report.passed} passed**, {report.failed} failed, {report.errors} errors, "
        f"{report.skipped} skipped in {report.duration_s:.1f}s · sandbox: {report.backend}"
    )
    if report.setup_error:
        st.error(f"The tests could not run: {report.setup_error}")
    if report.timed_out:
        st.warning("The test run hit its time limit and was stopped.")
    if report.missing_isolation:
        st.warning("Sandbox isolation missing: " + "; ".join(report.missing_isolation))
    if report.backend_note:
        st.caption(report.backend_note)
    st.dataframe(cases_table(report), hide_index=True, width="stretch")


def _iterations(revisions: list[Event], rounds: list[Event]) -> None:
    if rounds:
        st.markdown("**Coding rounds** (wall time against the same nodes coded one by one)")
        st.dataframe(pd.DataFrame([_round_row(e.data or {}) for e in rounds]), hide_index=True)
    if not revisions:
        st.caption("No revision was needed: the first round passed.")
        return
    st.markdown("**Revisions**: only the nodes owning failing files were recoded")
    for event in revisions:
        data = event.data or {}
        with st.expander(f"Round {int(data.get('iteration', 0)) + 1}: {event.message}"):
            st.markdown("**Reset nodes:** " + ", ".join(data.get("reset_nodes", [])))
            st.markdown("**Failing files:** " + (", ".join(data.get("failing_files", [])) or "-"))
            for reason in data.get("reasons", []):
                st.markdown(f"- {reason}")


def _round_row(data: dict[str, Any]) -> dict[str, Any]:
    wall, work = float(data.get("wall_s", 0.0)), float(data.get("work_s", 0.0))
    return {
        "round": int(data.get("iteration", 0)) + 1,
        "nodes": len(data.get("nodes", [])),
        "wall (s)": round(wall, 2),
        "one by one (s)": round(work, 2),
        "speedup": round(work / wall, 2) if wall > 0 else 1.0,
        "max parallel": data.get("max_parallel", 1),
    }
