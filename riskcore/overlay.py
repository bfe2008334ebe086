"""Scenario overlays on a portfolio: commitments scaled by status or cancelled, growth replaced.

Pure functions of a validated portfolio. The revenue multiplier is not here: it scales the
projection, so `schedule.build_book` applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .portfolio import Commitment, Portfolio


@dataclass(frozen=True)
class Overlay:
    """What one run changes in a portfolio before its book is built.

    `status_weights`: status -> weight multiplying a commitment's value and capacity (a status
    not listed keeps 1). `keep`: the share of every commitment kept (1 - the share cancelled).
    `revenue_growth`: replaces the portfolio's growth (years with a forecast keep it).
    """

    status_weights: Mapping[str, float] = field(default_factory=dict)
    keep: float = 1.0
    revenue_growth: float | None = None

    def factor(self, c: Commitment) -> float:
        """How much of commitment `c` this overlay keeps."""
        return self.status_weights.get(c.status, 1.0) * self.keep

    @property
    def is_identity(self) -> bool:
        return (
            self.keep == 1.0
            and self.revenue_growth is None
            and all(w == 1.0 for w in self.status_weights.values())
        )


def apply_overlay(portfolio: Portfolio, overlay: Overlay) -> Portfolio:
    """`portfolio` with the overlay applied; the same object when the overlay changes nothing.

    A commitment kept at factor f has its amount, schedule and capacity (GW and units)
    multiplied by f. The
    remaining obligations are linear in those, so they fall by exactly 1 - f: a pro-rata
    cancellation of what is left to pay (the total contract value reported falls alike).
    """
    if overlay.is_identity:
        return portfolio
    commitments = [_scaled(c, overlay.factor(c)) for c in portfolio.commitments]
    update: dict[str, object] = {"commitments": commitments}
    if overlay.revenue_growth is not None:
        update["financials"] = portfolio.financials.model_copy(
            update={"revenue_growth": overlay.revenue_growth}
        )
    return portfolio.model_copy(update=update)


def _scaled(c: Commitment, f: float) -> Commitment:
    if f == 1.0:
        return c
    return c.model_copy(
        update={
            "amount": None if c.amount is None else c.amount * f,
            "capacity_gw": None if c.capacity_gw is None else c.capacity_gw * f,
            "capacity_units": None if c.capacity_units is None else c.capacity_units * f,
            "schedule": None if c.schedule is None else {y: v * f for y, v in c.schedule.items()},
        }
    )
