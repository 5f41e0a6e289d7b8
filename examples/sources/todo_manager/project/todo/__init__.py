"""todo: a command-line todo list manager that keeps its tasks in a JSON file."""

from todo.manager import TodoList
from todo.models import PRIORITIES, Task, TaskError
from todo.storage import StorageError, TaskStore, default_path

__version__ = "0.1.0"

__all__ = [
    "PRIORITIES",
    "StorageError",
    "Task",
    "TaskError",
    "TaskStore",
    "TodoList",
    "__version__",
    "default_path",
]
