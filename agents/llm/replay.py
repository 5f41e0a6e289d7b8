"""Plays a recorded session back, so the whole pipeline runs offline with no API key."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import BaseModel

from agents.llm.base import LLM, LLMCall, NoRecordingError, RawReply, Repair
from agents.llm.cassette import Cassette, CassetteCall, CassetteWarm
from models.usage import LLMUsage

log = logging.getLogger(__name__)

REAL_PROVIDER_HINT = (
    "To use a real model instead, set ANTHROPIC_API_KEY, or set OPENAI_BASE_URL to an "
    "OpenAI-compatible server (for example a local Ollama at http://localhost:11434/v1), "
    "or pass --replay FILE with a recording of this request."
)


def missing_recording_message(call: LLMCall, source: str) -> str:
    head = " ".join(call.prompt.split())
    head = head[:120] + ("..." if len(head) > 120 else "")
    return (
        f"No recorded reply in {source} for role {call.role!r}, node {call.node or '-'}, "
        f"iteration {call.iteration} (prompt: {head!r}). The recording does not cover this "
        f"call, so the session cannot continue offline. {REAL_PROVIDER_HINT}"
    )


class ReplayLLM(LLM):
    """Replies from a cassette, matched by (role, node, iteration), never by prompt text.

    Several attempts for the same call are consumed in attempt order, so a recorded repair
    turn replays as the repair. `speed` scales the recorded latencies: 0 replies at once,
    1.0 as recorded.
    """

    name = "replay"

    def __init__(
        self,
        cassette_path: Path | str,
        speed: float = 0.0,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.path = Path(cassette_path)
        self.cassette = Cassette.load(self.path)
        self.speed = speed
        self._sleep = sleep
        self._lock = threading.Lock()
        self._queues: dict[str, deque[CassetteCall]] = {}
        for entry in sorted(self.cassette.calls, key=lambda c: c.attempt):  # stable sort
            self._queues.setdefault(entry.key, deque()).append(entry)
        self._warms: dict[tuple[str, int], deque[CassetteWarm]] = {}
        for warm in self.cassette.warms:
            self._warms.setdefault((warm.role, warm.iteration), deque()).append(warm)

    @property
    def request(self) -> str:
        return self.cassette.request

    def unused_keys(self) -> list[str]:
        """Keys of recorded attempts that were not replayed (one entry per attempt left)."""
        with self._lock:
            return sorted(c.key for q in self._queues.values() for c in q)

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        # Taken without awaiting in between, so concurrent calls never share an attempt.
        with self._lock:
            queue = self._queues.get(call.key)
            entry = queue.popleft() if queue else None
        if entry is None:
            raise NoRecordingError(missing_recording_message(call, self.path.name))
        if entry.schema_name != schema.__name__:
            log.warning(
                "%s: recorded schema %s, asked for %s", call.key, entry.schema_name, schema.__name__
            )
        if self.speed > 0 and entry.latency_s > 0:
            await self._sleep(entry.latency_s * self.speed)
        return RawReply(text=entry.reply, usage=_repriced(entry.usage))

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        """Replays a recorded warm-up (its latency and cache-write usage), if there is one."""
        with self._lock:
            queue = self._warms.get((call.role, call.iteration))
            warm = queue.popleft() if queue else None
        if warm is None:
            return None
        if self.speed > 0 and warm.latency_s > 0:
            await self._sleep(warm.latency_s * self.speed)
        return _repriced(warm.usage)


def _repriced(usage: LLMUsage) -> LLMUsage:
    """The recorded usage with its cost from today's price table."""
    return LLMUsage.priced(**usage.model_dump(exclude={"cost_usd", "attempts"}))
