"""The real `openai` SDK against the local fake API: an OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import pytest

from agents.llm.base import LLMCall, LLMError
from agents.llm.openai_provider import OpenAICompatLLM
from models.schemas import RequestAnalysis
from models.settings import Settings
from tests.fakeapi import FakeAPIServer, Fault

GOOD = {"is_valid": True, "reason": "ok", "project_name": "todo", "summary": "A todo CLI"}
SYSTEM = "You are the reviewer of a code generator."
CONTEXT = "Request: a todo CLI.\nPlan: todo/cli.py, todo/store.py.\n" * 20
CALL = LLMCall("reviewer", SYSTEM, CONTEXT, "Review the project.", node="n2")

ANALYSIS = RequestAnalysis.model_validate(GOOD)

MakeLLM = Callable[..., OpenAICompatLLM]


@pytest.fixture
async def make_llm(fake_api: FakeAPIServer) -> AsyncIterator[MakeLLM]:
    fake_api.responder = lambda body: GOOD
    made: list[OpenAICompatLLM] = []

    def make(**values: Any) -> OpenAICompatLLM:
        fields: dict[str, Any] = {
            "provider": "openai",
            "OPENAI_BASE_URL": fake_api.url + "/v1",
            "OPENAI_API_KEY": "test-key",
            "openai_model": "llama3.1:8b",
            "llm_max_retries": 2,
            "llm_timeout_s": 10.0,
        }
        llm = OpenAICompatLLM(Settings(_env_file=None, **{**fields, **values}))  # type: ignore[call-arg]
        made.append(llm)
        return llm

    yield make
    for llm in made:
        await llm.aclose()


async def test_structured_output_goes_through_response_format(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    value, usage = await make_llm().structured(CALL, RequestAnalysis)

    assert value == ANALYSIS
    (request,) = fake_api.requests
    body = request.body
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer test-key"
    assert body["model"] == "llama3.1:8b"
    assert body["messages"] == [
        {"role": "system", "content": SYSTEM + "\n\n" + CONTEXT},
        {"role": "user", "content": "Review the project."},
    ]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "RequestAnalysis"
    assert fmt["json_schema"]["strict"] is False
    assert fmt["json_schema"]["schema"] == RequestAnalysis.model_json_schema()
    assert body["max_tokens"] == 16000
    assert usage.model == "llama3.1:8b"
    assert usage.cost_usd == 0.0  # local models are not in the price table


async def test_cached_prompt_tokens_are_read_into_usage(make_llm: MakeLLM) -> None:
    llm = make_llm()

    _, first = await llm.structured(CALL, RequestAnalysis)
    _, second = await llm.structured(CALL, RequestAnalysis)

    prefix_tokens = len(SYSTEM + "\n\n" + CONTEXT) // 4
    assert first.cache_read_tokens == 0
    assert second.cache_read_tokens == prefix_tokens
    # Cached tokens are reported inside prompt_tokens; input_tokens counts the rest only.
    assert second.input_tokens == first.input_tokens - prefix_tokens
    assert second.output_tokens == first.output_tokens > 0


async def test_a_server_error_is_retried(fake_api: FakeAPIServer, make_llm: MakeLLM) -> None:
    fake_api.add_faults(Fault.status(500, retry_after=0.01))

    value, _ = await make_llm().structured(CALL, RequestAnalysis)

    assert value.project_name == "todo"
    assert [r.status for r in fake_api.requests] == [500, 200]


async def test_errors_after_the_retries_become_an_llm_error(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.add_faults(*[Fault.status(503, retry_after=0.01)] * 2)

    with pytest.raises(LLMError) as info:
        await make_llm(llm_max_retries=1).structured(CALL, RequestAnalysis)

    message = str(info.value)
    assert "reviewer (node n2)" in message
    assert "HTTP 503" in message
    assert "injected HTTP 503" in message
    assert isinstance(info.value.__cause__, openai.APIStatusError)
    assert len(fake_api.requests) == 2


async def test_a_length_cut_reply_is_repaired(fake_api: FakeAPIServer, make_llm: MakeLLM) -> None:
    fake_api.add_faults(Fault.truncated())

    value, usage = await make_llm(max_output_tokens=4000).structured(CALL, RequestAnalysis)

    assert value == ANALYSIS
    assert usage.attempts == 2
    messages = fake_api.requests[1].body["messages"]
    assert messages[2]["role"] == "assistant"
    assert "cut off at the output limit of 4000 tokens" in messages[3]["content"]


async def test_a_keyless_local_server_gets_a_placeholder_key(
    fake_api: FakeAPIServer, make_llm: MakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    fake_api.api_keys = set()  # like Ollama: no authentication at all

    await make_llm(OPENAI_API_KEY=None).structured(CALL, RequestAnalysis)

    assert fake_api.requests[0].headers["authorization"] == "Bearer not-needed"
