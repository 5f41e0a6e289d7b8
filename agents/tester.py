"""Tester: writes pytest files from the contracts (while code is written) and runs them."""

from __future__ import annotations

from collections.abc import Sequence

import prompts
from agents.bundles import Accepted, accept_files, bundle_for
from agents.llm.base import LLM, LLMCall
from models.dag import TaskNode
from models.usage import LLMUsage


def test_path_for(node: TaskNode) -> str:
    return f"tests/test_{node.id}.py"


async def write_tests(
    llm: LLM,
    *,
    context: str,
    node: TaskNode,
    iteration: int = 0,
    previous: str | None = None,
    feedback: Sequence[str] = (),
) -> tuple[Accepted, LLMUsage]:
    path = test_path_for(node)
    prompt = prompts.TEST_WRITER_PROMPT.format(test_path=path, paths=", ".join(node.files))
    if previous is not None:
        prompt += prompts.TEST_WRITER_REVISION.format(
            feedback=prompts.bullet(list(feedback)), previous=previous
        )
    call = LLMCall(
        role="tester",
        system=prompts.TEST_WRITER_SYSTEM,
        context=context,
        prompt=prompt,
        node=node.id,
        iteration=iteration,
    )
    bundle, usage = await llm.structured(call, bundle_for((path,)))
    return accept_files(bundle, [path], "test writer"), usage
