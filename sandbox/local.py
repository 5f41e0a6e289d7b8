"""Local backend: bubblewrap when it works, else `unshare` namespaces; rlimits always."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sandbox.base import RawRun, RunSpec
from sandbox.environment import sandbox_env
from sandbox.isolation import bwrap_works, is_root, unshare_flags
from sandbox.limits import apply_rlimits
from sandbox.output import TailBuffer, drain
from sandbox.ownership import chown_tree, fresh_sandbox_uid, kill_uid
from sandbox.plugins import plugin_args

log = logging.getLogger(__name__)

CONFINE = str(Path(__file__).with_name("_confine.py"))
_IN_SANDBOX_CONFINE = "/run/sandbox/confine.py"
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "passwd",
    "group", "hosts", "mime.types", "ssl/openssl.cnf",
)  # fmt: skip
# World-writable or private places covered by empty tmpfs on the unshare path.
_MASKED = ("/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/run/user")
_TMP_SIZE = "size=512m"

Mode = Literal["bwrap", "unshare", "rlimits"]


@dataclass
class LocalBackend:
    """Runs pytest on this machine under the strongest isolation available."""

    mode: Mode
    unshare_cmd: tuple[str, ...] = ()
    missing_isolation: list[str] = field(default_factory=list)
    sandbox_root: str | None = None

    @property
    def name(self) -> str:
        return f"local-{self.mode}"

    @classmethod
    def detect(cls, allow_bwrap: bool = True) -> tuple[LocalBackend, str]:
        """The best local mode and a plain sentence saying why it was chosen."""
        ok, why = bwrap_works()
        if allow_bwrap and ok:
            return cls(
                "bwrap"
            ), "using local bubblewrap (network, pid, ipc namespaces; private root)"
        reason = why if allow_bwrap else "bubblewrap disabled"
        flags = unshare_flags()
        if flags and "--mount" in flags:
            missing = ["private root: host files stay readable where their permissions allow"]
            return cls("unshare", flags, missing), f"{reason}: using unshare namespaces + rlimits"
        if flags:
            missing = [
                "private root: host files stay readable where their permissions allow",
                "private /tmp (mount namespace unavailable)",
                "pid namespace",
            ]
            return cls("unshare", flags, missing), f"{reason}: using unshare --net + rlimits only"
        missing = ["network isolation", "private /tmp", "pid namespace", "private root"]
        log.warning(
            "SANDBOX WEAK: no bubblewrap and no usable unshare; generated tests run with "
            "rlimits only and CAN reach the network and shared /tmp"
        )
        return cls("rlimits", (), missing), f"{reason}; unshare unavailable: rlimits only"

    def run(self, spec: RunSpec) -> RawRun:
        project = spec.project_dir.resolve()
        uid = fresh_sandbox_uid() if is_root() else None
        owner = project.stat()
        if uid is not None:
            chown_tree(project, uid, uid)
        try:
            return self._execute(spec, project, uid)
        finally:
            if uid is not None:
                kill_uid(uid)  # anything that escaped the process group or namespace
                chown_tree(project, owner.st_uid, owner.st_gid)

    def _execute(self, spec: RunSpec, project: Path, uid: int | None) -> RawRun:
        private_tmp = self.mode == "bwrap" or "--mount" in self.unshare_cmd
        home = "/tmp/home" if private_tmp else str(project / ".sandbox" / "home")
        tmp = "/tmp" if private_tmp else str(project / ".sandbox" / "tmp")
        env = sandbox_env(home=home, tmp=tmp)
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        if not private_tmp:
            os.makedirs(tmp, exist_ok=True)
            if uid is not None:
                chown_tree(project / ".sandbox", uid, uid)
        argv = [spec.python.executable, "-m", "pytest", *plugin_args(spec.python)]
        argv += spec.pytest_args
        config: dict[str, object] = {
            "argv": argv,
            "cwd": str(project),
            "home": home,
            "uid": uid,
            "gid": uid,
            "masks": [],
            "keep": [],
        }
        if self.mode == "bwrap":
            cmd = self._bwrap_cmd(spec, project, env, config)
        else:
            cmd = self._unshare_cmd(spec, project, config)
        return _spawn(cmd, env, project, spec)

    def _bwrap_cmd(
        self, spec: RunSpec, project: Path, env: dict[str, str], config: dict[str, object]
    ) -> list[str]:
        cmd = ["bwrap", "--die-with-parent", "--new-session", "--clearenv"]
        if is_root():
            # Real root: namespaces without a user namespace, keep only what the drop needs.
            cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
            cmd += ["--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            cmd += ["--unshare-all", "--uid", "65534", "--gid", "65534"]
        cmd += ["--ro-bind", "/usr", "/usr"]
        for path in _SYSTEM_DIRS:
            if os.path.islink(path):
                cmd += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                cmd += ["--ro-bind", path, path]
        for name in _ETC_FILES:
            if os.path.exists(f"/etc/{name}"):
                cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        cmd += ["--proc", "/proc", "--dev", "/dev"]
        cmd += ["--perms", "1777", "--size", str(512 * 1024**2), "--tmpfs", "/tmp"]
        pydirs = _python_dirs(spec)
        # bwrap would create missing parents 0700 (root-only); the sandbox uid must traverse them.
        for parent in _ancestors([*pydirs, str(project), _IN_SANDBOX_CONFINE]):
            cmd += ["--perms", "0755", "--dir", parent]
        for path in pydirs:
            cmd += ["--ro-bind", path, path]
        cmd += ["--bind", str(project), str(project)]
        cmd += ["--ro-bind", CONFINE, _IN_SANDBOX_CONFINE, "--chdir", str(project)]
        for key, value in env.items():
            cmd += ["--setenv", key, value]
        py = spec.python.executable
        return [*cmd, py, "-I", "-S", _IN_SANDBOX_CONFINE, json.dumps(config)]

    def _unshare_cmd(self, spec: RunSpec, project: Path, config: dict[str, object]) -> list[str]:
        if "--mount" in self.unshare_cmd:
            home_dir = os.path.expanduser("~")
            masks: list[str] = []
            for m in (*_MASKED, home_dir):
                # A mask inside another one would have nothing to cover once the outer is mounted.
                if os.path.isdir(m) and m != "/" and not any(_under(m, o) for o in masks):
                    masks.append(m)
            config["masks"] = [
                [m, f"mode=1777,{_TMP_SIZE}" if m == "/tmp" else "mode=0755,size=1m"] for m in masks
            ]
            keep: list[list[object]] = [[p, False] for p in _python_dirs(spec)]
            keep.append([str(project), True])
            config["keep"] = keep
        helper = [sys.executable, "-I", "-S", CONFINE, json.dumps(config)]
        return [*self.unshare_cmd, *helper]


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _ancestors(paths: list[str]) -> list[str]:
    """Parent directories of `paths`, outermost first, excluding / and the system dirs."""
    out: dict[str, None] = {}
    for path in paths:
        parents = list(Path(path).parents)[::-1][1:]
        for parent in parents:
            text = str(parent)
            if text not in ("/usr", "/tmp", "/proc", "/dev", "/etc") and text not in _SYSTEM_DIRS:
                out[text] = None
    return list(out)


def _python_dirs(spec: RunSpec) -> list[str]:
    """Host directories the interpreter and its packages live in (deduplicated, nested removed)."""
    paths = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, *spec.python.paths)}
    paths.add(os.path.dirname(os.path.dirname(os.path.realpath(spec.python.executable))))
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if os.path.isdir(path) and path != "/" and not any(_under(path, k) for k in kept):
            kept.append(path)
    return kept


def _spawn(cmd: list[str], env: dict[str, str], project: Path, spec: RunSpec) -> RawRun:
    limits = spec.limits
    out, err = TailBuffer(limits.output_cap_bytes), TailBuffer(limits.output_cap_bytes)
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: apply_rlimits(limits),
    )
    assert proc.stdout is not None and proc.stderr is not None
    pumps = [drain(proc.stdout, out), drain(proc.stderr, err)]
    timed_out = False
    try:
        code: int | None = proc.wait(timeout=limits.wall_timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        code = proc.wait()
    _kill_group(proc.pid)  # stragglers that kept our process group
    for pump in pumps:
        pump.join(timeout=5.0)
    return RawRun(
        exit_code=code,
        stdout=out.text(),
        stderr=err.text(),
        output_truncated=out.truncated or err.truncated,
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
    )


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(OSError):  # the group may already be gone
        os.killpg(pgid, 9)
