"""A scripted model that writes a real, testable project for any DAG shape.

Module `<n>.py` defines `value_<n>()` = 1 + the values of the modules it imports, and its test
checks that number, so a wrong module really fails its own test and is really fixed by a revision.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

import prompts
from agents.llm.base import LLMCall, Repair
from models.schemas import (
    FileBundle,
    GeneratedFile,
    Plan,
    PlannedFile,
    RequestAnalysis,
    Review,
)

Shape = dict[str, list[str]]


def chain(n: int) -> Shape:
    return {f"m{i}": ([f"m{i - 1}"] if i else []) for i in range(n)}


def diamond() -> Shape:
    return {"base": [], "left": ["base"], "right": ["base"], "top": ["left", "right"]}


def fan_out(width: int) -> Shape:
    shape: Shape = {"core": []}
    shape.update({f"leaf{i}": ["core"] for i in range(width)})
    return shape


def independent(n: int) -> Shape:
    return {f"solo{i}": [] for i in range(n)}


def layered(n: int, *, width: int = 8, max_deps: int = 3, seed: int = 1) -> Shape:
    """A random layered DAG of `n` nodes; each node imports a few nodes of earlier layers."""
    rng = random.Random(seed)
    shape: Shape = {}
    earlier: list[str] = []
    layer: list[str] = []
    for i in range(n):
        name = f"n{i}"
        k = min(len(earlier), rng.randint(0, max_deps))
        shape[name] = sorted(rng.sample(earlier, k)) if k else []
        layer.append(name)
        if len(layer) >= width:
            earlier.extend(layer)
            layer = []
    return shape


def expected_values(shape: Shape) -> dict[str, int]:
    values: dict[str, int] = {}

    def value(n: str) -> int:
        if n not in values:
            values[n] = 1 + sum(value(d) for d in shape[n])
        return values[n]

    for n in shape:
        value(n)
    return values


class SyntheticProject:
    """Answers every role of the pipeline for the given shape.

    `bugs[node] = k` makes the coder of `node` write a wrong value in its first `k` rounds.
    """

    def __init__(
        self,
        shape: Shape,
        *,
        bugs: Mapping[str, int] | None = None,
        reject: bool = False,
        padding: int = 0,
        tests_import_deps: bool = False,
    ) -> None:
        self.shape = shape
        self.bugs = dict(bugs or {})
        self.reject = reject
        self.padding = padding
        self.tests_import_deps = tests_import_deps
        self.values = expected_values(shape)

    def plan(self) -> Plan:
        return Plan(
            objective="A set of modules whose values add up along their imports.",
            files=[
                PlannedFile(
                    path=f"{n}.py",
                    purpose=f"Module {n}.",
                    interface=f"def value_{n}() -> int: 1 plus the values of its imports",
                    imports=[f"{d}.py" for d in deps],
                )
                for n, deps in self.shape.items()
            ],
            requirements=[],
            test_strategy="Each module's value is checked.",
        )

    def module(self, node: str, iteration: int) -> str:
        deps = self.shape[node]
        lines = [f'"""Module {node}."""', ""]
        lines += [f"from {d} import value_{d}" for d in deps]
        if self.padding:
            lines += ["", f"DATA = {'x' * self.padding!r}"]
        wrong = 1 if iteration < self.bugs.get(node, 0) else 0
        total = " + ".join(["1", *[f"value_{d}()" for d in deps]])
        lines += ["", "", f"def value_{node}() -> int:", f"    return {total} + {wrong}", ""]
        return "\n".join(lines)

    def test(self, node: str) -> str:
        # Like real tests, these may import what they need to build inputs from other modules.
        deps = self.shape[node] if self.tests_import_deps else []
        imports = "".join(f"from {d} import value_{d}  # noqa: F401\n" for d in deps)
        return (
            f"{imports}from {node} import value_{node}\n\n\n"
            f"def test_value_{node}():\n    assert value_{node}() == {self.values[node]}\n"
        )

    def __call__(self, call: LLMCall, schema: type[BaseModel], repair: Repair | None) -> object:
        if call.role == "orchestrator":
            return RequestAnalysis(
                is_valid=not self.reject,
                reason="not a software project" if self.reject else "a software project",
                project_name="synthetic",
                summary="Modules with values.",
            )
        if call.role == "planner":
            return self.plan()
        if call.role == "coder":
            node = str(call.node)
            return FileBundle(
                files=[GeneratedFile(path=f"{node}.py", content=self.module(node, call.iteration))]
            )
        if call.role == "tester":
            node = str(call.node)
            return FileBundle(
                files=[GeneratedFile(path=f"tests/test_{node}.py", content=self.test(node))]
            )
        if call.role == "integrator":
            node = str(call.node).removesuffix(".py")
            return FileBundle(
                files=[GeneratedFile(path=str(call.node), content=self.module(node, 99))]
            )
        if call.role == "reviewer":
            return Review(score=9, approved=True, summary="Fine.", issues=[])
        raise AssertionError(f"unexpected role {call.role}")


_ROLE_BY_SYSTEM = {
    prompts.ORCHESTRATOR_SYSTEM: "orchestrator",
    prompts.PLANNER_SYSTEM: "planner",
    prompts.CODER_SYSTEM: "coder",
    prompts.TEST_WRITER_SYSTEM: "tester",
    prompts.INTEGRATOR_SYSTEM: "integrator",
    prompts.REVIEWER_SYSTEM: "reviewer",
}


def call_from_request(body: Mapping[str, Any]) -> LLMCall | None:
    """Rebuild the LLMCall behind an Anthropic Messages or OpenAI chat request body.

    Only what a real model sees is used: the system prompt names the role, the prompt names
    the files and the revision round. A cache warm-up (a one-token request) gives None.
    """
    if body.get("max_tokens") == 1:
        return None
    if "system" in body:
        system = body["system"]
        blocks = [system] if isinstance(system, str) else [b["text"] for b in system]
        role_text, context = blocks[0], "\n".join(blocks[1:])
        prompt = _text(body["messages"][0]["content"])
    else:
        messages = body["messages"]
        system_text = _text(messages[0]["content"])
        role_text = next((t for t in _ROLE_BY_SYSTEM if system_text.startswith(t)), system_text)
        context = system_text[len(role_text) :].strip()
        prompt = _text(messages[1]["content"])
    role = _ROLE_BY_SYSTEM.get(role_text.strip())
    if role is None:
        raise ValueError("unknown system prompt")
    node: str | None = None
    iteration = 0
    if role == "coder":
        node = re.search(r"Write these files: (\S+)\.py", prompt).group(1)  # type: ignore[union-attr]
        found = re.search(r"This is revision (\d+)", prompt)
        iteration = int(found.group(1)) if found else 0
    elif role == "tester":
        node = re.search(r"tests/test_(\w+)\.py", prompt).group(1)  # type: ignore[union-attr]
    elif role == "integrator":
        node = re.search(r"File to fix: (\S+)", prompt).group(1)  # type: ignore[union-attr]
    elif role == "reviewer":
        found = re.search(r"Review iteration (\d+)", prompt)
        iteration = int(found.group(1)) if found else 0
    return LLMCall(
        role=role, system=role_text, context=context, prompt=prompt, node=node, iteration=iteration
    )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content)


_SCHEMAS: dict[str, type[BaseModel]] = {
    "orchestrator": RequestAnalysis,
    "planner": Plan,
    "coder": FileBundle,
    "tester": FileBundle,
    "integrator": FileBundle,
    "reviewer": Review,
}


def http_responder(project: SyntheticProject) -> Callable[[dict], dict]:
    """A FakeAPIServer responder that answers each request as the scripted project would."""

    def respond(body: dict) -> dict:
        call = call_from_request(body)
        if call is None:  # a cache warm-up: nothing to answer
            return {}
        value = project(call, _SCHEMAS[call.role], None)
        assert isinstance(value, BaseModel)
        return value.model_dump(mode="json")

    return respond
