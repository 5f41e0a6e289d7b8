"""Which pytest plugins a sandboxed run loads (autoloading every host plugin costs seconds)."""

from __future__ import annotations

import importlib.metadata
import sysconfig

from sandbox.base import PythonEnv

# Plugins that serve this application's own tooling, never a generated project's tests.
HOST_ONLY = frozenset({"langsmith"})


def plugin_args(python: PythonEnv) -> list[str]:
    """`-p module` for every installed pytest plugin except host-only ones (autoload is off)."""
    dists = list(importlib.metadata.distributions())
    for root in python.paths:  # a requirements venv adds its own plugins
        site = sysconfig.get_path("purelib", vars={"base": root, "platbase": root})
        dists += importlib.metadata.distributions(path=[site])
    modules: dict[str, None] = {}
    for dist in dists:
        name = (dist.metadata["Name"] or "").lower()
        if name in HOST_ONLY:
            continue
        for ep in dist.entry_points:
            if ep.group == "pytest11":
                modules[ep.value.split(":")[0]] = None
    args: list[str] = []
    for module in modules:
        args += ["-p", module]
    return args
