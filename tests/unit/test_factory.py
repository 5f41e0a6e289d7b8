"""Choosing the provider from settings and the environment; nothing built at import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from agents.llm.anthropic_provider import AnthropicLLM
from agents.llm.base import LLMError, NoRecordingError
from agents.llm.cassette import CassetteHeader
from agents.llm.factory import build_llm
from agents.llm.openai_provider import OpenAICompatLLM
from agents.llm.recorder import RecordingLLM
from agents.llm.replay import ReplayLLM
from models.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No provider configured; an examples directory holding one recorded session."""
    for name in list(os.environ):
        if name in PROVIDER_ENV or name.startswith("CODEGEN_"):
            monkeypatch.delenv(name)
    examples = tmp_path / "examples"
    examples.mkdir()
    header = CassetteHeader(request="A command-line todo app", provider="anthropic")
    (examples / "todo.jsonl").write_text(header.model_dump_json() + "\n")
    monkeypatch.setenv("CODEGEN_EXAMPLES", str(examples))
    return examples


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_an_anthropic_key_selects_anthropic_without_building_a_client(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")

    llm = build_llm(settings())

    assert isinstance(llm, AnthropicLLM)
    assert llm._client is None


def test_an_openai_base_url_selects_the_openai_compatible_provider(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("CODEGEN_OPENAI_MODEL", "qwen2.5-coder:14b")

    llm = build_llm(settings())

    assert isinstance(llm, OpenAICompatLLM)
    assert llm._client is None


def test_the_openai_compatible_provider_needs_a_model_id(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")

    with pytest.raises(LLMError, match="CODEGEN_OPENAI_MODEL"):
        build_llm(settings())


def test_an_explicit_provider_wins_over_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("CODEGEN_PROVIDER", "openai")
    monkeypatch.setenv("CODEGEN_OPENAI_MODEL", "llama3.1")

    assert isinstance(build_llm(settings()), OpenAICompatLLM)


def test_without_a_key_the_matching_example_is_replayed(clean_env: Path) -> None:
    llm = build_llm(settings(), request="  a COMMAND-LINE todo app\n")

    assert isinstance(llm, ReplayLLM)
    assert llm.path == clean_env / "todo.jsonl"


def test_a_replay_file_setting_is_used_as_is(clean_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(CassetteHeader(request="A chess engine").model_dump_json() + "\n")

    llm = build_llm(settings(replay_file=path, replay_speed=0.5), request="anything")

    assert isinstance(llm, ReplayLLM)
    assert llm.request == "A chess engine"
    assert llm.speed == 0.5


def test_no_key_and_no_matching_recording_lists_the_examples(clean_env: Path) -> None:
    with pytest.raises(NoRecordingError) as info:
        build_llm(settings(), request="A web shop with payments")

    message = str(info.value)
    assert "'A web shop with payments'" in message
    assert "- A command-line todo app" in message
    for hint in ("ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "--replay FILE"):
        assert hint in message


def test_a_record_file_wraps_the_provider_in_a_recorder(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    record = tmp_path / "out.jsonl"

    llm = build_llm(settings(record_file=record), request="A todo app")

    assert isinstance(llm, RecordingLLM)
    assert isinstance(llm.inner, AnthropicLLM)
    assert llm.writer.header.request == "A todo app"
    assert llm.writer.header.models["planner"] == "claude-sonnet-4-6"
    assert not record.exists()  # written on the first reply, not before


def test_provider_modules_hold_no_client_at_module_level() -> None:
    import agents.llm.anthropic_provider as anthropic_module
    import agents.llm.factory as factory_module
    import agents.llm.openai_provider as openai_module

    kinds: tuple[type, ...] = (anthropic.AsyncAnthropic, openai.AsyncOpenAI, httpx2.AsyncClient)
    for module in (anthropic_module, openai_module, factory_module):
        built = [name for name, value in vars(module).items() if isinstance(value, kinds)]
        assert built == [], f"{module.__name__} builds {built} at import"


def test_importing_the_provider_layer_does_not_import_the_sdks() -> None:
    # A fresh interpreter: the SDKs load only when a provider is actually built.
    script = (
        "import sys, agents.llm, agents.llm.factory\n"
        "print('anthropic' in sys.modules, 'openai' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
