"""Coder workers: each writes the files of one DAG node from the contracts and its deps' code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import prompts
from agents.bundles import Accepted, accept_files, bundle_for
from agents.llm.base import LLM, LLMCall
from models.dag import TaskNode
from models.usage import LLMUsage


def coder_call(
    *,
    context: str,
    node: TaskNode,
    dependency_code: Mapping[str, str],
    iteration: int,
    previous: Mapping[str, str] | None = None,
    feedback: Sequence[str] = (),
) -> LLMCall:
    prompt = prompts.CODER_PROMPT.format(
        paths=", ".join(node.files),
        name=node.name,
        description=node.description,
        dependency_code=prompts.render_files(dependency_code),
    )
    if previous is not None:
        prompt += prompts.CODER_REVISION.format(
            iteration=iteration,
            previous_code=prompts.render_files(previous),
            feedback=prompts.bullet(list(feedback)),
        )
    return LLMCall(
        role="coder",
        system=prompts.CODER_SYSTEM,
        context=context,
        prompt=prompt,
        node=node.id,
        iteration=iteration,
    )


async def code_node(
    llm: LLM,
    *,
    context: str,
    node: TaskNode,
    dependency_code: Mapping[str, str],
    iteration: int = 0,
    previous: Mapping[str, str] | None = None,
    feedback: Sequence[str] = (),
) -> tuple[Accepted, LLMUsage]:
    call = coder_call(
        context=context,
        node=node,
        dependency_code=dependency_code,
        iteration=iteration,
        previous=previous,
        feedback=feedback,
    )
    bundle, usage = await llm.structured(call, bundle_for(tuple(node.files)))
    return accept_files(bundle, node.files, f"node {node.id!r}"), usage
