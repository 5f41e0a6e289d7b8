"""OpenAI-compatible chat completions provider (Ollama, vLLM, LM Studio, OpenAI)."""

from __future__ import annotations

from typing import Any

import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from agents.llm.base import LLM, LLMCall, LLMError, RawReply, Repair
from agents.llm.common import EMPTY_REPLY, TruncationMemo, error_text, retries_note, where
from models.settings import Settings
from models.usage import LLMUsage


class OpenAICompatLLM(LLM):
    """`AsyncOpenAI` against `OPENAI_BASE_URL`, created on the first call.

    Local servers have no key; the SDK insists on one, so a placeholder is sent.
    """

    name = "openai"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._client: openai.AsyncOpenAI | None = None
        self._truncated = TruncationMemo()

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            key = self.settings.openai_api_key
            self._client = openai.AsyncOpenAI(
                base_url=self.settings.openai_base_url,
                api_key=(key.get_secret_value() if key is not None else "") or "not-needed",
                max_retries=self.settings.llm_max_retries,
                timeout=self.settings.llm_timeout_s,
            )
        return self._client

    def messages(self, call: LLMCall, repair: Repair | None) -> list[dict[str, Any]]:
        # The system message is the stable prefix that servers with prefix caching reuse.
        system = call.system + ("\n\n" + call.context if call.context else "")
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": call.prompt},
        ]
        if repair is not None:
            messages += [
                {"role": "assistant", "content": repair.previous_reply or EMPTY_REPLY},
                {"role": "user", "content": self._truncated.repair_message(repair)},
            ]
        return messages

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        max_tokens = min(call.max_tokens, self.settings.max_output_tokens)
        response_format: Any = {
            "type": "json_schema",
            "json_schema": {
                "name": schema.__name__,
                "schema": schema.model_json_schema(),
                "strict": False,
            },
        }
        completion = await self._create(
            call,
            messages=self.messages(call, repair),
            response_format=response_format,
            max_tokens=max_tokens,
        )
        choice = completion.choices[0] if completion.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        if choice is not None and choice.finish_reason == "length":
            self._truncated.remember(text, max_tokens)
        return RawReply(text=text, usage=self._usage(call, completion))

    async def _create(self, call: LLMCall, **params: Any) -> ChatCompletion:
        """One `chat.completions.create`, retried by the SDK; failures become an `LLMError`."""
        server = self.settings.openai_base_url or "the OpenAI API"
        try:
            completion: ChatCompletion = await self.client.chat.completions.create(
                model=self.settings.model_for(call.role), **params
            )
        except openai.APIStatusError as exc:
            raise LLMError(
                f"{where(call)}: {server} answered HTTP {exc.status_code} "
                f"({error_text(exc.body, exc.message)})"
                f"{retries_note(exc.status_code, self.settings.llm_max_retries)}"
            ) from exc
        except openai.APITimeoutError as exc:
            raise LLMError(
                f"{where(call)}: the request to {server} timed out after "
                f"{self.settings.llm_timeout_s:g} s ({self.settings.llm_max_retries} retries)"
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMError(f"{where(call)}: could not reach {server} ({exc})") from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"{where(call)}: OpenAI-compatible request failed: {exc}") from exc
        return completion

    def _usage(self, call: LLMCall, completion: ChatCompletion) -> LLMUsage:
        u = completion.usage
        prompt = u.prompt_tokens if u is not None else 0
        details = u.prompt_tokens_details if u is not None else None
        cached = (details.cached_tokens or 0) if details is not None else 0
        return LLMUsage.priced(
            role=call.role,
            model=self.settings.model_for(call.role),
            input_tokens=max(prompt - cached, 0),
            output_tokens=u.completion_tokens if u is not None else 0,
            cache_read_tokens=cached,
            node_id=call.node,
            iteration=call.iteration,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
