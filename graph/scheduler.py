"""Eager async DAG executor: a node starts the moment its own dependencies are done.

Unlike batch-by-batch execution, no worker ever waits for an unrelated node; ready work is
started longest-remaining-chain first, which keeps the makespan near the critical-path bound.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from models.dag import NodeStatus, TaskDAG, TaskNode

logger = logging.getLogger(__name__)

R = TypeVar("R")
EventKind = Literal["started", "done", "failed", "blocked", "cancelled"]
Work = Callable[[TaskNode, str], Awaitable[R]]
ExtraJob = tuple[str, Callable[[str], Awaitable[Any]]]


@dataclass(frozen=True)
class SchedulerEvent:
    """One transition of a DAG node (or of an extra job, with `extra=True`)."""

    kind: EventKind
    node_id: str
    worker_id: str | None
    at: float
    error: str | None = None
    extra: bool = False


@dataclass
class ScheduleResult(Generic[R]):
    """What a run of the DAG produced; the input DAG is left untouched."""

    dag: TaskDAG
    results: dict[str, R] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    extra_results: dict[str, Any] = field(default_factory=dict)
    extra_errors: dict[str, str] = field(default_factory=dict)
    extra_intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    cancelled: bool = False  # stopped by the cancel event with work left undone

    def busy_intervals(self, include_extras: bool = True) -> dict[str, tuple[float, float]]:
        """(start, end) of every node that ran to DONE or FAILED, plus extra jobs if asked."""
        intervals = {
            n.id: (n.started_at, n.finished_at)
            for n in self.dag.nodes
            if n.status in (NodeStatus.DONE, NodeStatus.FAILED)
            and n.started_at is not None
            and n.finished_at is not None
        }
        if include_extras:
            intervals.update(self.extra_intervals)
        return intervals


@dataclass
class _Job:
    key: str
    worker: int
    extra: bool
    seq: int
    started_at: float

    @property
    def worker_id(self) -> str:
        return f"w{self.worker}"


def _describe(exc: BaseException) -> str:
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def remaining_chain(dag: TaskDAG, estimates: Mapping[str, float] | None = None) -> dict[str, float]:
    """Per node, the weight of its longest downstream chain of unfinished nodes (itself included).

    A node weighs its estimate (default 1, so the count of nodes); DONE nodes weigh nothing.
    """
    children: dict[str, list[str]] = {n.id: [] for n in dag.nodes}
    for n in dag.nodes:
        for d in n.depends_on:
            children[d].append(n.id)
    rank: dict[str, float] = {}
    for node in reversed(dag.topological_order()):
        weight = 0.0 if node.status == NodeStatus.DONE else _weight(node.id, estimates)
        rank[node.id] = weight + max((rank[c] for c in children[node.id]), default=0.0)
    return rank


def _weight(key: str, estimates: Mapping[str, float] | None) -> float:
    return float(estimates.get(key, 1.0)) if estimates is not None else 1.0


class _Execution(Generic[R]):
    """The mutable bookkeeping of one `run_dag` call."""

    def __init__(
        self,
        dag: TaskDAG,
        work: Work[R],
        *,
        max_workers: int,
        on_event: Callable[[SchedulerEvent], None] | None,
        extra_jobs: Sequence[ExtraJob],
        first_alone: bool,
        estimates: Mapping[str, float] | None,
    ) -> None:
        self.work = work
        self.on_event = on_event
        self.first_alone = first_alone
        self.template = dag
        self.order = [n.id for n in dag.nodes]
        self.index = {node_id: i for i, node_id in enumerate(self.order)}
        # DONE nodes are kept; anything else (FAILED, or RUNNING from a killed run) starts over.
        self.nodes: dict[str, TaskNode] = {
            n.id: n.model_copy(deep=True) if n.status == NodeStatus.DONE else n.as_idle()
            for n in dag.nodes
        }
        self.rank = remaining_chain(dag, estimates)
        # Ready nodes live in a heap, kept up to date as nodes finish: dispatching costs
        # O(log n) instead of a scan of the whole DAG.
        self.children: dict[str, list[str]] = {k: [] for k in self.order}
        self.missing: dict[str, int] = {}
        for n in dag.nodes:
            for d in n.depends_on:
                self.children[d].append(n.id)
            self.missing[n.id] = sum(
                1 for d in n.depends_on if self.nodes[d].status != NodeStatus.DONE
            )
        self.heap: list[tuple[float, int, str]] = []
        for k in self.order:
            if self.nodes[k].status == NodeStatus.IDLE and self.missing[k] == 0:
                self.push_ready(k)
        self.extras: list[tuple[float, int, str, Callable[[str], Awaitable[Any]]]] = [
            (_weight(name, estimates), i, name, job) for i, (name, job) in enumerate(extra_jobs)
        ]
        self.free = list(range(1, max_workers + 1))
        self.running: dict[asyncio.Task[Any], _Job] = {}
        self.seq = itertools.count()
        self.dispatched = 0
        self.alone: asyncio.Task[Any] | None = None
        self.blocked: set[str] = set()
        self.result: ScheduleResult[R] = ScheduleResult(dag=dag)

    # -- events ---------------------------------------------------------------------
    def emit(self, event: SchedulerEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # a broken listener must not stop the workers
            logger.exception("scheduler event listener failed on %s", event)

    # -- choosing work --------------------------------------------------------------
    def push_ready(self, node_id: str) -> None:
        heapq.heappush(self.heap, (-self.rank[node_id], self.index[node_id], node_id))

    def next_ready(self) -> str | None:
        """The highest-priority node that can start now (longest remaining chain first)."""
        while self.heap:
            node_id = self.heap[0][2]
            if self.nodes[node_id].status == NodeStatus.IDLE and node_id not in self.blocked:
                return node_id
            heapq.heappop(self.heap)
        return None

    def dispatch(self) -> None:
        """Fill free workers: ready nodes and extra jobs, highest priority first."""
        if self.alone is not None:
            return
        while self.free:
            ready = self.next_ready()
            best_extra = max(self.extras, key=lambda e: (e[0], -e[1]), default=None)
            if ready is not None and (best_extra is None or self.rank[ready] >= best_extra[0]):
                heapq.heappop(self.heap)
                task = self.start_node(ready)
            elif best_extra is not None:
                self.extras.remove(best_extra)
                task = self.start_extra(best_extra[2], best_extra[3])
            else:
                return
            self.dispatched += 1
            if self.first_alone and self.dispatched == 1:
                # Warm-up: the first job runs alone so the others reuse its prompt cache.
                self.alone = task
                return

    def start_node(self, node_id: str) -> asyncio.Task[Any]:
        worker = heapq.heappop(self.free)
        now = time.time()
        node = self.nodes[node_id].model_copy(
            update={
                "status": NodeStatus.RUNNING,
                "worker_id": f"w{worker}",
                "started_at": now,
                "finished_at": None,
                "error": None,
            }
        )
        self.nodes[node_id] = node
        job = _Job(node_id, worker, False, next(self.seq), now)
        task = asyncio.create_task(self._call(node.model_copy(deep=True), job), name=node_id)
        self.running[task] = job
        self.emit(SchedulerEvent("started", node_id, job.worker_id, now))
        return task

    def start_extra(self, name: str, fn: Callable[[str], Awaitable[Any]]) -> asyncio.Task[Any]:
        worker = heapq.heappop(self.free)
        job = _Job(name, worker, True, next(self.seq), time.time())

        async def call() -> Any:
            return await fn(job.worker_id)

        task = asyncio.create_task(call(), name=f"extra-{name}")
        self.running[task] = job
        self.emit(SchedulerEvent("started", name, job.worker_id, job.started_at, extra=True))
        return task

    async def _call(self, node: TaskNode, job: _Job) -> R:
        return await self.work(node, job.worker_id)

    # -- outcomes -------------------------------------------------------------------
    def finish(self, task: asyncio.Task[Any]) -> None:
        job = self.running.pop(task)
        heapq.heappush(self.free, job.worker)
        if task is self.alone:
            self.alone = None
        now = time.time()
        error: str | None = None
        value: Any = None
        if task.cancelled():  # the work cancelled itself: a failure, not a user cancel
            error = "CancelledError: the work was cancelled"
        elif (exc := task.exception()) is not None:
            error = _describe(exc)
        else:
            value = task.result()
        if job.extra:
            self._finish_extra(job, now, value, error)
        else:
            self._finish_node(job, now, value, error)

    def _finish_extra(self, job: _Job, now: float, value: Any, error: str | None) -> None:
        self.result.extra_intervals[job.key] = (job.started_at, now)
        if error is None:
            self.result.extra_results[job.key] = value
            self.emit(SchedulerEvent("done", job.key, job.worker_id, now, extra=True))
        else:
            logger.warning("extra job %s failed: %s", job.key, error)
            self.result.extra_errors[job.key] = error
            self.emit(SchedulerEvent("failed", job.key, job.worker_id, now, error, extra=True))

    def _finish_node(self, job: _Job, now: float, value: Any, error: str | None) -> None:
        status = NodeStatus.DONE if error is None else NodeStatus.FAILED
        node = self.nodes[job.key]
        self.nodes[job.key] = node.model_copy(
            update={"status": status, "finished_at": now, "error": error}
        )
        if error is None:
            self.result.results[job.key] = value
            self.emit(SchedulerEvent("done", job.key, job.worker_id, now))
            for child in self.children[job.key]:
                self.missing[child] -= 1
                if self.missing[child] == 0 and self.nodes[child].status == NodeStatus.IDLE:
                    self.push_ready(child)
            return
        logger.warning("node %s failed: %s", job.key, error)
        self.result.errors[job.key] = error
        self.emit(SchedulerEvent("failed", job.key, job.worker_id, now, error))
        self.block_dependents(job.key, now)

    def block_dependents(self, failed: str, now: float) -> None:
        dependents = self.template.dependents([failed])
        for node_id in self.order:
            if (
                node_id in dependents
                and node_id not in self.blocked
                and self.nodes[node_id].status == NodeStatus.IDLE
            ):
                self.blocked.add(node_id)
                self.result.blocked.append(node_id)
                self.emit(SchedulerEvent("blocked", node_id, None, now, f"{failed} failed"))

    async def cancel_running(self) -> None:
        """Cancel every running job; a job that finished meanwhile keeps its outcome."""
        tasks = sorted(self.running, key=lambda t: self.running[t].seq)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            if not task.cancelled():
                self.finish(task)
                continue
            job = self.running.pop(task)
            heapq.heappush(self.free, job.worker)
            now = time.time()
            if not job.extra:
                self.nodes[job.key] = self.nodes[job.key].as_idle()
                self.push_ready(job.key)
            self.emit(SchedulerEvent("cancelled", job.key, job.worker_id, now, extra=job.extra))
        self.alone = None

    def unfinished(self) -> bool:
        idle = any(
            n.status == NodeStatus.IDLE and k not in self.blocked for k, n in self.nodes.items()
        )
        return idle or bool(self.extras) or bool(self.running)

    # -- the loop -------------------------------------------------------------------
    async def run(self, cancel: asyncio.Event | None) -> ScheduleResult[R]:
        cancel_wait = asyncio.create_task(cancel.wait()) if cancel is not None else None
        try:
            while True:
                if cancel is not None and cancel.is_set():
                    self.result.cancelled = self.unfinished()
                    await self.cancel_running()
                    break
                self.dispatch()
                if not self.running:
                    break
                waiting: set[asyncio.Task[Any]] = set(self.running)
                if cancel_wait is not None:
                    waiting.add(cancel_wait)
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                finished = [t for t in done if t in self.running]
                for task in sorted(finished, key=lambda t: self.running[t].seq):
                    self.finish(task)
        except asyncio.CancelledError:
            # run_dag itself was cancelled: do not leave orphaned workers behind.
            for task in self.running:
                task.cancel()
            await asyncio.gather(*self.running, return_exceptions=True)
            raise
        finally:
            if cancel_wait is not None:
                cancel_wait.cancel()
        self.result.dag = TaskDAG(nodes=[self.nodes[k] for k in self.order])
        return self.result


async def run_dag(
    dag: TaskDAG,
    work: Work[R],
    *,
    max_workers: int,
    on_event: Callable[[SchedulerEvent], None] | None = None,
    cancel: asyncio.Event | None = None,
    extra_jobs: Sequence[ExtraJob] = (),
    first_alone: bool = False,
    estimates: Mapping[str, float] | None = None,
) -> ScheduleResult[R]:
    """Run `work(node, worker_id)` for every unfinished node, at most `max_workers` at once.

    DONE nodes are kept and satisfy dependencies; FAILED ones are retried. A failure blocks
    only its transitive dependents. `extra_jobs` share the worker pool; `estimates` (seconds
    per node id or extra job name) refine the priority, which defaults to chain length.
    """
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, got {max_workers}")
    dag.raise_if_invalid()
    names = [name for name, _ in extra_jobs]
    node_ids = {n.id for n in dag.nodes}
    clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & node_ids))
    if clashes:
        raise ValueError(f"extra job names must be unique and differ from node ids: {clashes}")
    execution: _Execution[R] = _Execution(
        dag,
        work,
        max_workers=max_workers,
        on_event=on_event,
        extra_jobs=extra_jobs,
        first_alone=first_alone,
        estimates=estimates,
    )
    return await execution.run(cancel)
