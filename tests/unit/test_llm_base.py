"""Structured output on the base class: validation, the one repair turn, clean failure."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from agents.llm.base import LLMCall, Repair, StructuredOutputError
from agents.llm.fake import ScriptedLLM
from models.schemas import RequestAnalysis, Review

GOOD = RequestAnalysis(is_valid=True, reason="ok", project_name="todo_cli", summary="A todo CLI")
CALL = LLMCall(
    role="planner",
    system="You plan projects.",
    context="Request: a todo CLI",
    prompt="Plan it.",
    node="n1",
    iteration=2,
)


async def test_valid_reply_is_returned_with_one_attempt() -> None:
    llm = ScriptedLLM(lambda call, schema, repair: GOOD)

    value, usage = await llm.structured(CALL, RequestAnalysis)

    assert value == GOOD
    assert usage.attempts == 1
    assert (usage.role, usage.node_id, usage.iteration) == ("planner", "n1", 2)
    assert usage.model == "claude-sonnet-4-6"
    assert usage.cost_usd > 0


async def test_invalid_then_valid_reply_is_repaired_and_usage_summed() -> None:
    def handler(call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
        return {"is_valid": True} if repair is None else GOOD

    llm = ScriptedLLM(handler)

    value, usage = await llm.structured(CALL, RequestAnalysis)

    assert value == GOOD
    assert usage.attempts == 2
    first, second = llm.calls
    assert first.repair is None
    assert second.repair is not None
    assert second.repair.previous_reply == '{"is_valid": true}'
    # The repair turn quotes the validation error, naming each missing field.
    for field in ("reason", "project_name", "summary"):
        assert f"- {field}: Field required" in second.repair.message()
    single = ScriptedLLM(lambda call, schema, repair: GOOD)
    _, one = await single.structured(CALL, RequestAnalysis)
    assert usage.output_tokens > one.output_tokens
    assert usage.input_tokens > one.input_tokens


async def test_invalid_twice_raises_naming_role_and_node() -> None:
    llm = ScriptedLLM(lambda call, schema, repair: {"score": 42, "approved": "maybe"})

    with pytest.raises(StructuredOutputError) as info:
        await llm.structured(LLMCall("reviewer", "s", "c", "p", node="n7"), Review)

    message = str(info.value)
    assert "reviewer" in message
    assert "node n7" in message
    assert "score" in message
    assert info.value.usage is not None and info.value.usage.attempts == 2
    assert len(llm.calls) == 2


async def test_malformed_text_gets_a_repair_turn() -> None:
    replies = iter(["Sure, here is the JSON: {", GOOD])
    llm = ScriptedLLM(lambda call, schema, repair: next(replies))

    value, usage = await llm.structured(CALL, RequestAnalysis)

    assert value == GOOD
    assert usage.attempts == 2
    repair = llm.calls[1].repair
    assert repair is not None and "Invalid JSON" in repair.error


@pytest.mark.parametrize(
    "text",
    [
        "```json\n" + GOOD.model_dump_json() + "\n```",
        "```\n" + GOOD.model_dump_json(indent=2) + "\n```\n",
        "\n  " + GOOD.model_dump_json() + "  \n",
    ],
)
async def test_markdown_fenced_json_is_tolerated(text: str) -> None:
    llm = ScriptedLLM(lambda call, schema, repair: text)

    value, usage = await llm.structured(CALL, RequestAnalysis)

    assert value == GOOD
    assert usage.attempts == 1
