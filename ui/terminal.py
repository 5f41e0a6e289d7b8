"""The terminal view of a run, drawn from the run store with `rich`."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from graph.progress import node_rows
from graph.store import RunStore

STATUS_STYLE = {
    "IDLE": "dim",
    "RUNNING": "bold yellow",
    "DONE": "green",
    "FAILED": "bold red",
}
RUN_STYLE = {
    "done": "bold green",
    "failed": "bold red",
    "rejected": "bold red",
    "budget_exceeded": "bold magenta",
    "cancelled": "yellow",
    "running": "yellow",
}


def _fmt_s(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:5.1f}s"


def progress_table(store: RunStore, run_id: str) -> Group:
    record = store.get_run(run_id)
    rows = node_rows(store, run_id)
    now = time.time()
    table = Table(expand=False, show_edge=False, pad_edge=False)
    for col in ("node", "files", "status", "worker", "time", "round"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            row.id,
            ", ".join(row.files),
            Text(row.status, style=STATUS_STYLE.get(row.status, "")),
            row.worker_id or "",
            _fmt_s(row.seconds(now)),
            str(row.iteration + 1),
        )
    totals = store.usage_totals(run_id)
    phase = record.phase if record is not None else "?"
    status = record.status if record is not None else "?"
    done = sum(1 for r in rows if r.status == "DONE")
    header = Text.assemble(
        ("phase ", "dim"),
        (str(phase), "bold"),
        ("  status ", "dim"),
        (str(status), RUN_STYLE.get(str(status), "")),
        ("  nodes ", "dim"),
        f"{done}/{len(rows)}",
        ("  tokens ", "dim"),
        f"{totals.input_tokens + totals.cache_read_tokens + totals.cache_write_tokens:,} in "
        f"({totals.cache_read_tokens:,} cached) / {totals.output_tokens:,} out",
        ("  cost ", "dim"),
        f"${totals.cost_usd:.4f}",
    )
    events = store.events(run_id)[-4:]
    log = Text("\n".join(e.message for e in events), style="dim")
    return Group(header, table, log)


class LiveView:
    """A live-updating panel; `refresh()` re-reads the store."""

    def __init__(self, store: RunStore, run_id: str, *, provider: str = "") -> None:
        self.store = store
        self.run_id = run_id
        self.provider = provider
        self.console = Console(stderr=True)
        self.live = Live(console=self.console, refresh_per_second=4, transient=False)

    def _render(self) -> Panel:
        return Panel(
            progress_table(self.store, self.run_id),
            title=f"run {self.run_id}",
            subtitle=self.provider,
        )

    def refresh(self) -> None:
        self.live.update(self._render())

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        self.refresh()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.__exit__(*exc)


def summary_lines(result: Any, store: RunStore) -> list[str]:
    s = result.summary
    lines = [
        f"run {result.run_id}: {result.status}",
        f"files: {s.files} ({s.source_files} source, {s.test_files} tests)",
        f"tests: {s.tests_passed}/{s.tests_total} passed",
        f"iterations: {s.iterations}",
        f"tokens: {s.input_tokens:,} input, {s.cache_read_tokens:,} cache reads, "
        f"{s.cache_write_tokens:,} cache writes, {s.output_tokens:,} output ({s.calls} calls)",
        f"cost: ${s.cost_usd:.4f}",
        f"wall time: {s.wall_s:.1f}s",
    ]
    if s.coding_wall_s > 0:
        lines.append(
            f"coding: {s.coding_wall_s:.1f}s in parallel vs {s.coding_work_s:.1f}s one after "
            f"another: x{s.speedup:.2f} speedup"
        )
    if result.output_dir:
        lines.append(f"project: {result.output_dir}")
    if result.zip_path:
        lines.append(f"zip: {result.zip_path}")
    if result.error:
        lines.append(f"error: {result.error}")
    if result.status in ("failed", "cancelled", "budget_exceeded"):
        lines.append(f"resume with: parallel-codegen resume {result.run_id}")
    return lines


def print_summary(result: Any, store: RunStore, *, wall: float) -> None:
    console = Console()
    style = RUN_STYLE.get(result.status, "")
    for i, line in enumerate(summary_lines(result, store)):
        console.print(Text(line, style=style if i == 0 else ""))


def print_runs(records: list[Any]) -> None:
    console = Console()
    table = Table(show_edge=False)
    for col in ("run", "status", "phase", "project", "request"):
        table.add_column(col)
    for r in records:
        request = r.request if len(r.request) <= 60 else r.request[:57] + "..."
        table.add_row(
            r.run_id,
            Text(str(r.status), style=RUN_STYLE.get(str(r.status), "")),
            str(r.phase or ""),
            r.project_name or "",
            request,
        )
    if not records:
        console.print('no runs yet: start one with `parallel-codegen run "..."`')
    else:
        console.print(table)


def print_run(store: RunStore, record: Any) -> None:
    console = Console()
    console.print(Text(f"run {record.run_id}: {record.status}", style="bold"))
    console.print(f"request: {record.request}")
    if record.error:
        console.print(Text(f"error: {record.error}", style="red"))
    console.print(progress_table(store, record.run_id))
    if record.output_dir:
        console.print(f"project: {record.output_dir}")
    if record.zip_path:
        console.print(f"zip: {record.zip_path}")
