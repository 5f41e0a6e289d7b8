"""Pieces the HTTP providers share: error wording and the memory of truncated replies."""

from __future__ import annotations

from collections import OrderedDict

from agents.llm.base import LLMCall, Repair

EMPTY_REPLY = "(empty reply)"


def where(call: LLMCall) -> str:
    return call.role + (f" (node {call.node})" if call.node else "")


def truncation_message(max_tokens: int) -> str:
    return (
        f"Your previous reply was cut off at the output limit of {max_tokens} tokens, so it is "
        "not complete JSON. Reply again with only the JSON object, and be more concise: "
        "shorter text fields, no commentary, no repetition."
    )


class TruncationMemo:
    """Remembers replies that hit the output limit, so their repair turn can say so.

    The base class repairs any reply that fails validation; it cannot tell a cut-off reply
    from a wrong one, but the provider that saw `stop_reason` can.
    """

    def __init__(self, capacity: int = 256):
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._capacity = capacity

    def remember(self, text: str, max_tokens: int) -> None:
        self._seen[text] = max_tokens
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    def repair_message(self, repair: Repair) -> str:
        max_tokens = self._seen.pop(repair.previous_reply, None)
        return repair.message() if max_tokens is None else truncation_message(max_tokens)


def error_text(body: object, fallback: str) -> str:
    """The message inside an API error body (both APIs nest it under "error")."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return fallback


def retries_note(status: int, max_retries: int) -> str:
    # The SDKs retry only these statuses; saying "after N retries" for a 401 would mislead.
    retried = status in (408, 409, 429) or status >= 500
    return f" after {max_retries} retries" if retried and max_retries else ""
