"""A scripted provider: replies come from a Python function, usage is synthetic.

Used by the test suite and the benchmarks to run the real pipeline without a model.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from agents.llm.base import LLM, LLMCall, LLMError, RawReply, Repair
from models.settings import Settings
from models.usage import LLMUsage

Handler = Callable[[LLMCall, type[BaseModel], Repair | None], object | Awaitable[object]]
Delay = float | Callable[[LLMCall], float]


@dataclass
class CallRecord:
    """One raw attempt as the scripted provider saw it; times are `time.monotonic()`."""

    call: LLMCall
    schema: type[BaseModel]
    repair: Repair | None
    started: float
    finished: float = 0.0
    reply: str = ""


def _tokens(text: str) -> int:
    # A rough 4 characters per token, enough to make cost and cache figures meaningful.
    return max(1, len(text) // 4) if text else 0


def reply_text(value: object) -> str:
    """The raw reply text for a scripted value: models and JSON data are serialised."""
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"a scripted reply must be a model, dict, list or str, not {type(value)}")


class ScriptedLLM(LLM):
    """Answers every call with `handler(call, schema, repair)`.

    The handler returns a model instance, JSON data (dict or list), raw reply text (possibly
    malformed, to exercise repair) or raises. Every attempt is kept in `calls`.
    """

    name = "scripted"

    def __init__(
        self,
        handler: Handler,
        *,
        delay: Delay = 0.0,
        models: Mapping[str, str] | None = None,
        settings: Settings | None = None,
    ):
        self.handler = handler
        self.delay = delay
        self.models = dict(models or {})
        self._settings = settings
        self.calls: list[CallRecord] = []
        self.warm_calls: list[LLMCall] = []
        self._warm: set[tuple[str, int]] = set()

    @classmethod
    def from_map(cls, replies: Mapping[str, object], **kwargs: object) -> ScriptedLLM:
        """Replies by `LLMCall.key` ("role|node|iteration"), falling back to the role.

        A value may also be an exception (raised) or a handler function (called).
        """

        def handler(call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
            if call.key in replies:
                value = replies[call.key]
            elif call.role in replies:
                value = replies[call.role]
            else:
                raise LLMError(f"no scripted reply for {call.key}")
            if isinstance(value, BaseException):
                raise value
            if callable(value) and not isinstance(value, type):
                return value(call, schema, repair)
            return value

        return cls(handler, **kwargs)  # type: ignore[arg-type]

    def model_for(self, role: str) -> str:
        if role in self.models:
            return self.models[role]
        if self._settings is None:
            self._settings = Settings(_env_file=None)  # type: ignore[call-arg]
        return self._settings.model_for(role)

    def calls_for(self, role: str | None = None, node: str | None = None) -> list[CallRecord]:
        return [
            r
            for r in self.calls
            if (role is None or r.call.role == role) and (node is None or r.call.node == node)
        ]

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        record = CallRecord(call=call, schema=schema, repair=repair, started=time.monotonic())
        self.calls.append(record)
        try:
            delay = self.delay(call) if callable(self.delay) else self.delay
            await asyncio.sleep(delay)
            value = self.handler(call, schema, repair)
            if inspect.isawaitable(value):
                value = await value
            record.reply = reply_text(value)
        finally:
            record.finished = time.monotonic()
        return RawReply(text=record.reply, usage=self._usage(call, repair, record.reply))

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        self.warm_calls.append(call)
        self._warm.add(self._prefix_id(call))
        return LLMUsage.priced(
            role=call.role,
            model=self.model_for(call.role),
            input_tokens=1,
            output_tokens=1,
            cache_write_tokens=_tokens(call.system + call.context),
            node_id=call.node,
            iteration=call.iteration,
        )

    @staticmethod
    def _prefix_id(call: LLMCall) -> tuple[str, int]:
        return call.role, hash((call.system, call.context))

    def _usage(self, call: LLMCall, repair: Repair | None, text: str) -> LLMUsage:
        prefix = _tokens(call.system + call.context)
        rest = _tokens(call.prompt)
        if repair is not None:
            rest += _tokens(repair.previous_reply) + _tokens(repair.message())
        cached = prefix if self._prefix_id(call) in self._warm else 0
        return LLMUsage.priced(
            role=call.role,
            model=self.model_for(call.role),
            input_tokens=rest + prefix - cached,
            output_tokens=_tokens(text),
            cache_read_tokens=cached,
            node_id=call.node,
            iteration=call.iteration,
        )
