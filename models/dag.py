"""The task DAG: which files each worker writes and which nodes it waits for."""

from __future__ import annotations

import graphlib
import time
from collections.abc import Iterable, Mapping
from enum import Enum

from pydantic import BaseModel, Field, PrivateAttr


class NodeStatus(str, Enum):
    IDLE = "IDLE"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


WorkerStatus = NodeStatus  # the name the data model was first described with


class DAGValidationError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid task DAG: " + "; ".join(problems))


class TaskNode(BaseModel):
    id: str
    name: str
    description: str = ""
    files: list[str] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)
    status: NodeStatus = NodeStatus.IDLE
    worker_id: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None

    def as_idle(self) -> TaskNode:
        """A copy ready to run again: IDLE, with no worker, times or error."""
        return self.model_copy(
            deep=True,
            update={
                "status": NodeStatus.IDLE,
                "worker_id": None,
                "started_at": None,
                "finished_at": None,
                "error": None,
            },
        )

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class TaskDAG(BaseModel):
    nodes: list[TaskNode] = Field(default_factory=list)
    # An id index built on first use and rebuilt whenever `nodes` is a different list or
    # changed length; the pipeline never edits a DAG in place (changes make copies).
    _by_id: dict[str, TaskNode] | None = PrivateAttr(default=None)
    _indexed: tuple[int, int] = PrivateAttr(default=(0, -1))

    # -- look-ups -------------------------------------------------------------
    def get_node(self, node_id: str) -> TaskNode:
        key = (id(self.nodes), len(self.nodes))
        if self._by_id is None or self._indexed != key:
            self._by_id = {}
            for node in self.nodes:
                self._by_id.setdefault(node.id, node)
            self._indexed = key
        try:
            return self._by_id[node_id]
        except KeyError:
            raise KeyError(f"no DAG node with id {node_id!r}") from None

    def node_for_file(self, path: str) -> TaskNode | None:
        for node in self.nodes:
            if path in node.files:
                return node
        return None

    def file_owners(self) -> dict[str, str]:
        return {f: n.id for n in self.nodes for f in n.files}

    # -- scheduling -------------------------------------------------------------
    def ready_nodes(self) -> list[TaskNode]:
        """IDLE nodes whose dependencies are all DONE: they can start now."""
        done = {n.id for n in self.nodes if n.status == NodeStatus.DONE}
        return [
            n
            for n in self.nodes
            if n.status == NodeStatus.IDLE and all(d in done for d in n.depends_on)
        ]

    def all_done(self) -> bool:
        return all(n.status == NodeStatus.DONE for n in self.nodes)

    def topological_order(self) -> list[TaskNode]:
        """Dependencies before dependents; ties keep declaration order. Raises on a cycle."""
        self.raise_if_invalid()
        index = {n.id: i for i, n in enumerate(self.nodes)}
        sorter = graphlib.TopologicalSorter({n.id: set(n.depends_on) for n in self.nodes})
        sorter.prepare()
        order: list[TaskNode] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=index.__getitem__)
            for node_id in ready:
                order.append(self.get_node(node_id))
                sorter.done(node_id)
        return order

    def dependents(self, node_ids: Iterable[str]) -> set[str]:
        """Every node that depends, directly or not, on one of `node_ids` (excluding them)."""
        children: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for n in self.nodes:
            for d in n.depends_on:
                children.setdefault(d, []).append(n.id)
        start = set(node_ids)
        seen: set[str] = set()
        stack = list(start)
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen - start

    def ancestors(self, node_id: str) -> set[str]:
        """Every node `node_id` depends on, directly or not."""
        seen: set[str] = set()
        stack = list(self.get_node(node_id).depends_on)
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.get_node(current).depends_on)
        return seen

    def critical_path(self, durations: Mapping[str, float]) -> tuple[list[str], float]:
        """The longest chain by the given node durations (missing ones count as 0)."""
        finish: dict[str, float] = {}
        parent: dict[str, str | None] = {}
        for node in self.topological_order():
            best, best_parent = 0.0, None
            for d in node.depends_on:
                if finish[d] > best or best_parent is None:
                    best, best_parent = finish[d], d
            finish[node.id] = best + float(durations.get(node.id, 0.0))
            parent[node.id] = best_parent
        if not finish:
            return [], 0.0
        end = max(finish, key=lambda k: finish[k])
        path: list[str] = []
        cursor: str | None = end
        while cursor is not None:
            path.append(cursor)
            cursor = parent[cursor]
        return list(reversed(path)), finish[end]

    # -- validation -------------------------------------------------------------
    def validate_structure(self) -> list[str]:
        """Every problem that makes this DAG unschedulable, in words a user can act on."""
        problems: list[str] = []
        ids: set[str] = set()
        for n in self.nodes:
            if n.id in ids:
                problems.append(f"duplicate node id {n.id!r}")
            ids.add(n.id)
        owners: dict[str, str] = {}
        for n in self.nodes:
            for d in n.depends_on:
                if d == n.id:
                    problems.append(f"node {n.id!r} depends on itself")
                elif d not in ids:
                    problems.append(f"node {n.id!r} depends on unknown node {d!r}")
            for f in n.files:
                if f in owners and owners[f] != n.id:
                    problems.append(f"file {f!r} is claimed by nodes {owners[f]!r} and {n.id!r}")
                owners.setdefault(f, n.id)
        if not problems:
            graph = {n.id: {d for d in n.depends_on} for n in self.nodes}
            try:
                graphlib.TopologicalSorter(graph).prepare()
            except graphlib.CycleError as exc:
                cycle = exc.args[1] if len(exc.args) > 1 else []
                problems.append("dependency cycle: " + " -> ".join(map(str, cycle)))
        return problems

    def raise_if_invalid(self) -> None:
        problems = self.validate_structure()
        if problems:
            raise DAGValidationError(problems)

    # -- copies with changes (state is never mutated in place) ----------------------
    def with_node(self, node: TaskNode) -> TaskDAG:
        return TaskDAG(nodes=[node if n.id == node.id else n for n in self.nodes])

    def reset_nodes(self, node_ids: Iterable[str]) -> TaskDAG:
        """A copy where the given nodes are IDLE again; every other node keeps its state."""
        wanted = set(node_ids)
        return TaskDAG(nodes=[n.as_idle() if n.id in wanted else n for n in self.nodes])

    def mark(self, node_id: str, status: NodeStatus, **fields: object) -> TaskDAG:
        node = self.get_node(node_id)
        update: dict[str, object] = {"status": status, **fields}
        if status == NodeStatus.RUNNING and "started_at" not in fields:
            update["started_at"] = time.time()
        if status in (NodeStatus.DONE, NodeStatus.FAILED) and "finished_at" not in fields:
            update["finished_at"] = time.time()
        return self.with_node(node.model_copy(update=update))
