"""The state LangGraph threads through the pipeline. Nodes return partial updates of it."""

from __future__ import annotations

import operator
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from models.dag import TaskDAG
from models.report import TestReport
from models.schemas import Plan, Review
from models.usage import LLMUsage

ArtifactKind = Literal["source", "test", "doc"]


class RunStatus(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    BUDGET_EXCEEDED = "budget_exceeded"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self not in (RunStatus.PENDING, RunStatus.RUNNING)


class Artifact(BaseModel):
    path: str
    content: str
    kind: ArtifactKind = "source"
    node_id: str | None = None
    iteration: int = 0


class PhaseTiming(BaseModel):
    phase: str
    iteration: int = 0
    started_at: float
    finished_at: float

    @property
    def seconds(self) -> float:
        return self.finished_at - self.started_at


class Revision(BaseModel):
    """One round of surgical revision: which nodes were reset and why."""

    iteration: int
    failing_files: list[str]
    reset_nodes: list[str]
    reasons: list[str] = Field(default_factory=list)


class CodingRound(BaseModel):
    """One pass of the coders: wall time against the same nodes run one after another."""

    iteration: int
    nodes: list[str]
    wall_s: float
    work_s: float
    max_parallel: int = 1

    @property
    def speedup(self) -> float:
        return self.work_s / self.wall_s if self.wall_s > 0 else 1.0


def merge_artifacts(left: dict[str, Artifact], right: dict[str, Artifact]) -> dict[str, Artifact]:
    """Later writes of a path replace earlier ones; every other file is kept."""
    merged = dict(left or {})
    merged.update(right or {})
    return merged


class AgentState(BaseModel):
    run_id: str = ""
    user_request: str
    project_name: str = ""
    summary: str = ""
    plan: Plan | None = None
    task_dag: TaskDAG | None = None
    artifacts: Annotated[dict[str, Artifact], merge_artifacts] = Field(default_factory=dict)
    review: Review | None = None
    test_result: TestReport | None = None
    status: RunStatus = RunStatus.PENDING
    iteration: int = 0
    max_iterations: int = 3
    approve_plan: bool = False
    failing_files: list[str] = Field(default_factory=list)
    feedback: dict[str, list[str]] = Field(
        default_factory=dict, description="Why each failing file failed, for its coder"
    )
    integration_problems: dict[str, list[str]] = Field(default_factory=dict)
    error: str | None = None
    timings: Annotated[list[PhaseTiming], operator.add] = Field(default_factory=list)
    usage: Annotated[list[LLMUsage], operator.add] = Field(default_factory=list)
    revisions: Annotated[list[Revision], operator.add] = Field(default_factory=list)
    coding: Annotated[list[CodingRound], operator.add] = Field(default_factory=list)

    def files(self, kind: ArtifactKind | None = None) -> dict[str, str]:
        return {
            p: a.content
            for p, a in sorted(self.artifacts.items())
            if kind is None or a.kind == kind
        }

    @property
    def cost_usd(self) -> float:
        return sum(u.cost_usd for u in self.usage)


# Modules whose Pydantic models the checkpointer may restore (langgraph's msgpack allowlist).
CHECKPOINT_MODULES: list[tuple[str, ...]] = [
    ("models.state", "AgentState"),
    ("models.state", "Artifact"),
    ("models.state", "PhaseTiming"),
    ("models.state", "Revision"),
    ("models.state", "CodingRound"),
    ("models.state", "RunStatus"),
    ("models.dag", "TaskDAG"),
    ("models.dag", "TaskNode"),
    ("models.dag", "NodeStatus"),
    ("models.schemas", "Plan"),
    ("models.schemas", "PlannedFile"),
    ("models.schemas", "Review"),
    ("models.schemas", "ReviewIssue"),
    ("models.report", "TestReport"),
    ("models.report", "TestCase"),
    ("models.usage", "LLMUsage"),
]
