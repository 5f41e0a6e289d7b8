"""`python -m benchmarks [--quick] [--only NAME]`: run the benchmarks and write the report."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import machine, write_report

RESULTS = Path(__file__).resolve().parent / "results"
OURS = ("scheduler", "pipeline", "cost", "scale")
EXTERNAL = ("sandbox", "dashboard")  # modules with `run(report_dir: Path) -> dict`
NAMES = OURS + EXTERNAL


def runner(name: str, quick: bool, out_dir: Path) -> Callable[[], dict[str, Any]] | None:
    """The call that runs one benchmark, or None when its module is not available."""
    try:
        module = importlib.import_module(f"benchmarks.bench_{name}")
    except ImportError:
        return None
    if name in EXTERNAL:
        return lambda: module.run(out_dir)
    return lambda: module.run(quick=quick)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast subset (smaller sizes)")
    parser.add_argument("--only", choices=NAMES, action="append", help="run only this one")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results go")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("parallel_codegen").setLevel(logging.ERROR)

    names = args.only or list(NAMES)
    results: dict[str, Any] = {}
    previous = args.out / "results.json"
    if args.only and previous.is_file():  # keep the other sections of the last full run
        results = json.loads(previous.read_text())
    results.update({"machine": machine(), "quick": args.quick})
    errors: dict[str, str] = dict(results.get("errors") or {})
    started = time.perf_counter()
    for name in names:
        errors.pop(name, None)
        call = runner(name, args.quick, args.out)
        if call is None:
            results[name] = None
            print(f"[bench] {name}: not available", file=sys.stderr)
            continue
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            results[name] = call()
        except Exception as exc:  # one broken benchmark must not lose the others
            traceback.print_exc()
            results[name] = None
            errors[name] = f"{type(exc).__name__}: {exc}"
        print(f"[bench] {name} done in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    results["errors"] = errors
    results["total_s"] = time.perf_counter() - started
    report = write_report(results, args.out)
    print(f"[bench] report: {report} ({results['total_s']:.0f}s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
