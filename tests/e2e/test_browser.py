"""The dashboard in a real headless Chromium: run a recorded example, watch the DAG, download."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.cassettes import record_cassette

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]
playwright = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
DOC_SHOTS = REPO / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUEST = "A small app whose modules add up along their imports."
SHAPE = {
    "core": [],
    "models": ["core"],
    "parser": ["core"],
    "storage": ["models"],
    "render": ["models"],
    "api": ["storage", "parser"],
    "cli": ["api", "render"],
}
DONE, RUNNING = "#4caf50", "#ffbf00"
# The fill of every DAG node in the rendered SVG, by node id (the SVG <title>).
NODE_FILLS_JS = """() => Object.fromEntries(
    [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg g.node')].map(g => [
        g.querySelector('title').textContent,
        g.querySelector('path, polygon, ellipse').getAttribute('fill')]))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"streamlit did not become healthy:\n{log.read_text()[-3000:]}")


def start_dashboard(root: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, offline, with no key in sight."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.endswith("_API_KEY") or k.endswith("_BASE_URL") or k.startswith("CODEGEN_"))
    }
    env |= {"CODEGEN_HOME": str(root / "home"), **extra_env}
    port = free_port()
    log = root / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard with one synthetic recorded example, replayed as recorded."""
    root = tmp_path_factory.mktemp("dashboard")
    record_cassette(root / "examples" / "app.jsonl", REQUEST, SHAPE, coder_latency=1.5)
    yield from start_dashboard(
        root,
        {
            "CODEGEN_EXAMPLES": str(root / "examples"),
            "CODEGEN_DASHBOARD_REPLAY_SPEED": "1.0",
            "CODEGEN_SANDBOX": "local",
        },
    )


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard exactly as a fresh install starts it: shipped examples, default speed."""
    yield from start_dashboard(tmp_path_factory.mktemp("shipped"), {})


def shoot(page: object, name: str, top: object, bottom: object, *, docs: bool = False) -> None:
    """Save the page between two elements to test-artifacts/ (and docs/ when asked to)."""
    # Streamlit scrolls inside its main block, so bring the part to the top of the viewport.
    top.evaluate("e => e.scrollIntoView({block: 'start'})")  # type: ignore[attr-defined]
    first, last = top.bounding_box(), bottom.bounding_box()  # type: ignore[attr-defined]
    assert first is not None and last is not None
    left = max(0.0, first["x"] - 24)  # the main column only, without the sidebar
    clip = {
        "x": left,
        "y": max(0.0, first["y"] - 16),
        "width": page.viewport_size["width"] - left,  # type: ignore[attr-defined]
        "height": last["y"] + last["height"] - first["y"] + 48,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), clip=clip)  # type: ignore[attr-defined]
    if docs and os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTIFACTS / name, DOC_SHOTS / name)


@contextlib.contextmanager
def dashboard_page(url: str) -> Iterator[Any]:
    """A headless Chromium page on the dashboard, tall enough to need no inner scrolling."""
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 2600})
            page.goto(url)
            yield page
        finally:
            browser.close()


def shoot_live_dag(page: Any, name: str, *, docs: bool = False) -> None:
    page.locator('[data-testid="stVegaLiteChart"]').last.wait_for(timeout=10_000)
    shoot(
        page,
        name,
        page.get_by_role("heading", name=re.compile(r"^Run ")),
        page.get_by_text(re.compile(r"^Up to \d+ node")),
        docs=docs,
    )


def test_run_example_watch_dag_and_download_zip(server: str, tmp_path: Path) -> None:
    with dashboard_page(server) as page:
        page.get_by_role("button", name=REQUEST).click()
        request_box = page.get_by_label("Describe the project")
        playwright.expect(request_box).to_have_value(REQUEST)
        page.get_by_role("button", name="Run", exact=True).click()

        # Live: some node is coding (amber) while another is already done (green).
        page.wait_for_function(
            f"""() => {{ const f = Object.values(({NODE_FILLS_JS})());
                return f.includes('{RUNNING}') && f.includes('{DONE}'); }}""",
            timeout=60_000,
        )
        shoot_live_dag(page, "synthetic-live-dag.png")

        page.get_by_role("button", name="Download project (.zip)").wait_for(timeout=120_000)
        fills = page.evaluate(NODE_FILLS_JS)
        assert fills == dict.fromkeys(SHAPE, DONE)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.get_by_role("tab", name="Tests").click()
        playwright.expect(page.get_by_text("7 passed", exact=True)).to_be_visible()
        tests_panel = page.get_by_role("tabpanel", name="Tests")
        table = tests_panel.locator('[data-testid="stDataFrame"]')
        playwright.expect(table.get_by_text("test_value_storage", exact=True)).to_be_attached()
        shoot(page, "synthetic-results.png", page.get_by_role("heading", name="Result"), table)

        with page.expect_download() as info:
            page.get_by_role("button", name="Download project (.zip)").click()
        target = tmp_path / "project.zip"
        info.value.save_as(target)
        with zipfile.ZipFile(target) as zf:
            members = set(zf.namelist())
            assert {f"{n}.py" for n in SHAPE} | {f"tests/test_{n}.py" for n in SHAPE} | {
                "README.md"
            } == members
            assert "def value_cli() -> int:" in zf.read("cli.py").decode()


GRAPH_PROMPT = "A Python library for graph algorithms (BFS, DFS, Dijkstra) with a CLI interface"
GRAPH_NODES = {"graph", "parser", "bfs", "dfs", "dijkstra", "cli", "graphkit"}


def test_a_new_user_runs_the_graph_example_offline(shipped_server: str, tmp_path: Path) -> None:
    """What a person sees on a fresh install: one click on an example, Run, a live DAG, a zip."""
    with dashboard_page(shipped_server) as page:
        playwright.expect(page.get_by_text(re.compile("replay"))).not_to_have_count(0)
        # Long prompts are shortened on their button; the full text fills the box.
        page.get_by_role("button", name=GRAPH_PROMPT[:67]).click()
        playwright.expect(page.get_by_label("Describe the project")).to_have_value(GRAPH_PROMPT)
        page.get_by_role("button", name="Run", exact=True).click()

        # Several modules are written at the same time while others are already done.
        page.wait_for_function(
            f"""() => {{ const f = Object.values(({NODE_FILLS_JS})());
                return f.filter(c => c === '{RUNNING}').length >= 2
                    && f.includes('{DONE}'); }}""",
            timeout=90_000,
        )
        shoot_live_dag(page, "live-dag.png", docs=True)

        page.get_by_role("button", name="Download project (.zip)").wait_for(timeout=180_000)
        assert page.evaluate(NODE_FILLS_JS) == dict.fromkeys(GRAPH_NODES, DONE)
        page.get_by_role("tab", name="Tests").click()
        playwright.expect(page.get_by_text("66 passed", exact=True)).to_be_visible()
        table = page.get_by_role("tabpanel", name="Tests").locator('[data-testid="stDataFrame"]')
        shoot(page, "results.png", page.get_by_role("heading", name="Result"), table, docs=True)

        with page.expect_download() as info:
            page.get_by_role("button", name="Download project (.zip)").click()
        target = tmp_path / "graphkit.zip"
        info.value.save_as(target)
        with zipfile.ZipFile(target) as zf:
            members = set(zf.namelist())
        assert {"graphkit/dijkstra.py", "graphkit/cli.py", "README.md"} <= members
        assert {f"tests/test_{n}.py" for n in GRAPH_NODES} <= members
