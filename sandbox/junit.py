"""Per-test outcomes from pytest's JUnit XML (never from stdout)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from models.report import Outcome, TestCase

_MESSAGE_CAP = 8000


class JUnitError(ValueError):
    """The JUnit file is missing or not valid XML."""


def parse_junit(path: Path) -> list[TestCase]:
    """Every <testcase> in the file, with outcome, duration and failure text."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise JUnitError(f"cannot read JUnit XML {path.name}: {exc}") from exc
    return [_case(el) for el in root.iter("testcase")]


def parse_junit_text(text: str) -> list[TestCase]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise JUnitError(f"invalid JUnit XML: {exc}") from exc
    return [_case(el) for el in root.iter("testcase")]


def _case(el: ET.Element) -> TestCase:
    outcome: Outcome = "passed"
    message = ""
    for tag, result in (("error", "error"), ("failure", "failed"), ("skipped", "skipped")):
        child = el.find(tag)
        if child is not None:
            outcome = result  # type: ignore[assignment]
            message = _text(child)
            break
    classname = el.get("classname", "")
    return TestCase(
        name=el.get("name", ""),
        classname=classname,
        file=el.get("file") or _file_from_classname(classname),
        outcome=outcome,
        duration_s=_float(el.get("time")),
        message=message[-_MESSAGE_CAP:],
    )


def _text(child: ET.Element) -> str:
    head = child.get("message", "")
    body = (child.text or "").strip()
    if head and body and not body.startswith(head):
        return f"{head}\n{body}"
    return body or head


def _float(value: str | None) -> float:
    try:
        return max(float(value or 0.0), 0.0)
    except ValueError:
        return 0.0


def _file_from_classname(classname: str) -> str | None:
    """pytest's classname is the dotted module path, plus the class name for methods."""
    if not classname:
        return None
    parts = classname.split(".")
    if len(parts) > 1 and parts[-1][:1].isupper():
        parts = parts[:-1]
    return "/".join(parts) + ".py"
