"""Reviewer: a score, an approval and structured issues, each naming a file."""

from __future__ import annotations

from collections.abc import Mapping

import prompts
from agents.llm.base import LLM, LLMCall
from models.schemas import Review
from models.usage import LLMUsage


async def review_project(
    llm: LLM, *, context: str, files: Mapping[str, str], iteration: int
) -> tuple[Review, LLMUsage, list[str]]:
    call = LLMCall(
        role="reviewer",
        system=prompts.REVIEWER_SYSTEM,
        context=context,
        prompt=prompts.REVIEWER_PROMPT.format(
            iteration=iteration, files=prompts.render_files(files)
        ),
        iteration=iteration,
        max_tokens=6000,
    )
    review, usage = await llm.structured(call, Review)
    notes = [
        f"review issue for unknown file {i.path!r} ignored: {i.message}"
        for i in review.issues
        if i.path not in files
    ]
    review.issues = [i for i in review.issues if i.path in files]
    return review, usage, notes
