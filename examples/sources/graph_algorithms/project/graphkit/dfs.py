"""Depth-first search, cycle detection and topological sorting."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from graphkit.graph import Graph, GraphError, Node, NodeNotFoundError


class CycleError(GraphError):
    """The graph has a cycle where none is allowed; `nodes` are the nodes left on cycles."""

    def __init__(self, nodes: list[Node]) -> None:
        shown = ", ".join(repr(n) for n in nodes)
        super().__init__(f"the graph has a cycle through {shown}")
        self.nodes = nodes


def dfs_order(graph: Graph, start: Node) -> list[Node]:
    """Nodes reachable from `start` in depth-first preorder.

    Neighbours are explored in insertion order, exactly as a recursive DFS would, but with an
    explicit stack so deep graphs cannot exhaust the recursion limit.
    """
    if not graph.has_node(start):
        raise NodeNotFoundError(start)
    order = [start]
    visited = {start}
    stack: list[Iterator[tuple[Node, float]]] = [iter(graph.neighbors(start))]
    while stack:
        for neighbor, _weight in stack[-1]:
            if neighbor not in visited:
                visited.add(neighbor)
                order.append(neighbor)
                stack.append(iter(graph.neighbors(neighbor)))
                break
        else:
            stack.pop()
    return order


def topological_sort(graph: Graph) -> list[Node]:
    """Every node, each before the nodes its edges lead to (Kahn's algorithm).

    Ties keep insertion order. Raises GraphError for an undirected graph and CycleError when
    the graph has a cycle.
    """
    if not graph.directed:
        raise GraphError("a topological order needs a directed graph")
    indegree = {node: 0 for node in graph.nodes}
    for _u, v, _weight in graph.edges():
        indegree[v] += 1
    ready = deque(node for node, degree in indegree.items() if degree == 0)
    order: list[Node] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for neighbor, _weight in graph.neighbors(node):
            indegree[neighbor] -= 1
            if indegree[neighbor] == 0:
                ready.append(neighbor)
    if len(order) < len(indegree):
        raise CycleError([node for node, degree in indegree.items() if degree > 0])
    return order


def has_cycle(graph: Graph) -> bool:
    """True when the graph has a cycle (a self-loop counts; in an undirected graph an edge
    walked back and forth does not)."""
    if graph.directed:
        try:
            topological_sort(graph)
        except CycleError:
            return True
        return False
    # Undirected: union-find; an edge joining two nodes already connected closes a cycle.
    parent = {node: node for node in graph.nodes}

    def find(node: Node) -> Node:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for u, v, _weight in graph.edges():
        root_u, root_v = find(u), find(v)
        if root_u == root_v:
            return True
        parent[root_u] = root_v
    return False
