"""The offline demo: every recorded example replays to a project whose tests really pass."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import cli
import prompts
from agents.llm.cassette import Cassette, CassetteCall, find_cassette
from agents.llm.replay import ReplayLLM
from examples.build import SPEEDS, Session, check_cassette
from graph.runner import execute_run
from graph.store import RunStore
from models.settings import Settings, examples_dir
from tests.fakeapi import FakeAPIServer

GRAPH_REQUEST = "A Python library for graph algorithms (BFS, DFS, Dijkstra) with a CLI interface"


@dataclass(frozen=True)
class Expected:
    nodes: int
    width: int  # most nodes the DAG lets run at once
    revisions: list[list[str]]  # the nodes each revision resets


EXAMPLES = {
    "graph_algorithms": Expected(nodes=7, width=4, revisions=[]),
    "todo_manager": Expected(nodes=7, width=3, revisions=[]),
    "text_statistics": Expected(nodes=6, width=2, revisions=[["readability"]]),
}


def settings(home: Path) -> Settings:
    return Settings(_env_file=None, home=home, sandbox="local")  # type: ignore[call-arg]


def dag_width(depends_on: dict[str, list[str]]) -> int:
    depth: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in depth:
            depth[node] = 1 + max((level(d) for d in depends_on[node]), default=-1)
        return depth[node]

    levels = [level(n) for n in depends_on]
    return max(levels.count(d) for d in set(levels))


def test_every_recorded_example_is_tested() -> None:
    assert sorted(p.stem for p in examples_dir().glob("*.jsonl")) == sorted(EXAMPLES)
    requests = {Cassette.load(examples_dir() / f"{n}.jsonl").request for n in EXAMPLES}
    assert GRAPH_REQUEST in requests


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_cassette_matches_the_sources_it_is_built_from(name: str) -> None:
    assert check_cassette(Session.load(name)) == []


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_recorded_latencies_follow_the_stated_model(name: str) -> None:
    cassette = Cassette.load(examples_dir() / f"{name}.jsonl")

    assert cassette.header.tokens_per_second == SPEEDS[cassette.header.models["coder"]][1]
    assert "time to first token" in cassette.header.note
    for call in cassette.calls:
        ttft, tps = SPEEDS[call.usage.model]
        assert call.latency_s == pytest.approx(ttft + call.usage.output_tokens / tps, abs=1e-3)
        # Output tokens come from the reply's length; the prompt is paid for, cached or not.
        assert call.usage.output_tokens == len(call.reply) // 4
        assert call.usage.input_tokens + call.usage.cache_read_tokens > len(call.prompt_head) // 4
    coders = [c for c in cassette.calls if c.role == "coder"]
    assert coders and all(c.usage.cache_read_tokens > 0 for c in coders)  # after the warm-up


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_example_replays_to_a_project_whose_tests_pass(name: str, tmp_path: Path) -> None:
    expected = EXAMPLES[name]
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    path = examples_dir() / f"{name}.jsonl"
    llm = ReplayLLM(path, speed=1.0, sleep=record_sleep)
    result = await execute_run(settings(tmp_path / "home"), request=llm.request, llm=llm)

    assert result.status == "done", result.error
    assert result.summary.tests_total > 0
    assert result.summary.tests_passed == result.summary.tests_total
    assert llm.unused_keys() == []
    state = result.state
    assert state is not None and state.task_dag is not None and state.plan is not None
    assert len(state.task_dag.nodes) == expected.nodes
    assert dag_width({n.id: n.depends_on for n in state.task_dag.nodes}) == expected.width
    assert [r.reset_nodes for r in state.revisions] == expected.revisions
    assert result.summary.iterations == len(expected.revisions) + 1
    # Only the reset nodes were coded again.
    recoded = [c.node for c in Cassette.load(path).calls if c.role == "coder" and c.iteration]
    assert recoded == [n for r in expected.revisions for n in r]
    # At speed 1.0 every reply and every cache warm-up waits exactly its recorded latency,
    # and the warm-ups' cache writes are accounted.
    recorded = Cassette.load(path)
    assert sorted(slept) == sorted(e.latency_s for e in [*recorded.calls, *recorded.warms])
    assert result.summary.cache_write_tokens == sum(
        w.usage.cache_write_tokens for w in recorded.warms
    )
    assert result.output_dir is not None
    for planned in state.plan.files:
        assert (result.output_dir / planned.path).is_file()
    for node in state.task_dag.nodes:
        assert (result.output_dir / "tests" / f"test_{node.id}.py").is_file()


def scrubbed_env() -> dict[str, str]:
    """The environment of a fresh install: no API key, no server, no codegen settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY")
        and not k.endswith("_BASE_URL")
        and not k.startswith("CODEGEN")
    }


def test_the_graph_example_runs_from_the_command_line_without_a_key(tmp_path: Path) -> None:
    out = tmp_path / "graphkit"
    command = Path(sys.executable).with_name("parallel-codegen")
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "cli"]
    proc = subprocess.run(
        [*argv, "run", "--provider", "replay", GRAPH_REQUEST, "--out", str(out),
         "--home", str(tmp_path / "home"), "--quiet"],
        cwd=tmp_path, env=scrubbed_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    assert "done" in proc.stdout and "tests: 66/66 passed" in proc.stdout
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=out, env=scrubbed_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout
    assert "66 passed" in tests.stdout


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in [k for k in os.environ if k not in scrubbed_env()]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout


def test_recorded_prompts_match_whatever_the_case_and_spacing() -> None:
    messy = "  a python library for GRAPH algorithms (BFS, DFS, Dijkstra)\n with a CLI interface "
    assert find_cassette(messy, examples_dir()) == examples_dir() / "graph_algorithms.jsonl"


def test_an_unrecorded_prompt_explains_how_to_use_a_real_model(
    no_key: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["run", "A spreadsheet engine in Rust", "--home", str(tmp_path), "--quiet"])

    err = capsys.readouterr().err
    assert code == 2
    assert "no recorded session matches" in err
    assert "ANTHROPIC_API_KEY" in err and "OPENAI_BASE_URL" in err and "Ollama" in err
    assert GRAPH_REQUEST in err  # the prompts that do run offline are listed
    assert "Traceback" not in err


def cassette_responder(path: Path) -> Callable[[dict], object]:
    """Answers fake-API requests with a cassette's replies, found from the request itself."""
    roles = {
        prompts.ORCHESTRATOR_SYSTEM: "orchestrator",
        prompts.PLANNER_SYSTEM: "planner",
        prompts.CODER_SYSTEM: "coder",
        prompts.TEST_WRITER_SYSTEM: "tester",
        prompts.REVIEWER_SYSTEM: "reviewer",
    }
    calls = Cassette.load(path).calls

    def respond(body: dict) -> object:
        prompt = body["messages"][0]["content"]
        if prompt == "Reply with OK.":  # a cache warm-up
            return "OK"
        role = roles[body["system"][0]["text"]]
        found = re.search(r"This is revision (\d+)|Review iteration (\d+)", prompt)
        iteration = int(next(g for g in found.groups() if g)) if found else 0
        (call,) = [
            c
            for c in calls
            if c.role == role and c.iteration == iteration and prompt.startswith(c.prompt_head)
        ]
        return json.loads(call.reply)

    return respond


def project_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def last_run_dag(home: Path) -> list[tuple[str, list[str], list[str]]]:
    store = RunStore(home / "runs.sqlite")
    try:
        (run,) = store.list_runs()
        dag = store.get_dag(run.run_id)
    finally:
        store.close()
    assert dag is not None
    return [(n.id, n.files, n.depends_on) for n in dag.nodes]


def test_a_recorded_real_run_replays_exactly(
    no_key: None, fake_api: FakeAPIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    example = examples_dir() / "text_statistics.jsonl"
    request = Cassette.load(example).request
    fake_api.responder = cassette_responder(example)
    recording = tmp_path / "session.jsonl"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.url)

    recorded = cli.main(["run", request, "--record", str(recording), "--out",
                         str(tmp_path / "first"), "--home", str(tmp_path / "a"), "--quiet"])  # fmt: skip
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_BASE_URL")
    replayed = cli.main(["run", request, "--replay", str(recording), "--out",
                         str(tmp_path / "second"), "--home", str(tmp_path / "b"), "--quiet"])  # fmt: skip

    assert recorded == 0 and replayed == 0
    cassette = Cassette.load(recording)
    assert cassette.header.provider == "anthropic" and cassette.request == request
    assert sorted(c.key for c in cassette.calls) == sorted(
        c.key for c in Cassette.load(example).calls
    )
    coder_calls: list[CassetteCall] = [c for c in cassette.calls if c.role == "coder"]
    assert any(c.usage.cache_read_tokens > 0 for c in coder_calls)  # real caching fields
    assert len(fake_api.requests) == len(cassette.calls) + len(cassette.warms)
    first, second = project_files(tmp_path / "first"), project_files(tmp_path / "second")
    assert first == second and "textstats/readability.py" in first
    assert last_run_dag(tmp_path / "a") == last_run_dag(tmp_path / "b")
