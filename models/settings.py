"""One configuration object, read from the environment and `.env`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from dotenv import load_dotenv
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ProviderName = Literal["auto", "anthropic", "openai", "replay"]
ROLES = ("orchestrator", "planner", "coder", "integrator", "reviewer", "tester")
SONNET = "claude-sonnet-4-6"
HAIKU = "claude-haiku-4-5"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CODEGEN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    provider: ProviderName = "auto"

    # Model per role: a Sonnet-class model where reasoning quality matters, Haiku elsewhere.
    model_orchestrator: str = HAIKU
    model_planner: str = SONNET
    model_coder: str = SONNET
    model_integrator: str = HAIKU
    model_reviewer: str = HAIKU
    model_tester: str = HAIKU

    anthropic_api_key: SecretStr | None = Field(default=None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(default=None, alias="ANTHROPIC_BASE_URL")
    anthropic_structured: Literal["output_config", "tool"] = Field(
        default="output_config",
        description="How Anthropic is asked for JSON: native output_config or a forced tool call",
    )
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    openai_model: str | None = Field(
        default=None, description="One model for every role on an OpenAI-compatible server"
    )

    replay_file: Path | None = None
    replay_speed: float = Field(default=0.0, ge=0.0)
    # The dashboard replays at a speed where a recorded run takes roughly 10-20 seconds.
    dashboard_replay_speed: float = Field(default=0.15, ge=0.0)
    record_file: Path | None = None

    max_workers: int = Field(default=4, ge=1, le=64)
    max_iterations: int = Field(default=3, ge=1, le=20)
    budget_usd: float = Field(default=2.0, gt=0)
    llm_timeout_s: float = Field(default=180.0, gt=0)
    llm_max_retries: int = Field(default=4, ge=0, le=10)
    max_output_tokens: int = Field(default=16000, ge=256)
    max_request_chars: int = Field(default=20_000, ge=100)
    test_timeout_s: float = Field(default=120.0, gt=0)
    sandbox: Literal["auto", "local", "docker"] = "auto"

    home: Path = Field(default=Path("runs"), description="Data directory: run store, projects")

    @field_validator(
        "anthropic_api_key",
        "anthropic_base_url",
        "openai_api_key",
        "openai_base_url",
        "openai_model",
        "replay_file",
        "record_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `KEY=` in .env (as in .env.example) means "not set", not an empty path or URL.
        return None if isinstance(value, str) and not value.strip() else value

    def model_for(self, role: str) -> str:
        if self.resolved_provider() == "openai" and self.openai_model:
            return self.openai_model
        role = "coder" if role == "test_writer" else role
        return str(getattr(self, f"model_{role}", self.model_coder))

    def resolved_provider(self) -> Literal["anthropic", "openai", "replay"]:
        """`auto` picks Anthropic with a key, an OpenAI-compatible server with a base URL, else replay."""
        if self.provider != "auto":
            return self.provider
        if self.replay_file is not None:
            return "replay"
        if self.anthropic_api_key is not None and self.anthropic_api_key.get_secret_value():
            return "anthropic"
        if self.openai_base_url:
            return "openai"
        return "replay"

    def provider_reason(self) -> str:
        chosen = self.resolved_provider()
        if chosen == "replay" and self.replay_file is not None:
            return f"replay: playing the recorded session {self.replay_file}"
        if self.provider != "auto":
            return f"{chosen}: chosen explicitly (CODEGEN_PROVIDER={self.provider})"
        if chosen == "anthropic":
            return "anthropic: ANTHROPIC_API_KEY is set"
        if chosen == "openai":
            return f"openai: OPENAI_BASE_URL is set ({self.openai_base_url})"
        return (
            "replay: no ANTHROPIC_API_KEY or OPENAI_BASE_URL is set, so recorded sessions "
            "from examples/ are played back offline"
        )

    @property
    def db_path(self) -> Path:
        return self.home / "runs.sqlite"

    @property
    def checkpoint_path(self) -> Path:
        return self.home / "checkpoints.sqlite"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and `.env`, with explicit overrides on top.

    `.env` is also loaded into the environment (without overriding it) so that libraries
    reading their own variables, such as LangSmith tracing, see it too.
    """
    load_dotenv(override=False)
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]


def examples_dir() -> Path:
    return Path(
        os.environ.get("CODEGEN_EXAMPLES", Path(__file__).resolve().parent.parent / "examples")
    )
