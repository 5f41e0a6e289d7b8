"""The task list in memory: add, complete, edit, remove and query tasks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from todo.models import PRIORITIES, Task, TaskError, validate_priority, validate_title

SORT_KEYS = ("due", "priority", "id")


class TodoList:
    """A list of tasks with unique ids; every change returns the task it produced."""

    def __init__(self, tasks: Iterable[Task] = ()) -> None:
        self._tasks: dict[int, Task] = {}
        for task in tasks:
            if task.id in self._tasks:
                raise TaskError(f"two tasks share id {task.id}")
            self._tasks[task.id] = task

    @property
    def tasks(self) -> list[Task]:
        """Every task, in id order."""
        return [self._tasks[i] for i in sorted(self._tasks)]

    def __len__(self) -> int:
        return len(self._tasks)

    def add(self, title: str, *, priority: str = "normal", due: date | None = None) -> Task:
        """A new open task with the next id (one more than the highest in use)."""
        task = Task(
            id=max(self._tasks, default=0) + 1,
            title=validate_title(title),
            priority=validate_priority(priority),
            due=due,
        )
        self._tasks[task.id] = task
        return task

    def get(self, task_id: int) -> Task:
        try:
            return self._tasks[task_id]
        except KeyError:
            raise TaskError(f"there is no task with id {task_id}") from None

    def complete(self, task_id: int) -> Task:
        return self._put(replace(self.get(task_id), done=True))

    def reopen(self, task_id: int) -> Task:
        return self._put(replace(self.get(task_id), done=False))

    def edit(
        self,
        task_id: int,
        *,
        title: str | None = None,
        priority: str | None = None,
        due: date | None = None,
        clear_due: bool = False,
    ) -> Task:
        """Change the given fields only; `clear_due` removes the due date."""
        task = self.get(task_id)
        changes: dict[str, object] = {}
        if title is not None:
            changes["title"] = validate_title(title)
        if priority is not None:
            changes["priority"] = validate_priority(priority)
        if due is not None and clear_due:
            raise TaskError("give a new due date or clear it, not both")
        if due is not None or clear_due:
            changes["due"] = due
        return self._put(replace(task, **changes))

    def remove(self, task_id: int) -> Task:
        task = self.get(task_id)
        del self._tasks[task_id]
        return task

    def clear_done(self) -> int:
        """Remove completed tasks; returns how many were removed."""
        done = [i for i, t in self._tasks.items() if t.done]
        for task_id in done:
            del self._tasks[task_id]
        return len(done)

    def query(
        self, *, include_done: bool = False, priority: str | None = None, sort: str = "due"
    ) -> list[Task]:
        """Tasks matching the filters, sorted by "due" (undated last), "priority" or "id"."""
        if sort not in SORT_KEYS:
            raise TaskError(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
        wanted = validate_priority(priority) if priority is not None else None
        found = [
            t
            for t in self._tasks.values()
            if (include_done or not t.done) and (wanted is None or t.priority == wanted)
        ]
        rank = {p: -i for i, p in enumerate(PRIORITIES)}  # high first

        def key(t: Task) -> tuple:
            by_due = (t.due is None, t.due or date.max)
            if sort == "due":
                return (*by_due, rank[t.priority], t.id)
            if sort == "priority":
                return (rank[t.priority], *by_due, t.id)
            return (t.id,)

        return sorted(found, key=key)

    def _put(self, task: Task) -> Task:
        self._tasks[task.id] = task
        return task
