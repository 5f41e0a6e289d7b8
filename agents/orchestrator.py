"""Orchestrator: rejects empty, oversized or non-software requests before anything is spent."""

from __future__ import annotations

import re
import unicodedata

import prompts
from agents.llm.base import LLM, LLMCall
from models.schemas import RequestAnalysis
from models.usage import LLMUsage


class RequestRejected(ValueError):
    """The request cannot be turned into a project; the message says why."""


def normalize_request(text: str) -> str:
    """Strip control characters (keeping newlines and tabs) and surrounding white space."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"[ \t]+\n", "\n", cleaned).strip()


def precheck(request: str, max_chars: int) -> str:
    """The normalised request, or RequestRejected for input no model should be paid to read."""
    if not isinstance(request, str):
        raise RequestRejected("the request must be text")
    if "\x00" in request:
        raise RequestRejected("the request contains binary data (NUL bytes)")
    text = normalize_request(request)
    if not text:
        raise RequestRejected("the request is empty: describe the project you want built")
    if len(text) > max_chars:
        raise RequestRejected(
            f"the request is {len(text):,} characters long; the limit is {max_chars:,} "
            "(CODEGEN_MAX_REQUEST_CHARS). Describe the project more briefly."
        )
    if not re.search(r"[A-Za-z]{2,}", text) and not re.search(r"\w{2,}", text):
        raise RequestRejected("the request has no words in it: describe the project in a sentence")
    return text


async def analyze_request(llm: LLM, request: str) -> tuple[RequestAnalysis, LLMUsage]:
    call = LLMCall(
        role="orchestrator",
        system=prompts.ORCHESTRATOR_SYSTEM,
        context="",
        prompt=prompts.ORCHESTRATOR_PROMPT.format(request=request),
        max_tokens=2000,
    )
    analysis, usage = await llm.structured(call, RequestAnalysis)
    analysis.project_name = safe_project_name(analysis.project_name)
    return analysis, usage


def safe_project_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return slug[:60] or "project"
