"""The portfolio models (`riskcore/portfolio.py`): months, terms, explicit schedules, currencies
and counterparty groups, validated through `load_portfolio` on small literal mappings so each
problem comes back as a located (location, message) pair.

Unless a test says otherwise the portfolio is conftest's BASE (USD, as_of 2025-01-15, revenue 10B)
with one commitment from `row()`: 1B of cloud, flat, 12 months from 2025-01.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

import riskcore
from conftest import portfolio
from riskcore.errors import InputError, PortfolioError
from riskcore.loading import load_portfolio
from riskcore.portfolio import (
    Commitment,
    Portfolio,
    add_months,
    normalize_name,
)

B = 1e9


def row(**fields: Any) -> dict[str, Any]:
    """A commitment row; a field given as None is left out."""
    data: dict[str, Any] = {
        "counterparty": "Acme",
        "kind": "cloud",
        "amount": "1B",
        "start": "2025-01",
        "term_years": 1,
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def explicit(schedule: dict[Any, Any], **fields: Any) -> dict[str, Any]:
    """An explicit-profile row with no amount, start or term unless given."""
    base: dict[str, Any] = {"amount": None, "start": None, "term_years": None}
    return row(profile="explicit", schedule=schedule, **{**base, **fields})


def load(*rows: dict[str, Any], **sections: Any) -> Portfolio:
    return load_portfolio(portfolio(commitments=list(rows or [row()]), **sections))


def problems(*rows: dict[str, Any], **sections: Any) -> list[tuple[str, str]]:
    """The (location, message) pairs of a portfolio that must not load."""
    with pytest.raises(PortfolioError) as info:
        load(*rows, **sections)
    return info.value.pairs


# --- the error types -------------------------------------------------------------------------


def test_portfolio_error_is_an_input_error_exported_by_the_package() -> None:
    assert riskcore.PortfolioError is PortfolioError
    assert issubclass(PortfolioError, InputError)
    assert issubclass(PortfolioError, riskcore.RiskcoreError)


# --- months ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "month"),
    [
        (2025, dt.date(2025, 1, 1)),  # a bare year starts in January
        ("2025", dt.date(2025, 1, 1)),
        ("2025-03", dt.date(2025, 3, 1)),
        ("2025-3", dt.date(2025, 3, 1)),
        ("2025-03-31", dt.date(2025, 3, 1)),  # a day counts as its month
        (dt.date(2025, 3, 31), dt.date(2025, 3, 1)),  # YAML and TOML give dates
        (dt.datetime(2025, 3, 31, 12, 0), dt.date(2025, 3, 1)),
    ],
)
def test_start_reads_a_year_month_or_day_as_the_first_of_its_month(
    start: object, month: dt.date
) -> None:
    assert load(row(start=start)).commitments[0].start == month


@pytest.mark.parametrize(
    ("end", "month"),
    [
        (2026, dt.date(2026, 12, 1)),  # a bare year ends in December
        ("2026", dt.date(2026, 12, 1)),
        ("2026-06", dt.date(2026, 6, 1)),
        ("2026-06-15", dt.date(2026, 6, 1)),
        (dt.date(2026, 6, 30), dt.date(2026, 6, 1)),
    ],
)
def test_end_reads_a_bare_year_as_december(end: object, month: dt.date) -> None:
    assert load(row(end=end, term_years=None)).commitments[0].end == month


def test_months_serialise_as_year_month() -> None:
    c = load(row(start="2025-03-31", end="2026", term_years=None)).commitments[0]
    assert c.model_dump(mode="json")["start"] == "2025-03"
    assert c.model_dump(mode="json")["end"] == "2026-12"


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2025-13", "'2025-13' is not a real date: month must be in 1..12"),
        ("2025-02-30", "'2025-02-30' is not a real date: day is out of range for month"),
        ("0000", "'0000' is not a real date: year 0 is out of range"),
        ("25-01", "expected a month as YYYY, YYYY-MM or YYYY-MM-DD, got '25-01'"),
        ("March 2025", "expected a month as YYYY, YYYY-MM or YYYY-MM-DD, got 'March 2025'"),
        (25, "expected a month as YYYY, YYYY-MM or YYYY-MM-DD, got '25'"),
    ],
)
def test_a_bad_month_is_refused_quoting_the_value(start: object, message: str) -> None:
    assert problems(row(start=start)) == [("commitments[0].start", message)]


# --- terms -----------------------------------------------------------------------------------


def test_a_term_that_ends_before_it_starts_is_refused() -> None:
    # end 2024 means December 2024, one month before the 2025-01 start.
    assert problems(row(end=2024, term_years=None)) == [
        ("commitments[0].end", "the term ends (2024-12) before it starts (2025-01)")
    ]


def test_a_one_month_term_by_end_is_allowed() -> None:
    c = load(row(start="2025-07", end="2025-07", term_years=None)).commitments[0]
    assert (c.start, c.end) == (dt.date(2025, 7, 1), dt.date(2025, 7, 1))


def test_term_years_and_end_together_are_refused() -> None:
    assert problems(row(end=2026, term_years=2)) == [
        ("commitments[0].end", "give term_years or end, not both")
    ]


def test_a_term_needs_term_years_or_end() -> None:
    assert problems(row(term_years=None)) == [
        ("commitments[0].term_years", "give term_years or end")
    ]


def test_a_flat_or_ramp_commitment_needs_a_start() -> None:
    assert problems(row(start=None), row(start=None, profile="ramp")) == [
        ("commitments[0].start", "a flat commitment needs a start month"),
        ("commitments[1].start", "a ramp commitment needs a start month"),
    ]


def test_term_years_shorter_than_half_a_month_is_refused() -> None:
    # 0.04 years x 12 = 0.48 months, which rounds to 0.
    assert problems(row(term_years=0.04)) == [
        ("commitments[0].term_years", "the term must last at least one month")
    ]


@pytest.mark.parametrize(
    ("term_years", "message"),
    [
        (0, "Input should be greater than 0"),
        (-1, "Input should be greater than 0"),
        (101, "Input should be less than or equal to 100"),
        (float("inf"), "Input should be a finite number"),
    ],
)
def test_term_years_bounds(term_years: float, message: str) -> None:
    assert problems(row(term_years=term_years)) == [("commitments[0].term_years", message)]


def test_fractional_term_years_are_kept() -> None:
    assert load(row(term_years=2.5)).commitments[0].term_years == 2.5


# --- amounts ---------------------------------------------------------------------------------


def test_money_fields_accept_text() -> None:
    p = load(row(amount="$1.4T"), financials={"revenue": "300 bn", "cash": "22.4e9"})
    assert p.commitments[0].amount == pytest.approx(1.4e12, rel=1e-12)
    assert p.financials.revenue == pytest.approx(300e9, rel=1e-12)
    assert p.financials.cash == pytest.approx(22.4e9, rel=1e-12)


def test_a_commitment_with_neither_amount_nor_capacity_is_refused() -> None:
    assert problems(row(amount=None)) == [
        ("commitments[0].amount", "give an amount, or capacity_gw to estimate one")
    ]


def test_zero_capacity_does_not_stand_in_for_an_amount() -> None:
    assert problems(row(amount=None, capacity_gw=0)) == [
        ("commitments[0].amount", "give an amount, or capacity_gw to estimate one")
    ]


def test_capacity_alone_is_enough() -> None:
    c = load(row(amount=None, capacity_gw=1.5)).commitments[0]
    assert (c.amount, c.capacity_gw) == (None, 1.5)


def test_bad_money_is_located_at_its_field() -> None:
    assert problems(row(amount="12X"), row(amount="-5B"), financials={"cash": "--1B"}) == [
        ("commitments[0].amount", "unknown unit 'X' in '12X'; use K, M, B (bn) or T"),
        ("commitments[1].amount", "amount must not be negative, got '-5B'"),
        (
            "financials.cash",
            "cannot read '--1B' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000",
        ),
    ]


@pytest.mark.parametrize("revenue", [0, "0B", "0"])
def test_revenue_must_be_above_zero(revenue: object) -> None:
    assert problems(financials={"revenue": revenue}) == [
        ("financials.revenue", "revenue must be above zero")
    ]


@pytest.mark.parametrize(
    ("growth", "message"),
    [
        (-1, "Input should be greater than -1"),
        (float("inf"), "Input should be a finite number"),
        (float("nan"), "Input should be a finite number"),
        (11, "Input should be less than or equal to 10"),
    ],
)
def test_revenue_growth_bounds(growth: float, message: str) -> None:
    assert problems(financials={"revenue_growth": growth}) == [
        ("financials.revenue_growth", message)
    ]


def test_an_empty_or_missing_commitment_list_is_an_empty_book() -> None:
    # A company with nothing to pay is a valid book (the engine rates it NR, "nothing to pay").
    assert load_portfolio(portfolio(commitments=[])).commitments == []
    book = {k: v for k, v in portfolio().items() if k != "commitments"}
    assert load_portfolio(book).commitments == []


@pytest.mark.parametrize(
    ("field", "value", "location", "message"),
    [
        (
            "kind",
            "rocket",
            "commitments[0].kind",
            "Input should be 'cloud', 'chips', 'datacenter', 'power', 'lease' or 'other'",
        ),
        (
            "profile",
            "lumpy",
            "commitments[0].profile",
            "Input should be 'flat', 'ramp' or 'explicit'",
        ),
        (
            "status",
            "rumour",
            "commitments[0].status",
            "Input should be 'signed', 'announced' or 'loi'",
        ),
        (
            "counterparty",
            "",
            "commitments[0].counterparty",
            "String should have at least 1 character",
        ),
        (
            "counterparty",
            "   ",
            "commitments[0].counterparty",
            "String should have at least 1 character",
        ),
    ],
)
def test_commitment_field_values(field: str, value: str, location: str, message: str) -> None:
    assert problems(row(**{field: value})) == [(location, message)]


def test_defaults_and_stripped_text() -> None:
    c = load(row(counterparty="  Acme Cloud  ")).commitments[0]
    assert c.counterparty == "Acme Cloud"
    assert (c.profile, c.status, c.currency, c.schedule) == ("flat", "signed", None, None)


# --- explicit schedules ----------------------------------------------------------------------


def test_explicit_schedule_without_amount_or_term() -> None:
    c = load(explicit({2026: "12B", 2027: "24B"})).commitments[0]
    assert c.schedule == {2026: 12 * B, 2027: 24 * B}
    assert (c.amount, c.start, c.end) == (None, None, None)


def test_explicit_schedule_keys_given_as_text_are_years() -> None:
    # JSON and TOML keys are always text.
    c = load(explicit({"2026": "12B"})).commitments[0]
    assert c.schedule == {2026: 12 * B}


def test_a_schedule_needs_profile_explicit() -> None:
    assert problems(row(schedule={2025: "1B"})) == [
        ("commitments[0].schedule", "a schedule needs profile: explicit")
    ]


@pytest.mark.parametrize("schedule", [None, {}])
def test_profile_explicit_needs_a_schedule(schedule: dict[int, str] | None) -> None:
    assert problems(row(profile="explicit", schedule=schedule)) == [
        ("commitments[0].schedule", "profile: explicit needs a schedule of {year: amount}")
    ]


def test_schedule_years_outside_the_term_are_refused() -> None:
    # Term 2025-01 to 2025-12: 2024 and 2026 lie outside it.
    row_ = explicit({2024: "1B", 2025: "1B", 2026: "1B"}, start="2025-01", end="2025")
    assert problems(row_) == [
        ("commitments[0].schedule", "years 2024, 2026 fall outside the term 2025-01 to 2025-12")
    ]


def test_schedule_years_are_checked_against_term_years() -> None:
    # start 2025-07 + 0.5 years = 6 months: 2025-07 to 2025-12; 2026 is outside.
    row_ = explicit({2025: "1B", 2026: "1B"}, start="2025-07", term_years=0.5)
    assert problems(row_) == [
        ("commitments[0].schedule", "years 2026 fall outside the term 2025-07 to 2025-12")
    ]
    # 1 year from 2025-07 runs to 2026-06, so 2026 is inside.
    assert load(explicit({2025: "1B", 2026: "1B"}, start="2025-07", term_years=1))


def test_explicit_term_that_ends_before_it_starts_is_refused() -> None:
    row_ = explicit({2026: "1B"}, start="2026-01", end=2025)
    assert problems(row_) == [
        ("commitments[0].end", "the term ends (2025-12) before it starts (2026-01)")
    ]


def test_explicit_without_start_starts_in_january_of_the_first_year() -> None:
    # No start: the term starts 2026-01, so an end of 2025 is before it.
    assert problems(explicit({2026: "1B"}, end=2025)) == [
        ("commitments[0].end", "the term ends (2025-12) before it starts (2026-01)")
    ]


@pytest.mark.parametrize(
    "amount",
    [
        "2B",  # equal to the sum 1B + 1B
        "2.009B",  # 0.009B over: 0.45% of 2.009B
        "1.991B",  # 0.009B under: 0.45% of 2B
    ],
)
def test_explicit_amount_within_half_a_percent_of_the_schedule_sum(amount: str) -> None:
    assert load(explicit({2025: "1B", 2026: "1B"}, amount=amount)).commitments[0].amount


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("2.02B", "amount 2,020,000,000 differs from the schedule's sum 2,000,000,000"),  # 0.99%
        ("1.98B", "amount 1,980,000,000 differs from the schedule's sum 2,000,000,000"),  # 1%
    ],
)
def test_explicit_amount_off_the_schedule_sum_is_refused(amount: str, shown: str) -> None:
    assert problems(explicit({2025: "1B", 2026: "1B"}, amount=amount)) == [
        ("commitments[0].amount", f"{shown} by more than 0.5%")
    ]


# --- currencies ------------------------------------------------------------------------------


def test_currency_codes_are_upper_cased() -> None:
    p = load(
        row(currency="eur"),
        company={"currency": "usd"},
        fx={"eur": 1.1},
        financing=[{"investor": "Fund", "amount": "1B", "currency": " Eur "}],
    )
    assert p.company.currency == "USD"
    assert p.commitments[0].currency == "EUR"
    assert p.financing[0].currency == "EUR"
    assert p.fx == {"EUR": 1.1}


@pytest.mark.parametrize(
    ("sections", "location"),
    [
        ({"company": {"currency": "XYZ"}}, "company.currency"),
        ({"fx": {"XYZ": 1.0}}, "fx.XYZ"),
    ],
)
def test_codes_outside_iso_4217_are_refused(sections: dict[str, Any], location: str) -> None:
    assert problems(**sections) == [
        (location, "'XYZ' is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
    ]


def test_a_row_currency_outside_iso_4217_is_refused() -> None:
    assert problems(row(currency="US$")) == [
        ("commitments[0].currency", "'US$' is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
    ]


def test_a_currency_without_a_rate_is_refused_for_every_row() -> None:
    rows = [row(currency="EUR"), row(currency="USD"), row(currency="GBP")]
    financing = [{"investor": "Fund", "amount": "1B", "currency": "JPY"}]
    assert problems(*rows, financing=financing, fx={"GBP": 1.3}) == [
        ("commitments[0].currency", "no exchange rate for EUR: add fx: {EUR: <USD per EUR>}"),
        ("financing[0].currency", "no exchange rate for JPY: add fx: {JPY: <USD per JPY>}"),
    ]


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (0, "Input should be greater than 0"),
        (-1.1, "Input should be greater than 0"),
        (float("inf"), "Input should be a finite number"),
    ],
)
def test_fx_rates_must_be_positive_and_finite(rate: float, message: str) -> None:
    assert problems(fx={"EUR": rate}) == [("fx.EUR", message)]


def test_rate_is_one_for_the_home_currency() -> None:
    p = load(row(currency="EUR"), fx={"EUR": 1.1})
    assert p.rate(None) == 1.0
    assert p.rate("USD") == 1.0
    assert p.rate("EUR") == 1.1


# --- counterparty groups ---------------------------------------------------------------------


def test_an_alias_claimed_by_two_groups_is_refused() -> None:
    # Groups are checked in sorted order: Azure claims "msft" first, then Microsoft's "MSFT"
    # (the same name, case-insensitively) collides with it.
    groups = {"Microsoft": {"aliases": ["MSFT"]}, "Azure": {"aliases": ["msft "]}}
    assert problems(counterparties=groups) == [
        ("counterparties.Microsoft.aliases", "'MSFT' already names the group 'Azure'")
    ]


def test_a_group_key_used_as_another_groups_alias_is_refused() -> None:
    groups = {"OpenAI": {"aliases": []}, "Microsoft": {"aliases": ["openai"]}}
    assert problems(counterparties=groups) == [
        ("counterparties.OpenAI.aliases", "'OpenAI' already names the group 'Microsoft'")
    ]


def test_a_group_may_repeat_its_own_name() -> None:
    groups = {"Microsoft": {"aliases": ["microsoft", "MSFT", "msft"]}}
    assert load(counterparties=groups).counterparties["Microsoft"].aliases == [
        "microsoft",
        "MSFT",
        "msft",
    ]


def test_an_empty_alias_is_refused() -> None:
    assert problems(counterparties={"Microsoft": {"aliases": ["MSFT", ""]}}) == [
        ("counterparties.Microsoft.aliases[1]", "String should have at least 1 character")
    ]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("OpenAI", "openai"),
        ("  Open   AI ", "open ai"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
    ],
)
def test_normalize_name(name: str, key: str) -> None:
    assert normalize_name(name) == key


# --- the model itself ------------------------------------------------------------------------


def test_unknown_fields_are_refused_in_every_section() -> None:
    assert problems(row(ammount="1B"), company={"nmae": "x"}) == [
        ("commitments[0].ammount", "unknown field 'ammount'; did you mean 'amount'?"),
        ("company.nmae", "unknown field 'nmae'; did you mean 'name'?"),
    ]


def test_extensions_are_free_form() -> None:
    p = load(extensions={"my_plugin": {"anything": [1, "two", {"three": 3.0}]}})
    assert p.extensions == {"my_plugin": {"anything": [1, "two", {"three": 3.0}]}}


def test_models_are_frozen() -> None:
    p = load()
    with pytest.raises(ValidationError):
        p.company.name = "Other"  # type: ignore[misc]


def test_commitment_validates_on_its_own() -> None:
    c = Commitment.model_validate(
        {"counterparty": "Acme", "kind": "power", "amount": 5, "start": 2030, "end": 2031}
    )
    assert (c.start, c.end, c.amount) == (dt.date(2030, 1, 1), dt.date(2031, 12, 1), 5.0)


def test_json_schema_describes_money_as_number_or_text() -> None:
    schema = Portfolio.model_json_schema()
    revenue = schema["$defs"]["Financials"]["properties"]["revenue"]
    assert {"type": "number", "minimum": 0} in revenue["anyOf"]


def test_backlog_is_optional_money() -> None:
    # Oracle's remaining performance obligations, as riskcore network's exposure shares read them.
    given = load_portfolio(portfolio(financials={"backlog": "455B"}, commitments=[row()]))
    assert given.financials.backlog == 455 * B
    assert load_portfolio(portfolio(commitments=[row()])).financials.backlog is None
    with pytest.raises(PortfolioError, match=r"financials\.backlog"):
        load_portfolio(portfolio(financials={"backlog": "-5B"}, commitments=[row()]))
    described = Portfolio.model_json_schema()["$defs"]["Financials"]["properties"]["backlog"]
    assert "remaining performance obligations" in str(described)


@pytest.mark.parametrize(
    ("month", "count", "result"),
    [
        (dt.date(2025, 11, 1), 2, dt.date(2026, 1, 1)),  # Nov + 2 = Jan next year
        (dt.date(2025, 1, 1), -1, dt.date(2024, 12, 1)),
        (dt.date(2025, 12, 1), 0, dt.date(2025, 12, 1)),
        (dt.date(2025, 1, 1), 29, dt.date(2027, 6, 1)),  # 29 months on: 2 years 5 months
    ],
)
def test_add_months(month: dt.date, count: int, result: dt.date) -> None:
    assert add_months(month, count) == result


@pytest.mark.parametrize(
    ("section", "patch", "location", "message"),
    [
        (
            "financials",
            {"revenue": 0.5},
            "financials.revenue",
            "revenue must be at least 1 currency unit, got 0.5",
        ),
        ("fx", {"EUR": 1e9}, "fx.EUR", "exchange rate 1e+09 is outside 1e-6 to 1e6"),
        ("fx", {"EUR": 0}, "fx.EUR", "Input should be greater than 0"),
    ],
)
def test_bounds_that_keep_every_sum_finite(
    section: str, patch: dict[str, object], location: str, message: str
) -> None:
    from riskcore import PortfolioError, load_portfolio

    data = portfolio(
        commitments=[
            {
                "counterparty": "A",
                "kind": "cloud",
                "amount": "1B",
                "start": "2025-01",
                "term_years": 1,
            }
        ]
    )
    data[section] = {**data.get(section, {}), **patch}
    with pytest.raises(PortfolioError) as err:
        load_portfolio(data)
    ((where, text),) = err.value.pairs
    assert where == location and text.startswith(message)
