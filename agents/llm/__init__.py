"""The provider layer: one structured-output interface, several providers.

Provider modules import their SDKs; import them (or use `build_llm`) only when needed.
"""

from agents.llm.base import (
    LLM,
    LLMCall,
    LLMError,
    NoRecordingError,
    RawReply,
    Repair,
    StructuredOutputError,
)
from agents.llm.factory import build_llm

__all__ = [
    "LLM",
    "LLMCall",
    "LLMError",
    "NoRecordingError",
    "RawReply",
    "Repair",
    "StructuredOutputError",
    "build_llm",
]
