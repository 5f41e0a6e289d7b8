"""Tests for graphkit.graph: nodes, edges, weights and errors."""

import math

import pytest

from graphkit.graph import Graph, GraphError, NodeNotFoundError


def test_undirected_edges_go_both_ways():
    g = Graph()
    g.add_edge("a", "b", 2.5)

    assert g.has_edge("a", "b") and g.has_edge("b", "a")
    assert g.weight("b", "a") == 2.5
    assert g.edges() == [("a", "b", 2.5)]


def test_directed_edges_go_one_way():
    g = Graph(directed=True)
    g.add_edge("a", "b")

    assert g.has_edge("a", "b")
    assert not g.has_edge("b", "a")
    assert g.neighbors("b") == []


def test_nodes_and_neighbours_keep_insertion_order():
    g = Graph()
    g.add_node("z")
    g.add_edge("a", "c")
    g.add_edge("a", "b", 4)

    assert g.nodes == ["z", "a", "c", "b"]
    assert g.neighbors("a") == [("c", 1.0), ("b", 4.0)]
    assert len(g) == 4
    assert list(g) == ["z", "a", "c", "b"]


def test_adding_an_edge_again_replaces_its_weight():
    g = Graph()
    g.add_edge("a", "b", 1)
    g.add_edge("a", "b", 7)

    assert g.weight("a", "b") == 7.0
    assert len(g.edges()) == 1


def test_add_node_twice_keeps_edges():
    g = Graph()
    g.add_edge("a", "b")
    g.add_node("a")

    assert g.neighbors("a") == [("b", 1.0)]


def test_membership():
    g = Graph()
    g.add_node(1)

    assert 1 in g and g.has_node(1)
    assert 2 not in g
    assert [] not in g  # unhashable values are simply not nodes


def test_unknown_node_raises_node_not_found():
    g = Graph()
    with pytest.raises(NodeNotFoundError) as info:
        g.neighbors("missing")
    assert info.value.node == "missing"
    assert isinstance(info.value, GraphError)


def test_weight_of_a_missing_edge_raises():
    g = Graph()
    g.add_node("a")
    g.add_node("b")
    with pytest.raises(GraphError):
        g.weight("a", "b")


@pytest.mark.parametrize("bad", ["3", None, True, math.nan, math.inf])
def test_invalid_weights_are_rejected(bad):
    g = Graph()
    with pytest.raises(GraphError):
        g.add_edge("a", "b", bad)
    assert len(g) == 0


def test_self_loop_is_one_edge():
    g = Graph()
    g.add_edge("a", "a", 3)

    assert g.edges() == [("a", "a", 3.0)]
