"""Parse money written by people (`38B`, `$1.4T`, `300 bn`) and format it for display."""

from __future__ import annotations

import math
import re

_SCALES: dict[str, float] = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}

_MONEY = re.compile(
    r"""^\s*
    (?P<sign>[-+])?\s*
    (?P<symbol>[$€£¥])?\s*
    (?P<number>
        (?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?   # 38 / 38.5 / 38,000,000
        |\.\d+
    )
    (?P<exp>[eE][-+]?\d+)?
    \s*(?P<unit>[A-Za-z]+)?\s*$""",
    re.VERBOSE | re.ASCII,
)


MAX_AMOUNT = 1e18
"""The largest amount accepted: far above any real book (OpenAI's ~$1.4T is 6e16 Iranian
rials), and small enough that sums, growth and products stay finite floats."""


class MoneyError(ValueError):
    """A value that is not a usable amount of money."""


def parse_money(value: object) -> float:
    """Return `value` as a finite, non-negative float in currency units.

    Accepts numbers and strings such as `38B`, `$1.4T`, `300 bn`, `500M`, `22.4e9` and
    `38,000,000,000`. Booleans, negatives, NaN and infinities are refused.
    """
    # The common cases first (every amount of every portfolio comes through here): a plain
    # float, int or text that reads as an amount in range. Anything else, and every error,
    # takes the full path below.
    if type(value) is float:
        if 0 <= value <= MAX_AMOUNT:  # False for NaN
            return value
    elif type(value) is int:
        if 0 <= value <= MAX_AMOUNT:
            return float(value)
    elif type(value) is str:
        amount = _parse_text(value)
        if 0 <= amount <= MAX_AMOUNT:
            return amount
    if isinstance(value, bool):
        raise MoneyError(f"expected an amount of money, got {str(value).lower()}")
    if isinstance(value, int | float):
        try:
            amount = float(value)
        except OverflowError:
            raise MoneyError("amount is infinite or too large") from None
    elif isinstance(value, str):
        amount = _parse_text(value)
    else:
        raise MoneyError(f"expected an amount of money, got {type(value).__name__}")
    if math.isnan(amount):
        raise MoneyError("amount is not a number (NaN)")
    if math.isinf(amount):
        raise MoneyError("amount is infinite or too large")
    if amount < 0:
        raise MoneyError(f"amount must not be negative, got {value!r}")
    if amount > MAX_AMOUNT:
        raise MoneyError(f"amount {amount:.3g} is above the limit of 1e18 currency units")
    return amount


def _parse_text(text: str) -> float:
    match = _MONEY.match(text)
    if match is None:
        raise MoneyError(
            f"cannot read {text!r} as money; write e.g. 38B, 1.4T, 500M, 22.4e9 or 38,000,000,000"
        )
    unit = (match["unit"] or "").lower()
    if unit not in _SCALES:
        raise MoneyError(f"unknown unit {match['unit']!r} in {text!r}; use K, M, B (bn) or T")
    try:
        number = float(match["number"].replace(",", "") + (match["exp"] or ""))
    except OverflowError as exc:  # pragma: no cover - float() returns inf rather than raising
        raise MoneyError(f"{text!r} is too large") from exc
    amount = number * _SCALES[unit]
    return -amount if match["sign"] == "-" else amount


def format_money(amount: float | None, currency: str = "USD") -> str:
    """Format an amount compactly for people: `$38.0B`, `€1.20T`, `—` for None."""
    if amount is None:
        return "—"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency, "")
    suffix = "" if symbol else f" {currency}"
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    scales = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"), (1.0, ""))
    index = next(i for i, (scale, _) in enumerate(scales) if size >= scale or scale == 1.0)
    # Choose the scale after rounding, so 999,999,999,999 reads $1.00T, not $1,000.0B.
    if index > 0 and round(size / scales[index][0], _digits(scales[index][1], 0)) >= 1000:
        index -= 1
    scale, letter = scales[index]
    digits = _digits(letter, size / scale)
    return f"{sign}{symbol}{size / scale:,.{digits}f}{letter}{suffix}"


def _digits(letter: str, value: float) -> int:
    """Decimals shown: none for plain units, two for trillions below 10, else one."""
    if not letter:
        return 0
    return 2 if letter == "T" and value < 10 else 1


def format_share(share: float) -> str:
    """A share as a whole percentage (`23%`); a small one above zero reads `under 1%`."""
    if 0 < share < 0.005:
        return "under 1%"
    return f"{share:.0%}"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS) or (text.startswith("'") and _runs_as_formula(text[1:]))


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's CSV-injection rule).

    A cell that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe,
    which spreadsheets show as text; so does one that already starts with an apostrophe before
    such a character, so that `spreadsheet_text` can always undo it exactly.
    """
    return "'" + text if _runs_as_formula(text) else text


def spreadsheet_text(cell: str) -> str:
    """The text `spreadsheet_safe` was given (the inverse)."""
    return cell[1:] if cell.startswith("'") and _runs_as_formula(cell[1:]) else cell
