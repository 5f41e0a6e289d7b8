"""Planner: the files of the project and the interface contract of each."""

from __future__ import annotations

import prompts
from agents.llm.base import LLM, LLMCall
from models.schemas import Plan
from models.usage import LLMUsage


async def make_plan(
    llm: LLM, *, request: str, project_name: str, summary: str
) -> tuple[Plan, LLMUsage]:
    call = LLMCall(
        role="planner",
        system=prompts.PLANNER_SYSTEM,
        context="",
        prompt=prompts.PLANNER_PROMPT.format(
            project_name=project_name, summary=summary, request=request
        ),
        max_tokens=12000,
    )
    return await llm.structured(call, Plan)
