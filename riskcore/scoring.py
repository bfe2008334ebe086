"""Piecewise-linear score maps: how a metric's headline value becomes a 0-100 risk score."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    from numpy.typing import NDArray


def score_from_points(points: Sequence[tuple[float, float]], value: float) -> float:
    """Interpolate `value` linearly between (value, score) points, clamped at both ends.

    Points may come in any order; they are sorted by value. Below the smallest value the score
    is that point's score, above the largest that point's score.
    """
    pts = sorted(points)
    if math.isnan(value):
        raise ValueError("cannot score NaN")
    if value <= pts[0][0]:
        return float(pts[0][1])
    if value >= pts[-1][0]:
        return float(pts[-1][1])
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x0 <= value <= x1:
            return float(y0 + (y1 - y0) * (value - x0) / (x1 - x0))
    raise AssertionError("unreachable")  # pragma: no cover


def scores_from_points(
    points: Sequence[tuple[float, float]], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """`score_from_points` of every element of `values` at once (numpy; same rules)."""
    import numpy as np

    pts = sorted(points)
    if np.isnan(values).any():
        raise ValueError("cannot score NaN")
    xs = np.array([x for x, _ in pts], dtype=np.float64)
    ys = np.array([y for _, y in pts], dtype=np.float64)
    return np.interp(values, xs, ys)


def _check_points(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(points) < 2:
        raise ValueError("give at least two [value, score] points")
    xs = [x for x, _ in points]
    if len(set(xs)) != len(xs):
        raise ValueError("two points have the same value")
    for x, y in points:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError("points must be finite numbers")
        if not 0 <= y <= 100:
            raise ValueError(f"score {y:g} is outside 0..100")
    return points


ScorePoints = Annotated[list[tuple[float, float]], AfterValidator(_check_points)]
"""A validated list of [value, score] points for `score_from_points`."""
