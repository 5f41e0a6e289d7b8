"""Tests for graphkit.dfs: preorder, cycles and topological order."""

import pytest

from graphkit.dfs import CycleError, dfs_order, has_cycle, topological_sort
from graphkit.graph import Graph, GraphError, NodeNotFoundError


def directed(*edges):
    g = Graph(directed=True)
    for u, v in edges:
        g.add_edge(u, v)
    return g


def undirected(*edges):
    g = Graph()
    for u, v in edges:
        g.add_edge(u, v)
    return g


def test_preorder_goes_deep_before_wide():
    g = undirected(("a", "b"), ("a", "c"), ("b", "d"), ("c", "e"))

    assert dfs_order(g, "a") == ["a", "b", "d", "c", "e"]


def test_each_node_is_visited_once_on_a_cycle():
    g = undirected(("a", "b"), ("b", "c"), ("c", "a"))

    assert dfs_order(g, "b") == ["b", "a", "c"]


def test_deep_chain_does_not_hit_the_recursion_limit():
    g = directed(*[(i, i + 1) for i in range(5000)])

    order = dfs_order(g, 0)

    assert len(order) == 5001 and order[-1] == 5000


def test_unknown_start_raises():
    with pytest.raises(NodeNotFoundError):
        dfs_order(Graph(), "a")


def test_topological_order_respects_every_edge():
    g = directed(("shirt", "tie"), ("tie", "jacket"), ("trousers", "shoes"), ("shirt", "belt"))
    g.add_node("watch")

    order = topological_sort(g)

    assert sorted(order) == sorted(g.nodes)
    for u, v, _ in g.edges():
        assert order.index(u) < order.index(v)
    assert order[:3] == ["shirt", "trousers", "watch"]  # ready nodes keep insertion order


def test_topological_sort_reports_the_cycle():
    g = directed(("a", "b"), ("b", "c"), ("c", "b"), ("c", "d"))

    with pytest.raises(CycleError) as info:
        topological_sort(g)
    assert set(info.value.nodes) >= {"b", "c"}
    assert "a" not in info.value.nodes


def test_topological_sort_needs_a_directed_graph():
    with pytest.raises(GraphError):
        topological_sort(undirected(("a", "b")))


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        (directed(("a", "b"), ("b", "c")), False),
        (directed(("a", "b"), ("b", "a")), True),
        (directed(("a", "a")), True),
        (undirected(("a", "b"), ("b", "c")), False),
        (undirected(("a", "b"), ("b", "c"), ("c", "a")), True),
        (undirected(("a", "a")), True),
    ],
)
def test_has_cycle(graph, expected):
    assert has_cycle(graph) is expected
