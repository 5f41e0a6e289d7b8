"""Which local isolation tools work on this machine (probed once per process)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

_PROBE_TIMEOUT_S = 10.0


def is_root() -> bool:
    return os.geteuid() == 0


@functools.cache
def bwrap_works() -> tuple[bool, str]:
    """(usable, why) for bubblewrap with network and pid namespaces."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False, "bwrap is not installed"
    cmd = [exe, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    cmd += ["--unshare-net", "--unshare-pid", "--die-with-parent"]
    cmd += [] if is_root() else ["--unshare-user"]
    ok, detail = _try([*cmd, "true"])
    return ok, "bwrap works" if ok else f"bwrap is installed but failed: {detail}"


@functools.cache
def unshare_flags() -> tuple[str, ...]:
    """The strongest `unshare` flag set that works here, or () when none does."""
    exe = shutil.which("unshare")
    if exe is None:
        return ()
    full = ["--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--uts"]
    candidates = [full] if is_root() else [["--map-root-user", *full]]
    candidates.append(["--net"] if is_root() else ["--map-root-user", "--net"])
    for flags in candidates:
        if _try([exe, *flags, "true"])[0]:
            return (exe, *flags)
    return ()


def _try(cmd: list[str]) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            cmd, capture_output=True, timeout=_PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return done.returncode == 0, tail[0]
