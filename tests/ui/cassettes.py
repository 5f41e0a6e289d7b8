"""Recorded sessions for the dashboard tests, made with the synthetic project model."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

from agents.llm.base import LLMCall
from agents.llm.fake import ScriptedLLM
from agents.llm.recorder import RecordingLLM
from graph.runner import execute_run
from graph.store import RunStore
from models.report import TestCase, TestReport
from models.settings import Settings
from tests.support.synthetic import Shape, SyntheticProject

FINISHED = frozenset({"done", "failed", "rejected", "budget_exceeded", "cancelled"})


async def _passing_tests(project: Path, **_: object) -> TestReport:
    # Only the model's replies are recorded; the replayed run runs the real tests.
    return TestReport(backend="none", passed=1, cases=[TestCase(name="recorded", outcome="passed")])


def record_cassette(
    path: Path,
    request: str,
    shape: Shape,
    *,
    coder_latency: float = 0.0,
    bugs: Mapping[str, int] | None = None,
) -> Path:
    """Record a full run of the synthetic project for `shape` into the cassette `path`.

    With `bugs` the tests really run, so the recording holds the revision rounds they cause.
    """

    def delay(call: LLMCall) -> float:
        return coder_latency if call.role in ("coder", "tester") else 0.0

    model = ScriptedLLM(SyntheticProject(shape, bugs=bugs), delay=delay)
    llm = RecordingLLM(model, path, request)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, home=path.parent / "recording", sandbox="local"
    )
    tests = None if bugs else _passing_tests
    result = asyncio.run(execute_run(settings, request=request, llm=llm, run_tests=tests))
    assert result.status == "done", result.error
    return path


def wait_for_status(
    db_path: Path, run_id: str, wanted: frozenset[str] = FINISHED, timeout: float = 120.0
) -> str:
    """Poll the run store (as the dashboard does) until the run reaches one of `wanted`."""
    store = RunStore(db_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            record = store.get_run(run_id)
            status = record.status if record is not None else "missing"
            if status in wanted or time.monotonic() > deadline:
                return status
            time.sleep(0.1)
    finally:
        store.close()


def finish(at: AppTest, home: Path, run_id: str) -> str:
    """Wait for the tab's background thread of the run to end, then read the run's status."""
    handle = at.session_state["run_handles"][run_id]
    handle.wait(timeout=120)
    assert handle.done(), f"run {run_id} did not end"
    return wait_for_status(home / "runs.sqlite", run_id, FINISHED | {"awaiting_approval"}, 5)
