"""Hand the project tree to the sandbox uid for a run and back to its owner afterwards."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# A block of ids no account uses: each run gets its own uid, so RLIMIT_NPROC counts only that
# run's processes and leftovers can be found and killed by uid.
_UID_BASE = 1_700_000_000
_UID_SPAN = 100_000_000


def fresh_sandbox_uid() -> int:
    return _UID_BASE + secrets.randbelow(_UID_SPAN)


def chown_tree(root: Path, uid: int, gid: int) -> None:
    """chown without following symlinks, so links planted by a test cannot redirect it."""
    os.chown(root, uid, gid, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            try:
                os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)
            except OSError:
                continue  # vanished or unsupported entry; nothing of ours to restore


def kill_uid(uid: int, rounds: int = 5) -> int:
    """SIGKILL every process whose real uid is `uid`; returns how many were signalled."""
    killed = 0
    for _ in range(rounds):
        found = [pid for pid in _pids() if _real_uid(pid) == uid]
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, 9)
                killed += 1
            except OSError:
                pass
    return killed


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _real_uid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None
