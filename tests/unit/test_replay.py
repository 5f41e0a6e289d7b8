"""Cassettes: validation, writing, recording a session and replaying it by call key."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from agents.llm.base import LLMCall, NoRecordingError, Repair
from agents.llm.cassette import (
    Cassette,
    CassetteCall,
    CassetteError,
    CassetteHeader,
    CassetteWriter,
    find_cassette,
    normalize_request,
    validate_lines,
)
from agents.llm.fake import ScriptedLLM
from agents.llm.recorder import RecordingLLM
from agents.llm.replay import ReplayLLM
from models.schemas import FileBundle, RequestAnalysis
from models.usage import LLMUsage

REQUEST = "A command-line todo app"
HEADER = CassetteHeader(request=REQUEST, provider="anthropic").model_dump_json()


def call_line(role: str, node: str | None, reply: object, attempt: int = 1, **extra: object) -> str:
    usage = LLMUsage.priced(role=role, model="claude-haiku-4-5", input_tokens=100, output_tokens=20)
    line = {
        "type": "call",
        "role": role,
        "node": node,
        "iteration": 0,
        "attempt": attempt,
        "schema": "FileBundle",
        "reply": reply if isinstance(reply, str) else json.dumps(reply),
        "usage": usage.model_dump(),
        "latency_s": 2.0,
        "prompt_head": "",
        **extra,
    }
    return json.dumps(line)


def bundle(content: str) -> dict[str, object]:
    return {"files": [{"path": "m.py", "content": content}]}


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def coder(node: str) -> LLMCall:
    return LLMCall("coder", "system", "context", f"Write the module for node {node}.", node=node)


# cassette format


def test_a_valid_cassette_loads_with_its_entries_in_order(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl",
        HEADER,
        call_line("coder", "a", bundle("a")),
        json.dumps({"type": "warm", "role": "coder", "usage": {"role": "coder", "model": "m"}}),
        "",
    )

    cassette = Cassette.load(path)

    assert cassette.request == REQUEST
    assert [e.type for e in cassette] == ["call", "warm"]
    assert cassette.calls[0].key == "coder|a|0"
    assert cassette.calls[0].schema_name == "FileBundle"
    assert validate_lines(path.read_text().splitlines()) == []
    assert Cassette.validate(path) == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([call_line("coder", "a", "{}")], "line 1: the first line must be the header"),
        ([HEADER, "{not json"], "line 2: not valid JSON"),
        ([HEADER, '{"type": "tape"}'], "line 2: unknown type 'tape'"),
        ([HEADER, '{"type": "call", "role": "coder"}'], "line 2: reply: Field required"),
        ([HEADER, call_line("coder", "a", "{}", attempt=3)], "line 2: attempt"),
        ([HEADER, HEADER], "line 2: a second header"),
        ([HEADER, "[1, 2]"], "line 2: expected a JSON object"),
        ([], "the file is empty"),
    ],
)
def test_invalid_cassettes_are_rejected_with_line_numbers(
    tmp_path: Path, lines: list[str], expected: str
) -> None:
    path = write(tmp_path / "bad.jsonl", *lines)

    with pytest.raises(CassetteError) as info:
        Cassette.load(path)

    assert expected in str(info.value)
    assert str(path) in str(info.value)
    assert any(expected in error for error in Cassette.validate(path))


def test_a_missing_cassette_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="cannot read cassette"):
        Cassette.load(tmp_path / "nope.jsonl")


async def test_writer_creates_the_directory_writes_one_header_and_whole_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep" / "dir" / "session.jsonl"
    writer = CassetteWriter(path, CassetteHeader(request=REQUEST))
    usage = LLMUsage(role="coder", model="m")

    async def append(i: int) -> None:
        await asyncio.sleep(0)
        writer.append(CassetteCall(role="coder", node=f"n{i}", schema="S", reply="x", usage=usage))

    await asyncio.gather(*(append(i) for i in range(20)))
    # A second writer on the same (non-empty) file appends without another header.
    CassetteWriter(path, CassetteHeader(request=REQUEST)).append(
        CassetteCall(role="tester", schema="S", reply="y", usage=usage)
    )

    cassette = Cassette.load(path)
    assert len(cassette.calls) == 21
    assert sorted(c.node or "" for c in cassette.calls[:20]) == sorted(f"n{i}" for i in range(20))


def test_find_cassette_matches_the_request_ignoring_case_and_spacing(tmp_path: Path) -> None:
    write(tmp_path / "todo.jsonl", HEADER)
    write(tmp_path / "other.jsonl", CassetteHeader(request="A chess engine").model_dump_json())
    write(tmp_path / "broken.jsonl", "not a header")

    assert normalize_request("  A  Command-line\n TODO app ") == "a command-line todo app"
    assert find_cassette("a command-line   todo APP", tmp_path) == tmp_path / "todo.jsonl"
    assert find_cassette("a web shop", tmp_path) is None
    assert find_cassette(REQUEST, tmp_path / "missing-dir") is None


# replay


async def test_replay_matches_by_key_under_concurrent_calls(tmp_path: Path) -> None:
    nodes = [f"n{i}" for i in range(12)]
    path = write(
        tmp_path / "c.jsonl",
        HEADER,
        *(call_line("coder", n, bundle(f"code of {n}")) for n in reversed(nodes)),
    )
    llm = ReplayLLM(path)

    results = await asyncio.gather(*(llm.structured(coder(n), FileBundle) for n in nodes))

    assert [value.files[0].content for value, _ in results] == [f"code of {n}" for n in nodes]
    assert llm.unused_keys() == []
    assert llm.request == REQUEST


async def test_replay_consumes_attempts_in_attempt_order(tmp_path: Path) -> None:
    # The repair (attempt 2) is written first; the invalid attempt 1 must still come first.
    path = write(
        tmp_path / "c.jsonl",
        HEADER,
        call_line("coder", "a", bundle("repaired"), attempt=2),
        call_line("coder", "a", '{"files": "oops"}', attempt=1),
    )
    llm = ReplayLLM(path)

    value, usage = await llm.structured(coder("a"), FileBundle)

    assert value.files[0].content == "repaired"
    assert usage.attempts == 2


async def test_unused_recordings_are_reported_and_warm_up_consumes_nothing(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "c.jsonl",
        HEADER,
        call_line("coder", "a", bundle("a")),
        call_line("coder", "b", bundle("b")),
    )
    llm = ReplayLLM(path)

    assert await llm.warm_prefix(coder("a")) is None
    await llm.structured(coder("a"), FileBundle)

    assert llm.unused_keys() == ["coder|b|0"]


async def test_a_call_with_no_recording_explains_what_is_missing_and_what_to_do(
    tmp_path: Path,
) -> None:
    llm = ReplayLLM(write(tmp_path / "todo.jsonl", HEADER))
    prompt = "Write the storage module. " + "It keeps todos in a JSON file. " * 10
    call = LLMCall("coder", "s", "c", prompt, node="storage", iteration=1)

    with pytest.raises(NoRecordingError) as info:
        await llm.structured(call, FileBundle)

    message = str(info.value)
    assert "todo.jsonl" in message
    assert "'coder'" in message
    assert "node storage" in message
    assert "iteration 1" in message
    assert "Write the storage module. It keeps todos" in message
    assert prompt.strip() not in message  # only the head of a long prompt is shown
    for hint in ("ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "Ollama", "--replay FILE"):
        assert hint in message


async def test_replay_usage_is_recorded_tokens_priced_from_the_table(tmp_path: Path) -> None:
    line = json.loads(call_line("coder", "a", bundle("a")))
    line["usage"]["cost_usd"] = 999.0
    llm = ReplayLLM(write(tmp_path / "c.jsonl", HEADER, json.dumps(line)))

    _, usage = await llm.structured(coder("a"), FileBundle)

    assert (usage.input_tokens, usage.output_tokens) == (100, 20)
    assert usage.cost_usd == pytest.approx((100 * 1.0 + 20 * 5.0) / 1_000_000)


@pytest.mark.parametrize(("speed", "expected"), [(0.0, []), (0.01, [0.02]), (0.5, [1.0])])
async def test_replay_sleeps_the_recorded_latency_scaled_by_speed(
    tmp_path: Path, speed: float, expected: list[float]
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    path = write(tmp_path / "c.jsonl", HEADER, call_line("coder", "a", bundle("a")))
    llm = ReplayLLM(path, speed=speed, sleep=fake_sleep)

    await llm.structured(coder("a"), FileBundle)

    assert slept == pytest.approx(expected)


# recording


async def test_a_recorded_session_replays_to_the_same_values_and_usage(tmp_path: Path) -> None:
    def handler(call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
        if schema is RequestAnalysis:
            return RequestAnalysis(is_valid=True, reason="ok", project_name="todo", summary="s")
        if call.node == "b" and repair is None:
            return '```json\n{"files": [{"path": 1}]}'  # invalid: gets a repair turn
        return bundle(f"code of {call.node}")

    path = tmp_path / "rec" / "session.jsonl"
    recorder = RecordingLLM(ScriptedLLM(handler), path, REQUEST, models={"coder": "m"})
    orchestrator = LLMCall("orchestrator", "s", "c", "Check the request.")
    recorded: list[tuple[BaseModel, LLMUsage]] = [
        await recorder.structured(orchestrator, RequestAnalysis)
    ]
    warm = await recorder.warm_prefix(coder("a"))
    recorded += await asyncio.gather(*(recorder.structured(coder(n), FileBundle) for n in "abc"))

    cassette = Cassette.load(path)
    assert cassette.header.request == REQUEST
    assert cassette.header.provider == "scripted"
    assert cassette.header.models == {"coder": "m"}
    assert [(c.key, c.attempt) for c in cassette.calls if c.node == "b"] == [
        ("coder|b|0", 1),
        ("coder|b|0", 2),
    ]
    assert cassette.calls[0].prompt_head == "Check the request."
    assert warm is not None and cassette.warms[0].usage == warm

    replay = ReplayLLM(path)
    replayed: list[tuple[BaseModel, LLMUsage]] = [
        await replay.structured(orchestrator, RequestAnalysis)
    ]
    replayed += await asyncio.gather(*(replay.structured(coder(n), FileBundle) for n in "abc"))

    assert [v for v, _ in replayed] == [v for v, _ in recorded]
    fields = ("input_tokens", "output_tokens", "cache_read_tokens", "attempts", "cost_usd")
    assert [[getattr(u, f) for f in fields] for _, u in replayed] == [
        [getattr(u, f) for f in fields] for _, u in recorded
    ]
    assert replayed[2][1].attempts == 2
    assert replay.unused_keys() == []


async def test_recorded_warm_ups_replay_with_their_usage_and_latency(tmp_path: Path) -> None:
    from agents.llm.base import LLMCall as Call
    from agents.llm.cassette import CassetteHeader, CassetteWarm, CassetteWriter
    from agents.llm.replay import ReplayLLM as Replay
    from models.usage import LLMUsage as Usage

    path = tmp_path / "warm.jsonl"
    writer = CassetteWriter(path, CassetteHeader(request="r", provider="anthropic"))
    usage = Usage(role="coder", model="claude-sonnet-4-6", cache_write_tokens=3000)
    writer.append(CassetteWarm(role="coder", iteration=0, usage=usage, latency_s=0.8))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    replay = Replay(path, speed=0.5, sleep=sleep)
    call = Call(role="coder", system="s", context="c", prompt="p", node="n")
    warmed = await replay.warm_prefix(call)
    again = await replay.warm_prefix(call)

    assert warmed is not None and warmed.cache_write_tokens == 3000 and warmed.cost_usd > 0
    assert again is None  # one recorded warm-up, replayed once
    assert slept == [0.4]
