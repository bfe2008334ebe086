"""Money as people write it (`riskcore/money.py`): parsing every accepted form, refusing the rest,
and compact formatting for display.
"""

from __future__ import annotations

import pytest

import riskcore
from riskcore.money import MoneyError, format_money, parse_money


def exact(value: float) -> object:
    return pytest.approx(value, rel=1e-12)


# --- parse_money: accepted forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("38B", 38e9),  # 38 x 1e9
        ("38b", 38e9),  # units are case-insensitive
        ("$1.4T", 1.4e12),  # 1.4 x 1e12; the symbol is decoration
        ("300 bn", 300e9),  # 300 x 1e9, space before the unit
        ("500M", 500e6),  # 500 x 1e6
        ("22.4e9", 22.4e9),  # exponent, no unit
        ("38,000,000,000", 38e9),  # thousands separators
        ("1,000.5M", 1_000.5e6),  # separators and decimals: 1000.5 x 1e6
        ("1.5e3M", 1.5e9),  # exponent and unit: 1500 x 1e6
        (".5B", 0.5e9),  # leading decimal point
        ("  38 B  ", 38e9),  # surrounding whitespace
        ("+5B", 5e9),  # an explicit plus sign
        ("€1.2T", 1.2e12),
        ("£3 billion", 3e9),
        ("¥7 trillion", 7e12),
        ("12K", 12e3),
        ("12 thousand", 12e3),
        ("4 mm", 4e6),
        ("4mn", 4e6),
        ("4 mio", 4e6),
        ("4 million", 4e6),
        ("2tn", 2e12),
        ("1234", 1234.0),  # a bare number is currency units
        ("0", 0.0),  # zero is an amount
    ],
)
def test_parse_money_text_forms(text: str, expected: float) -> None:
    assert parse_money(text) == exact(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [(38, 38.0), (22.4e9, 22.4e9), (0, 0.0), (2.5, 2.5)]
)
def test_parse_money_numbers_pass_through_as_floats(value: float, expected: float) -> None:
    result = parse_money(value)
    assert type(result) is float
    assert result == expected


def test_parse_money_is_exported_from_the_package() -> None:
    assert riskcore.parse_money is parse_money
    assert riskcore.format_money is format_money


# --- parse_money: refused forms --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5B", "amount must not be negative, got '-5B'"),
        (-1, "amount must not be negative, got -1"),
        (-0.5, "amount must not be negative, got -0.5"),
        (float("nan"), "amount is not a number (NaN)"),
        (float("inf"), "amount is infinite or too large"),
        ("1e400", "amount is infinite or too large"),  # float('1e400') is inf
        ("1e300T", "amount is infinite or too large"),  # 1e300 x 1e12 overflows to inf
        ("12X", "unknown unit 'X' in '12X'; use K, M, B (bn) or T"),
        ("38 bananas", "unknown unit 'bananas' in '38 bananas'; use K, M, B (bn) or T"),
        (
            "--5B",
            "cannot read '--5B' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000",
        ),
        ("", "cannot read '' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000"),
        ("B", "cannot read 'B' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000"),
        ("NaN", "cannot read 'NaN' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000"),
        (
            "1,00",
            "cannot read '1,00' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000",
        ),
        (
            "3 8B",
            "cannot read '3 8B' as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000",
        ),
        (True, "expected an amount of money, got true"),
        (False, "expected an amount of money, got false"),
        (None, "expected an amount of money, got NoneType"),
        ([38], "expected an amount of money, got list"),
    ],
)
def test_parse_money_refuses(value: object, message: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_money(value)
    assert str(info.value) == message


def test_money_error_is_a_value_error() -> None:
    # pydantic turns ValueError raised by a validator into a located validation error.
    assert issubclass(MoneyError, ValueError)


def test_parse_money_refuses_an_integer_too_large_for_a_float() -> None:
    # YAML and JSON both read a 401-digit number as a Python int; float() of it overflows.
    with pytest.raises(MoneyError, match="too large"):
        parse_money(10**400)


# --- format_money ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (38e9, "USD", "$38.0B"),  # 38e9 / 1e9 = 38.0
        (1.2e12, "EUR", "€1.20T"),  # below 10T: two decimals
        (1.4e12, "USD", "$1.40T"),
        (12e12, "USD", "$12.0T"),  # 10T and above: one decimal
        (500e6, "USD", "$500.0M"),
        (1_500, "GBP", "£1.5K"),
        (999, "USD", "$999"),  # below 1K: whole units
        (0, "USD", "$0"),
        (22.4e9, "JPY", "¥22.4B"),
        (38e9, "CHF", "38.0B CHF"),  # no symbol: the code follows
        (-5e9, "USD", "-$5.0B"),  # the sign goes before the symbol
        (1_234_567e9, "USD", "$1,234.6T"),  # 1234.567T, thousands separated
        (None, "USD", "—"),
    ],
)
def test_format_money(amount: float | None, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


def test_format_money_defaults_to_dollars() -> None:
    assert format_money(38e9) == "$38.0B"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (999_999_999_999, "$1.00T"),  # 999.999999999B rounds to 1000.0B = 1.00T
        (999_999, "$1.0M"),  # 999.999K rounds to 1000.0K = 1.0M
        (999.5, "$1.0K"),  # 999.5 rounds to 1,000 units = 1.0K
        (999_949_999, "$999.9M"),  # 999.949999M rounds to 999.9M: stays in millions
    ],
)
def test_format_money_rounding_up_moves_to_the_next_scale(amount: float, text: str) -> None:
    assert format_money(amount) == text


def test_only_ascii_digits_are_money() -> None:
    with pytest.raises(MoneyError):
        parse_money("\u0663\u0668B")  # Arabic-Indic 38


@pytest.mark.parametrize("value", ["1.000001e18", 2e18, "1001000T"])
def test_amounts_above_1e18_are_refused(value: object) -> None:
    with pytest.raises(MoneyError, match="above the limit of 1e18 currency units"):
        parse_money(value)


def test_1e18_itself_is_accepted() -> None:
    assert parse_money("1000000T") == 1e18
