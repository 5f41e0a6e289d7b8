"""A run killed with SIGKILL mid-coding resumes without asking for finished nodes again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agents.llm.fake import ScriptedLLM
from agents.llm.recorder import RecordingLLM
from graph.runner import execute_run
from graph.store import RunStore
from models.settings import Settings
from tests.support.synthetic import SyntheticProject, fan_out

REPO = Path(__file__).resolve().parents[2]
REQUEST = "Modules that add up."


def record_cassette(path: Path, project: SyntheticProject, delay) -> None:
    """A cassette whose recorded latencies are the scripted delays."""
    llm = RecordingLLM(ScriptedLLM(project, delay=delay), path, REQUEST)
    settings = Settings(_env_file=None, home=path.parent / "rec", sandbox="local")  # type: ignore[call-arg]
    result = asyncio.run(execute_run(settings, request=REQUEST, llm=llm))
    assert result.status == "done", result.error


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_killed_run_resumes_without_redoing_finished_nodes(tmp_path: Path) -> None:
    project = SyntheticProject(fan_out(4))
    cassette = tmp_path / "session.jsonl"
    record_cassette(
        cassette, project, delay=lambda call: 0.6 if call.role in ("coder", "tester") else 0.0
    )
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.endswith("API_KEY")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "cli.py",
            "run",
            REQUEST,
            "--replay",
            str(cassette),
            "--replay-speed",
            "1",
            "--workers",
            "1",
            "--home",
            str(home),
            "--quiet",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: (home / "runs.sqlite").exists())
        store = RunStore(home / "runs.sqlite")
        wait_for(lambda: len(store.list_runs()) == 1)
        run_id = store.list_runs()[0].run_id

        def done_nodes() -> set[str]:
            return {n for n, s in store.node_states(run_id).items() if s.status == "DONE"}

        wait_for(lambda: len(done_nodes()) >= 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    finished_before = done_nodes()
    tests_before = {
        p.removeprefix("tests/test_").removesuffix(".py") for p in store.artifacts(run_id, "test")
    }
    assert store.get_run(run_id).status == "running"  # killed: nobody wrote a verdict

    llm = ScriptedLLM(project)
    settings = Settings(_env_file=None, home=home, sandbox="local")  # type: ignore[call-arg]
    result = asyncio.run(execute_run(settings, run_id=run_id, resume=True, llm=llm, store=store))

    assert result.status == "done", result.error
    asked = {r.call.node for r in llm.calls_for(role="coder")}
    assert asked.isdisjoint(finished_before)
    assert asked == set(project.shape) - finished_before
    assert not llm.calls_for(role="planner") and not llm.calls_for(role="orchestrator")
    # Test files written before the kill are kept too.
    assert {r.call.node for r in llm.calls_for(role="tester")}.isdisjoint(tests_before)
    assert result.summary.tests_passed == len(project.shape)
    # The store has exactly one row per node state change: no duplicates from the resume.
    transitions = store.node_transitions(run_id)
    keys = [(t.node_id, t.status, t.at) for t in transitions]
    assert len(keys) == len(set(keys))
