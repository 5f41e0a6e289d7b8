"""Choose a backend: Docker when an engine answers, else the best local isolation."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, Literal

from sandbox.base import Backend
from sandbox.docker_backend import DockerBackend
from sandbox.local import LocalBackend

log = logging.getLogger(__name__)

Preference = Literal["auto", "local", "docker"]


class BackendUnavailable(RuntimeError):
    """The explicitly requested backend cannot be used here."""


def _docker_client() -> Any:
    import docker

    client = docker.from_env(timeout=5)
    client.ping()
    return client


def resolve_preference(preference: str) -> Preference:
    """`auto` defers to CODEGEN_SANDBOX when it is set."""
    if preference == "auto":
        preference = os.environ.get("CODEGEN_SANDBOX", "auto").strip().lower() or "auto"
    if preference not in ("auto", "local", "docker"):
        raise ValueError(f"unknown sandbox backend {preference!r}: use auto, local or docker")
    return preference  # type: ignore[return-value]


def select_backend(
    preference: str = "auto", *, docker_client: Callable[[], Any] = _docker_client
) -> tuple[Backend, str]:
    """The backend to use and a plain sentence saying which one and why."""
    chosen = resolve_preference(preference)
    if chosen in ("auto", "docker"):
        try:
            client = docker_client()
        except Exception as exc:  # any failure to reach the engine means "not available"
            if chosen == "docker":
                raise BackendUnavailable(f"docker engine not reachable: {exc}") from exc
            local, why = LocalBackend.detect()
            note = f"docker engine not reachable ({_short(exc)}): {why}"
        else:
            return DockerBackend(client), "docker engine reachable: using docker"
    else:
        local, why = LocalBackend.detect()
        note = f"local requested: {why}"
    backend: Backend = local
    if local.missing_isolation:
        log.warning("sandbox isolation missing: %s", "; ".join(local.missing_isolation))
    return backend, note


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
