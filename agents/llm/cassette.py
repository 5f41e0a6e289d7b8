"""Recorded LLM sessions ("cassettes"): a JSON Lines file, one raw reply per line.

The format is public: the offline demo in `examples/` and any recording made with
`--record FILE` use it, and other tools may write it.

Line 1 is the header::

    {"type": "header", "version": 1, "request": "<the user's request>",
     "created": "<ISO 8601 time>", "provider": "anthropic", "models": {"<role>": "<model>"},
     "tokens_per_second": 80.0 | null, "note": "<free text>"}

Every following line is one raw attempt, in the order the attempts finished::

    {"type": "call", "role": "coder", "node": "n1" | null, "iteration": 0,
     "attempt": 1 | 2, "schema": "FileBundle", "reply": "<raw reply text>",
     "usage": {<LLMUsage fields>}, "latency_s": 1.5, "prompt_head": "<first 300 chars>"}

`attempt` 2 is the repair turn that follows an invalid attempt 1. `reply` is the text exactly
as the model returned it, invalid or not, so a replay takes the same repair path. A prefix
warm-up is recorded as ``{"type": "warm", "role", "node", "iteration", "usage", "latency_s"}``.
`tokens_per_second` is the output throughput synthetic latencies were derived from, or null
when latencies were measured. Unknown fields are ignored, so readers stay compatible when
fields are added.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from agents.llm.base import LLMError
from models.usage import LLMUsage

log = logging.getLogger(__name__)

VERSION = 1
PROMPT_HEAD_CHARS = 300


class CassetteError(LLMError):
    """A cassette file is missing, unreadable or malformed."""


class CassetteHeader(BaseModel):
    type: Literal["header"] = "header"
    version: int = VERSION
    request: str
    created: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    provider: str = ""
    models: dict[str, str] = Field(default_factory=dict)
    tokens_per_second: float | None = None
    note: str = ""


class CassetteCall(BaseModel):
    type: Literal["call"] = "call"
    role: str
    node: str | None = None
    iteration: int = 0
    attempt: Literal[1, 2] = 1
    schema_name: str = Field(alias="schema")
    reply: str
    usage: LLMUsage
    latency_s: float = 0.0
    prompt_head: str = ""

    model_config = {"populate_by_name": True}

    @property
    def key(self) -> str:
        """The same key as `LLMCall.key`: role, node and iteration."""
        return f"{self.role}|{self.node or '-'}|{self.iteration}"


class CassetteWarm(BaseModel):
    type: Literal["warm"] = "warm"
    role: str
    node: str | None = None
    iteration: int = 0
    usage: LLMUsage
    latency_s: float = 0.0


Entry = CassetteCall | CassetteWarm
_LINE: TypeAdapter[CassetteHeader | CassetteCall | CassetteWarm] = TypeAdapter(
    Annotated[CassetteHeader | CassetteCall | CassetteWarm, Field(discriminator="type")]
)
_MAX_REPORTED_ERRORS = 10


def _line_errors(number: int, line: str) -> tuple[BaseModel | None, list[str]]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"]
    if not isinstance(data, dict):
        return None, [f"line {number}: expected a JSON object, got {type(data).__name__}"]
    if data.get("type") not in ("header", "call", "warm"):
        return None, [
            f"line {number}: unknown type {data.get('type')!r} (expected header, call or warm)"
        ]
    try:
        return _LINE.validate_python(data), []
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            # Drop the discriminator tag pydantic puts first in the location.
            loc = ".".join(str(p) for p in err["loc"][1:]) or "(line)"
            errors.append(f"line {number}: {loc}: {err['msg']}")
        return None, errors


def validate_lines(lines: Iterable[str]) -> list[str]:
    """Every problem in a cassette's lines, each prefixed with its 1-based line number."""
    return _parse(lines)[2]


def _parse(lines: Iterable[str]) -> tuple[CassetteHeader | None, list[Entry], list[str]]:
    header: CassetteHeader | None = None
    entries: list[Entry] = []
    errors: list[str] = []
    seen_any = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        item, line_errors = _line_errors(number, line)
        errors.extend(line_errors)
        if not seen_any:
            seen_any = True
            if item is not None and not isinstance(item, CassetteHeader):
                errors.append(f"line {number}: the first line must be the header")
        elif isinstance(item, CassetteHeader):
            errors.append(f"line {number}: a second header (only line 1 may be a header)")
            continue
        if isinstance(item, CassetteHeader):
            if item.version != VERSION:
                errors.append(f"line {number}: unsupported version {item.version}")
            header = item
        elif isinstance(item, CassetteCall | CassetteWarm):
            entries.append(item)
    if not seen_any:
        errors.append("line 1: the file is empty (expected a header)")
    return header, entries, errors


class Cassette:
    """A loaded, validated cassette: its header and its entries in file order."""

    def __init__(self, header: CassetteHeader, entries: list[Entry], source: str = "<cassette>"):
        self.header = header
        self.entries = entries
        self.source = source

    @classmethod
    def parse(cls, lines: Iterable[str], source: str = "<cassette>") -> Cassette:
        header, entries, errors = _parse(lines)
        if errors or header is None:
            shown = errors[:_MAX_REPORTED_ERRORS]
            more = len(errors) - len(shown)
            detail = "\n".join(f"  {e}" for e in shown) + (f"\n  ... {more} more" if more else "")
            raise CassetteError(f"{source} is not a valid cassette:\n{detail}")
        return cls(header, entries, source)

    @classmethod
    def load(cls, path: Path | str) -> Cassette:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CassetteError(f"cannot read cassette {path}: {exc.strerror or exc}") from exc
        return cls.parse(text.splitlines(), source=str(path))

    @staticmethod
    def validate(path: Path | str) -> list[str]:
        """Every problem in the cassette at `path`, by line number; empty when it is valid."""
        try:
            return validate_lines(Path(path).read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            return [f"cannot read cassette {path}: {exc.strerror or exc}"]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def request(self) -> str:
        return self.header.request

    @property
    def calls(self) -> list[CassetteCall]:
        return [e for e in self.entries if isinstance(e, CassetteCall)]

    @property
    def warms(self) -> list[CassetteWarm]:
        return [e for e in self.entries if isinstance(e, CassetteWarm)]


class CassetteWriter:
    """Appends entries to a cassette as they happen: one line and a flush per entry.

    The header is written once, when the file is first written to and is empty. Writes are
    synchronous and locked, so concurrent coroutines (or threads) never interleave lines.
    """

    def __init__(self, path: Path | str, header: CassetteHeader):
        self.path = Path(path)
        self.header = header
        self._lock = threading.Lock()
        self._header_written = False

    def append(self, entry: Entry) -> None:
        line = entry.model_dump_json(by_alias=True)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                if not self._header_written:
                    if fh.tell() == 0:
                        fh.write(self.header.model_dump_json() + "\n")
                    self._header_written = True
                fh.write(line + "\n")
                fh.flush()


def normalize_request(text: str) -> str:
    """Case-insensitive, whitespace-insensitive form of a request, for matching."""
    return " ".join(text.casefold().split())


def read_header(path: Path) -> CassetteHeader | None:
    """The header of a cassette file, or None when the first line is not a valid header."""
    try:
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
        return CassetteHeader.model_validate_json(first)
    except (OSError, ValidationError, ValueError):
        return None


def available_requests(directory: Path) -> dict[Path, str]:
    """The request of every readable cassette in `directory`, by path, sorted by name."""
    found: dict[Path, str] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.jsonl")):
        header = read_header(path)
        if header is None:
            log.warning("ignoring %s: its first line is not a cassette header", path)
            continue
        found[path] = header.request
    return found


def find_cassette(request: str, directory: Path) -> Path | None:
    """The cassette in `directory` whose recorded request matches `request`, if any."""
    wanted = normalize_request(request)
    for path, recorded in available_requests(directory).items():
        if normalize_request(recorded) == wanted:
            return path
    return None
