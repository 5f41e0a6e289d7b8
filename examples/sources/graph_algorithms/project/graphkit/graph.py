"""A small adjacency-list graph, directed or undirected, with weighted edges."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator

Node = Hashable


class GraphError(Exception):
    """Base class of every error raised by graphkit."""


class NodeNotFoundError(GraphError):
    """A node was asked for that the graph does not contain."""

    def __init__(self, node: Node) -> None:
        super().__init__(f"node {node!r} is not in the graph")
        self.node = node


class Graph:
    """Nodes and weighted edges.

    Neighbours keep their insertion order, so every traversal of the same graph visits nodes
    in the same order. In an undirected graph each edge is stored in both directions.
    """

    def __init__(self, directed: bool = False) -> None:
        self.directed = directed
        self._adjacency: dict[Node, dict[Node, float]] = {}

    def add_node(self, node: Node) -> None:
        """Add `node` if it is not in the graph yet; adding it again does nothing."""
        self._adjacency.setdefault(node, {})

    def add_edge(self, u: Node, v: Node, weight: float = 1.0) -> None:
        """Add the edge u -> v (and v -> u when undirected), adding missing nodes.

        Adding an existing edge again replaces its weight. Raises GraphError when the weight
        is not a finite number.
        """
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise GraphError(f"edge weight must be a number, got {weight!r}")
        if not math.isfinite(weight):
            raise GraphError(f"edge weight must be finite, got {weight!r}")
        self.add_node(u)
        self.add_node(v)
        self._adjacency[u][v] = float(weight)
        if not self.directed:
            self._adjacency[v][u] = float(weight)

    def has_node(self, node: Node) -> bool:
        return node in self._adjacency

    def has_edge(self, u: Node, v: Node) -> bool:
        return u in self._adjacency and v in self._adjacency[u]

    def weight(self, u: Node, v: Node) -> float:
        """The weight of the edge u -> v; GraphError when there is no such edge."""
        if not self.has_edge(u, v):
            self._require(u)
            self._require(v)
            raise GraphError(f"there is no edge {u!r} -> {v!r}")
        return self._adjacency[u][v]

    def neighbors(self, node: Node) -> list[tuple[Node, float]]:
        """(neighbour, weight) pairs of the edges leaving `node`, in insertion order."""
        self._require(node)
        return list(self._adjacency[node].items())

    @property
    def nodes(self) -> list[Node]:
        """Every node, in insertion order."""
        return list(self._adjacency)

    def edges(self) -> list[tuple[Node, Node, float]]:
        """Every edge as (u, v, weight); an undirected edge is listed once."""
        result: list[tuple[Node, Node, float]] = []
        seen: set[tuple[Node, Node]] = set()
        for u, targets in self._adjacency.items():
            for v, weight in targets.items():
                if not self.directed:
                    if (v, u) in seen:
                        continue
                    seen.add((u, v))
                result.append((u, v, weight))
        return result

    def _require(self, node: Node) -> None:
        if node not in self._adjacency:
            raise NodeNotFoundError(node)

    def __contains__(self, node: object) -> bool:
        try:
            return node in self._adjacency
        except TypeError:  # unhashable values are never nodes
            return False

    def __len__(self) -> int:
        return len(self._adjacency)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._adjacency)

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<Graph {kind}, {len(self)} nodes, {len(self.edges())} edges>"
