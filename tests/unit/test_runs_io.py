"""Request precheck, the budget guard and writing projects safely."""

from __future__ import annotations

import asyncio
import os
import zipfile
from pathlib import Path

import pytest

from agents.llm.base import LLMCall
from agents.llm.fake import ScriptedLLM
from agents.orchestrator import RequestRejected, precheck
from graph.guard import BudgetExceeded, GuardedLLM, RunCancelled
from graph.project import build_zip, safe_target, write_files
from models.paths import UnsafePathError
from models.schemas import Review
from models.settings import Settings


@pytest.mark.parametrize(
    ("request_text", "reason"),
    [
        ("", "empty"),
        ("  \n\t  ", "empty"),
        ("a\x00b build me a tool", "binary"),
        ("x" * 30_000, "30,000 characters"),
        ("!!! ??? ...", "no words"),
    ],
)
def test_precheck_rejects_with_a_reason(request_text: str, reason: str) -> None:
    with pytest.raises(RequestRejected, match=reason):
        precheck(request_text, max_chars=20_000)


def test_precheck_strips_control_characters_but_keeps_the_text() -> None:
    assert precheck("  a CLI\x1b[31m todo\ttool\n  ", max_chars=100) == "a CLI[31m todo\ttool"


def review_llm() -> ScriptedLLM:
    return ScriptedLLM(lambda c, s, r: Review(score=8, approved=True, summary="ok"))


def call(prompt: str = "p") -> LLMCall:
    return LLMCall(role="reviewer", system="s" * 4000, context="c" * 4000, prompt=prompt)


async def test_guard_refuses_a_call_that_would_exceed_the_budget() -> None:
    settings = Settings(_env_file=None, budget_usd=0.05)  # type: ignore[call-arg]
    inner = review_llm()
    seen = []
    guard = GuardedLLM(inner, settings, on_usage=seen.append)

    first, _ = await guard.structured(call(), Review)
    assert first.score == 8
    guard.spent = 0.045  # as if earlier calls had cost this much
    with pytest.raises(BudgetExceeded, match=r"budget of \$0.05 reached"):
        await guard.structured(call(), Review)
    assert len(inner.calls) == 1  # the refused call never reached the provider
    assert len(seen) == 1 and seen[0].cost_usd > 0
    with pytest.raises(BudgetExceeded):
        guard.raise_if_stopped()


async def test_guard_refuses_calls_after_cancel() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    cancel = asyncio.Event()
    inner = review_llm()
    guard = GuardedLLM(inner, settings, cancel=cancel)
    cancel.set()

    with pytest.raises(RunCancelled):
        await guard.structured(call(), Review)
    assert inner.calls == []


def test_writes_stay_inside_the_project(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_files(root, {"a.py": "x = 1\n", "pkg/b.py": "y = 2\n"})

    assert (root / "pkg" / "b.py").read_text() == "y = 2\n"
    for bad in ["../x.py", "/tmp/x.py", ".git/config", "a/../../x.py"]:
        with pytest.raises(UnsafePathError):
            safe_target(root, bad)


def test_a_planted_symlink_cannot_redirect_a_write(tmp_path: Path) -> None:
    root = tmp_path / "project"
    outside = tmp_path / "outside"
    outside.mkdir()
    root.mkdir()
    os.symlink(outside, root / "link")

    with pytest.raises(UnsafePathError, match="symbolic link"):
        write_files(root, {"link/evil.py": "boom"})
    assert list(outside.iterdir()) == []


def test_zip_is_reproducible_and_holds_only_relative_paths(tmp_path: Path) -> None:
    files = {"b.py": "b", "a/c.py": "c", "README.md": "r"}
    one = build_zip(files, tmp_path / "one.zip")
    two = build_zip(dict(reversed(list(files.items()))), tmp_path / "two.zip")

    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as zf:
        assert zf.namelist() == ["README.md", "a/c.py", "b.py"]
    with pytest.raises(UnsafePathError):
        build_zip({"../../evil.py": "x"}, tmp_path / "evil.zip")
    assert not (tmp_path / "evil.zip").exists()


def test_complete_project_adds_a_readme_quoting_the_cleaned_request() -> None:
    from graph.project import complete_project

    project = complete_project("demo", "a todo\x1b[31m app\x07", None, {"todo.py": "x = 1\n"})

    assert list(project) == ["README.md", "todo.py"]
    assert "\x1b" not in project["README.md"] and "\x07" not in project["README.md"]
    assert project["README.md"].startswith("# demo\n\na todo[31m app")
    kept = complete_project("demo", "r", None, {"README.md": "mine"})
    assert kept["README.md"] == "mine"
