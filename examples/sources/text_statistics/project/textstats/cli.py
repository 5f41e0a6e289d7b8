"""The `textstats` command: print a statistics report for files or standard input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from textstats.readability import EmptyTextError
from textstats.report import build_report, format_report, report_to_dict

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="textstats",
        description="Word frequencies, readability scores and counts for text files.",
    )
    parser.add_argument("files", nargs="*", help="text files (UTF-8); '-' or none reads stdin")
    parser.add_argument("-n", "--top", type=int, default=10, help="top words to list (10)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--all-words", action="store_true", help="count common words (the, and...) too"
    )
    return parser


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    with open(name, encoding="utf-8") as fh:
        return fh.read()


def main(argv: Sequence[str] | None = None) -> int:
    """Report on every input; returns 1 if any input could not be read or had no words."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the message already
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.top < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    names = args.files or ["-"]
    status = EXIT_OK
    results: list[dict] = []
    texts: list[str] = []
    for name in names:
        label = "<stdin>" if name == "-" else name
        try:
            report = build_report(_read(name), top=args.top, ignore_stopwords=not args.all_words)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            print(f"error: cannot read {label}: {reason}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        except EmptyTextError:
            print(f"error: {label} has no words to report on", file=sys.stderr)
            status = EXIT_ERROR
            continue
        if args.json:
            results.append({"source": label, **report_to_dict(report)})
        else:
            texts.append(format_report(report, title=label))
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    elif texts:
        print("\n\n".join(texts))
    return status


if __name__ == "__main__":
    sys.exit(main())
