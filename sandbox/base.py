"""What every backend receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sandbox.limits import SandboxLimits


@dataclass(frozen=True)
class PythonEnv:
    """The interpreter that runs pytest and the host directories it needs to see."""

    executable: str
    paths: tuple[str, ...] = ()
    site_dir: str | None = None  # extra site-packages (Docker: requirements installed there)


@dataclass(frozen=True)
class RunSpec:
    project_dir: Path
    pytest_args: list[str]
    python: PythonEnv
    limits: SandboxLimits
    requirements: tuple[str, ...] = ()


@dataclass
class RawRun:
    """What came out of the sandbox, before the JUnit file is read."""

    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    timed_out: bool = False
    duration_s: float = 0.0
    setup_error: str | None = None
    notes: list[str] = field(default_factory=list)


class Backend(Protocol):
    missing_isolation: list[str]
    # Where the project appears inside the sandbox when it is not its host path.
    sandbox_root: str | None

    @property
    def name(self) -> str: ...

    def run(self, spec: RunSpec) -> RawRun: ...
