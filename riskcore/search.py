"""Find where a yes/no test first turns true along a range: a grid scan, then bisection.

Values live on an integer lattice (thousandths, say) so a found point is exact and the same on
every machine. The test need not be monotone over the whole range: the scan walks the grid in
the given order and bisects only between the last point that failed and the first that passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def first_crossing(passes: Callable[[int], bool], start: int, grid: Sequence[int]) -> int | None:
    """The lattice point nearest `start` (in the grid's direction) at which `passes` holds.

    `start` is taken to fail. The grid is walked in order; at the first grid point that passes,
    the interval back to the previous point is bisected down to adjacent lattice points and the
    passing end is returned. None when no grid point passes.
    """
    previous = start
    for point in grid:
        if passes(point):
            failing, passing = previous, point
            while abs(passing - failing) > 1:
                mid = (failing + passing) // 2
                if passes(mid):
                    passing = mid
                else:
                    failing = mid
            return passing
        previous = point
    return None


def geometric_grid(lo: int, hi: int, steps: int) -> list[int]:
    """About `steps` lattice points from just above `lo` to `hi`, evenly spaced in log terms."""
    ratio = hi / lo
    points = sorted({round(lo * ratio ** (i / steps)) for i in range(1, steps + 1)})
    return [p for p in points if p > lo]
