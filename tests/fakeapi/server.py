"""A local stand-in for the Anthropic Messages and OpenAI chat completions HTTP APIs.

Real HTTP on 127.0.0.1, so the real SDKs (retries, timeouts, headers) are exercised. Replies
come from a `responder`; faults come from a FIFO `script` of one-shot faults or from a seeded
`FaultPlan`; a `latency` hook models response time. Prompt caching is modelled: a prefix marked
with `cache_control` is written the first time it is seen and read afterwards, but only once a
response that wrote it has begun, as with the real service (so parallel cold requests all write).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Json = dict[str, Any]
Responder = Callable[[Json], object]
LatencyModel = Callable[[Json], float]
FaultKind = Literal["status", "malformed", "invalid", "slow", "hang", "truncated"]

MALFORMED_TEXT = 'Sure! Here is the JSON you asked for: {"unfinished": '
ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def tokens(text: str) -> int:
    """A crude token count: four characters per token."""
    return max(1, len(text) // 4) if text else 0


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour, consumed by a single request."""

    kind: FaultKind
    code: int = 0
    retry_after: float | None = None
    seconds: float = 0.0

    @classmethod
    def status(cls, code: int, retry_after: float | None = None) -> Fault:
        """An HTTP error (429, 529, 500...), with a `retry-after` header when given."""
        return cls("status", code=code, retry_after=retry_after)

    @classmethod
    def malformed(cls) -> Fault:
        """A reply whose text is not JSON at all."""
        return cls("malformed")

    @classmethod
    def invalid(cls) -> Fault:
        """A reply that is valid JSON but violates the schema: `{}`."""
        return cls("invalid")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """The normal reply, `seconds` late."""
        return cls("slow", seconds=seconds)

    @classmethod
    def hang(cls) -> Fault:
        """No reply until the server stops."""
        return cls("hang")

    @classmethod
    def truncated(cls) -> Fault:
        """Half of the normal reply, with the stop reason of an exhausted output limit."""
        return cls("truncated")


@dataclass
class FaultPlan:
    """Random faults at fixed rates, reproducible by seed, for reliability tests.

    `rates` maps a fault name to its probability per request: "429", "500", "529" (any
    status code), "malformed", "invalid", "slow", "hang", "truncated".
    """

    rates: Mapping[str, float]
    seed: int = 0
    slow_seconds: float = 1.0
    retry_after: float | None = 0.01
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        kinds = {"malformed", "invalid", "slow", "hang", "truncated"}
        for name, rate in self.rates.items():
            if name not in kinds and not name.isdigit():
                raise ValueError(f"unknown fault {name!r}: use a status code or one of {kinds}")
            if rate < 0:
                raise ValueError(f"negative rate for {name!r}")
        if sum(self.rates.values()) > 1:
            raise ValueError("fault rates add up to more than 1")
        self._rng = random.Random(self.seed)

    def draw(self) -> Fault | None:
        with self._lock:
            roll = self._rng.random()
        for name, rate in self.rates.items():
            if roll < rate:
                return self._fault(name)
            roll -= rate
        return None

    def _fault(self, name: str) -> Fault:
        if name.isdigit():
            return Fault.status(int(name), self.retry_after)
        if name == "slow":
            return Fault.slow(self.slow_seconds)
        return Fault(name)  # type: ignore[arg-type]


@dataclass
class RecordedRequest:
    """One request the server received, with what it did about it."""

    path: str
    headers: dict[str, str]
    body: Json
    started: float
    finished: float = 0.0
    status: int = 0
    fault: Fault | None = None


def sample_for_schema(schema: Json, root: Json | None = None, depth: int = 0) -> object:
    """A small value matching a JSON schema: the default reply of the fake server."""
    root = root if root is not None else schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample_for_schema(root.get("$defs", {}).get(name, {}), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return sample_for_schema(options[0], root, depth + 1)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {}) if depth < 8 else {}
        return {k: sample_for_schema(v, root, depth + 1) for k, v in props.items()}
    if kind == "array":
        count = schema.get("minItems", 0) if depth < 8 else 0
        return [sample_for_schema(schema.get("items", {}), root, depth + 1) for _ in range(count)]
    if kind == "string":
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    return None


def requested_schema(body: Json) -> Json:
    """The JSON schema a request asks the reply to follow, if it names one."""
    fmt = (body.get("output_config") or {}).get("format") or {}
    if fmt.get("schema"):
        return dict(fmt["schema"])
    choice = body.get("tool_choice") or {}
    for tool in body.get("tools") or []:
        if tool.get("name") == choice.get("name"):
            return dict(tool.get("input_schema") or {})
    rf = (body.get("response_format") or {}).get("json_schema") or {}
    return dict(rf.get("schema") or {})


def default_responder(body: Json) -> object:
    return sample_for_schema(requested_schema(body))


def _content_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_content_text(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


class FakeAPIServer:
    """Serves `/v1/messages` and `/v1/chat/completions` from a daemon thread."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        api_keys: Collection[str] = ("test-key",),
        latency: LatencyModel | None = None,
        fault_plan: FaultPlan | None = None,
    ):
        self.responder: Responder = responder or default_responder
        self.api_keys = set(api_keys)
        self.latency: LatencyModel = latency or (lambda body: 0.0)
        self.fault_plan = fault_plan
        self.script: deque[Fault] = deque()
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Condition()
        self._ready_prefixes: set[str] = set()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FakeAPIServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.request_queue_size = 128  # a burst of parallel clients must not overflow the backlog
        httpd.server_bind()
        httpd.server_activate()
        httpd.app = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging and slow handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake API server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # scripting and inspection

    def add_faults(self, *faults: Fault) -> None:
        """Queue one-shot faults; each is used by the next request that passes auth."""
        with self._lock:
            self.script.extend(faults)

    def reset(self) -> None:
        """Forget requests, faults, cache entries and the in-flight maximum."""
        with self._lock:
            self.script.clear()
            self.requests.clear()
            self._ready_prefixes.clear()
            self.max_in_flight = self._in_flight

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until `count` requests have arrived (for tests that cancel mid-call)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.requests) >= count, timeout)

    # request handling (runs on the server's handler threads)

    def _begin(self, record: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(record)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            self._lock.notify_all()

    def _end(self, record: RecordedRequest, status: int) -> None:
        with self._lock:
            self._in_flight -= 1
            record.status = status
            record.finished = time.monotonic()

    def _next_fault(self) -> Fault | None:
        with self._lock:
            if self.script:
                return self.script.popleft()
        return self.fault_plan.draw() if self.fault_plan is not None else None

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        bearer = headers.get("authorization", "")
        key = bearer[7:] if bearer.lower().startswith("bearer ") else ""
        if not self.api_keys:
            return True
        return headers.get("x-api-key") in self.api_keys or key in self.api_keys

    def _sleep(self, seconds: float) -> bool:
        """Wait, unless the server stops first; True when the wait ran its course."""
        return not self._stopping.wait(seconds) if seconds > 0 else True

    def _cache(self, key: str, prefix: str, ready: Collection[str]) -> tuple[str, bool]:
        digest = hashlib.sha256((key + "\0" + prefix).encode()).hexdigest()
        return digest, digest in ready

    def _publish(self, digest: str | None) -> None:
        if digest is not None:
            with self._lock:
                self._ready_prefixes.add(digest)

    def handle(self, path: str, headers: Mapping[str, str], body: Json) -> _Reply:
        if not self._authorized(headers):
            return _error(path, 401, "invalid x-api-key or bearer token")
        if path not in ("/v1/messages", "/v1/chat/completions"):
            return _error(path, 404, f"no such endpoint: {path}")
        fault = self._next_fault()
        # The cache is looked up on arrival: a request that arrives before another one's
        # response has begun writes the prefix again, however long it then takes.
        with self._lock:
            ready = frozenset(self._ready_prefixes)
        delay = self.latency(body) + (fault.seconds if fault and fault.kind == "slow" else 0)
        if fault is not None and fault.kind == "hang":
            delay = float("inf")
        if not self._sleep(min(delay, 1e6)):
            return _Reply(0, {}, b"", fault)  # stopped: drop the connection
        if fault is not None and fault.kind == "status":
            reply = _error(path, fault.code, f"injected HTTP {fault.code}")
            if fault.retry_after is not None:
                reply.headers["retry-after"] = f"{fault.retry_after:g}"
            reply.fault = fault
            return reply
        if fault is not None and fault.kind == "malformed":
            payload: object = MALFORMED_TEXT
        elif fault is not None and fault.kind == "invalid":
            payload = {}
        else:
            payload = self.responder(body)
        truncated = fault is not None and fault.kind == "truncated"
        if path == "/v1/messages":
            reply = self._anthropic_reply(body, payload, truncated, ready)
        else:
            reply = self._openai_reply(body, payload, truncated, ready)
        reply.fault = fault
        return reply

    def _anthropic_reply(
        self, body: Json, payload: object, truncated: bool, ready: Collection[str]
    ) -> _Reply:
        segments: list[tuple[str, bool]] = [
            (json.dumps(t, sort_keys=True), "cache_control" in t) for t in body.get("tools") or []
        ]
        system = body.get("system") or []
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        segments += [(b.get("text", ""), "cache_control" in b) for b in system]
        for message in body.get("messages") or []:
            content = message.get("content")
            blocks = content if isinstance(content, list) else [{"text": content}]
            segments += [(_content_text([b]), "cache_control" in b) for b in blocks]
        if body.get("cache_control") and segments:
            # Automatic caching: the breakpoint is the last block of the request.
            segments[-1] = (segments[-1][0], True)
        marked = [i for i, (_, cached) in enumerate(segments) if cached]
        total = sum(tokens(t) for t, _ in segments)
        prefix_tokens = write = read = 0
        digest = None
        if marked:
            prefix = "".join(t for t, _ in segments[: marked[-1] + 1])
            prefix_tokens = tokens(prefix)
            digest, hit = self._cache(f"messages|{body.get('model')}", prefix, ready)
            read, write = (prefix_tokens, 0) if hit else (0, prefix_tokens)
        choice = body.get("tool_choice") or {}
        tool_mode = choice.get("type") == "tool" and isinstance(payload, dict)
        text = payload if isinstance(payload, str) else json.dumps(payload)
        stop_reason = "tool_use" if tool_mode else "end_turn"
        if truncated:
            text, stop_reason, tool_mode = text[: len(text) // 2], "max_tokens", False
        n = next(self._ids)
        block: Json = {"type": "text", "text": text}
        if tool_mode:
            block = {
                "type": "tool_use",
                "id": f"toolu_{n}",
                "name": choice["name"],
                "input": payload,
            }
        self._publish(digest)
        return _Reply(
            200,
            {},
            {
                "id": f"msg_fake_{n}",
                "type": "message",
                "role": "assistant",
                "model": body.get("model", "fake"),
                "content": [block],
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": max(total - prefix_tokens, 0),
                    "output_tokens": tokens(text),
                    "cache_creation_input_tokens": write,
                    "cache_read_input_tokens": read,
                },
            },
        )

    def _openai_reply(
        self, body: Json, payload: object, truncated: bool, ready: Collection[str]
    ) -> _Reply:
        messages = body.get("messages") or []
        total = sum(tokens(_content_text(m.get("content"))) for m in messages)
        cached = 0
        digest = None
        if messages and messages[0].get("role") == "system":
            prefix = _content_text(messages[0].get("content"))
            digest, hit = self._cache(f"chat|{body.get('model')}", prefix, ready)
            cached = tokens(prefix) if hit else 0
        text = payload if isinstance(payload, str) else json.dumps(payload)
        finish = "stop"
        if truncated:
            text, finish = text[: len(text) // 2], "length"
        n = next(self._ids)
        self._publish(digest)
        completion_tokens = tokens(text)
        return _Reply(
            200,
            {},
            {
                "id": f"chatcmpl-fake-{n}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": total,
                    "completion_tokens": completion_tokens,
                    "total_tokens": total + completion_tokens,
                    "prompt_tokens_details": {"cached_tokens": cached},
                },
            },
        )


@dataclass
class _Reply:
    status: int
    headers: dict[str, str]
    body: Json | bytes
    fault: Fault | None = None


def _error(path: str, status: int, message: str) -> _Reply:
    if path == "/v1/chat/completions":
        body: Json = {"error": {"message": message, "type": "error", "param": None, "code": None}}
    else:
        kind = ANTHROPIC_ERRORS.get(status, "api_error")
        body = {"type": "error", "error": {"type": kind, "message": message}}
    return _Reply(status, {}, body)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeAPI/1.0"

    def do_POST(self) -> None:
        app: FakeAPIServer = self.server.app  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        path = self.path.split("?", 1)[0]
        record = RecordedRequest(path, headers, body, started=time.monotonic())
        app._begin(record)
        status = 0
        try:
            if "_unparsed" in body:
                reply = _error(path, 400, "the request body is not JSON")
            else:
                reply = app.handle(path, headers, body)
            record.fault = reply.fault
            status = reply.status
            if status:
                self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout or cancel)
        finally:
            app._end(record, status)

    def _send(self, reply: _Reply) -> None:
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are kept in FakeAPIServer.requests instead
