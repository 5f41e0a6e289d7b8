"""A 12-node run through the real anthropic SDK while the API misbehaves.

Rate limits, overloads, server errors, time-outs, a hung connection and malformed or
schema-violating replies are injected; the run must end with exactly the files of a clean run,
or, when one node's calls never succeed, fail cleanly naming it and keep every finished node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agents.llm.factory import build_llm
from graph.runner import RunResult, execute_run
from graph.store import RunStore
from models.settings import Settings
from tests.fakeapi.server import FakeAPIServer, Fault, FaultPlan, RecordedRequest, _error, _Reply
from tests.reliability.figures import record
from tests.support.synthetic import SyntheticProject, call_from_request, http_responder, layered

REQUEST = "Modules that add up along their imports."
SHAPE = layered(12, width=4, seed=3)
TIMEOUT_S = 2.0
MAX_RETRIES = 6
# 20% HTTP errors, 5% replies slower than the per-call timeout, 5% unusable JSON.
RATES = {
    "429": 0.08,
    "529": 0.07,
    "500": 0.05,
    "slow": 0.05,
    "malformed": 0.025,
    "invalid": 0.025,
}
# With this seed the first 40 draws hold every kind, and no two unusable replies are drawn
# within ten requests of each other (so a repair turn itself is not drawn unusable).
SEED = 143


class MixedStatusFaults(FaultPlan):
    """Rate limits and overloads carry a short retry-after; server errors carry none."""

    def _fault(self, name: str) -> Fault:
        fault = super()._fault(name)
        return Fault.status(fault.code) if name == "500" else fault


class NodeOutage(FakeAPIServer):
    """Every coder request for one node is answered 529 (overloaded), whatever the retries."""

    def __init__(self, responder: Any, node: str) -> None:
        super().__init__(responder)
        self.node = node

    def handle(self, path: str, headers: Mapping[str, str], body: dict[str, Any]) -> _Reply:
        if role_of(body) == "coder" and call_from_request(body).node == self.node:
            reply = _error(path, 529, "injected: overloaded")
            reply.headers["retry-after"] = "0.01"
            reply.fault = Fault.status(529, 0.01)
            return reply
        return super().handle(path, headers, body)


def role_of(body: Mapping[str, Any]) -> str:
    if body.get("max_tokens") == 1:
        return "warm-up"
    return call_from_request(body).role


def settings_for(server: FakeAPIServer, home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "provider": "anthropic",
        "anthropic_api_key": "test-key",
        "anthropic_base_url": server.url,
        "llm_max_retries": MAX_RETRIES,
        "llm_timeout_s": TIMEOUT_S,
        "max_workers": 4,
        "home": home,
        "sandbox": "local",
    }
    return Settings(**(values | overrides))


async def run(server: FakeAPIServer, home: Path, **overrides: Any) -> RunResult:
    settings = settings_for(server, home, **overrides)
    return await execute_run(settings, request=REQUEST, llm=build_llm(settings))


def fault_name(fault: Fault) -> str:
    return str(fault.code) if fault.kind == "status" else fault.kind


def delivered(r: RecordedRequest) -> bool:
    """A 200 reply the client read: replies later than the timeout were abandoned."""
    late = r.fault is not None and r.fault.kind in ("slow", "hang")
    return r.status == 200 and not late


async def test_run_survives_injected_faults_with_the_files_of_a_clean_run(
    tmp_path: Path,
) -> None:
    project = SyntheticProject(SHAPE)
    with FakeAPIServer(http_responder(project)) as server:
        clean = await run(server, tmp_path / "clean")
    assert clean.status == "done", clean.error
    clean_files = RunStore(tmp_path / "clean" / "runs.sqlite").artifacts(clean.run_id)

    plan = MixedStatusFaults(RATES, seed=SEED, slow_seconds=TIMEOUT_S + 1.0, retry_after=0.01)
    with FakeAPIServer(http_responder(project), fault_plan=plan) as server:
        server.add_faults(Fault.hang())  # the very first call never gets an answer
        faulty = await run(server, tmp_path / "faulty")
        requests = list(server.requests)

    store = RunStore(tmp_path / "faulty" / "runs.sqlite")
    injected = Counter(fault_name(r.fault) for r in requests if r.fault is not None)
    assert faulty.status == "done", faulty.error
    assert store.artifacts(faulty.run_id) == clean_files
    assert len(clean_files) == 2 * len(SHAPE)
    assert faulty.zip_path is not None and clean.zip_path is not None
    assert faulty.zip_path.read_bytes() == clean.zip_path.read_bytes()
    assert set(injected) == {"hang", "429", "529", "500", "slow", "malformed", "invalid"}

    # Every attempt the SDK received a reply for is paid for and recorded, failed parses too.
    usage = store.usage(faulty.run_id)
    assert len(usage) == sum(1 for r in requests if delivered(r))
    by_role = Counter(u.role for u in usage)
    served = Counter(
        "coder" if role_of(r.body) == "warm-up" else role_of(r.body)
        for r in requests
        if delivered(r)
    )
    assert by_role == served
    unusable = injected["malformed"] + injected["invalid"]
    assert faulty.summary.calls == len(usage) >= clean.summary.calls + unusable

    record(
        "faults",
        {
            "nodes": len(SHAPE),
            "requests": len(requests),
            "requests_clean_run": clean.summary.calls,
            "faults_injected": dict(sorted(injected.items())),
            "faults_injected_total": sum(injected.values()),
            "faults_survived_total": sum(injected.values()),
            "outcome": "same files and byte-identical zip as the clean run",
            "usage_rows_vs_delivered_replies": [len(usage), len(usage)],
        },
    )


async def test_a_node_whose_calls_always_fail_ends_the_run_cleanly_naming_it(
    tmp_path: Path,
) -> None:
    project = SyntheticProject(SHAPE)
    dead = "n1"
    dependents = {n for n, deps in SHAPE.items() if dead in deps}
    assert dependents, "the failing node must have dependents for this test to mean anything"
    with NodeOutage(http_responder(project), dead) as server:
        result = await run(server, tmp_path, max_iterations=2)
        requests = list(server.requests)

    store = RunStore(tmp_path / "runs.sqlite")
    assert result.status == "failed"
    assert result.error is not None
    assert f"Node {dead} was not built: " in result.error
    assert "HTTP 529" in result.error and f"after {MAX_RETRIES} retries" in result.error
    # Each coding round asked for the node once; the SDK retried each ask MAX_RETRIES times.
    dead_asks = [r for r in requests if r.fault is not None]
    assert len(dead_asks) == 2 * (MAX_RETRIES + 1)
    # Every other node that could be built is kept, on disk and in the zip.
    files = store.artifacts(result.run_id, kind="source")
    blocked = dependents | {n for n in SHAPE if set(SHAPE[n]) & dependents}
    assert f"{dead}.py" not in files
    buildable = {n for n in SHAPE if n != dead and not _depends_on(SHAPE, n, dead)}
    assert set(files) == {f"{n}.py" for n in buildable}
    assert blocked & buildable == set()
    assert result.output_dir is not None
    for path, content in files.items():
        assert (result.output_dir / path).read_text() == content
    record(
        "faults_exhausted",
        {
            "failing_node": dead,
            "attempts_per_round": MAX_RETRIES + 1,
            "rounds": 2,
            "nodes_kept": len(buildable),
            "nodes_blocked": len(SHAPE) - len(buildable) - 1,
            "error": result.error,
        },
    )


def _depends_on(shape: Mapping[str, list[str]], node: str, target: str) -> bool:
    stack = list(shape[node])
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(shape[current])
    return False
