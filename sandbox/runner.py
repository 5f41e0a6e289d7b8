"""run_tests: requirements, backend choice, the sandboxed pytest run and its report."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from models.report import TestReport
from sandbox.base import Backend, RawRun, RunSpec
from sandbox.docker_backend import DockerBackend, container_python
from sandbox.limits import SandboxLimits
from sandbox.requirements import (
    RequirementError,
    current_python,
    default_cache_root,
    ensure_venv,
    needed,
)
from sandbox.results import JUNIT_NAME, RESULTS_DIR, build_report
from sandbox.selection import select_backend


def pytest_args(root: str, test_paths: Sequence[str]) -> list[str]:
    """Arguments after `python -m pytest`; `root` is the project as the sandbox sees it."""
    return [
        "-q",
        "-p",
        "no:cacheprovider",
        "--continue-on-collection-errors",
        f"--junitxml={root}/{RESULTS_DIR}/{JUNIT_NAME}",
        "-o",
        "junit_family=xunit2",
        f"--rootdir={root}",
        *test_paths,
    ]


def run_tests(
    project_dir: Path,
    *,
    requirements: Sequence[str] = (),
    limits: SandboxLimits | None = None,
    backend: str | Backend = "auto",
    venv_cache: Path | None = None,
    test_paths: Sequence[str] = ("tests",),
) -> TestReport:
    """Run the project's pytest suite in the sandbox and report per-test outcomes and blame."""
    project = Path(project_dir).resolve()
    limits = limits or SandboxLimits()
    if isinstance(backend, str):
        chosen, note = select_backend(backend)
    else:
        chosen, note = backend, f"{backend.name}: backend given by the caller"
    paths = tuple(test_paths)

    def report(raw: RawRun) -> TestReport:
        return build_report(
            raw,
            project,
            backend=chosen.name,
            note=note,
            missing_isolation=chosen.missing_isolation,
            sandbox_root=chosen.sandbox_root,
            test_paths=paths,
        )

    if not project.is_dir():
        return report(RawRun(None, setup_error=f"project directory {project} does not exist"))
    absent = [p for p in paths if not (project / p).exists()]
    if absent:
        return report(
            RawRun(None, setup_error=f"no tests to run: {', '.join(absent)} not found in project")
        )
    try:
        extra = needed(requirements)
    except RequirementError as exc:
        return report(RawRun(None, setup_error=str(exc)))
    docker = isinstance(chosen, DockerBackend)
    python = container_python() if docker else current_python()
    if extra and not docker:
        try:
            python = ensure_venv(extra, venv_cache or default_cache_root())
        except RequirementError as exc:
            return report(RawRun(None, setup_error=str(exc)))
    _reset_results(project)
    root = chosen.sandbox_root or str(project)
    spec = RunSpec(project, pytest_args(root, paths), python, limits, tuple(extra))
    return report(chosen.run(spec))


async def arun_tests(
    project_dir: Path,
    *,
    requirements: Sequence[str] = (),
    limits: SandboxLimits | None = None,
    backend: str | Backend = "auto",
    venv_cache: Path | None = None,
    test_paths: Sequence[str] = ("tests",),
) -> TestReport:
    """run_tests in a worker thread, so the event loop keeps scheduling other nodes."""
    return await asyncio.to_thread(
        run_tests,
        project_dir,
        requirements=requirements,
        limits=limits,
        backend=backend,
        venv_cache=venv_cache,
        test_paths=test_paths,
    )


def _reset_results(project: Path) -> None:
    """A fresh results dir, so a stale JUnit file can never be read as this run's."""
    results = project / RESULTS_DIR
    if results.is_symlink() or results.is_file():
        results.unlink()
    elif results.is_dir():
        shutil.rmtree(results)
    results.mkdir()
    os.chmod(results, 0o755)
