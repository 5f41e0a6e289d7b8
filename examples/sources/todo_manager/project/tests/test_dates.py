"""Tests for todo.dates: parsing due dates and describing them."""

from datetime import date

import pytest

from todo.dates import DueDateError, describe_due, parse_due

TODAY = date(2025, 3, 12)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2025, 3, 12)),
        ("Tomorrow", date(2025, 3, 13)),
        ("+3", date(2025, 3, 15)),
        ("+10d", date(2025, 3, 22)),
        ("in 1 day", date(2025, 3, 13)),
        ("in  5 days", date(2025, 3, 17)),
        ("2025-12-24", date(2025, 12, 24)),
        ("friday", date(2025, 3, 14)),
        ("mon", date(2025, 3, 17)),
        ("wednesday", date(2025, 3, 19)),  # the same weekday means next week
    ],
)
def test_parse_due(text, expected):
    assert parse_due(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "soon", "2025-02-30", "+x", "in many days"])
def test_unreadable_dates_raise(text):
    with pytest.raises(DueDateError, match="cannot read"):
        parse_due(text, TODAY)


def test_due_date_error_is_a_value_error():
    assert issubclass(DueDateError, ValueError)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2025, 3, 12), "today"),
        (date(2025, 3, 13), "tomorrow"),
        (date(2025, 3, 11), "yesterday"),
        (date(2025, 3, 16), "in 4 days"),
        (date(2025, 3, 26), "in 14 days"),
        (date(2025, 3, 27), "2025-03-27"),
        (date(2025, 3, 9), "3 days overdue"),
        (date(2025, 1, 1), "2025-01-01"),
    ],
)
def test_describe_due(due, expected):
    assert describe_due(due, TODAY) == expected
