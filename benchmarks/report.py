"""Writes results.json, REPORT.md and PNG charts (matplotlib, Agg backend) from the results."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

STRATEGY_LABELS = {"sequential": "sequential", "batch": "batch-parallel", "eager": "ours (eager)"}


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "executable": sys.executable,
    }


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _met(flag: bool) -> str:
    return "**met**" if flag else "**not met**"


# -- charts ------------------------------------------------------------------------------------


def chart_scheduler(data: Mapping[str, Any], path: Path) -> None:
    rows = data["rows"]
    labels = [f"{r['dag']}\n{r['workers']}w" for r in rows]
    fig, ax = plt.subplots(figsize=(max(8, len(rows) * 0.9), 4.5))
    width = 0.27
    for i, s in enumerate(("sequential", "batch", "eager")):
        values = [r["ratio_to_bound"][s] for r in rows]
        ax.bar(
            [x + (i - 1) * width for x in range(len(rows))], values, width, label=STRATEGY_LABELS[s]
        )
    ax.axhline(1.05, color="black", linestyle="--", linewidth=1, label="target 1.05x")
    ax.set_yscale("log")
    ax.set_ylabel("makespan / lower bound (log)")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_title("Scheduler makespan against max(critical path, work / workers)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_pipeline(data: Mapping[str, Any], path: Path) -> None:
    r = data["representative"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    waiting = r["waiting_s"]
    ax.barh(["wall time"], [waiting], label="waiting on LLM calls or the sandbox")
    ax.barh(["wall time"], [r["overhead_s"]], left=[waiting], label="orchestration overhead")
    ax.barh(["critical path"], [r["critical_path_s"]], color="tab:gray")
    ax.barh([f"bound, {r['workers']} workers"], [r["bound_with_workers_s"]], color="tab:olive")
    ax.barh(["sum of LLM calls"], [r["llm_sum_s"]], color="tab:purple")
    ax.set_xlabel("seconds (latencies scaled by " + _f(data["latency_scale"], 2) + ")")
    ax.set_title(f"Pipeline, {data['shape']}: wall time against its limits")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_tokens(data: Mapping[str, Any], path: Path) -> None:
    roles = data["per_role_first_round"]
    names = list(roles)
    kinds = [
        ("input_tokens", "input"),
        ("cache_write_tokens", "cache write"),
        ("cache_read_tokens", "cache read"),
        ("output_tokens", "output"),
    ]
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(names)
    for key, label in kinds:
        values = [roles[n][key] for n in names]
        ax.bar(names, values, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("tokens")
    ax.set_title(f"Tokens per role, first round of {data['shape']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_scale(data: Mapping[str, Any], path: Path) -> None:
    cases = data["cases"]
    stages = [f"alone_s.{k}" for k in cases[0]["alone_s"]] + [
        f"pipeline_s.{k}" for k in ("coders", "integrator", "reviewer", "tester")
    ]
    stages.append("pipeline_wall_s")
    fig, ax = plt.subplots(figsize=(9, 4.2))
    width = 0.8 / len(cases)
    for i, case in enumerate(cases):
        values = [_lookup(case, s) for s in stages]
        ax.bar(
            [x + i * width for x in range(len(stages))],
            values,
            width,
            label=f"{case['nodes']} nodes",
        )
    ax.set_yscale("log")
    ax.set_ylabel("seconds (log)")
    ax.set_xticks([x + width * (len(cases) - 1) / 2 for x in range(len(stages))])
    ax.set_xticklabels(
        [s.replace("alone_s.", "").replace("pipeline_s.", "run: ") for s in stages],
        rotation=30,
        ha="right",
        fontsize=8,
    )
    ax.set_title("Scale: time per stage (stage alone, and inside a whole run)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _lookup(case: Mapping[str, Any], key: str) -> float:
    if "." in key:
        group, name = key.split(".", 1)
        return float(case[group].get(name, 0.0))
    return float(case[key])


# -- markdown ----------------------------------------------------------------------------------


def section_scheduler(d: Mapping[str, Any]) -> str:
    s = d["summary"]
    rows = [
        [
            r["dag"],
            r["nodes"],
            r["workers"],
            r["bound_s"],
            r["ratio_to_bound"]["sequential"],
            r["ratio_to_bound"]["batch"],
            r["ratio_to_bound"]["eager"],
            r["ratio_to_bound"].get("eager_estimates"),
            r["simulated_ratio_to_bound"]["eager"],
            r["simulated_ratio_to_bound"].get("eager_estimates"),
            r["eager_ratio_to_tight_bound"],
            r["batch_over_eager"],
        ]
        for r in d["rows"]
    ]
    return "\n\n".join(
        [
            "## 1. Scheduler: makespan against the critical-path limit",
            f"Each DAG gets lognormal node latencies (median {d['median_latency_s'] * 1000:.0f} ms, "
            f"sigma {d['sigma']}), and the three strategies run for real on asyncio.sleep work "
            "with the same latencies: one node after another; batch-parallel (every ready node "
            "starts together, the next batch waits for the whole batch, as in the seed "
            "executor); ours (`graph.scheduler.run_dag`, eager). Ratios are measured makespan / "
            "lower bound, bound = max(critical path, total work / workers). `sim` is the exact "
            "simulation of our strategy (no runtime cost); `sim + estimates` simulates it given each "
            "node's exact latency as its priority weight; `ours + estimates` is a real run given "
            "estimates as the pipeline gives them (it derives them from each node's planned "
            "contract): the true latency blurred by a lognormal error of sigma "
            f"{s.get('estimate_error_sigma', 0.5)}; `tight` divides by a sharper bound "
            "that also counts idle time forced by precedence. Sequential runs of more than "
            f"{d['sequential_limit']} nodes are simulated (their makespan is the sum of the "
            "latencies). DAGs of 50 nodes or fewer report the median of three runs.",
            table(
                [
                    "DAG",
                    "nodes",
                    "workers",
                    "bound s",
                    "sequential",
                    "batch",
                    "ours",
                    "ours + estimates",
                    "ours sim",
                    "ours sim + estimates",
                    "ours / tight",
                    "batch / ours",
                ],
                rows,
            ),
            f"**Headline.** Ours: at most {_f(s['eager_ratio_max'])}x the bound "
            f"({s['eager_ratio_worst_case']}), geometric mean {_f(s['eager_ratio_geomean'])}x; "
            f"{s['rows_within_target']} of {s['rows']} cases within 1.05x. Batch-parallel: "
            f"geometric mean {_f(s['batch_ratio_geomean'])}x, worst {_f(s['batch_ratio_max'])}x. "
            f"Ours is faster than batch-parallel by {_f(s['batch_over_eager_geomean'])}x on "
            f"geometric mean, up to {_f(s['batch_over_eager_max'])}x. Target (ours within 1.05x "
            f"of the bound): {_met(s['target_met'])}. With estimates as the pipeline passes "
            f"them: at most {_f(s.get('eager_estimates_ratio_max'))}x, geometric mean "
            f"{_f(s.get('eager_estimates_ratio_geomean'))}x, "
            f"{s.get('eager_estimates_within_target')} of {s['rows']} cases within 1.05x. "
            "Our strategy alone (exact simulation) is at "
            f"most {_f(s['eager_simulated_ratio_max'])}x the simple bound "
            f"({_f(s.get('eager_estimates_simulated_ratio_max'))}x with latency estimates), and "
            "the measured runs are at most "
            f"{_f(s['eager_ratio_to_tight_bound_max'])}x the tight bound; the event "
            f"loop wakes each sleep {_f(s['timer_lateness_per_sleep_s'] * 1000, 2)} ms late on "
            "average, which every strategy pays.",
            "![scheduler](scheduler_ratios.png)",
        ]
    )


def section_pipeline(d: Mapping[str, Any]) -> str:
    r, s = d["representative"], d["summary"]
    m = d["median"]
    speeds = ", ".join(
        f"{k}: {v['ttft_s']} s + tokens / {v['tokens_per_s']:g}" for k, v in d["speeds"].items()
    )
    rows = [
        ["wall time", m["wall_s"], ""],
        [
            "sum of all LLM call latencies",
            m["llm_sum_s"],
            f"wall / sum = {_f(m['wall_over_llm_sum'])}",
        ],
        [
            "pipeline critical path",
            m["critical_path_s"],
            f"wall / path = {_f(m['wall_over_critical_path'])}",
        ],
        [
            f"critical path with {r['workers']} workers",
            m["bound_with_workers_s"],
            f"wall / bound = {_f(m['wall_over_bound'])}",
        ],
        ["sandbox test run", m["sandbox_s"], ""],
        ["coders phase (measured)", m["coders_phase_s"], f"its bound {_f(m['coders_bound_s'])} s"],
        [
            "orchestration overhead",
            m["overhead_s"],
            f"{_f(100 * m['overhead_share'], 2)} % of wall, {_f(m['overhead_per_node_ms'], 1)} ms per node",
        ],
        [
            "SDK + HTTP client time inside calls",
            m["sdk_http_s"],
            f"overhead incl. it: {_f(100 * m['overhead_incl_sdk_share'], 2)} %",
        ],
    ]
    phases = [[k, v] for k, v in r["phases"].items()]
    o = r["overlaps"]
    w = r["workers"]
    ideas = [
        [
            "test writing in the coders' pool (adopted)",
            f"{w} workers",
            o[f"tests_after_coding_w{w}_s"],
            o[f"tests_in_pool_w{w}_s"],
            o[f"tests_in_pool_saving_w{w}_s"],
        ],
        [
            "test writing in the coders' pool (adopted)",
            f"{2 * w} workers",
            o[f"tests_after_coding_w{2 * w}_s"],
            o[f"tests_in_pool_w{2 * w}_s"],
            o[f"tests_in_pool_saving_w{2 * w}_s"],
        ],
        [
            "review alongside the test run (adopted)",
            "",
            o["review_then_tests_s"],
            o["review_parallel_s"],
            o["review_parallel_saving_s"],
        ],
        [
            "request validation alongside planning (not adopted)",
            "",
            None,
            None,
            o["validation_with_planning_saving_s"],
        ],
    ]
    parts = [
        "## 2. Whole pipeline against the fake API",
        f"`graph.runner.execute_run` on a synthetic {d['shape']} project (modules ~3,000 "
        "characters, contracts ~1,200 characters per file, test files ~1,500 characters) with "
        "the real `anthropic` SDK provider (`AnthropicLLM`) talking HTTP to the local fake "
        "API server. The server rebuilds each call from the request body (role from the system "
        'prompt, node from "Write these files: X.py" / "Write the test file '
        'tests/test_X.py") and answers as `SyntheticProject` does, so the SDK, HTTP, the store, '
        "the checkpointer and the sandbox (" + d["sandbox"] + ") are all real. Latency model "
        f"per call: {speeds} (time to first token + output tokens / tokens per second), "
        f"multiplied by {_f(d['latency_scale'], 2)}"
        + (
            f" (runs {1 / d['latency_scale']:.0f}x faster than real time)"
            if d["latency_scale"]
            else ""
        )
        + f". Median of {len(d['runs'])} run(s). Overhead = wall time minus the "
        "time during which at least one LLM call (client side) or the test run was in flight.",
        table(["quantity", "seconds", "note"], rows),
        f"**Headline.** Wall {_f(s['wall_s'], 2)} s = {_f(s['wall_over_critical_path'], 2)}x the "
        f"pipeline's critical path and {_f(s['wall_over_llm_sum'], 2)}x the sum of its LLM call "
        f"latencies; orchestration overhead {_f(100 * s['overhead_share'], 2)} % of wall time "
        f"({_f(s['overhead_per_node_ms'], 1)} ms per node). Target (overhead at most 3 %): "
        f"{_met(s['target_met'])}. The overhead is mostly a fixed cost per run (see the "
        "profile), so at real LLM speed (LLM waits divided by the scale factor, the same "
        f"overhead) it would be about {_f(100 * s['overhead_share_at_real_speed'], 2)} % of "
        "wall time (an extrapolation, not a measurement).",
        "Phase times of the representative run:\n\n" + table(["phase", "seconds"], phases),
        "### Critical-path ideas, priced with the measured call latencies\n\n"
        + table(["idea", "", "serial s", "overlapped s", "saving s"], ideas),
        "![pipeline](pipeline_breakdown.png)",
    ]
    if d.get("profile"):
        prof = d["profile"]
        own = [
            [p["function"], p["calls"], p["own_s"], p["total_s"]] for p in prof["by_own_time"][:10]
        ]
        ours = [
            [p["function"], p["calls"], p["own_s"], p["total_s"]]
            for p in prof["ours_by_total_time"][:10]
        ]
        parts += [
            "### Profile of one run (cProfile, event-loop thread, waits excluded)",
            table(["function", "calls", "own s", "total s"], own),
            "Project functions by total time:\n\n"
            + table(["function", "calls", "own s", "total s"], ours),
        ]
    return "\n\n".join(parts)


def section_cost(d: Mapping[str, Any]) -> str:
    s = d["summary"]
    kinds = [
        "calls",
        "input_tokens",
        "output_tokens",
        "cache_write_tokens",
        "cache_read_tokens",
        "cost_usd",
    ]
    roles = [[role, *[v[k] for k in kinds]] for role, v in d["per_role_first_round"].items()]
    roles.append(["total", *[d["first_round"][k] for k in kinds]])
    compare = [
        ["first round (10 nodes)", *[d["first_round"][k] for k in kinds]],
        [
            f"revision round (node {d['buggy_node']} buggy)",
            *[d["revision_round"][k] for k in kinds],
        ],
        ["full regeneration (second run, cold cache)", *[d["regeneration"][k] for k in kinds]],
    ]
    if d.get("without_warmup"):
        compare.append(
            ["full run without the cache warm-up", *[d["without_warmup"][k] for k in kinds]]
        )
    no_warm = s.get("coder_cache_share_without_warmup")
    return "\n\n".join(
        [
            "## 3. Cost: tokens per role and prompt caching",
            f"A {d['shape']} project through the real SDK and the fake API, whose prompt-cache "
            "accounting decides cache writes and reads (a prefix is read only by requests "
            "arriving after a response that wrote it). The shared prefix (system prompt + "
            f"project context) is {_f(s['shared_prefix_tokens'])} tokens (4 characters per "
            "token). Costs at list prices from `models/usage.py`.",
            table(["role", "calls", "input", "output", "cache write", "cache read", "USD"], roles),
            table(["run", "calls", "input", "output", "cache write", "cache read", "USD"], compare),
            f"**Headline.** {_f(100 * s['coder_cache_share'], 1)} % of coder input tokens are "
            f"served from the cache (target at least 70 %: {_met(s['target_met'])}); "
            f"{_f(100 * s['tester_cache_share'], 1)} % for the test writers, "
            f"{_f(100 * s['all_roles_cache_share'], 1)} % over all roles. A full run costs "
            f"${_f(s['cost_per_run_usd'], 4)}; a revision round of one node costs "
            f"${_f(s['revision_cost_usd'], 4)}, {_f(100 * s['revision_over_regeneration_cost'], 1)} % "
            f"of a full regeneration ({_f(100 * s['revision_over_regeneration_tokens'], 1)} % of "
            "its tokens)."
            + (
                f" Without the warm-up, {_f(100 * no_warm, 1)} % of coder input comes from the "
                f"cache and the run costs ${_f(s['cost_without_warmup_usd'], 4)}."
                if no_warm is not None
                else ""
            ),
            "![tokens](tokens_per_role.png)",
        ]
    )


def section_scale(d: Mapping[str, Any]) -> str:
    cases = d["cases"]
    names = [f"{c['nodes']} nodes" for c in cases]
    keys = (
        [f"alone_s.{k}" for k in cases[0]["alone_s"]]
        + [f"pipeline_s.{k}" for k in cases[-1]["pipeline_s"]]
        + ["pipeline_wall_s"]
    )
    rows = [
        [
            k.replace("alone_s.", "alone: ").replace("pipeline_s.", "in run: "),
            *[_lookup(c, k) for c in cases],
            d["growth"].get(k),
        ]
        for k in keys
    ]
    rows += [
        [label, *[c[key] / div for c in cases], d["growth"].get(key)]
        for label, key, div in (
            ("run store on disk (MB)", "run_store_bytes", 1e6),
            ("checkpoints on disk (MB)", "checkpoint_bytes", 1e6),
            ("peak RSS during the run (MB)", "run_peak_rss_mb", 1),
            ("peak RSS above RSS before the run (MB)", "run_peak_growth_mb", 1),
        )
    ]
    return "\n\n".join(
        [
            "## 4. Scale",
            f"Plans of {' and '.join(str(n) for n in d['sizes'])} nodes (`SyntheticProject(layered(n))`, "
            "instant `ScriptedLLM`), each size in its own process. Each stage is timed alone "
            "(best of 3), then inside a whole `execute_run` (the faster of two runs; real store and checkpointer; the "
            f"sandbox is a {d['sandbox']}, since the pytest run of n test files would dominate). "
            f"The last column is the growth from the smallest to the largest plan "
            f"(nodes grow {d['node_ratio']:g}x; linear growth would be {d['node_ratio']:g}).",
            table(["seconds / size", *names, "growth"], rows),
            "![scale](scale_growth.png)",
        ]
    )


def section_external(title: str, data: Mapping[str, Any] | None) -> str:
    if data is None:
        return f"## {title}\n\nnot available"
    if "markdown" in data:
        return f"## {title}\n\n{data['markdown']}"
    scalars = [[k, v] for k, v in data.items() if isinstance(v, (int, float, str, bool))]
    body = table(["figure", "value"], scalars) if scalars else ""
    return f"## {title}\n\n{body}\n\nFull figures in results.json."


def write_report(results: Mapping[str, Any], out_dir: Path) -> Path:
    """Write results.json, the charts and REPORT.md into `out_dir`; returns the report path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    charts = {
        "scheduler": (chart_scheduler, "scheduler_ratios.png"),
        "pipeline": (chart_pipeline, "pipeline_breakdown.png"),
        "cost": (chart_tokens, "tokens_per_role.png"),
        "scale": (chart_scale, "scale_growth.png"),
    }
    for name, (draw, filename) in charts.items():
        if results.get(name):
            draw(results[name], out_dir / filename)
    m = results.get("machine") or machine()
    parts = [
        "# parallel-codegen benchmarks",
        f"Generated by `python -m benchmarks`{' --quick' if results.get('quick') else ''} on "
        f"{m['date']}: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}. Every figure "
        "below is measured in one run of the suite; timings are wall-clock "
        "(`time.perf_counter` / `time.monotonic`) on a machine shared with other work.",
    ]
    sections = {
        "scheduler": section_scheduler,
        "pipeline": section_pipeline,
        "cost": section_cost,
        "scale": section_scale,
    }
    for name, render in sections.items():
        if results.get(name):
            parts.append(render(results[name]))
    parts.append(section_external("5. Sandbox overhead", results.get("sandbox")))
    parts.append(section_external("6. Dashboard refresh", results.get("dashboard")))
    errors = results.get("errors") or {}
    if errors:
        parts.append(
            "## Benchmarks that failed\n\n" + table(["benchmark", "error"], list(errors.items()))
        )
    path = out_dir / "REPORT.md"
    path.write_text("\n\n".join(parts) + "\n")
    return path
