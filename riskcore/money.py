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
    re.VERBOSE,
)


class MoneyError(ValueError):
    """A value that is not a usable amount of money."""


def parse_money(value: object) -> float:
    """Return `value` as a finite, non-negative float in currency units.

    Accepts numbers and strings such as `38B`, `$1.4T`, `300 bn`, `500M`, `22.4e9` and
    `38,000,000,000`. Booleans, negatives, NaN and infinities are refused.
    """
    if isinstance(value, bool):
        raise MoneyError(f"expected an amount of money, got {str(value).lower()}")
    if isinstance(value, int | float):
        amount = float(value)
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
    for scale, letter in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if size >= scale:
            digits = 2 if size / scale < 10 and letter == "T" else 1
            return f"{sign}{symbol}{size / scale:,.{digits}f}{letter}{suffix}"
    return f"{sign}{symbol}{size:,.0f}{suffix}"
