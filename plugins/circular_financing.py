"""Circular financing: commitment money that returns to the company's own investors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import Field

import riskcore

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    from numpy.typing import NDArray


class CircularFinancing(riskcore.Metric):
    """Share of the remaining commitment value paid to counterparties who also finance the company.

    A vendor that invests in its customer and is then paid under a commitment gets its money back
    as purchases: the same dollars go round, and the customer's spending rests on them. For each
    counterparty group g (names resolved through `counterparties` and their aliases):

        I_g = sum of financing amounts from investors in g, in the portfolio currency (rows with
              `conditional: true` count at conditional_weight, kind `backstop` at
              backstop_weight), plus the principal of `financials.debt` lent by g
        P_g = remaining commitment value owed to g (all remaining years)
        round trip_g = min(I_g, P_g)
        RT = sum_g round trip_g

        vendor_money_share = RT / (RT + max(0, M))                         (headline)
        circular_share = RT / total remaining commitment value
        vendor_funded_share = sum of I_g over groups with P_g > 0 / sum of all I_g

    M is the company's own means (context.means: cash, committed funding and revenue less
    operating costs over the engine's horizon_years). The headline asks how much of all the money
    that could pay the commitments, the company's own and the vendors' round trips, is the
    vendors' own: it weighs the round trip against what the company can pay, and it never rises
    when commitments shrink (circular_share can: it divides by them).

    Inputs: the financing rows (amount, currency, conditional, kind), the debt rows (lender,
    amount), the commitments' remaining values (estimated from capacity where no amount is
    given), the counterparty groups and the means.

    Assumptions: every financing row counts in full whatever its date, paid-in or promised; a
    loan from a vendor is its money coming back as purchases, as much as its equity is; a
    backstop (a vendor's promise to buy capacity the company cannot sell) is paid only in the
    bad case, so it counts at backstop_weight; a group's inflow can fund only what is still owed
    to it, so a vendor investing more than it is paid round-trips no more than its outflow.
    Commitments are counted at their remaining value, not only the horizon years.

    Score: vendor_money_share through the `points` map (default 0 -> 0, 5% -> 25, 15% -> 55,
    30% -> 80, 50% -> 100), interpolated linearly and clamped.

    Without financing rows or loans from vendors the metric scores 0 (whatever the points) with
    a warning: circular financing is assumed absent. With no commitment value left but debt
    service due, it scores 0 (no purchase for vendor money to come back as). Skipped when nothing
    is left to pay after as_of (no horizon).
    """

    name = "circular_financing"
    title = "Circular financing"
    default_weight = 0.20

    class Config(riskcore.MetricConfig):
        """Settings read from `[metrics.circular_financing]`."""

        conditional_weight: float = Field(
            default=1.0,
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="Weight of financing rows marked conditional (0 leaves them out).",
        )
        backstop_weight: float = Field(
            default=0.5,
            ge=0,
            le=1,
            allow_inf_nan=False,
            description="Weight of financing rows of kind backstop (paid only if unsold).",
        )
        points: riskcore.ScorePoints = Field(
            default_factory=lambda: [
                (0.0, 0.0),
                (0.05, 25.0),
                (0.15, 55.0),
                (0.30, 80.0),
                (0.50, 100.0),
            ],
            description="[vendor_money_share, score] points.",
        )

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        config = context.config_as(CircularFinancing.Config)
        context.require_horizon()
        total = context.total_value
        if total <= 0:
            if any(context.debt_service.values()):
                # Debt only: no purchase for a vendor's money to come back as.
                return riskcore.MetricResult(
                    score=0.0,
                    value=0.0,
                    unit="share",
                    summary="No commitment is left to pay, so no vendor's money can come back "
                    "as purchases; what the company owes is debt service.",
                    details={"round_trip_amount": 0.0, "total_value": 0.0},
                )
            raise riskcore.SkipMetric("no commitment value is left to pay")

        def money(amount: float) -> str:
            return riskcore.format_money(amount, context.currency)

        outflow_parts: dict[str, list[float]] = {}
        for c in portfolio.commitments:
            outflow_parts.setdefault(context.group_of(c.counterparty), []).append(context.value(c))
        inflow_parts: dict[str, list[float]] = {}
        for f in portfolio.financing:
            if f.kind == "backstop":
                weight = config.backstop_weight
            else:
                weight = config.conditional_weight if f.conditional else 1.0
            inflow_parts.setdefault(context.group_of(f.investor), []).append(
                context.financing_amount(f) * weight
            )
        lent = {g: v for g, v in context.debt_from().items() if outflow_parts.get(g)}
        for group, principal in lent.items():
            inflow_parts.setdefault(group, []).append(principal)
        outflow = {g: math.fsum(parts) for g, parts in outflow_parts.items()}
        inflow = {g: math.fsum(parts) for g, parts in inflow_parts.items()}

        matched = sorted(
            (
                (min(inflow[g], outflow[g]), g, inflow[g], outflow[g])
                for g in inflow
                if inflow[g] > 0 and outflow.get(g, 0.0) > 0
            ),
            key=lambda row: (-row[0], row[1]),
        )
        pairs = [
            {"counterparty": g, "inflow": i, "outflow": p, "round_trip": rt}
            for rt, g, i, p in matched
        ]
        round_trip = math.fsum(rt for rt, *_ in matched)
        share = round_trip / total
        means = context.means
        pool = round_trip + max(0.0, means)
        headline = round_trip / pool if pool > 0 else 0.0
        evidence = bool(portfolio.financing or lent)
        inflow_total = math.fsum(inflow.values())
        vendor_inflow = math.fsum(i for g, i in inflow.items() if outflow.get(g, 0.0) > 0)
        vendor_funded = vendor_inflow / inflow_total if inflow_total > 0 else None

        warnings: list[str] = []
        if not evidence:
            warnings.append(
                "the portfolio has no financing rows; circular financing is "
                "assumed absent (score 0)"
            )
            summary = (
                f"No financing rows are given, so none of the {money(total)} still to pay is "
                "counted as flowing back to an investor."
            )
        elif matched:
            top_trip, top_name, *_ = matched[0]
            summary = (
                f"{share:.1%} of the {money(total)} still to pay ({money(round_trip)}) goes back "
                "to vendors that finance the company, up to what each put in; that is "
                f"{headline:.1%} of the money that could pay, with the company's own means of "
                f"{money(means)}; the largest loop is {top_name} ({money(top_trip)})."
            )
        elif inflow_total <= 0:
            summary = (
                f"The financing rows count for nothing after conditional_weight "
                f"{config.conditional_weight:g}, so none of the {money(total)} still to pay "
                "flows back to an investor."
            )
        else:
            summary = (
                f"No investor is also paid under a commitment, so none of the {money(total)} "
                "still to pay flows back to an investor."
            )

        return riskcore.MetricResult(
            # No rows is no evidence of circularity, so 0 whatever the points say (see the warning).
            score=riskcore.score_from_points(config.points, headline) if evidence else 0.0,
            value=headline,
            unit="share",
            summary=summary,
            details={
                "vendor_money_share": headline,
                "circular_share": share,
                "round_trip_amount": round_trip,
                "means": means,
                "vendor_debt": math.fsum(lent.values()),
                "vendor_funded_share": vendor_funded,
                "pairs": pairs,
                "total_value": total,
                "financing_inflow": inflow_total,
                "vendor_inflow": vendor_inflow,
            },
            warnings=warnings,
        )

    def score_paths(
        self,
        portfolio: riskcore.Portfolio,
        context: riskcore.Context,
        revenue: NDArray[np.float64],
    ) -> riskcore.PathScores:
        """The score under each revenue path: the round trip does not move, the means do."""
        import numpy as np

        config = context.config_as(CircularFinancing.Config)
        result = self.score(portfolio, context)
        if result.score == 0 and not result.details["round_trip_amount"]:
            return riskcore.PathScores(score=np.zeros(revenue.shape[0]), values={})
        round_trip = float(result.details["round_trip_amount"])
        # share = round_trip / (round_trip + max(0, means)) where that is above 0, else 0;
        # in place, the same operations (an addition is the same either way round).
        pool = np.maximum(0.0, context.means_paths(revenue))
        pool += round_trip
        empty = ~(pool > 0)  # NaN too, as np.where(pool > 0, ...) treats it
        pool[empty] = 1.0
        share = np.divide(round_trip, pool, out=pool)
        share[empty] = 0.0
        return riskcore.PathScores(
            score=riskcore.scores_from_points(config.points, share),
            values={"vendor_money_share": share},
        )


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    register(CircularFinancing)
