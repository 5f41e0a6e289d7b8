"""Token usage and cost of LLM calls; prices live in one table."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

# USD per million tokens: input, output, cache write (5-minute), cache read.
PRICES: dict[str, tuple[float, float, float, float]] = {
    "claude-opus-4-5": (5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-1": (15.0, 75.0, 18.75, 1.50),
    "claude-sonnet-4-6": (3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4-5": (3.0, 15.0, 3.75, 0.30),
    "claude-haiku-4-5": (1.0, 5.0, 1.25, 0.10),
}
# Models not in the table (local servers, unknown ids) are priced at zero, and say so.
UNKNOWN_PRICE = (0.0, 0.0, 0.0, 0.0)


def price_for(model: str) -> tuple[float, float, float, float]:
    if model in PRICES:
        return PRICES[model]
    for known, price in PRICES.items():  # dated ids such as claude-haiku-4-5-20251001
        if model.startswith(known):
            return price
    return UNKNOWN_PRICE


def cost_of(
    model: str, input_tokens: int, output_tokens: int, cache_write: int = 0, cache_read: int = 0
) -> float:
    p_in, p_out, p_write, p_read = price_for(model)
    return (
        input_tokens * p_in + output_tokens * p_out + cache_write * p_write + cache_read * p_read
    ) / 1_000_000


class LLMUsage(BaseModel):
    """One LLM call (or a call plus its repair turn): tokens, cost, latency."""

    role: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    node_id: str | None = None
    iteration: int = 0
    attempts: int = 1

    @classmethod
    def priced(cls, **fields: object) -> LLMUsage:
        usage = cls.model_validate(fields)
        usage.cost_usd = cost_of(
            usage.model,
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_write_tokens,
            usage.cache_read_tokens,
        )
        return usage

    def __add__(self, other: LLMUsage) -> LLMUsage:
        return self.model_copy(
            update={
                "input_tokens": self.input_tokens + other.input_tokens,
                "output_tokens": self.output_tokens + other.output_tokens,
                "cache_write_tokens": self.cache_write_tokens + other.cache_write_tokens,
                "cache_read_tokens": self.cache_read_tokens + other.cache_read_tokens,
                "cost_usd": self.cost_usd + other.cost_usd,
                "latency_s": self.latency_s + other.latency_s,
                "attempts": self.attempts + other.attempts,
            }
        )


class UsageTotals(BaseModel):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0

    @classmethod
    def of(cls, usages: Iterable[LLMUsage]) -> UsageTotals:
        t = cls()
        for u in usages:
            t.calls += u.attempts
            t.input_tokens += u.input_tokens
            t.output_tokens += u.output_tokens
            t.cache_write_tokens += u.cache_write_tokens
            t.cache_read_tokens += u.cache_read_tokens
            t.cost_usd += u.cost_usd
        return t

    @property
    def cache_read_share(self) -> float:
        total = self.input_tokens + self.cache_write_tokens + self.cache_read_tokens
        return self.cache_read_tokens / total if total else 0.0
