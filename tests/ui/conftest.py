"""Fixtures for the dashboard tests: a recorded example and an isolated data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.synthetic import diamond
from tests.ui.cassettes import record_cassette

REQUEST = "Modules that add up in a diamond."
BUGGY_REQUEST = "Modules that add up in a diamond, where the left one is wrong at first."


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding one recorded example, as examples/ does for the offline demo."""
    root = tmp_path_factory.mktemp("examples")
    # Recorded coder latencies let a test slow the replay down (replay speed) to cancel it.
    record_cassette(root / "diamond.jsonl", REQUEST, diamond(), coder_latency=0.5)
    record_cassette(root / "revision.jsonl", BUGGY_REQUEST, diamond(), bugs={"left": 1})
    return root


@pytest.fixture
def home(tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No API key, replay at full speed, and a fresh run store under a temporary directory."""
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEGEN_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CODEGEN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CODEGEN_EXAMPLES", str(examples))
    monkeypatch.setenv("CODEGEN_DASHBOARD_REPLAY_SPEED", "0")
    monkeypatch.setenv("CODEGEN_SANDBOX", "local")
    monkeypatch.chdir(tmp_path)  # no stray .env is read from the working directory
    return tmp_path / "home"
