"""Tests for todo.models: validation and the JSON form of a task."""

from datetime import date

import pytest

from todo.models import PRIORITIES, Task, TaskError, validate_priority, validate_title


def test_defaults_and_normalisation():
    task = Task(id=1, title="  Buy milk ", priority="HIGH")

    assert task.title == "Buy milk"
    assert task.priority == "high"
    assert task.done is False and task.due is None


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "x" * 201])
def test_bad_titles_are_rejected(title):
    with pytest.raises(TaskError):
        validate_title(title)


def test_priorities():
    assert PRIORITIES == ("low", "normal", "high")
    assert validate_priority(" Low ") == "low"
    with pytest.raises(TaskError, match="priority must be one of"):
        validate_priority("urgent")


@pytest.mark.parametrize("bad_id", [0, -3, "1", True, 1.0])
def test_ids_must_be_positive_integers(bad_id):
    with pytest.raises(TaskError):
        Task(id=bad_id, title="x")


def test_round_trip_through_dict():
    task = Task(id=7, title="File taxes", done=True, priority="high", due=date(2025, 4, 15))

    data = task.to_dict()

    assert data == {
        "id": 7,
        "title": "File taxes",
        "done": True,
        "priority": "high",
        "due": "2025-04-15",
    }
    assert Task.from_dict(data) == task


def test_from_dict_fills_defaults():
    assert Task.from_dict({"id": 2, "title": "Call mum"}) == Task(id=2, title="Call mum")


@pytest.mark.parametrize(
    "data",
    [
        {"title": "no id"},
        {"id": 1},
        {"id": 1, "title": "x", "due": "next week"},
        {"id": 1, "title": "x", "done": "yes"},
        ["not", "a", "dict"],
    ],
)
def test_from_dict_rejects_invalid_data(data):
    with pytest.raises(TaskError):
        Task.from_dict(data)


def test_tasks_are_immutable():
    task = Task(id=1, title="x")
    with pytest.raises(AttributeError):
        task.title = "y"
