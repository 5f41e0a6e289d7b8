"""The real `anthropic` SDK against the local fake API: layout, caching, retries, repair."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from typing import Any

import anthropic
import pytest

from agents.llm.anthropic_provider import AnthropicLLM
from agents.llm.base import LLMCall, LLMError
from models.schemas import FileBundle, Plan, RequestAnalysis
from models.settings import Settings
from tests.fakeapi import FakeAPIServer, Fault, FaultPlan
from tests.fakeapi.server import default_responder

GOOD = {"is_valid": True, "reason": "ok", "project_name": "todo", "summary": "A todo CLI"}
SYSTEM = "You are the planner of a code generator."
CONTEXT = "Request: a todo CLI.\nPlan: todo/cli.py, todo/store.py.\n" * 20
CALL = LLMCall("planner", SYSTEM, CONTEXT, "Plan the project.", node="n1", max_tokens=50_000)

ANALYSIS = RequestAnalysis.model_validate(GOOD)

MakeLLM = Callable[..., AnthropicLLM]


@pytest.fixture
async def make_llm(fake_api: FakeAPIServer) -> AsyncIterator[MakeLLM]:
    fake_api.responder = lambda body: GOOD
    made: list[AnthropicLLM] = []

    def make(**values: Any) -> AnthropicLLM:
        fields: dict[str, Any] = {
            "ANTHROPIC_API_KEY": "test-key",
            "ANTHROPIC_BASE_URL": fake_api.url,
            "llm_max_retries": 2,
            "llm_timeout_s": 10.0,
            "max_output_tokens": 8000,
        }
        llm = AnthropicLLM(Settings(_env_file=None, **{**fields, **values}))  # type: ignore[call-arg]
        made.append(llm)
        return llm

    yield make
    for llm in made:
        await llm.aclose()


def user_turns(body: dict[str, object]) -> list[str]:
    messages = body["messages"]
    assert isinstance(messages, list)
    return [m["content"] for m in messages if m["role"] == "user"]


async def test_the_request_carries_the_cacheable_prefix_and_the_output_schema(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    value, _ = await make_llm().structured(CALL, RequestAnalysis)

    assert value == ANALYSIS
    (request,) = fake_api.requests
    body = request.body
    assert request.path == "/v1/messages"
    assert body["system"] == [
        {"type": "text", "text": SYSTEM},
        {"type": "text", "text": CONTEXT, "cache_control": {"type": "ephemeral"}},
    ]
    assert body["messages"] == [{"role": "user", "content": "Plan the project."}]
    schema = body["output_config"]["format"]
    assert schema["type"] == "json_schema"
    assert schema["schema"]["required"] == ["is_valid", "reason", "project_name", "summary"]
    assert schema["schema"]["additionalProperties"] is False
    assert body["model"] == "claude-sonnet-4-6"
    assert body["max_tokens"] == 8000  # the smaller of the call's and the settings' limit
    assert "tools" not in body


async def test_without_context_the_system_block_is_the_cached_prefix(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    await make_llm().structured(LLMCall("orchestrator", SYSTEM, "", "Check."), RequestAnalysis)

    body = fake_api.requests[0].body
    assert body["system"] == [
        {"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}
    ]
    assert body["model"] == "claude-haiku-4-5"


async def test_cache_write_then_cache_read_are_read_into_usage(make_llm: MakeLLM) -> None:
    llm = make_llm()

    _, first = await llm.structured(CALL, RequestAnalysis)
    _, second = await llm.structured(CALL, RequestAnalysis)

    prefix_tokens = len(SYSTEM + CONTEXT) // 4
    assert (first.cache_write_tokens, first.cache_read_tokens) == (prefix_tokens, 0)
    assert (second.cache_write_tokens, second.cache_read_tokens) == (0, prefix_tokens)
    assert first.input_tokens == second.input_tokens > 0
    assert first.output_tokens > 0
    assert second.cost_usd < first.cost_usd


async def test_warm_prefix_writes_the_cache_with_a_one_token_request(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    llm = make_llm()

    warm = await llm.warm_prefix(CALL)
    _, usage = await llm.structured(CALL, RequestAnalysis)

    assert warm is not None
    assert warm.role == "planner"
    assert warm.cache_write_tokens > 0 and warm.cost_usd > 0
    assert usage.cache_read_tokens == warm.cache_write_tokens
    warm_body = fake_api.requests[0].body
    assert warm_body["max_tokens"] == 1
    assert warm_body["system"] == fake_api.requests[1].body["system"]
    assert "output_config" not in warm_body


async def test_rate_limits_are_retried_by_the_sdk(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.add_faults(Fault.status(429, retry_after=0.01), Fault.status(429, retry_after=0.01))

    value, usage = await make_llm().structured(CALL, RequestAnalysis)

    assert value.project_name == "todo"
    assert [r.status for r in fake_api.requests] == [429, 429, 200]
    assert [r.headers["x-stainless-retry-count"] for r in fake_api.requests] == ["0", "1", "2"]
    assert usage.attempts == 1  # one structured attempt; the retries are transport-level


async def test_overload_on_every_attempt_ends_in_an_llm_error(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.fault_plan = FaultPlan(rates={"529": 1.0}, retry_after=0.01)

    with pytest.raises(LLMError) as info:
        await make_llm(llm_max_retries=2).structured(CALL, RequestAnalysis)

    assert len(fake_api.requests) == 3
    message = str(info.value)
    assert "planner (node n1)" in message
    assert "HTTP 529" in message
    assert "after 2 retries" in message
    assert isinstance(info.value.__cause__, anthropic.APIStatusError)


async def test_retry_after_is_honoured(fake_api: FakeAPIServer, make_llm: MakeLLM) -> None:
    fake_api.add_faults(Fault.status(429, retry_after=0.1))

    await make_llm().structured(CALL, RequestAnalysis)

    first, second = fake_api.requests
    assert (first.status, second.status) == (429, 200)
    assert first.headers.get("x-stainless-retry-count") == "0"
    # The retry did not come before the server said it could (a lower bound, never flaky).
    assert second.started - first.finished >= 0.09


async def test_an_invalid_reply_gets_a_repair_turn_over_http(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.add_faults(Fault.invalid())

    value, usage = await make_llm().structured(CALL, RequestAnalysis)

    assert value == ANALYSIS
    assert usage.attempts == 2
    assert len(fake_api.requests) == 2
    repair_body = fake_api.requests[1].body
    assert repair_body["messages"][1] == {"role": "assistant", "content": "{}"}
    repair_text = user_turns(repair_body)[1]
    assert "does not match the required JSON schema" in repair_text
    assert "- project_name: Field required" in repair_text


async def test_a_truncated_reply_is_repaired_with_a_request_to_be_concise(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.add_faults(Fault.truncated())

    value, usage = await make_llm().structured(CALL, RequestAnalysis)

    assert value == ANALYSIS
    assert usage.attempts == 2
    repair_text = user_turns(fake_api.requests[1].body)[1]
    assert "cut off at the output limit of 8000 tokens" in repair_text
    assert "more concise" in repair_text


async def test_malformed_twice_fails_cleanly_naming_the_node(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.add_faults(Fault.malformed(), Fault.malformed())

    with pytest.raises(LLMError, match=r"planner \(node n1\): reply did not match the schema"):
        await make_llm().structured(CALL, RequestAnalysis)
    assert len(fake_api.requests) == 2


async def test_a_reply_slower_than_the_timeout_is_an_llm_error(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.add_faults(Fault.slow(30))

    with pytest.raises(LLMError) as info:
        await make_llm(llm_timeout_s=0.5, llm_max_retries=0).structured(CALL, RequestAnalysis)

    assert "timed out" in str(info.value)
    assert "planner (node n1)" in str(info.value)
    assert isinstance(info.value.__cause__, anthropic.APITimeoutError)
    assert len(fake_api.requests) == 1


async def test_concurrent_calls_are_all_in_flight_at_once(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.latency = lambda body: 0.3
    llm = make_llm()
    calls = [
        LLMCall("coder", SYSTEM, CONTEXT, f"Write module {i}.", node=f"n{i}") for i in range(8)
    ]
    fake_api.responder = lambda body: {"files": []}

    results = await asyncio.gather(*(llm.structured(c, FileBundle) for c in calls))

    assert len(results) == 8
    assert fake_api.max_in_flight >= 8


async def test_tool_mode_forces_a_tool_call_and_reads_its_input(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    value, usage = await make_llm(anthropic_structured="tool").structured(CALL, RequestAnalysis)

    assert value == ANALYSIS
    body = fake_api.requests[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "RequestAnalysis"}
    assert body["tools"][0]["name"] == "RequestAnalysis"
    assert body["tools"][0]["input_schema"]["required"] == [
        "is_valid",
        "reason",
        "project_name",
        "summary",
    ]
    assert "output_config" not in body
    assert usage.cache_write_tokens > 0


def post(url: str, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    data = json.dumps({"model": "m", "max_tokens": 5, "messages": []}).encode()
    request = urllib.request.Request(
        url + "/v1/messages", data=data, headers={"content-type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_server_accepts_an_api_key_or_a_bearer_token(fake_api: FakeAPIServer) -> None:
    assert post(fake_api.url, {"x-api-key": "test-key"})[0] == 200
    assert post(fake_api.url, {"authorization": "Bearer test-key"})[0] == 200
    status, body = post(fake_api.url, {})
    assert status == 401
    assert body["error"] == {
        "type": "authentication_error",
        "message": "invalid x-api-key or bearer token",
    }


async def test_the_sdk_authenticates_with_x_api_key_too(
    fake_api: FakeAPIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    client = anthropic.AsyncAnthropic(
        base_url=fake_api.url, auth_token=None, default_headers={"x-api-key": "test-key"}
    )
    try:
        message = await client.messages.create(
            model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )
    finally:
        await client.close()

    assert message.content[0].type == "text"
    assert fake_api.requests[0].headers["x-api-key"] == "test-key"


async def test_a_wrong_key_fails_at_once_with_the_status(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    with pytest.raises(LLMError) as info:
        await make_llm(ANTHROPIC_API_KEY="wrong").structured(CALL, RequestAnalysis)

    assert "HTTP 401" in str(info.value)
    assert "invalid x-api-key or bearer token" in str(info.value)
    assert "retries" not in str(info.value)
    assert len(fake_api.requests) == 1


async def test_the_default_responder_answers_with_a_schema_valid_object(
    fake_api: FakeAPIServer, make_llm: MakeLLM
) -> None:
    fake_api.responder = default_responder
    plan, _ = await make_llm().structured(CALL, Plan)

    assert len(plan.files) == 1  # minItems is honoured, through a $ref
    assert plan.files[0].path == "x"


def test_a_fault_plan_is_reproducible_by_seed() -> None:
    def draws(seed: int) -> list[Fault | None]:
        plan = FaultPlan(rates={"429": 0.2, "malformed": 0.2, "slow": 0.1}, seed=seed)
        return [plan.draw() for _ in range(50)]

    first = draws(7)
    assert first == draws(7)
    assert {f.kind if f else None for f in first} == {"status", "malformed", "slow", None}
    with pytest.raises(ValueError, match="more than 1"):
        FaultPlan(rates={"500": 0.7, "invalid": 0.7})
