"""The `parallel-codegen` command as a user runs it: exit codes, files, summary."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cli
from agents.llm.fake import ScriptedLLM
from agents.llm.recorder import RecordingLLM
from graph.runner import execute_run
from graph.store import RunStore
from models.settings import Settings
from tests.support.synthetic import SyntheticProject, diamond

REPO = Path(__file__).resolve().parents[2]
REQUEST = "Modules that add up in a diamond."


@pytest.fixture(scope="module")
def cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cassette")
    path = root / "diamond.jsonl"
    llm = RecordingLLM(ScriptedLLM(SyntheticProject(diamond())), path, REQUEST)
    settings = Settings(_env_file=None, home=root / "rec", sandbox="local")  # type: ignore[call-arg]
    result = asyncio.run(execute_run(settings, request=REQUEST, llm=llm))
    assert result.status == "done", result.error
    return path


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("API_KEY")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, str(REPO / "cli.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_run_writes_project_zip_and_git_repo(tmp_path: Path, cassette: Path) -> None:
    out, zip_path, home = tmp_path / "out", tmp_path / "project.zip", tmp_path / "home"
    proc = run_cli(
        "run", REQUEST, "--replay", str(cassette), "--out", str(out), "--zip", str(zip_path),
        "--home", str(home), "--quiet",
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    assert ": done" in proc.stdout
    assert "tests: 4/4 passed" in proc.stdout
    assert "cache reads" in proc.stdout and "speedup" in proc.stdout
    assert (out / "base.py").is_file() and (out / "tests" / "test_top.py").is_file()
    assert (out / "README.md").read_text().startswith("# synthetic")
    with zipfile.ZipFile(zip_path) as zf:
        assert {"base.py", "left.py", "right.py", "top.py", "README.md"} <= set(zf.namelist())
    if (out / ".git").exists():
        log = subprocess.run(
            ["git", "log", "--oneline"], cwd=out, capture_output=True, text=True, check=True
        )
        assert len(log.stdout.strip().splitlines()) == 1

    run_id = RunStore(home / "runs.sqlite").list_runs()[0].run_id
    listing = run_cli("runs", "--home", str(home))
    assert listing.returncode == 0
    assert run_id in listing.stdout and "done" in listing.stdout
    shown = run_cli("show", run_id, "--home", str(home))
    assert shown.returncode == 0 and "DONE" in shown.stdout


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert cli.main(["run"]) == 2
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["run", "x", "--workers", "0", "--home", str(tmp_path)]) == 2
    assert cli.main(["show", "no-such-run", "--home", str(tmp_path)]) == 2


def test_unrecorded_prompt_without_key_explains_how_to_use_a_real_model(tmp_path: Path) -> None:
    proc = run_cli("run", "a spreadsheet engine in rust", "--home", str(tmp_path), "--quiet")

    assert proc.returncode == 2
    assert "ANTHROPIC_API_KEY" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rejected_request_exits_1(tmp_path: Path, cassette: Path) -> None:
    proc = run_cli("run", "   ", "--replay", str(cassette), "--home", str(tmp_path), "--quiet")

    assert proc.returncode == 1
    assert "rejected" in proc.stdout
