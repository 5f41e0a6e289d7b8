"""Tests for the graphkit package: the public API works end to end."""

import graphkit


def test_public_names_are_exported():
    for name in graphkit.__all__:
        assert hasattr(graphkit, name), name
    assert graphkit.__version__ == "0.1.0"


def test_parse_then_search_with_every_algorithm():
    g = graphkit.parse_edge_list("home shop 2\nshop work 2\nhome work 5\nwork gym 1\n")

    assert graphkit.bfs_order(g, "home") == ["home", "shop", "work", "gym"]
    assert graphkit.dfs_order(g, "home") == ["home", "shop", "work", "gym"]
    assert graphkit.bfs_path(g, "home", "gym") == ["home", "work", "gym"]
    assert graphkit.shortest_path(g, "home", "gym") == (5.0, ["home", "shop", "work", "gym"])
    assert graphkit.has_cycle(g)


def test_every_error_is_a_graph_error():
    for error in (
        graphkit.NodeNotFoundError,
        graphkit.NoPathError,
        graphkit.NegativeWeightError,
        graphkit.CycleError,
        graphkit.ParseError,
    ):
        assert issubclass(error, graphkit.GraphError)
