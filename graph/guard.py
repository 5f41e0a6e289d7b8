"""Wraps a provider with the run's budget and cancel flag, and records every attempt's usage."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydantic import BaseModel

from agents.llm.base import LLM, LLMCall, LLMError, RawReply, Repair
from models.settings import Settings
from models.usage import LLMUsage, cost_of

# Output tokens assumed for a call whose reply is not yet known (a typical module's length).
EXPECTED_OUTPUT_TOKENS = 2500


class BudgetExceeded(LLMError):
    def __init__(self, spent: float, estimate: float, budget: float, call: LLMCall) -> None:
        self.spent, self.estimate, self.budget = spent, estimate, budget
        where = call.role + (f" (node {call.node})" if call.node else "")
        super().__init__(
            f"budget of ${budget:.2f} reached: ${spent:.4f} spent, the next call ({where}, "
            f"about ${estimate:.4f}) would exceed it"
        )


class RunCancelled(LLMError):
    def __init__(self) -> None:
        super().__init__("the run was cancelled")


class GuardedLLM(LLM):
    """Refuses a call that would exceed the budget or follows a cancel; records usage live."""

    def __init__(
        self,
        inner: LLM,
        settings: Settings,
        *,
        spent: float = 0.0,
        cancel: asyncio.Event | None = None,
        on_usage: Callable[[LLMUsage], None] | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.settings = settings
        self.spent = spent
        self.reserved = 0.0
        self.cancel = cancel or asyncio.Event()
        self.on_usage = on_usage
        self.stop_error: LLMError | None = None

    def estimate(self, call: LLMCall) -> float:
        chars = len(call.system) + len(call.context) + len(call.prompt)
        model = self.settings.model_for(call.role)
        return cost_of(model, chars // 4, min(call.max_tokens, EXPECTED_OUTPUT_TOKENS))

    def _admit(self, call: LLMCall) -> float:
        if self.cancel.is_set():
            self.stop_error = self.stop_error or RunCancelled()
            raise RunCancelled()
        estimate = self.estimate(call)
        if self.spent + self.reserved + estimate > self.settings.budget_usd:
            error = BudgetExceeded(
                self.spent + self.reserved, estimate, self.settings.budget_usd, call
            )
            self.stop_error = self.stop_error or error
            raise error
        self.reserved += estimate
        return estimate

    def _account(self, call: LLMCall, usage: LLMUsage | None) -> None:
        if usage is None:
            return
        usage.node_id = call.node
        usage.iteration = call.iteration
        self.spent += usage.cost_usd
        if self.on_usage is not None:
            self.on_usage(usage)

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        estimate = self._admit(call)
        try:
            reply = await self.inner._complete(call, schema, repair)
        finally:
            self.reserved -= estimate
        self._account(call, reply.usage.model_copy())
        return reply

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        estimate = self._admit(call)
        try:
            usage = await self.inner.warm_prefix(call)
        finally:
            self.reserved -= estimate
        self._account(call, usage)
        return usage

    def raise_if_stopped(self) -> None:
        if self.stop_error is not None:
            raise self.stop_error
        if self.cancel.is_set():
            raise RunCancelled()

    async def aclose(self) -> None:
        await self.inner.aclose()
