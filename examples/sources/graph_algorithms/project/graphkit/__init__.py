"""graphkit: graph algorithms (BFS, DFS, Dijkstra) with a command-line interface."""

from graphkit.bfs import bfs_levels, bfs_order, bfs_path
from graphkit.dfs import CycleError, dfs_order, has_cycle, topological_sort
from graphkit.dijkstra import NegativeWeightError, NoPathError, dijkstra, shortest_path
from graphkit.graph import Graph, GraphError, Node, NodeNotFoundError
from graphkit.parser import ParseError, load_graph, parse_edge_list

__version__ = "0.1.0"

__all__ = [
    "CycleError",
    "Graph",
    "GraphError",
    "NegativeWeightError",
    "NoPathError",
    "Node",
    "NodeNotFoundError",
    "ParseError",
    "__version__",
    "bfs_levels",
    "bfs_order",
    "bfs_path",
    "dfs_order",
    "dijkstra",
    "has_cycle",
    "load_graph",
    "parse_edge_list",
    "shortest_path",
    "topological_sort",
]
