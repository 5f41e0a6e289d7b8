"""Figures measured by the reliability tests, gathered in test-artifacts/reliability.json."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIGURES = REPO / "test-artifacts" / "reliability.json"


def record(family: str, figures: Mapping[str, object]) -> None:
    """Merge one family's figures into the shared file; later runs overwrite earlier ones."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with (FIGURES.parent / ".reliability.lock").open("w") as lock:
        # Test processes may run side by side (pytest-xdist): one writer at a time.
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        except json.JSONDecodeError:
            current = {}
        current[family] = dict(figures)
        FIGURES.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
