"""Generate realistic random portfolios, for load tests, fuzzing and demos.

Each portfolio is plain JSON-ready data in the portfolio file format, built from the real kinds
of AI compute deal and the real vendors behind them (hyperscalers, neoclouds, chip makers,
datacenter developers, power utilities). Sizes are drawn relative to revenue, so a book of
0.5x to 60x revenue is as common for a $300M start-up as for a $100B company.

Output is reproducible: portfolio `i` of seed `s` depends only on `(s, i)`, never on how many
portfolios are generated around it, so any slice can be regenerated on its own:

    >>> from riskcore.generate import generate_portfolios
    >>> first = next(generate_portfolios(1, seed=7))
    >>> first == list(generate_portfolios(5, seed=7))[0]
    True

Every generated portfolio validates with `riskcore.load_portfolio`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from .report import dumps

__all__ = [
    "ecosystem_plan",
    "generate_ecosystem",
    "generate_portfolio",
    "generate_portfolios",
    "portfolio_rng",
    "write_portfolios",
]


@dataclass(frozen=True, eq=False)  # each vendor is one object: identity is equality
class _Vendor:
    """A real counterparty: its group name, other spellings, what it sells and how it invests."""

    name: str
    aliases: tuple[str, ...]
    kinds: tuple[str, ...]
    weight: float = 1.0  # how often it is picked among the vendors of a kind
    finances: tuple[str, ...] = ()  # financing kinds it puts into customers (circular deals)


_VENDORS: tuple[_Vendor, ...] = (
    # Hyperscalers: cloud, and their own chips (Trainium, TPU); they invest in their customers.
    _Vendor(
        "Microsoft", ("Azure", "Microsoft Azure", "MSFT"), ("cloud",), 4, ("equity", "credits")
    ),
    _Vendor(
        "Amazon",
        ("AWS", "Amazon Web Services", "AMZN"),
        ("cloud", "chips"),
        4,
        ("equity", "credits"),
    ),
    _Vendor(
        "Google", ("Google Cloud", "GCP", "Alphabet"), ("cloud", "chips"), 3, ("equity", "credits")
    ),
    _Vendor("Oracle", ("OCI", "Oracle Cloud Infrastructure", "ORCL"), ("cloud", "datacenter"), 3),
    # Neoclouds.
    _Vendor("CoreWeave", ("CRWV", "CoreWeave Inc"), ("cloud",), 3, ("equity",)),
    _Vendor("Nebius", ("Nebius Group", "NBIS"), ("cloud",), 2),
    _Vendor("Lambda", ("Lambda Labs",), ("cloud",), 1.5),
    _Vendor("Crusoe", ("Crusoe Energy", "Crusoe Cloud"), ("cloud", "datacenter"), 1.5),
    _Vendor("Nscale", (), ("cloud",), 1),
    _Vendor("IREN", ("Iris Energy",), ("cloud",), 1),
    _Vendor("Fluidstack", (), ("cloud", "datacenter"), 1),
    # Chips and systems.
    _Vendor("NVIDIA", ("NVDA", "NVIDIA Corporation"), ("chips",), 5, ("equity",)),
    _Vendor("AMD", ("Advanced Micro Devices", "AMD Inc"), ("chips",), 3, ("warrants",)),
    _Vendor("Broadcom", ("AVGO", "Broadcom Inc"), ("chips",), 2),
    _Vendor("Cerebras", ("Cerebras Systems",), ("chips", "cloud"), 1),
    _Vendor("Intel", ("INTC",), ("chips",), 0.5),
    # Datacenter developers.
    _Vendor("Vantage Data Centers", ("Vantage",), ("datacenter",), 2),
    _Vendor("Digital Realty", ("DLR",), ("datacenter",), 1.5),
    _Vendor("Equinix", ("EQIX",), ("datacenter",), 1),
    _Vendor("QTS Data Centers", ("QTS",), ("datacenter",), 1.5),
    _Vendor("Aligned Data Centers", ("Aligned",), ("datacenter",), 1),
    _Vendor("Stack Infrastructure", ("STACK",), ("datacenter",), 1),
    _Vendor("CyrusOne", (), ("datacenter",), 1),
    # Power: local utilities and generators.
    _Vendor("Entergy", ("Entergy Louisiana",), ("power",), 1),
    _Vendor("Dominion Energy", ("Dominion",), ("power",), 1.5),
    _Vendor("Constellation Energy", ("Constellation", "CEG"), ("power",), 1.5),
    _Vendor("NextEra Energy", ("NextEra", "FPL"), ("power",), 1),
    _Vendor("Vistra", ("Vistra Corp",), ("power",), 1),
    _Vendor("Talen Energy", ("Talen",), ("power",), 1),
    _Vendor("American Electric Power", ("AEP",), ("power",), 1),
    _Vendor("Xcel Energy", ("Xcel",), ("power",), 1),
    _Vendor("Duke Energy", ("Duke",), ("power",), 1),
    # Other: servers, networking, and partners in joint builds.
    _Vendor("Dell Technologies", ("Dell",), ("other",), 1, ("debt",)),
    _Vendor("Super Micro Computer", ("Supermicro", "SMCI"), ("other",), 1),
    _Vendor("Cisco", ("CSCO",), ("other",), 1),
    _Vendor("Arista Networks", ("Arista",), ("other",), 1),
    _Vendor("SoftBank", ("SoftBank Group", "SBG"), ("other", "datacenter"), 0.5, ("equity",)),
)

# Investors that sell the company nothing (financing that is not circular).
_INVESTORS: tuple[tuple[str, str], ...] = (
    ("SoftBank", "equity"),
    ("Thrive Capital", "equity"),
    ("MGX", "equity"),
    ("Sequoia Capital", "equity"),
    ("Andreessen Horowitz", "equity"),
    ("Fidelity", "equity"),
    ("T. Rowe Price", "equity"),
    ("Blue Owl", "debt"),
    ("JPMorgan", "debt"),
    ("Apollo", "debt"),
    ("Blackstone", "debt"),
    ("Morgan Stanley", "debt"),
)

_KINDS = ("cloud", "chips", "datacenter", "power", "other")
_KIND_CUM = tuple(accumulate((38, 25, 17, 12, 8)))  # how often a row is of each kind
_PROFILES = ("flat", "ramp", "explicit")
_PROFILE_CUM = tuple(accumulate((55, 25, 20)))
_STATUSES = ("signed", "announced", "loi")
_STATUS_CUM = tuple(accumulate((65, 20, 15)))
_FINANCING_COUNT_CUM = tuple(accumulate((20, 20, 20, 15, 10, 8, 7)))  # 0 to 6 rows
_KIND_SIZE = {"cloud": 1.0, "chips": 1.0, "datacenter": 0.6, "power": 0.15, "other": 0.2}
# The default config's cost_per_gw: capacity is drawn around it, so an estimated amount
# (capacity_gw x cost_per_gw) lands near the amount the row was sized at.
_COST_PER_GW = {"cloud": 50e9, "chips": 35e9, "datacenter": 50e9, "power": 10e9, "other": 50e9}
# Terms by kind: cloud and chip deals run a few years, leases and power contracts long.
_TERM_YEARS = {
    "cloud": (1, 10),
    "chips": (1, 6),
    "datacenter": (3, 15),
    "power": (5, 15),
    "other": (1, 7),
}
_BY_KIND = {k: tuple(v for v in _VENDORS if k in v.kinds) for k in _KINDS}
_BY_KIND_CUM = {k: tuple(accumulate(v.weight for v in _BY_KIND[k])) for k in _KINDS}
_SECTORS = (
    "AI",
    "Labs",
    "Robotics",
    "Cloud",
    "Compute",
    "Intelligence",
    "Systems",
    "Research",
    "Analytics",
    "Bio",
    "Vision",
    "Dynamics",
)

_FIRST_DAY = dt.date(2024, 1, 1).toordinal()
_LAST_DAY = dt.date(2026, 12, 31).toordinal()


def portfolio_rng(seed: int, index: int) -> random.Random:
    """The random generator of portfolio `index` of `seed`.

    Seeded from the text `"<seed>:<index>"`, which Python hashes with SHA-512: the same in
    every process and on every platform, whatever PYTHONHASHSEED is.
    """
    return random.Random(f"{seed}:{index}")


def generate_portfolios(count: int, seed: int, *, start: int = 0) -> Iterator[dict[str, Any]]:
    """Portfolios `start` to `start + count - 1` of `seed`, one at a time.

    Portfolio `i` depends only on `(seed, i)`, so a slice (`start`, `count`) is the same as
    those items of a longer run.
    """
    if count < 0 or start < 0:
        raise ValueError(f"count and start must not be negative, got {count} and {start}")
    for index in range(start, start + count):
        yield generate_portfolio(portfolio_rng(seed, index), index, seed=seed)


def write_portfolios(
    portfolios: Iterable[Mapping[str, Any]], output: Path, *, start: int = 0
) -> int:
    """Write `portfolios` as they come and return how many were written.

    An `output` ending in `.jsonl` gets one compact JSON object per line. Any other `output` is
    a directory (created if missing) that gets one YAML file per portfolio, numbered from
    `start`: `synth-000000.yaml`, `synth-000001.yaml`, ... Existing files of the same names are
    replaced; others are left alone.
    """
    output = Path(output)
    written = 0
    if output.suffix == ".jsonl":
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8", newline="\n") as stream:
            for data in portfolios:
                stream.write(dumps(data, None) + "\n")
                written += 1
        return written
    output.mkdir(parents=True, exist_ok=True)
    for data in portfolios:
        path = output / f"synth-{start + written:06d}.yaml"
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            yaml.safe_dump(data, stream, sort_keys=False, allow_unicode=True)
        written += 1
    return written


def generate_portfolio(
    rng: random.Random, index: int, *, seed: int | None = None
) -> dict[str, Any]:
    """One random but realistic portfolio, as plain data in the portfolio file format.

    `index` names the company (`Synth 000042 Robotics`) and, with `seed`, each row's `source`
    (`synthetic://<seed>/<index>/<row>`; financing rows `.../f<row>`). Calendar-year keys
    (`schedule`, `revenue_forecast`, `demand_gw`) are ints: JSON writes them as text, and
    both load the same.
    """
    return _Builder(rng, index, "-" if seed is None else str(seed)).build()


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _millions(amount: float) -> int:
    """`amount` in whole millions: three significant figures from 100M up, at least 1M."""
    millions = amount / 1e6
    if millions < 1:
        return 1
    places = 2 - math.floor(math.log10(millions))
    return max(1, int(round(millions, min(places, 0))))


def _decimal(value: int, places: int) -> str:
    """`value / 10**places` written exactly, without trailing zeros."""
    whole, part = divmod(value, 10**places)
    return f"{whole}.{part:0{places}d}".rstrip("0").rstrip(".")


def _month_text(month: int) -> str:
    """A month index (year x 12 + month - 1) as YYYY-MM."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


@dataclass
class _Row:
    vendor: _Vendor
    kind: str
    value: float  # the amount the row is sized at, before rounding


class _Builder:
    """Draws one portfolio.

    The order of the draws is part of the output: change it and every seed gives different
    portfolios.
    """

    def __init__(self, rng: random.Random, index: int, seed: str) -> None:
        self.rng = rng
        self.index = index
        self.seed = seed
        self.text_share = rng.choice((0.0, 0.5, 0.5, 0.8, 1.0))  # money written as text
        self.as_of = dt.date.fromordinal(rng.randint(_FIRST_DAY, _LAST_DAY))
        self.as_of_month = self.as_of.year * 12 + self.as_of.month - 1

    def money(self, millions: int) -> str | int:
        """An amount written the way people write it: `12.5B`, `350M`, `$1.2T` or a number."""
        rng = self.rng
        if rng.random() >= self.text_share:
            return millions * 1_000_000
        if millions >= 1_000_000 and millions % 10_000 == 0:
            text = _decimal(millions, 6) + "T"
        elif millions >= 1000:
            text = _decimal(millions, 3) + rng.choice(("B", "B", "B", "B", " bn"))
        else:
            text = f"{millions}M"
        return "$" + text if rng.random() < 0.1 else text

    def source(self, row: str) -> str:
        return f"synthetic://{self.seed}/{self.index}/{row}"

    def build(self) -> dict[str, Any]:
        rng = self.rng
        as_of = self.as_of
        revenue = _millions(_log_uniform(rng, 0.2e9, 200e9))
        multiple = _log_uniform(rng, 0.5, 60)
        rows = self.plan_rows(revenue * 1e6 * multiple)
        vendors = list(dict.fromkeys(r.vendor for r in rows))
        groups = self.groups(vendors)

        financials: dict[str, Any] = {"revenue": self.money(revenue)}
        financials.update(self.growth(as_of.year, revenue))
        financials["cash"] = self.money(_millions(revenue * 1e6 * _log_uniform(rng, 0.05, 3)))
        committed = _millions(revenue * 1e6 * _log_uniform(rng, 0.05, 4))
        financials["committed_funding"] = self.money(committed) if rng.random() < 0.7 else 0

        commitments = [self.commitment(n, row, groups) for n, row in enumerate(rows)]
        capacity = math.fsum(c.get("capacity_gw", 0.0) for c in commitments)
        if capacity > 0 and rng.random() < 0.35:
            financials["demand_gw"] = {
                as_of.year + k: float(f"{capacity * rng.uniform(0.2, 1.1) * 1.2**k:.2g}")
                for k in range(rng.randint(1, 4))
            }

        sector = rng.choice(_SECTORS)
        data: dict[str, Any] = {
            "company": {
                "name": f"Synth {self.index:06d} {sector}",
                "as_of": as_of.isoformat(),
                "currency": "USD",
            },
            "financials": financials,
        }
        if groups:
            data["counterparties"] = {
                name: {"aliases": list(aliases)} for name, aliases in groups.items()
            }
        data["commitments"] = commitments
        financing = self.financing(rows, groups, revenue)
        if financing:
            data["financing"] = financing
        return data

    def plan_rows(self, total: float) -> list[_Row]:
        """Kinds, vendors and sizes of 3 to 30 commitments worth about `total` together."""
        rng = self.rng
        count = 3 + min(27, int(28 * rng.random() ** 1.5))  # small books are the common case
        kinds = rng.choices(_KINDS, cum_weights=_KIND_CUM, k=count)
        # Some kinds never show up in a book; at least one big (cloud or chips) deal always does.
        if not {"cloud", "chips"} & set(kinds):
            kinds[0] = rng.choice(("cloud", "chips"))
        used: list[_Vendor] = []
        planned: list[tuple[_Vendor, str, float]] = []
        for kind in kinds:
            vendor = self.vendor(kind, used)
            if vendor not in used:
                used.append(vendor)
            # Heavy-tailed sizes: a few deals carry most of the book, as in real ones.
            planned.append((vendor, kind, _KIND_SIZE[kind] * rng.lognormvariate(0, 1.0)))
        scale = total / math.fsum(w for _, _, w in planned)
        return [_Row(v, k, w * scale) for v, k, w in planned]

    def vendor(self, kind: str, used: Sequence[_Vendor]) -> _Vendor:
        """A vendor of `kind`: often one already in the book (repeat deals), else a new draw."""
        again = [v for v in used if kind in v.kinds]
        if again and self.rng.random() < 0.4:
            return self.rng.choice(again)
        pool = _BY_KIND[kind]
        return self.rng.choices(pool, cum_weights=_BY_KIND_CUM[kind])[0]

    def groups(self, vendors: Sequence[_Vendor]) -> dict[str, tuple[str, ...]]:
        """Counterparty groups with the aliases the rows may use, for some of the vendors."""
        rng = self.rng
        if rng.random() < 0.4:
            return {}
        groups: dict[str, tuple[str, ...]] = {}
        for vendor in vendors:
            if vendor.aliases and rng.random() < 0.7:
                k = rng.randint(1, len(vendor.aliases))
                groups[vendor.name] = tuple(rng.sample(vendor.aliases, k))
        return groups

    def name(self, vendor: _Vendor, groups: Mapping[str, Sequence[str]]) -> str:
        """How a row names `vendor`: its group name, or one of the group's aliases."""
        aliases = groups.get(vendor.name)
        if aliases and self.rng.random() < 0.6:
            return self.rng.choice(aliases)
        return vendor.name

    def growth(self, year: int, revenue: int) -> dict[str, Any]:
        """revenue_growth, a 1-3 year revenue_forecast, both, or (rarely) neither."""
        rng = self.rng
        draw = rng.random()
        found: dict[str, Any] = {}
        growth = round(rng.uniform(-0.1, 1.5), 2)
        if draw < 0.65 or 0.8 <= draw < 0.92:
            found["revenue_growth"] = growth
        if draw >= 0.65:
            forecast: dict[int, str | int] = {}
            level = revenue * 1e6
            for k in range(1, rng.randint(1, 3) + 1):
                level *= 1 + max(-0.1, growth + rng.uniform(-0.2, 0.2))
                forecast[year + k] = self.money(_millions(level))
            found["revenue_forecast"] = forecast
        return found

    def commitment(self, n: int, row: _Row, groups: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        rng = self.rng
        low, high = _TERM_YEARS[row.kind]
        years = low + min(high - low, int((high - low + 1) * rng.random() ** 1.4))
        months = years * 12 + (6 if years < high and rng.random() < 0.15 else 0)
        # Every row still has at least six months to run after as_of: a book lists live deals.
        first = self.as_of_month + rng.randint(max(-36, 6 - months), 36)
        last = first + months - 1
        profile = rng.choices(_PROFILES, cum_weights=_PROFILE_CUM)[0]
        status = rng.choices(_STATUSES, cum_weights=_STATUS_CUM)[0]
        amount = _millions(row.value)

        out: dict[str, Any] = {"counterparty": self.name(row.vendor, groups), "kind": row.kind}
        capacity = None
        if row.kind != "other" and rng.random() < 0.3:
            gw = float(f"{row.value / (_COST_PER_GW[row.kind] * rng.uniform(0.7, 1.4)):.2g}")
            capacity = gw if gw >= 0.001 else None  # below a megawatt nobody states it
        if profile == "explicit":
            out.update(self.explicit(first, last, amount))
        else:
            if capacity is None or rng.random() < 0.55:
                out["amount"] = self.money(amount)
            # else: the amount is estimated as capacity_gw x cost_per_gw
            out["start"] = self.month(first)
            out.update(self.term(first, last))
            out["profile"] = profile
        if capacity is not None:
            out["capacity_gw"] = capacity
        out["status"] = status
        out["source"] = self.source(str(n))
        return out

    def explicit(self, first: int, last: int, amount: int) -> dict[str, Any]:
        """An explicit schedule over the calendar years of the term, summing to `amount`."""
        rng = self.rng
        years = range(first // 12, last // 12 + 1)
        # Yearly change of the run-rate, with the last year at most ten times the first.
        trend = min(rng.uniform(-0.15, 0.8), 10 ** (1 / max(1, len(years) - 1)) - 1)
        weights = [
            (min(last, y * 12 + 11) - max(first, y * 12) + 1)
            * (1 + trend) ** k
            * rng.uniform(0.8, 1.2)
            for k, y in enumerate(years)
        ]
        total = math.fsum(weights)
        schedule = {
            y: _millions(amount * 1e6 * w / total) for y, w in zip(years, weights, strict=True)
        }
        out: dict[str, Any] = {}
        if rng.random() < 0.6:
            out["amount"] = self.money(sum(schedule.values()))  # exactly the schedule's sum
        draw = rng.random()
        if draw < 0.8:
            out["start"] = self.month(first)
            out.update(self.term(first, last))
        # else: the schedule's years are the term
        out["profile"] = "explicit"
        out["schedule"] = {y: self.money(m) for y, m in schedule.items()}
        return out

    def month(self, month: int) -> str | int:
        """A start month as YYYY-MM, sometimes YYYY-MM-DD, or YYYY when it is January."""
        rng = self.rng
        draw = rng.random()
        if month % 12 == 0 and draw < 0.5:
            return month // 12
        if draw > 0.85:
            return f"{_month_text(month)}-{rng.randint(1, 28):02d}"
        return _month_text(month)

    def term(self, first: int, last: int) -> dict[str, Any]:
        """term_years mostly; otherwise the end month (a bare year when it is December)."""
        rng = self.rng
        if rng.random() < 0.75:
            months = last - first + 1
            return {"term_years": months // 12 if months % 12 == 0 else months / 12}
        if last % 12 == 11 and rng.random() < 0.5:
            return {"end": last // 12}
        return {"end": _month_text(last)}

    def financing(
        self, rows: Sequence[_Row], groups: Mapping[str, Sequence[str]], revenue: int
    ) -> list[dict[str, Any]]:
        """0 to 6 rows of money flowing in: from the company's vendors (circular) or others."""
        rng = self.rng
        count = rng.choices(range(7), cum_weights=_FINANCING_COUNT_CUM)[0]
        spend: dict[_Vendor, float] = {}
        for row in rows:
            spend[row.vendor] = spend.get(row.vendor, 0.0) + row.value
        investors = [v for v in spend if v.finances]
        out: list[dict[str, Any]] = []
        for n in range(count):
            if investors and rng.random() < 0.55:
                vendor = rng.choice(investors)
                investor = self.name(vendor, groups)
                kind = rng.choice(vendor.finances)
                amount = spend[vendor] * rng.uniform(0.03, 0.5)
                conditional = rng.random() < 0.4
            else:
                investor, kind = rng.choice(_INVESTORS)
                amount = revenue * 1e6 * _log_uniform(rng, 0.05, 2)
                conditional = rng.random() < 0.15
            item: dict[str, Any] = {
                "investor": investor,
                "kind": kind,
                "amount": self.money(_millions(amount)),
            }
            if conditional:
                item["conditional"] = True
            if rng.random() < 0.85:
                item["date"] = _month_text(self.as_of_month + rng.randint(-24, 6))
            item["source"] = self.source(f"f{n}")
            out.append(item)
        return out


# -- ecosystems: companies that are each other's vendors and investors -----------------------

_ECO_KINDS = ("cloud", "chips", "datacenter", "power", "other")
_ECO_KIND_CUM = tuple(accumulate((40, 30, 15, 8, 7)))


@dataclass(frozen=True)
class EcosystemCompany:
    """One company of a generated ecosystem: who it buys from and who invests in it.

    `vendors`: (company index, share of the book) pairs; `financier`: the index of the vendor
    that invests in it (the largest one), or None; `financed_share`: the investment as a share
    of what the company spends with that vendor.
    """

    index: int
    revenue_millions: int
    multiple: float
    vendors: tuple[tuple[int, float], ...]
    financier: int | None
    financed_share: float


def ecosystem_plan(
    count: int,
    seed: int,
    *,
    vendors: tuple[int, int] = (2, 5),
    financing_share: float = 0.25,
) -> list[EcosystemCompany]:
    """Who buys from whom in an ecosystem of `count` companies, deterministic for `seed`.

    Each company buys from `vendors` (low, high; uniform) other companies, drawn without
    repeats with weights rising with revenue (revenue^0.5), so large companies become hubs, as
    NVIDIA and the hyperscalers are. With probability `financing_share` its largest vendor also
    invests in it: the money flows back. Revenue is log-uniform from $0.2B to $200B; the book
    is 0.5x to 5x revenue. The benchmark of `riskcore network` uses this plan directly, as a
    graph.
    """
    low, high = vendors
    if count < 0 or not 1 <= low <= high:
        raise ValueError(f"need count >= 0 and 1 <= low <= high vendors, got {count}, {vendors}")
    rng = random.Random(f"ecosystem:{seed}")
    revenue = [_millions(_log_uniform(rng, 0.2e9, 200e9)) for _ in range(count)]
    cumulative = list(accumulate(math.sqrt(r) for r in revenue))
    plan: list[EcosystemCompany] = []
    for index in range(count):
        wanted = min(rng.randint(low, high), count - 1)
        chosen: list[int] = []
        while len(chosen) < wanted:
            pick = rng.choices(range(count), cum_weights=cumulative)[0]
            if pick != index and pick not in chosen:
                chosen.append(pick)
        weights = [rng.lognormvariate(0, 0.8) for _ in chosen]
        total = math.fsum(weights)
        shares = tuple((v, w / total) for v, w in zip(chosen, weights, strict=True))
        financier: int | None = None
        financed = 0.0
        if shares and rng.random() < financing_share:
            financier = max(shares, key=lambda pair: (pair[1], -pair[0]))[0]
            financed = rng.uniform(0.05, 0.5)
        plan.append(
            EcosystemCompany(
                index,
                revenue[index],
                _log_uniform(rng, 0.5, 5),
                shares,
                financier,
                financed,
            )
        )
    return plan


def ecosystem_name(index: int, seed: int) -> str:
    """The company name of ecosystem member `index`: `Eco 000042 Labs`."""
    return f"Eco {index:06d} {random.Random(f'ecosystem:{seed}:name:{index}').choice(_SECTORS)}"


def generate_ecosystem(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """`count` portfolios whose counterparties are each other, one at a time (see `ecosystem_plan`).

    Each company's commitments go to its vendors (one or two rows each), its financing comes
    from the vendor that invests in it, and about half give a `backlog` of what their customers
    in the ecosystem owe them plus some from customers outside it. Same seed, same portfolios.
    """
    plan = ecosystem_plan(count, seed)
    sold: list[list[float]] = [[] for _ in plan]  # what each company's customers committed
    for company in plan:
        book = company.revenue_millions * 1e6 * company.multiple
        for vendor, share in company.vendors:
            sold[vendor].append(book * share)
    for company in plan:
        yield _EcosystemBuilder(company, seed, math.fsum(sold[company.index])).build()


class _EcosystemBuilder:
    """Draws the rows of one ecosystem portfolio; the order of the draws is part of the output."""

    def __init__(self, company: EcosystemCompany, seed: int, sold: float) -> None:
        self.company = company
        self.seed = seed
        self.sold = sold
        self.rng = random.Random(f"ecosystem:{seed}:{company.index}")
        self.as_of_month = 2025 * 12 + self.rng.randrange(12)

    def build(self) -> dict[str, Any]:
        rng, company = self.rng, self.company
        revenue = company.revenue_millions
        book = revenue * 1e6 * company.multiple
        financials: dict[str, Any] = {
            "revenue": revenue * 1_000_000,
            "revenue_growth": round(rng.uniform(0.0, 0.6), 2),
            "cash": _millions(revenue * 1e6 * _log_uniform(rng, 0.05, 2)) * 1_000_000,
        }
        if self.sold > 0 and rng.random() < 0.5:
            financials["backlog"] = _millions(self.sold * rng.uniform(1.0, 1.5)) * 1_000_000
        commitments: list[dict[str, Any]] = []
        spend: dict[int, float] = {}
        for vendor, share in company.vendors:
            parts = 2 if rng.random() < 0.2 else 1
            for part in range(parts):
                amount = _millions(book * share / parts)
                spend[vendor] = spend.get(vendor, 0.0) + amount * 1e6
                commitments.append(self.commitment(vendor, amount, len(commitments), part))
        data: dict[str, Any] = {
            "company": {
                "name": ecosystem_name(company.index, self.seed),
                "as_of": f"{_month_text(self.as_of_month)}-15",
                "currency": "USD",
            },
            "financials": financials,
            "commitments": commitments,
        }
        if company.financier is not None:
            amount = _millions(spend[company.financier] * company.financed_share)
            data["financing"] = [
                {
                    "investor": ecosystem_name(company.financier, self.seed),
                    "kind": rng.choice(("equity", "equity", "credits", "debt")),
                    "amount": amount * 1_000_000,
                    "date": _month_text(self.as_of_month - rng.randint(0, 12)),
                    "source": self.source("f0"),
                }
            ]
        return data

    def commitment(self, vendor: int, amount: int, row: int, part: int) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(_ECO_KINDS, cum_weights=_ECO_KIND_CUM)[0]
        low, high = _TERM_YEARS[kind]
        years = rng.randint(max(2, low), high)
        # Started at most a year ago, so every row still has money left to pay.
        start = self.as_of_month + rng.randint(-12, 12) + 12 * part
        return {
            "counterparty": ecosystem_name(vendor, self.seed),
            "kind": kind,
            "amount": amount * 1_000_000,
            "start": _month_text(start),
            "term_years": years,
            "profile": rng.choice(("flat", "flat", "ramp")),
            "status": rng.choices(_STATUSES, cum_weights=_STATUS_CUM)[0],
            "source": self.source(str(row)),
        }

    def source(self, row: str) -> str:
        return f"synthetic://ecosystem/{self.seed}/{self.company.index}/{row}"
