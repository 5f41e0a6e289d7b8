"""A fake Anthropic / OpenAI-compatible HTTP API for tests and benchmarks."""

from tests.fakeapi.server import FakeAPIServer, Fault, FaultPlan, RecordedRequest

__all__ = ["FakeAPIServer", "Fault", "FaultPlan", "RecordedRequest"]
