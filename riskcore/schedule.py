"""Obligation schedules, the horizon, revenue projection and counterparty resolution.

Pure functions of a validated portfolio and the engine config. Months are counted as integers
(`year * 12 + month - 1`); months before the `as_of` month are treated as paid and left out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .config import EngineConfig
from .money import format_money
from .portfolio import Commitment, Financing, Portfolio, add_months, normalize_name, term_months


def month_index(month: dt.date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return month.year * 12 + month.month - 1


@dataclass(frozen=True)
class Term:
    """The months a commitment runs: `months` months from `start` (the first of a month)."""

    start: dt.date
    months: int

    @property
    def end(self) -> dt.date:
        """The last month of the term."""
        return add_months(self.start, self.months - 1)

    @property
    def first(self) -> int:
        return month_index(self.start)

    @property
    def last(self) -> int:
        return self.first + self.months - 1


def term_of(c: Commitment) -> Term:
    """The term of a commitment, explicit schedules included (see `Commitment` for the rules)."""
    if c.profile == "explicit" and c.schedule:
        start = c.start or dt.date(min(c.schedule), 1, 1)
    else:
        assert c.start is not None  # guaranteed by validation
        start = c.start
    if c.end is not None:
        return Term(start, month_index(c.end) - month_index(start) + 1)
    if c.term_years is not None:
        return Term(start, max(1, term_months(c.term_years)))
    assert c.schedule  # explicit without term: through December of the last schedule year
    return Term(start, month_index(dt.date(max(c.schedule), 12, 1)) - month_index(start) + 1)


def remaining_by_year(
    c: Commitment, amount: float, term: Term, as_of_month: int
) -> dict[int, float]:
    """Calendar year -> amount due in the months on or after `as_of_month` (years with any due).

    flat: each month amount / n; ramp: month k of n weighs k, so it gets amount * k / (n(n+1)/2);
    explicit: each calendar-year amount spread evenly over that year's months of the term.
    """
    out: dict[int, float] = {}
    # Locals, not Term's properties, in the loop: this runs for every commitment of every score.
    first, last, n, profile = term.first, term.last, term.months, c.profile
    lo_all = max(first, as_of_month)
    if lo_all > last:
        return out
    if profile == "explicit":
        assert c.schedule is not None
        schedule, share = c.schedule, amount / _schedule_total(c)
    for year in range(lo_all // 12, last // 12 + 1):
        lo = max(year * 12, lo_all)
        hi = min(year * 12 + 11, last)
        if hi < lo:
            continue
        count = hi - lo + 1
        if profile == "flat":
            due = amount * count / n
        elif profile == "ramp":
            k_lo, k_hi = lo - first + 1, hi - first + 1
            due = amount * (k_lo + k_hi) * count / (n * (n + 1))
        else:
            in_term = min(year * 12 + 11, last) - max(year * 12, first) + 1
            due = schedule.get(year, 0.0) * count / in_term * share
        if due > 0:
            out[year] = due
    return out


def _schedule_total(c: Commitment) -> float:
    assert c.schedule is not None
    return math.fsum(c.schedule.values()) or 1.0


@dataclass(frozen=True)
class Line:
    """One commitment's numbers in the portfolio currency."""

    commitment: Commitment
    amount: float
    """Total contract value (estimated from capacity where no amount is given)."""
    estimated: bool
    term: Term
    remaining: Mapping[int, float]
    """Calendar year -> amount still to pay (on or after the as_of month); years with none left out."""
    value: float
    """Remaining amount: the sum of `remaining`."""


class Groups:
    """Resolve counterparty names to groups, case- and whitespace-insensitively.

    Declared groups and their aliases resolve to the group's key. Any other name is its own
    group, spelled as the alphabetically first of its spellings in the portfolio, so the order
    of rows never changes a name.
    """

    def __init__(self, portfolio: Portfolio) -> None:
        self._resolved: dict[str, str] = {}
        self._map: dict[str, str] = {}
        for group, spec in portfolio.counterparties.items():
            for spelling in (group, *spec.aliases):
                self._map.setdefault(normalize_name(spelling), group)
        spellings: dict[str, str] = {}
        names = [c.counterparty for c in portfolio.commitments]
        names += [f.investor for f in portfolio.financing]
        for name in names:
            key = normalize_name(name)
            if key not in self._map:
                tidy = " ".join(name.split())
                spellings[key] = min(spellings.get(key, tidy), tidy)
        self._map.update(spellings)

    def __call__(self, name: str) -> str:
        # Every metric resolves every row's name: remember each spelling's answer.
        found = self._resolved.get(name)
        if found is None:
            found = self._resolved[name] = self._map.get(
                normalize_name(name), " ".join(name.split())
            )
        return found


@dataclass(frozen=True)
class Book:
    """Everything the metrics share about one portfolio, computed once per score."""

    portfolio: Portfolio
    as_of: dt.date
    lines: tuple[Line, ...]
    years: tuple[int, ...]
    obligations: Mapping[int, float]
    revenue: Mapping[int, float]
    counted_revenue: Mapping[int, float]
    groups: Groups
    warnings: tuple[str, ...]
    _by_id: Mapping[int, Line] = field(repr=False)

    def line(self, c: Commitment) -> Line:
        """The numbers of commitment `c` (the same object as in `portfolio.commitments`)."""
        try:
            return self._by_id[id(c)]
        except KeyError:
            raise KeyError("not a commitment of this portfolio") from None

    def months_counted(self, year: int) -> int:
        """Months of `year` that count: those on or after the as_of month."""
        if year < self.as_of.year:
            return 0
        if year == self.as_of.year:
            return 13 - self.as_of.month
        return 12

    def financing_amount(self, f: Financing) -> float:
        """A financing row's amount in the portfolio currency."""
        return f.amount * self.portfolio.rate(f.currency)

    @property
    def total_value(self) -> float:
        """Total remaining commitment value."""
        return math.fsum(line.value for line in self.lines)


def project_revenue(
    base: float,
    first_year: int,
    last_year: int,
    growth: float,
    forecast: Mapping[int, float] | None = None,
) -> dict[int, float]:
    """Full-year revenue by calendar year from `first_year`.

    The forecast wins for the years it lists; any other year is the previous year's value grown
    at `growth`; the first year without a forecast is `base`.
    """
    forecast = forecast or {}
    out: dict[int, float] = {}
    previous: float | None = None
    for year in range(first_year, last_year + 1):
        if year in forecast:
            value = forecast[year]
        elif previous is None:
            value = base
        else:
            value = previous * (1 + growth)
        out[year] = value
        previous = value
    return out


def build_book(portfolio: Portfolio, engine: EngineConfig, revenue_multiplier: float = 1.0) -> Book:
    """Schedules, horizon and revenue of `portfolio` under the engine's assumptions.

    `revenue_multiplier` (a scenario's) scales the projected revenue of every year after the
    as_of year; the as_of year's revenue is known and stays as it is.
    """
    as_of = portfolio.company.as_of
    as_of_month = month_index(as_of)
    currency = portfolio.company.currency
    warnings: list[str] = []
    groups = Groups(portfolio)
    lines: list[Line] = []
    for c in portfolio.commitments:
        rate = portfolio.rate(c.currency)
        estimated = False
        if c.amount is not None:
            amount = c.amount * rate
        elif c.profile == "explicit" and c.schedule:
            amount = math.fsum(c.schedule.values()) * rate
        else:
            assert c.capacity_gw is not None
            per_gw = engine.cost_per_gw[c.kind]
            amount = c.capacity_gw * per_gw
            estimated = True
            warnings.append(
                f"{groups(c.counterparty)} {c.kind} commitment has no amount: valued at "
                f"{c.capacity_gw:g} GW x {format_money(per_gw, currency)} per GW = "
                f"{format_money(amount, currency)} (estimated)"
            )
        term = term_of(c)
        remaining = remaining_by_year(c, amount, term, as_of_month)
        lines.append(
            Line(
                c,
                amount,
                estimated,
                term,
                MappingProxyType(remaining),
                math.fsum(remaining.values()),
            )
        )
    due_years = [y for line in lines for y, v in line.remaining.items() if v > 0]
    if due_years:
        last = min(max(due_years), as_of.year + engine.horizon_years - 1)
        years = tuple(range(as_of.year, last + 1))
    else:
        years = ()
        warnings.append(f"nothing is left to pay after {as_of.isoformat()}: no horizon to score")
    obligations = {y: math.fsum([line.remaining.get(y, 0.0) for line in lines]) for y in years}
    fin = portfolio.financials
    growth = fin.revenue_growth
    if growth is None:
        growth = engine.default_revenue_growth
        missing = [y for y in years[1:] if y not in fin.revenue_forecast]
        if missing:
            warnings.append(
                f"no revenue_growth given: revenue for {_years_text(missing)} is grown at the "
                f"default {growth:.1%} a year"
            )
    revenue = (
        project_revenue(fin.revenue, years[0], years[-1], growth, fin.revenue_forecast)
        if years
        else {}
    )
    if revenue_multiplier != 1.0:
        revenue = {y: r * revenue_multiplier if y > as_of.year else r for y, r in revenue.items()}
    book_months = 13 - as_of.month
    counted = {y: r * (book_months if y == as_of.year else 12) / 12 for y, r in revenue.items()}
    return Book(
        portfolio=portfolio,
        as_of=as_of,
        lines=tuple(lines),
        years=years,
        # Read-only views: one metric cannot change what the next one sees.
        obligations=MappingProxyType(obligations),
        revenue=MappingProxyType(revenue),
        counted_revenue=MappingProxyType(counted),
        groups=groups,
        warnings=tuple(warnings),
        _by_id={id(line.commitment): line for line in lines},
    )


def _years_text(years: list[int]) -> str:
    """`2026-2028, 2031` for [2026, 2027, 2028, 2031]."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
