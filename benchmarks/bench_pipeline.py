"""The whole pipeline: the real Anthropic SDK over HTTP to the local fake API, latency modelled.

The fake server answers each request the way `SyntheticProject` would (the role comes from the
system prompt, the node from the prompt text), and sleeps for a per-model latency: time to first
token plus output tokens over tokens per second, scaled down by `LATENCY_SCALE`. The run goes
through `graph.runner.execute_run` with the real store, checkpointer and sandbox, so everything
that is not an LLM call or the test run is the orchestration overhead being measured.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agents.llm.anthropic_provider import AnthropicLLM
from agents.llm.base import LLM, LLMCall, RawReply, Repair
from benchmarks.bench_scheduler import chain_rank, simulate_eager, simulate_list
from graph.pipeline import TestRunner
from graph.runner import RunResult, execute_run
from models.report import TestReport
from models.schemas import Plan
from models.settings import Settings
from models.usage import LLMUsage
from tests.fakeapi import FakeAPIServer
from tests.fakeapi.server import tokens
from tests.support.synthetic import Shape, SyntheticProject, call_from_request, layered

LATENCY_SCALE = 0.05  # the modelled latencies run 20 times faster than the real service
# Per model family: time to first token (s) and output tokens per second, at real speed.
SPEEDS = {"sonnet": (0.6, 80.0), "haiku": (0.3, 150.0)}
REQUEST = "A set of Python modules whose values add up along their imports."
Span = tuple[float, float]


def call_latency(model: str, output_tokens: int, scale: float = LATENCY_SCALE) -> float:
    ttft, tps = SPEEDS["haiku" if "haiku" in model else "sonnet"]
    return scale * (ttft + output_tokens / tps)


def _filler(label: str, chars: int) -> str:
    line = f"{label}: documented behaviour, argument types, return values and errors raised. "
    return (line * (chars // len(line) + 1))[:chars]


class BenchProject(SyntheticProject):
    """A synthetic project with realistic sizes: long contracts, modules and test files."""

    def __init__(
        self,
        shape: Shape,
        *,
        bugs: Mapping[str, int] | None = None,
        module_chars: int = 3000,
        interface_chars: int = 1200,
        test_chars: int = 1500,
    ) -> None:
        super().__init__(shape, bugs=bugs, padding=module_chars)
        self.interface_chars = interface_chars
        self.test_chars = test_chars

    def plan(self) -> Plan:
        plan = super().plan()
        for f in plan.files:
            f.interface += "\n" + _filler(f.path, self.interface_chars)
        return plan

    def test(self, node: str) -> str:
        return super().test(node) + f"\n\nCASES = {'y' * self.test_chars!r}\n"


class Responder:
    """The fake server's responder and latency model for one project."""

    def __init__(self, project: SyntheticProject, scale: float = LATENCY_SCALE) -> None:
        self.project = project
        self.scale = scale
        self._pending: dict[int, object] = {}

    def answer(self, body: Mapping[str, Any]) -> object:
        call = call_from_request(body)
        if call is None:
            return "OK"
        value = self.project(call, BaseModel, None)
        return value.model_dump(mode="json") if isinstance(value, BaseModel) else value

    def latency(self, body: dict[str, Any]) -> float:
        # The reply is built here so its length can set the latency; __call__ hands it over.
        payload = self.answer(body)
        self._pending[id(body)] = payload
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return call_latency(str(body.get("model", "")), tokens(text), self.scale)

    def __call__(self, body: dict[str, Any]) -> object:
        return self._pending.pop(id(body), None) or self.answer(body)


@dataclass
class CallSpan:
    role: str
    node: str | None
    iteration: int
    start: float
    end: float
    warm: bool = False

    @property
    def seconds(self) -> float:
        return self.end - self.start


class TimedLLM(LLM):
    """Delegates to a provider and keeps the (monotonic) interval of every call."""

    def __init__(self, inner: LLM, *, warm: bool = True) -> None:
        self.inner = inner
        self.name = inner.name
        self.warm = warm
        self.spans: list[CallSpan] = []

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        start = time.monotonic()
        try:
            return await self.inner._complete(call, schema, repair)
        finally:
            self.spans.append(
                CallSpan(call.role, call.node, call.iteration, start, time.monotonic())
            )

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        if not self.warm:
            return None
        start = time.monotonic()
        try:
            return await self.inner.warm_prefix(call)
        finally:
            self.spans.append(
                CallSpan(call.role, call.node, call.iteration, start, time.monotonic(), warm=True)
            )

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class TimedTests:
    """Wraps the sandbox runner (or a stand-in) and keeps the interval of every test run."""

    runner: TestRunner | None = None
    spans: list[Span] = field(default_factory=list)

    async def __call__(self, project: Path, **kwargs: Any) -> TestReport:
        if self.runner is None:
            from sandbox import arun_tests

            self.runner = arun_tests
        start = time.monotonic()
        try:
            return await self.runner(project, **kwargs)
        finally:
            self.spans.append((start, time.monotonic()))


async def passing_tests(project: Path, **kwargs: Any) -> TestReport:
    """A stand-in for the sandbox that reports every generated test file as passing."""
    count = len(list((project / "tests").glob("test_*.py")))
    return TestReport(backend="stub", passed=max(count, 1), exit_code=0)


def start_server(project: SyntheticProject, scale: float = LATENCY_SCALE) -> FakeAPIServer:
    responder = Responder(project, scale)
    return FakeAPIServer(responder, api_keys=("test",), latency=responder.latency).start()


def bench_settings(server: FakeAPIServer, home: Path, *, workers: int = 4) -> Settings:
    values: dict[str, Any] = {
        "ANTHROPIC_API_KEY": "test",
        "ANTHROPIC_BASE_URL": server.url,
        "provider": "anthropic",
        "home": home,
        "max_workers": workers,
        "sandbox": "local",
        "budget_usd": 1000.0,
        "llm_timeout_s": 60.0,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class PipelineRun:
    result: RunResult
    wall_s: float
    llm: TimedLLM
    tests: TimedTests
    server_spans: list[Span]
    workers: int


async def run_once(
    server: FakeAPIServer,
    home: Path,
    *,
    workers: int = 4,
    warm: bool = True,
    run_tests: TestRunner | None = None,
) -> PipelineRun:
    settings = bench_settings(server, home, workers=workers)
    llm = TimedLLM(AnthropicLLM(settings), warm=warm)
    tests = TimedTests(run_tests)
    first = len(server.requests)
    start = time.monotonic()
    result = await execute_run(settings, request=REQUEST, llm=llm, run_tests=tests)
    wall = time.monotonic() - start
    spans = [(r.started, r.finished) for r in server.requests[first:] if r.status == 200]
    return PipelineRun(result, wall, llm, tests, spans, workers)


# -- analysis ----------------------------------------------------------------------------------


def union_length(spans: Iterable[Span]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def latencies(run: PipelineRun, role: str, iteration: int = 0) -> dict[str, float]:
    out: dict[str, float] = {}
    for s in run.llm.spans:
        if s.role == role and s.iteration == iteration and not s.warm:
            key = s.node or role
            out[key] = out.get(key, 0.0) + s.seconds
    return out


def analyze(run: PipelineRun, scale: float = LATENCY_SCALE) -> dict[str, Any]:
    """Wall time against LLM time, the pipeline's critical path and the overhead."""
    state = run.result.state
    if state is None or state.task_dag is None:
        raise RuntimeError(f"the run ended without a DAG: {run.result.error}")
    dag = state.task_dag
    shape: Shape = {n.id: list(n.depends_on) for n in dag.nodes}
    client = [(s.start, s.end) for s in run.llm.spans]
    sandbox = run.tests.spans
    waiting = union_length([*client, *sandbox])
    waiting_server = union_length([*run.server_spans, *sandbox])
    llm_sum = sum(s.seconds for s in run.llm.spans)
    sandbox_s = sum(b - a for a, b in sandbox)

    coder = latencies(run, "coder")
    tester = {f"tests:{k}": v for k, v in latencies(run, "tester").items()}
    warm = max((s.seconds for s in run.llm.spans if s.warm), default=0.0)
    single = {r: sum(latencies(run, r).values()) for r in ("orchestrator", "planner")}
    integrator = max(latencies(run, "integrator").values(), default=0.0)
    reviewer = sum(latencies(run, "reviewer").values())
    dag_cp = dag.critical_path(coder)[1]
    coders_cp = max(dag_cp, max(tester.values(), default=0.0))
    coders_bound = max(coders_cp, (sum(coder.values()) + sum(tester.values())) / run.workers)
    tail = single["orchestrator"] + single["planner"] + warm
    critical = tail + coders_cp + integrator + max(reviewer, sandbox_s)
    bound = tail + coders_bound + integrator + max(reviewer, sandbox_s)

    overhead = run.wall_s - waiting
    # At real speed the LLM waits grow by 1 / scale while the overhead stays what it is.
    llm_only = waiting - sandbox_s
    real_wall = overhead + sandbox_s + (llm_only / scale if scale > 0 else llm_only)
    overlaps = overlap_ideas(shape, coder, tester, run.workers, reviewer, sandbox_s, single)
    rounds = state.coding
    return {
        "status": run.result.status,
        "nodes": len(dag.nodes),
        "workers": run.workers,
        "llm_calls": len(run.llm.spans),
        "wall_s": run.wall_s,
        "llm_sum_s": llm_sum,
        "llm_busy_s": union_length(client),
        "sandbox_s": sandbox_s,
        "waiting_s": waiting,
        "critical_path_s": critical,
        "bound_with_workers_s": bound,
        "coders_phase_s": sum(r.wall_s for r in rounds),
        "coders_critical_path_s": coders_cp,
        "coders_bound_s": coders_bound,
        "wall_over_llm_sum": run.wall_s / llm_sum if llm_sum else 0.0,
        "wall_over_critical_path": run.wall_s / critical if critical else 0.0,
        "wall_over_bound": run.wall_s / bound if bound else 0.0,
        "overhead_s": overhead,
        "overhead_share": overhead / run.wall_s,
        "overhead_per_node_ms": 1000 * overhead / len(dag.nodes),
        "overhead_share_at_real_speed": overhead / real_wall if real_wall > 0 else 0.0,
        "sdk_http_s": waiting - waiting_server,
        "overhead_incl_sdk_share": (run.wall_s - waiting_server) / run.wall_s,
        "phases": {t.phase: t.seconds for t in state.timings},
        "overlaps": overlaps,
    }


def overlap_ideas(
    shape: Shape,
    coder: Mapping[str, float],
    tester: Mapping[str, float],
    workers: int,
    reviewer: float,
    sandbox: float,
    single: Mapping[str, float],
) -> dict[str, Any]:
    """Serial LLM work the pipeline overlaps (or could), priced with the measured latencies."""
    tests_shape: Shape = {k: [] for k in tester}
    combined: Shape = {**shape, **tests_shape}
    priority = {**chain_rank(shape), **dict.fromkeys(tester, 1.0)}
    pool: dict[str, float] = {}
    for w in sorted({workers, 2 * workers}):
        in_pool = simulate_list(combined, {**coder, **tester}, w, priority)[0]
        after = simulate_eager(shape, coder, w) + (
            simulate_eager(tests_shape, tester, w) if tester else 0.0
        )
        pool[f"tests_in_pool_w{w}_s"] = in_pool
        pool[f"tests_after_coding_w{w}_s"] = after
        pool[f"tests_in_pool_saving_w{w}_s"] = after - in_pool
    return {
        **pool,
        "review_parallel_s": max(reviewer, sandbox),
        "review_then_tests_s": reviewer + sandbox,
        "review_parallel_saving_s": min(reviewer, sandbox),
        "validation_with_planning_saving_s": min(single["orchestrator"], single["planner"]),
    }


# -- profiling ---------------------------------------------------------------------------------

IDLE = ("poll", "select", "acquire", "wait", "sleep")


def top_costs(profile: cProfile.Profile, root: str, limit: int = 12) -> dict[str, list[dict]]:
    """The main thread's top functions by own time (waits excluded) and our own by total time."""
    stats = pstats.Stats(profile)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in raw.items():
        rows.append(
            {
                "function": f"{_short(path, root)}:{line}({name})",
                "calls": calls,
                "own_s": tottime,
                "total_s": cumtime,
                "ours": path.startswith(root)
                and "/.venv/" not in path
                and "benchmarks" not in path,
                "idle": any(word in name for word in IDLE) and path == "~",
            }
        )
    busy = sorted((r for r in rows if not r["idle"]), key=lambda r: -r["own_s"])[:limit]
    ours = sorted((r for r in rows if r["ours"]), key=lambda r: -r["total_s"])[:limit]
    return {"by_own_time": busy, "ours_by_total_time": ours}


def _short(path: str, root: str) -> str:
    if path.startswith(root):
        return path[len(root) :].lstrip("/")
    return path.split("site-packages/")[-1] if "site-packages/" in path else path


# -- entry -------------------------------------------------------------------------------------


def pipeline_runs(
    shape: Shape,
    *,
    repeats: int,
    scale: float = LATENCY_SCALE,
    workers: int = 4,
    run_tests: TestRunner | None = None,
    profile: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, list[dict]] | None]:
    project = BenchProject(shape)
    server = start_server(project, scale)
    root = str(Path(__file__).resolve().parent.parent)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            results = []
            for i in range(repeats):
                server.reset()
                run = asyncio.run(
                    run_once(server, Path(tmp) / f"r{i}", workers=workers, run_tests=run_tests)
                )
                results.append(analyze(run, scale))
            costs = None
            if profile:
                server.reset()
                profiler = cProfile.Profile()
                profiler.enable()
                asyncio.run(
                    run_once(server, Path(tmp) / "prof", workers=workers, run_tests=run_tests)
                )
                profiler.disable()
                costs = top_costs(profiler, root)
            return results, costs
    finally:
        server.stop()


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def run(
    quick: bool = False,
    *,
    nodes: int = 12,
    scale: float = LATENCY_SCALE,
    run_tests: TestRunner | None = None,
    repeats: int | None = None,
) -> dict[str, Any]:
    """End-to-end runs (median of the repeats), plus a profiled run when not quick."""
    started = time.perf_counter()
    count = repeats if repeats is not None else (1 if quick else 3)
    runs, costs = pipeline_runs(
        layered(nodes), repeats=count, scale=scale, run_tests=run_tests, profile=not quick
    )
    keys = [k for k, v in runs[0].items() if isinstance(v, float)]
    median = {k: _median([r[k] for r in runs]) for k in keys}
    best = min(runs, key=lambda r: abs(r["wall_s"] - median["wall_s"]))
    return {
        "latency_scale": scale,
        "speeds": {k: {"ttft_s": v[0], "tokens_per_s": v[1]} for k, v in SPEEDS.items()},
        "shape": f"layered({nodes})",
        "sandbox": "stand-in" if run_tests is not None else "local sandbox",
        "runs": runs,
        "median": median,
        "representative": best,
        "summary": {
            "wall_s": median["wall_s"],
            "wall_over_critical_path": median["wall_over_critical_path"],
            "wall_over_llm_sum": median["wall_over_llm_sum"],
            "overhead_share": median["overhead_share"],
            "overhead_per_node_ms": median["overhead_per_node_ms"],
            "overhead_share_at_real_speed": median["overhead_share_at_real_speed"],
            "target_overhead_share": 0.03,
            "target_met": median["overhead_share"] <= 0.03,
        },
        "profile": costs,
        "elapsed_s": time.perf_counter() - started,
    }
