"""Schemas the LLM answers with. Field names are a public protocol (replay files depend on them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from models.paths import check_path


class RequestAnalysis(BaseModel):
    """The orchestrator's verdict on a request."""

    is_valid: bool = Field(description="True when the request describes software that can be built")
    reason: str = Field(description="Why the request is or is not accepted")
    project_name: str = Field(description="A short snake_case name for the project")
    summary: str = Field(description="The request restated as a precise specification")


class PlannedFile(BaseModel):
    path: str = Field(description="Relative POSIX path of the file, e.g. 'graphlib/bfs.py'")
    purpose: str = Field(description="What the file is for")
    interface: str = Field(
        description="The public interface other files may use: signatures, classes, constants"
    )
    imports: list[str] = Field(
        default_factory=list, description="Paths of other planned files this file imports"
    )

    @field_validator("path")
    @classmethod
    def _safe_path(cls, value: str) -> str:
        return check_path(value)


class Plan(BaseModel):
    objective: str
    files: list[PlannedFile] = Field(min_length=1)
    requirements: list[str] = Field(
        default_factory=list, description="Third-party packages the project needs (pip names)"
    )
    test_strategy: str = ""

    def file(self, path: str) -> PlannedFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]


class GeneratedFile(BaseModel):
    path: str = Field(description="Relative POSIX path of the file")
    content: str = Field(description="The complete file content")

    @field_validator("path")
    @classmethod
    def _safe_path(cls, value: str) -> str:
        return check_path(value)


class FileBundle(BaseModel):
    """Files written by a coder, the integrator or the test writer."""

    files: list[GeneratedFile] = Field(default_factory=list)


Severity = Literal["blocker", "major", "minor"]


class ReviewIssue(BaseModel):
    path: str = Field(description="The file the issue is in")
    severity: Severity
    message: str


class Review(BaseModel):
    score: int = Field(ge=0, le=10, description="Overall quality from 0 to 10")
    approved: bool
    summary: str
    issues: list[ReviewIssue] = Field(default_factory=list)

    def blocking_paths(self) -> set[str]:
        return {i.path for i in self.issues if i.severity in ("blocker", "major")}
