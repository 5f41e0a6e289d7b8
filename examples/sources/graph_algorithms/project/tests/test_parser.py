"""Tests for graphkit.parser: the edge-list format and its errors."""

import pytest

from graphkit.graph import GraphError
from graphkit.parser import ParseError, load_graph, parse_edge_list


def test_parses_edges_weights_comments_and_isolated_nodes():
    text = """
    # a small road map
    A B 4
    A C 1   # shortcut
    C B
    D
    """
    g = parse_edge_list(text)

    assert g.nodes == ["A", "B", "C", "D"]
    assert g.weight("A", "B") == 4.0
    assert g.weight("B", "C") == 1.0  # default weight, undirected
    assert g.neighbors("D") == []


def test_directed_flag():
    g = parse_edge_list("x y 2", directed=True)

    assert g.directed
    assert g.has_edge("x", "y") and not g.has_edge("y", "x")


def test_empty_text_gives_empty_graph():
    assert len(parse_edge_list("\n# nothing here\n")) == 0


def test_bad_weight_names_the_line():
    with pytest.raises(ParseError) as info:
        parse_edge_list("a b 1\na c heavy\n")
    assert info.value.line == 2
    assert "heavy" in str(info.value)
    assert str(info.value).startswith("line 2:")


def test_too_many_fields_is_an_error():
    with pytest.raises(ParseError) as info:
        parse_edge_list("a b 1 2")
    assert info.value.line == 1


def test_non_finite_weight_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_edge_list("a b inf")


def test_load_graph_reads_a_file(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("a b 2\nb c 3\n", encoding="utf-8")

    g = load_graph(path, directed=True)

    assert g.edges() == [("a", "b", 2.0), ("b", "c", 3.0)]


def test_load_graph_missing_file_raises_graph_error(tmp_path):
    with pytest.raises(GraphError) as info:
        load_graph(tmp_path / "nope.txt")
    assert "nope.txt" in str(info.value)
