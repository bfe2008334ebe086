"""How well scores separate events from non-events: AUC, its interval, the CAP curve.

Pure functions of (score, outcome) pairs, so tests can check every number by hand. A higher
score means more risk, so a good score puts the events (outcome 1) high.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

Z_95 = 1.959963984540054
"""The standard normal quantile of 0.975."""


def _psi(event: float, other: float) -> float:
    """1 when the event scores higher, 1/2 on a tie, 0 when lower."""
    return 1.0 if event > other else 0.5 if event == other else 0.0


def split(pairs: Sequence[tuple[float, int]]) -> tuple[list[float], list[float]]:
    """The scores of the events and of the non-events."""
    return [s for s, o in pairs if o == 1], [s for s, o in pairs if o == 0]


def auc(pairs: Sequence[tuple[float, int]]) -> float | None:
    """P(an event scores higher than a non-event), ties counted half; None without both."""
    events, others = split(pairs)
    if not events or not others:
        return None
    return math.fsum(_psi(e, o) for e in events for o in others) / (len(events) * len(others))


def auc_interval(pairs: Sequence[tuple[float, int]]) -> tuple[float, float] | None:
    """DeLong's 95% interval of the AUC, clipped to [0, 1]; None with fewer than 2 of a class.

    The variance is S10 / m + S01 / n, with S10 the sample variance over the m events of each
    event's share of non-events it outscores, and S01 likewise over the n non-events (DeLong,
    DeLong and Clarke-Pearson, 1988).
    """
    events, others = split(pairs)
    area = auc(pairs)
    if area is None or len(events) < 2 or len(others) < 2:
        return None
    v10 = [math.fsum(_psi(e, o) for o in others) / len(others) for e in events]
    v01 = [math.fsum(_psi(e, o) for e in events) / len(events) for o in others]
    spread = math.sqrt(_variance(v10) / len(events) + _variance(v01) / len(others))
    return max(0.0, area - Z_95 * spread), min(1.0, area + Z_95 * spread)


def _variance(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def cap_curve(pairs: Sequence[tuple[float, int]]) -> list[tuple[float, float]]:
    """The cumulative accuracy profile: (share of cases, share of events) from the riskiest.

    Cases are taken from the highest score down; tied scores are taken together, one straight
    step, so the area under the curve counts ties half, as the AUC does, and
    accuracy ratio = (area - 1/2) / (perfect area - 1/2) = 2 AUC - 1.
    """
    total = len(pairs)
    events = sum(o for _, o in pairs)
    if total == 0 or events == 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    points = [(0.0, 0.0)]
    taken = hit = 0
    for score in sorted({s for s, _ in pairs}, reverse=True):
        group = [o for s, o in pairs if s == score]
        taken += len(group)
        hit += sum(group)
        points.append((taken / total, hit / events))
    return points


def cap_area(points: Sequence[tuple[float, float]]) -> float:
    """The area under a CAP curve (trapezoids)."""
    return math.fsum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in itertools.pairwise(points))
