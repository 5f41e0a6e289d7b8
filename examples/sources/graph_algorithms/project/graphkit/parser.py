"""Read graphs from edge-list text: one `source target [weight]` per line."""

from __future__ import annotations

import os

from graphkit.graph import Graph, GraphError


class ParseError(GraphError):
    """The edge-list text is malformed; `line` is the 1-based line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def parse_edge_list(text: str, *, directed: bool = False) -> Graph:
    """Build a graph from edge-list text.

    Each line holds `source target [weight]` (weight defaults to 1) or a single node name
    (an isolated node). Everything after `#` is a comment; blank lines are skipped.
    Raises ParseError naming the line of the first problem.
    """
    graph = Graph(directed=directed)
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) > 3:
            raise ParseError(number, f"expected 'source target [weight]', got {len(fields)} fields")
        if len(fields) == 1:
            graph.add_node(fields[0])
            continue
        weight = 1.0
        if len(fields) == 3:
            try:
                weight = float(fields[2])
            except ValueError:
                raise ParseError(number, f"weight {fields[2]!r} is not a number") from None
        try:
            graph.add_edge(fields[0], fields[1], weight)
        except GraphError as exc:
            raise ParseError(number, str(exc)) from None
    return graph


def load_graph(path: str | os.PathLike[str], *, directed: bool = False) -> Graph:
    """Read an edge-list file (UTF-8). Raises GraphError when it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise GraphError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise GraphError(f"cannot read {os.fspath(path)}: not UTF-8 text") from None
    return parse_edge_list(text, directed=directed)
