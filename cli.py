"""Terminal entry point `parallel-codegen`: run, resume, list and show generations."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parallel-codegen",
        description="Describe a project; parallel agents plan, code, review and test it.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="generate a project from a description")
    run.add_argument("description", help='what to build, e.g. "a CLI todo list in Python"')
    run.add_argument("--out", type=Path, help="write the project to this directory")
    run.add_argument("--zip", type=Path, help="also write the project as this zip file")
    run.add_argument("--provider", choices=["anthropic", "openai", "replay"])
    run.add_argument("--workers", type=int, help="coder workers running at once")
    run.add_argument("--max-iterations", type=int, help="coding rounds before giving up")
    run.add_argument("--budget", type=float, help="stop before spending more than this (USD)")
    run.add_argument("--record", type=Path, help="record the LLM session to this cassette")
    run.add_argument("--replay", type=Path, help="play the LLM session from this cassette")
    run.add_argument(
        "--replay-speed", type=float, help="replay latency scale: 1 = as recorded, 0 = instant"
    )
    run.add_argument("--sandbox", choices=["auto", "local", "docker"])
    run.add_argument("--home", type=Path, help="data directory (default ./runs)")
    run.add_argument("--quiet", action="store_true", help="no live view, only the summary")

    resume = sub.add_parser("resume", help="finish an interrupted run")
    resume.add_argument("run_id")
    resume.add_argument("--out", type=Path)
    resume.add_argument("--zip", type=Path)
    resume.add_argument("--provider", choices=["anthropic", "openai", "replay"])
    resume.add_argument("--replay", type=Path)
    resume.add_argument("--budget", type=float)
    resume.add_argument("--home", type=Path)
    resume.add_argument("--quiet", action="store_true")

    runs = sub.add_parser("runs", help="list runs")
    runs.add_argument("--home", type=Path)
    runs.add_argument("--limit", type=int, default=20)

    show = sub.add_parser("show", help="show one run")
    show.add_argument("run_id")
    show.add_argument("--home", type=Path)
    return parser


def settings_from(args: argparse.Namespace):  # -> Settings (imported lazily for a fast --help)
    from models.settings import load_settings

    return load_settings(
        provider=getattr(args, "provider", None),
        max_workers=getattr(args, "workers", None),
        max_iterations=getattr(args, "max_iterations", None),
        budget_usd=getattr(args, "budget", None),
        record_file=getattr(args, "record", None),
        replay_file=getattr(args, "replay", None),
        replay_speed=getattr(args, "replay_speed", None),
        sandbox=getattr(args, "sandbox", None),
        home=getattr(args, "home", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    quiet = getattr(args, "quiet", True)
    # The live view shows events; without it, warnings go to stderr.
    logging.basicConfig(level=logging.WARNING if quiet else logging.ERROR, format="%(message)s")
    try:
        settings = settings_from(args)
    except ValidationError as exc:
        err = exc.errors()[0]
        print(f"error: invalid setting {err['loc'][0]}: {err['msg']}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "runs":
        return cmd_runs(settings, args.limit)
    if args.command == "show":
        return cmd_show(settings, args.run_id)
    if args.command == "resume":
        return cmd_run(settings, args, resume=True)
    return cmd_run(settings, args, resume=False)


def cmd_run(settings, args: argparse.Namespace, *, resume: bool) -> int:
    from agents.llm.base import LLMError, NoRecordingError
    from agents.llm.factory import build_llm
    from graph.runner import create_run, execute_run, open_store
    from ui.terminal import LiveView, print_summary

    store = open_store(settings)
    try:
        if resume:
            record = store.get_run(args.run_id)
            if record is None:
                print(f"error: no run {args.run_id!r} in {settings.db_path}", file=sys.stderr)
                return EXIT_USAGE
            request, run_id = record.request, args.run_id
        else:
            request = args.description
            run_id = None
        try:
            llm = build_llm(settings, request=request)
        except (NoRecordingError, LLMError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if run_id is None:
            run_id = create_run(store, settings, request)
        view = None if args.quiet else LiveView(store, run_id, provider=settings.provider_reason())
        started = time.time()

        async def go():
            task = asyncio.create_task(
                execute_run(
                    settings,
                    request=request,
                    run_id=run_id,
                    resume=resume,
                    llm=llm,
                    store=store,
                    out_dir=args.out,
                    zip_path=args.zip,
                )
            )
            if view is None:
                return await task
            with view:
                while not task.done():
                    view.refresh()
                    await asyncio.sleep(0.25)
                view.refresh()
            return task.result()

        try:
            result = asyncio.run(go())
        except KeyboardInterrupt:
            with contextlib.suppress(Exception):
                store.request_cancel(run_id)
            print(f"\ninterrupted: resume with `parallel-codegen resume {run_id}`", file=sys.stderr)
            return EXIT_FAILED
        print_summary(result, store, wall=time.time() - started)
        return EXIT_OK if result.ok else EXIT_FAILED
    finally:
        store.close()


def cmd_runs(settings, limit: int) -> int:
    from graph.runner import open_store
    from ui.terminal import print_runs

    store = open_store(settings)
    try:
        print_runs(store.list_runs(limit))
    finally:
        store.close()
    return EXIT_OK


def cmd_show(settings, run_id: str) -> int:
    from graph.runner import open_store
    from ui.terminal import print_run

    store = open_store(settings)
    try:
        record = store.get_run(run_id)
        if record is None:
            print(f"error: no run {run_id!r} in {settings.db_path}", file=sys.stderr)
            return EXIT_USAGE
        print_run(store, record)
    finally:
        store.close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
