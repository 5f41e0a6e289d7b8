"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeapi import FakeAPIServer


@pytest.fixture
def fake_api() -> Iterator[FakeAPIServer]:
    """A started fake Anthropic / OpenAI API on 127.0.0.1; accepts the key "test-key"."""
    server = FakeAPIServer().start()
    try:
        yield server
    finally:
        server.stop()
