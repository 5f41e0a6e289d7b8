"""Typed data of the pipeline: the DAG, the LLM protocol, the state, usage and settings."""

from models.dag import DAGValidationError, NodeStatus, TaskDAG, TaskNode, WorkerStatus
from models.paths import UnsafePathError, check_path, is_safe_path
from models.report import TestCase, TestReport
from models.schemas import (
    FileBundle,
    GeneratedFile,
    Plan,
    PlannedFile,
    RequestAnalysis,
    Review,
    ReviewIssue,
)
from models.settings import Settings, load_settings
from models.state import AgentState, Artifact, PhaseTiming, Revision, RunStatus
from models.usage import PRICES, LLMUsage, UsageTotals, cost_of

__all__ = [
    "PRICES",
    "AgentState",
    "Artifact",
    "DAGValidationError",
    "FileBundle",
    "GeneratedFile",
    "LLMUsage",
    "NodeStatus",
    "PhaseTiming",
    "Plan",
    "PlannedFile",
    "RequestAnalysis",
    "Review",
    "ReviewIssue",
    "Revision",
    "RunStatus",
    "Settings",
    "TaskDAG",
    "TaskNode",
    "TestCase",
    "TestReport",
    "UnsafePathError",
    "UsageTotals",
    "WorkerStatus",
    "check_path",
    "cost_of",
    "is_safe_path",
    "load_settings",
]
