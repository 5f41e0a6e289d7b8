"""Command-line interface: run BFS, DFS, Dijkstra or a topological sort on an edge-list file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from graphkit.bfs import bfs_levels, bfs_path
from graphkit.dfs import dfs_order, topological_sort
from graphkit.dijkstra import shortest_path
from graphkit.graph import Graph, GraphError
from graphkit.parser import load_graph

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every command reads its graph from an edge-list FILE."""
    parser = argparse.ArgumentParser(
        prog="graphkit",
        description="Graph algorithms on edge-list files ('source target [weight]' per line).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", help="edge-list file")
    common.add_argument(
        "--directed", action="store_true", help="treat edges as one-way (default: undirected)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    bfs = sub.add_parser("bfs", parents=[common], help="breadth-first order with hop levels")
    bfs.add_argument("start")
    dfs = sub.add_parser("dfs", parents=[common], help="depth-first order")
    dfs.add_argument("start")
    hops = sub.add_parser("hops", parents=[common], help="path with the fewest edges")
    hops.add_argument("source")
    hops.add_argument("target")
    path = sub.add_parser("path", parents=[common], help="cheapest path (Dijkstra)")
    path.add_argument("source")
    path.add_argument("target")
    sub.add_parser("topo", parents=[common], help="topological order (implies --directed)")
    return parser


def _run(args: argparse.Namespace) -> int:
    directed = args.directed or args.command == "topo"
    graph: Graph = load_graph(args.file, directed=directed)
    if args.command == "bfs":
        for node, level in bfs_levels(graph, args.start).items():
            print(f"{level}\t{node}")
    elif args.command == "dfs":
        print(" ".join(str(n) for n in dfs_order(graph, args.start)))
    elif args.command == "hops":
        found = bfs_path(graph, args.source, args.target)
        if found is None:
            raise GraphError(f"there is no path from {args.source!r} to {args.target!r}")
        print(f"{' -> '.join(str(n) for n in found)} ({len(found) - 1} edges)")
    elif args.command == "path":
        cost, nodes = shortest_path(graph, args.source, args.target)
        print(f"{' -> '.join(str(n) for n in nodes)} (cost {cost:g})")
    else:
        print(" ".join(str(n) for n in topological_sort(graph)))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns 0 on success, 1 for graph errors, 2 for usage errors."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed the message
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        return _run(args)
    except GraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
