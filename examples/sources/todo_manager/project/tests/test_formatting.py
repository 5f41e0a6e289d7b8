"""Tests for todo.formatting: task lines, lists and the summary."""

from datetime import date

from todo.formatting import format_task, format_tasks, summary_line
from todo.models import Task

TODAY = date(2025, 3, 12)


def test_plain_open_task():
    assert format_task(Task(id=3, title="Buy milk"), TODAY) == "[ ]   3  Buy milk"


def test_done_task_with_priority_and_due_date():
    task = Task(id=12, title="Pay rent", done=True, priority="high", due=date(2025, 3, 13))

    assert format_task(task, TODAY) == "[x]  12  Pay rent (high, due tomorrow)"


def test_overdue_low_priority_task():
    task = Task(id=1, title="Fix bike", priority="low", due=date(2025, 3, 10))

    assert format_task(task, TODAY) == "[ ]   1  Fix bike (low, due 2 days overdue)"


def test_empty_list():
    assert format_tasks([], TODAY) == "No tasks."


def test_list_keeps_the_given_order():
    tasks = [Task(id=2, title="B"), Task(id=1, title="A")]

    assert format_tasks(tasks, TODAY) == "[ ]   2  B\n[ ]   1  A"


def test_summary_counts_open_overdue_and_done():
    tasks = [
        Task(id=1, title="a", due=date(2025, 3, 1)),
        Task(id=2, title="b"),
        Task(id=3, title="c", done=True, due=date(2025, 3, 1)),
    ]

    assert summary_line(tasks, TODAY) == "2 open (1 overdue), 1 done"
    assert summary_line([], TODAY) == "0 open, 0 done"
