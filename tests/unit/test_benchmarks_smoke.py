"""Tiny runs of every benchmark, so they keep working; structure only, never timing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import prompts
from benchmarks import bench_cost, bench_pipeline, bench_scale, bench_scheduler
from benchmarks.__main__ import runner
from benchmarks.report import write_report
from tests.support.synthetic import call_from_request, chain, fan_out, layered


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    rows = asyncio.run(
        bench_scheduler.measure(
            [("chain-3", chain(3)), ("diamond-4", bench_scheduler.wide_diamond(2))],
            [2],
            median=0.001,
        )
    )
    scheduler = {
        "median_latency_s": 0.001,
        "sigma": bench_scheduler.SIGMA,
        "sequential_limit": bench_scheduler.SEQUENTIAL_LIMIT,
        "workers": [2],
        "rows": [r.as_dict() for r in rows],
        "summary": bench_scheduler.summarize(rows),
    }
    pipeline = bench_pipeline.run(
        nodes=3, scale=0.0, run_tests=bench_pipeline.passing_tests, repeats=1, quick=True
    )
    cost = bench_cost.run(quick=True, nodes=3, scale=0.0, run_tests=bench_pipeline.passing_tests)
    scale = bench_scale.run(sizes=(4, 8), subprocesses=False)
    return {"scheduler": scheduler, "pipeline": pipeline, "cost": cost, "scale": scale}


def test_simulations_order_the_strategies_and_respect_the_bound() -> None:
    shape = layered(30)
    lat = bench_scheduler.lognormal_latencies(shape, median=1.0)
    bound = bench_scheduler.lower_bound(shape, lat, 4)
    tight = bench_scheduler.tight_bound(shape, lat, 4)
    eager = bench_scheduler.simulate_eager(shape, lat, 4)
    batch = bench_scheduler.simulate_batch(shape, lat, 4)
    assert bound <= tight <= eager <= batch <= bench_scheduler.simulate_sequential(lat)


def test_batches_are_the_dependency_levels() -> None:
    assert bench_scheduler.levels(fan_out(2)) == [["core"], ["leaf0", "leaf1"]]


def test_scheduler_rows_hold_every_strategy(results: dict[str, Any]) -> None:
    rows = results["scheduler"]["rows"]
    assert [(r["dag"], r["workers"]) for r in rows] == [("chain-3", 2), ("diamond-4", 2)]
    for row in rows:
        assert set(row["measured"]) == {"sequential", "batch", "eager", "eager_estimates"}
        assert all(v > 0 for v in row["measured"].values())
    assert results["scheduler"]["summary"]["rows"] == 2


def test_pipeline_run_finishes_and_accounts_for_its_time(results: dict[str, Any]) -> None:
    run = results["pipeline"]["representative"]
    assert run["status"] == "done"
    assert run["nodes"] == 3
    # orchestrator + planner + warm-up + 3 coders + 3 test writers + reviewer
    assert run["llm_calls"] == 10
    assert run["waiting_s"] + run["overhead_s"] == pytest.approx(run["wall_s"])
    assert {"coders", "tester", "reviewer"} <= set(run["phases"])
    assert "tests_in_pool_w4_s" in run["overlaps"]


def test_the_fake_server_sees_the_pipeline_calls() -> None:
    body = {
        "system": [{"type": "text", "text": prompts.CODER_SYSTEM}, {"text": "ctx"}],
        "messages": [{"role": "user", "content": "Write these files: n3.py\nThis is revision 2."}],
    }
    call = call_from_request(body)
    assert call is not None
    assert (call.role, call.node, call.iteration, call.context) == ("coder", "n3", 2, "ctx")
    assert call_from_request({**body, "max_tokens": 1}) is None  # a cache warm-up


def test_cost_counts_tokens_per_role(results: dict[str, Any]) -> None:
    cost = results["cost"]
    assert cost["statuses"]["regeneration"] == "done"
    assert {"orchestrator", "planner", "coder", "tester", "reviewer"} <= set(
        cost["per_role_first_round"]
    )
    assert cost["per_role_first_round"]["coder"]["cache_read_tokens"] > 0
    assert 0 < cost["summary"]["coder_cache_share"] < 1
    assert cost["regeneration"]["cost_usd"] > 0


def test_scale_reports_growth_between_sizes(results: dict[str, Any]) -> None:
    scale = results["scale"]
    assert [c["nodes"] for c in scale["cases"]] == [4, 8]
    assert all(c["status"] == "done" for c in scale["cases"])
    assert "alone_s.scheduler" in scale["growth"]
    assert scale["cases"][1]["llm_calls"] > scale["cases"][0]["llm_calls"]


def test_report_has_every_section_and_chart(results: dict[str, Any], tmp_path: Path) -> None:
    report = write_report({**results, "sandbox": None}, tmp_path)
    text = report.read_text()
    for title in ("## 1. Scheduler", "## 2. Whole pipeline", "## 3. Cost", "## 4. Scale"):
        assert title in text
    assert "## 5. Sandbox overhead\n\nnot available" in text
    for png in ("scheduler_ratios", "pipeline_breakdown", "tokens_per_role", "scale_growth"):
        assert (tmp_path / f"{png}.png").stat().st_size > 0
    assert (tmp_path / "results.json").is_file()


def test_missing_benchmark_modules_are_reported_as_not_available(tmp_path: Path) -> None:
    assert runner("no_such_benchmark", True, tmp_path) is None
