"""Helpers shared by the sandbox tests: build small generated projects on disk."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from sandbox.isolation import bwrap_works
from sandbox.local import LocalBackend


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> source) under `root` and return it."""
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return root


def processes_in(project: Path) -> list[int]:
    """Host pids whose working directory is inside the project."""
    found = []
    target = str(project.resolve())
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
        except OSError:
            continue
        if cwd == target or cwd.startswith(target + "/"):
            found.append(int(name))
    return found


@pytest.fixture(params=["bwrap", "fallback"], scope="module")
def local_backend(request: pytest.FixtureRequest) -> LocalBackend:
    """Each local isolation path: bubblewrap, and the unshare + rlimits fallback."""
    if request.param == "bwrap":
        ok, why = bwrap_works()
        if not ok:
            pytest.skip(f"bubblewrap path not testable here: {why}")
        return LocalBackend("bwrap")
    backend, _ = LocalBackend.detect(allow_bwrap=False)
    return backend
