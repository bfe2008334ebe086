"""riskcore-debt-wall: a third-party riskcore metric for the debt maturity wall.

The company's debt principal falling due by calendar year goes in the portfolio's
`extensions.debt_wall` section; the metric weighs the worst few years of it against the revenue
and cash there are to meet it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import riskcore

__version__ = "0.1.0"

__all__ = ["DebtWall", "DebtWallSection", "SectionError", "riskcore_register_metrics"]

SECTION = "debt_wall"
"""The key of this plugin's section in the portfolio's `extensions`."""

_POINTS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (0.25, 20.0),
    (0.5, 45.0),
    (1.0, 70.0),
    (2.0, 90.0),
    (4.0, 100.0),
)

Year = Annotated[int, Field(ge=1900, le=2200)]


class DebtWallSection(BaseModel):
    """The `extensions.debt_wall` section of a portfolio."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    maturities: dict[Year, riskcore.Money] = Field(
        description="Debt principal due by calendar year, in the portfolio currency."
    )
    refinancing_share: float = Field(
        0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Share of each maturity expected to be refinanced rather than repaid.",
    )


class SectionError(ValueError):
    """An `extensions.debt_wall` section that does not validate; one line, naming each field."""


def read_section(extensions: Mapping[str, object]) -> DebtWallSection | None:
    """The validated section, None when it is absent; SectionError when it is invalid."""
    raw = extensions.get(SECTION)
    if raw is None:
        return None
    try:
        return DebtWallSection.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{_location(err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors(include_url=False)
        ]
        raise SectionError("; ".join(problems)) from None


def _location(loc: Sequence[int | str]) -> str:
    parts = [f"extensions.{SECTION}"] + [str(p) for p in loc if p != "[key]"]
    return ".".join(parts)


class DebtWall(riskcore.Metric):
    """Can revenue and cash meet the debt falling due in the worst few years of the horizon?

    Formula, over the horizon years y (the as_of year to the last year with a commitment
    obligation, capped at `engine.horizon_years`), with M_y the debt principal maturing in
    calendar year y (`extensions.debt_wall.maturities`), f the `refinancing_share`, R_y the
    counted revenue (the as_of year only for its remaining months), C the cash and w the
    `window_years`:

        D_y        = M_y * (1 - f)                         debt due in y and not refinanced
        windows    = every run of w consecutive horizon years (the whole horizon if shorter)
        ratio(W)   = sum_{y in W} D_y / (sum_{y in W} R_y + C)
        wall_ratio = max over windows W of ratio(W)        (earliest window on ties)

    Also reported: worst_window [first, last year], window_debt and window_means (the worst
    window's debt and its revenue plus cash), due_by_year (D_y for every horizon year),
    refinancing_share, cash, and beyond_horizon (the principal maturing after the horizon).
    When a window has debt due but no revenue or cash at all, wall_ratio is None and the score
    is that of the largest-ratio point.

    Inputs: the `extensions.debt_wall` section (maturities by year, refinancing_share, default
    0), the counted revenue of the horizon years, and cash.

    Assumptions: all revenue and all cash can go to repaying debt (so the ratio understates
    the strain: operating costs and the commitments compete for the same money); cash is
    counted once in every window, as if held for that window; committed funding is left out,
    since undrawn facilities are often the debt itself; a maturity in the as_of year is still
    due in full; maturities before the as_of year count as repaid and those after the horizon
    are left out, each with a warning; the refinanced share rolls over beyond the horizon.

    Score: wall_ratio mapped by `points` (default 0 -> 0, 0.25x -> 20, 0.5x -> 45,
    1.0x -> 70, 2.0x -> 90, 4.0x -> 100), interpolated linearly and clamped at both ends.

    Skipped when the portfolio has no `extensions.debt_wall` section or nothing is left to pay
    after the as_of date (no horizon). An invalid section is an error naming each bad field.
    """

    name = "debt_wall"
    title = "Debt maturity wall"
    default_weight = 0.10

    class Config(riskcore.MetricConfig):
        """Settings read from `[metrics.debt_wall]`."""

        window_years: int = Field(
            3, ge=1, le=30, description="Years in the window the wall is measured over."
        )
        points: riskcore.ScorePoints = Field(
            default_factory=lambda: list(_POINTS),
            description="[wall_ratio, score] points, interpolated linearly.",
        )

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        """Score one portfolio's debt maturity wall."""
        config = context.config_as(DebtWall.Config)
        section = read_section(portfolio.extensions)
        if section is None:
            raise riskcore.SkipMetric(
                f"no extensions.{SECTION} section: give debt maturities by year to score it"
            )
        years = context.require_horizon()
        share = section.refinancing_share
        cash = portfolio.financials.cash
        due = {y: m * (1 - share) for y, m in section.maturities.items()}
        due_by_year = [due.get(y, 0.0) for y in years]
        revenue = [context.counted_revenue[y] for y in years]

        worst = wall_window(due_by_year, revenue, cash, config.window_years)
        first, last = years[worst.start], years[worst.stop - 1]
        ratio = _ratio(worst.debt, worst.means)

        money = _money(context.currency)
        warnings: list[str] = []
        # Outside the horizon, the principal as written: nothing of it is scored.
        before = math.fsum(m for y, m in section.maturities.items() if y < years[0])
        beyond = math.fsum(m for y, m in section.maturities.items() if y > years[-1])
        if before > 0:
            warnings.append(
                f"{money(before)} of debt maturing before {years[0]} is taken as repaid"
            )
        if beyond > 0:
            warnings.append(
                f"{money(beyond)} of debt maturing after {years[-1]}, beyond the horizon, "
                "is left out"
            )
        details: dict[str, object] = {
            "wall_ratio": ratio,
            "worst_window": [first, last],
            "window_debt": worst.debt,
            "window_means": worst.means,
            "due_by_year": {str(y): d for y, d in zip(years, due_by_year, strict=True)},
            "refinancing_share": share,
            "cash": cash,
            "window_years": config.window_years,
            "beyond_horizon": beyond,
        }
        return riskcore.MetricResult(
            score=riskcore.score_from_points(config.points, math.inf if ratio is None else ratio),
            value=ratio,
            unit="x",
            summary=_summary(
                money,
                ratio=ratio,
                window=(first, last),
                horizon=(years[0], years[-1]),
                debt=worst.debt,
                means=worst.means,
                share=share,
            ),
            details=details,
            warnings=warnings,
        )


@dataclass(frozen=True)
class Window:
    """One window of horizon years, as index range [start, stop), with its debt and means."""

    start: int
    stop: int
    debt: float
    means: float


def wall_window(
    due: Sequence[float], revenue: Sequence[float], cash: float, window_years: int
) -> Window:
    """The window with the highest debt / (revenue + cash), the earliest on ties.

    `due` and `revenue` run over the same horizon years; a window of debt with no means at all
    ranks above every finite ratio.
    """
    if not due or len(due) != len(revenue):
        raise ValueError("due and revenue must cover the same, non-empty horizon")
    width = min(window_years, len(due))
    windows = [
        Window(
            start=i,
            stop=i + width,
            debt=math.fsum(due[i : i + width]),
            means=math.fsum([*revenue[i : i + width], cash]),
        )
        for i in range(len(due) - width + 1)
    ]

    def key(w: Window) -> tuple[float, int]:
        ratio = _ratio(w.debt, w.means)
        return (math.inf if ratio is None else ratio, -w.start)

    return max(windows, key=key)


def _ratio(debt: float, means: float) -> float | None:
    """debt / means; 0 with no debt, None for debt with no means (an infinite ratio)."""
    if debt == 0:
        return 0.0
    if means == 0:
        return None
    return debt / means


def _money(currency: str) -> Callable[[float], str]:
    def money(amount: float) -> str:
        return riskcore.format_money(amount, currency)

    return money


def _summary(
    money: Callable[[float], str],
    *,
    ratio: float | None,
    window: tuple[int, int],
    horizon: tuple[int, int],
    debt: float,
    means: float,
    share: float,
) -> str:
    span = _span(*window)
    refinanced = f" after refinancing {share:.0%}" if share > 0 else ""
    if ratio is None:
        return (
            f"{money(debt)} of debt falls due in {span}{refinanced} with no revenue or cash "
            "to meet it."
        )
    if ratio == 0:
        return f"No debt falls due in {_span(*horizon)}, the horizon{refinanced}."
    return (
        f"{money(debt)} of debt falls due in {span}{refinanced}, {ratio:.2f}x the "
        f"{money(means)} of revenue and cash there is to meet it."
    )


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


@riskcore.hookimpl
def riskcore_register_metrics(register: Callable[[type[riskcore.Metric]], None]) -> None:
    """Register the debt wall metric."""
    register(DebtWall)
