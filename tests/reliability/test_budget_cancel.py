"""A run stops at its cost budget or on cancel, keeps its work, and resumes to the end."""

from __future__ import annotations

import time
from pathlib import Path

from agents.llm.base import LLMCall
from agents.llm.fake import ScriptedLLM
from graph.runner import execute_run, request_cancel, start_in_background
from graph.store import RunStore
from models.settings import Settings
from tests.reliability.figures import record
from tests.support.synthetic import SyntheticProject, layered

REQUEST = "Modules that add up along their imports."
SHAPE = layered(12, width=4, seed=3)
# Modules long enough that a coder reply costs what a real module would (~2,000 tokens).
PADDING = 8000
CALL_DELAY_S = 2.0


def settings_for(home: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"_env_file": None, "home": home, "sandbox": "local"}
    return Settings(**(values | {"max_workers": 2} | overrides))  # type: ignore[arg-type]


def coded_nodes(llm: ScriptedLLM) -> list[str]:
    return [str(c.call.node) for c in llm.calls_for(role="coder")]


async def test_budget_stops_before_the_call_that_would_exceed_it_then_resumes(
    tmp_path: Path,
) -> None:
    project = SyntheticProject(SHAPE, padding=PADDING)
    clean = await execute_run(
        settings_for(tmp_path / "clean"), request=REQUEST, llm=ScriptedLLM(project)
    )
    assert clean.status == "done", clean.error
    clean_store = RunStore(tmp_path / "clean" / "runs.sqlite")
    clean_usage = clean_store.usage(clean.run_id)
    first_calls = sum(u.cost_usd for u in clean_usage if u.role in ("orchestrator", "planner"))
    budget = round(clean.summary.cost_usd / 2, 4)
    assert first_calls < budget < clean.summary.cost_usd

    home = tmp_path / "home"
    llm = ScriptedLLM(project)
    stopped = await execute_run(settings_for(home, budget_usd=budget), request=REQUEST, llm=llm)
    store = RunStore(home / "runs.sqlite")
    spent = store.usage_totals(stopped.run_id).cost_usd
    assert stopped.status == "budget_exceeded"
    assert stopped.error is not None and f"budget of ${budget:.2f} reached" in stopped.error
    assert store.get_run(stopped.run_id).status == "budget_exceeded"  # type: ignore[union-attr]
    assert 0 < spent <= budget
    # Whatever was finished is kept: in the store, on disk and in the zip.
    kept = store.artifacts(stopped.run_id, kind="source")
    done_before = {p.removesuffix(".py") for p in kept}
    assert 0 < len(done_before) < len(SHAPE)
    assert set(coded_nodes(llm)) == done_before  # refused calls never reached the model
    assert stopped.output_dir is not None and stopped.zip_path is not None
    for path, content in kept.items():
        assert (stopped.output_dir / path).read_text() == content

    resumed_llm = ScriptedLLM(project)
    resumed = await execute_run(
        settings_for(home, budget_usd=clean.summary.cost_usd * 3),
        run_id=stopped.run_id,
        resume=True,
        llm=resumed_llm,
        store=store,
    )
    assert resumed.status == "done", resumed.error
    assert set(coded_nodes(resumed_llm)) == set(SHAPE) - done_before
    assert not resumed_llm.calls_for(role="planner")
    assert store.artifacts(stopped.run_id) == clean_store.artifacts(clean.run_id)
    record(
        "budget",
        {
            "clean_run_cost_usd": round(clean.summary.cost_usd, 4),
            "budget_usd": budget,
            "spent_when_stopped_usd": round(spent, 4),
            "nodes_kept_when_stopped": len(done_before),
            "nodes": len(SHAPE),
            "resumed_with_higher_budget": "done",
            "total_cost_usd": round(store.usage_totals(stopped.run_id).cost_usd, 4),
        },
    )


def slow_calls(call: LLMCall) -> float:
    return CALL_DELAY_S if call.role in ("coder", "tester") else 0.0


def wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


async def test_cancel_stops_new_calls_cancels_running_ones_and_resumes(tmp_path: Path) -> None:
    project = SyntheticProject(SHAPE)
    settings = settings_for(tmp_path, max_workers=4)
    llm = ScriptedLLM(project, delay=slow_calls)
    handle = start_in_background(settings, request=REQUEST, llm_factory=lambda: llm)
    store = RunStore(settings.db_path)

    def done_nodes() -> set[str]:
        return {n for n, t in store.node_states(handle.run_id).items() if t.status == "DONE"}

    wait_for(lambda: len(done_nodes()) >= 2)
    wait_for(lambda: any(c.finished == 0.0 for c in llm.calls))  # a call is in flight
    cancelled_at = time.monotonic()
    request_cancel(settings, handle.run_id)
    result = handle.wait(timeout=60)

    assert result is not None and result.status == "cancelled"
    assert result.error == "cancelled; resume it to continue"
    assert store.get_run(handle.run_id).status == "cancelled"  # type: ignore[union-attr]
    # No call starts more than a second after the request; calls running then are cut short.
    late_starts = [c.started - cancelled_at for c in llm.calls if c.started > cancelled_at]
    assert all(lag <= 1.0 for lag in late_starts)
    running = [c for c in llm.calls if c.started < cancelled_at and c.reply == ""]
    assert running
    assert all(c.finished < c.started + CALL_DELAY_S for c in running)
    done_before = done_nodes()
    assert 0 < len(done_before) < len(SHAPE)

    resumed_llm = ScriptedLLM(project)
    resumed = await execute_run(
        settings, run_id=handle.run_id, resume=True, llm=resumed_llm, store=store
    )
    assert resumed.status == "done", resumed.error
    assert set(coded_nodes(resumed_llm)) == set(SHAPE) - done_before
    assert resumed.summary.tests_passed == len(SHAPE)
    record(
        "cancel",
        {
            "calls_running_at_cancel": len(running),
            "calls_cut_short": len(running),
            "calls_started_after_cancel": len(late_starts),
            "max_call_start_after_cancel_s": round(max(late_starts, default=0.0), 3),
            "scripted_call_s": CALL_DELAY_S,
            "nodes_kept": len(done_before),
            "resumed": "done",
        },
    )
