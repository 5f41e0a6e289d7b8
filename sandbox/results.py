"""Turn a finished sandbox run plus its JUnit file into a TestReport."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from models.report import TestCase, TestReport
from sandbox.attribution import Attributor, attribute
from sandbox.base import RawRun
from sandbox.junit import JUnitError, parse_junit_text

RESULTS_DIR = ".sandbox"
JUNIT_NAME = "junit.xml"
_JUNIT_MAX_BYTES = 64 * 1024**2
_MEMORY = re.compile(r"\bMemoryError\b|std::bad_alloc|Cannot allocate memory")
# pytest exit codes (pytest.ExitCode)
_INTERNAL_ERROR, _USAGE_ERROR, _NO_TESTS = 3, 4, 5


def read_junit(project_dir: Path) -> str | None:
    """The JUnit text, refusing symlinks and non-regular files the tests may have planted."""
    try:
        dir_fd = os.open(project_dir / RESULTS_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fd = os.open(JUNIT_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        return fh.read(_JUNIT_MAX_BYTES).decode("utf-8", errors="replace")


def build_report(
    raw: RawRun,
    project_dir: Path,
    *,
    backend: str,
    note: str = "",
    missing_isolation: list[str] | None = None,
    sandbox_root: str | None = None,
    test_paths: tuple[str, ...] = ("tests",),
) -> TestReport:
    report = TestReport(
        backend=backend,
        backend_note=note,
        exit_code=raw.exit_code,
        duration_s=round(raw.duration_s, 3),
        stdout_tail=raw.stdout,
        stderr_tail=raw.stderr,
        timed_out=raw.timed_out,
        output_truncated=raw.output_truncated,
        missing_isolation=list(missing_isolation or []),
        setup_error=raw.setup_error,
    )
    if raw.setup_error:
        return report
    cases: list[TestCase] = []
    text = read_junit(project_dir)
    junit_problem = None
    if text is not None:
        try:
            cases = parse_junit_text(text)
        except JUnitError as exc:
            junit_problem = str(exc)
    cases, failing = attribute(cases, Attributor(project_dir, sandbox_root))
    report.cases = cases
    report.failing_files = failing
    for case in cases:
        field = {"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}
        setattr(report, field[case.outcome], getattr(report, field[case.outcome]) + 1)
    report.memory_exceeded = any(
        _MEMORY.search(chunk) for chunk in (raw.stdout, raw.stderr, *(c.message for c in cases))
    )
    report.setup_error = _setup_error(raw, text, junit_problem, cases, test_paths)
    return report


def _setup_error(
    raw: RawRun,
    junit: str | None,
    junit_problem: str | None,
    cases: list[TestCase],
    test_paths: tuple[str, ...],
) -> str | None:
    if raw.timed_out:
        return None  # reported through `timed_out`; the run itself was set up fine
    where = ", ".join(test_paths)
    if raw.exit_code == _NO_TESTS or (junit is not None and not cases and raw.exit_code == 0):
        return f"no tests were collected from {where}"
    if junit is None:
        return (
            f"the test run crashed with exit code {raw.exit_code} before writing results "
            f"(pytest killed, os._exit, or interpreter failure){_last_line(raw)}"
        )
    if junit_problem:
        return f"unreadable test results: {junit_problem}"
    if raw.exit_code in (_INTERNAL_ERROR, _USAGE_ERROR) and not cases:
        return f"pytest could not run (exit code {raw.exit_code}){_last_line(raw)}"
    return None


def _last_line(raw: RawRun) -> str:
    for chunk in (raw.stderr, raw.stdout):
        lines = [line for line in chunk.strip().splitlines() if line.strip()]
        if lines:
            return f": {lines[-1][:300]}"
    return ""
