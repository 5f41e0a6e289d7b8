"""The dashboard as a person uses it, driven through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from graph.store import RunStore
from models.schemas import Plan, PlannedFile
from tests.ui.cassettes import finish
from tests.ui.conftest import REQUEST

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run()


def texts(at: AppTest) -> str:
    """All text a person can read on the page (markdown, captions, alerts, metrics, progress)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.info, *at.error, *at.warning, *at.success]]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [p.proto.text for p in at.get("progress")]
    return "\n".join(str(p) for p in parts)


def test_page_has_request_box_examples_settings_and_buttons(home: Path) -> None:
    at = open_app()

    assert not at.exception
    assert at.text_area(key="request_text").label == "Describe the project"
    assert at.button(key="example-0").label == REQUEST
    assert at.button(key="run").label == "Run"
    assert at.button(key="cancel").disabled  # nothing is running yet
    assert at.toggle(key="approve_plan").value is False
    sidebar = [w.label for w in at.sidebar.selectbox] + [w.label for w in at.sidebar.number_input]
    assert {"Provider", "Sandbox backend", "Workers", "Max iterations", "Budget (USD)"} <= set(
        sidebar
    )
    assert at.sidebar.slider(key="replay_speed").value == 0.0
    assert {t.label for t in at.sidebar.text_input} >= {"Planner", "Coder", "Reviewer"}


def test_sidebar_says_which_provider_is_active_and_why(home: Path) -> None:
    at = open_app()

    statement = at.sidebar.info[0].value
    assert "replay" in statement and "no ANTHROPIC_API_KEY" in statement

    at.sidebar.selectbox(key="provider").select("openai").run()
    assert "openai: chosen in this sidebar" in at.sidebar.info[0].value
    assert not at.sidebar.slider  # replay speed only matters when replaying


def test_clicking_an_example_fills_the_request_box(home: Path) -> None:
    at = open_app()

    at.button(key="example-0").click().run()

    assert at.text_area(key="request_text").value == REQUEST


def test_recorded_session_runs_to_files_tests_review_and_download(home: Path) -> None:
    at = open_app()
    at.button(key="example-0").click().run()
    at.button(key="run").click().run()
    run_id = at.session_state["run_id"]
    assert run_id

    assert finish(at, home, run_id) == "done"
    at.run()

    assert not at.exception
    page = texts(at)
    assert "Score 9/10" in page and "approved" in page
    assert "Tests passed 4/4" in page
    assert at.selectbox(key=f"file-{run_id}").options == [
        "README.md",
        "base.py",
        "left.py",
        "right.py",
        "tests/test_base.py",
        "tests/test_left.py",
        "tests/test_right.py",
        "tests/test_top.py",
        "top.py",
    ]
    tests = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert set(tests["outcome"]) == {"passed"} and len(tests) == 4
    assert at.download_button[0].label == "Download project (.zip)"
    dot = at.get("graphviz_chart")[0].proto.spec
    assert dot.count('fillcolor="#4caf50"') == 4  # every DAG node is drawn as done


def test_history_reopens_a_run_made_elsewhere(home: Path) -> None:
    store = RunStore(home / "runs.sqlite")
    store.create_run("cli-run", "A tiny calculator", provider="replay", settings={})
    plan = Plan(
        objective="Add numbers.", files=[PlannedFile(path="calc.py", purpose="p", interface="i")]
    )
    store.update_run("cli-run", status="failed", error="the coder broke", plan=plan)
    store.put_artifacts("cli-run", {"calc.py": "X = 1\n"}, kind="source", node_id="n", iteration=0)
    store.close()
    at = open_app()

    assert at.selectbox(key="history_pick").options[0].startswith("cli-run")
    at.button(key="history_open").click().run()

    assert at.session_state["run_id"] == "cli-run"
    assert "the coder broke" in texts(at)
    assert "press Resume" in texts(at)
    assert at.button(key="resume-cli-run").label == "Resume"
    at.selectbox(key="file-cli-run").select("calc.py").run()
    assert any(c.value.strip() == "X = 1" and c.language == "python" for c in at.code)


def test_unrecorded_prompt_explains_what_to_do(home: Path) -> None:
    at = open_app()
    at.text_area(key="request_text").input("a spreadsheet engine in rust").run()
    at.button(key="run").click().run()

    assert not at.exception
    message = at.error[0].value
    assert "no recorded session matches" in message
    assert REQUEST in message and "ANTHROPIC_API_KEY" in message
    assert at.session_state["run_id"] is None


def test_two_tabs_each_follow_only_their_own_run(home: Path) -> None:
    first, second = open_app(), open_app()
    first.button(key="example-0").click().run()
    first.button(key="run").click().run()
    run_id = first.session_state["run_id"]
    second.run()

    assert second.session_state.get("run_id") is None
    assert not any(run_id in m.value for m in second.markdown)  # no run view in the other tab
    assert second.selectbox(key="history_pick").options[0].startswith(run_id)  # only history

    second.button(key="example-0").click().run()
    second.button(key="run").click().run()
    other = second.session_state["run_id"]
    assert other != run_id
    assert finish(first, home, run_id) == "done"
    assert finish(second, home, other) == "done"
    first.run()
    second.run()
    assert first.session_state["run_id"] == run_id
    assert f"### Run `{run_id}`" in texts(first) and f"### Run `{other}`" not in texts(first)
    assert f"### Run `{other}`" in texts(second) and f"### Run `{run_id}`" not in texts(second)
