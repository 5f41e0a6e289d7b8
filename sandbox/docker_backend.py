"""Docker backend: the generated tests run in a locked-down container (docker SDK 7.x)."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.base import PythonEnv, RawRun, RunSpec
from sandbox.environment import sandbox_env
from sandbox.output import TailBuffer
from sandbox.ownership import chown_tree

log = logging.getLogger(__name__)

DOCKERFILE = Path(__file__).with_name("Dockerfile")
IMAGE_REPO = "parallel-codegen-sandbox"
WORKDIR = "/work"
DEPS_DIR = "/deps"
CONTAINER_UID = 10001  # the `sandbox` user of the image
INSTALL_TIMEOUT_S = 300.0


def image_tag() -> str:
    digest = hashlib.sha256(DOCKERFILE.read_bytes()).hexdigest()[:16]
    return f"{IMAGE_REPO}:{digest}"


def container_python() -> PythonEnv:
    return PythonEnv(executable="python")


@dataclass
class DockerBackend:
    """Runs pytest in a container: no network, no capabilities, read-only root, limits."""

    client: Any
    deps_cache: Path | None = None
    name: str = "docker"
    missing_isolation: list[str] = field(default_factory=list)
    sandbox_root: str | None = WORKDIR

    def ensure_image(self) -> str:
        import docker.errors

        tag = image_tag()
        try:
            self.client.images.get(tag)
        except docker.errors.ImageNotFound:
            log.info("building sandbox image %s", tag)
            self.client.images.build(
                path=str(DOCKERFILE.parent), dockerfile=DOCKERFILE.name, tag=tag, rm=True
            )
        return tag

    def run(self, spec: RunSpec) -> RawRun:
        image = self.ensure_image()
        project = spec.project_dir.resolve()
        owner = project.stat()
        as_root = os.geteuid() == 0
        if as_root:
            chown_tree(project, CONTAINER_UID, CONTAINER_UID)
        user = f"{CONTAINER_UID}:{CONTAINER_UID}" if as_root else f"{os.getuid()}:{os.getgid()}"
        try:
            deps = self._install(image, spec, user) if spec.requirements else None
            if isinstance(deps, RawRun):
                return deps
            return self._test(image, spec, user, deps)
        finally:
            if as_root:
                chown_tree(project, owner.st_uid, owner.st_gid)

    def _volumes(self, spec: RunSpec, deps: Path | None, deps_mode: str) -> dict[str, Any]:
        volumes = {str(spec.project_dir.resolve()): {"bind": WORKDIR, "mode": "rw"}}
        if deps is not None:
            volumes[str(deps)] = {"bind": DEPS_DIR, "mode": deps_mode}
        return volumes

    def _install(self, image: str, spec: RunSpec, user: str) -> Path | RawRun:
        """pip install into a cached host dir, in a separate container that has network."""
        root = self.deps_cache or spec.project_dir / ".sandbox" / "deps"
        key = hashlib.sha256("\n".join(sorted(spec.requirements)).encode()).hexdigest()
        deps = (root / key).resolve()
        if (deps / ".ready").exists():
            return deps
        deps.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(deps, CONTAINER_UID, CONTAINER_UID)
        command = ["python", "-m", "pip", "install", "--no-input", "--quiet", "--target"]
        command += [DEPS_DIR, *spec.requirements]
        raw = self._container(
            image,
            command,
            spec,
            user=user,
            volumes=self._volumes(spec, deps, "rw"),
            network_mode="bridge",
            timeout_s=INSTALL_TIMEOUT_S,
        )
        if raw.exit_code != 0 or raw.timed_out:
            tail = "\n".join((raw.stderr or raw.stdout).strip().splitlines()[-8:])
            return RawRun(
                exit_code=raw.exit_code,
                setup_error=f"could not install {', '.join(spec.requirements)}:\n{tail}",
            )
        (deps / ".ready").write_text("\n".join(spec.requirements) + "\n")
        return deps

    def _test(self, image: str, spec: RunSpec, user: str, deps: Path | None) -> RawRun:
        command = ["python", "-m", "pytest", *spec.pytest_args]
        return self._container(
            image,
            command,
            spec,
            user=user,
            volumes=self._volumes(spec, deps, "ro"),
            network_mode="none",
            timeout_s=spec.limits.wall_timeout_s,
            deps=deps is not None,
        )

    def _container(
        self,
        image: str,
        command: list[str],
        spec: RunSpec,
        *,
        user: str,
        volumes: dict[str, Any],
        network_mode: str,
        timeout_s: float,
        deps: bool = False,
    ) -> RawRun:
        from docker.types import Ulimit
        from requests.exceptions import RequestException

        limits = spec.limits
        env = sandbox_env(home="/tmp/home")
        if deps:
            env["PYTHONPATH"] = DEPS_DIR
        started = time.monotonic()
        container = self.client.containers.run(
            image,
            command,
            detach=True,
            network_mode=network_mode,
            mem_limit=limits.address_space_bytes,
            memswap_limit=limits.address_space_bytes,
            nano_cpus=1_000_000_000,
            pids_limit=limits.processes,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            user=user,
            read_only=True,
            tmpfs={"/tmp": "rw,nosuid,nodev,size=512m"},
            volumes=volumes,
            working_dir=WORKDIR,
            environment=env,
            ulimits=[
                Ulimit(name="fsize", soft=limits.file_size_bytes, hard=limits.file_size_bytes),
                Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                Ulimit(name="cpu", soft=limits.cpu_seconds, hard=limits.cpu_seconds + 5),
            ],
        )
        timed_out = False
        code: int | None
        out, err = TailBuffer(limits.output_cap_bytes), TailBuffer(limits.output_cap_bytes)
        try:
            try:
                code = int(container.wait(timeout=timeout_s).get("StatusCode", -1))
            except (RequestException, OSError):  # how the SDK surfaces a wait timeout
                timed_out = True
                code = None
                container.kill()
            for chunk in container.logs(stdout=True, stderr=False, stream=True):
                out.write(chunk)
            for chunk in container.logs(stdout=False, stderr=True, stream=True):
                err.write(chunk)
        finally:
            container.remove(force=True)
        return RawRun(
            exit_code=code,
            stdout=out.text(),
            stderr=err.text(),
            output_truncated=out.truncated or err.truncated,
            timed_out=timed_out,
            duration_s=time.monotonic() - started,
        )
