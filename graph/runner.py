"""Start, resume and cancel runs. The dashboard and the CLI both go through here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from agents.llm.base import LLM, LLMError
from agents.llm.factory import build_llm
from graph.guard import BudgetExceeded, GuardedLLM, RunCancelled
from graph.pipeline import PipelineDeps, TestRunner, build_graph
from graph.project import build_zip, complete_project, git_commit, write_files
from graph.recorder import StoreRecorder
from graph.store import RunStore
from models.paths import UnsafePathError
from models.schemas import Plan
from models.settings import Settings
from models.state import CHECKPOINT_MODULES, AgentState, RunStatus
from models.usage import UsageTotals

log = logging.getLogger(__name__)

AWAITING_APPROVAL = "awaiting_approval"


class RunSummary(UsageTotals):
    """What a finished run reports: its files, tests, rounds, usage and timings."""

    files: int = 0
    source_files: int = 0
    test_files: int = 0
    tests_passed: int = 0
    tests_total: int = 0
    iterations: int = 0
    wall_s: float = 0.0
    coding_wall_s: float = 0.0
    coding_work_s: float = 0.0

    @property
    def speedup(self) -> float:
        return self.coding_work_s / self.coding_wall_s if self.coding_wall_s > 0 else 1.0


@dataclass
class RunResult:
    run_id: str
    status: str
    state: AgentState | None
    error: str | None
    output_dir: Path | None
    zip_path: Path | None
    summary: RunSummary

    @property
    def ok(self) -> bool:
        return self.status == RunStatus.DONE.value


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def open_store(settings: Settings) -> RunStore:
    return RunStore(settings.db_path)


def serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_MODULES)


def create_run(
    store: RunStore, settings: Settings, request: str, *, run_id: str | None = None
) -> str:
    """Register a run so it is visible (and cancellable) before its first step."""
    run_id = run_id or new_run_id()
    store.create_run(
        run_id,
        request,
        provider=settings.resolved_provider(),
        settings=settings.model_dump(mode="json", exclude={"anthropic_api_key", "openai_api_key"}),
    )
    store.update_run(run_id, status=RunStatus.PENDING.value)
    return run_id


async def execute_run(
    settings: Settings,
    *,
    request: str | None = None,
    run_id: str | None = None,
    resume: bool = False,
    llm: LLM | None = None,
    store: RunStore | None = None,
    run_tests: TestRunner | None = None,
    approve_plan: bool = False,
    plan_answer: Plan | None = None,
    out_dir: Path | None = None,
    zip_path: Path | None = None,
) -> RunResult:
    """Run (or resume) one generation to its end and write the project. Never raises for
    failures of the generation itself: they come back as the result's status and error."""
    started = time.time()
    own_store = store is None
    store = store or open_store(settings)
    try:
        if resume:
            if run_id is None:
                raise ValueError("resume needs a run id")
            record = store.get_run(run_id)
            if record is None:
                raise KeyError(f"no run with id {run_id!r} in {settings.db_path}")
            request = record.request
            store.clear_cancel(run_id)
        else:
            if request is None:
                raise ValueError("a request is needed to start a run")
            if run_id is None or store.get_run(run_id) is None:
                run_id = create_run(store, settings, request, run_id=run_id)
        assert request is not None and run_id is not None
        return await _execute(
            settings,
            store,
            run_id=run_id,
            request=request,
            resume=resume,
            llm=llm,
            run_tests=run_tests,
            approve_plan=approve_plan,
            plan_answer=plan_answer,
            out_dir=out_dir,
            zip_path=zip_path,
            started=started,
        )
    finally:
        if own_store:
            store.close()


async def _execute(
    settings: Settings,
    store: RunStore,
    *,
    run_id: str,
    request: str,
    resume: bool,
    llm: LLM | None,
    run_tests: TestRunner | None,
    approve_plan: bool,
    plan_answer: Plan | None,
    out_dir: Path | None,
    zip_path: Path | None,
    started: float,
) -> RunResult:
    recorder = StoreRecorder(store, run_id)
    cancel = asyncio.Event()
    store.update_run(run_id, status=RunStatus.RUNNING.value, error=None)
    recorder.event("resumed" if resume else "run started", kind="lifecycle")
    status: str = RunStatus.FAILED.value
    error: str | None = None
    state: AgentState | None = None
    inner: LLM | None = None
    try:
        inner = llm or build_llm(settings, request=request)
        spent = store.usage_totals(run_id).cost_usd if resume else 0.0
        guarded = GuardedLLM(inner, settings, spent=spent, cancel=cancel, on_usage=recorder.usage)
        deps_kwargs: dict[str, Any] = {
            "llm": guarded,
            "settings": settings,
            "recorder": recorder,
            "work_dir": settings.home / "work" / run_id,
            "cancel": cancel,
        }
        if run_tests is not None:
            deps_kwargs["run_tests"] = run_tests
        deps = PipelineDeps(**deps_kwargs)
        settings.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(str(settings.checkpoint_path)) as conn:
            await conn.execute("PRAGMA journal_mode=WAL")
            saver = AsyncSqliteSaver(conn, serde=serializer())
            graph = build_graph(deps).compile(checkpointer=saver)
            config: RunnableConfig = {
                "configurable": {"thread_id": run_id},
                "recursion_limit": 200,
            }
            if plan_answer is not None:
                payload: Any = Command(resume={"plan": plan_answer.model_dump(mode="json")})
            elif resume:
                payload = None
            else:
                payload = AgentState(
                    run_id=run_id,
                    user_request=request,
                    max_iterations=settings.max_iterations,
                    approve_plan=approve_plan,
                )
            watcher = asyncio.create_task(_watch_cancel(store, run_id, cancel))
            try:
                await graph.ainvoke(payload, config, durability="sync")
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            snapshot = await graph.aget_state(config)
            state = _as_state(snapshot.values)
            if snapshot.next and any(t.interrupts for t in snapshot.tasks):
                status = AWAITING_APPROVAL
            elif state is not None:
                status = state.status.value
                error = state.error
                if status == RunStatus.RUNNING.value:  # graph ended without a verdict
                    status, error = RunStatus.FAILED.value, "the run stopped without a verdict"
    except BudgetExceeded as exc:
        status, error = RunStatus.BUDGET_EXCEEDED.value, str(exc)
    except (RunCancelled, asyncio.CancelledError):
        status, error = RunStatus.CANCELLED.value, "cancelled; resume it to continue"
    except LLMError as exc:
        status, error = RunStatus.FAILED.value, str(exc)
    except Exception as exc:  # reported, never lost: the run stays resumable
        log.exception("run %s failed", run_id)
        status, error = RunStatus.FAILED.value, f"{type(exc).__name__}: {exc}"
    finally:
        if inner is not None:
            with contextlib.suppress(Exception):
                await inner.aclose()

    if error:
        recorder.event(error, level="error" if status != RunStatus.DONE.value else "info")
    return _finish(
        settings,
        store,
        run_id=run_id,
        request=request,
        status=status,
        error=error,
        state=state,
        out_dir=out_dir,
        zip_path=zip_path,
        started=started,
    )


async def _watch_cancel(store: RunStore, run_id: str, cancel: asyncio.Event) -> None:
    while not cancel.is_set():
        if await asyncio.to_thread(store.cancel_requested, run_id):
            cancel.set()
            return
        await asyncio.sleep(0.2)


def _as_state(values: Any) -> AgentState | None:
    if isinstance(values, AgentState):
        return values
    if isinstance(values, dict) and values.get("user_request") is not None:
        return AgentState.model_validate(values)
    return None


def _finish(
    settings: Settings,
    store: RunStore,
    *,
    run_id: str,
    request: str,
    status: str,
    error: str | None,
    state: AgentState | None,
    out_dir: Path | None,
    zip_path: Path | None,
    started: float,
) -> RunResult:
    """Write whatever exists (finished work is never thrown away) and the summary."""
    files = store.artifacts(run_id)
    output_dir: Path | None = None
    if files and status != AWAITING_APPROVAL:
        plan = state.plan if state is not None else None
        name = (state.project_name if state is not None else "") or "project"
        project = complete_project(name, request, plan, files)
        output_dir = out_dir or settings.home / "projects" / run_id
        try:
            write_files(output_dir, project)
        except (UnsafePathError, OSError) as exc:
            # A symlink planted in the output directory: refuse it, keep the files in the store.
            status = RunStatus.FAILED.value
            error = f"the project could not be written to {output_dir}: {exc}"
            StoreRecorder(store, run_id).event(error, level="error")
            output_dir = None
        zip_path = build_zip(project, zip_path or settings.home / "projects" / f"{run_id}.zip")
        if output_dir is not None:
            git_commit(output_dir, f"{name}: generated by parallel-codegen ({status})")
    else:
        zip_path = None

    totals = store.usage_totals(run_id)
    rounds = state.coding if state is not None else []
    report = state.test_result if state is not None else None
    summary = RunSummary(
        files=len(files),
        source_files=sum(1 for p in files if not p.startswith("tests/")),
        test_files=sum(1 for p in files if p.startswith("tests/")),
        tests_passed=report.passed if report else 0,
        tests_total=report.total if report else 0,
        iterations=(state.iteration + 1) if state is not None and state.task_dag else 0,
        **totals.model_dump(),
        wall_s=time.time() - started,
        coding_wall_s=sum(r.wall_s for r in rounds),
        coding_work_s=sum(r.work_s for r in rounds),
    )
    fields: dict[str, Any] = {
        "status": status,
        "error": error,
        "summary_json": summary.model_dump(mode="json") | {"speedup": summary.speedup},
        "output_dir": str(output_dir) if output_dir else None,
        "zip_path": str(zip_path) if zip_path else None,
    }
    if status != AWAITING_APPROVAL:
        fields["finished_at"] = time.time()
        fields["phase"] = "finished"
    store.update_run(run_id, **fields)
    return RunResult(
        run_id=run_id,
        status=status,
        state=state,
        error=error,
        output_dir=output_dir,
        zip_path=zip_path,
        summary=summary,
    )


@dataclass
class RunHandle:
    """A run executing on a background thread with its own event loop (for the dashboard)."""

    run_id: str
    thread: threading.Thread
    result: RunResult | None = None
    exception: BaseException | None = None

    def done(self) -> bool:
        return not self.thread.is_alive()

    def wait(self, timeout: float | None = None) -> RunResult | None:
        self.thread.join(timeout)
        return self.result


def start_in_background(
    settings: Settings,
    *,
    request: str | None = None,
    run_id: str | None = None,
    resume: bool = False,
    approve_plan: bool = False,
    plan_answer: Plan | None = None,
    llm_factory: Callable[[], LLM] | None = None,
    run_tests: TestRunner | None = None,
) -> RunHandle:
    """Register the run now (so it is visible at once) and execute it on a daemon thread."""
    if not resume and plan_answer is None:
        if request is None:
            raise ValueError("a request is needed to start a run")
        store = open_store(settings)
        try:
            run_id = create_run(store, settings, request, run_id=run_id)
        finally:
            store.close()
    assert run_id is not None
    handle = RunHandle(run_id=run_id, thread=threading.Thread(daemon=True))

    def target() -> None:
        try:
            handle.result = asyncio.run(
                execute_run(
                    settings,
                    request=request,
                    run_id=run_id,
                    resume=resume or plan_answer is not None,
                    llm=llm_factory() if llm_factory else None,
                    run_tests=run_tests,
                    approve_plan=approve_plan,
                    plan_answer=plan_answer,
                )
            )
        except BaseException as exc:  # surfaced through the handle and the store
            handle.exception = exc
            log.exception("background run %s crashed", run_id)

    handle.thread = threading.Thread(target=target, name=f"run-{run_id}", daemon=True)
    handle.thread.start()
    return handle


def request_cancel(settings: Settings, run_id: str) -> None:
    store = open_store(settings)
    try:
        store.request_cancel(run_id)
    finally:
        store.close()
