"""Isolated execution of generated pytest suites: local (bubblewrap / unshare) or Docker."""

from sandbox.base import Backend, RawRun, RunSpec
from sandbox.limits import SandboxLimits
from sandbox.runner import arun_tests, run_tests
from sandbox.selection import BackendUnavailable, select_backend

__all__ = [
    "Backend",
    "BackendUnavailable",
    "RawRun",
    "RunSpec",
    "SandboxLimits",
    "arun_tests",
    "run_tests",
    "select_backend",
]
