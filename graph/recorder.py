"""Where the pipeline reports what happens as it happens: the run store, or just the log."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from models.dag import NodeStatus, TaskDAG
from models.state import PhaseTiming
from models.usage import LLMUsage

if TYPE_CHECKING:
    from graph.store import RunStore

log = logging.getLogger("parallel_codegen")


class Recorder:
    """Logs only; the base for tests and for runs without a store."""

    run_id = ""

    def event(
        self, message: str, *, level: str = "info", kind: str = "log", data: dict | None = None
    ) -> None:
        log.log(logging.WARNING if level == "warning" else logging.INFO, "%s", message)

    def phase(self, name: str) -> None:
        log.info("phase: %s", name)

    def dag(self, dag: TaskDAG) -> None:
        pass

    def node(
        self,
        node_id: str,
        status: str,
        *,
        worker_id: str | None,
        at: float,
        iteration: int,
        error: str | None = None,
    ) -> None:
        log.info("node %s -> %s (%s)", node_id, status, worker_id or "-")

    def artifacts(
        self, files: Mapping[str, str], *, kind: str, node_id: str | None, iteration: int
    ) -> None:
        pass

    def usage(self, usage: LLMUsage) -> None:
        pass

    def timing(self, timing: PhaseTiming) -> None:
        log.info("%s took %.2fs", timing.phase, timing.seconds)

    def update(self, **fields: Any) -> None:
        pass

    def completed_nodes(self, dag: TaskDAG, iteration: int) -> dict[str, dict[str, str]]:
        """Nodes finished at `iteration` before an interruption, with their files."""
        return {}

    def stored_files(self, kind: str) -> dict[str, str]:
        """Files of this kind written so far, including before an interruption."""
        return {}


class StoreRecorder(Recorder):
    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id

    def event(
        self, message: str, *, level: str = "info", kind: str = "log", data: dict | None = None
    ) -> None:
        super().event(message, level=level, kind=kind, data=data)
        self.store.add_event(self.run_id, message, level=level, kind=kind, data=data)

    def phase(self, name: str) -> None:
        self.store.update_run(self.run_id, phase=name)

    def dag(self, dag: TaskDAG) -> None:
        self.store.set_dag(self.run_id, dag)

    def node(
        self,
        node_id: str,
        status: str,
        *,
        worker_id: str | None,
        at: float,
        iteration: int,
        error: str | None = None,
    ) -> None:
        self.store.node_transition(
            self.run_id,
            node_id,
            status,
            worker_id=worker_id,
            at=at,
            iteration=iteration,
            error=error,
        )

    def artifacts(
        self, files: Mapping[str, str], *, kind: str, node_id: str | None, iteration: int
    ) -> None:
        self.store.put_artifacts(
            self.run_id, files, kind=kind, node_id=node_id, iteration=iteration
        )

    def usage(self, usage: LLMUsage) -> None:
        self.store.add_usage(self.run_id, usage)

    def timing(self, timing: PhaseTiming) -> None:
        self.store.add_timing(self.run_id, timing)

    def update(self, **fields: Any) -> None:
        self.store.update_run(self.run_id, **fields)

    def stored_files(self, kind: str) -> dict[str, str]:
        return self.store.artifacts(self.run_id, kind)

    def completed_nodes(self, dag: TaskDAG, iteration: int) -> dict[str, dict[str, str]]:
        states = self.store.node_states(self.run_id)
        files = self.store.artifacts(self.run_id)
        done: dict[str, dict[str, str]] = {}
        for node in dag.nodes:
            t = states.get(node.id)
            if t is None or t.status != NodeStatus.DONE.value or t.iteration != iteration:
                continue
            if all(p in files for p in node.files):
                done[node.id] = {p: files[p] for p in node.files}
        return done


def now() -> float:
    return time.time()
