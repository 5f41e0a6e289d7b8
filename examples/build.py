"""Builds the offline demo cassettes (`examples/*.jsonl`) from the sessions in `examples/sources/`.

Each session is a hand-written set of replies: the orchestrator's analysis, the plan, every
source file, every test file and one review per iteration. The real pipeline runs against a
scripted model that answers each call with those replies (planning, the DAG, parallel coders,
the static check, the reviewer and the sandboxed test runs are all real), recorded by
`RecordingLLM`. Recorded latencies are then rewritten from each reply's length: time to first
token plus output tokens over the throughput of the role's model class.

    .venv/bin/python examples/build.py              # rebuild every example
    .venv/bin/python examples/build.py graph_algorithms
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))  # run as a script from anywhere in the checkout

from pydantic import BaseModel  # noqa: E402

from agents.dag_builder import build_dag  # noqa: E402
from agents.llm.base import LLM, LLMCall, LLMError, RawReply, Repair  # noqa: E402
from agents.llm.cassette import Cassette, CassetteCall  # noqa: E402
from agents.llm.recorder import RecordingLLM  # noqa: E402
from graph.runner import RunResult, execute_run  # noqa: E402
from models.schemas import (  # noqa: E402
    FileBundle,
    GeneratedFile,
    Plan,
    RequestAnalysis,
    Review,
)
from models.settings import HAIKU, ROLES, SONNET, Settings  # noqa: E402
from models.usage import LLMUsage  # noqa: E402

SOURCES = ROOT / "sources"

# Latency model per model class: (seconds to the first token, output tokens per second).
SPEEDS: dict[str, tuple[float, float]] = {SONNET: (0.8, 60.0), HAIKU: (0.4, 120.0)}
# The smallest prefix each model caches (shorter prefixes are neither written nor read).
MIN_CACHEABLE: dict[str, int] = {SONNET: 1024, HAIKU: 4096}
HEADLINE_TPS = SPEEDS[SONNET][1]  # the coders' throughput dominates a run
NOTE = (
    "Hand-written replies recorded through the real pipeline by examples/build.py. Latencies "
    "are modelled, not measured: time to first token + output tokens / throughput, with "
    "Sonnet-class roles (planner, coder) at 0.8 s + tokens/60 and Haiku-class roles "
    "(orchestrator, tester, reviewer, integrator) at 0.4 s + tokens/120; a prefix warm-up "
    "takes the time to first token. Tokens are counted as characters / 4."
)
# Seconds of real waiting per modelled second while recording, so that calls finish (and are
# written) in the order their modelled latencies imply.
RECORD_TIME_SCALE = 0.02


def tokens(text: str) -> int:
    return len(text) // 4


def latency_for(model: str, output_tokens: int) -> float:
    ttft, tps = SPEEDS.get(model, SPEEDS[SONNET])
    return round(ttft + output_tokens / tps, 3)


@dataclass
class Session:
    """One example: the request and every reply a model gave, read from `sources/<name>/`."""

    name: str
    root: Path
    request: str
    analysis: RequestAnalysis
    plan: Plan
    reviews: list[Review]

    @classmethod
    def load(cls, name: str) -> Session:
        root = SOURCES / name
        data = tomllib.loads((root / "session.toml").read_text(encoding="utf-8"))
        return cls(
            name=name,
            root=root,
            request=data["request"],
            analysis=RequestAnalysis.model_validate(data["analysis"]),
            plan=Plan.model_validate(data["plan"]),
            reviews=[Review.model_validate(r) for r in data["reviews"]],
        )

    @property
    def cassette_path(self) -> Path:
        return ROOT / f"{self.name}.jsonl"

    def file(self, path: str, iteration: int) -> str:
        """A file as written in `iteration`: `iteration-N/` holds versions that differ from the
        final project in `project/`."""
        earlier = self.root / f"iteration-{iteration}" / path
        chosen = earlier if earlier.is_file() else self.root / "project" / path
        return chosen.read_text(encoding="utf-8")


def session_names() -> list[str]:
    return sorted(p.parent.name for p in SOURCES.glob("*/session.toml"))


class ExampleModel(LLM):
    """Answers every pipeline call of one session with its hand-written reply.

    Usage is modelled like the Anthropic API reports it: the system prompt and project context
    form the cached prefix, written by the first call that sends it and read by calls that
    start after that call (or a warm-up) finished.
    """

    name = "handwritten"

    def __init__(self, session: Session, settings: Settings, time_scale: float = 0.0):
        self.session = session
        self.settings = settings
        self.time_scale = time_scale
        dag, _plan, _notes = build_dag(session.plan)
        self.node_files = {n.id: n.files for n in dag.nodes}
        self._cached: set[str] = set()

    def reply(self, call: LLMCall) -> BaseModel:
        """The hand-written reply to `call`, chosen by its role, node and iteration."""
        s = self.session
        if call.role == "orchestrator":
            return s.analysis
        if call.role == "planner":
            return s.plan
        if call.role == "coder":
            paths = self.node_files[str(call.node)]
            return bundle({p: s.file(p, call.iteration) for p in paths})
        if call.role == "tester":
            path = f"tests/test_{call.node}.py"
            return bundle({path: s.file(path, call.iteration)})
        if call.role == "reviewer":
            return s.reviews[call.iteration]
        raise LLMError(
            f"{s.name}: no hand-written reply for {call.key}; the sources must pass the static "
            "check (no integrator call) and every iteration needs a review"
        )

    def _prefix(self, call: LLMCall) -> tuple[str, int]:
        model = self.settings.model_for(call.role)
        text = call.system + call.context
        digest = hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()
        return digest, tokens(text)

    def _cache_state(self, call: LLMCall) -> tuple[str | None, int, int]:
        """(digest to publish when done, cache write tokens, cache read tokens)."""
        digest, prefix = self._prefix(call)
        if prefix < MIN_CACHEABLE.get(self.settings.model_for(call.role), 1024):
            return None, 0, 0
        if digest in self._cached:
            return None, 0, prefix
        return digest, prefix, 0

    async def _complete(
        self, call: LLMCall, schema: type[BaseModel], repair: Repair | None
    ) -> RawReply:
        text = self.reply(call).model_dump_json()
        model = self.settings.model_for(call.role)
        digest, write, read = self._cache_state(call)
        _, prefix = self._prefix(call)
        # Structured output sends the JSON schema along with the prompt.
        schema_tokens = tokens(json.dumps(schema.model_json_schema()))
        uncached = 0 if (write or read) else prefix
        usage = LLMUsage.priced(
            role=call.role,
            model=model,
            input_tokens=uncached + tokens(call.prompt) + schema_tokens,
            output_tokens=tokens(text),
            cache_write_tokens=write,
            cache_read_tokens=read,
            node_id=call.node,
            iteration=call.iteration,
        )
        await asyncio.sleep(latency_for(model, usage.output_tokens) * self.time_scale)
        if digest is not None:
            self._cached.add(digest)
        return RawReply(text=text, usage=usage)

    async def warm_prefix(self, call: LLMCall) -> LLMUsage | None:
        model = self.settings.model_for(call.role)
        digest, write, read = self._cache_state(call)
        await asyncio.sleep(latency_for(model, 0) * self.time_scale)
        if digest is not None:
            self._cached.add(digest)
        return LLMUsage.priced(
            role=call.role,
            model=model,
            input_tokens=tokens("Reply with OK."),
            output_tokens=1,
            cache_write_tokens=write,
            cache_read_tokens=read,
            node_id=call.node,
            iteration=call.iteration,
        )


def bundle(files: dict[str, str]) -> FileBundle:
    return FileBundle(files=[GeneratedFile(path=p, content=c) for p, c in files.items()])


def retime(path: Path) -> str:
    """The cassette at `path` with modelled latencies and the header that states them."""
    cassette = Cassette.load(path)
    header = cassette.header.model_copy(update={"tokens_per_second": HEADLINE_TPS, "note": NOTE})
    lines = [header.model_dump_json()]
    for entry in cassette.entries:
        out = entry.usage.output_tokens if isinstance(entry, CassetteCall) else 0
        entry = entry.model_copy(update={"latency_s": latency_for(entry.usage.model, out)})
        lines.append(entry.model_dump_json(by_alias=True))
    return "\n".join(lines) + "\n"


def check_cassette(session: Session, path: Path | None = None) -> list[str]:
    """Differences between a cassette and the replies its session's sources give today."""
    cassette = Cassette.load(path or session.cassette_path)
    problems: list[str] = []
    if cassette.request != session.request:
        problems.append(f"request differs: {cassette.request!r}")
    model = ExampleModel(session, Settings(_env_file=None))  # type: ignore[call-arg]
    for entry in cassette.calls:
        call = LLMCall(
            role=entry.role, system="", context="", prompt="", node=entry.node,
            iteration=entry.iteration,
        )  # fmt: skip
        try:
            expected = model.reply(call).model_dump_json()
        except (LLMError, KeyError, IndexError) as exc:
            problems.append(f"{entry.key}: {exc}")
            continue
        if entry.reply != expected:
            problems.append(f"{entry.key}: the recorded reply differs from the sources")
    return problems


async def record(session: Session, *, time_scale: float = RECORD_TIME_SCALE) -> RunResult:
    """Run the pipeline against the session's replies and write its cassette."""
    with tempfile.TemporaryDirectory(prefix=f"build-{session.name}-") as tmp:
        settings = Settings(_env_file=None, home=Path(tmp) / "home")  # type: ignore[call-arg]
        raw = Path(tmp) / "raw.jsonl"
        models = {role: settings.model_for(role) for role in ROLES}
        llm = RecordingLLM(
            ExampleModel(session, settings, time_scale), raw, session.request, models=models
        )
        result = await execute_run(settings, request=session.request, llm=llm)
        problems = verify(session, result, Cassette.load(raw))
        if problems:
            raise SystemExit(f"{session.name}: " + "; ".join(problems))
        text = retime(raw)
    target = session.cassette_path
    partial = target.with_suffix(".jsonl.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return result


def verify(session: Session, result: RunResult, cassette: Cassette) -> list[str]:
    """Why a recorded run is not a good demo: it must pass, with one review per iteration."""
    s = result.summary
    problems = []
    if result.status != "done":
        problems.append(f"the run ended {result.status}: {result.error}")
    if not (s.tests_total > 0 and s.tests_passed == s.tests_total):
        problems.append(f"tests: {s.tests_passed}/{s.tests_total} passed")
    if s.iterations != len(session.reviews):
        problems.append(f"{s.iterations} iteration(s) for {len(session.reviews)} review(s)")
    if any(c.role == "integrator" for c in cassette.calls):
        problems.append("the integrator was called: the sources do not pass the static check")
    return problems


def describe(session: Session, result: RunResult) -> str:
    state = result.state
    assert state is not None and state.task_dag is not None
    s = result.summary
    width = max((r.max_parallel for r in state.coding), default=0)
    revisions = "; ".join(
        f"iteration {r.iteration} recoded {r.reset_nodes}" for r in state.revisions
    )
    cassette = Cassette.load(session.cassette_path)
    modelled = sum(c.latency_s for c in cassette.calls)
    return (
        f"{session.name}: {len(state.task_dag.nodes)} nodes (max {width} coded at once), "
        f"{s.files} files, tests {s.tests_passed}/{s.tests_total}, {s.iterations} iteration(s)"
        f"{' (' + revisions + ')' if revisions else ''}, {len(cassette.calls)} calls, "
        f"{modelled:.0f} s of modelled call time, ${s.cost_usd:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"examples to build (default: all of {session_names()})"
    )
    args = parser.parse_args(argv)
    for name in args.names or session_names():
        session = Session.load(name)
        result = asyncio.run(record(session))
        print(describe(session, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
