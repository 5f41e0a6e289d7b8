"""The JSON file tasks live in: safe loading and atomic saving."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from todo.models import Task, TaskError

FORMAT_VERSION = 1
ENV_FILE = "TODO_FILE"


class StorageError(Exception):
    """The task file cannot be read, parsed or written."""


def default_path() -> Path:
    """$TODO_FILE when set, else ~/.todo.json."""
    configured = os.environ.get(ENV_FILE)
    return Path(configured).expanduser() if configured else Path.home() / ".todo.json"


class TaskStore:
    """Loads and saves the task list of one JSON file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> list[Task]:
        """The saved tasks in id order; [] when the file does not exist yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise StorageError(f"cannot read {self.path}: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StorageError(
                f"{self.path} is not valid JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
            raise StorageError(f"{self.path} is not a task file: expected {{'tasks': [...]}}")
        tasks: list[Task] = []
        for index, item in enumerate(data["tasks"]):
            try:
                tasks.append(Task.from_dict(item))
            except TaskError as exc:
                raise StorageError(f"{self.path}: task #{index + 1}: {exc}") from None
        ids = [t.id for t in tasks]
        if len(ids) != len(set(ids)):
            raise StorageError(f"{self.path}: two tasks share an id")
        return sorted(tasks, key=lambda t: t.id)

    def save(self, tasks: Iterable[Task]) -> None:
        """Write the tasks atomically: a crash mid-write leaves the old file intact."""
        payload = {
            "version": FORMAT_VERSION,
            "tasks": [t.to_dict() for t in sorted(tasks, key=lambda t: t.id)],
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"cannot write {self.path}: {exc}") from None
