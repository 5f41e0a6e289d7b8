"""Tests for todo.storage: loading, atomic saving and broken files."""

import json
from datetime import date

import pytest

from todo.models import Task
from todo.storage import StorageError, TaskStore, default_path


def test_missing_file_is_an_empty_list(tmp_path):
    assert TaskStore(tmp_path / "none.json").load() == []


def test_save_then_load_round_trips(tmp_path):
    store = TaskStore(tmp_path / "sub" / "tasks.json")
    tasks = [Task(id=2, title="B", due=date(2025, 1, 2)), Task(id=1, title="A", done=True)]

    store.save(tasks)

    assert store.load() == sorted(tasks, key=lambda t: t.id)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert [t["id"] for t in data["tasks"]] == [1, 2]


def test_save_leaves_no_temporary_files(tmp_path):
    store = TaskStore(tmp_path / "tasks.json")
    store.save([Task(id=1, title="A")])
    store.save([Task(id=1, title="A"), Task(id=2, title="Ünïcode ✓")])

    assert [p.name for p in tmp_path.iterdir()] == ["tasks.json"]
    assert store.load()[1].title == "Ünïcode ✓"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"tasks": {}}',
        '{"tasks": [{"id": 1}]}',
        '{"tasks": [{"id": 1, "title": "a"}, {"id": 1, "title": "b"}]}',
    ],
)
def test_broken_files_raise_storage_error(tmp_path, content):
    path = tmp_path / "tasks.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(StorageError) as info:
        TaskStore(path).load()
    assert str(path) in str(info.value)


def test_unwritable_location_raises_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")

    with pytest.raises(StorageError, match="cannot write"):
        TaskStore(blocker / "tasks.json").save([])


def test_default_path_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TODO_FILE", str(tmp_path / "mine.json"))
    assert default_path() == tmp_path / "mine.json"

    monkeypatch.delenv("TODO_FILE")
    assert default_path().name == ".todo.json"
