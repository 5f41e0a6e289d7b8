"""What a test run in the sandbox reports: per-test outcomes, attribution, limits hit."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["passed", "failed", "error", "skipped"]


class TestCase(BaseModel):
    __test__ = False  # not a pytest class

    name: str
    classname: str = ""
    file: str | None = None
    outcome: Outcome
    duration_s: float = 0.0
    message: str = ""
    # Project files this failure points to (traceback frames, modules the test imports).
    blamed_files: list[str] = Field(default_factory=list)


class TestReport(BaseModel):
    __test__ = False

    backend: str = "none"
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    duration_s: float = 0.0
    exit_code: int | None = None
    cases: list[TestCase] = Field(default_factory=list)
    failing_files: list[str] = Field(
        default_factory=list, description="Project source files blamed for failures"
    )
    stdout_tail: str = ""
    stderr_tail: str = ""
    timed_out: bool = False
    memory_exceeded: bool = False
    output_truncated: bool = False
    setup_error: str | None = Field(
        default=None, description="Set when tests could not run at all (e.g. requirements)"
    )
    missing_isolation: list[str] = Field(
        default_factory=list, description="Isolation this backend could not provide"
    )
    backend_note: str = Field(default="", description="Which sandbox backend ran and why")

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    @property
    def ok(self) -> bool:
        return (
            self.setup_error is None
            and not self.timed_out
            and self.failed == 0
            and self.errors == 0
            and self.passed > 0
        )
