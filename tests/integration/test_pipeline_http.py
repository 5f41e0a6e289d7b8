"""The whole pipeline through the real anthropic and openai SDKs against a local fake API."""

from __future__ import annotations

from pathlib import Path

from agents.llm.factory import build_llm
from graph.runner import execute_run
from models.settings import Settings
from tests.fakeapi.server import FakeAPIServer
from tests.support.synthetic import SyntheticProject, fan_out, http_responder

REQUEST = "Modules that add up."


async def test_run_over_http_with_the_anthropic_sdk(tmp_path: Path) -> None:
    project = SyntheticProject(fan_out(4), bugs={"leaf2": 1}, padding=6000)
    with FakeAPIServer(http_responder(project), api_keys=("test-key",)) as server:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            provider="anthropic",
            anthropic_api_key="test-key",
            anthropic_base_url=server.url,
            home=tmp_path,
            sandbox="local",
        )
        result = await execute_run(settings, request=REQUEST, llm=build_llm(settings))
        paths = [r.path for r in server.requests]

    assert result.status == "done", result.error
    assert result.summary.tests_passed == 5
    assert result.summary.iterations == 2
    # Cache fields came back through the SDK: the warmed coder prefix was read by the workers.
    assert result.summary.cache_write_tokens > 0
    assert result.summary.cache_read_tokens > 0
    assert all(p == "/v1/messages" for p in paths)


async def test_run_over_http_with_the_openai_sdk(tmp_path: Path) -> None:
    project = SyntheticProject(fan_out(2))
    with FakeAPIServer(http_responder(project), api_keys=("test-key",)) as server:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            provider="openai",
            openai_base_url=server.url + "/v1",
            openai_api_key="test-key",
            openai_model="local-model",
            home=tmp_path,
            sandbox="local",
        )
        result = await execute_run(settings, request=REQUEST, llm=build_llm(settings))
        bodies = [r.body for r in server.requests]

    assert result.status == "done", result.error
    assert result.summary.tests_passed == 3
    assert {b["model"] for b in bodies} == {"local-model"}
    assert all(b["response_format"]["type"] == "json_schema" for b in bodies)
