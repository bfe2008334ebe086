"""The grid-then-bisection search behind the reverse stress test."""

from __future__ import annotations

import itertools

from riskcore.search import first_crossing, geometric_grid


def test_bisects_to_the_exact_lattice_point() -> None:
    calls: list[int] = []

    def passes(k: int) -> bool:
        calls.append(k)
        return k >= 1234

    assert first_crossing(passes, 1000, range(1010, 2001, 10)) == 1234
    # 23 grid points to reach 1240, then bisection of (1230, 1240): 4 more calls at most.
    assert len(calls) <= 24 + 4


def test_walks_downwards_too() -> None:
    # The largest k in [0, 1000) below which... here: k <= 617 passes.
    assert first_crossing(lambda k: k <= 617, 1000, range(990, -1, -10)) == 617


def test_not_monotone_finds_the_first_window_on_the_grid() -> None:
    # True only in [503, 518]: the 10-step grid meets it at 510; bisection finds 503.
    assert first_crossing(lambda k: 503 <= k <= 518, 0, range(10, 1001, 10)) == 503


def test_nothing_passes() -> None:
    assert first_crossing(lambda k: False, 0, [10, 20, 30]) is None


def test_the_first_grid_point_passes() -> None:
    assert first_crossing(lambda k: k >= 1, 0, [10, 20]) == 1


def test_geometric_grid() -> None:
    grid = geometric_grid(1000, 100_000, 100)
    assert grid[-1] == 100_000
    assert grid[0] > 1000
    assert grid == sorted(set(grid))
    # Evenly spaced in log terms: each step is about 100^(1/100) = 4.7%.
    ratios = [b / a for a, b in itertools.pairwise(grid)]
    assert max(ratios) < 1.05
    assert min(ratios) > 1.04
