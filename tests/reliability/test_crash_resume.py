"""The CLI killed with SIGKILL at seeded points of one run, resumed each time, until done.

The run goes through the real anthropic SDK to a fake API server in this process, so every
request is counted: a node whose code was stored is never asked for again, the store holds no
duplicate or torn rows, and the final zip is byte-identical to that of an uninterrupted run.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.store import RunStore
from tests.fakeapi.server import FakeAPIServer, RecordedRequest
from tests.reliability.figures import record
from tests.support.synthetic import SyntheticProject, call_from_request, http_responder, layered

REPO = Path(__file__).resolve().parents[2]
REQUEST = "Modules that add up along their imports."
SHAPE = layered(8, width=3, seed=5)
BUG = "n1"  # written wrong in the first round, so the run has a revision to be killed in
SEED = 20
# Seconds the fake API takes per role: long enough for a kill to land inside each phase.
LATENCY = {"planner": 1.0, "coder": 0.4, "tester": 0.4, "reviewer": 1.5}

NodeRound = tuple[str, int]


def role_of(body: Mapping[str, Any]) -> str:
    if body.get("max_tokens") == 1:
        return "warm-up"
    return call_from_request(body).role


def coder_asks(requests: list[RecordedRequest]) -> list[NodeRound]:
    asks = []
    for r in requests:
        if role_of(r.body) == "coder":
            call = call_from_request(r.body)
            asks.append((str(call.node), call.iteration))
    return asks


def cli_env(server: FakeAPIServer) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("API_KEY") and not k.startswith(("CODEGEN_", "ANTHROPIC_", "OPENAI_"))
    }
    return env | {
        "ANTHROPIC_BASE_URL": server.url,
        "ANTHROPIC_API_KEY": "test-key",
        "CODEGEN_SANDBOX": "local",
        "CODEGEN_MAX_WORKERS": "2",
        "CODEGEN_LLM_TIMEOUT_S": "30",
    }


def start_cli(args: list[str], server: FakeAPIServer, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), *args, "--provider", "anthropic", "--quiet"],
        cwd=cwd,
        env=cli_env(server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen[bytes]) -> int:
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode(errors="replace")
    return proc.returncode


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the sandbox's test runs live in their own sessions)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                stack.append(child)
    return found


def crash(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the CLI and everything it started, as a machine losing power would."""
    children = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    for child in children:
        with contextlib.suppress(ProcessLookupError):  # it may have exited already
            os.kill(child, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"never reached: {what}")


@dataclass
class Kill:
    """What was true at one kill: the requests made so far and the nodes stored as DONE."""

    point: str
    requests_before: int
    done: set[NodeRound]
    asked: set[NodeRound]

    @property
    def in_flight(self) -> set[NodeRound]:
        return self.asked - self.done


def done_rounds(store: RunStore, run_id: str) -> set[NodeRound]:
    return {(t.node_id, t.iteration) for t in store.node_transitions(run_id) if t.status == "DONE"}


def uninterrupted_zip(tmp_path: Path, project: SyntheticProject) -> bytes:
    target = tmp_path / "uninterrupted.zip"
    with FakeAPIServer(http_responder(project)) as server:
        proc = start_cli(
            ["run", REQUEST, "--home", str(tmp_path / "clean"), "--zip", str(target)],
            server,
            tmp_path,
        )
        finish(proc)
    return target.read_bytes()


def test_run_killed_at_seeded_points_resumes_to_the_same_zip(tmp_path: Path) -> None:
    project = SyntheticProject(SHAPE, bugs={BUG: 1})
    expected_zip = uninterrupted_zip(tmp_path, project)
    rng = random.Random(SEED)
    home = tmp_path / "home"
    final_zip = tmp_path / "resumed.zip"
    kills: list[Kill] = []

    def latency(body: dict[str, Any]) -> float:
        return LATENCY.get(role_of(body), 0.0)

    with FakeAPIServer(http_responder(project), latency=latency) as server:

        def asked_roles(role: str, iteration: int | None = None) -> int:
            return sum(
                1
                for r in list(server.requests)
                if role_of(r.body) == role
                and (iteration is None or call_from_request(r.body).iteration == iteration)
            )

        proc = start_cli(["run", REQUEST, "--home", str(home)], server, tmp_path)
        try:
            wait_for(lambda: (home / "runs.sqlite").exists(), "the run store exists")
            store = RunStore(home / "runs.sqlite")
            wait_for(lambda: len(store.list_runs()) == 1, "the run is registered")
            run_id = store.list_runs()[0].run_id

            def kill_when(point: str, ready: Callable[[], bool], extra_s: float) -> None:
                wait_for(ready, point)
                time.sleep(extra_s)
                crash(proc)
                requests = list(server.requests)
                kills.append(
                    Kill(
                        point, len(requests), done_rounds(store, run_id), set(coder_asks(requests))
                    )
                )

            def resume() -> subprocess.Popen[bytes]:
                return start_cli(
                    ["resume", run_id, "--home", str(home), "--zip", str(final_zip)],
                    server,
                    tmp_path,
                )

            kill_when("planning", lambda: asked_roles("planner") > 0, rng.uniform(0.1, 0.7))
            proc = resume()
            target = rng.randint(2, 5)
            kill_when(
                "mid-coding",
                lambda: len({n for n, it in done_rounds(store, run_id) if it == 0}) >= target,
                0.0,
            )
            proc = resume()
            kill_when("during tests", lambda: asked_roles("reviewer") > 0, rng.uniform(0.2, 0.9))
            proc = resume()
            kill_when(
                "mid-revision", lambda: asked_roles("coder", iteration=1) > 0, rng.uniform(0, 0.3)
            )
            proc = resume()
            finish(proc)
        finally:
            if proc.poll() is None:
                crash(proc)
        requests = list(server.requests)

    record_ = store.get_run(run_id)
    assert record_ is not None and record_.status == "done", record_
    assert final_zip.read_bytes() == expected_zip
    assert [k.point for k in kills] == ["planning", "mid-coding", "during tests", "mid-revision"]
    assert any(k.done for k in kills)  # some kills did land after stored work

    # A node stored as DONE is never asked for again in that round; any other node at most
    # once per round, plus once for each kill that caught its request in flight.
    asks = coder_asks(requests)
    for kill in kills:
        later = set(coder_asks(requests[kill.requests_before :]))
        assert later.isdisjoint(kill.done), (kill.point, later & kill.done)
    counts = Counter(asks)
    for key, count in counts.items():
        assert count <= 1 + sum(key in k.in_flight for k in kills), (key, count)
    assert {n for n, it in counts if it == 0} == set(SHAPE)

    check_store_integrity(home, run_id, resumes=len(kills))
    record(
        "crash_resume",
        {
            "kills": len(kills),
            "kill_points": [k.point for k in kills],
            "resumes": len(kills),
            "coder_requests": len(asks),
            "coder_requests_uninterrupted": len(SHAPE) + 1,
            "coder_requests_repeated_after_kill_in_flight": len(asks) - len(set(asks)),
            "nodes_done_at_kills": [len(k.done) for k in kills],
            "zip_identical_to_uninterrupted_run": True,
        },
    )


def check_store_integrity(home: Path, run_id: str, *, resumes: int) -> None:
    """Read the store with sqlite directly: no corruption, duplicates or torn rows."""
    for name in ("runs.sqlite", "checkpoints.sqlite"):
        with sqlite3.connect(home / name) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with sqlite3.connect(home / "runs.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        duplicates = db.execute(
            "SELECT node_id, status, iteration, at, COUNT(*) FROM node_transitions"
            " GROUP BY run_id, node_id, status, iteration, at HAVING COUNT(*) > 1"
        ).fetchall()
        assert duplicates == []
        done_twice = db.execute(
            "SELECT node_id, iteration FROM node_transitions WHERE status = 'DONE'"
            " GROUP BY node_id, iteration HAVING COUNT(*) > 1"
        ).fetchall()
        assert done_twice == []
        for path, content in db.execute("SELECT path, content FROM artifacts"):
            ast.parse(content, filename=path)  # a torn row would not parse
        history = db.execute(
            "SELECT path, COUNT(*) FROM artifact_history GROUP BY path ORDER BY path"
        ).fetchall()
        assert dict(history)[f"{BUG}.py"] == 2 and max(c for _, c in history) == 2
        for (data,) in db.execute("SELECT data_json FROM usage"):
            json.loads(data)
        for (data,) in db.execute("SELECT data_json FROM events WHERE data_json IS NOT NULL"):
            json.loads(data)
        lifecycle = [
            m
            for (m,) in db.execute(
                "SELECT message FROM events WHERE run_id = ? AND kind = 'lifecycle' ORDER BY id",
                (run_id,),
            )
        ]
        assert lifecycle == ["run started"] + ["resumed"] * resumes
