"""Tests for todo.manager: changing and querying the task list."""

from datetime import date

import pytest

from todo.manager import TodoList
from todo.models import Task, TaskError


@pytest.fixture
def todos():
    t = TodoList()
    t.add("Write report", priority="high", due=date(2025, 3, 20))
    t.add("Water plants", due=date(2025, 3, 13))
    t.add("Read a book", priority="low")
    t.add("Book dentist", priority="high")
    return t


def test_add_assigns_increasing_ids(todos):
    assert [t.id for t in todos.tasks] == [1, 2, 3, 4]
    assert todos.add("  Another  ").title == "Another"
    assert len(todos) == 5


def test_ids_continue_after_the_highest_existing_one():
    todos = TodoList([Task(id=4, title="old")])
    assert todos.add("new").id == 5


def test_duplicate_ids_are_rejected():
    with pytest.raises(TaskError):
        TodoList([Task(id=1, title="a"), Task(id=1, title="b")])


def test_complete_reopen_and_remove(todos):
    assert todos.complete(2).done is True
    assert todos.get(2).done is True
    assert todos.reopen(2).done is False
    removed = todos.remove(3)
    assert removed.title == "Read a book"
    with pytest.raises(TaskError, match="no task with id 3"):
        todos.get(3)


def test_edit_changes_only_given_fields(todos):
    edited = todos.edit(1, title="Write final report")

    assert edited.title == "Write final report"
    assert edited.priority == "high" and edited.due == date(2025, 3, 20)
    assert todos.edit(1, clear_due=True).due is None
    assert todos.edit(1, due=date(2025, 4, 1), priority="low").priority == "low"


def test_edit_validates(todos):
    with pytest.raises(TaskError):
        todos.edit(1, title=" ")
    with pytest.raises(TaskError):
        todos.edit(1, due=date(2025, 1, 1), clear_due=True)
    with pytest.raises(TaskError):
        todos.edit(99, title="x")


def test_clear_done(todos):
    todos.complete(1)
    todos.complete(4)

    assert todos.clear_done() == 2
    assert [t.id for t in todos.tasks] == [2, 3]


def test_query_sorts_by_due_date_then_priority(todos):
    assert [t.id for t in todos.query()] == [2, 1, 4, 3]


def test_query_sorts_by_priority(todos):
    assert [t.id for t in todos.query(sort="priority")] == [1, 4, 2, 3]


def test_query_filters(todos):
    todos.complete(1)

    assert [t.id for t in todos.query(sort="id")] == [2, 3, 4]
    assert [t.id for t in todos.query(include_done=True, sort="id")] == [1, 2, 3, 4]
    assert [t.id for t in todos.query(priority="high")] == [4]


def test_query_rejects_unknown_sort(todos):
    with pytest.raises(TaskError):
        todos.query(sort="colour")
