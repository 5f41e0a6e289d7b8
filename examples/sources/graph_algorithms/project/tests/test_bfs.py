"""Tests for graphkit.bfs: order, levels and fewest-edge paths."""

import pytest

from graphkit.bfs import bfs_levels, bfs_order, bfs_path
from graphkit.graph import Graph, NodeNotFoundError


@pytest.fixture
def grid():
    #  a - b - c
    #  |       |
    #  d - e - f      g (isolated)
    g = Graph()
    for u, v in [("a", "b"), ("b", "c"), ("a", "d"), ("d", "e"), ("e", "f"), ("c", "f")]:
        g.add_edge(u, v)
    g.add_node("g")
    return g


def test_order_is_breadth_first_in_insertion_order(grid):
    assert bfs_order(grid, "a") == ["a", "b", "d", "c", "e", "f"]


def test_levels_are_hop_distances(grid):
    assert bfs_levels(grid, "a") == {"a": 0, "b": 1, "d": 1, "c": 2, "e": 2, "f": 3}


def test_unreachable_nodes_are_left_out(grid):
    assert "g" not in bfs_order(grid, "a")
    assert bfs_order(grid, "g") == ["g"]


def test_path_has_fewest_edges_even_if_heavier():
    g = Graph()
    g.add_edge("s", "t", 100)
    g.add_edge("s", "m", 1)
    g.add_edge("m", "t", 1)

    assert bfs_path(g, "s", "t") == ["s", "t"]


def test_path_to_self_and_to_unreachable(grid):
    assert bfs_path(grid, "c", "c") == ["c"]
    assert bfs_path(grid, "a", "g") is None


def test_path_follows_edge_direction():
    g = Graph(directed=True)
    g.add_edge("a", "b")
    g.add_edge("b", "c")

    assert bfs_path(g, "a", "c") == ["a", "b", "c"]
    assert bfs_path(g, "c", "a") is None


def test_unknown_nodes_raise(grid):
    with pytest.raises(NodeNotFoundError):
        bfs_order(grid, "zz")
    with pytest.raises(NodeNotFoundError):
        bfs_path(grid, "a", "zz")
