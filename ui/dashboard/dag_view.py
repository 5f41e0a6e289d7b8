"""The task DAG as Graphviz DOT: nodes coloured by status, the critical path in bold."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from graph.progress import NodeRow
from models.dag import DAGValidationError, TaskDAG

FILL = {"IDLE": "#d9d9d9", "RUNNING": "#ffbf00", "DONE": "#4caf50", "FAILED": "#e53935"}
FONT = {"IDLE": "#333333", "RUNNING": "#000000", "DONE": "#000000", "FAILED": "#ffffff"}
LEGEND = (
    "grey: waiting · amber: running · green: done · red: failed · "
    "bold: the critical path (the longest chain of measured node times)"
)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def durations(rows: Sequence[NodeRow], now: float) -> dict[str, float]:
    """Measured time of each finished node and elapsed time of each running one."""
    return {r.id: s for r in rows if (s := r.seconds(now)) is not None}


def critical_path(dag: TaskDAG, rows: Sequence[NodeRow], now: float) -> tuple[list[str], float]:
    measured = durations(rows, now)
    if not any(measured.values()):
        return [], 0.0
    try:
        return dag.critical_path(measured)
    except DAGValidationError:  # a DAG being repaired mid-write: draw it without a path
        return [], 0.0


def node_label(row: NodeRow, now: float) -> str:
    seconds = row.seconds(now)
    if row.status == "IDLE":
        detail = "waiting"
    else:
        detail = f"{row.worker_id or '?'} · {seconds or 0.0:.1f}s"
    if row.iteration:
        detail += f" · round {row.iteration + 1}"
    return f"{row.name}\n{detail}"


def dag_dot(dag: TaskDAG, rows: Sequence[NodeRow], now: float) -> str:
    """DOT text of the DAG; edges run from a dependency to the node that needs it."""
    path, _ = critical_path(dag, rows, now)
    on_path = set(path)
    path_edges = set(pairwise(path))
    lines = [
        "digraph dag {",
        '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.25, ranksep=0.45];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11,'
        ' color="#555555", penwidth=1];',
        '  edge [color="#9e9e9e", arrowsize=0.7];',
    ]
    for row in rows:
        tooltip = f"{row.status}: {', '.join(row.files)}" + (f" ({row.error})" if row.error else "")
        attrs = [
            f"label={_quote(node_label(row, now))}",
            f'fillcolor="{FILL.get(row.status, FILL["IDLE"])}"',
            f'fontcolor="{FONT.get(row.status, FONT["IDLE"])}"',
            f"tooltip={_quote(tooltip)}",
        ]
        if row.id in on_path:
            attrs += ["penwidth=2.5", 'color="#222222"']
        lines.append(f"  {_quote(row.id)} [{', '.join(attrs)}];")
    for row in rows:
        for dep in row.depends_on:
            bold = (dep, row.id) in path_edges
            style = ' [penwidth=3, color="#222222"]' if bold else ""
            lines.append(f"  {_quote(dep)} -> {_quote(row.id)}{style};")
    lines.append("}")
    return "\n".join(lines)
