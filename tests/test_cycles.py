"""The bounded cycle search (`riskcore/cycles.py`): small graphs worked by hand, and networkx's
`simple_cycles(length_bound=K)` as the oracle on random graphs (networkx is a test dependency
only)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcore.cycles import simple_cycles, strongly_connected_components


def adjacency(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        succ[a].append(b)
    return succ


def rotated(cycle: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """The cycle starting at its lowest node, as riskcore.cycles reports it."""
    first = cycle.index(min(cycle))
    return tuple(cycle[first:]) + tuple(cycle[:first])


# 0 <-> 1, 0 -> 1 -> 2 -> 0, 2 -> 3 -> 4 -> 2, and 4 -> 4; 5 is outside every cycle.
SMALL = adjacency(6, [(0, 1), (1, 0), (1, 2), (2, 0), (2, 3), (3, 4), (4, 2), (4, 4), (4, 5)])


def test_small_graph_by_hand() -> None:
    assert list(simple_cycles(SMALL, 4)) == [(0, 1), (0, 1, 2), (2, 3, 4), (4,)]


def test_the_bound_counts_edges() -> None:
    assert sorted(simple_cycles(SMALL, 2)) == [(0, 1), (4,)]
    assert sorted(simple_cycles(SMALL, 1)) == [(4,)]
    # 0 -> 1 -> 2 -> 3 -> 4 -> 0 has five edges: found at 5, not at 4.
    ring = adjacency(5, [(i, (i + 1) % 5) for i in range(5)])
    assert list(simple_cycles(ring, 4)) == []
    assert list(simple_cycles(ring, 5)) == [(0, 1, 2, 3, 4)]


def test_each_cycle_once_from_its_lowest_node() -> None:
    # The complete graph on 4 nodes: 6 two-cycles, 8 three-cycles (4 triples x 2 directions),
    # 6 four-cycles ((4-1)! orders): 20 in all, each reported once.
    k4 = adjacency(4, [(a, b) for a in range(4) for b in range(4) if a != b])
    found = list(simple_cycles(k4, 4))
    assert len(found) == len(set(found)) == 20
    assert all(c[0] == min(c) for c in found)
    assert sorted(len(c) for c in found) == [2] * 6 + [3] * 8 + [4] * 6


def test_repeated_edges_count_once() -> None:
    assert list(simple_cycles([[1, 1, 1], [0, 0]], 4)) == [(0, 1)]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(simple_cycles(SMALL, 0))
    with pytest.raises(ValueError, match=r"node 0 has an edge to 7, outside 0\.\.1"):
        list(simple_cycles([[7], []], 3))
    with pytest.raises(ValueError, match="edge to -1"):
        strongly_connected_components([[-1]])


def test_components() -> None:
    found = sorted(strongly_connected_components(SMALL))
    assert found == [[0, 1, 2, 3, 4], [5]]
    assert strongly_connected_components([]) == []


def test_deep_graphs_need_no_recursion() -> None:
    # A 50,000-node ring: one component, far deeper than Python's recursion limit.
    n = 50_000
    ring = [[(i + 1) % n] for i in range(n)]
    assert [len(c) for c in strongly_connected_components(ring)] == [n]
    assert list(simple_cycles(ring, 4)) == []
    chain = [[i + 1] for i in range(n - 1)] + [[]]
    assert len(strongly_connected_components(chain)) == n


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(1, 9))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    return n, draw(st.lists(pairs, max_size=n * 4))


@settings(max_examples=150, deadline=None)
@given(graphs(), st.integers(1, 6))
def test_same_cycles_as_networkx(graph: tuple[int, list[tuple[int, int]]], bound: int) -> None:
    n, edges = graph
    ours = list(simple_cycles(adjacency(n, edges), bound))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    theirs = {rotated(c) for c in nx.simple_cycles(g, length_bound=bound)}
    assert len(ours) == len(set(ours))
    assert set(ours) == theirs
    assert {frozenset(c) for c in strongly_connected_components(adjacency(n, edges))} == {
        frozenset(c) for c in nx.strongly_connected_components(g)
    }
