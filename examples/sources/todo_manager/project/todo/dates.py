"""Due dates: parse what people type, describe dates relative to today."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_IN_DAYS = re.compile(r"^(?:\+(\d+)d?|in (\d+) days?)$")


class DueDateError(ValueError):
    """The text is not a due date this module understands."""


def parse_due(text: str, today: date | None = None) -> date:
    """The date `text` means, relative to `today` (default: the current date).

    Accepts an ISO date (2025-03-14), "today", "tomorrow", "+3", "+3d", "in 3 days" and a
    weekday name or its first three letters (the next such day after today).
    """
    today = today or date.today()
    value = " ".join(text.strip().lower().split())
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    if match := _IN_DAYS.match(value):
        return today + timedelta(days=int(match.group(1) or match.group(2)))
    for index, name in enumerate(WEEKDAYS):
        if value in (name, name[:3]):
            ahead = (index - today.weekday() - 1) % 7 + 1
            return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DueDateError(
            f"cannot read {text!r} as a date: use YYYY-MM-DD, today, tomorrow, "
            "+N, 'in N days' or a weekday"
        ) from None


def describe_due(due: date, today: date | None = None) -> str:
    """`due` relative to `today`: "today", "tomorrow", "in 3 days", "2 days overdue"...

    Dates more than two weeks away are given as ISO dates.
    """
    today = today or date.today()
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if 1 < days <= 14:
        return f"in {days} days"
    if -14 <= days < -1:
        return f"{-days} days overdue"
    return due.isoformat()
