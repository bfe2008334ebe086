"""The revenue coverage metric: can liquidity and revenue pay the commitments as they fall due?"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pydantic import Field

import riskcore

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    from numpy.typing import NDArray

_POINTS: tuple[tuple[float, float], ...] = (
    (2.0, 0.0),
    (1.5, 15.0),
    (1.0, 40.0),
    (0.75, 60.0),
    (0.5, 75.0),
    (0.25, 90.0),
    (0.1, 100.0),
)

# breakeven_growth searches g = (k - 9_900) / 10_000 for k = 0..109_900: -0.99 to 10 by 1e-4.
_GROWTH_STEPS = 10_000
_GROWTH_LOWEST = -9_900
_GROWTH_HIGHEST = 100_000


class RevenueCoverage(riskcore.Metric):
    """Can cash, committed funding and revenue pay the commitments and debt as they fall due?

    Formula, over the horizon years y (the as_of year to the last year with an obligation,
    capped at `engine.horizon_years`), with O_y the remaining obligations due in year y
    (commitments plus debt service: interest and principal of `financials.debt`), R_y the
    counted revenue (the as_of year only for its remaining months), L = cash +
    committed_funding, and A_y what revenue leaves to pay them: R_y - C_y where the portfolio
    gives `operating_costs` (C_y, counted alike; A_y may be negative, a cash burn), else
    s * R_y with s = `revenue_share_available`:

        funding_coverage = max(0, min over y with O_y > 0 of (L + sum_{t<=y} A_t) / sum_{t<=y} O_t)
        funding_gap      = max(0, max over y of sum_{t<=y} (O_t - A_t) - L)

    Sums run from the first horizon year. The funding gap is the money still to be found; it is
    zero exactly when funding_coverage >= 1. Also reported: commitment_multiple (total remaining
    commitment value / annual revenue), cumulative_coverage (sum R_y / sum O_y),
    min_annual_coverage and min_coverage_year (the lowest R_y / O_y, earliest year on ties), and
    breakeven_growth: the smallest constant annual growth g of `financials.revenue` (any forecast
    ignored), searched from -0.99 to 10 in steps of 0.0001, under which the funding gap is zero,
    with R_y(g) = revenue * (1 + g)^(y - as_of year) * months counted in y / 12 (operating
    costs, where given, stay as projected). It is None when even 10 (+1000% a year) leaves a
    gap. debt_service gives the interest and principal due by year.

    Inputs: the remaining obligations by year, the projected revenue (revenue_forecast where
    given, else grown at revenue_growth or the engine's default growth), cash and
    committed_funding.

    Assumptions: without operating costs, only the share s of revenue is free to pay for
    commitments, the rest running the business; operating costs given as one amount keep their
    ratio to the plan's revenue (not the scenario's: costs do not fall when revenue does); cash
    and committed funding are all available from the as_of date and earn nothing;
    money left over in one year carries to the next; nothing is refinanced.

    Score: funding_coverage mapped by `points` (default 2.0x -> 0, 1.5x -> 15, 1.0x -> 40,
    0.75x -> 60, 0.5x -> 75, 0.25x -> 90, 0.1x -> 100), interpolated linearly and clamped at both
    ends.

    Skipped when nothing is left to pay after the as_of date (no horizon), or when every
    remaining payment falls after the capped horizon.
    """

    name = "revenue_coverage"
    title = "Revenue coverage"
    default_weight = 0.40

    class Config(riskcore.MetricConfig):
        """Settings read from `[metrics.revenue_coverage]`."""

        revenue_share_available: float = Field(
            default=0.5,
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="Share of revenue that can pay for commitments.",
        )
        points: riskcore.ScorePoints = Field(
            default_factory=lambda: list(_POINTS),
            description="[funding_coverage, score] points, interpolated linearly.",
        )

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        """Score one portfolio's funding coverage."""
        config = context.config_as(RevenueCoverage.Config)
        years = context.require_horizon()
        fin = portfolio.financials
        share = config.revenue_share_available
        liquidity = math.fsum([fin.cash, fin.committed_funding])
        obligations = [context.obligations[y] for y in years]
        if not any(o > 0 for o in obligations):
            raise riskcore.SkipMetric(
                f"nothing falls due within the horizon {years[0]}-{years[-1]}: "
                "every remaining payment is later"
            )
        revenue = [context.counted_revenue[y] for y in years]
        costs = context.operating_costs
        cost = [costs[y] for y in years] if costs is not None else None
        cum_need = _running_sums(obligations)
        means = [r - c for r, c in zip(revenue, cost, strict=True)] if cost else None
        available = [
            liquidity + a for a in _running_sums(means if means else [share * r for r in revenue])
        ]

        # Coverage and gap come from the same two floats per year, so the gap is 0.0 exactly
        # when every coverage is >= 1.
        funding_gap = max(0.0, *(n - a for n, a in zip(cum_need, available, strict=True)))
        due = [i for i, o in enumerate(obligations) if o > 0]
        worst = min(due, key=lambda i: (available[i] / cum_need[i], i))
        # Below 0 the company burns more than it has: it can pay nothing, and 0 says so.
        funding_coverage = max(0.0, available[worst] / cum_need[worst])
        paying = means if means else revenue
        weakest = min(due, key=lambda i: (paying[i] / obligations[i], i))

        total = context.total_value
        multiple = total / fin.revenue
        breakeven = _breakeven_growth(
            fin.revenue,
            [(y - context.as_of.year, context.months_counted(y)) for y in years],
            cum_need,
            liquidity,
            1.0 if cost else share,
            cost or [0.0] * len(years),
        )
        service = context.debt_service
        interest = context.interest
        details: dict[str, object] = {
            "funding_coverage": funding_coverage,
            "funding_gap": funding_gap,
            "worst_year": years[worst],
            "commitment_multiple": multiple,
            "cumulative_coverage": math.fsum(paying) / math.fsum(obligations),
            "min_annual_coverage": paying[weakest] / obligations[weakest],
            "min_coverage_year": years[weakest],
            "breakeven_growth": breakeven,
            "liquidity": liquidity,
            "revenue_share_available": None if cost else share,
            "total_value": total,
            "horizon": [years[0], years[-1]],
        }
        if service and any(service.values()):
            details["debt_service"] = {str(y): service[y] for y in years}
            details["interest"] = {str(y): interest[y] for y in years}
        if cost:
            details["operating_costs"] = {str(y): c for y, c in zip(years, cost, strict=True)}
        return riskcore.MetricResult(
            score=riskcore.score_from_points(config.points, funding_coverage),
            value=funding_coverage,
            unit="x",
            summary=_summary(
                context.currency,
                liquidity=liquidity,
                share=None if cost else share,
                debt=bool(service and any(service.values())),
                coverage=funding_coverage,
                gap=funding_gap,
                worst_year=years[worst],
                breakeven=breakeven,
                total=total,
                multiple=multiple,
            ),
            details=details,
        )

    def score_paths(
        self,
        portfolio: riskcore.Portfolio,
        context: riskcore.Context,
        revenue: NDArray[np.float64],
    ) -> riskcore.PathScores:
        """funding_coverage, funding_gap and the score under each revenue path (numpy).

        The formula of `score`, row by row: counted revenue is each path's full-year revenue
        times the months counted / 12; liquidity and obligations do not depend on the path.
        """
        import numpy as np

        config = context.config_as(RevenueCoverage.Config)
        years = context.years
        fin = portfolio.financials
        liquidity = math.fsum([fin.cash, fin.committed_funding])
        obligations = [context.obligations[y] for y in years]
        cum_need = _running_sums(obligations)
        costs = context.operating_costs
        share = 1.0 if costs is not None else config.revenue_share_available
        paths = revenue.shape[0]
        # Year by year over whole columns (contiguous in the simulation's Fortran-order input).
        available = np.full(paths, liquidity)
        gap = np.zeros(paths)
        coverage = np.full(paths, np.inf)
        step = np.empty(paths)  # one buffer: each line below is the formula's, in place
        for j, y in enumerate(years):
            np.multiply(revenue[:, j], context.months_counted(y), out=step)
            step /= 12
            step *= share
            available += step  # available += share * (revenue * months / 12)
            if costs is not None:
                available -= costs[y]
            np.subtract(cum_need[j], available, out=step)
            np.maximum(gap, step, out=gap)
            if obligations[j] > 0:
                np.divide(available, cum_need[j], out=step)
                np.minimum(coverage, step, out=coverage)
        np.maximum(coverage, 0.0, out=coverage)
        return riskcore.PathScores(
            score=riskcore.scores_from_points(config.points, coverage),
            values={"funding_coverage": coverage, "funding_gap": gap},
        )


def _running_sums(values: Sequence[float]) -> list[float]:
    """Correctly rounded sums of values[0..i], so no rounding builds up along the horizon."""
    return [math.fsum(values[: i + 1]) for i in range(len(values))]


def _gap_is_closed(
    growth: float,
    base: float,
    periods: Sequence[tuple[int, int]],
    cum_need: Sequence[float],
    liquidity: float,
    share: float,
    costs: Sequence[float],
) -> bool:
    """True when revenue growing at `growth` from `base` leaves no cumulative shortfall.

    `periods` holds, per horizon year, (years after the as_of year, months counted); `costs`
    the operating costs counted in each (zeros without them).
    """
    scaled, rise = share * base, 1 + growth
    income: list[float] = []
    # Year by year, each year's running sum as _running_sums gives it: the first year short
    # stops it, before the later years' income is worked out.
    for (n, m), c, need in zip(periods, costs, cum_need, strict=True):
        income.append(scaled * rise**n * m / 12 - c)
        if not need - (liquidity + math.fsum(income)) <= 0:
            return False
    return True


def _breakeven_growth(
    base: float,
    periods: Sequence[tuple[int, int]],
    cum_need: Sequence[float],
    liquidity: float,
    share: float,
    costs: Sequence[float],
) -> float | None:
    """The smallest growth on the 1e-4 grid from -0.99 to 10 that closes the funding gap.

    The gap never grows with growth, so an integer bisection finds the first closed step.
    """

    def closed(k: int) -> bool:
        return _gap_is_closed(k / _GROWTH_STEPS, base, periods, cum_need, liquidity, share, costs)

    lo, hi = _GROWTH_LOWEST, _GROWTH_HIGHEST
    if closed(lo):
        return lo / _GROWTH_STEPS
    if not closed(hi):
        return None
    while hi - lo > 1:  # closed(hi) and not closed(lo)
        mid = (lo + hi) // 2
        if closed(mid):
            hi = mid
        else:
            lo = mid
    return round(hi / _GROWTH_STEPS, 4)


def _summary(
    currency: str,
    *,
    liquidity: float,
    share: float | None,
    debt: bool,
    coverage: float,
    gap: float,
    worst_year: int,
    breakeven: float | None,
    total: float,
    multiple: float,
) -> str:
    def money(amount: float) -> str:
        return riskcore.format_money(amount, currency)

    income = "revenue less operating costs" if share is None else f"{share:.0%} of revenue"
    means = f"{money(liquidity)} of cash and committed funding plus {income}"
    book = f"remaining commitments of {money(total)} are {multiple:.1f}x annual revenue"
    what = "the commitments and debt service" if debt else "the commitments"
    if gap == 0:
        return (
            f"{means} covers {what} as they fall due (at worst {coverage:.2f}x of what "
            f"is due through {worst_year}); {book}."
        )
    closing = (
        f"revenue growth of {breakeven:.1%} a year would close it"
        if breakeven is not None
        else "no revenue growth up to 1000% a year closes it"
    )
    return (
        f"{means} covers only {coverage:.2f}x of {what} due through {worst_year}, "
        f"leaving {money(gap)} to be found ({closing}); {book}."
    )


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    """Register the revenue coverage metric."""
    register(RevenueCoverage)
