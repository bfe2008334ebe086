"""The vendor concentration metric: how much of the commitment book rides on one counterparty?"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from pydantic import Field

import riskcore

_POINTS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (1000.0, 20.0),
    (1800.0, 45.0),
    (2500.0, 65.0),
    (5000.0, 85.0),
    (10000.0, 100.0),
)


class VendorConcentration(riskcore.Metric):
    """How concentrated is the remaining commitment value on a few counterparty groups?

    Formula: with v_g the remaining value owed to counterparty group g (names and aliases
    resolved case- and whitespace-insensitively, estimated amounts included) and
    s_g = v_g / sum v, over the groups with v_g > 0:

        hhi = 10000 * sum s_g^2        (the Herfindahl-Hirschman index: 10000 for one vendor)

    Also reported: effective_vendors = 1 / sum s_g^2 (the number of equal vendors with the same
    HHI), top1 (the largest group, ties broken by name) and top1_share, top3_share (the three
    largest shares added), vendors (groups with value left), shares by group (largest first,
    ties by name) and by_kind, the same HHI over commitment kinds (cloud, chips, ...).

    Inputs: every commitment's remaining value (all years, not only the horizon) in the
    portfolio currency, and the counterparties section for aliases.

    Assumptions: a group is one economic counterparty (AWS is Amazon); a vendor's risk scales with
    what is still owed to it, not with what was already paid.

    Score: hhi mapped by `points` (default 0 -> 0, 1000 -> 20, 1800 -> 45, 2500 -> 65,
    5000 -> 85, 10000 -> 100; 1000 and 1800 are the US merger guidelines' moderate and high
    concentration marks), interpolated linearly and clamped at both ends.

    Skipped when no commitment has anything left to pay after the as_of date.
    """

    name = "vendor_concentration"
    title = "Vendor concentration"
    default_weight = 0.20

    class Config(riskcore.MetricConfig):
        """Settings read from `[metrics.vendor_concentration]`."""

        points: riskcore.ScorePoints = Field(
            default_factory=lambda: list(_POINTS),
            description="[hhi, score] points, interpolated linearly.",
        )

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        """Score one portfolio's concentration on its counterparty groups."""
        config = context.config_as(VendorConcentration.Config)
        by_group = _totals(
            (context.group_of(c.counterparty), context.value(c)) for c in portfolio.commitments
        )
        if not by_group:
            raise riskcore.SkipMetric(
                f"nothing is left to pay after {context.as_of.isoformat()}: no commitment value"
            )
        by_kind = _totals((c.kind, context.value(c)) for c in portfolio.commitments)
        total = math.fsum(by_group.values())
        ranked = sorted(by_group, key=lambda g: (-by_group[g], g))
        shares = {g: by_group[g] / total for g in ranked}
        squares = _sum_of_squared_shares(by_group)
        hhi = 10000 * squares
        top1 = ranked[0]
        count = len(ranked)
        details: dict[str, object] = {
            "hhi": hhi,
            "top1": top1,
            "top1_share": shares[top1],
            "top3_share": math.fsum(shares[g] for g in ranked[:3]),
            "effective_vendors": 1 / squares,
            "vendors": count,
            "shares": shares,
            "by_kind": 10000 * _sum_of_squared_shares(by_kind),
            "total_value": total,
        }
        money = riskcore.format_money(total, context.currency)
        vendors = f"{count} counterparty group{'' if count == 1 else 's'}"
        return riskcore.MetricResult(
            score=riskcore.score_from_points(config.points, hhi),
            value=hhi,
            unit="HHI",
            summary=(
                f"{top1} is owed {shares[top1]:.0%} of the {money} left to pay across {vendors} "
                f"(HHI {hhi:,.0f}, as concentrated as {1 / squares:.1f} equal vendors)."
            ),
            details=details,
        )


def _totals(rows: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Key -> sum of its values, keeping only keys with value left; exact, so order-free."""
    parts: dict[str, list[float]] = {}
    for key, value in rows:
        parts.setdefault(key, []).append(value)
    totals = {key: math.fsum(values) for key, values in parts.items()}
    return {key: value for key, value in totals.items() if value > 0}


def _sum_of_squared_shares(totals: dict[str, float]) -> float:
    """Sum of (value / total)^2 over `totals` (all values above zero)."""
    whole = math.fsum(totals.values())
    return math.fsum((v / whole) * (v / whole) for v in totals.values())


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    """Register the vendor concentration metric."""
    register(VendorConcentration)
