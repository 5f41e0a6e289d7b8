"""Wraps any provider and writes every raw attempt to a cassette as it happens."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from agents.llm.base import LLM, LLMCall, RawReply, Repair
from agents.llm.cassette import (
    PROMPT_HEAD_CHARS,
    CassetteCall,
    CassetteHeader,
    CassetteWarm,
    CassetteWriter,
)
from models.usage import LLMUsage


class RecordingLLM(LLM):
    """Forwards calls to `inner`; each reply (and warm-up) is appended to the cassette at `path`.

    A run killed halfway leaves a valid cassette of everything answered so far.
    """

    def __init__(
        self,
        inner: LLM,
        path: Path | str,
        request: str,
        *,
        models: Mapping[str, str] | None = None,
        note: str = "",
    ):
        self.inner = inner
        self.name = inner.name
        header = CassetteHeader(
            request=request, provider=inner.name, models=dict(models or {}), note=note
        )
        self.writer = CassetteWriter(path, header)

    @property
    def path(self) -> Path:
        return self.writer.path

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        started = time.perf_counter()
        reply = await self.inner._complete(call, schema, repair)
        self.writer.append(
            CassetteCall(
                role=call.role,
                node=call.node,
                iteration=call.iteration,
                attempt=1 if repair is None else 2,
                schema=schema.__name__,
                reply=reply.text,
                usage=reply.usage,
                latency_s=time.perf_counter() - started,
                prompt_head=call.prompt[:PROMPT_HEAD_CHARS],
            )
        )
        return reply

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        started = time.perf_counter()
        usage = await self.inner.warm_prefix(call)
        if usage is not None:
            self.writer.append(
                CassetteWarm(
                    role=call.role,
                    node=call.node,
                    iteration=call.iteration,
                    usage=usage,
                    latency_s=time.perf_counter() - started,
                )
            )
        return usage

    async def aclose(self) -> None:
        await self.inner.aclose()
