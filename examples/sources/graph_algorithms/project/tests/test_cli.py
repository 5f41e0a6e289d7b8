"""Tests for graphkit.cli: commands, output and exit codes."""

import pytest

from graphkit.cli import main

ROADS = """\
A B 4
A C 1
C B 2
B D 5
D E 3
Z
"""


@pytest.fixture
def roads(tmp_path):
    path = tmp_path / "roads.txt"
    path.write_text(ROADS, encoding="utf-8")
    return str(path)


def test_path_prints_cheapest_route_and_cost(roads, capsys):
    assert main(["path", roads, "A", "E"]) == 0
    assert capsys.readouterr().out == "A -> C -> B -> D -> E (cost 11)\n"


def test_hops_prints_fewest_edges(roads, capsys):
    assert main(["hops", roads, "A", "D"]) == 0
    assert capsys.readouterr().out == "A -> B -> D (2 edges)\n"


def test_bfs_prints_levels(roads, capsys):
    assert main(["bfs", roads, "A"]) == 0
    assert capsys.readouterr().out.splitlines() == ["0\tA", "1\tB", "1\tC", "2\tD", "3\tE"]


def test_dfs_prints_preorder(roads, capsys):
    assert main(["dfs", roads, "A"]) == 0
    assert capsys.readouterr().out == "A B C D E\n"


def test_topo_treats_the_file_as_directed(tmp_path, capsys):
    path = tmp_path / "deps.txt"
    path.write_text("lib app\ncore lib\ncore app\n", encoding="utf-8")

    assert main(["topo", str(path)]) == 0
    assert capsys.readouterr().out == "core lib app\n"


def test_directed_flag_changes_reachability(tmp_path, capsys):
    path = tmp_path / "one_way.txt"
    path.write_text("a b\n", encoding="utf-8")

    assert main(["path", str(path), "b", "a"]) == 0
    capsys.readouterr()
    assert main(["path", "--directed", str(path), "b", "a"]) == 1
    assert "no path" in capsys.readouterr().err


def test_unreachable_target_exits_1(roads, capsys):
    assert main(["path", roads, "A", "Z"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: there is no path")


def test_unknown_node_exits_1(roads, capsys):
    assert main(["bfs", roads, "nowhere"]) == 1
    assert "'nowhere' is not in the graph" in capsys.readouterr().err


def test_missing_file_exits_1(tmp_path, capsys):
    assert main(["dfs", str(tmp_path / "missing.txt"), "A"]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_malformed_file_names_the_line(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("a b 1\nb c lots\n", encoding="utf-8")

    assert main(["path", str(path), "a", "c"]) == 1
    assert "line 2" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["fly", "x"]) == 2
    capsys.readouterr()
