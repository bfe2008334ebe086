"""Schedules, the horizon, revenue projection and counterparty groups (`riskcore/schedule.py`),
worked by hand on small portfolios.

Unless a test says otherwise the portfolio is conftest's BASE: USD, as_of 2025-01-15 (all twelve
months of 2025 count), revenue 10B with revenue_growth 0.0, under the default engine config
(horizon 10 years, cost per GW 35B for chips and 50B for cloud). Amounts in comments are in
billions; "k of n" is month k of an n-month term.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from conftest import portfolio
from riskcore.config import EngineConfig
from riskcore.defaults import load_config
from riskcore.loading import load_portfolio
from riskcore.portfolio import Portfolio
from riskcore.schedule import (
    Book,
    Groups,
    Term,
    build_book,
    materiality_of,
    means_cover,
    month_index,
    project_revenue,
)

B = 1e9
ENGINE = load_config()[0].engine


def exact(value: float) -> Any:
    return pytest.approx(value, rel=1e-12)


def exact_map(values: dict[int, float]) -> Any:
    return pytest.approx(values, rel=1e-12)


def deal(
    amount: str | None, start: str | int | None, years: float | None = 1, **extra: Any
) -> dict[str, Any]:
    """A cloud commitment, flat and `years` long from `start` unless `extra` says otherwise."""
    row: dict[str, Any] = {
        "counterparty": "Acme",
        "kind": "cloud",
        "amount": amount,
        "start": start,
        "term_years": years,
    }
    row.update(extra)
    return {k: v for k, v in row.items() if v is not None}


def schedule(
    values: dict[int, str],
    amount: str | None = None,
    start: str | None = None,
    term_years: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An explicit-profile commitment; no amount, start or term unless given."""
    return deal(amount, start, term_years, profile="explicit", schedule=values, **extra)


def load(*rows: dict[str, Any], **sections: Any) -> Portfolio:
    return load_portfolio(portfolio(commitments=list(rows), **sections))


def book(*rows: dict[str, Any], engine: EngineConfig = ENGINE, **sections: Any) -> Book:
    return build_book(load(*rows, **sections), engine)


# --- flat ------------------------------------------------------------------------------------


def test_flat_38b_over_84_months_from_the_as_of_month() -> None:
    # 38B over 7 x 12 = 84 months from 2025-11 (as_of 2025-11-03: November still counts),
    # so the term ends 2025-11 + 83 months = 2032-10.
    #   2025: Nov-Dec =  2 months x 38/84 = 0.904761904...
    #   2026-2031:      12 months x 38/84 = 5.428571428...
    #   2032: Jan-Oct = 10 months x 38/84 = 4.523809523...
    b = book(deal("38B", "2025-11", 7), company={"as_of": "2025-11-03"})
    [line] = b.lines
    assert line.term == Term(dt.date(2025, 11, 1), 84)
    assert line.term.end == dt.date(2032, 10, 1)
    expected = {2025: 2 * 38 * B / 84, 2032: 10 * 38 * B / 84}
    expected.update({y: 12 * 38 * B / 84 for y in range(2026, 2032)})
    assert line.remaining == exact_map(expected)
    assert line.value == exact(38 * B)
    assert b.years == tuple(range(2025, 2033))
    assert b.obligations == exact_map(expected)
    assert b.warnings == ()


def test_flat_with_as_of_mid_term_leaves_out_paid_months() -> None:
    # 12B over 24 months from 2025-01 = 0.5 a month; as_of 2025-07-10: Jan-Jun are paid.
    #   2025: Jul-Dec 6 x 0.5 = 3;  2026: 12 x 0.5 = 6;  remaining 9 of 12.
    b = book(deal("12B", "2025-01", 2), company={"as_of": "2025-07-10"})
    [line] = b.lines
    assert line.amount == 12 * B
    assert line.remaining == exact_map({2025: 3 * B, 2026: 6 * B})
    assert line.value == exact(9 * B)


def test_start_given_as_a_day_counts_its_whole_month() -> None:
    # Start 2025-03-31 is March; end 2025-12: Mar-Dec = 10 months of 1.
    [line] = book(deal("10B", "2025-03-31", None, end="2025-12")).lines
    assert line.term == Term(dt.date(2025, 3, 1), 10)
    assert line.remaining == exact_map({2025: 10 * B})


def test_fractional_term_years_count_whole_months() -> None:
    # 2.5 years = 30 months from 2025-01, to 2027-06: 30B is 1 a month.
    #   2025: 12;  2026: 12;  2027: Jan-Jun 6.
    [line] = book(deal("30B", "2025-01", 2.5)).lines
    assert line.term == Term(dt.date(2025, 1, 1), 30)
    assert line.term.end == dt.date(2027, 6, 1)
    assert line.remaining == exact_map({2025: 12 * B, 2026: 12 * B, 2027: 6 * B})


@pytest.mark.parametrize(
    ("years", "months"),
    [
        (1 / 12, 1),  # exactly one month
        (0.05, 1),  # 0.6 months rounds to 1
        (1.04, 12),  # 12.48 months rounds to 12
        (1.05, 13),  # 12.6 months rounds to 13
        (7, 84),
    ],
)
def test_term_years_round_to_whole_months(years: float, months: int) -> None:
    [line] = book(deal("1B", "2025-01", years)).lines
    assert line.term.months == months


def test_end_and_term_years_give_the_same_term() -> None:
    # end 2027-06 is the last month included: 2025-01..2027-06 = 30 months, as 2.5 years.
    by_years = book(deal("30B", "2025-01", 2.5)).lines[0]
    by_end = book(deal("30B", "2025-01", None, end="2027-06")).lines[0]
    assert by_end.term == by_years.term
    assert by_end.remaining == by_years.remaining


def test_end_as_a_bare_year_runs_through_december() -> None:
    # end 2027 is 2027-12: 2025-01..2027-12 = 36 months; 30B / 36 x 12 = 10 a year.
    [line] = book(deal("30B", "2025-01", None, end=2027)).lines
    assert line.term == Term(dt.date(2025, 1, 1), 36)
    assert line.remaining == exact_map({2025: 10 * B, 2026: 10 * B, 2027: 10 * B})


# --- ramp ------------------------------------------------------------------------------------


def test_ramp_across_a_year_boundary() -> None:
    # 12B ramping over 12 months from 2025-07: month k weighs k, total 12 x 13 / 2 = 78.
    #   2025: Jul-Dec, k = 1..6,  1+...+6  = 21: 12 x 21/78 = 3.230769230...
    #   2026: Jan-Jun, k = 7..12, 7+...+12 = 57: 12 x 57/78 = 8.769230769...
    [line] = book(deal("12B", "2025-07", 1, profile="ramp")).lines
    assert line.remaining == exact_map({2025: 12 * B * 21 / 78, 2026: 12 * B * 57 / 78})
    assert line.value == exact(12 * B)


def test_ramp_with_as_of_mid_term() -> None:
    # As above with as_of 2025-10-01: Jul-Sep (k = 1..3) are paid.
    #   2025: Oct-Dec, k = 4..6, 4+5+6 = 15: 12 x 15/78 = 2.307692307...
    #   2026: unchanged, 12 x 57/78;  remaining 12 x 72/78 = 11.076923076...
    b = book(deal("12B", "2025-07", 1, profile="ramp"), company={"as_of": "2025-10-01"})
    [line] = b.lines
    assert line.remaining == exact_map({2025: 12 * B * 15 / 78, 2026: 12 * B * 57 / 78})
    assert line.value == exact(12 * B * 72 / 78)


def test_ramp_over_three_calendar_years() -> None:
    # 66.6B over 36 months from 2025-01: total weight 36 x 37 / 2 = 666, so 0.1 per weight.
    #   2025: k = 1..12,  sum  78:  7.8
    #   2026: k = 13..24, sum 222: 22.2
    #   2027: k = 25..36, sum 366: 36.6
    [line] = book(deal("66.6B", "2025-01", 3, profile="ramp")).lines
    assert line.remaining == exact_map({2025: 7.8 * B, 2026: 22.2 * B, 2027: 36.6 * B})


# --- explicit --------------------------------------------------------------------------------


def test_explicit_amounts_spread_over_each_years_months_in_the_term() -> None:
    # Term 2025-07..2027-03. Each year's amount falls on its months of the term:
    #   2025: 6 over Jul-Dec;  2026: 12 over Jan-Dec;  2027: 3 over Jan-Mar.
    row = schedule({2025: "6B", 2026: "12B", 2027: "3B"}, start="2025-07", end="2027-03")
    [line] = book(row).lines
    assert line.term == Term(dt.date(2025, 7, 1), 21)
    assert line.amount == exact(21 * B)
    assert line.remaining == exact_map({2025: 6 * B, 2026: 12 * B, 2027: 3 * B})


def test_explicit_with_as_of_mid_term() -> None:
    # As above with as_of 2025-10-20: Jul-Sep are paid, so 2025 keeps Oct-Dec, 3 of its 6
    # months: 6 x 3/6 = 3.  Remaining 3 + 12 + 3 = 18.
    row = schedule({2025: "6B", 2026: "12B", 2027: "3B"}, start="2025-07", end="2027-03")
    [line] = book(row, company={"as_of": "2025-10-20"}).lines
    assert line.remaining == exact_map({2025: 3 * B, 2026: 12 * B, 2027: 3 * B})
    assert line.value == exact(18 * B)


def test_explicit_amount_within_tolerance_rescales_the_schedule() -> None:
    # amount 21.05 against a schedule summing to 21 (0.24% apart): each year x 21.05/21.
    #   2025: 6 x 21.05/21 = 6.014285714...;  2026: 12.028571428...;  2027: 3.007142857...
    row = schedule(
        {2025: "6B", 2026: "12B", 2027: "3B"}, amount="21.05B", start="2025-07", end="2027-03"
    )
    [line] = book(row).lines
    factor = 21.05 / 21
    assert line.amount == exact(21.05 * B)
    assert line.remaining == exact_map(
        {2025: 6 * B * factor, 2026: 12 * B * factor, 2027: 3 * B * factor}
    )
    assert line.value == exact(21.05 * B)


def test_explicit_without_a_term_runs_from_january_to_december() -> None:
    # No start or end: 2026-01..2027-12, 24 months. The horizon still starts in the as_of year,
    # so 2025 is a year with nothing due.
    b = book(schedule({2026: "12B", 2027: "24B"}))
    [line] = b.lines
    assert line.term == Term(dt.date(2026, 1, 1), 24)
    assert line.remaining == exact_map({2026: 12 * B, 2027: 24 * B})
    assert b.years == (2025, 2026, 2027)
    assert b.obligations == exact_map({2025: 0.0, 2026: 12 * B, 2027: 24 * B})


def test_explicit_with_a_start_and_no_end_runs_to_december_of_the_last_year() -> None:
    # start 2025-07, schedule through 2026: 2025-07..2026-12, 18 months.
    #   2025: 6 over Jul-Dec;  2026: 12 over Jan-Dec.
    [line] = book(schedule({2025: "6B", 2026: "12B"}, start="2025-07")).lines
    assert line.term == Term(dt.date(2025, 7, 1), 18)
    assert line.remaining == exact_map({2025: 6 * B, 2026: 12 * B})


def test_explicit_with_term_years_and_as_of_in_the_last_year() -> None:
    # start 2025-07 + 1 year: 2025-07..2026-06. 2026's 12 falls on its 6 months in the term
    # (Jan-Jun), 2 a month; as_of 2026-04-01 leaves Apr-Jun: 3 x 2 = 6.
    row = schedule({2025: "6B", 2026: "12B"}, start="2025-07", term_years=1)
    b = book(row, company={"as_of": "2026-04-01"})
    assert b.lines[0].remaining == exact_map({2026: 6 * B})
    assert b.years == (2026,)


def test_explicit_year_with_nothing_scheduled_is_left_out() -> None:
    # 2026 is inside the term but not in the schedule: nothing is due then.
    row = schedule({2025: "1B", 2027: "1B"})
    [line] = book(row).lines
    assert line.remaining == exact_map({2025: 1 * B, 2027: 1 * B})


def test_explicit_with_capacity_but_no_amount_is_valued_by_its_schedule() -> None:
    row = schedule({2025: "5B"}, capacity_gw=3)
    b = book(row)
    assert (b.lines[0].amount, b.lines[0].estimated) == (5 * B, False)
    assert b.warnings == ()


# --- the horizon -----------------------------------------------------------------------------


def test_the_horizon_is_capped_at_horizon_years() -> None:
    # The 38B/84-month deal runs to 2032; three horizon years keep 2025-2027 only. The line
    # itself still holds every year.
    engine = EngineConfig(horizon_years=3)
    b = book(deal("38B", "2025-11", 7), engine=engine, company={"as_of": "2025-11-03"})
    assert b.years == (2025, 2026, 2027)
    assert b.obligations == exact_map(
        {2025: 2 * 38 * B / 84, 2026: 12 * 38 * B / 84, 2027: 12 * 38 * B / 84}
    )
    assert set(b.revenue) == {2025, 2026, 2027}
    assert b.lines[0].value == exact(38 * B)
    assert max(b.lines[0].remaining) == 2032


def test_a_one_year_horizon() -> None:
    b = book(deal("24B", "2025-01", 2), engine=EngineConfig(horizon_years=1))
    assert b.years == (2025,)
    assert b.obligations == exact_map({2025: 12 * B})


def test_the_horizon_ends_with_the_last_obligation() -> None:
    # A long allowance does not add years after the last payment (2026).
    b = book(deal("24B", "2025-01", 2), engine=EngineConfig(horizon_years=50))
    assert b.years == (2025, 2026)


def test_gap_years_inside_the_horizon_owe_nothing() -> None:
    # 12 due in 2025, 24 due in 2028, nothing in 2026 and 2027.
    b = book(deal("12B", "2025-01"), deal("24B", "2028-01", counterparty="Later"))
    assert b.years == (2025, 2026, 2027, 2028)
    assert b.obligations == exact_map({2025: 12 * B, 2026: 0.0, 2027: 0.0, 2028: 24 * B})


def test_obligations_sum_every_line_per_calendar_year() -> None:
    # 12 flat over 2025; 24 flat over 2025-07..2026-06 (2 a month): 12 in each year.
    b = book(deal("12B", "2025-01"), deal("24B", "2025-07", counterparty="Other"))
    assert b.obligations == exact_map({2025: 24 * B, 2026: 12 * B})
    assert b.total_value == exact(36 * B)


def test_nothing_left_to_pay_gives_an_empty_horizon_and_a_warning() -> None:
    # The only deal ended in 2025-12; as_of is 2026-01-05.
    b = book(deal("12B", "2025-01"), company={"as_of": "2026-01-05"})
    assert b.years == ()
    assert b.obligations == {}
    assert b.revenue == {}
    assert b.counted_revenue == {}
    assert b.lines[0].remaining == {}
    assert b.lines[0].value == 0.0
    assert b.warnings == ("nothing is left to pay after 2026-01-05: no horizon to score",)


def test_a_finished_deal_next_to_a_running_one_owes_nothing() -> None:
    b = book(deal("12B", "2024-01"), deal("12B", "2025-01", counterparty="Now"))
    assert [line.value for line in b.lines] == [0.0, exact(12 * B)]
    assert b.years == (2025,)


# --- revenue ---------------------------------------------------------------------------------


def test_project_revenue_forecast_wins_and_gaps_grow_from_the_previous_year() -> None:
    # base 10, growth 10%, forecast 2027 = 20 and 2029 = 30:
    #   2025: 10 (base);  2026: 10 x 1.1 = 11;  2027: 20;  2028: 20 x 1.1 = 22;
    #   2029: 30;  2030: 30 x 1.1 = 33.
    revenue = project_revenue(10 * B, 2025, 2030, 0.1, {2027: 20 * B, 2029: 30 * B})
    assert revenue == exact_map(
        {2025: 10 * B, 2026: 11 * B, 2027: 20 * B, 2028: 22 * B, 2029: 30 * B, 2030: 33 * B}
    )


def test_project_revenue_forecast_of_the_first_year_replaces_the_base() -> None:
    # 2025 forecast 12 (not the base 10), then 12 x 1.5 = 18 and 18 x 1.5 = 27.
    revenue = project_revenue(10 * B, 2025, 2027, 0.5, {2025: 12 * B, 2040: 1 * B})
    assert revenue == exact_map({2025: 12 * B, 2026: 18 * B, 2027: 27 * B})


def test_project_revenue_without_forecast() -> None:
    # 10, 10 x 0.9 = 9, 9 x 0.9 = 8.1 (shrinking 10% a year).
    assert project_revenue(10 * B, 2025, 2027, -0.1) == exact_map(
        {2025: 10 * B, 2026: 9 * B, 2027: 8.1 * B}
    )
    assert project_revenue(10 * B, 2025, 2025, 0.3) == {2025: 10 * B}


def test_book_revenue_with_growth_and_a_forecast_year() -> None:
    # as_of 2025-11-03, revenue 10, growth 50%, forecast 2027 = 40; horizon 2025-2032:
    #   2025: 10;  2026: 15;  2027: 40;  2028: 60;  2029: 90;  2030: 135;  2031: 202.5;
    #   2032: 303.75.
    # Counted in 2025: Nov-Dec, 10 x 2/12 = 1.666666666...; later years count in full.
    b = book(
        deal("38B", "2025-11", 7),
        company={"as_of": "2025-11-03"},
        financials={"revenue_growth": 0.5, "revenue_forecast": {2027: "40B"}},
    )
    full = {2025: 10.0, 2026: 15.0, 2027: 40.0, 2028: 60.0, 2029: 90.0, 2030: 135.0}
    full.update({2031: 202.5, 2032: 303.75})
    assert b.revenue == exact_map({y: v * B for y, v in full.items()})
    assert b.counted_revenue == exact_map(
        {**{y: v * B for y, v in full.items()}, 2025: 10 * B * 2 / 12}
    )
    assert b.warnings == ()


@pytest.mark.parametrize(
    ("as_of", "months", "counted"),
    [
        ("2025-01-15", 12, 10 * B),  # all of 2025
        ("2025-07-01", 6, 5 * B),  # Jul-Dec: 10 x 6/12
        ("2025-12-31", 1, 10 * B / 12),  # December only
    ],
)
def test_counted_revenue_in_the_as_of_year(as_of: str, months: int, counted: float) -> None:
    b = book(deal("1B", "2025-12", 2), company={"as_of": as_of})
    assert b.months_counted(2025) == months
    assert b.months_counted(2024) == 0
    assert b.months_counted(2026) == 12
    assert b.counted_revenue[2025] == exact(counted)
    assert b.counted_revenue[2026] == exact(10 * B)


def test_no_growth_given_uses_the_default_and_warns() -> None:
    # Default growth 10%: 2025 = 10, 2026 = 11, 2027 = 12.1.
    engine = EngineConfig(default_revenue_growth=0.1)
    b = book(deal("36B", "2025-01", 3), engine=engine, financials={"revenue_growth": None})
    assert b.revenue == exact_map({2025: 10 * B, 2026: 11 * B, 2027: 12.1 * B})
    assert b.warnings == (
        "no revenue_growth given: revenue for 2026-2027 is grown at the default 10.0% a year",
    )


def test_no_growth_given_under_the_default_config() -> None:
    b = book(deal("36B", "2025-01", 3), financials={"revenue_growth": None})
    assert b.revenue == exact_map({2025: 10 * B, 2026: 10 * B, 2027: 10 * B})
    assert b.warnings == (
        "no revenue_growth given: revenue for 2026-2027 is grown at the default 0.0% a year",
    )


def test_no_growth_needed_when_the_forecast_covers_every_later_year() -> None:
    b = book(
        deal("36B", "2025-01", 3),
        financials={"revenue_growth": None, "revenue_forecast": {2026: "20B", 2027: "30B"}},
    )
    assert b.revenue == exact_map({2025: 10 * B, 2026: 20 * B, 2027: 30 * B})
    assert b.warnings == ()


def test_forecast_gaps_grow_at_the_default_and_warn() -> None:
    # Default growth 10%, forecast 2026 = 20 and 2028 = 30:
    #   2025: 10 (base);  2026: 20;  2027: 22;  2028: 30;  2029: 33.
    engine = EngineConfig(default_revenue_growth=0.1)
    b = book(
        deal("60B", "2025-01", 5),
        engine=engine,
        financials={"revenue_growth": None, "revenue_forecast": {2026: "20B", 2028: "30B"}},
    )
    assert b.revenue == exact_map(
        {2025: 10 * B, 2026: 20 * B, 2027: 22 * B, 2028: 30 * B, 2029: 33 * B}
    )
    [warning] = b.warnings
    assert warning.startswith("no revenue_growth given: revenue for 2027")
    assert warning.endswith("is grown at the default 10.0% a year")


# --- capacity and currency -------------------------------------------------------------------


def test_capacity_only_commitments_are_valued_per_gw_with_a_warning() -> None:
    # chips: 2 GW x 35 = 70, flat over 2025; cloud: 1.5 GW x 50 = 75, flat over 2025.
    b = book(
        deal(None, "2025-01", kind="chips", capacity_gw=2, counterparty="nvidia"),
        deal(None, "2025-01", capacity_gw=1.5, counterparty="Acme"),
        counterparties={"NVIDIA": {"aliases": ["nvidia"]}},
    )
    chips, cloud = b.lines
    assert (chips.amount, chips.estimated) == (exact(70 * B), True)
    assert (cloud.amount, cloud.estimated) == (exact(75 * B), True)
    assert b.obligations == exact_map({2025: 145 * B})
    assert b.warnings == (
        "NVIDIA chips commitment has no amount: valued at 2 GW x $35.0B per GW = $70.0B (estimated)",
        "Acme cloud commitment has no amount: valued at 1.5 GW x $50.0B per GW = $75.0B (estimated)",
    )


def test_capacity_cost_comes_from_the_engine_config() -> None:
    engine = EngineConfig(cost_per_gw={"power": "8B"})
    b = book(deal(None, "2025-01", kind="power", capacity_gw=0.5), engine=engine)
    assert b.lines[0].amount == exact(4 * B)  # 0.5 x 8


def test_an_amount_beats_capacity() -> None:
    b = book(deal("1B", "2025-01", capacity_gw=10))
    assert (b.lines[0].amount, b.lines[0].estimated) == (1 * B, False)
    assert b.warnings == ()


def test_row_currencies_are_converted_with_fx() -> None:
    # 10 EUR at 1.1 USD per EUR = 11 USD; financing of 1000 JPY at 0.0067 = 6.7 USD.
    b = book(
        deal("10B", "2025-01", currency="EUR"),
        fx={"EUR": 1.1, "JPY": 0.0067},
        financing=[{"investor": "Bank", "amount": "1000B", "currency": "JPY"}],
    )
    assert b.lines[0].amount == exact(11 * B)
    assert b.obligations == exact_map({2025: 11 * B})
    assert b.financing_amount(b.portfolio.financing[0]) == exact(6.7 * B)


def test_explicit_schedules_are_converted_with_fx() -> None:
    # 6 and 12 EUR at 1.1: 6.6 and 13.2 USD; with amount 18 EUR the same.
    rows = [
        schedule({2025: "6B", 2026: "12B"}, currency="EUR"),
        schedule({2025: "6B", 2026: "12B"}, currency="EUR", amount="18B"),
    ]
    for line in book(*rows, fx={"EUR": 1.1}).lines:
        assert line.amount == exact(19.8 * B)
        assert line.remaining == exact_map({2025: 6.6 * B, 2026: 13.2 * B})


def test_a_portfolio_in_another_currency_converts_dollar_rows() -> None:
    # EUR portfolio; a USD row of 10 at 0.9 EUR per USD = 9 EUR.
    b = book(deal("10B", "2025-01", currency="USD"), company={"currency": "EUR"}, fx={"USD": 0.9})
    assert b.lines[0].amount == exact(9 * B)


# --- counterparty groups ---------------------------------------------------------------------


def test_groups_resolve_keys_and_aliases_ignoring_case_and_spacing() -> None:
    p = load(
        deal("1B", 2025, counterparty="msft"),
        counterparties={"Microsoft": {"aliases": ["MSFT", "Microsoft Azure"]}},
    )
    groups = Groups(p)
    for name in [
        "Microsoft",
        "MICROSOFT",
        "msft",
        " Msft ",
        "microsoft   azure",
        "Microsoft\tAzure",
    ]:
        assert groups(name) == "Microsoft"


def test_unknown_names_are_their_own_group_spelled_alphabetically_first() -> None:
    # "ORACLE" < "Oracle" < "oracle" (upper case sorts first); spacing is tidied.
    rows = [
        deal("1B", 2025, counterparty="oracle"),
        deal("1B", 2025, counterparty=" Oracle "),
        deal("1B", 2025, counterparty="Open  AI"),
        deal("1B", 2025, counterparty="open ai"),
    ]
    financing = [{"investor": "ORACLE", "amount": "1B"}]
    for order in itertools.permutations(rows):
        groups = book(*order, financing=financing).groups
        assert groups("oracle") == "ORACLE"
        assert groups("Oracle") == "ORACLE"
        assert groups("OPEN AI") == "Open AI"
        assert groups("open   ai") == "Open AI"


def test_a_name_not_in_the_portfolio_is_returned_tidied() -> None:
    groups = book(deal("1B", 2025)).groups
    assert groups("  Brand   New ") == "Brand New"
    assert groups("acme") == "Acme"


# --- the book and its parts ------------------------------------------------------------------


def test_book_line_finds_a_commitments_numbers() -> None:
    b = book(deal("12B", "2025-01"), deal("24B", "2025-01", counterparty="Other"))
    first, second = b.portfolio.commitments
    assert b.line(first) is b.lines[0]
    assert b.line(second).amount == 24 * B
    stranger = load(deal("12B", "2025-01")).commitments[0]
    with pytest.raises(KeyError):
        b.line(stranger)


def test_term_properties() -> None:
    # 2025-11 + 14 months: Nov 2025 .. Dec 2026.
    term = Term(dt.date(2025, 11, 1), 14)
    assert term.end == dt.date(2026, 12, 1)
    assert term.first == 2025 * 12 + 10
    assert term.last == term.first + 13


def test_month_index_counts_consecutive_months() -> None:
    assert month_index(dt.date(2026, 1, 1)) - month_index(dt.date(2025, 12, 1)) == 1
    assert month_index(dt.date(2025, 1, 1)) == 2025 * 12


def test_growth_warning_names_exactly_the_grown_years() -> None:
    # horizon 2025-2029; forecast for 2026 and 2028: only 2027 and 2029 are grown
    from riskcore.defaults import load_config as _load

    data = portfolio(
        financials={"revenue_growth": None, "revenue_forecast": {2026: "11B", 2028: "12B"}},
        commitments=[
            {
                "counterparty": "A",
                "kind": "cloud",
                "amount": "5B",
                "start": "2025-01",
                "end": "2029-12",
            }
        ],
    )
    data["financials"].pop("revenue_growth")
    book = build_book(load_portfolio(data), _load()[0].engine)
    assert (
        "no revenue_growth given: revenue for 2027, 2029 is grown at the default 0.0% a year"
        in book.warnings
    )


@pytest.mark.parametrize(("years", "months"), [(0.125, 2), (0.375, 5), (2.5, 30), (1 / 24, 1)])
def test_term_months_round_halves_up(years: float, months: int) -> None:
    from riskcore.portfolio import term_months

    assert term_months(years) == months


# --- the credit view: debt service, operating costs, customers, materiality --------------------


def book_of(**sections: Any) -> Book:
    return build_book(load_portfolio(portfolio(**sections)), ENGINE)


def test_bullet_debt_pays_interest_monthly_and_principal_at_maturity() -> None:
    # 12B at 6% from 2025-01 (as_of) to 2026-06: interest 12 * 0.06 / 12 = 0.06B a month.
    # 2025: 12 months = 0.72B; 2026: 6 months = 0.36B, and the 12B principal in June.
    debt = {"lender": "Bank", "amount": "12B", "rate": 0.06, "maturity": "2026-06"}
    book = book_of(financials={"debt": [debt]}, commitments=[deal("1B", "2025-01")])
    assert book.debt_service == exact_map({2025: 0.72 * B, 2026: 12.36 * B})
    assert book.obligations == exact_map({2025: 1.72 * B, 2026: 12.36 * B})
    (line,) = book.debt
    assert line.interest == exact_map({2025: 0.72 * B, 2026: 0.36 * B})
    assert line.repayment == exact_map({2025: 0.0, 2026: 12 * B})


def test_linear_debt_repays_equal_parts_with_interest_on_the_balance() -> None:
    # 12B over 12 months (2025-01..2025-12) at 12%: 1B repaid a month; month k (0-based) pays
    # 1% of (12 - k)B: 0.12 + 0.11 + ... + 0.01 = 0.78B of interest in all.
    debt = {
        "lender": "Bank",
        "amount": "12B",
        "rate": 0.12,
        "maturity": "2025-12",
        "amortization": "linear",
    }
    book = book_of(financials={"debt": [debt]}, commitments=[])
    assert book.debt_service == exact_map({2025: 12.78 * B})
    assert book.years == (2025,)


def test_linear_debt_across_years_splits_the_closed_form() -> None:
    # as_of 2025-07: 6B over 2025-07..2026-06 (12 months) at 24%: 0.5B a month, 2% a month.
    # 2025 (k = 0..5): balances 6, 5.5, ..., 3.5 = 28.5 -> interest 0.57; repaid 3.
    # 2026 (k = 6..11): balances 3, 2.5, ..., 0.5 = 10.5 -> interest 0.21; repaid 3.
    debt = {
        "lender": "Bank",
        "amount": "6B",
        "rate": 0.24,
        "maturity": "2026-06",
        "amortization": "linear",
    }
    book = book_of(company={"as_of": "2025-07-01"}, financials={"debt": [debt]})
    (line,) = book.debt
    assert line.interest == exact_map({2025: 0.57 * B, 2026: 0.21 * B})
    assert line.repayment == exact_map({2025: 3 * B, 2026: 3 * B})


def test_debt_beyond_the_horizon_is_cut_with_it() -> None:
    # A 2040 bullet: the horizon is capped at 10 years (2025-2034), so only interest counts.
    debt = {"lender": "Bank", "amount": "10B", "rate": 0.05, "maturity": "2040-12"}
    book = book_of(financials={"debt": [debt]})
    assert book.years == tuple(range(2025, 2035))
    assert book.debt_service[2034] == exact(0.5 * B)


def test_operating_costs_keep_their_ratio_to_revenue() -> None:
    # Revenue 10B growing 50%; costs 6B at 10B: 60% of each year's revenue.
    book = book_of(
        financials={"revenue_growth": 0.5, "operating_costs": "6B"},
        commitments=[deal("3B", "2025-01", 3)],
    )
    assert book.operating_costs == exact_map({2025: 6 * B, 2026: 9 * B, 2027: 13.5 * B})


def test_operating_costs_by_year_carry_the_nearest_earlier_ratio() -> None:
    # Listed 2026: 12B on 10B of revenue (120%); 2025 (before the first listed) takes 2026's
    # ratio, 2027 carries it forward. Revenue flat at 10B, so 12B each year.
    book = book_of(financials={"operating_costs": {2026: "12B"}}, commitments=[deal("3B", 2025, 3)])
    assert book.operating_costs == exact_map({2025: 12 * B, 2026: 12 * B, 2027: 12 * B})


def test_operating_costs_count_the_as_of_year_pro_rata() -> None:
    book = book_of(
        company={"as_of": "2025-10-01"},
        financials={"operating_costs": "6B"},
        commitments=[deal("3B", "2025-10", 1)],
    )
    # 3 months of 2025 count: 6 * 3 / 12 = 1.5B.
    assert book.operating_costs is not None
    assert book.operating_costs[2025] == exact(1.5 * B)


def test_costs_do_not_fall_with_a_scenario_s_revenue() -> None:
    base = load_portfolio(
        portfolio(financials={"operating_costs": "6B"}, commitments=[deal("3B", 2025, 3)])
    )
    bear = build_book(base, ENGINE, revenue_multiplier=0.5)
    assert bear.operating_costs == exact_map({2025: 6 * B, 2026: 6 * B, 2027: 6 * B})
    assert bear.revenue == exact_map({2025: 10 * B, 2026: 5 * B, 2027: 5 * B})


def test_contracted_customer_revenue_is_a_floor_under_the_projection() -> None:
    # A signed 36B customer contract over 2026-2028: 12B a year against 10B projected.
    customer = {"counterparty": "Meta", "amount": "36B", "start": "2026-01", "term_years": 3}
    book = book_of(customers=[customer], commitments=[deal("30B", 2025, 5)])
    assert book.revenue == exact_map(
        {2025: 10 * B, 2026: 12 * B, 2027: 12 * B, 2028: 12 * B, 2029: 10 * B}
    )
    assert "revenue for 2026-2028 is the customers' contracted revenue" in book.warnings[0]
    # an announced contract is a hope, not revenue
    hoped = book_of(
        customers=[{**customer, "status": "announced"}], commitments=[deal("30B", 2025, 5)]
    )
    assert hoped.revenue[2026] == exact(10 * B)


def test_customer_values_remain_from_as_of() -> None:
    # 24B over 2024-07..2026-06 (24 months, 1B a month); as_of 2025-01: 18 months left.
    customer = {"counterparty": "Meta", "amount": "24B", "start": "2024-07", "end": "2026-06"}
    book = book_of(customers=[customer], commitments=[deal("1B", 2025)])
    ((_, value),) = book.customer_values
    assert value == exact(18 * B)


@pytest.mark.parametrize(
    ("cover", "materiality"),
    [
        (None, 0.0),
        (-3.0, 1.0),
        (0.5, 1.0),
        (1.0, 1.0),
        (2.0, 0.698970004336),
        (5.0, 0.301029995664),
        (10.0, 0.0),
        (50.0, 0.0),
    ],
)
def test_materiality_falls_with_the_log_of_the_cover(
    cover: float | None, materiality: float
) -> None:
    assert materiality_of(cover, 1.0, 10.0) == pytest.approx(materiality, abs=1e-12)


def test_means_cover_is_the_worst_running_ratio() -> None:
    # L = 2; N = 5, 1, 4; O = 2, 4, 0 -> (2 + 5) / 2 = 3.5, (2 + 6) / 6 = 1.33; year 3 owes
    # nothing and is left out.
    assert means_cover(2.0, [5.0, 1.0, 4.0], [2.0, 4.0, 0.0]) == pytest.approx(8 / 6)
    assert means_cover(2.0, [5.0], [0.0]) is None
    assert means_cover(0.0, [-5.0], [1.0]) == -5.0


def test_a_book_s_means_span_the_whole_window_whatever_falls_due() -> None:
    # Revenue 10B for ten years, cash 3B: 103B, however short the commitments.
    book = book_of(financials={"cash": "3B"}, commitments=[deal("1B", 2025)])
    assert book.years == (2025,)
    assert book.means == exact(103 * B)
    assert book.revenue_beyond == exact(90 * B)
