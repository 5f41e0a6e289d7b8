"""The Docker backend at the SDK boundary, against a small fake client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docker.errors
import requests

from sandbox import SandboxLimits, run_tests, select_backend
from sandbox.docker_backend import DockerBackend, image_tag
from tests.sandbox.conftest import write_project

JUNIT = (
    '<testsuites><testsuite><testcase classname="tests.test_calc" name="test_add" time="0.1">'
    '<failure message="assert 2 == 3">File "/work/calc.py", line 2, in add</failure>'
    "</testcase></testsuite></testsuites>"
)


class FakeContainer:
    def __init__(self, client: FakeClient, kwargs: dict[str, Any], project: Path) -> None:
        self.client, self.kwargs, self.project = client, kwargs, project
        self.killed = self.removed = False

    def wait(self, timeout: float) -> dict[str, int]:
        if self.client.hang:
            raise requests.exceptions.ReadTimeout("read timed out")
        (self.project / ".sandbox" / "junit.xml").write_text(JUNIT)  # what pytest would write
        return {"StatusCode": 1}

    def logs(self, stdout: bool, stderr: bool, stream: bool) -> list[bytes]:
        return [b"z" * 4096] * 8 if stdout else [b"warn\n"]

    def kill(self) -> None:
        self.killed = True

    def remove(self, force: bool) -> None:
        self.removed = force


class FakeImages:
    def __init__(self) -> None:
        self.built: list[str] = []

    def get(self, tag: str) -> object:
        if tag not in self.built:
            raise docker.errors.ImageNotFound(tag)
        return object()

    def build(self, *, path: str, dockerfile: str, tag: str, rm: bool) -> None:
        assert (Path(path) / dockerfile).is_file()
        self.built.append(tag)


class FakeContainers:
    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.started: list[FakeContainer] = []

    def run(self, image: str, command: list[str], **kwargs: Any) -> FakeContainer:
        kwargs["image"], kwargs["command"] = image, command
        project = Path(next(iter(kwargs["volumes"])))
        container = FakeContainer(self.client, kwargs, project)
        self.started.append(container)
        return container


class FakeClient:
    def __init__(self, hang: bool = False) -> None:
        self.hang = hang
        self.images = FakeImages()
        self.containers = FakeContainers(self)

    def ping(self) -> bool:
        return True


def calc_project(root: Path) -> Path:
    return write_project(
        root,
        {
            "calc.py": "def add(a, b):\n    return a - b\n",
            "tests/test_calc.py": "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
        },
    )


def test_auto_picks_docker_when_the_engine_answers() -> None:
    client = FakeClient()
    backend, note = select_backend("auto", docker_client=lambda: client)
    assert backend.name == "docker" and "docker" in note


def test_container_is_locked_down_and_results_are_read(tmp_path: Path) -> None:
    client = FakeClient()
    limits = SandboxLimits(processes=32, output_cap_bytes=1024)
    report = run_tests(calc_project(tmp_path), backend=DockerBackend(client), limits=limits)
    assert client.images.built == [image_tag()]
    (container,) = client.containers.started
    kw = container.kwargs
    assert kw["network_mode"] == "none" and kw["cap_drop"] == ["ALL"]
    assert kw["security_opt"] == ["no-new-privileges"] and kw["read_only"] is True
    assert kw["pids_limit"] == 32 and kw["mem_limit"] == limits.address_space_bytes
    assert not kw["user"].startswith("0") and "/tmp" in kw["tmpfs"]
    assert kw["volumes"][str(tmp_path.resolve())] == {"bind": "/work", "mode": "rw"}
    assert "--junitxml=/work/.sandbox/junit.xml" in kw["command"]
    assert not {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"} & kw["environment"].keys()
    assert container.removed
    assert report.backend == "docker" and report.failed == 1
    assert report.failing_files == ["calc.py"]
    assert report.output_truncated and len(report.stdout_tail) < 1200


def test_hanging_container_is_killed_and_removed(tmp_path: Path) -> None:
    client = FakeClient(hang=True)
    report = run_tests(calc_project(tmp_path), backend=DockerBackend(client))
    (container,) = client.containers.started
    assert report.timed_out and container.killed and container.removed


def test_image_is_built_once(tmp_path: Path) -> None:
    client = FakeClient()
    backend = DockerBackend(client)
    run_tests(calc_project(tmp_path), backend=backend)
    run_tests(tmp_path, backend=backend)
    assert client.images.built == [image_tag()]
