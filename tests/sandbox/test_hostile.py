"""Hostile generated tests, run through every local isolation path: each must be contained."""

from __future__ import annotations

import resource
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.report import TestReport
from sandbox import SandboxLimits, run_tests
from sandbox.local import LocalBackend
from tests.sandbox.conftest import processes_in, write_project

SECRETS = {"ANTHROPIC_API_KEY": "sk-ant-hostile", "OPENAI_API_KEY": "sk-hostile", "MY_TOKEN": "t0k"}
QUICK = SandboxLimits(wall_timeout_s=30, processes=64)


@pytest.fixture(scope="module")
def escape(
    local_backend: LocalBackend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, object]]:
    """One sandboxed run of many escape attempts; the host side is checked by each test."""
    base = tmp_path_factory.mktemp(f"escape-{local_backend.mode}")
    home = base / "home"
    home.mkdir(mode=0o700)
    marker = home / "marker.txt"
    marker.write_text("host secret")
    tmp_name = f"/tmp/sandbox-escape-{uuid.uuid4().hex}"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    port = server.getsockname()[1]
    project = write_project(
        base / "project",
        {
            "tests/test_escape.py": f"""
            import os, socket, time

            def test_secrets_hidden():
                print(sorted(os.environ))
                for name in {sorted(SECRETS)!r}:
                    assert name not in os.environ

            def test_host_home_hidden():
                assert os.environ["HOME"] != {str(home)!r}
                try:
                    text = open({str(marker)!r}).read()
                except OSError:
                    text = ""
                assert "host secret" not in text

            def test_write_parent():
                try:
                    open("../escaped.txt", "w").write("out")
                except OSError:
                    pass

            def test_write_tmp():
                try:
                    open({tmp_name!r}, "w").write("out")
                except OSError:
                    pass

            def test_network_blocked():
                s = socket.socket()
                s.settimeout(2)
                try:
                    s.connect(("127.0.0.1", {port}))
                    connected = True
                except OSError:
                    connected = False
                assert not connected

            def test_alloc_8gb():
                blob = bytearray(8 * 1024**3)
                assert len(blob)

            def test_write_1gb():
                with open("big.bin", "wb") as fh:
                    for _ in range(1024):
                        fh.write(b"x" * 1024 * 1024)

            def test_daemon():
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        while True:
                            with open("daemon.log", "a") as fh:
                                fh.write("alive\\n")
                            time.sleep(0.05)
                    os._exit(0)
                time.sleep(0.3)
                assert os.path.getsize("daemon.log") > 0
            """
        },
    )
    with pytest.MonkeyPatch.context() as mp:
        for key, value in SECRETS.items():
            mp.setenv(key, value)
        mp.setenv("HOME", str(home))
        report = run_tests(project, backend=local_backend, limits=QUICK)
    try:
        accepted = server.accept()[0]
        accepted.close()
        reached = True
    except BlockingIOError:
        reached = False
    server.close()
    yield {"report": report, "project": project, "tmp": Path(tmp_name), "reached": reached}
    Path(tmp_name).unlink(missing_ok=True)


def case(report: TestReport, name: str) -> str:
    matches = [c for c in report.cases if c.name == name]
    assert matches, f"{name} missing from {[c.name for c in report.cases]}"
    return f"{matches[0].outcome}: {matches[0].message[-400:]}"


def test_api_keys_are_not_visible(escape: dict) -> None:
    report = escape["report"]
    assert case(report, "test_secrets_hidden").startswith("passed")
    assert not any(v in report.stdout_tail for v in SECRETS.values())


def test_host_home_is_not_readable(escape: dict) -> None:
    assert case(escape["report"], "test_host_home_hidden").startswith("passed")


def test_writes_outside_the_project_do_not_reach_the_host(escape: dict) -> None:
    project: Path = escape["project"]
    assert case(escape["report"], "test_write_parent").startswith("passed")
    assert not (project.parent / "escaped.txt").exists()
    assert not escape["tmp"].exists()


def test_network_is_unreachable(escape: dict) -> None:
    assert case(escape["report"], "test_network_blocked").startswith("passed")
    assert escape["reached"] is False


def test_huge_allocation_is_reported_as_memory(escape: dict) -> None:
    report = escape["report"]
    assert "MemoryError" in case(report, "test_alloc_8gb")
    assert report.memory_exceeded


def test_huge_file_is_stopped_by_the_size_limit(escape: dict) -> None:
    outcome = case(escape["report"], "test_write_1gb")
    assert outcome.startswith("failed") and "File too large" in outcome
    assert (escape["project"] / "big.bin").stat().st_size <= QUICK.file_size_bytes


def test_daemonized_child_does_not_outlive_the_run(escape: dict) -> None:
    project: Path = escape["project"]
    assert case(escape["report"], "test_daemon").startswith("passed")
    log = project / "daemon.log"
    size = log.stat().st_size
    time.sleep(0.3)  # the daemon appends every 50 ms while alive
    assert log.stat().st_size == size
    assert processes_in(project) == []


def test_infinite_loop_times_out_and_leaves_nothing(
    local_backend: LocalBackend, tmp_path: Path
) -> None:
    project = write_project(
        tmp_path, {"tests/test_loop.py": "def test_spin():\n    while True: pass\n"}
    )
    report = run_tests(project, backend=local_backend, limits=SandboxLimits(wall_timeout_s=3))
    assert report.timed_out and not report.ok
    assert processes_in(project) == []


_PROCESS_LIMIT_PROVEN: set[str] = set()


def test_process_limit_holds_for_a_small_count(local_backend: LocalBackend, tmp_path: Path) -> None:
    """Proves RLIMIT_NPROC bites with 40 sleepers under a limit of 16, before any fork bomb."""
    project = write_project(
        tmp_path,
        {
            "tests/test_forks.py": """
            import os, signal, time

            def test_forty_sleepers():
                pids = []
                try:
                    for _ in range(40):
                        try:
                            pid = os.fork()
                        except BlockingIOError:
                            break
                        if pid == 0:
                            time.sleep(5)
                            os._exit(0)
                        pids.append(pid)
                finally:
                    for pid in pids:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                assert len(pids) == 40, f"only {len(pids)} forks allowed"
            """
        },
    )
    limits = SandboxLimits(wall_timeout_s=20, processes=16)
    report = run_tests(project, backend=local_backend, limits=limits)
    outcome = case(report, "test_forty_sleepers")
    assert outcome.startswith("failed") and "forks allowed" in outcome
    assert processes_in(project) == []
    _PROCESS_LIMIT_PROVEN.add(local_backend.mode)


def test_fork_bomb_is_contained(local_backend: LocalBackend, tmp_path: Path) -> None:
    if local_backend.mode not in _PROCESS_LIMIT_PROVEN:
        pytest.fail("process limit not proven for this backend; refusing to run a fork bomb")
    project = write_project(
        tmp_path,
        {
            "tests/test_bomb.py": """
            import os, time

            def test_bomb():
                while True:
                    try:
                        os.fork()
                    except OSError:
                        time.sleep(0.01)
            """
        },
    )
    report = run_tests(
        project, backend=local_backend, limits=SandboxLimits(wall_timeout_s=4, processes=24)
    )
    assert report.timed_out
    assert processes_in(project) == []


def test_flood_of_output_keeps_a_bounded_tail(local_backend: LocalBackend, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "tests/test_flood.py": """
            import os

            def test_flood(capsys):
                with capsys.disabled():
                    chunk = b"y" * (1024 * 1024)
                    for _ in range(100):
                        os.write(1, chunk)
            """
        },
    )
    cap = 64 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = run_tests(
        project,
        backend=local_backend,
        limits=SandboxLimits(wall_timeout_s=30, output_cap_bytes=cap),
    )
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert report.output_truncated
    assert case(report, "test_flood").startswith("passed")
    assert len(report.stdout_tail.encode()) <= cap + 200  # tail plus the "dropped" notice
    assert grown_kib < 50 * 1024  # 100 MB never sat in this process


def test_hard_exit_is_a_crash_with_its_code(local_backend: LocalBackend, tmp_path: Path) -> None:
    project = write_project(
        tmp_path, {"tests/test_exit.py": "import os\n\ndef test_exit():\n    os._exit(3)\n"}
    )
    report = run_tests(project, backend=local_backend, limits=QUICK)
    assert report.exit_code == 3
    assert report.setup_error is not None and "exit code 3" in report.setup_error
    assert not report.timed_out


def test_test_file_that_fails_to_import_blames_the_module(
    local_backend: LocalBackend, tmp_path: Path
) -> None:
    project = write_project(
        tmp_path,
        {
            "calc.py": "raise RuntimeError('broken at import')\n",
            "tests/test_calc.py": "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
        },
    )
    report = run_tests(project, backend=local_backend, limits=QUICK)
    assert report.errors == 1 and report.setup_error is None
    assert report.failing_files == ["calc.py"]
    assert report.cases[0].blamed_files == ["calc.py"]
