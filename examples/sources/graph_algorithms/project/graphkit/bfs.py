"""Breadth-first search: visiting order, hop distances and fewest-edge paths."""

from __future__ import annotations

from collections import deque

from graphkit.graph import Graph, Node, NodeNotFoundError


def _require(graph: Graph, node: Node) -> None:
    if not graph.has_node(node):
        raise NodeNotFoundError(node)


def bfs_levels(graph: Graph, start: Node) -> dict[Node, int]:
    """Hop distance from `start` to every reachable node, in visiting order."""
    _require(graph, start)
    levels: dict[Node, int] = {start: 0}
    queue: deque[Node] = deque([start])
    while queue:
        node = queue.popleft()
        for neighbor, _weight in graph.neighbors(node):
            if neighbor not in levels:
                levels[neighbor] = levels[node] + 1
                queue.append(neighbor)
    return levels


def bfs_order(graph: Graph, start: Node) -> list[Node]:
    """Nodes reachable from `start` in breadth-first order (neighbours in insertion order)."""
    return list(bfs_levels(graph, start))


def bfs_path(graph: Graph, start: Node, goal: Node) -> list[Node] | None:
    """A path from `start` to `goal` with the fewest edges, or None when `goal` is unreachable.

    Weights are ignored. Raises NodeNotFoundError when either node is not in the graph.
    """
    _require(graph, start)
    _require(graph, goal)
    parents: dict[Node, Node] = {}
    seen = {start}
    queue: deque[Node] = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while path[-1] != start:
                path.append(parents[path[-1]])
            return path[::-1]
        for neighbor, _weight in graph.neighbors(node):
            if neighbor not in seen:
                seen.add(neighbor)
                parents[neighbor] = node
                queue.append(neighbor)
    return None
