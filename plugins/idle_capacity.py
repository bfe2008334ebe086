"""Idle capacity: the share of payments for capacity that buys capacity the business cannot use."""

from __future__ import annotations

import math
from collections.abc import Callable
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

    Capacity in other units (desks, data-centre halls: `capacity_units`, on a lease or any
    kind) is measured the same way, on its own: S_y = R_y / revenue_per_unit (a setting with no
    default, since a desk and a hall earn different sums; without it such rows are left out
    with a warning). A row that states capacity_gw is measured in GW only. The stranded values
    of both measures add up, over the obligations of both.

    Inputs: capacity_gw or capacity_units, start and term of each commitment, their remaining
    obligations by year (estimated from capacity where no amount is given), projected revenue
    and demand_gw.

    Assumptions: revenue_per_gw of revenue keeps one GW busy for a year (revenue_per_unit one
    unit); capacity beyond what revenue or stated demand supports is idle, and that share of the
    year's payments for capacity is stranded. Commitments without capacity are left out: the
    share of the book they hold shows as capacity_coverage below 1. With both measures, each
    is set against all of revenue (they are different businesses).

    Score: stranded_share through the `points` map (default 0 -> 0, 10% -> 25, 25% -> 50,
    50% -> 80, 75% -> 100), interpolated linearly and clamped, then multiplied by the engine's
    materiality (context.materiality): idle capacity matters in proportion to how much is at
    stake against what the company can pay.

    Skipped when nothing is left to pay after as_of (no horizon), when no commitment states
    capacity (or only capacity_units with no revenue_per_unit set), or when those that do have
    nothing due in the horizon.
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
        revenue_per_unit: riskcore.Money | None = Field(
            default=None,
            gt=0,
            description="Revenue one unit-year of capacity_units supports (a desk, a hall).",
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
        gw_rows, unit_rows, unmeasured = _carriers(portfolio, config)
        warnings = (
            [
                f"{unmeasured} commitment(s) state capacity_units but [metrics.idle_capacity] "
                "sets no revenue_per_unit: their capacity is not measured"
            ]
            if unmeasured
            else []
        )
        if not gw_rows and not unit_rows:
            raise riskcore.SkipMetric(
                "no commitment states capacity_gw"
                + (" (capacity_units need revenue_per_unit in the config)" if unmeasured else "")
                + ": nothing to measure"
            )
        carriers = gw_rows + unit_rows
        due = [context.obligations_of(c) for c in carriers]
        if math.fsum(d[y] for d in due for y in years) <= 0:
            raise riskcore.SkipMetric(
                f"the commitments that state capacity have nothing due in {span}"
            )

        demand = portfolio.financials.demand_gw
        rows: list[_Year] = []
        for y, contracted, obligations in (
            _capacity_by_year(gw_rows, _gw, context, config) if gw_rows else []
        ):
            if y in demand:
                supportable, basis = demand[y], "demand_gw"
            else:
                supportable, basis = context.revenue[y] / config.revenue_per_gw, "revenue"
            idle = max(0.0, 1.0 - supportable / contracted) if contracted > 0 else 0.0
            rows.append(_Year(y, contracted, supportable, basis, idle, obligations))
        unit_years: list[_Year] = []
        if unit_rows:
            assert config.revenue_per_unit is not None
            for y, contracted, obligations in _capacity_by_year(unit_rows, _units, context, config):
                supportable = context.revenue[y] / config.revenue_per_unit
                idle = max(0.0, 1.0 - supportable / contracted) if contracted > 0 else 0.0
                unit_years.append(_Year(y, contracted, supportable, "revenue", idle, obligations))

        measured = rows + unit_years
        stranded = math.fsum(r.idle * r.obligations for r in measured)
        owed = math.fsum(r.obligations for r in measured)
        share = stranded / owed
        online_rows = [r for r in rows if r.contracted > 0] + [
            r for r in unit_years if r.contracted > 0
        ]
        # max() keeps the first of equal items and rows run in year order: earliest year on ties.
        peak = max(online_rows, key=lambda r: r.idle) if online_rows else None
        total = context.total_value
        coverage = math.fsum(context.value(c) for c in carriers) / total if total > 0 else None
        materiality = context.materiality

        def money(amount: float) -> str:
            return riskcore.format_money(amount, context.currency)

        basis_text = _basis(
            {r.basis for r in rows} | ({"units"} if unit_years else set()),
            money(config.revenue_per_gw),
        )
        if peak is not None and peak.idle > 0:
            unit = "GW" if peak in rows else "units"
            summary = (
                f"{share:.1%} of the {money(owed)} due in {span} on commitments that state "
                f"capacity ({money(stranded)}) pays for capacity beyond what {basis_text} can "
                f"use; the worst year is {peak.year}, {peak.idle:.1%} idle "
                f"({_amount(peak.contracted, unit)} contracted, {_amount(peak.supportable, unit)} usable)."
            )
        else:
            summary = (
                f"{basis_text[0].upper()}{basis_text[1:]} can use all contracted capacity in "
                f"every year of {span}: none of the {money(owed)} due on commitments that state "
                "capacity is stranded."
            )
        raw = riskcore.score_from_points(config.points, share)
        details: dict[str, object] = {
            "stranded_share": share,
            "stranded_value": stranded,
            "capacity_obligations": owed,
            "peak_idle_share": peak.idle if peak is not None else 0.0,
            "peak_idle_year": peak.year if peak is not None else None,
            "contracted_gw_peak": max((r.contracted for r in rows), default=0.0),
            "capacity_coverage": coverage,
            "by_year": [_year_row(r, "gw") for r in rows] if gw_rows else [],
        }
        if unit_years:
            details["contracted_units_peak"] = max(r.contracted for r in unit_years)
            details["by_year_units"] = [_year_row(r, "units") for r in unit_years]
        if materiality < 1:
            summary = summary[:-1] + f"; weighed at materiality {materiality:.2f}."
        details["unscaled_score"] = raw
        details["materiality"] = materiality
        return riskcore.MetricResult(
            score=raw * materiality,
            value=share,
            unit="share",
            summary=summary,
            details=details,
            warnings=warnings,
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
        gw_rows, unit_rows, _ = _carriers(portfolio, config)
        demand = portfolio.financials.demand_gw
        stranded = np.zeros(revenue.shape[0])
        idle = np.empty(revenue.shape[0])  # one buffer for every year's idle share
        owed_all: list[float] = []
        measures = [(gw_rows, _gw, config.revenue_per_gw, True)]
        if unit_rows and config.revenue_per_unit is not None:
            measures.append((unit_rows, _units, config.revenue_per_unit, False))
        for rows, capacity, per_unit, gw in measures:
            by_year = _capacity_by_year(rows, capacity, context, config)
            owed_all += [o for _, _, o in by_year]
            for j, (y, contracted, owed) in enumerate(by_year):
                if contracted <= 0 or owed == 0:
                    continue  # nothing online is never idle; nothing owed strands nothing
                if gw and y in demand:
                    stranded += max(0.0, 1.0 - demand[y] / contracted) * owed
                else:
                    # max(0, 1 - (revenue / per_unit) / contracted) * owed, in place
                    np.divide(revenue[:, j], per_unit, out=idle)
                    idle /= contracted
                    np.subtract(1.0, idle, out=idle)
                    np.maximum(0.0, idle, out=idle)
                    idle *= owed
                    stranded += idle
        share = stranded / math.fsum(owed_all)
        raw = riskcore.scores_from_points(config.points, share)
        return riskcore.PathScores(
            score=raw * context.materiality_paths(revenue),
            values={"stranded_share": share},
        )


def _gw(c: riskcore.Commitment) -> float:
    return c.capacity_gw or 0.0


def _units(c: riskcore.Commitment) -> float:
    return c.capacity_units or 0.0


def _carriers(
    portfolio: riskcore.Portfolio, config: IdleCapacity.Config
) -> tuple[list[riskcore.Commitment], list[riskcore.Commitment], int]:
    """Rows measured in GW, rows measured in units, and unit rows left unmeasured."""
    gw_rows = [c for c in portfolio.commitments if c.capacity_gw]
    units = [c for c in portfolio.commitments if not c.capacity_gw and c.capacity_units]
    if config.revenue_per_unit is None:
        return gw_rows, [], len(units)
    return gw_rows, units, 0


def _capacity_by_year(
    carriers: list[riskcore.Commitment],
    capacity: Callable[[riskcore.Commitment], float],
    context: riskcore.Context,
    config: IdleCapacity.Config,
) -> list[tuple[int, float, float]]:
    """(year, average capacity online, obligations due on the carriers) for each horizon year."""
    ramp_months = 12 * config.ramp_years
    due = [context.obligations_of(c) for c in carriers]
    # (capacity, first month, last month) per carrier, read once: _online runs per month.
    terms = [(capacity(c), context.term_of(c).first, context.term_of(c).last) for c in carriers]
    out: list[tuple[int, float, float]] = []
    for y in context.years:
        counted = context.months_counted(y)
        lo, hi = (y + 1) * 12 - counted, y * 12 + 11
        contracted = math.fsum(_online(terms, lo, hi, ramp_months)) / counted
        out.append((y, contracted, math.fsum(d[y] for d in due)))
    return out


def _year_row(r: _Year, unit: str) -> dict[str, object]:
    return {
        "year": r.year,
        f"contracted_{unit}": r.contracted,
        f"supportable_{unit}": r.supportable,
        "supportable_from": r.basis,
        "idle_share": r.idle,
        "obligations": r.obligations,
        "stranded": r.idle * r.obligations,
    }


def _amount(value: float, unit: str) -> str:
    return f"{value:.1f} GW" if unit == "GW" else f"{value:,.0f} units"


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
    if sources == {"units"}:
        return "projected revenue"
    sources = sources - {"units"}
    if sources == {"demand_gw"}:
        return "stated demand"
    if sources == {"revenue"}:
        return revenue
    return f"stated demand or {revenue}"


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    register(IdleCapacity)
