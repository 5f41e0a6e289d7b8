"""Runs that do not go straight through: plan approval, budget, cancel, revision rounds."""

from __future__ import annotations

from pathlib import Path

from graph.store import RunStore
from tests.ui.cassettes import finish
from tests.ui.conftest import BUGGY_REQUEST
from tests.ui.test_dashboard import open_app, texts


def test_run_pauses_for_plan_approval_and_codes_the_approved_plan(home: Path) -> None:
    at = open_app()
    at.button(key="example-0").click().run()
    at.toggle(key="approve_plan").set_value(True).run()
    at.button(key="run").click().run()
    run_id = at.session_state["run_id"]

    assert finish(at, home, run_id) == "awaiting_approval"
    at.run()

    assert "awaiting plan approval" in texts(at)
    plan = at.data_editor[0].value
    assert list(plan["path"]) == ["base.py", "left.py", "right.py", "top.py"]
    assert list(plan["imports"]) == ["", "base.py", "base.py", "left.py, right.py"]
    assert not at.download_button  # nothing is coded before approval

    at.text_area(key=f"objective-{run_id}").input("Values that add up, as approved.").run()
    at.button(key=f"approve-{run_id}").click().run()

    assert finish(at, home, run_id) == "done"
    at.run()

    assert not at.exception
    assert "Tests passed 4/4" in texts(at)
    assert at.download_button[0].label == "Download project (.zip)"
    store = RunStore(home / "runs.sqlite")
    try:
        record = store.get_run(run_id)
        assert record is not None
        assert record.plan["objective"] == "Values that add up, as approved."
        approvals = [e.message for e in store.events(run_id) if e.kind == "approval"]
        assert approvals[0] == "waiting for the plan to be approved"
        assert approvals[-1] == "plan approved: 4 files"
    finally:
        store.close()


def test_run_over_budget_explains_and_resumes_after_raising_it(home: Path) -> None:
    at = open_app()
    at.sidebar.number_input(key="budget_usd").set_value(0.01).run()
    at.button(key="example-0").click().run()
    at.button(key="run").click().run()
    run_id = at.session_state["run_id"]

    assert finish(at, home, run_id) == "budget_exceeded"
    at.run()

    page = texts(at)
    assert "budget of $0.01 reached" in page
    assert "Raise the budget in the sidebar and press Resume" in page

    at.sidebar.number_input(key="budget_usd").set_value(2.0).run()
    at.button(key=f"resume-{run_id}").click().run()
    assert finish(at, home, run_id) == "done"
    at.run()

    assert "Tests passed 4/4" in texts(at)
    assert at.download_button[0].label == "Download project (.zip)"


def test_cancelled_run_says_so_and_resumes_to_the_end(home: Path) -> None:
    at = open_app()
    at.sidebar.slider(key="replay_speed").set_value(2.0).run()  # coders take seconds each
    at.button(key="example-0").click().run()
    at.button(key="run").click().run()
    run_id = at.session_state["run_id"]
    assert not at.button(key="cancel").disabled

    at.button(key="cancel").click().run()
    assert finish(at, home, run_id) == "cancelled"
    at.run()

    assert "cancelled; resume it to continue" in texts(at)
    assert "Press Resume to continue from where the run stopped." in texts(at)
    at.sidebar.slider(key="replay_speed").set_value(0.0).run()
    at.button(key=f"resume-{run_id}").click().run()
    assert finish(at, home, run_id) == "done"
    at.run()

    assert "Tests passed 4/4" in texts(at)


def test_revision_history_says_what_was_recoded_and_why(home: Path) -> None:
    at = open_app()
    at.text_area(key="request_text").input(BUGGY_REQUEST).run()
    at.button(key="run").click().run()
    run_id = at.session_state["run_id"]

    assert finish(at, home, run_id) == "done"
    at.run()

    revision = next(e for e in at.expander if e.label.startswith("Round 2: revision 1"))
    notes = [m.value for m in revision.markdown]
    assert "**Reset nodes:** left" in notes
    assert "**Failing files:** left.py" in " ".join(notes)
    assert any("test_value_left" in n for n in notes)  # why: the failing test, quoted
    rounds = next(d.value for d in at.dataframe if "one by one (s)" in d.value.columns)
    assert list(rounds["round"]) == [1, 2]
    assert list(rounds["nodes"]) == [4, 1]  # only the failing node was coded again
