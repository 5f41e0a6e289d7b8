"""LangSmith tracing: silent when off, every structured call traced when on."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agents.llm.base import LLMCall
from agents.llm.fake import ScriptedLLM
from models.schemas import Review

CALL = LLMCall(role="reviewer", system="s", context="c", prompt="p", node=None)


def llm() -> ScriptedLLM:
    return ScriptedLLM(lambda c, s, r: Review(score=7, approved=True, summary="ok"))


@pytest.fixture
def no_tracing_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY"):
        monkeypatch.delenv(name, raising=False)


async def test_no_network_call_when_tracing_is_off(
    no_tracing_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> None:
        attempts.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    value, usage = await llm().structured(CALL, Review)

    assert value.score == 7 and usage.role == "reviewer"
    assert attempts == []


@pytest.fixture
def trace_sink() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers.get("content-length") or 0)))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_GET(self) -> None:
            self.do_POST()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_structured_calls_are_traced_when_enabled(
    trace_sink: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from langsmith import Client
    from langsmith.run_helpers import tracing_context

    url, received = trace_sink
    client = Client(api_url=url, api_key="test", auto_batch_tracing=False)
    with tracing_context(enabled=True, client=client, project_name="codegen-test"):
        await llm().structured(CALL, Review)
    client.flush()

    bodies = b" ".join(received)
    assert b"structured" in bodies
    assert json.dumps("reviewer").encode() in bodies or b"reviewer" in bodies
