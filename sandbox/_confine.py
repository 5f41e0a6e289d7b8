"""Runs first inside the sandbox: private mounts, drop to the sandbox uid, then reap pytest.

Stdlib only and started with `python -I -S`, so it works before any project code is visible.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    rc = _libc.mount(
        source.encode(),
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def private_mounts(masks: list[list[str]], keep: list[list[object]]) -> None:
    """Cover `masks` with fresh tmpfs, then bind the `keep` paths back at their own paths."""
    # Open the kept paths first: once a mask covers them they are only reachable by fd.
    fds = {str(path): os.open(str(path), os.O_PATH) for path, _ in keep}
    for target, options in masks:
        _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options)
    for path, writable in sorted(keep, key=lambda item: len(str(item[0]))):
        path = str(path)
        if not any(_under(path, target) for target, _ in masks):
            continue
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fds[path]}", path, None, MS_BIND | MS_REC, None)
        if not writable:
            _mount("none", path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC, None)
    for fd in fds.values():
        os.close(fd)


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def main(config: dict[str, object]) -> int:
    if config.get("masks"):
        private_mounts(config["masks"], config["keep"])  # type: ignore[arg-type]
    if config.get("uid") is not None:
        drop_privileges(int(config["uid"]), int(config["gid"]))  # type: ignore[call-overload]
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.makedirs(str(config["home"]), exist_ok=True)
    os.chdir(str(config["cwd"]))
    # Oversized writes then fail with EFBIG inside the test instead of killing pytest.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    argv = [str(a) for a in config["argv"]]  # type: ignore[attr-defined]
    child = os.fork()
    if child == 0:
        try:
            os.execv(argv[0], argv)
        except OSError as exc:
            os.write(2, f"sandbox: cannot start {argv[0]}: {exc}\n".encode())
        os._exit(127)
    # Reap everything (we may be pid 1 of the namespace) until the test runner exits.
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
