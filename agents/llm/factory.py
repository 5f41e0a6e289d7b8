"""Builds the provider the settings ask for; SDK clients are created later, on first use."""

from __future__ import annotations

import logging

from agents.llm.base import LLM, LLMError, NoRecordingError
from agents.llm.cassette import available_requests, find_cassette
from agents.llm.replay import REAL_PROVIDER_HINT, ReplayLLM
from models.settings import ROLES, Settings, examples_dir

log = logging.getLogger(__name__)


def no_cassette_message(request: str | None) -> str:
    directory = examples_dir()
    examples = list(available_requests(directory).values())
    listed = "\n".join(f"  - {r}" for r in examples) or f"  (none found in {directory})"
    what = f"the request {request!r}" if request else "this run (no request given)"
    return (
        f"No API key or server is configured, and no recorded session matches {what}.\n"
        f"Recorded example prompts that run offline:\n{listed}\n{REAL_PROVIDER_HINT}"
    )


def build_llm(settings: Settings, *, request: str | None = None) -> LLM:
    """The provider `settings.resolved_provider()` names, wrapped in a recorder if asked."""
    provider = settings.resolved_provider()
    llm: LLM
    if provider == "anthropic":
        from agents.llm.anthropic_provider import AnthropicLLM

        llm = AnthropicLLM(settings)
    elif provider == "openai":
        from agents.llm.openai_provider import OpenAICompatLLM

        if not settings.openai_model:
            raise LLMError(
                "the OpenAI-compatible provider needs a model id: set CODEGEN_OPENAI_MODEL "
                "(for example qwen2.5-coder:14b on Ollama, or gpt-4.1 on OpenAI)"
            )

        llm = OpenAICompatLLM(settings)
    else:
        path = settings.replay_file
        if path is None and request:
            path = find_cassette(request, examples_dir())
        if path is None:
            raise NoRecordingError(no_cassette_message(request))
        llm = ReplayLLM(path, speed=settings.replay_speed)
    log.info("LLM provider: %s", settings.provider_reason())
    if settings.record_file is not None:
        from agents.llm.recorder import RecordingLLM

        recorded = request or (llm.request if isinstance(llm, ReplayLLM) else "")
        models = {role: settings.model_for(role) for role in ROLES}
        llm = RecordingLLM(llm, settings.record_file, recorded, models=models)
    return llm
