"""Tokens and cost per role, counted by the fake API's prompt-cache accounting.

Three runs of a 10-node project through the real SDK: one with a buggy node (a full first
round, then a revision round), a clean full regeneration with a cold cache, and the same
without the cache warm-up before the fan-out, to show what the warm-up buys.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.bench_pipeline import LATENCY_SCALE, BenchProject, run_once, start_server
from graph.pipeline import TestRunner
from graph.store import RunStore
from models.usage import LLMUsage, UsageTotals
from tests.support.synthetic import layered

ROLES = ("orchestrator", "planner", "coder", "tester", "integrator", "reviewer")
TOKEN_KINDS = ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens")


def by_role(usages: Iterable[LLMUsage]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for u in usages:
        row = table.setdefault(
            u.role, {"calls": 0, **dict.fromkeys(TOKEN_KINDS, 0), "cost_usd": 0.0}
        )
        row["calls"] += u.attempts
        for kind in TOKEN_KINDS:
            row[kind] += getattr(u, kind)
        row["cost_usd"] += u.cost_usd
    order = {r: i for i, r in enumerate(ROLES)}
    return dict(sorted(table.items(), key=lambda kv: order.get(kv[0], len(ROLES))))


def cache_share(usages: Iterable[LLMUsage]) -> float:
    """Share of input tokens (plain, cache write, cache read) served from the cache."""
    return UsageTotals.of(usages).cache_read_share


def totals(usages: Iterable[LLMUsage]) -> dict[str, float]:
    t = UsageTotals.of(usages)
    return {
        "calls": t.calls,
        **{kind: getattr(t, kind) for kind in TOKEN_KINDS},
        "tokens": sum(getattr(t, kind) for kind in TOKEN_KINDS),
        "cost_usd": t.cost_usd,
    }


async def _usage_of(
    server: Any, home: Path, *, warm: bool, run_tests: TestRunner | None
) -> tuple[list[LLMUsage], str]:
    run = await run_once(server, home, warm=warm, run_tests=run_tests)
    store = RunStore(home / "runs.sqlite")
    try:
        return store.usage(run.result.run_id), run.result.status
    finally:
        store.close()


def run(
    quick: bool = False,
    *,
    nodes: int = 10,
    scale: float = LATENCY_SCALE,
    run_tests: TestRunner | None = None,
) -> dict[str, Any]:
    """Token and cost figures of a first run, a revision round and a full regeneration."""
    started = time.perf_counter()
    shape = layered(nodes)
    buggy = list(shape)[-1]
    server = start_server(BenchProject(shape, bugs={buggy: 1}), scale)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp:
            first, first_status = asyncio.run(
                _usage_of(server, Path(tmp) / "a", warm=True, run_tests=run_tests)
            )
            server.reset()  # a regeneration later on starts from a cold cache
            server.responder.project = BenchProject(shape)  # type: ignore[attr-defined]
            regen, regen_status = asyncio.run(
                _usage_of(server, Path(tmp) / "b", warm=True, run_tests=run_tests)
            )
            cold: list[LLMUsage] = []
            if not quick:
                server.reset()
                cold, _ = asyncio.run(
                    _usage_of(server, Path(tmp) / "c", warm=False, run_tests=run_tests)
                )
    finally:
        server.stop()

    round0 = [u for u in first if u.iteration == 0]
    revision = [u for u in first if u.iteration > 0]
    coder0 = [u for u in round0 if u.role == "coder"]
    warm_write = max((u.cache_write_tokens for u in coder0 if u.output_tokens <= 1), default=0)
    regen_totals = totals(regen)
    revision_totals = totals(revision)
    coder_share = cache_share(coder0)
    summary = {
        "coder_cache_share": coder_share,
        "target_coder_cache_share": 0.70,
        "target_met": coder_share >= 0.70,
        "tester_cache_share": cache_share(u for u in round0 if u.role == "tester"),
        "all_roles_cache_share": cache_share(round0),
        "coder_cache_share_without_warmup": cache_share(u for u in cold if u.role == "coder")
        if cold
        else None,
        "cost_per_run_usd": regen_totals["cost_usd"],
        "cost_without_warmup_usd": totals(cold)["cost_usd"] if cold else None,
        "revision_tokens": revision_totals["tokens"],
        "regeneration_tokens": regen_totals["tokens"],
        "revision_over_regeneration_tokens": revision_totals["tokens"] / regen_totals["tokens"],
        "revision_cost_usd": revision_totals["cost_usd"],
        "revision_over_regeneration_cost": revision_totals["cost_usd"] / regen_totals["cost_usd"],
        "shared_prefix_tokens": warm_write,
    }
    return {
        "shape": f"layered({nodes})",
        "buggy_node": buggy,
        "latency_scale": scale,
        "statuses": {"first": first_status, "regeneration": regen_status},
        "per_role_first_round": by_role(round0),
        "per_role_revision": by_role(revision),
        "per_role_regeneration": by_role(regen),
        "per_role_without_warmup": by_role(cold),
        "first_round": totals(round0),
        "revision_round": revision_totals,
        "regeneration": regen_totals,
        "without_warmup": totals(cold) if cold else None,
        "summary": summary,
        "elapsed_s": time.perf_counter() - started,
    }
