"""Task records: fields, validation and their JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

PRIORITIES = ("low", "normal", "high")
MAX_TITLE = 200


class TaskError(ValueError):
    """A task field is invalid, or a task that was asked for does not exist."""


def validate_title(title: str) -> str:
    """The title without surrounding white space; TaskError if empty, multi-line or too long."""
    if not isinstance(title, str):
        raise TaskError("a task title must be text")
    cleaned = title.strip()
    if not cleaned:
        raise TaskError("a task title cannot be empty")
    if "\n" in cleaned or "\r" in cleaned:
        raise TaskError("a task title must fit on one line")
    if len(cleaned) > MAX_TITLE:
        raise TaskError(f"a task title is limited to {MAX_TITLE} characters")
    return cleaned


def validate_priority(priority: str) -> str:
    """The priority in lower case; TaskError unless it is one of PRIORITIES."""
    value = priority.strip().lower() if isinstance(priority, str) else priority
    if value not in PRIORITIES:
        raise TaskError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
    return value


@dataclass(frozen=True)
class Task:
    """One task. Instances are immutable; change them with `dataclasses.replace`."""

    id: int
    title: str
    done: bool = False
    priority: str = "normal"
    due: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int) or self.id < 1:
            raise TaskError(f"a task id must be a positive integer, not {self.id!r}")
        # Frozen dataclass: normalised values are written through object.__setattr__.
        object.__setattr__(self, "title", validate_title(self.title))
        object.__setattr__(self, "priority", validate_priority(self.priority))
        if not isinstance(self.done, bool):
            raise TaskError(f"done must be true or false, not {self.done!r}")
        if self.due is not None and not isinstance(self.due, date):
            raise TaskError(f"due must be a date, not {self.due!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `due` is an ISO date string or None."""
        return {
            "id": self.id,
            "title": self.title,
            "done": self.done,
            "priority": self.priority,
            "due": self.due.isoformat() if self.due else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        """The task a `to_dict` result describes; TaskError for missing or invalid fields."""
        if not isinstance(data, Mapping):
            raise TaskError(f"a task must be a JSON object, not {type(data).__name__}")
        missing = [k for k in ("id", "title") if k not in data]
        if missing:
            raise TaskError(f"a task is missing {', '.join(missing)}")
        due = data.get("due")
        if due is not None:
            try:
                due = date.fromisoformat(due)
            except (TypeError, ValueError):
                raise TaskError(f"due must be an ISO date (YYYY-MM-DD), not {due!r}") from None
        return cls(
            id=data["id"],
            title=data["title"],
            done=data.get("done", False),
            priority=data.get("priority", "normal"),
            due=due,
        )
