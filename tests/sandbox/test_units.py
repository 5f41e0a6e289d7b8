"""Output capping, environment scrubbing, requirement filtering and backend choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import run_tests, select_backend
from sandbox.environment import sandbox_env
from sandbox.local import LocalBackend
from sandbox.output import TailBuffer
from sandbox.requirements import cache_key, needed


def test_tail_buffer_keeps_the_end_and_counts_the_rest() -> None:
    buf = TailBuffer(10)
    for i in range(100):
        buf.write(f"{i:03d}".encode())
    assert buf.truncated
    assert buf.text().endswith("7098099")
    assert "dropped" in buf.text()
    assert not TailBuffer(10).truncated


def test_environment_has_no_secrets_and_no_host_home() -> None:
    host = {"HOME": "/root", "ANTHROPIC_API_KEY": "x", "LANG": "en_US.UTF-8", "MY_TOKEN": "t"}
    env = sandbox_env(home="/tmp/home", host=host)
    assert env["HOME"] == "/tmp/home"
    assert env["LANG"] == "en_US.UTF-8"
    assert not {"ANTHROPIC_API_KEY", "MY_TOKEN"} & env.keys()


def test_requirements_skip_stdlib_and_installed() -> None:
    assert needed(["json", "sqlite3", "pytest", "", "# comment"]) == []
    assert needed(["Some_Package>=1.0", "pydantic>=999"]) == ["pydantic>=999", "some-package>=1.0"]
    assert cache_key(["b", "a"]) == cache_key(["a", "b"])


def test_uninstallable_requirement_is_a_setup_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sandbox.requirements.INSTALL_TIMEOUT_S", 60.0)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("def test_x():\n    pass\n")
    report = run_tests(
        tmp_path,
        requirements=["definitely-not-a-real-package-xyz==0.0.1"],
        backend=LocalBackend.detect(allow_bwrap=False)[0],
        venv_cache=tmp_path / "venvs",
    )
    assert report.setup_error is not None
    assert "definitely-not-a-real-package-xyz" in report.setup_error
    assert "No matching distribution" in report.setup_error or "timed out" in report.setup_error
    assert report.total == 0


def test_missing_tests_dir_is_a_setup_error(tmp_path: Path) -> None:
    report = run_tests(tmp_path, backend=LocalBackend.detect()[0])
    assert report.setup_error == "no tests to run: tests not found in project"


def test_zero_tests_collected_is_a_setup_error(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_empty.py").write_text("X = 1\n")
    report = run_tests(tmp_path, backend=LocalBackend.detect()[0])
    assert report.setup_error is not None and "no tests were collected" in report.setup_error


def test_auto_without_engine_falls_back_to_local_with_a_note() -> None:
    def unreachable() -> object:
        raise ConnectionError("Error while fetching server API version")

    backend, note = select_backend("auto", docker_client=unreachable)
    assert backend.name.startswith("local-")
    assert note.startswith("docker engine not reachable")


def test_explicit_docker_without_engine_raises() -> None:
    def unreachable() -> object:
        raise ConnectionError("no socket")

    with pytest.raises(RuntimeError, match="docker engine not reachable"):
        select_backend("docker", docker_client=unreachable)


def test_env_preference_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEGEN_SANDBOX", "local")

    def must_not_call() -> object:
        raise AssertionError("docker probed although local was chosen")

    backend, note = select_backend("auto", docker_client=must_not_call)
    assert backend.name.startswith("local-") and note.startswith("local requested")


async def test_arun_tests_reports_from_a_worker_thread(tmp_path: Path) -> None:
    from sandbox import arun_tests

    report = await arun_tests(tmp_path, backend=LocalBackend.detect()[0])
    assert report.setup_error == "no tests to run: tests not found in project"
