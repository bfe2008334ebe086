"""Customer concentration: how much of the revenue the company is owed rides on a few customers?"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import Field

import riskcore

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    from numpy.typing import NDArray

_POINTS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (1000.0, 20.0),
    (1800.0, 45.0),
    (2500.0, 65.0),
    (5000.0, 85.0),
    (10000.0, 100.0),
)


class CustomerConcentration(riskcore.Metric):
    """How concentrated is the contracted revenue owed to the company on a few customers?

    Formula: with v_g the remaining value of the `customers` contracts of customer group g
    (names and aliases resolved as for vendors; a contract's value falls evenly over its months,
    and only the months on or after as_of remain) and s_g = v_g / sum v:

        hhi          = 10000 * sum s_g^2      (a row with counterparty_count N counts as N
                                              equal customers: N * (s / N)^2)
        strong_share = sum of s_g over the groups rated at or above the strong grades
        score        = points(hhi) * (1 - strong_relief * strong_share) * materiality

    A customer's rating is riskcore's own where its portfolio is scored in the same run
    (`riskcore network`, or `Engine.score(..., ratings=...)`), else the `rating` the file gives
    (an agency's: AA- and Aa3 count as AA). Also reported: top1 and top1_share, customers (groups
    with value left), shares, rated (the grade used for each rated group and where it came
    from), total_value.

    Inputs: the `customers` rows (amount, currency, start, term, rating), the counterparty
    groups, the engine's materiality.

    Assumptions: a customer's risk scales with what it still owes; a highly rated customer is
    less likely to walk away, so its share weighs less (strong_relief); the risk matters in
    proportion to how much is at stake against what the company can pay (materiality), as for
    the vendors.

    Score: hhi through `points` (default the vendor metric's: 1000 -> 20, 1800 -> 45, 2500 ->
    65, 5000 -> 85, 10000 -> 100), then the relief and materiality.

    Skipped when the portfolio lists no customers, or none still owes anything after as_of.
    """

    name = "customer_concentration"
    title = "Customer concentration"
    default_weight = 0.10

    class Config(riskcore.MetricConfig):
        """Settings read from `[metrics.customer_concentration]`."""

        strong_grades: list[str] = Field(
            default_factory=lambda: ["AAA", "AA", "A"],
            description="Grades that count as highly rated.",
        )
        strong_relief: float = Field(
            default=0.5,
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="How much a book owed wholly by highly rated customers scores less.",
        )
        points: riskcore.ScorePoints = Field(
            default_factory=lambda: list(_POINTS),
            description="[hhi, score] points, interpolated linearly.",
        )

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        """Score one portfolio's concentration on its customers."""
        config = context.config_as(CustomerConcentration.Config)
        if not context.customers:
            raise riskcore.SkipMetric("no customers are listed: nothing to measure")
        parts: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        for customer, value in context.customers:
            group = context.group_of(customer.counterparty)
            if customer.counterparty_count > 1:
                # N equal customers of their own, under a key that says how many.
                group = f"{group} ({customer.counterparty_count:,} customers)"
                counts[group] = counts.get(group, 0) + customer.counterparty_count
            parts.setdefault(group, []).append(value)
        by_group = {g: math.fsum(v) for g, v in parts.items()}
        by_group = {g: v for g, v in by_group.items() if v > 0}
        if not by_group:
            raise riskcore.SkipMetric(
                f"no customer owes anything after {context.as_of.isoformat()}: nothing to measure"
            )
        total = math.fsum(by_group.values())
        # Each customer's own amount: a group's whole value, a pooled row's value / N.
        each = {g: v / counts.get(g, 1) for g, v in by_group.items()}
        ranked = sorted(by_group, key=lambda g: (-each[g], g))
        shares = {g: by_group[g] / total for g in sorted(by_group, key=lambda g: (-by_group[g], g))}
        hhi = 10000 * math.fsum(s * s / counts.get(g, 1) for g, s in shares.items())
        rated = _ratings(portfolio, context)
        strong = set(config.strong_grades)
        strong_share = math.fsum(
            shares[g] for g in ranked if g in rated and rated[g]["grade"] in strong
        )
        materiality = context.materiality
        raw = riskcore.score_from_points(config.points, hhi)
        relief = 1.0 - config.strong_relief * strong_share
        top1 = ranked[0]
        top1_share = each[top1] / total
        money = riskcore.format_money(total, context.currency)
        count = len(ranked) - len(counts) + sum(counts.values())
        weighed = "" if materiality >= 1 else f"; weighed at materiality {materiality:.2f}"
        return riskcore.MetricResult(
            score=raw * relief * materiality,
            value=hhi,
            unit="HHI",
            summary=(
                f"{top1} owes {riskcore.format_share(top1_share)} of the {money} of contracted revenue left across "
                f"{count:,} customer{'' if count == 1 else 's'} (HHI {hhi:,.0f}); "
                f"{riskcore.format_share(strong_share)} is owed by highly rated customers{weighed}."
            ),
            details={
                "hhi": hhi,
                "top1": top1,
                "top1_share": top1_share,
                "customers": count,
                "shares": shares,
                "strong_share": strong_share,
                "rated": {g: rated[g] for g in sorted(rated) if g in by_group},
                "total_value": total,
                "unscaled_score": raw,
                "materiality": materiality,
            },
        )

    def score_paths(
        self,
        portfolio: riskcore.Portfolio,
        context: riskcore.Context,
        revenue: NDArray[np.float64],
    ) -> riskcore.PathScores:
        """The score under each revenue path: the shares do not move, materiality does."""
        config = context.config_as(CustomerConcentration.Config)
        details = self.score(portfolio, context).details
        raw = float(details["unscaled_score"])
        relief = 1.0 - config.strong_relief * float(details["strong_share"])
        return riskcore.PathScores(
            score=raw * relief * context.materiality_paths(revenue), values={}
        )


def _ratings(portfolio: riskcore.Portfolio, context: riskcore.Context) -> dict[str, dict[str, str]]:
    """Group -> the grade used and its origin: riskcore's in this run first, else the file's."""
    out: dict[str, dict[str, str]] = {}
    for customer in sorted(portfolio.customers, key=lambda c: (c.counterparty, c.rating or "")):
        group = context.group_of(customer.counterparty)
        found = context.rating_of(customer.counterparty)
        if found is not None:
            out[group] = {"grade": found, "from": "riskcore"}
        elif customer.rating is not None and out.get(group, {}).get("from") != "riskcore":
            out.setdefault(
                group, {"grade": riskcore.rating_grade(customer.rating), "from": customer.rating}
            )
    return out


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    """Register the customer concentration metric."""
    register(CustomerConcentration)
