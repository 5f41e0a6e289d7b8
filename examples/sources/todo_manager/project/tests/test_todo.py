"""Tests for the todo package: the public API works end to end."""

from datetime import date

import todo


def test_public_names_are_exported():
    for name in todo.__all__:
        assert hasattr(todo, name), name
    assert todo.__version__ == "0.1.0"


def test_manage_and_persist_a_list(tmp_path):
    store = todo.TaskStore(tmp_path / "tasks.json")
    todos = todo.TodoList(store.load())
    todos.add("Plan trip", priority="high", due=date(2025, 6, 1))
    todos.complete(todos.add("Book hotel").id)
    store.save(todos.tasks)

    reloaded = todo.TodoList(todo.TaskStore(store.path).load())

    assert reloaded.tasks == todos.tasks
    assert [t.title for t in reloaded.query()] == ["Plan trip"]


def test_errors_are_distinct():
    assert issubclass(todo.TaskError, ValueError)
    assert not issubclass(todo.StorageError, todo.TaskError)
