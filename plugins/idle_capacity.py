"""Idle capacity: the share of payments for capacity that buys capacity the business cannot use."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple

from pydantic import Field

import riskcore

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    from numpy.typing import NDArray


class IdleCapacity(riskcore.Metric):
    """Share of the payments for stated capacity that buys capacity the business cannot use.

    Contracted capacity comes online linearly over ramp_years from each commitment's start month
    and stays for its term. In month k of its term (k = 1 in the start month) a commitment has
    capacity_gw x min(1, k / (12 x ramp_years)) GW online (all of it when ramp_years is 0). For
    each horizon year y:

        C_y = average online GW over the months of y on or after the as_of month
        S_y = demand_gw[y] where the portfolio gives it, else R_y / revenue_per_gw
              (R_y: projected full-year revenue)
        idle_y = max(0, 1 - S_y / C_y) where C_y > 0, else 0
        K_y = remaining obligations due in y on the commitments that state capacity_gw

        stranded_value = sum_y idle_y x K_y
        stranded_share = stranded_value / sum_y K_y   (headline)

    Inputs: capacity_gw, start and term of each commitment, their remaining obligations by year
    (estimated from capacity where no amount is given), projected revenue and demand_gw.

    Assumptions: revenue_per_gw of revenue keeps one GW busy for a year; capacity beyond what
    revenue or stated demand supports is idle, and that share of the year's payments for
    capacity is stranded. Commitments without capacity_gw (or with 0) are left out: the share of
    the book they hold shows as capacity_coverage below 1.

    Score: stranded_share through the `points` map (default 0 -> 0, 10% -> 25, 25% -> 50,
    50% -> 80, 75% -> 100), interpolated linearly and clamped.

    Skipped when nothing is left to pay after as_of (no horizon), when no commitment states
    capacity_gw, or when those that do have nothing due in the horizon.
    """

    name = "idle_capacity"
    title = "Idle capacity"
    default_weight = 0.20

    class Config(riskcore.MetricConfig):
        """Settings read from `[metrics.idle_capacity]`."""

        ramp_years: float = Field(
            default=2.0,
            ge=0,
            allow_inf_nan=False,
            description="Years for contracted capacity to come fully online (0: at once).",
        )
        revenue_per_gw: riskcore.Money = Field(
            default=8e9, gt=0, description="Revenue one GW-year of capacity supports."
        )
        points: riskcore.ScorePoints = Field(
            default_factory=lambda: [
                (0.0, 0.0),
                (0.10, 25.0),
                (0.25, 50.0),
                (0.50, 80.0),
                (0.75, 100.0),
            ],
            description="[stranded_share, score] points.",
        )

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        config = context.config_as(IdleCapacity.Config)
        years = context.require_horizon()
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        carriers = [c for c in portfolio.commitments if c.capacity_gw]
        if not carriers:
            raise riskcore.SkipMetric("no commitment states capacity_gw: nothing to measure")
        due = [context.obligations_of(c) for c in carriers]
        if math.fsum(d[y] for d in due for y in years) <= 0:
            raise riskcore.SkipMetric(
                f"the commitments that state capacity_gw have nothing due in {span}"
            )

        demand = portfolio.financials.demand_gw
        rows: list[_Year] = []
        for y, contracted, obligations in _capacity_by_year(carriers, due, context, config):
            if y in demand:
                supportable, basis = demand[y], "demand_gw"
            else:
                supportable, basis = context.revenue[y] / config.revenue_per_gw, "revenue"
            idle = max(0.0, 1.0 - supportable / contracted) if contracted > 0 else 0.0
            rows.append(_Year(y, contracted, supportable, basis, idle, obligations))

        stranded = math.fsum(r.idle * r.obligations for r in rows)
        owed = math.fsum(r.obligations for r in rows)
        share = stranded / owed
        online_rows = [r for r in rows if r.contracted > 0]
        # max() keeps the first of equal items and rows run in year order: earliest year on ties.
        peak = max(online_rows, key=lambda r: r.idle) if online_rows else None
        total = context.total_value
        coverage = math.fsum(context.value(c) for c in carriers) / total if total > 0 else None

        def money(amount: float) -> str:
            return riskcore.format_money(amount, context.currency)

        basis_text = _basis({r.basis for r in rows}, money(config.revenue_per_gw))
        if peak is not None and peak.idle > 0:
            summary = (
                f"{share:.1%} of the {money(owed)} due in {span} on commitments that state "
                f"capacity ({money(stranded)}) pays for capacity beyond what {basis_text} can "
                f"use; the worst year is {peak.year}, {peak.idle:.1%} idle "
                f"({peak.contracted:.1f} GW contracted, {peak.supportable:.1f} GW usable)."
            )
        else:
            summary = (
                f"{basis_text[0].upper()}{basis_text[1:]} can use all contracted capacity in "
                f"every year of {span}: none of the {money(owed)} due on commitments that state "
                "capacity is stranded."
            )

        return riskcore.MetricResult(
            score=riskcore.score_from_points(config.points, share),
            value=share,
            unit="share",
            summary=summary,
            details={
                "stranded_share": share,
                "stranded_value": stranded,
                "capacity_obligations": owed,
                "peak_idle_share": peak.idle if peak is not None else 0.0,
                "peak_idle_year": peak.year if peak is not None else None,
                "contracted_gw_peak": max(r.contracted for r in rows),
                "capacity_coverage": coverage,
                "by_year": [
                    {
                        "year": r.year,
                        "contracted_gw": r.contracted,
                        "supportable_gw": r.supportable,
                        "supportable_from": r.basis,
                        "idle_share": r.idle,
                        "obligations": r.obligations,
                        "stranded": r.idle * r.obligations,
                    }
                    for r in rows
                ],
            },
        )

    def score_paths(
        self,
        portfolio: riskcore.Portfolio,
        context: riskcore.Context,
        revenue: NDArray[np.float64],
    ) -> riskcore.PathScores:
        """stranded_share and the score under each revenue path (numpy; the formula of `score`).

        Contracted capacity and obligations do not depend on revenue; a year with stated
        demand_gw keeps it on every path.
        """
        import numpy as np

        config = context.config_as(IdleCapacity.Config)
        carriers = [c for c in portfolio.commitments if c.capacity_gw]
        due = [context.obligations_of(c) for c in carriers]
        by_year = _capacity_by_year(carriers, due, context, config)
        demand = portfolio.financials.demand_gw
        stranded = np.zeros(revenue.shape[0])
        for j, (y, contracted, owed) in enumerate(by_year):
            if contracted <= 0 or owed == 0:
                continue  # nothing online is never idle; nothing owed strands nothing
            if y in demand:
                stranded += max(0.0, 1.0 - demand[y] / contracted) * owed
            else:
                supportable = revenue[:, j] / config.revenue_per_gw
                stranded += np.maximum(0.0, 1.0 - supportable / contracted) * owed
        share = stranded / math.fsum(o for _, _, o in by_year)
        return riskcore.PathScores(
            score=riskcore.scores_from_points(config.points, share),
            values={"stranded_share": share},
        )


def _capacity_by_year(
    carriers: list[riskcore.Commitment],
    due: list[Mapping[int, float]],
    context: riskcore.Context,
    config: IdleCapacity.Config,
) -> list[tuple[int, float, float]]:
    """(year, average GW online, obligations due on the carriers) for each horizon year."""
    ramp_months = 12 * config.ramp_years
    # (gw, first month, last month) per carrier, read once: _online runs per month.
    terms = [
        (c.capacity_gw or 0.0, context.term_of(c).first, context.term_of(c).last) for c in carriers
    ]
    out: list[tuple[int, float, float]] = []
    for y in context.years:
        counted = context.months_counted(y)
        lo, hi = (y + 1) * 12 - counted, y * 12 + 11
        contracted = math.fsum(_online(terms, lo, hi, ramp_months)) / counted
        out.append((y, contracted, math.fsum(d[y] for d in due)))
    return out


def _online(
    terms: list[tuple[float, int, int]], lo: int, hi: int, ramp_months: float
) -> list[float]:
    """GW online in each month from `lo` to `hi` of each (gw, first, last) term.

    Month m of a term has gw * min(1, (m - first + 1) / ramp_months) online (gw when
    ramp_months is 0). The share only grows, and once it reaches 1 every later month has
    exactly gw, so those months are repeated rather than computed.
    """
    online: list[float] = []
    for gw, first, last in terms:
        month, stop = max(lo, first), min(hi, last)
        if ramp_months > 0:
            while month <= stop:
                share = (month - first + 1) / ramp_months
                if share >= 1.0:
                    break
                online.append(gw * share)
                month += 1
        if month <= stop:
            online.extend(repeat(gw, stop - month + 1))
    return online


class _Year(NamedTuple):
    """One horizon year's numbers."""

    year: int
    contracted: float
    supportable: float
    basis: str
    idle: float
    obligations: float


def _basis(sources: set[str], per_gw: str) -> str:
    """What the supportable capacity rests on, in words."""
    revenue = f"projected revenue (at {per_gw} per GW-year)"
    if sources == {"demand_gw"}:
        return "stated demand"
    if sources == {"revenue"}:
        return revenue
    return f"stated demand or {revenue}"


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    register(IdleCapacity)
