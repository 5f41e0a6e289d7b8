"""Tests for graphkit.dijkstra: cheapest distances, paths and errors."""

import pytest

from graphkit.dijkstra import NegativeWeightError, NoPathError, dijkstra, shortest_path
from graphkit.graph import Graph, NodeNotFoundError


@pytest.fixture
def roads():
    g = Graph()
    for u, v, w in [
        ("A", "B", 4),
        ("A", "C", 1),
        ("C", "B", 2),
        ("B", "D", 5),
        ("C", "D", 8),
        ("D", "E", 3),
    ]:
        g.add_edge(u, v, w)
    g.add_node("island")
    return g


def test_distances_from_the_source(roads):
    dist, previous = dijkstra(roads, "A")

    assert dist == {"A": 0, "B": 3, "C": 1, "D": 8, "E": 11}
    assert previous["A"] is None
    assert previous["B"] == "C"


def test_unreachable_nodes_are_absent(roads):
    dist, previous = dijkstra(roads, "A")

    assert "island" not in dist and "island" not in previous


def test_shortest_path_prefers_the_cheaper_detour(roads):
    assert shortest_path(roads, "A", "E") == (11.0, ["A", "C", "B", "D", "E"])


def test_path_to_itself_costs_nothing(roads):
    assert shortest_path(roads, "D", "D") == (0.0, ["D"])


def test_no_path_raises(roads):
    with pytest.raises(NoPathError) as info:
        shortest_path(roads, "A", "island")
    assert info.value.target == "island"


def test_direction_matters():
    g = Graph(directed=True)
    g.add_edge("a", "b", 1)

    assert shortest_path(g, "a", "b") == (1.0, ["a", "b"])
    with pytest.raises(NoPathError):
        shortest_path(g, "b", "a")


def test_zero_weight_edges():
    g = Graph()
    g.add_edge("a", "b", 0)
    g.add_edge("b", "c", 0)

    assert shortest_path(g, "a", "c") == (0.0, ["a", "b", "c"])


def test_negative_weights_are_rejected():
    g = Graph(directed=True)
    g.add_edge("a", "b", -1)

    with pytest.raises(NegativeWeightError):
        dijkstra(g, "a")


def test_unknown_nodes_raise(roads):
    with pytest.raises(NodeNotFoundError):
        dijkstra(roads, "Z")
    with pytest.raises(NodeNotFoundError):
        shortest_path(roads, "A", "Z")


def test_nodes_need_not_be_comparable():
    g = Graph()
    a, b, c = object(), object(), object()
    g.add_edge(a, b, 1)
    g.add_edge(a, c, 1)  # equal distances: the heap must not compare the nodes

    dist, _ = dijkstra(g, a)

    assert dist == {a: 0, b: 1, c: 1}
