"""The vendor concentration metric: how much of the commitment book rides on one counterparty?"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
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


class VendorConcentration(riskcore.Metric):
    """How concentrated is the remaining commitment value on a few counterparty groups?

    Formula: with v_g the remaining value owed to counterparty group g (names and aliases
    resolved case- and whitespace-insensitively, estimated amounts included) and
    s_g = v_g / sum v, over the groups with v_g > 0:

        hhi = 10000 * sum s_g^2        (the Herfindahl-Hirschman index: 10000 for one vendor)

    A commitment with counterparty_count N > 1 stands for N equal counterparties (2,000
    landlords): its value v is N groups of v / N of their own, adding N * (v / N / sum v)^2 to the
    sum, so such a row alone gives HHI 10000 / N.

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
    concentration marks), interpolated linearly and clamped at both ends, then multiplied by
    the engine's materiality (context.materiality, 0 to 1): dependence on one vendor matters in
    proportion to how much is at stake against what the company can pay.

    With no commitment value left but debt service due, it scores 0: a company that owes only
    its lenders depends on no vendor. Skipped when nothing at all is left to pay.
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
        single = [c for c in portfolio.commitments if c.counterparty_count == 1]
        pooled = [c for c in portfolio.commitments if c.counterparty_count > 1]
        by_group = _totals((context.group_of(c.counterparty), context.value(c)) for c in single)
        # An aggregated row is N parts of its own, under a key that names how many.
        by_pool = _totals(
            (
                f"{context.group_of(c.counterparty)} ({c.counterparty_count:,} counterparties)",
                context.value(c),
            )
            for c in pooled
        )
        parts = {
            key: count for key, count in _pool_counts(context, pooled).items() if key in by_pool
        }
        if not by_group and not by_pool:
            if any(context.debt_service.values()):
                # Debt only: the company depends on no vendor, which is no risk, not unknown.
                return riskcore.MetricResult(
                    score=0.0,
                    unit="HHI",
                    summary="No commitment is left to pay: the company depends on no vendor; "
                    "what it owes is debt service.",
                    details={"vendors": 0, "total_value": 0.0},
                )
            raise riskcore.SkipMetric(
                f"nothing is left to pay after {context.as_of.isoformat()}: no commitment value"
            )
        by_kind = _totals((c.kind, context.value(c)) for c in portfolio.commitments)
        total = math.fsum([*by_group.values(), *by_pool.values()])
        # Each counterparty's own amount: a group's whole value, a pooled row's value / N.
        each = dict(by_group)
        each |= {key: v / parts[key] for key, v in by_pool.items()}
        ranked = sorted(each, key=lambda g: (-each[g], g))
        whole = {**by_group, **by_pool}
        shares = {g: whole[g] / total for g in sorted(whole, key=lambda g: (-whole[g], g))}
        squares = math.fsum(
            [*((v / total) ** 2 for v in by_group.values())]
            + [(v / total) ** 2 / parts[key] for key, v in by_pool.items()]
        )
        hhi = 10000 * squares
        top1 = ranked[0]
        top1_share = each[top1] / total
        count = len(by_group) + sum(parts.values())
        materiality = context.materiality
        raw = riskcore.score_from_points(config.points, hhi)
        details: dict[str, object] = {
            "hhi": hhi,
            "top1": top1,
            "top1_share": top1_share,
            "top3_share": (
                _top3(by_group, by_pool, parts, total)
                if by_pool
                else math.fsum(each[g] / total for g in ranked[:3])
            ),
            "effective_vendors": 1 / squares,
            "vendors": count,
            "shares": shares,
            "by_kind": 10000 * _sum_of_squared_shares(by_kind),
            "total_value": total,
            "unscaled_score": raw,
            "materiality": materiality,
        }
        money = riskcore.format_money(total, context.currency)
        if by_pool:
            vendors = f"{count:,} counterpart{'y' if count == 1 else 'ies'}"
        else:
            vendors = f"{count} counterparty group{'' if count == 1 else 's'}"
        weighed = (
            ""
            if materiality >= 1
            else f"; weighed at materiality {materiality:.2f}, as the company's means cover "
            f"{_cover(context)} what falls due"
        )
        return riskcore.MetricResult(
            score=raw * materiality,
            value=hhi,
            unit="HHI",
            summary=(
                f"{top1} is owed {riskcore.format_share(top1_share)} of the {money} left to pay across {vendors} "
                f"(HHI {hhi:,.0f}, as concentrated as {1 / squares:.1f} equal vendors{weighed})."
            ),
            details=details,
        )

    def score_paths(
        self,
        portfolio: riskcore.Portfolio,
        context: riskcore.Context,
        revenue: NDArray[np.float64],
    ) -> riskcore.PathScores:
        """The score under each revenue path: the HHI does not move, materiality does."""
        details = self.score(portfolio, context).details
        raw = float(details["unscaled_score"])
        return riskcore.PathScores(score=raw * context.materiality_paths(revenue), values={})


def _pool_counts(context: riskcore.Context, pooled: list[riskcore.Commitment]) -> dict[str, int]:
    """Key -> counterparties it stands for: rows under one key add their counts."""
    counts: dict[str, int] = {}
    for c in pooled:
        key = f"{context.group_of(c.counterparty)} ({c.counterparty_count:,} counterparties)"
        counts[key] = counts.get(key, 0) + c.counterparty_count
    return counts


def _top3(
    by_group: dict[str, float], by_pool: dict[str, float], parts: dict[str, int], total: float
) -> float:
    """The three largest single counterparties' shares, a pooled row's parts counted one by one."""
    amounts = sorted(by_group.values(), reverse=True)[:3]
    for key, value in by_pool.items():
        amounts += [value / parts[key]] * min(3, parts[key])
    return math.fsum(sorted(amounts, reverse=True)[:3]) / total


def _cover(context: riskcore.Context) -> str:
    cover = context.means_cover
    return "nothing of" if cover is None else f"{cover:.1f}x"


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
