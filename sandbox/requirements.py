"""Declared requirements installed once into a cached venv, with network only for that step."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from sandbox.base import PythonEnv

INSTALL_TIMEOUT_S = 300.0
_READY = ".ready"


class RequirementError(ValueError):
    """A requirement could not be parsed or installed."""


def current_python() -> PythonEnv:
    return PythonEnv(executable=sys.executable)


def needed(requirements: Iterable[str]) -> list[str]:
    """Normalised requirements that are neither stdlib modules nor already installed here."""
    out: set[str] = set()
    for raw in requirements:
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise RequirementError(f"invalid requirement {text!r}: {exc}") from exc
        module = re.sub(r"[-.]", "_", req.name).lower()
        if module in sys.stdlib_module_names:
            continue
        if _installed(req):
            continue
        req.name = canonicalize_name(req.name)
        out.add(str(req))
    return sorted(out)


def _installed(req: Requirement) -> bool:
    try:
        version = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return req.specifier.contains(version, prereleases=True)


def cache_key(requirements: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()


def default_cache_root() -> Path:
    return Path(os.environ.get("CODEGEN_HOME", "runs")) / "venvs"


def ensure_venv(
    requirements: list[str], cache_root: Path, timeout_s: float | None = None
) -> PythonEnv:
    """The venv for these (already filtered) requirements, created and installed on first use.

    The venv sees this interpreter's site-packages through a .pth file placed after its own, so
    pytest and its plugins are importable while the requirements take precedence.
    """
    target = (cache_root / cache_key(requirements)).resolve()
    python = target / "bin" / "python"
    cache_root.mkdir(parents=True, exist_ok=True)
    with open(cache_root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one creator per cache; others wait and reuse
        if not (target / _READY).exists():
            _create(target, requirements, INSTALL_TIMEOUT_S if timeout_s is None else timeout_s)
    return PythonEnv(executable=str(python), paths=(str(target),))


def _create(target: Path, requirements: list[str], timeout_s: float) -> None:
    shutil.rmtree(target, ignore_errors=True)
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(building)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(building), "platbase": str(building)})
    )
    (site / "zz_host_site.pth").write_text(sysconfig.get_path("purelib") + "\n")
    if requirements:
        _pip_install(building, requirements, timeout_s)
    (building / _READY).write_text("\n".join(requirements) + "\n")
    building.rename(target)


def _pip_install(building: Path, requirements: list[str], timeout_s: float) -> None:
    """pip from this interpreter installs into the new venv; the only step with network."""
    cmd = [sys.executable, "-m", "pip", "--python", str(building / "bin" / "python"), "install"]
    cmd += ["--disable-pip-version-check", "--no-input", "--quiet", *requirements]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, text=True)
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise RequirementError(
            f"installing {', '.join(requirements)} timed out after {timeout_s:.0f}s"
        ) from exc
    if done.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise RequirementError(f"could not install {', '.join(requirements)}:\n{tail}")
