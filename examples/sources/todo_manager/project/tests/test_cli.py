"""Tests for todo.cli: each command against a task file in tmp_path."""

import json
from datetime import date

import pytest

from todo.cli import main

TODAY = date(2025, 3, 12)


@pytest.fixture
def run(tmp_path, capsys):
    path = tmp_path / "tasks.json"

    def run(*args):
        code = main(["--file", str(path), *args], today=TODAY)
        out = capsys.readouterr()
        return code, out.out, out.err

    run.path = path
    return run


def test_add_and_list(run):
    assert run("add", "Buy", "milk", "--due", "tomorrow")[0] == 0
    code, out, _ = run("add", "Pay rent", "-p", "high")
    assert code == 0 and out == "Added: [ ]   2  Pay rent (high)\n"

    code, out, _ = run("list")

    assert code == 0
    assert out.splitlines() == [
        "[ ]   1  Buy milk (due tomorrow)",
        "[ ]   2  Pay rent (high)",
        "2 open, 0 done",
    ]


def test_tasks_are_saved_as_json(run):
    run("add", "Water plants", "-d", "2025-03-20")

    data = json.loads(run.path.read_text(encoding="utf-8"))

    assert data["tasks"] == [
        {"id": 1, "title": "Water plants", "done": False, "priority": "normal", "due": "2025-03-20"}
    ]


def test_done_hides_tasks_until_all(run):
    run("add", "A")
    run("add", "B")

    code, out, _ = run("done", "1")
    assert code == 0 and out == "Done: [x]   1  A\n"
    assert run("list")[1].splitlines()[0] == "[ ]   2  B"
    assert "[x]   1  A" in run("list", "--all")[1]


def test_undo_edit_remove_and_clear(run):
    run("add", "A")
    run("add", "B")
    run("done", "1", "2")

    assert run("undo", "2")[1] == "Reopened: [ ]   2  B\n"
    assert run("edit", "2", "--title", "Bee", "--due", "fri")[1] == (
        "Edited: [ ]   2  Bee (due in 2 days)\n"
    )
    assert run("edit", "2", "--due", "none")[1] == "Edited: [ ]   2  Bee\n"
    assert run("clear")[1] == "Removed 1 completed task.\n"
    assert run("remove", "2")[1] == "Removed: [ ]   2  Bee\n"
    assert run("list")[1] == "No tasks.\n0 open, 0 done\n"


def test_unknown_id_changes_nothing(run):
    run("add", "A")

    code, _, err = run("done", "1", "7")

    assert code == 1 and "no task with id 7" in err
    assert "[ ]   1  A" in run("list")[1]


def test_bad_due_date_is_an_error(run):
    code, out, err = run("add", "A", "--due", "someday")

    assert code == 1 and out == ""
    assert err.startswith("error: cannot read 'someday'")
    assert not run.path.exists()


def test_corrupt_file_is_reported_not_overwritten(run):
    run.path.write_text("{oops", encoding="utf-8")

    code, _, err = run("add", "A")

    assert code == 1 and "not valid JSON" in err
    assert run.path.read_text(encoding="utf-8") == "{oops"


def test_usage_errors_exit_2(run):
    assert run()[0] == 2
    assert run("done")[0] == 2
    assert run("done", "one")[0] == 2
    assert run("add", "x", "-p", "urgent")[0] == 2
