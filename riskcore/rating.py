"""From metric scores to one rating: weighted aggregation, coverage, adjustments, grade margin.

Pure functions of numbers and the rating config, so tests can check every step by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from .config import Config, RatingConfig
from .report import AdjustmentEntry, Margin

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    from numpy.typing import NDArray

COVERAGE_EPS = 1e-9  # weights like 0.4 + 0.2 + 0.1 sum to 0.7000000000000001


class Aggregate(NamedTuple):
    """The weighted mean over the metrics with a score, and what it covered."""

    coverage: float
    score: float | None
    contributions: Mapping[str, float]


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights scaled to sum to 1 (the caller ensures the sum is positive)."""
    total = math.fsum(weights.values())
    return {name: w / total for name, w in weights.items()}


def aggregate(
    weights: Mapping[str, float], scores: Mapping[str, float | None], minimum: float
) -> Aggregate:
    """coverage = sum of weights of scored metrics; score = sum(w * s) / coverage.

    Below `minimum` coverage there is no score (the rating is NR) and every contribution is 0.
    A metric's contribution is w * s / coverage, so contributions sum to the score.
    """
    scored = {n: s for n, s in scores.items() if s is not None}
    coverage = math.fsum(weights[n] for n in scored)
    if not scored or coverage <= 0 or coverage < minimum - COVERAGE_EPS:
        return Aggregate(coverage, None, {n: 0.0 for n in weights})
    contributions = {
        n: (weights[n] * scored[n] / coverage if n in scored else 0.0) for n in weights
    }
    return Aggregate(coverage, math.fsum(contributions.values()), contributions)


def weakest_link_gap(worst: float, rating: RatingConfig) -> float:
    """How far below the worst metric's score the overall score may be.

    `weakest_link_gap` points, narrowing in proportion within `weakest_link_taper` points of
    100: gap * min(1, (100 - worst) / taper). A worst score of 100 leaves no gap at all, so
    commitments far beyond means are rated at the bottom whatever the other metrics say. The
    floor worst - gap still rises with the worst score.
    """
    if rating.weakest_link_taper <= 0:
        return rating.weakest_link_gap
    return rating.weakest_link_gap * min(1.0, (100.0 - worst) / rating.weakest_link_taper)


def adjust(
    score: float, scores: Mapping[str, float], rating: RatingConfig
) -> tuple[float, list[AdjustmentEntry]]:
    """Apply the configured adjustments in order; record each one that moves the score."""
    applied: list[AdjustmentEntry] = []
    for name in rating.adjustments:
        if name == "weakest_link" and scores:
            worst = max(sorted(scores), key=lambda n: scores[n])
            gap = weakest_link_gap(scores[worst], rating)
            floor = scores[worst] - gap
            if floor > score:
                applied.append(
                    AdjustmentEntry(
                        name="weakest_link",
                        reason=(
                            f"{worst} scores {scores[worst]:.1f}: the overall score may not be more "
                            f"than {gap:.3g} points better than the worst metric"
                        ),
                        score_before=score,
                        score_after=floor,
                    )
                )
                score = floor
    return score, applied


class Rated(NamedTuple):
    """`aggregate`, then `adjust` on its score: the final score (None: not rated) and why."""

    aggregate: Aggregate
    score: float | None
    adjustments: list[AdjustmentEntry]


def rate(
    weights: Mapping[str, float], scores: Mapping[str, float | None], rating: RatingConfig
) -> Rated:
    """The whole rule from metric scores to the final score, as the report and what-if use it."""
    agg = aggregate(weights, scores, rating.min_coverage)
    if agg.score is None:
        return Rated(agg, None, [])
    ok = {n: s for n, s in scores.items() if s is not None}
    score, adjustments = adjust(agg.score, ok, rating)
    return Rated(agg, score, adjustments)


def score_paths(
    weights: Mapping[str, float],
    scores: Mapping[str, NDArray[np.float64]],
    rating: RatingConfig,
) -> NDArray[np.float64] | None:
    """`aggregate` then `adjust`, path by path: one overall score per path (numpy).

    `scores` holds a per-path score array for each metric with a result (a held metric's
    array repeats its base score). None when their weight is below the minimum coverage.
    """
    import numpy as np

    coverage = math.fsum(weights[n] for n in scores)
    if not scores or coverage <= 0 or coverage < rating.min_coverage - COVERAGE_EPS:
        return None
    names = sorted(scores)
    # sum over metrics of weight x score, metric by metric in name order: the order numpy's
    # sum over the first axis of the stacked matrix takes, without stacking it.
    total = weights[names[0]] * scores[names[0]]
    worst = scores[names[0]].copy()
    term = np.empty_like(total)
    for n in names[1:]:
        np.multiply(scores[n], weights[n], out=term)
        total += term
        np.maximum(worst, scores[n], out=worst)
    total /= coverage
    score: NDArray[np.float64] = total
    for name in rating.adjustments:
        if name == "weakest_link":
            # gap = G * min(1, (100 - worst) / taper), then score = max(score, worst - gap):
            # in one buffer, the same operations (G * m and m * G are the same product).
            if rating.weakest_link_taper > 0:
                gap = np.subtract(100.0, worst)
                gap /= rating.weakest_link_taper
                np.minimum(1.0, gap, out=gap)
                gap *= rating.weakest_link_gap
            else:
                gap = np.full_like(worst, rating.weakest_link_gap)
            np.subtract(worst, gap, out=gap)
            score = np.maximum(score, gap, out=score)
    return score


def grade_index(score: NDArray[np.float64], rating: RatingConfig) -> NDArray[np.intp]:
    """The band of each score as an index into the scale (0 = best; upper bounds inclusive)."""
    import numpy as np

    maxes = np.array([band.max for band in rating.scale])
    index: NDArray[np.intp] = np.searchsorted(maxes, score, side="left")
    return np.minimum(index, len(maxes) - 1)


def margin(score: float | None, config: Config) -> Margin:
    """Points the score must fall to reach the better grade, and may rise before the worse one.

    Bands are upper-inclusive: a score in (lo, hi] needs to fall by score - lo to be better and
    is worse once it rises past hi. None at the ends of the scale and for NR.
    """
    if score is None:
        return Margin()
    scale = config.rating.scale
    band = config.grade_of(score)
    assert band is not None
    index = scale.index(band)
    to_better = score - scale[index - 1].max if index > 0 else None
    to_worse = band.max - score if index < len(scale) - 1 else None
    return Margin(to_better=to_better, to_worse=to_worse)
