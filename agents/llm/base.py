"""The one async interface every agent uses to ask an LLM for structured output."""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from langsmith import traceable
from pydantic import BaseModel, ValidationError

from models.usage import LLMUsage

T = TypeVar("T", bound=BaseModel)


class LLMError(RuntimeError):
    """An LLM call failed in a way the pipeline reports to the user."""


class StructuredOutputError(LLMError):
    """The reply did not match the schema, even after one repair turn."""

    def __init__(self, role: str, node: str | None, detail: str, usage: LLMUsage | None = None):
        self.role, self.node, self.detail, self.usage = role, node, detail, usage
        where = f"{role}" + (f" (node {node})" if node else "")
        super().__init__(f"{where}: reply did not match the schema after a repair turn: {detail}")


class NoRecordingError(LLMError):
    """The replay provider has no recorded reply for this call."""


@dataclass(frozen=True)
class LLMCall:
    """One request. `system` + `context` form the stable, cacheable prefix; `prompt` varies.

    `role`, `node` and `iteration` identify the call independently of prompt wording, which is
    what recordings are matched by.
    """

    role: str
    system: str
    context: str
    prompt: str
    node: str | None = None
    iteration: int = 0
    max_tokens: int = 16000

    @property
    def key(self) -> str:
        return f"{self.role}|{self.node or '-'}|{self.iteration}"


@dataclass(frozen=True)
class Repair:
    """The previous reply and why it was rejected; sent as a second turn."""

    previous_reply: str
    error: str

    def message(self) -> str:
        return (
            "Your previous reply could not be used because it does not match the required "
            f"JSON schema:\n{self.error}\nReply again with only the corrected JSON object."
        )


@dataclass
class RawReply:
    text: str
    usage: LLMUsage


def parse_reply(text: str, schema: type[T]) -> T:
    """Validate a JSON reply; tolerate a Markdown fence around it (some local models add one)."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return schema.model_validate_json(stripped)


def describe_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        lines = []
        for err in exc.errors()[:8]:
            loc = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
            lines.append(f"- {loc}: {err.get('msg')}")
        return "\n".join(lines)
    return str(exc)[:500]


def schema_for(schema: type[BaseModel]) -> dict[str, Any]:
    return schema.model_json_schema()


class LLM(ABC):
    """Base provider: subclasses send one request; this class validates and repairs."""

    name: str = "llm"

    @abstractmethod
    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        """Send the call (plus the repair turn, if any) and return the raw JSON text."""

    async def structured(self, call: LLMCall, schema: type[T]) -> tuple[T, LLMUsage]:
        """Ask for an instance of `schema`. One repair turn on invalid output, then raise."""
        result = await _traced_structured(self, call, schema)
        return cast("tuple[T, LLMUsage]", result)

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        """Write the shared prefix of `call` to the provider's cache before a fan-out."""
        return None

    async def aclose(self) -> None:
        return None

    async def _structured(self, call: LLMCall, schema: type[T]) -> tuple[T, LLMUsage]:
        started = time.perf_counter()
        first = await self._complete(call, schema, None)
        usage = first.usage
        try:
            value = parse_reply(first.text, schema)
        except (ValidationError, ValueError, json.JSONDecodeError) as exc:
            repair = Repair(previous_reply=first.text, error=describe_error(exc))
            second = await self._complete(call, schema, repair)
            usage = usage + second.usage
            try:
                value = parse_reply(second.text, schema)
            except (ValidationError, ValueError, json.JSONDecodeError) as exc2:
                usage.latency_s = time.perf_counter() - started
                raise StructuredOutputError(
                    call.role, call.node, describe_error(exc2), usage
                ) from exc2
        usage.latency_s = time.perf_counter() - started
        usage.node_id = call.node
        usage.iteration = call.iteration
        return value, usage


@traceable(run_type="llm", name="structured")
async def _traced_structured(llm: LLM, call: LLMCall, schema: type[T]) -> tuple[T, LLMUsage]:
    # LangSmith records this span only when tracing is enabled in the environment.
    return await llm._structured(call, schema)
