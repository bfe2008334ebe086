"""Obligation schedules, the horizon, revenue projection and counterparty resolution.

Pure functions of a validated portfolio and the engine config. Months are counted as integers
(`year * 12 + month - 1`); months before the `as_of` month are treated as paid and left out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from .config import EngineConfig
from .money import format_money
from .portfolio import (
    Commitment,
    Customer,
    Debt,
    Financing,
    Portfolio,
    add_months,
    normalize_name,
    term_months,
)

T = TypeVar("T")


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
    # Locals, not Term's properties, and conditionals, not min/max calls, in the loop: this
    # runs for every commitment of every score. lo..hi are the year's months of the term on or
    # after `as_of_month`.
    first, last, n, profile = term.first, term.last, term.months, c.profile
    lo_all = first if first > as_of_month else as_of_month
    if lo_all > last:
        return out
    if profile == "explicit":
        assert c.schedule is not None
        schedule, share = c.schedule, amount / _schedule_total(c)
    for year in range(lo_all // 12, last // 12 + 1):
        start, end = year * 12, year * 12 + 11
        lo = start if start > lo_all else lo_all
        hi = end if end < last else last
        count = hi - lo + 1
        if profile == "flat":
            due = amount * count / n
        elif profile == "ramp":
            due = amount * ((lo - first + 1) + (hi - first + 1)) * count / (n * (n + 1))
        else:
            in_term = hi - (start if start > first else first) + 1
            due = schedule.get(year, 0.0) * count / in_term * share
        if due > 0:
            out[year] = due
    return out


def _schedule_total(c: Commitment) -> float:
    assert c.schedule is not None
    return math.fsum(c.schedule.values()) or 1.0


class Line(NamedTuple):
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
        names += [c.counterparty for c in portfolio.customers]
        names += [d.lender for d in portfolio.financials.debt]
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
    debt: tuple[DebtLine, ...] = ()
    debt_service: Mapping[int, float] = field(default_factory=lambda: MappingProxyType({}))
    """Horizon year -> interest and principal due on the debt (part of `obligations`)."""
    operating_costs: Mapping[int, float] | None = None
    """Horizon year -> operating costs as counted (the as_of year pro rata); None: not given."""
    customer_values: tuple[tuple[Customer, float], ...] = ()
    """Each customer contract with its remaining value (months on or after as_of)."""
    cover: float | None = None
    """The company's whole means against what falls due, at the worst point (see `means_cover`)."""
    means: float = 0.0
    """Cash, committed funding and counted revenue less operating costs over the whole window
    of `engine.horizon_years` from the as_of year: what the company can pay, whatever falls due."""
    revenue_beyond: float = 0.0
    """Counted revenue of the window's years after the horizon (in `means`)."""
    costs_beyond: float = 0.0
    """Operating costs of the window's years after the horizon (in `means`)."""
    materiality: float = 0.0
    """How much what is at stake matters against what the company can pay, 0 to 1."""
    _paths: dict[str, tuple[object, object, Any]] = field(
        default_factory=lambda: {}, repr=False, compare=False
    )

    def line(self, c: Commitment) -> Line:
        """The numbers of commitment `c` (the same object as in `portfolio.commitments`)."""
        try:
            return self._by_id[id(c)]
        except KeyError:
            raise KeyError("not a commitment of this portfolio") from None

    def path_memo(self, name: str, paths: object, engine: object, compute: Callable[[Any], T]) -> T:
        """`compute(paths)`, worked out once per `paths` matrix and engine config (a simulation
        asks several metrics about the same matrix); the caller must not change the result."""
        found = self._paths.get(name)
        if found is not None and found[0] is paths and found[1] is engine:
            cached: T = found[2]
            return cached
        value = compute(paths)
        self._paths[name] = (paths, engine, value)  # keeps `paths` alive, so `is` cannot lie
        return value

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


class DebtLine(NamedTuple):
    """One borrowing's service in the portfolio currency, by calendar year from as_of."""

    debt: Debt
    principal: float
    interest: Mapping[int, float]
    repayment: Mapping[int, float]


def debt_service(
    principal: float, rate: float, first: int, last: int, linear: bool
) -> tuple[dict[int, float], dict[int, float]]:
    """Interest and principal by calendar year for months `first` to `last` (month indexes).

    Interest is paid monthly at rate / 12 on the balance at the start of the month. bullet:
    the balance is `principal` throughout and is repaid in the last month. linear: each of the
    n months repays principal / n, so month k (0-based) pays interest on principal * (n - k) / n.
    Per year this is a closed form: no month is walked one by one. Returns (interest,
    repayment), each by calendar year.
    """
    n = last - first + 1
    monthly = rate / 12
    interest: dict[int, float] = {}
    repayment: dict[int, float] = {}
    for year in range(first // 12, last // 12 + 1):
        lo, hi = max(year * 12, first), min(year * 12 + 11, last)
        count = hi - lo + 1
        if linear:
            k_lo, k_hi = lo - first, hi - first
            # sum over k of (n - k) / n, for k = k_lo..k_hi
            balance_months = (count * n - (k_lo + k_hi) * count / 2) / n
            interest[year] = principal * monthly * balance_months
            repayment[year] = principal * count / n
        else:
            interest[year] = principal * monthly * count
            repayment[year] = principal if hi == last else 0.0
    return interest, repayment


def operating_costs_by_year(
    costs: float | Mapping[int, float], base_revenue: float, revenue: Mapping[int, float]
) -> dict[int, float]:
    """Full-year operating costs for each year of `revenue` (the base projection).

    One amount is the cost at `base_revenue` and keeps its ratio to revenue: cost_y = costs *
    R_y / base_revenue. A mapping gives the years it lists; any other year keeps the
    cost-to-revenue ratio of the nearest listed year before it (the first listed year's for
    years before that).
    """
    if not isinstance(costs, Mapping):
        return {y: costs * r / base_revenue for y, r in revenue.items()}
    listed = sorted(costs)
    out: dict[int, float] = {}
    for year, r in revenue.items():
        if year in costs:
            out[year] = costs[year]
            continue
        before = [y for y in listed if y < year]
        anchor = before[-1] if before else listed[0]
        anchor_revenue = revenue.get(anchor)
        if anchor_revenue is None:  # a listed year outside the horizon: its ratio to the base
            anchor_revenue = base_revenue
        out[year] = costs[anchor] * r / anchor_revenue if anchor_revenue > 0 else costs[anchor]
    return out


def means_cover(
    liquidity: float, means: Sequence[float], obligations: Sequence[float]
) -> float | None:
    """min over years y with O_y > 0 of (L + sum_{t<=y} N_t) / sum_{t<=y} O_t; None: nothing due.

    N_t is what the company's whole revenue leaves in year t (revenue less operating costs
    where given, else all of it). Adding a year, an obligation or a cost can only lower it.
    """
    worst: float | None = None
    running_means: list[float] = []
    running_need: list[float] = []
    for n, o in zip(means, obligations, strict=True):
        running_means.append(n)
        running_need.append(o)
        if o <= 0:
            continue
        got = liquidity + math.fsum(running_means)
        need = math.fsum(running_need)
        ratio = got / need
        worst = ratio if worst is None else min(worst, ratio)
    return worst


def materiality_of(cover: float | None, full: float, zero: float) -> float:
    """1 when the means cover at most `full` times what falls due, 0 from `zero` times on.

    In between it falls linearly in the logarithm of the cover: with full 1 and zero 10, a
    cover of 2 gives 0.70 and 5 gives 0.30. Nothing due (None) is 0; means of zero or less, 1.
    """
    if cover is None:
        return 0.0
    if cover <= full:
        return 1.0
    if cover >= zero:
        return 0.0
    return math.log(zero / cover) / math.log(zero / full)


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
    dues: list[dict[int, float]] = []  # each line's `remaining`, read below without its view
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
        dues.append(remaining)
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
    debts = _debt_lines(portfolio, as_of_month)
    due_years = [y for remaining in dues for y, v in remaining.items() if v > 0]
    due_years += [y for d in debts for y in d.interest if d.interest[y] + d.repayment[y] > 0]
    if due_years:
        last = min(max(due_years), as_of.year + engine.horizon_years - 1)
        years = tuple(range(as_of.year, last + 1))
    else:
        years = ()
        warnings.append(f"nothing is left to pay after {as_of.isoformat()}: no horizon to score")
    service = {
        y: math.fsum([d.interest.get(y, 0.0) + d.repayment.get(y, 0.0) for d in debts])
        for y in years
    }
    obligations = {
        y: math.fsum([*[remaining.get(y, 0.0) for remaining in dues], service[y]]) for y in years
    }
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
    # Revenue over the whole window of horizon_years: the horizon is its first years, and the
    # means that do not depend on what falls due (see `Book.means`) use all of it.
    window = range(as_of.year, as_of.year + engine.horizon_years)
    projected = project_revenue(fin.revenue, window[0], window[-1], growth, fin.revenue_forecast)
    contracted = contracted_revenue(portfolio, window)
    floored = sorted(y for y in years if contracted.get(y, 0.0) > projected[y])
    if floored:
        warnings.append(
            f"revenue for {_years_text(floored)} is the customers' contracted revenue, above "
            "the projection"
        )
    # What customers are contracted to pay is revenue the projection cannot fall below.
    plan = {y: max(r, contracted.get(y, 0.0)) for y, r in projected.items()}
    book_months = 13 - as_of.month

    def counted_part(y: int, full_year: float) -> float:
        return full_year * (book_months if y == as_of.year else 12) / 12

    window_costs: dict[int, float] = {y: 0.0 for y in window}
    if fin.operating_costs is not None:
        # From the plan's revenue, before any scenario: costs do not fall when revenue does.
        full = operating_costs_by_year(fin.operating_costs, fin.revenue, plan)
        window_costs = {y: counted_part(y, c) for y, c in full.items()}
    projected = plan
    if revenue_multiplier != 1.0:
        projected = {
            y: r * revenue_multiplier if y > as_of.year else r for y, r in projected.items()
        }
    revenue = {y: projected[y] for y in years}
    counted = {y: counted_part(y, r) for y, r in revenue.items()}
    costs = None if fin.operating_costs is None else {y: window_costs[y] for y in years}
    liquidity = math.fsum([fin.cash, fin.committed_funding])
    cover = means_cover(
        liquidity,
        [counted[y] - window_costs[y] for y in years],
        [obligations[y] for y in years],
    )
    means = math.fsum(
        [liquidity, *(counted_part(y, projected[y]) - window_costs[y] for y in window)]
    )
    beyond = [y for y in window if y not in revenue]
    customers = tuple((c, _customer_value(c, portfolio, as_of_month)) for c in portfolio.customers)
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
        debt=debts,
        debt_service=MappingProxyType(service),
        operating_costs=None if costs is None else MappingProxyType(costs),
        customer_values=customers,
        cover=cover,
        means=means,
        revenue_beyond=math.fsum([counted_part(y, projected[y]) for y in beyond]),
        costs_beyond=math.fsum([window_costs[y] for y in beyond]),
        materiality=materiality_of(
            cover, engine.materiality_full_cover, engine.materiality_zero_cover
        ),
    )


def _debt_lines(portfolio: Portfolio, as_of_month: int) -> tuple[DebtLine, ...]:
    out: list[DebtLine] = []
    for d in portfolio.financials.debt:
        principal = d.amount * portfolio.rate(d.currency)
        interest, repayment = debt_service(
            principal, d.rate, as_of_month, month_index(d.maturity), d.amortization == "linear"
        )
        out.append(DebtLine(d, principal, MappingProxyType(interest), MappingProxyType(repayment)))
    return tuple(out)


def contracted_revenue(portfolio: Portfolio, years: range) -> dict[int, float]:
    """Calendar year -> full-year revenue the customers are contracted to pay (flat by month).

    Every month of a contract's term counts, before as_of too: it is compared with a full
    year's projected revenue. Signed contracts only; announced ones and letters of intent are
    hopes, not revenue.
    """
    parts: dict[int, list[float]] = {}
    for c in portfolio.customers:
        if c.status != "signed":
            continue
        first = month_index(c.start)
        last = first + c.months - 1
        monthly = c.amount * portfolio.rate(c.currency) / c.months
        for year in years:
            count = min(last, year * 12 + 11) - max(first, year * 12) + 1
            if count > 0:
                parts.setdefault(year, []).append(monthly * count)
    return {y: math.fsum(v) for y, v in parts.items()}


def _customer_value(c: Customer, portfolio: Portfolio, as_of_month: int) -> float:
    """The part of a customer contract still to be paid: flat over its months, from as_of."""
    first = month_index(c.start)
    last = first + c.months - 1
    left = last - max(first, as_of_month) + 1
    if left <= 0:
        return 0.0
    return c.amount * portfolio.rate(c.currency) * left / c.months


def _years_text(years: list[int]) -> str:
    """`2026-2028, 2031` for [2026, 2027, 2028, 2031]."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
