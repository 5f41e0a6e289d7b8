"""Sandbox overhead: a 20-test stdlib project under bare pytest vs `run_tests` (local backend)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sandbox import run_tests
from sandbox.local import LocalBackend
from sandbox.plugins import plugin_args
from sandbox.requirements import current_python, ensure_venv
from sandbox.runner import pytest_args

REPEATS = 5
MODULE = """
import json, statistics


def mean(xs):
    return statistics.fmean(xs)


def roundtrip(obj):
    return json.loads(json.dumps(obj))
"""


def make_project(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "stats.py").write_text(MODULE)
    tests = ["from stats import mean, roundtrip\n"]
    for i in range(20):
        tests.append(
            f"\ndef test_{i:02d}():\n"
            f"    assert mean([{i}, {i + 2}]) == {i + 1}\n"
            f"    assert roundtrip({{'k': {i}}}) == {{'k': {i}}}\n"
        )
    (root / "tests" / "test_stats.py").write_text("".join(tests))
    return root


def bare_run(project: Path) -> float:
    """Plain pytest with the same plugins and arguments the sandbox uses, no isolation."""
    (project / ".sandbox").mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "pytest", *plugin_args(current_python())]
    cmd += pytest_args(str(project), ["tests"])
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    started = time.perf_counter()
    subprocess.run(cmd, cwd=project, env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def timed_run(project: Path, backend: LocalBackend) -> float:
    started = time.perf_counter()
    report = run_tests(project, backend=backend)
    elapsed = time.perf_counter() - started
    if report.passed != 20:
        raise RuntimeError(f"sandboxed run did not pass: {report.setup_error}")
    return elapsed


def run(report_dir: Path) -> dict:
    """Median wall time of each way over a few repetitions, and cached-venv setup times."""
    backend, note = LocalBackend.detect()
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        project = make_project(Path(tmp) / "project")
        bare_run(project)  # warm the page cache for both sides alike
        fallback, _ = LocalBackend.detect(allow_bwrap=False)
        bare: list[float] = []
        sandboxed: list[float] = []
        fallback_runs: list[float] = []
        for _ in range(REPEATS):  # interleaved, so load from other processes hits all alike
            bare.append(bare_run(project))
            sandboxed.append(timed_run(project, backend))
            fallback_runs.append(timed_run(project, fallback))
        # An empty requirement set exercises venv creation and the cache without network.
        cache = Path(tmp) / "venvs"
        started = time.perf_counter()
        ensure_venv([], cache)
        first = time.perf_counter() - started
        started = time.perf_counter()
        ensure_venv([], cache)
        second = time.perf_counter() - started
    bare_s = statistics.median(bare)
    sandbox_s = statistics.median(sandboxed)
    result = {
        "bare_s": round(bare_s, 3),
        "sandbox_s": round(sandbox_s, 3),
        "overhead_ratio": round(sandbox_s / bare_s, 3),
        "fallback_s": round(statistics.median(fallback_runs), 3),
        "fallback_backend": fallback.name,
        "venv_first_s": round(first, 3),
        "venv_second_s": round(second, 4),
        "backend": backend.name,
        "backend_note": note,
        "repeats": REPEATS,
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "sandbox.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(run(Path("benchmarks/results")), indent=2))
