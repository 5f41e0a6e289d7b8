"""Dijkstra's algorithm: cheapest distances and paths over non-negative edge weights."""

from __future__ import annotations

import heapq
import itertools

from graphkit.graph import Graph, GraphError, Node, NodeNotFoundError


class NegativeWeightError(GraphError):
    """Dijkstra's algorithm was asked to run on a graph with a negative edge weight."""


class NoPathError(GraphError):
    """The target cannot be reached from the source."""

    def __init__(self, source: Node, target: Node) -> None:
        super().__init__(f"there is no path from {source!r} to {target!r}")
        self.source = source
        self.target = target


def dijkstra(graph: Graph, source: Node) -> tuple[dict[Node, float], dict[Node, Node | None]]:
    """Cheapest distance from `source` to every reachable node, and each node's predecessor.

    Unreachable nodes are absent from both mappings; the source's predecessor is None.
    Raises NodeNotFoundError for an unknown source and NegativeWeightError when any edge
    weight is negative.
    """
    if not graph.has_node(source):
        raise NodeNotFoundError(source)
    for u, v, weight in graph.edges():
        if weight < 0:
            raise NegativeWeightError(f"edge {u!r} -> {v!r} has negative weight {weight:g}")
    dist: dict[Node, float] = {source: 0.0}
    previous: dict[Node, Node | None] = {source: None}
    done: set[Node] = set()
    # The counter breaks ties, so nodes never need to be comparable with each other.
    tie = itertools.count()
    heap: list[tuple[float, int, Node]] = [(0.0, next(tie), source)]
    while heap:
        d, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for neighbor, weight in graph.neighbors(node):
            candidate = d + weight
            if neighbor not in dist or candidate < dist[neighbor]:
                dist[neighbor] = candidate
                previous[neighbor] = node
                heapq.heappush(heap, (candidate, next(tie), neighbor))
    return dist, previous


def shortest_path(graph: Graph, source: Node, target: Node) -> tuple[float, list[Node]]:
    """The cheapest path from `source` to `target` as (total weight, nodes from source to target).

    Raises NodeNotFoundError for unknown nodes and NoPathError when `target` is unreachable.
    """
    if not graph.has_node(target):
        raise NodeNotFoundError(target)
    dist, previous = dijkstra(graph, source)
    if target not in dist:
        raise NoPathError(source, target)
    path = [target]
    while path[-1] != source:
        step = previous[path[-1]]
        assert step is not None  # only the source has no predecessor
        path.append(step)
    return dist[target], path[::-1]
