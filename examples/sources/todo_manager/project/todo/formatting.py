"""Plain-text rendering of tasks for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from todo.dates import describe_due
from todo.models import Task


def format_task(task: Task, today: date) -> str:
    """One line: "[ ]   3  Buy milk (high, due tomorrow)"; normal priority is not shown."""
    box = "[x]" if task.done else "[ ]"
    details = []
    if task.priority != "normal":
        details.append(task.priority)
    if task.due is not None:
        details.append(f"due {describe_due(task.due, today)}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{box} {task.id:>3}  {task.title}{suffix}"


def format_tasks(tasks: Sequence[Task], today: date) -> str:
    """Every task on its own line, or "No tasks." when there are none."""
    if not tasks:
        return "No tasks."
    return "\n".join(format_task(t, today) for t in tasks)


def summary_line(tasks: Sequence[Task], today: date) -> str:
    """Counts for the footer: "3 open (1 overdue), 2 done"."""
    open_tasks = [t for t in tasks if not t.done]
    overdue = sum(1 for t in open_tasks if t.due is not None and t.due < today)
    done = len(tasks) - len(open_tasks)
    late = f" ({overdue} overdue)" if overdue else ""
    return f"{len(open_tasks)} open{late}, {done} done"
