"""The `todo` command: manage a task list stored in a JSON file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from todo.dates import DueDateError, parse_due
from todo.formatting import format_task, format_tasks, summary_line
from todo.manager import SORT_KEYS, TodoList
from todo.models import PRIORITIES, TaskError
from todo.storage import StorageError, TaskStore, default_path

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo", description="A todo list in a JSON file.")
    parser.add_argument(
        "--file", help="task file (default: $TODO_FILE or ~/.todo.json)", default=None
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a task")
    add.add_argument("title", nargs="+", help="what to do")
    add.add_argument("-p", "--priority", choices=PRIORITIES, default="normal")
    add.add_argument("-d", "--due", help="YYYY-MM-DD, today, tomorrow, +N, or a weekday")
    ls = sub.add_parser("list", help="show tasks")
    ls.add_argument("-a", "--all", action="store_true", help="include completed tasks")
    ls.add_argument("-s", "--sort", choices=SORT_KEYS, default="due")
    ls.add_argument("-p", "--priority", choices=PRIORITIES)
    for name, text in (("done", "mark tasks done"), ("undo", "mark tasks not done"),
                       ("remove", "delete tasks")):  # fmt: skip
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("ids", nargs="+", type=int, metavar="ID")
    edit = sub.add_parser("edit", help="change a task")
    edit.add_argument("id", type=int)
    edit.add_argument("-t", "--title")
    edit.add_argument("-p", "--priority", choices=PRIORITIES)
    edit.add_argument("-d", "--due", help="a new due date, or 'none' to clear it")
    sub.add_parser("clear", help="delete every completed task")
    return parser


def _run(args: argparse.Namespace, today: date) -> int:
    store = TaskStore(args.file or default_path())
    todos = TodoList(store.load())
    if args.command == "list":
        tasks = todos.query(include_done=args.all, priority=args.priority, sort=args.sort)
        print(format_tasks(tasks, today))
        print(summary_line(todos.tasks, today))
        return EXIT_OK
    if args.command == "add":
        due = parse_due(args.due, today) if args.due else None
        task = todos.add(" ".join(args.title), priority=args.priority, due=due)
        print(f"Added: {format_task(task, today)}")
    elif args.command in ("done", "undo", "remove"):
        action = {"done": todos.complete, "undo": todos.reopen, "remove": todos.remove}
        for task_id in dict.fromkeys(args.ids):
            todos.get(task_id)  # check every id before changing anything
        for task_id in dict.fromkeys(args.ids):
            task = action[args.command](task_id)
            verb = {"done": "Done", "undo": "Reopened", "remove": "Removed"}[args.command]
            print(f"{verb}: {format_task(task, today)}")
    elif args.command == "edit":
        clear = args.due is not None and args.due.strip().lower() == "none"
        due = parse_due(args.due, today) if args.due and not clear else None
        task = todos.edit(
            args.id, title=args.title, priority=args.priority, due=due, clear_due=clear
        )
        print(f"Edited: {format_task(task, today)}")
    else:
        removed = todos.clear_done()
        print(f"Removed {removed} completed task{'s' if removed != 1 else ''}.")
    store.save(todos.tasks)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, today: date | None = None) -> int:
    """Run the command; 0 on success, 1 for bad input or an unusable task file, 2 for usage."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the message already
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        return _run(args, today or date.today())
    except (TaskError, DueDateError, StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
