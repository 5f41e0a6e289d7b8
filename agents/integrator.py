"""Integrator: a static check of the whole project; only files with problems go to the LLM."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import prompts
from agents.bundles import accept_files, bundle_for
from agents.llm.base import LLM, LLMCall, LLMError
from agents.static_check import check_project, module_name
from models.usage import LLMUsage


def imported_files(path: str, files: Mapping[str, str], imports: Mapping[str, list[str]]) -> dict:
    return {p: files[p] for p in imports.get(path, []) if p in files}


async def integrate(
    llm: LLM,
    *,
    context: str,
    files: Mapping[str, str],
    imports: Mapping[str, list[str]],
    iteration: int,
) -> tuple[dict[str, str], dict[str, list[str]], list[LLMUsage], list[str]]:
    """Fix files the static check flags. Returns (fixed files, remaining problems, usage, notes)."""
    problems = check_project(files)
    if not problems:
        return {}, {}, [], []

    async def fix(path: str, issues: list[str]) -> tuple[str, dict[str, str], LLMUsage | None, str]:
        call = LLMCall(
            role="integrator",
            system=prompts.INTEGRATOR_SYSTEM,
            context=context,
            prompt=prompts.INTEGRATOR_PROMPT.format(
                path=path,
                problems=prompts.bullet(issues),
                content=files[path],
                dependency_code=prompts.render_files(imported_files(path, files, imports)),
            ),
            node=path,
            iteration=iteration,
        )
        try:
            bundle, usage = await llm.structured(call, bundle_for((path,)))
        except LLMError as exc:
            return path, {}, getattr(exc, "usage", None), f"integrator could not fix {path}: {exc}"
        accepted = accept_files(bundle, [path], "integrator")
        return path, accepted.files, usage, "; ".join(accepted.notes)

    results = await asyncio.gather(*(fix(p, i) for p, i in sorted(problems.items())))
    fixed: dict[str, str] = {}
    usages: list[LLMUsage] = []
    notes: list[str] = []
    for _path, new_files, usage, note in results:
        fixed.update(new_files)
        if usage is not None:
            usages.append(usage)
        if note:
            notes.append(note)
    remaining = check_project({**files, **fixed})
    return fixed, remaining, usages, notes


__all__ = ["integrate", "module_name"]
