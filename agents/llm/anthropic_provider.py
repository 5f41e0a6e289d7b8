"""Anthropic Messages API provider: structured output, prompt caching, SDK retries."""

from __future__ import annotations

import functools
import json
from typing import Any

import anthropic
from anthropic.types import Message
from pydantic import BaseModel

from agents.llm.base import LLM, LLMCall, LLMError, RawReply, Repair
from agents.llm.common import EMPTY_REPLY, TruncationMemo, error_text, retries_note, where
from models.settings import Settings
from models.usage import LLMUsage

WARM_PROMPT = "Reply with OK."


@functools.cache
def _output_schema(schema: type[BaseModel]) -> dict[str, Any]:
    return anthropic.transform_schema(schema)


class AnthropicLLM(LLM):
    """`AsyncAnthropic`, created on the first call; honours ANTHROPIC_BASE_URL."""

    name = "anthropic"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._client: anthropic.AsyncAnthropic | None = None
        self._truncated = TruncationMemo()

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        if self._client is None:
            key = self.settings.anthropic_api_key
            self._client = anthropic.AsyncAnthropic(
                api_key=key.get_secret_value() if key is not None else None,
                base_url=self.settings.anthropic_base_url or None,
                max_retries=self.settings.llm_max_retries,
                timeout=self.settings.llm_timeout_s,
            )
        return self._client

    def system_blocks(self, call: LLMCall) -> list[dict[str, Any]]:
        """The stable prefix: system prompt, then project context, cached up to the last block."""
        blocks: list[dict[str, Any]] = [{"type": "text", "text": call.system}]
        if call.context:
            blocks.append({"type": "text", "text": call.context})
        blocks[-1]["cache_control"] = {"type": "ephemeral"}
        return blocks

    def messages(self, call: LLMCall, repair: Repair | None) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [{"role": "user", "content": call.prompt}]
        if repair is not None:
            messages += [
                {"role": "assistant", "content": repair.previous_reply or EMPTY_REPLY},
                {"role": "user", "content": self._truncated.repair_message(repair)},
            ]
        return messages

    def max_tokens(self, call: LLMCall) -> int:
        return min(call.max_tokens, self.settings.max_output_tokens)

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        max_tokens = self.max_tokens(call)
        tool_mode = self.settings.anthropic_structured == "tool"
        extra: dict[str, Any]
        if tool_mode:
            extra = {
                "tools": [
                    {
                        "name": schema.__name__,
                        "description": f"Record the reply as a {schema.__name__} object.",
                        "input_schema": schema.model_json_schema(),
                    }
                ],
                "tool_choice": {"type": "tool", "name": schema.__name__},
            }
        else:
            extra = {
                "output_config": {
                    "format": {"type": "json_schema", "schema": _output_schema(schema)}
                }
            }
        message = await self._create(
            call,
            system=self.system_blocks(call),
            messages=self.messages(call, repair),
            max_tokens=max_tokens,
            **extra,
        )
        text = reply_text(message, tool_mode)
        if message.stop_reason == "max_tokens":
            self._truncated.remember(text, max_tokens)
        return RawReply(text=text, usage=self._usage(call, message))

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        """Write the system + context prefix to the cache with a one-token request."""
        message = await self._create(
            call,
            system=self.system_blocks(call),
            messages=[{"role": "user", "content": WARM_PROMPT}],
            max_tokens=1,
        )
        return self._usage(call, message)

    async def _create(self, call: LLMCall, **params: Any) -> Message:
        """One `messages.create`, retried by the SDK; failures become an `LLMError`."""
        try:
            message: Message = await self.client.messages.create(
                model=self.settings.model_for(call.role), **params
            )
        except anthropic.APIStatusError as exc:
            raise LLMError(
                f"{where(call)}: the Anthropic API answered HTTP {exc.status_code} "
                f"({error_text(exc.body, exc.message)})"
                f"{retries_note(exc.status_code, self.settings.llm_max_retries)}"
            ) from exc
        except anthropic.APITimeoutError as exc:
            raise LLMError(
                f"{where(call)}: the Anthropic API request timed out after "
                f"{self.settings.llm_timeout_s:g} s ({self.settings.llm_max_retries} retries)"
            ) from exc
        except anthropic.APIConnectionError as exc:
            raise LLMError(
                f"{where(call)}: could not reach the Anthropic API at "
                f"{self.client.base_url} ({exc})"
            ) from exc
        except anthropic.AnthropicError as exc:
            raise LLMError(f"{where(call)}: Anthropic request failed: {exc}") from exc
        except TypeError as exc:
            # The SDK raises TypeError when it finds no credentials to send.
            if "authentication" not in str(exc):
                raise
            raise LLMError(
                f"{where(call)}: no Anthropic credentials; set ANTHROPIC_API_KEY"
            ) from exc
        return message

    def _usage(self, call: LLMCall, message: Message) -> LLMUsage:
        u = message.usage
        return LLMUsage.priced(
            role=call.role,
            model=self.settings.model_for(call.role),
            input_tokens=u.input_tokens or 0,
            output_tokens=u.output_tokens or 0,
            cache_write_tokens=u.cache_creation_input_tokens or 0,
            cache_read_tokens=u.cache_read_input_tokens or 0,
            node_id=call.node,
            iteration=call.iteration,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def reply_text(message: Message, tool_mode: bool) -> str:
    """The raw JSON text of a reply: the forced tool's input, else the text blocks."""
    if tool_mode:
        for block in message.content:
            if block.type == "tool_use":
                return json.dumps(block.input)
    return "".join(block.text for block in message.content if block.type == "text")
