"""Settings: defaults, environment and `.env` overrides, provider auto-selection."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from models.settings import HAIKU, SONNET, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No inherited configuration: no provider variables and no `.env` in the working dir."""
    for name in list(os.environ):
        if name.startswith(("CODEGEN_", "ANTHROPIC_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_defaults() -> None:
    s = Settings()
    assert s.model_planner == s.model_coder == SONNET == "claude-sonnet-4-6"
    others = (s.model_orchestrator, s.model_integrator, s.model_reviewer, s.model_tester)
    assert set(others) == {HAIKU} and HAIKU == "claude-haiku-4-5"
    assert s.model_for("planner") == SONNET
    assert s.model_for("test_writer") == SONNET  # test writers are coders
    assert s.model_for("reviewer") == HAIKU
    assert (s.provider, s.max_workers, s.max_iterations) == ("auto", 4, 3)
    assert s.home == Path("runs")
    assert s.db_path == Path("runs/runs.sqlite")
    assert s.checkpoint_path == Path("runs/checkpoints.sqlite")


def test_environment_overrides_use_the_codegen_prefix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CODEGEN_MAX_WORKERS", "8")
    monkeypatch.setenv("CODEGEN_MODEL_REVIEWER", "claude-opus-4-5")
    monkeypatch.setenv("CODEGEN_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("MAX_WORKERS", "99")  # without the prefix: ignored
    s = Settings()
    assert s.max_workers == 8
    assert s.model_for("reviewer") == "claude-opus-4-5"
    assert s.db_path == tmp_path / "data" / "runs.sqlite"


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEGEN_MAX_WORKERS", "0")
    with pytest.raises(ValidationError, match="max_workers"):
        Settings()


def test_dotenv_file_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / ".env").write_text(
        "CODEGEN_MAX_ITERATIONS=5\nANTHROPIC_API_KEY=sk-from-dotenv\nUNRELATED=1\n"
    )
    s = Settings()
    assert s.max_iterations == 5
    assert s.anthropic_api_key is not None
    assert s.anthropic_api_key.get_secret_value() == "sk-from-dotenv"
    assert "sk-from-dotenv" not in repr(s)  # the key is a secret
    monkeypatch.setenv("CODEGEN_MAX_ITERATIONS", "2")
    assert Settings().max_iterations == 2  # the environment beats `.env`


def test_explicit_overrides_win_and_none_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEGEN_MAX_WORKERS", "8")
    s = load_settings(max_workers=2, budget_usd=None)
    assert s.max_workers == 2 and s.budget_usd == 2.0


def test_auto_provider_without_configuration_is_replay() -> None:
    s = Settings()
    assert s.resolved_provider() == "replay"
    assert s.provider_reason().startswith("replay: no ANTHROPIC_API_KEY or OPENAI_BASE_URL")


def test_auto_provider_with_an_anthropic_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    s = Settings()
    assert s.resolved_provider() == "anthropic"  # a key beats a base URL
    assert s.provider_reason() == "anthropic: ANTHROPIC_API_KEY is set"


def test_an_empty_anthropic_key_does_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "")
    assert Settings().resolved_provider() == "replay"


def test_auto_provider_with_an_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("CODEGEN_OPENAI_MODEL", "qwen2.5-coder")
    s = Settings()
    assert s.resolved_provider() == "openai"
    assert s.provider_reason() == "openai: OPENAI_BASE_URL is set (http://127.0.0.1:11434/v1)"
    assert s.model_for("planner") == s.model_for("reviewer") == "qwen2.5-coder"


def test_an_explicit_provider_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("CODEGEN_PROVIDER", "replay")
    s = Settings()
    assert s.resolved_provider() == "replay"
    assert s.provider_reason() == "replay: chosen explicitly (CODEGEN_PROVIDER=replay)"
