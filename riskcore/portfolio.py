"""The portfolio file format as pydantic models: validation, JSON Schema and attributes.

A portfolio is one company's commitment book as of a date: its financials, the commitments it
pays to counterparties, and the financing that flows back from them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .currency import ISO_4217, check_currency
from .money import parse_money

Money = Annotated[
    float,
    BeforeValidator(parse_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "examples": ["38B", "$1.4T", "300 bn", "500M", "22.4e9"]},
            ],
            "description": "Money in currency units: a number or text such as 38B, 1.4T, 500M.",
        }
    ),
]
"""An amount of money: a non-negative float in currency units, written as number or text."""

Currency = Annotated[
    str,
    BeforeValidator(lambda v: check_currency(v) if isinstance(v, str) else v),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217"}),
]

_MONTH = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


def _month(value: object, *, end: bool) -> object:
    """Read YYYY, YYYY-MM or YYYY-MM-DD (or a date) as the first day of a month."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return value
    match = _MONTH.match(value)
    if match is None:
        raise PydanticCustomError(
            "month",
            "{msg}",
            {"msg": f"expected a month as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}"},
        )
    year = int(match[1])
    month = int(match[2]) if match[2] else (12 if end else 1)
    day = int(match[3]) if match[3] else 1
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise PydanticCustomError(
            "month", "{msg}", {"msg": f"{value!r} is not a real date: {exc}"}
        ) from None
    return dt.date(year, month, 1)


_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _date(value: object) -> object:
    """Read YYYY-MM-DD (or a date) as a date; a number is refused, not read as a Unix time."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        raise PydanticCustomError(
            "date", "{msg}", {"msg": f"expected a date as YYYY-MM-DD, got {shown}"}
        )
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise PydanticCustomError(
            "date", "{msg}", {"msg": f"{value!r} is not a real date: {exc}"}
        ) from None


Day = Annotated[dt.date, BeforeValidator(_date)]
"""A calendar day, written YYYY-MM-DD."""

_MONTH_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^\d{4}(-\d{1,2}){0,2}$"}],
        "description": "YYYY, YYYY-MM or YYYY-MM-DD; only the month counts",
    }
)
_MONTH_OUT = PlainSerializer(lambda d: f"{d.year:04d}-{d.month:02d}", return_type=str)

StartMonth = Annotated[
    dt.date, BeforeValidator(lambda v: _month(v, end=False)), _MONTH_SCHEMA, _MONTH_OUT
]
"""A month, read as its first day; a bare year means January."""
EndMonth = Annotated[
    dt.date, BeforeValidator(lambda v: _month(v, end=True)), _MONTH_SCHEMA, _MONTH_OUT
]
"""A month included in a term; a bare year means December."""

Kind = Literal["cloud", "chips", "datacenter", "power", "lease", "other"]
Status = Literal["signed", "announced", "loi"]
Profile = Literal["flat", "ramp", "explicit"]
FinancingKind = Literal["equity", "debt", "warrants", "credits", "backstop", "other"]
Amortization = Literal["bullet", "linear"]


def field_error(field: str, message: str, **values: object) -> PydanticCustomError:
    """An error that the loader reports at `<model location>.<field>`."""
    return PydanticCustomError(
        "riskcore", "{msg}", {"field": field, "msg": message.format(**values)}
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def check_term(start: dt.date, term_years: float | None, end: dt.date | None) -> None:
    """A term from `start`: exactly one of term_years or end, ending no earlier, a month long."""
    if term_years is None and end is None:
        raise field_error("term_years", "give term_years or end")
    if end is not None and end < start:
        raise field_error(
            "end", "the term ends ({e:%Y-%m}) before it starts ({s:%Y-%m})", e=end, s=start
        )
    if term_years is not None and term_months(term_years) < 1:
        raise field_error("term_years", "the term must last at least one month")


class Company(_Model):
    """Who the portfolio describes and when."""

    name: str = Field(min_length=1, description="Company name.")
    as_of: Day = Field(description="Date of the figures; earlier months count as paid.")
    currency: Currency = Field(
        default="USD", description="ISO 4217 code of every amount in the file."
    )


def _operating_costs(value: object) -> object:
    """One amount (projected with revenue) or a {year: amount} mapping, each value money."""
    if not isinstance(value, Mapping):
        return parse_money(value)
    out: dict[int, float] = {}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for key, amount in value.items():
        year = _year_key(key)
        if year is None:
            problems.append(((key,), f"expected a calendar year as the key, got {key!r:.40}"))
            continue
        try:
            out[year] = parse_money(amount)
        except ValueError as exc:
            problems.append(((key,), str(exc)))
    if problems:
        raise PydanticCustomError(
            "riskcore_many", "{msg}", {"msg": problems[0][1], "problems": problems}
        )
    if not out:
        raise PydanticCustomError(
            "riskcore_many",
            "{msg}",
            {
                "msg": "give at least one year",
                "problems": [((), "give at least one {year: amount}")],
            },
        )
    return out


def _year_key(key: object) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key if 1900 <= key <= 2200 else None
    if isinstance(key, str) and key.strip().isdecimal():
        return _year_key(int(key))
    return None


OperatingCosts = Annotated[
    float | dict[int, float],
    BeforeValidator(_operating_costs),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "examples": ["3B", "450M"]},
                {
                    "type": "object",
                    "patternProperties": {
                        r"^\d{4}$": {"anyOf": [{"type": "number"}, {"type": "string"}]}
                    },
                    "additionalProperties": False,
                },
            ],
            "description": (
                "Annual cash operating costs other than the commitments and debt service: one "
                "amount (projected with revenue) or a {year: amount} mapping."
            ),
        }
    ),
]
"""Operating costs: one amount, or money by calendar year."""


class Debt(_Model):
    """Borrowed money outstanding at as_of: its interest and principal are obligations."""

    lender: str = Field(min_length=1)
    amount: Money = Field(description="Principal outstanding at as_of.")
    currency: Currency | None = Field(
        default=None, description="Defaults to the company's currency."
    )
    rate: float = Field(
        ge=0, le=1, allow_inf_nan=False, description="Annual interest rate (0.09 = 9%)."
    )
    maturity: EndMonth = Field(description="The month of the last repayment.")
    amortization: Amortization = Field(
        default="bullet",
        description=(
            "bullet: all principal at maturity; linear: equal monthly repayments from the "
            "as_of month through maturity."
        ),
    )
    source: str | None = None
    note: str | None = None


class Financials(_Model):
    """What the company earns and holds."""

    revenue: Money = Field(description="Latest annual revenue or run-rate; must be above zero.")
    revenue_growth: float | None = Field(
        default=None,
        gt=-1,
        le=10,
        allow_inf_nan=False,
        description="Constant annual growth (0.5 = 50%) for years without a forecast.",
    )
    revenue_forecast: dict[int, Money] = Field(
        default_factory=lambda: {}, description="Projected revenue by calendar year."
    )
    cash: Money = Field(default=0.0, description="Cash and securities.")
    committed_funding: Money = Field(
        default=0.0, description="Undrawn equity or debt already agreed."
    )
    demand_gw: dict[int, Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]] = Field(
        default_factory=lambda: {}, description="Capacity the business can use, in GW, by year."
    )
    backlog: Money | None = Field(
        default=None,
        description=(
            "Contracted backlog owed to the company by its customers (remaining performance "
            "obligations), for `riskcore network`'s exposure shares."
        ),
    )
    operating_costs: OperatingCosts | None = Field(
        default=None,
        description=(
            "Annual cash costs other than the commitments and debt service. When given, revenue "
            "minus these costs pays the obligations, instead of revenue_share_available."
        ),
    )
    debt: list[Debt] = Field(
        default_factory=lambda: [], description="Borrowings outstanding at as_of."
    )

    @field_validator("revenue")
    @classmethod
    def _revenue_positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("revenue must be above zero")
        if value < 1:
            # Ratios to revenue (a commitment multiple of 1e18x, say) must stay finite.
            raise ValueError(f"revenue must be at least 1 currency unit, got {value:g}")
        return value


class CounterpartyGroup(_Model):
    """Names that resolve to one economic counterparty."""

    aliases: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=lambda: [])


class Commitment(_Model):
    """A contract to pay a counterparty over time."""

    id: str | None = Field(
        default=None,
        min_length=1,
        description="A stable id, unique in the file: riskcore diff matches rows on it.",
    )
    counterparty: str = Field(min_length=1)
    kind: Kind
    amount: Money | None = Field(default=None, description="Total contract value.")
    currency: Currency | None = Field(
        default=None, description="Defaults to the company's currency."
    )
    start: StartMonth | None = None
    term_years: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    end: EndMonth | None = Field(default=None, description="Last month of the term (included).")
    profile: Profile = "flat"
    schedule: dict[int, Money] | None = Field(
        default=None, description="Calendar-year amounts, with profile: explicit."
    )
    capacity_gw: float | None = Field(default=None, ge=0, le=1e6, allow_inf_nan=False)
    capacity_units: float | None = Field(
        default=None,
        ge=0,
        le=1e12,
        allow_inf_nan=False,
        description="Capacity in units other than GW (desks, halls), for idle_capacity.",
    )
    counterparty_count: int = Field(
        default=1,
        ge=1,
        le=1_000_000,
        description="The row stands for this many equal counterparties (2,000 landlords).",
    )
    status: Status = "signed"
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check_term(self) -> Commitment:
        if self.amount is None and not self.capacity_gw and self.profile != "explicit":
            raise field_error("amount", "give an amount, or capacity_gw to estimate one")
        if self.term_years is not None and self.end is not None:
            raise field_error("end", "give term_years or end, not both")
        if self.profile == "explicit":
            self._check_explicit()
            return self
        if self.schedule is not None:
            raise field_error("schedule", "a schedule needs profile: explicit")
        if self.start is None:
            raise field_error("start", "a {p} commitment needs a start month", p=self.profile)
        check_term(self.start, self.term_years, self.end)
        return self

    def _check_explicit(self) -> None:
        if not self.schedule:
            raise field_error("schedule", "profile: explicit needs a schedule of {{year: amount}}")
        first, last = min(self.schedule), max(self.schedule)
        start = self.start or dt.date(first, 1, 1)
        end = self.end
        if end is None and self.term_years is not None:
            end = add_months(start, term_months(self.term_years) - 1)
        end = end or dt.date(last, 12, 1)
        if end < start:
            raise field_error(
                "end", "the term ends ({e:%Y-%m}) before it starts ({s:%Y-%m})", e=end, s=start
            )
        outside = sorted(y for y in self.schedule if y < start.year or y > end.year)
        if outside:
            raise field_error(
                "schedule",
                "years {y} fall outside the term {s:%Y-%m} to {e:%Y-%m}",
                y=", ".join(map(str, outside)),
                s=start,
                e=end,
            )
        if self.amount is not None:
            total = sum(sorted(self.schedule.values()))
            if abs(total - self.amount) > 0.005 * max(self.amount, total):
                raise field_error(
                    "amount",
                    "amount {a:,.0f} differs from the schedule's sum {t:,.0f} by more than 0.5%",
                    a=self.amount,
                    t=total,
                )


class Financing(_Model):
    """Money flowing from a counterparty (an investor) into the company."""

    investor: str = Field(min_length=1)
    kind: FinancingKind = "equity"
    amount: Money
    currency: Currency | None = None
    conditional: bool = Field(default=False, description="Depends on milestones not yet met.")
    date: StartMonth | None = None
    source: str | None = None
    note: str | None = None


_AGENCY = re.compile(r"^(AAA|AA|A|BBB|BB|B|CCC|CC|C|D)[+-]?$|^(Aaa|Aa|A|Baa|Ba|B|Caa|Ca|C)[123]?$")
_MOODYS = {"Aaa": "AAA", "Aa": "AA", "Baa": "BBB", "Ba": "BB", "Caa": "CCC", "Ca": "CC"}


def rating_grade(rating: str) -> str:
    """The letter grade of an agency rating: `AA-` and `Aa3` are AA, `Baa1` is BBB."""
    match = _AGENCY.match(rating)
    if match is None:
        return rating
    if match[1]:
        return match[1]
    return _MOODYS.get(match[2], match[2])


def _check_rating(value: str) -> str:
    if _AGENCY.match(value) is None:
        raise ValueError(
            f"{value!r} is not a rating: use a grade such as AA, BBB- (S&P, Fitch) or Baa1 "
            "(Moody's)"
        )
    return value


class Customer(_Model):
    """A contract under which a customer owes the company revenue over time."""

    counterparty: str = Field(min_length=1)
    amount: Money = Field(description="Total contract value.")
    currency: Currency | None = Field(
        default=None, description="Defaults to the company's currency."
    )
    start: StartMonth
    term_years: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    end: EndMonth | None = Field(default=None, description="Last month of the term (included).")
    counterparty_count: int = Field(
        default=1,
        ge=1,
        le=100_000_000,
        description="The row stands for this many equal customers (527,000 members).",
    )
    status: Status = "signed"
    rating: Annotated[str, AfterValidator(_check_rating)] | None = Field(
        default=None,
        description="The customer's credit rating (AA-, Baa1), where an agency gives one.",
    )
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check_term(self) -> Customer:
        if self.term_years is not None and self.end is not None:
            raise field_error("end", "give term_years or end, not both")
        check_term(self.start, self.term_years, self.end)
        return self

    @property
    def months(self) -> int:
        """The number of months the contract runs."""
        if self.end is not None:
            return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        assert self.term_years is not None
        return term_months(self.term_years)


def cross_reference_problems(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems between sections: an alias claimed by two groups, a currency with no rate.

    Works on raw file data as well as on a validated portfolio, so the loader can report these
    alongside field errors (pydantic runs model validators only once every field is valid).
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    groups = data.get("counterparties")
    owner: dict[str, str] = {}
    if isinstance(groups, Mapping):
        for group in sorted(g for g in groups if isinstance(g, str)):
            spec = groups[group]
            aliases = spec.get("aliases") if isinstance(spec, Mapping) else None
            listed = aliases if isinstance(aliases, list) else []  # raw data may hold anything
            spellings = [group, *(a for a in listed if isinstance(a, str) and a.strip())]
            for spelling in spellings:
                key = normalize_name(spelling)
                if key in owner and owner[key] != group:
                    problems.append(
                        (
                            ("counterparties", group, "aliases"),
                            f"{spelling!r} already names the group {owner[key]!r}",
                        )
                    )
                owner.setdefault(key, group)
    company = data.get("company")
    home = _code(company.get("currency", "USD")) if isinstance(company, Mapping) else "USD"
    fx = data.get("fx")
    rates = {_code(k) for k in fx} if isinstance(fx, Mapping) else set()
    if home not in ISO_4217:
        return problems  # the company's currency is itself wrong: rates against it mean nothing
    fin = data.get("financials")
    problems += _matured_debt(company, fin)
    problems += _duplicate_ids(data.get("commitments"))
    sections: list[tuple[tuple[str, ...], object]] = [
        ((section,), data.get(section)) for section in ("commitments", "customers", "financing")
    ]
    sections.append((("financials", "debt"), fin.get("debt") if isinstance(fin, Mapping) else None))
    for where, rows in sections:
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            currency = _code(row.get("currency")) if isinstance(row, Mapping) else None
            if currency in ISO_4217 and currency != home and currency not in rates:
                problems.append(
                    (
                        (*where, index, "currency"),
                        f"no exchange rate for {currency}: add fx: {{{currency}: <{home} per {currency}>}}",
                    )
                )
    return problems


def _duplicate_ids(rows: object) -> list[tuple[tuple[str | int, ...], str]]:
    """Commitment ids given twice: an id must name one row."""
    seen: dict[str, int] = {}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        value = row.get("id") if isinstance(row, Mapping) else None
        if not isinstance(value, str) or not value.strip():
            continue
        key = value.strip()
        if key in seen:
            problems.append(
                (
                    ("commitments", index, "id"),
                    f"{key!r} is also the id of commitments[{seen[key]}]",
                )
            )
        seen.setdefault(key, index)
    return problems


def _matured_debt(company: object, fin: object) -> list[tuple[tuple[str | int, ...], str]]:
    """Debt rows whose maturity is before the as_of month: already repaid, so not debt."""
    if not isinstance(company, Mapping) or not isinstance(fin, Mapping):
        return []
    rows = fin.get("debt")
    try:
        as_of = _date(company.get("as_of"))
    except (PydanticCustomError, ValueError):
        return []  # reported as the as_of field's own error
    if not isinstance(as_of, dt.date) or not isinstance(rows, list):
        return []
    first = as_of.replace(day=1)
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, row in enumerate(rows):
        try:
            maturity = _month(row.get("maturity"), end=True) if isinstance(row, Mapping) else None
        except (PydanticCustomError, ValueError):
            continue  # reported as the maturity field's own error
        if isinstance(maturity, dt.date) and maturity < first:
            problems.append(
                (
                    ("financials", "debt", index, "maturity"),
                    f"the debt matured ({maturity:%Y-%m}) before as_of ({first:%Y-%m}): leave "
                    "out debt already repaid",
                )
            )
    return problems


_MAX_DEPTH = 64


def plain_data_problems(
    value: object, where: tuple[str | int, ...] = (), depth: int = 0
) -> list[tuple[tuple[str | int, ...], str]]:
    """Where `value` holds what a report or a hash cannot: objects, bytes, huge ints, depth.

    Free-form sections (`extensions`) take plain data only: text, numbers, true/false, null,
    dates, lists and mappings, as a YAML, TOML or JSON file gives them.
    """
    if depth > _MAX_DEPTH:
        return [(where[:1], f"nested more than {_MAX_DEPTH} levels deep")]
    if isinstance(value, Mapping):
        found: list[tuple[tuple[str | int, ...], str]] = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, str | int):
                found.append((where, f"a key must be text or a whole number, got {key!r:.40}"))
                continue
            found += plain_data_problems(item, (*where, key), depth + 1)
        return found
    if isinstance(value, list | tuple):
        found = []
        for index, item in enumerate(value):
            found += plain_data_problems(item, (*where, index), depth + 1)
        return found
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [(where, "text that is not valid Unicode (a lone surrogate)")]
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            str(value)
        except ValueError:
            return [(where, "a number too long to write out")]
        return []
    if value is None or isinstance(value, bool | float | dt.date):
        return []
    return [
        (
            where,
            f"holds a {type(value).__name__} value, not plain data "
            "(text, numbers, true/false, null, dates, lists and mappings)",
        )
    ]


def _code(value: object) -> str | None:
    # Raw data may hold anything here, a list or a mapping included: only text is a code.
    return value.strip().upper() if isinstance(value, str) else None


def _fx_rate(rate: float) -> float:
    """An exchange rate in a plausible range, so converted amounts stay finite."""
    if not 1e-6 <= rate <= 1e6:
        raise ValueError(
            f"exchange rate {rate:g} is outside 1e-6 to 1e6; it should be portfolio-currency "
            "units per unit of the other currency"
        )
    return rate


def normalize_name(name: str) -> str:
    """The key under which counterparty names match: case- and whitespace-insensitive."""
    return " ".join(name.split()).casefold()


class Portfolio(_Model):
    """One company's commitment book as of a date."""

    company: Company
    financials: Financials
    counterparties: dict[str, CounterpartyGroup] = Field(default_factory=lambda: {})
    commitments: list[Commitment] = Field(default_factory=lambda: [])
    customers: list[Customer] = Field(
        default_factory=lambda: [], description="Contracted revenue owed to the company."
    )
    financing: list[Financing] = Field(default_factory=lambda: [])
    fx: dict[
        Currency, Annotated[float, Field(gt=0, allow_inf_nan=False), AfterValidator(_fx_rate)]
    ] = Field(
        default_factory=lambda: {},
        description="Portfolio-currency units per unit of another currency.",
    )
    extensions: dict[str, Any] = Field(
        default_factory=lambda: {}, description="Free-form sections keyed by plugin name."
    )

    @field_validator("extensions")
    @classmethod
    def _check_extensions(cls, value: dict[str, Any]) -> dict[str, Any]:
        problems = plain_data_problems(value)
        if problems:
            raise PydanticCustomError(
                "riskcore_many", "{msg}", {"msg": problems[0][1], "problems": problems}
            )
        return value

    @model_validator(mode="after")
    def _check_cross_references(self) -> Portfolio:
        if not self._has_cross_references():
            return self  # nothing the check below could find fault with
        problems = cross_reference_problems(
            {
                "counterparties": {
                    g: {"aliases": s.aliases} for g, s in self.counterparties.items()
                },
                "company": {"currency": self.company.currency, "as_of": self.company.as_of},
                "commitments": [{"currency": c.currency, "id": c.id} for c in self.commitments],
                "customers": [{"currency": c.currency} for c in self.customers],
                "financing": [{"currency": f.currency} for f in self.financing],
                "financials": {
                    "debt": [
                        {"currency": d.currency, "maturity": d.maturity}
                        for d in self.financials.debt
                    ]
                },
                "fx": self.fx,
            }
        )
        if problems:
            raise PydanticCustomError(
                "riskcore_many", "{msg}", {"msg": problems[0][1], "problems": problems}
            )
        return self

    def _has_cross_references(self) -> bool:
        """Whether any section refers to another: groups, debt, ids or a foreign currency.

        Without one, `cross_reference_problems` has nothing to check, and most books (one
        currency, no groups, no debt) skip building its raw view of the model.
        """
        if self.counterparties or self.financials.debt:
            return True
        if any(c.id is not None for c in self.commitments):
            return True
        home = self.company.currency
        rows: list[Commitment | Customer | Financing] = [
            *self.commitments,
            *self.customers,
            *self.financing,
        ]
        return any(r.currency is not None and r.currency != home for r in rows)

    def rate(self, currency: str | None) -> float:
        """Portfolio-currency units per unit of `currency` (1 for the portfolio's own)."""
        if currency is None or currency == self.company.currency:
            return 1.0
        return self.fx[currency]


def term_months(years: float) -> int:
    """Months in a term of `years` years, halves rounded up (0.125 years = 2 months)."""
    return math.floor(years * 12 + 0.5)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after `month`."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)
