"""The LangGraph StateGraph: request -> plan -> DAG -> parallel coders -> integrate -> review + test.

A conditional edge after assessment ends the run or sends it back to the coders with only the
DAG nodes that own failing files reset. Nodes return partial updates; routers only read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

import prompts
from agents.coder import code_node, coder_call
from agents.dag_builder import PlanError, build_dag
from agents.integrator import integrate
from agents.llm.base import LLM, LLMError
from agents.orchestrator import RequestRejected, analyze_request, precheck
from agents.planner import make_plan
from agents.reviewer import review_project
from agents.static_check import public_api
from agents.tester import test_path_for, write_tests
from graph.guard import GuardedLLM
from graph.project import write_files
from graph.recorder import Recorder
from graph.scheduler import SchedulerEvent, run_dag
from models.dag import NodeStatus, TaskDAG, TaskNode
from models.report import TestCase, TestReport
from models.schemas import Plan
from models.settings import Settings
from models.state import AgentState, Artifact, CodingRound, PhaseTiming, Revision, RunStatus
from models.usage import LLMUsage
from sandbox.limits import SandboxLimits

TestRunner = Callable[..., Awaitable[TestReport]]


def _default_test_runner() -> TestRunner:
    from sandbox import arun_tests

    return arun_tests


@dataclass
class PipelineDeps:
    """Everything the nodes talk to, passed in so tests can swap any of it."""

    llm: LLM
    settings: Settings
    recorder: Recorder = field(default_factory=Recorder)
    run_tests: TestRunner = field(default_factory=_default_test_runner)
    work_dir: Path = field(default_factory=lambda: Path("runs") / "work")
    cancel: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        if not isinstance(self.llm, GuardedLLM):
            self.llm = GuardedLLM(
                self.llm, self.settings, cancel=self.cancel, on_usage=self.recorder.usage
            )

    @property
    def guard(self) -> GuardedLLM:
        assert isinstance(self.llm, GuardedLLM)
        return self.llm


def phase(name: str) -> Callable[[Callable[..., Awaitable[dict]]], Callable[..., Awaitable[dict]]]:
    """Record the phase in the store and its timing in the state."""

    def wrap(fn: Callable[..., Awaitable[dict]]) -> Callable[..., Awaitable[dict]]:
        async def node(state: AgentState, deps: PipelineDeps) -> dict:
            deps.recorder.phase(name)
            started = time.time()
            update = await fn(state, deps)
            timing = PhaseTiming(
                phase=name, iteration=state.iteration, started_at=started, finished_at=time.time()
            )
            deps.recorder.timing(timing)
            update["timings"] = [*update.get("timings", []), timing]
            return update

        node.__name__ = name
        return node

    return wrap


def context_of(state: AgentState) -> str:
    assert state.plan is not None
    return prompts.project_context(state.project_name, state.summary, state.plan)


# -- orchestrator, planner, plan review, DAG builder --------------------------------------------


@phase("orchestrator")
async def orchestrator(state: AgentState, deps: PipelineDeps) -> dict:
    try:
        request = precheck(state.user_request, deps.settings.max_request_chars)
    except RequestRejected as exc:
        deps.recorder.event(f"request rejected: {exc}", level="warning", kind="rejected")
        return {"status": RunStatus.REJECTED, "error": f"Request rejected: {exc}"}
    analysis, usage = await analyze_request(deps.llm, request)
    if not analysis.is_valid:
        deps.recorder.event(f"request rejected: {analysis.reason}", level="warning")
        return {
            "status": RunStatus.REJECTED,
            "error": f"Request rejected: {analysis.reason}",
            "usage": [usage],
        }
    deps.recorder.update(project_name=analysis.project_name)
    deps.recorder.event(f"request accepted as project {analysis.project_name!r}")
    return {
        "status": RunStatus.RUNNING,
        "user_request": request,
        "project_name": analysis.project_name,
        "summary": analysis.summary,
        "usage": [usage],
    }


@phase("planner")
async def planner(state: AgentState, deps: PipelineDeps) -> dict:
    plan, usage = await make_plan(
        deps.llm,
        request=state.user_request,
        project_name=state.project_name,
        summary=state.summary,
    )
    deps.recorder.update(plan_json=plan.model_dump(mode="json"))
    deps.recorder.event(f"plan: {len(plan.files)} files", data={"files": plan.paths})
    if state.approve_plan:
        # Announced here: the review step re-runs from its start when the run resumes.
        deps.recorder.update(status="awaiting_approval", phase="plan_review")
        deps.recorder.event("waiting for the plan to be approved", kind="approval")
    return {"plan": plan, "usage": [usage]}


async def plan_review(state: AgentState, deps: PipelineDeps) -> dict:
    """Pause for a person to edit and approve the plan (only when asked for)."""
    if not state.approve_plan:
        return {}
    assert state.plan is not None
    answer = interrupt({"plan": state.plan.model_dump(mode="json")})
    plan = Plan.model_validate(
        answer["plan"] if isinstance(answer, dict) and "plan" in answer else answer
    )
    deps.recorder.update(status="running", plan_json=plan.model_dump(mode="json"))
    deps.recorder.event(f"plan approved: {len(plan.files)} files", kind="approval")
    return {"plan": plan}


@phase("dag_builder")
async def dag_builder(state: AgentState, deps: PipelineDeps) -> dict:
    assert state.plan is not None
    try:
        dag, plan, notes = build_dag(state.plan)
    except (PlanError, ValueError) as exc:
        deps.recorder.event(f"plan rejected: {exc}", level="error")
        return {"status": RunStatus.FAILED, "error": f"The plan cannot be built: {exc}"}
    for note in notes:
        deps.recorder.event(f"plan repaired: {note}", level="warning")
    deps.recorder.dag(dag)
    width = max((len(level) for level in _levels(dag)), default=0)
    deps.recorder.event(
        f"DAG: {len(dag.nodes)} nodes, up to {width} in parallel",
        data={"nodes": [n.id for n in dag.nodes]},
    )
    return {"task_dag": dag, "plan": plan}


def _levels(dag: TaskDAG) -> list[list[str]]:
    depth: dict[str, int] = {}
    for node in dag.topological_order():
        depth[node.id] = 1 + max((depth[d] for d in node.depends_on), default=-1)
    levels: dict[int, list[str]] = {}
    for node_id, d in depth.items():
        levels.setdefault(d, []).append(node_id)
    return [levels[k] for k in sorted(levels)]


# -- coders --------------------------------------------------------------------------------


@phase("coders")
async def coders(state: AgentState, deps: PipelineDeps) -> dict:
    assert state.plan is not None and state.task_dag is not None
    it = state.iteration
    context = context_of(state)
    dag = state.task_dag
    produced: dict[str, str] = state.files("source")
    previous_sources = dict(produced)
    # Test files written before an interruption are kept, like finished nodes.
    tests_now = {**deps.recorder.stored_files("test"), **state.files("test")}
    usages: list[LLMUsage] = []
    new_artifacts: dict[str, Artifact] = {}

    # Nodes finished before an interruption are not coded again.
    resumed = deps.recorder.completed_nodes(dag, it)
    for node_id, files in resumed.items():
        if dag.get_node(node_id).status != NodeStatus.DONE:
            dag = dag.mark(node_id, NodeStatus.DONE)
            produced.update(files)
            for p, c in files.items():
                new_artifacts[p] = Artifact(path=p, content=c, node_id=node_id, iteration=it)
    if resumed:
        deps.recorder.event(f"resumed: {len(resumed)} finished node(s) kept")

    to_recode = {n.id for n in dag.nodes if n.status != NodeStatus.DONE}

    async def work(node: TaskNode, worker_id: str) -> dict[str, str]:
        deps_code = {
            p: produced[p] for d in node.depends_on for p in dag.get_node(d).files if p in produced
        }
        has_previous = it > 0 and all(p in previous_sources for p in node.files)
        feedback = [m for p in node.files for m in state.feedback.get(p, [])]
        if node.error:
            feedback.append(f"the previous attempt at this node failed: {node.error}")
        accepted, usage = await code_node(
            deps.llm,
            context=context,
            node=node,
            dependency_code=deps_code,
            iteration=it,
            previous={p: previous_sources[p] for p in node.files} if has_previous else None,
            feedback=feedback,
        )
        for note in accepted.notes:
            deps.recorder.event(note, level="warning")
        produced.update(accepted.files)
        usages.append(usage)
        deps.recorder.artifacts(accepted.files, kind="source", node_id=node.id, iteration=it)
        for p, c in accepted.files.items():
            new_artifacts[p] = Artifact(path=p, content=c, node_id=node.id, iteration=it)
        return accepted.files

    test_jobs = _test_jobs(state, deps, dag, context, tests_now, usages, new_artifacts)

    def on_event(ev: SchedulerEvent) -> None:
        if ev.extra:  # test-writing jobs share the pool but are not DAG nodes
            if ev.kind == "failed":
                deps.recorder.event(f"{ev.node_id} failed: {ev.error}", level="warning")
            return
        status = {
            "started": NodeStatus.RUNNING,
            "done": NodeStatus.DONE,
            "failed": NodeStatus.FAILED,
            "blocked": NodeStatus.IDLE,
            "cancelled": NodeStatus.IDLE,
        }[ev.kind]
        deps.recorder.node(
            ev.node_id, status.value, worker_id=ev.worker_id, at=ev.at, iteration=it, error=ev.error
        )
        if ev.kind in ("failed", "blocked"):
            deps.recorder.event(
                f"node {ev.node_id} {ev.kind}" + (f": {ev.error}" if ev.error else ""),
                level="warning",
            )

    rounds: list[CodingRound] = []
    if to_recode and len(to_recode) + len(test_jobs) > 1:
        first = next(n for n in dag.topological_order() if n.id in to_recode)
        try:
            await deps.llm.warm_prefix(
                coder_call(context=context, node=first, dependency_code={}, iteration=it)
            )
        except LLMError as exc:  # a failed warm-up only costs cache hits
            deps.recorder.event(f"cache warm-up skipped: {exc}", level="warning")
            deps.guard.raise_if_stopped()

    estimates = estimates_for(state.plan, dag)
    dag, round_ = await _run_round(deps, dag, work, on_event, it, test_jobs, estimates)
    rounds.append(round_)

    # A revised node whose public interface changed invalidates the nodes built on it.
    if it > 0:
        changed = [
            node_id
            for node_id in to_recode
            if dag.get_node(node_id).status == NodeStatus.DONE
            and any(
                public_api(produced.get(p, "")) != public_api(previous_sources.get(p, ""))
                for p in dag.get_node(node_id).files
                if p in previous_sources
            )
        ]
        stale = {d for d in dag.dependents(changed) if d not in to_recode}
        if stale:
            deps.recorder.event(
                f"interface of {', '.join(sorted(changed))} changed: recoding "
                f"{', '.join(sorted(stale))}",
                level="warning",
            )
            to_recode |= stale
            dag, round_ = await _run_round(
                deps, dag.reset_nodes(stale), work, on_event, it, [], estimates
            )
            rounds.append(round_)

    deps.recorder.dag(dag)
    deps.guard.raise_if_stopped()
    return {
        "task_dag": dag,
        "artifacts": new_artifacts,
        "usage": usages,
        "coding": rounds,
    }


def estimates_for(plan: Plan, dag: TaskDAG) -> dict[str, float]:
    """Expected relative duration of each job, for the scheduler's priorities.

    A reply's latency grows with its length, and a module's code (or its tests) grows with
    the interface it implements, so the planned contract is the best guess available
    before anything runs.
    """
    sizes = {f.path: 400 + len(f.interface) + len(f.purpose) for f in plan.files}
    estimates: dict[str, float] = {}
    for node in dag.nodes:
        size = sum(sizes.get(p, 400) for p in node.files)
        estimates[node.id] = 3.0 * size
        estimates[f"tests:{node.id}"] = 2.0 * size
    return estimates


async def _run_round(
    deps: PipelineDeps,
    dag: TaskDAG,
    work: Callable[[TaskNode, str], Awaitable[dict[str, str]]],
    on_event: Callable[[SchedulerEvent], None],
    iteration: int,
    test_jobs: list[tuple[str, Callable[[str], Awaitable[Any]]]],
    estimates: dict[str, float],
) -> tuple[TaskDAG, CodingRound]:
    pending = [n.id for n in dag.nodes if n.status != NodeStatus.DONE]
    started = time.time()
    result = await run_dag(
        dag,
        work,
        max_workers=deps.settings.max_workers,
        on_event=on_event,
        cancel=deps.cancel,
        extra_jobs=test_jobs,
        estimates=estimates,
    )
    wall = time.time() - started
    for job_id, error in result.extra_errors.items():
        deps.recorder.event(f"{job_id} failed: {error}", level="warning")
    intervals = [
        (n.started_at, n.finished_at)
        for n in result.dag.nodes
        if n.id in pending and n.started_at is not None and n.finished_at is not None
    ]
    work_s = sum(b - a for a, b in intervals)
    round_ = CodingRound(
        iteration=iteration,
        nodes=pending,
        wall_s=wall,
        work_s=work_s,
        max_parallel=_max_overlap(intervals),
    )
    if pending:
        deps.recorder.event(
            f"coded {len(pending)} node(s) in {wall:.1f}s; one after another would take "
            f"{work_s:.1f}s (x{round_.speedup:.2f})",
            kind="coding",
            data=round_.model_dump(),
        )
    return result.dag, round_


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    points = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    best = cur = 0
    for _, delta in points:
        cur += delta
        best = max(best, cur)
    return best


def _test_jobs(
    state: AgentState,
    deps: PipelineDeps,
    dag: TaskDAG,
    context: str,
    tests_now: Mapping[str, str],
    usages: list[LLMUsage],
    new_artifacts: dict[str, Artifact],
) -> list[tuple[str, Callable[[str], Awaitable[Any]]]]:
    """Test files to write in the coders' pool: missing ones, and ones blamed for failures."""
    it = state.iteration
    jobs: list[tuple[str, Callable[[str], Awaitable[Any]]]] = []
    for node in dag.nodes:
        path = test_path_for(node)
        blamed = path in state.failing_files
        if path in tests_now and not blamed:
            continue

        async def job(worker_id: str, node: TaskNode = node, path: str = path) -> None:
            accepted, usage = await write_tests(
                deps.llm,
                context=context,
                node=node,
                iteration=it,
                previous=tests_now.get(path),
                feedback=state.feedback.get(path, []),
            )
            for note in accepted.notes:  # files it was not asked for are dropped: say so
                deps.recorder.event(note, level="warning")
            usages.append(usage)
            deps.recorder.artifacts(accepted.files, kind="test", node_id=node.id, iteration=it)
            for p, c in accepted.files.items():
                new_artifacts[p] = Artifact(
                    path=p, content=c, kind="test", node_id=node.id, iteration=it
                )

        jobs.append((f"tests:{node.id}", job))
    return jobs


# -- integrator, reviewer, tester, assessment --------------------------------------------------


@phase("integrator")
async def integrator(state: AgentState, deps: PipelineDeps) -> dict:
    assert state.plan is not None and state.task_dag is not None
    files = state.files("source")
    imports = {f.path: f.imports for f in state.plan.files}
    fixed, remaining, usages, notes = await integrate(
        deps.llm,
        context=context_of(state),
        files=files,
        imports=imports,
        iteration=state.iteration,
    )
    for note in notes:
        deps.recorder.event(note, level="warning")
    owners = state.task_dag.file_owners()
    artifacts = {
        p: Artifact(path=p, content=c, node_id=owners.get(p), iteration=state.iteration)
        for p, c in fixed.items()
    }
    if fixed:
        for p, c in fixed.items():
            deps.recorder.artifacts(
                {p: c}, kind="source", node_id=owners.get(p), iteration=state.iteration
            )
        deps.recorder.event(f"integrator fixed {', '.join(sorted(fixed))}")
    for path, problems in remaining.items():
        deps.recorder.event(f"{path}: {'; '.join(problems)}", level="warning")
    if not fixed and not remaining:
        deps.recorder.event("static check: every file parses and every import resolves")
    deps.guard.raise_if_stopped()
    return {"artifacts": artifacts, "integration_problems": remaining, "usage": usages}


@phase("reviewer")
async def reviewer(state: AgentState, deps: PipelineDeps) -> dict:
    try:
        review, usage, notes = await review_project(
            deps.llm,
            context=context_of(state),
            files=state.files("source"),
            iteration=state.iteration,
        )
    except LLMError as exc:
        deps.guard.raise_if_stopped()
        deps.recorder.event(f"review skipped: {exc}", level="warning")
        return {"review": None}
    for note in notes:
        deps.recorder.event(note, level="warning")
    deps.recorder.update(review_json=review.model_dump(mode="json"))
    deps.recorder.event(
        f"review: {review.score}/10, {'approved' if review.approved else 'not approved'}, "
        f"{len(review.issues)} issue(s)"
    )
    return {"review": review, "usage": [usage]}


@phase("tester")
async def tester(state: AgentState, deps: PipelineDeps) -> dict:
    assert state.plan is not None
    project = deps.work_dir / f"iteration-{state.iteration}"
    write_files(project, state.files(), clean=True)
    report = await deps.run_tests(
        project,
        requirements=state.plan.requirements,
        backend=deps.settings.sandbox,
        limits=SandboxLimits(
            wall_timeout_s=deps.settings.test_timeout_s,
            cpu_seconds=max(1, int(deps.settings.test_timeout_s)),
        ),
        venv_cache=deps.settings.home / "venvs",
    )
    deps.recorder.update(test_report_json=report.model_dump(mode="json"))
    summary = f"tests: {report.passed} passed, {report.failed} failed, {report.errors} errors"
    if report.setup_error:
        summary += f" (setup: {report.setup_error})"
    if report.missing_isolation:
        deps.recorder.event(
            "sandbox isolation missing: " + "; ".join(report.missing_isolation), level="warning"
        )
    deps.recorder.event(summary, level="info" if report.ok else "warning", kind="tests")
    return {"test_result": report}


@phase("assess")
async def assess(state: AgentState, deps: PipelineDeps) -> dict:
    assert state.task_dag is not None
    dag = state.task_dag
    report = state.test_result
    review = state.review
    sources = state.files("source")
    owners = dag.file_owners()
    feedback: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        feedback.setdefault(path, []).append(message[:1500])

    blamed_now = set(blame(report, dag)) if report is not None else set()
    for path in blamed_now:
        feedback.setdefault(path, [])
    if report is not None:
        for case in report.cases:
            if case.outcome not in ("failed", "error"):
                continue
            message = f"test {case.name} {case.outcome}: {case.message}"
            for path in {*case.blamed_files, *blame_case(case, dag)}:
                add(path, message)
        if report.timed_out:
            for path in report.failing_files:
                add(path, "the test run timed out (an infinite loop or a blocking call?)")
    blocking = review.blocking_paths() if review is not None else set()
    if review is not None:
        for issue in review.issues:
            if issue.path in blocking:
                add(issue.path, f"review ({issue.severity}): {issue.message}")
    for path, problems in state.integration_problems.items():
        for p in problems:
            add(path, f"static check: {p}")
    tests = state.files("test")
    untested = [test_path_for(n) for n in dag.nodes if test_path_for(n) not in tests]
    for path in untested:
        add(path, "this test file was never written (the test writer failed): write it")
    unfinished = [n for n in dag.nodes if n.status != NodeStatus.DONE]
    unfinished_paths = {p for n in unfinished for p in n.files}
    for node in unfinished:
        for path in node.files:
            feedback.setdefault(path, []).append(
                f"node {node.id} did not finish: {node.error or 'a dependency failed'}"
            )

    tests_ok = report is not None and report.ok
    if (
        tests_ok
        and not unfinished
        and not untested
        and not state.integration_problems
        and not blocking
    ):
        deps.recorder.event("all tests pass and the review raised no blocking issue", kind="done")
        return {"status": RunStatus.DONE, "failing_files": [], "feedback": {}}

    last_round = state.iteration + 1 >= state.max_iterations
    if tests_ok and not unfinished and last_round:
        deps.recorder.event(
            "tests pass; issues remain after the last iteration: "
            + ", ".join(sorted(blocking | set(state.integration_problems) | set(untested))),
            level="warning",
            kind="done",
        )
        return {"status": RunStatus.DONE, "failing_files": sorted(feedback), "feedback": feedback}

    failing = sorted(
        p
        for p in feedback
        if (p in sources or p in tests or p in untested)
        and (
            p in blamed_now
            or p in blocking
            or p in state.integration_problems
            or p in unfinished_paths
            or p in untested
        )
    )
    if (
        report is not None
        and report.setup_error
        and not report.failing_files
        and not unfinished
        and not failing
    ):
        message = f"The tests could not run: {report.setup_error}"
        deps.recorder.event(message, level="error")
        return {"status": RunStatus.FAILED, "error": message, "failing_files": []}

    if last_round:
        # A node that never got code is the root cause; its tests failing is only a symptom.
        not_built = "".join(
            f" Node {n.id} was not built: {n.error or 'a dependency failed'}." for n in unfinished
        )
        message = (
            f"Generation failed after {state.max_iterations} iteration(s): "
            + (", ".join(failing) or "tests did not pass")
            + f" still failing.{not_built} Every generated file is kept."
        )
        deps.recorder.event(message, level="error", kind="failed")
        return {
            "status": RunStatus.FAILED,
            "error": message,
            "failing_files": failing,
            "feedback": feedback,
        }

    blamed = {owners[p] for p in failing if p in owners}
    # A node downstream of another failing node may only be failing through it: it is judged
    # again after the upstream fix instead of being recoded blind.
    downstream = {n for n in blamed if dag.ancestors(n) & blamed}
    if downstream:
        deps.recorder.event(
            f"{', '.join(sorted(downstream))} kept for now: "
            "they depend on a failing node and are re-tested after its fix"
        )
    reset = (blamed - downstream) | {n.id for n in unfinished}
    if not reset and not any(p.startswith("tests/") for p in failing):
        # Failures no file could be blamed for (a crash before any test ran): recode all.
        reset = {n.id for n in dag.nodes}
    new_dag = dag.reset_nodes(reset)
    iteration = state.iteration + 1
    for node_id in sorted(reset):
        deps.recorder.node(
            node_id, NodeStatus.IDLE.value, worker_id=None, at=time.time(), iteration=iteration
        )
    revision = Revision(
        iteration=iteration,
        failing_files=failing,
        reset_nodes=sorted(reset),
        reasons=[m for p in failing for m in feedback.get(p, [])][:20],
    )
    deps.recorder.event(
        f"revision {iteration}: recoding {', '.join(sorted(reset)) or 'tests only'} "
        f"(failing: {', '.join(failing)})",
        kind="revision",
        data=revision.model_dump(),
    )
    deps.recorder.update(iteration=iteration)
    deps.recorder.dag(new_dag)
    return {
        "task_dag": new_dag,
        "iteration": iteration,
        "failing_files": failing,
        "feedback": feedback,
        "revisions": [revision],
        "status": RunStatus.RUNNING,
    }


def blame_case(case: TestCase, dag: TaskDAG) -> list[str]:
    """Files to recode for one failing test.

    Generated tests are named after the node they test (tests/test_<node>.py), so that node
    is the suspect, whatever else its traceback passes through. A test the sandbox could tie
    to no source file at all is itself broken and is rewritten. Other tests fall back to the
    sandbox's attribution (traceback frames and imported modules).
    """
    if case.outcome not in ("failed", "error"):
        return []
    if case.file and case.blamed_files == [case.file]:
        return [case.file]
    for node in dag.nodes:
        if case.file == test_path_for(node):
            return list(node.files)
    return list(case.blamed_files)


def blame(report: TestReport, dag: TaskDAG) -> list[str]:
    blamed = [p for case in report.cases for p in blame_case(case, dag)]
    if not report.cases:  # nothing ran per test (timeout, crash): the sandbox's attribution
        blamed = list(report.failing_files)
    return list(dict.fromkeys(blamed))


# -- routing -------------------------------------------------------------------------------


def route_after_orchestrator(state: AgentState) -> Literal["continue", "stop"]:
    return "stop" if state.status.finished else "continue"


def route_after_dag(state: AgentState) -> Literal["continue", "stop"]:
    return "stop" if state.status.finished or state.task_dag is None else "continue"


def route(state: AgentState) -> Literal["revise", "done", "fail"]:
    if state.status == RunStatus.DONE:
        return "done"
    if state.status == RunStatus.RUNNING:
        return "revise"
    return "fail"


def build_graph(deps: PipelineDeps) -> StateGraph:
    """The uncompiled graph; compile it with a checkpointer to make runs resumable."""

    def bind(fn: Callable[[AgentState, PipelineDeps], Awaitable[dict]]) -> Callable:
        async def node(state: AgentState) -> dict:
            return await fn(state, deps)

        node.__name__ = fn.__name__
        return node

    g = StateGraph(AgentState)
    for name, fn in (
        ("orchestrator", orchestrator),
        ("planner", planner),
        ("plan_review", plan_review),
        ("dag_builder", dag_builder),
        ("coders", coders),
        ("integrator", integrator),
        ("reviewer", reviewer),
        ("tester", tester),
        ("assess", assess),
    ):
        g.add_node(name, bind(fn))
    g.add_edge(START, "orchestrator")
    g.add_conditional_edges(
        "orchestrator", route_after_orchestrator, {"continue": "planner", "stop": END}
    )
    g.add_edge("planner", "plan_review")
    g.add_edge("plan_review", "dag_builder")
    g.add_conditional_edges("dag_builder", route_after_dag, {"continue": "coders", "stop": END})
    g.add_edge("coders", "integrator")
    g.add_edge("integrator", "reviewer")
    g.add_edge("integrator", "tester")
    g.add_edge(["reviewer", "tester"], "assess")
    g.add_conditional_edges("assess", route, {"revise": "coders", "done": END, "fail": END})
    return g
