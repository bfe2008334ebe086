"""The ecosystem view across many portfolios: money-flow cycles, vendor exposure and contagion.

Entities are every portfolio's company and every counterparty group its rows name. A portfolio's
own aliases resolve its rows to groups; group and company names then match across portfolios
case- and whitespace-insensitively (`normalize_name`), and an optional entities mapping
(`{Canonical: [aliases]}`) joins other spellings. An entity is shown under its canonical name
from that mapping, else under the alphabetically first of its spellings, so the order of files
and rows never changes a name.

Money flows along two kinds of edge, summed per direction:

    company -> vendor group    remaining commitment value (as of the portfolio's own as_of,
                               capacity-only rows estimated at cost_per_gw, from `build_book`)
    investor group -> company  financing amount, conditional rows at the circular_financing
                               metric's conditional_weight

Edges of no money (nothing left to pay, or conditional rows weighted 0) are left out. Every
portfolio must be in one currency.

Cycles: every simple directed cycle of at most K edges (`riskcore.cycles`), reported once from
its alphabetically first entity; its `amount` is its smallest edge, the money that can go round.

Exposure: for each entity owed commitment money, what each customer owes it, as a share of all
it is owed by the loaded portfolios and, where its own portfolio gives `financials.backlog`, of
that backlog.

Contagion (see `run_contagion`): defaulted entities stop paying their remaining commitments, and
creditors whose losses pass the stress threshold of their revenue default in the next round.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from .config import Config, EngineConfig
from .cycles import simple_cycles
from .errors import ConfigError, ErrorItem, InputError, UsageError, close_matches
from .loading import DEFAULT_MAX_BYTES, load_file
from .portfolio import CounterpartyGroup, Portfolio, normalize_name
from .report import SCHEMA_VERSION, JsonResult
from .schedule import build_book

__all__ = [
    "Network",
    "NetworkError",
    "NetworkResult",
    "Source",
    "analyse",
    "build_network",
    "find_cycles",
    "load_entities",
    "resolve_entity",
    "run_contagion",
    "vendor_exposure",
]


class NetworkError(InputError):
    """Inputs that cannot form one network: an entity loaded twice, mixed currencies, a bad
    entities file."""

    kind = "network input"


@dataclass(frozen=True)
class Source:
    """A loaded portfolio and where it came from (a file, or `FILE:LINE` of a JSONL file)."""

    name: str
    portfolio: Portfolio


# -- the entities file --------------------------------------------------------------------------


class _EntitiesFile(RootModel[dict[Annotated[str, Field(min_length=1)], CounterpartyGroup]]):
    """`{Canonical: {aliases: [...]}}`: other spellings of an entity, across every portfolio."""

    model_config = ConfigDict(frozen=True)


def load_entities(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, tuple[str, ...]]:
    """Canonical name -> aliases, from a YAML, TOML or JSON entities file.

    Problems raise NetworkError naming the file and the field, as for a portfolio: a spelling
    that two canonical names claim is one of them.
    """
    parsed, _ = load_file(Path(path), _EntitiesFile, NetworkError, max_bytes)
    found = {" ".join(k.split()): tuple(v.aliases) for k, v in parsed.root.items()}
    problems = _entity_conflicts(found)
    if problems:
        raise NetworkError(str(path), problems)
    return found


def _entity_conflicts(entities: Mapping[str, Sequence[str]]) -> list[ErrorItem]:
    owner: dict[str, str] = {}
    problems: list[ErrorItem] = []
    for canonical in sorted(entities):
        for spelling in (canonical, *entities[canonical]):
            key = normalize_name(spelling)
            if key in owner and owner[key] != canonical:
                problems.append(
                    ErrorItem(
                        f"{canonical}.aliases",
                        f"{spelling!r} already names the entity {owner[key]!r}",
                    )
                )
            owner.setdefault(key, canonical)
    return problems


# -- the graph ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioFacts:
    """An entity with its own portfolio: where it was loaded from and what it earns and holds."""

    source: str
    revenue: float
    backlog: float | None


@dataclass(frozen=True)
class Network:
    """Entities and the money between them, in one currency.

    `names` are sorted, and an entity's index is its position: the lowest index of a cycle is
    its alphabetically first entity. `commitments[(a, b)]`: what company a still owes vendor b;
    `financing[(a, b)]`: what investor a put into company b; `flows`: the two summed per
    direction, edges of no money left out.
    """

    names: tuple[str, ...]
    currency: str
    companies: Mapping[int, PortfolioFacts]
    commitments: Mapping[tuple[int, int], float]
    financing: Mapping[tuple[int, int], float]
    flows: Mapping[tuple[int, int], float]

    def index(self, name: str) -> int:
        return self.names.index(name)


class _Names:
    """Entity keys and display names: entities-file canonicals first, else the first spelling."""

    def __init__(self, entities: Mapping[str, Sequence[str]]) -> None:
        self.canonical: dict[str, str] = {}
        for canonical, aliases in entities.items():
            tidy = " ".join(canonical.split())
            for spelling in (canonical, *aliases):
                self.canonical.setdefault(normalize_name(spelling), tidy)
        self.spellings: dict[str, str] = {}

    def key(self, name: str) -> str:
        """The entity `name` belongs to, remembering the spelling."""
        tidy = " ".join(name.split())
        canonical = self.canonical.get(normalize_name(tidy))
        if canonical is not None:
            tidy = canonical
        key = normalize_name(tidy)
        known = self.spellings.get(key)
        self.spellings[key] = tidy if known is None else min(known, tidy)
        return key

    def find(self, name: str) -> str | None:
        """The key of an existing entity called `name`, or None."""
        key = normalize_name(self.canonical.get(normalize_name(name), name))
        return key if key in self.spellings else None


@dataclass(frozen=True)
class Settings:
    """What the network takes from the effective config."""

    engine: EngineConfig
    conditional_weight: float = 1.0
    stress_threshold: float = 0.25
    backstop_weight: float = 0.5

    @classmethod
    def from_config(cls, config: Config, source: str | None = None) -> Settings:
        """The settings of `config`; a conditional_weight outside 0 to 1 is a ConfigError."""
        settings = config.metrics.get("circular_financing")
        options = settings.options() if settings else {}
        weights: list[float] = []
        for key in ("conditional_weight", "backstop_weight"):
            default = 1.0 if key == "conditional_weight" else 0.5
            weight: Any = options.get(key, default)
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not 0 <= weight <= 1
            ):
                raise ConfigError(
                    source,
                    [
                        ErrorItem(
                            f"metrics.circular_financing.{key}",
                            f"must be a number from 0 to 1, got {weight!r}",
                        )
                    ],
                )
            weights.append(float(weight))
        return cls(config.engine, weights[0], config.network.stress_threshold, weights[1])


def build_network(
    sources: Iterable[Source],
    settings: Settings,
    entities: Mapping[str, Sequence[str]] | None = None,
) -> Network:
    """The network of `sources`; NetworkError for an entity loaded twice or mixed currencies."""
    names = _Names(entities or {})
    loaded: dict[str, Source] = {}
    commitment_parts: dict[tuple[str, str], list[float]] = {}
    financing_parts: dict[tuple[str, str], list[float]] = {}
    for source in sorted(sources, key=lambda s: s.name):
        portfolio = source.portfolio
        company = names.key(portfolio.company.name)
        if company in loaded:
            first = loaded[company]
            raise NetworkError(
                None,
                [
                    ErrorItem(
                        "company.name",
                        f"{first.name} and {source.name} are both portfolios of "
                        f"{portfolio.company.name!r}; load one of them",
                    )
                ],
            )
        book = build_book(portfolio, settings.engine)
        loaded[company] = source
        for c in portfolio.commitments:
            vendor = names.key(book.groups(c.counterparty))
            commitment_parts.setdefault((company, vendor), []).append(book.line(c).value)
        for f in portfolio.financing:
            investor = names.key(book.groups(f.investor))
            if f.kind == "backstop":  # as circular_financing weighs it
                weight = settings.backstop_weight
            else:
                weight = settings.conditional_weight if f.conditional else 1.0
            financing_parts.setdefault((investor, company), []).append(
                book.financing_amount(f) * weight
            )
    currencies = sorted({(s.portfolio.company.currency, s.name) for s in loaded.values()})
    if len({c for c, _ in currencies}) > 1:
        (one_currency, one), (other_currency, other) = (
            currencies[0],
            next(item for item in currencies if item[0] != currencies[0][0]),
        )
        raise NetworkError(
            None,
            [
                ErrorItem(
                    "company.currency",
                    f"{one} is in {one_currency} but {other} is in {other_currency}; the "
                    "network needs every portfolio in one currency",
                )
            ],
        )
    ordered = sorted(names.spellings, key=lambda key: (names.spellings[key], key))
    index = {key: i for i, key in enumerate(ordered)}

    def summed(parts: Mapping[tuple[str, str], list[float]]) -> dict[tuple[int, int], float]:
        out = {(index[a], index[b]): math.fsum(values) for (a, b), values in parts.items()}
        return {edge: value for edge, value in out.items() if value > 0}

    commitments, financing = summed(commitment_parts), summed(financing_parts)
    flows = {
        edge: math.fsum([commitments.get(edge, 0.0), financing.get(edge, 0.0)])
        for edge in commitments.keys() | financing.keys()
    }
    companies = {
        index[key]: PortfolioFacts(
            source.name,
            source.portfolio.financials.revenue,
            source.portfolio.financials.backlog,
        )
        for key, source in loaded.items()
    }
    return Network(
        names=tuple(names.spellings[key] for key in ordered),
        currency=currencies[0][0] if currencies else "USD",
        companies=MappingProxyType(companies),
        commitments=MappingProxyType(dict(sorted(commitments.items()))),
        financing=MappingProxyType(dict(sorted(financing.items()))),
        flows=MappingProxyType(dict(sorted(flows.items()))),
    )


def resolve_entity(network: Network, name: str, entities: Mapping[str, Sequence[str]]) -> str:
    """The display name of the entity `name` means; UsageError (with a hint) if there is none."""
    lookup = _Names(entities)
    for known in network.names:
        lookup.key(known)
    key = lookup.find(name)
    if key is None:
        close = close_matches(name, network.names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"--default {name}: no entity of that name in the network{hint}")
    return lookup.spellings[key]


# -- results ------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EntityEntry(_Model):
    name: str
    has_portfolio: bool
    in_cycles: float = Field(description="Sum of the amounts of every cycle through the entity.")


class CycleEntry(_Model):
    path: list[str] = Field(description="Entities in order, from the alphabetically first.")
    amount: float = Field(description="The cycle's smallest edge: the money that can go round.")


class ExposureEntry(_Model):
    vendor: str
    customer: str
    amount: float = Field(description="What the customer still owes the vendor.")
    owed: float = Field(description="What the loaded portfolios owe the vendor in all.")
    share_of_owed: float
    share_of_backlog: float | None = Field(description="None without the vendor's backlog.")


class LossEntry(_Model):
    entity: str
    loss: float
    share_of_revenue: float | None = Field(description="None for an entity without a portfolio.")


class ContagionEntry(_Model):
    defaults: list[str]
    rounds: list[list[str]] = Field(description="Each round's new defaults; the first: defaults.")
    losses: list[LossEntry]


class NetworkResult(JsonResult):
    """What `riskcore network` reports. `to_json()` is exactly the CLI's JSON.

    The excluded fields are for renderers: they are not part of the JSON contract.
    """

    schema_version: int = SCHEMA_VERSION
    entities: list[EntityEntry]
    cycles: list[CycleEntry]
    truncated: bool
    exposure: list[ExposureEntry]
    contagion: list[ContagionEntry]
    currency: str = Field(default="USD", exclude=True)
    max_cycle: int = Field(default=4, exclude=True)
    cycle_count: int = Field(default=0, exclude=True, description="Cycles before the cut.")
    recovery: float = Field(default=0.0, exclude=True)
    stress_threshold: float = Field(default=0.25, exclude=True)


# -- the analyses -------------------------------------------------------------------------------


def find_cycles(network: Network, max_length: int = 4) -> list[CycleEntry]:
    """Every simple cycle of at most `max_length` edges: largest amount first, then by path."""
    successors: list[list[int]] = [[] for _ in network.names]
    for a, b in network.flows:
        successors[a].append(b)
    found: list[tuple[float, tuple[str, ...]]] = []
    flows = network.flows
    for cycle in simple_cycles(successors, max_length):
        # Its lowest index is its alphabetically first entity (names are sorted): no rotation.
        amount = min(flows[(a, cycle[(i + 1) % len(cycle)])] for i, a in enumerate(cycle))
        found.append((amount, tuple(network.names[v] for v in cycle)))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [CycleEntry(path=list(path), amount=amount) for amount, path in found]


def vendor_exposure(network: Network) -> list[ExposureEntry]:
    """Each vendor's customers, vendors by their largest single-customer share of what they
    are owed (then by what they are owed, then by name), customers by amount."""
    owed_parts: dict[int, list[tuple[int, float]]] = {}
    for (customer, vendor), amount in network.commitments.items():
        owed_parts.setdefault(vendor, []).append((customer, amount))
    groups: list[tuple[float, float, str, list[ExposureEntry]]] = []
    for vendor, parts in owed_parts.items():
        owed = math.fsum(amount for _, amount in parts)
        company = network.companies.get(vendor)
        backlog = company.backlog if company is not None and company.backlog else None
        rows = [
            ExposureEntry(
                vendor=network.names[vendor],
                customer=network.names[customer],
                amount=amount,
                owed=owed,
                share_of_owed=amount / owed,
                share_of_backlog=None if backlog is None else amount / backlog,
            )
            for customer, amount in parts
        ]
        rows.sort(key=lambda r: (-r.amount, r.customer))
        groups.append((-rows[0].share_of_owed, -owed, network.names[vendor], rows))
    groups.sort(key=lambda g: g[:3])
    return [row for *_, rows in groups for row in rows]


def run_contagion(
    network: Network, defaults: Sequence[str], recovery: float, stress_threshold: float
) -> ContagionEntry:
    """Defaults spreading round by round from `defaults` (entity names of `network`).

    Rules:
    - Round 1 is the given defaults. A defaulted entity pays only `recovery` (0 to 1) of its
      remaining commitment values: each of its vendors loses `(1 - recovery) x` what it was
      still owed. Financing it already put in is not clawed back, and financing it promised
      is not counted as a loss to anyone.
    - An entity's loss accumulates over the rounds. An entity with its own portfolio whose
      loss is strictly above `stress_threshold x financials.revenue` defaults in the next
      round, unless it has defaulted already; its unpaid commitments then pass losses on.
    - Rounds go on until one adds no default. Entities without a portfolio (no revenue known)
      take losses but never default.
    Losses are listed for every entity that lost anything, largest first.
    """
    if not 0 <= recovery <= 1:
        raise UsageError(f"recovery must be from 0 to 1, got {recovery}")
    unknown = sorted(set(defaults) - set(network.names))
    if unknown:
        raise UsageError(f"no entity called {', '.join(map(repr, unknown))} in the network")
    owes: dict[int, list[tuple[int, float]]] = {}
    for (debtor, creditor), amount in network.commitments.items():
        owes.setdefault(debtor, []).append((creditor, amount))
    start = sorted({network.index(name) for name in defaults})
    defaulted = set(start)
    rounds = [start]
    losses: dict[int, list[float]] = {}
    new = start
    while new:
        for debtor in new:
            for creditor, amount in owes.get(debtor, []):
                losses.setdefault(creditor, []).append(amount * (1 - recovery))
        stressed = []
        for entity in sorted(losses):
            company = network.companies.get(entity)
            if entity in defaulted or company is None:
                continue
            if math.fsum(losses[entity]) > stress_threshold * company.revenue:
                stressed.append(entity)
        if stressed:
            rounds.append(stressed)
            defaulted.update(stressed)
        new = stressed
    entries = []
    for entity, parts in losses.items():
        loss = math.fsum(parts)
        if loss <= 0:
            continue
        company = network.companies.get(entity)
        share = None if company is None else loss / company.revenue
        entries.append(LossEntry(entity=network.names[entity], loss=loss, share_of_revenue=share))
    entries.sort(key=lambda e: (-e.loss, e.entity))
    return ContagionEntry(
        defaults=[network.names[v] for v in start],
        rounds=[[network.names[v] for v in r] for r in rounds],
        losses=entries,
    )


def analyse(
    network: Network,
    *,
    max_cycle: int = 4,
    max_cycles: int = 1000,
    defaults: Sequence[str] = (),
    contagion_all: bool = False,
    recovery: float = 0.0,
    stress_threshold: float = 0.25,
) -> NetworkResult:
    """Cycles, exposure and contagion of `network`, as the JSON contract's result.

    `defaults` (entity names) make one contagion scenario; `contagion_all` adds one per company
    with a portfolio, each defaulting alone, in name order. `in_cycles` counts every cycle,
    including those cut by `max_cycles`.
    """
    if max_cycles < 0:
        raise UsageError(f"max_cycles must not be negative, got {max_cycles}")
    cycles = find_cycles(network, max_cycle)
    through: dict[str, list[float]] = {}
    for cycle in cycles:
        for name in cycle.path:
            through.setdefault(name, []).append(cycle.amount)
    entities = [
        EntityEntry(
            name=name,
            has_portfolio=i in network.companies,
            in_cycles=math.fsum(through.get(name, [])),
        )
        for i, name in enumerate(network.names)
    ]
    scenarios: list[Sequence[str]] = [defaults] if defaults else []
    if contagion_all:
        scenarios += [[network.names[i]] for i in sorted(network.companies)]
    return NetworkResult(
        entities=entities,
        cycles=cycles[:max_cycles],
        truncated=len(cycles) > max_cycles,
        exposure=vendor_exposure(network),
        contagion=[run_contagion(network, s, recovery, stress_threshold) for s in scenarios],
        currency=network.currency,
        max_cycle=max_cycle,
        cycle_count=len(cycles),
        recovery=recovery,
        stress_threshold=stress_threshold,
    )
