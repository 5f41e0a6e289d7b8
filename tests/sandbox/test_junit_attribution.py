"""JUnit parsing and failure attribution on hand-written XML and tracebacks."""

from __future__ import annotations

from pathlib import Path

from models.report import TestCase
from sandbox.attribution import Attributor, attribute
from sandbox.base import RawRun
from sandbox.junit import parse_junit_text
from sandbox.results import build_report
from tests.sandbox.conftest import write_project

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="2" skipped="1" tests="6">
<testcase classname="" name="tests.test_broken" time="0.000">
  <error message="collection failure">ImportError while importing test module '/p/tests/test_broken.py'.
tests/test_broken.py:1: in &lt;module&gt;
    from shop.cart import Cart
shop/cart.py:3: in &lt;module&gt;
    raise RuntimeError("boom")
E   RuntimeError: boom</error>
</testcase>
<testcase classname="tests.test_calc" name="test_ok" time="0.010"/>
<testcase classname="tests.test_calc" name="test_div" time="0.020">
  <failure message="ZeroDivisionError: division by zero">def test_div():
&gt;   assert div(1, 0)
tests/test_calc.py:4:
    def div(a, b):
&gt;       return a / b
E       ZeroDivisionError: division by zero
calc.py:2: ZeroDivisionError</failure>
</testcase>
<testcase classname="tests.test_calc.TestK" name="test_m" time="0.001">
  <failure message="assert 1 == 2">tests/test_calc.py:8: AssertionError</failure>
</testcase>
<testcase classname="tests.test_plain" name="test_self" time="0.001">
  <failure message="assert False">tests/test_plain.py:2: AssertionError</failure>
</testcase>
<testcase classname="tests.test_calc" name="test_skip" time="0">
  <skipped type="pytest.skip" message="later">/p/tests/test_calc.py:10: later</skipped>
</testcase>
</testsuite></testsuites>"""


def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path,
        {
            "calc.py": "def div(a, b):\n    return a / b\n",
            "helpers.py": "X = 1\n",
            "shop/__init__.py": "",
            "shop/cart.py": "raise RuntimeError('boom')\n",
            "shop/util.py": "",
            "tests/test_calc.py": "from calc import div\nimport helpers\nimport os\n",
            "tests/test_broken.py": "from shop.cart import Cart\n",
            "tests/test_plain.py": "def test_self():\n    assert False\n",
            "tests/test_from_pkg.py": "from shop import util\nfrom . import conftest\n",
            "tests/conftest.py": "",
        },
    )


def test_outcomes_durations_and_messages() -> None:
    cases = {c.name: c for c in parse_junit_text(JUNIT)}
    assert [
        cases[n].outcome for n in ("test_ok", "test_div", "tests.test_broken", "test_skip")
    ] == [
        "passed",
        "failed",
        "error",
        "skipped",
    ]
    assert cases["test_div"].duration_s == 0.02
    assert cases["test_div"].message.startswith("ZeroDivisionError: division by zero")
    assert cases["test_m"].classname == "tests.test_calc.TestK"


def test_failures_blame_frames_and_imports(tmp_path: Path) -> None:
    cases, failing = attribute(parse_junit_text(JUNIT), Attributor(project(tmp_path)))
    by_name = {c.name: c for c in cases}
    assert by_name["test_div"].file == "tests/test_calc.py"
    assert by_name["test_div"].blamed_files == ["calc.py", "helpers.py"]
    assert by_name["test_m"].file == "tests/test_calc.py"  # class name stripped
    assert by_name["tests.test_broken"].blamed_files == ["shop/cart.py"]
    assert by_name["test_ok"].blamed_files == []
    assert sorted(failing) == ["calc.py", "helpers.py", "shop/cart.py", "tests/test_plain.py"]


def test_failure_without_source_blames_the_test_file(tmp_path: Path) -> None:
    cases, _ = attribute(parse_junit_text(JUNIT), Attributor(project(tmp_path)))
    assert next(c for c in cases if c.name == "test_self").blamed_files == ["tests/test_plain.py"]


def test_from_package_import_blames_the_submodule_not_the_package(tmp_path: Path) -> None:
    attributor = Attributor(project(tmp_path))
    assert attributor.imported_modules("tests/test_from_pkg.py") == [
        "shop/util.py",
        "tests/conftest.py",
    ]


def test_frames_outside_the_project_are_ignored(tmp_path: Path) -> None:
    attributor = Attributor(project(tmp_path))
    text = (
        'File "/usr/lib/python3.11/json/__init__.py", line 3\n'
        f'File "{tmp_path}/calc.py", line 2, in div\n'
        "../outside.py:3: in f\n"
    )
    assert attributor.frames(text) == ["calc.py"]


def test_docker_paths_map_back_to_the_project(tmp_path: Path) -> None:
    attributor = Attributor(project(tmp_path), sandbox_root="/work")
    case = TestCase(name="t", outcome="failed", message='File "/work/calc.py", line 2, in div')
    assert attributor.frames(case.message) == ["calc.py"]


def test_report_counts_and_missing_results(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".sandbox").mkdir()
    (root / ".sandbox" / "junit.xml").write_text(JUNIT)
    report = build_report(RawRun(exit_code=1), root, backend="local-test")
    assert (report.passed, report.failed, report.errors, report.skipped) == (1, 3, 1, 1)
    assert report.setup_error is None and not report.ok
    (root / ".sandbox" / "junit.xml").unlink()
    crashed = build_report(RawRun(exit_code=3, stderr="Fatal\n"), root, backend="local-test")
    assert crashed.setup_error is not None and "exit code 3" in crashed.setup_error


def test_planted_symlink_is_not_read_as_results(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".sandbox").mkdir()
    secret = tmp_path / "secret.xml"
    secret.write_text(JUNIT)
    (root / ".sandbox" / "junit.xml").symlink_to(secret)
    report = build_report(RawRun(exit_code=0), root, backend="local-test")
    assert report.total == 0 and report.setup_error is not None
