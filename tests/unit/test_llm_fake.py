"""The scripted provider used by tests and benchmarks."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from agents.llm.base import LLMCall, LLMError, Repair
from agents.llm.fake import ScriptedLLM
from models.schemas import FileBundle, RequestAnalysis

GOOD = RequestAnalysis(is_valid=True, reason="ok", project_name="p", summary="s")


def coder_call(node: str, context: str = "plan and contracts " * 40) -> LLMCall:
    return LLMCall("coder", "You write code.", context, f"Write {node}.", node=node)


async def test_handler_may_return_model_dict_text_or_awaitable() -> None:
    async def slow_handler(call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
        await asyncio.sleep(0)
        return {"files": [{"path": "a.py", "content": "x = 1\n"}]}

    bundle, _ = await ScriptedLLM(slow_handler).structured(coder_call("a"), FileBundle)
    text = GOOD.model_dump_json()
    analysis, _ = await ScriptedLLM(lambda c, s, r: text).structured(
        coder_call("b"), RequestAnalysis
    )

    assert bundle.files[0].content == "x = 1\n"
    assert analysis == GOOD


async def test_handler_errors_propagate_and_the_call_is_still_recorded() -> None:
    def handler(call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
        raise LLMError("provider down")

    llm = ScriptedLLM(handler)

    with pytest.raises(LLMError, match="provider down"):
        await llm.structured(coder_call("a"), FileBundle)
    assert len(llm.calls) == 1
    assert llm.calls[0].finished >= llm.calls[0].started


async def test_delayed_calls_run_concurrently_and_are_recorded() -> None:
    llm = ScriptedLLM(lambda c, s, r: {"files": []}, delay=lambda call: 0.02)

    await asyncio.gather(*(llm.structured(coder_call(n), FileBundle) for n in ("a", "b", "c")))

    records = llm.calls_for(role="coder")
    assert sorted(r.call.node or "" for r in records) == ["a", "b", "c"]
    # Every call started before any call finished: they overlapped.
    assert max(r.started for r in records) < min(r.finished for r in records)
    assert [r.call.node for r in llm.calls_for(node="b")] == ["b"]
    assert llm.calls_for(role="planner") == []


async def test_from_map_prefers_the_key_over_the_role() -> None:
    special = {"files": [{"path": "b.py", "content": "special"}]}
    llm = ScriptedLLM.from_map(
        {
            "coder|b|0": special,
            "coder": {"files": [{"path": "x.py", "content": "generic"}]},
            "coder|c|0": LLMError("scripted failure"),
        }
    )

    a, _ = await llm.structured(coder_call("a"), FileBundle)
    b, _ = await llm.structured(coder_call("b"), FileBundle)

    assert a.files[0].content == "generic"
    assert b.files[0].content == "special"
    with pytest.raises(LLMError, match="scripted failure"):
        await llm.structured(coder_call("c"), FileBundle)
    with pytest.raises(LLMError, match="no scripted reply for planner"):
        await llm.structured(LLMCall("planner", "s", "c", "p"), RequestAnalysis)


async def test_from_map_accepts_a_handler_per_key() -> None:
    def per_key(call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
        return "{" if repair is None else GOOD

    llm = ScriptedLLM.from_map({"orchestrator": per_key})

    value, usage = await llm.structured(LLMCall("orchestrator", "s", "c", "p"), RequestAnalysis)

    assert value == GOOD
    assert usage.attempts == 2


async def test_cache_reads_follow_a_warm_up_of_the_same_prefix() -> None:
    llm = ScriptedLLM(lambda c, s, r: {"files": []})

    _, cold = await llm.structured(coder_call("a"), FileBundle)
    warm = await llm.warm_prefix(coder_call("a"))
    _, hot = await llm.structured(coder_call("b"), FileBundle)
    _, other = await llm.structured(coder_call("c", context="another project"), FileBundle)

    assert cold.cache_read_tokens == 0
    assert warm is not None and warm.cache_write_tokens > 0
    assert hot.cache_read_tokens == warm.cache_write_tokens
    assert hot.input_tokens < cold.input_tokens
    assert hot.cost_usd < cold.cost_usd
    assert other.cache_read_tokens == 0
    assert llm.warm_calls == [coder_call("a")]


async def test_models_per_role_set_the_price() -> None:
    llm = ScriptedLLM(lambda c, s, r: GOOD, models={"planner": "claude-opus-4-1"})
    call = LLMCall("planner", "s", "c", "p")

    _, opus = await llm.structured(call, RequestAnalysis)
    _, local = await ScriptedLLM(lambda c, s, r: GOOD, models={"planner": "llama3"}).structured(
        call, RequestAnalysis
    )

    assert opus.model == "claude-opus-4-1"
    assert opus.cost_usd > 0
    assert local.cost_usd == 0.0
