"""Test helpers for metric authors: an engine, portfolios and the metric contract check.

pytest loads this module as a plugin (the `pytest11` entry point), so a package that depends on
riskcore gets three fixtures with no setup: `riskcore_engine`, `portfolio_factory` and
`check_metric`. The functions behind them work in any test as well:

    from riskcore.testing import check_metric, make_engine, make_portfolio

    def test_debt_wall_honours_the_contract():
        check_metric(DebtWall)

    def test_debt_wall_scores_a_wall():
        report = make_engine(DebtWall).score(make_portfolio(extensions={"debt_wall": {...}}))
        assert report.metric("debt_wall").score == 50.0

This module imports pytest; riskcore itself never imports it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from .config import Config
from .defaults import default_config_path, merge
from .engine import Engine
from .errors import ConfigError
from .hookspecs import hookimpl
from .loading import SUFFIXES, load_portfolio
from .metric import Metric
from .portfolio import Portfolio
from .registry import Registry, _Refused, check_metric_class, one_line

__all__ = ["check_metric", "make_engine", "make_portfolio", "standard_portfolios"]

# One company as of 2025-01-15 with two vendors. Cloudco: 12B flat over 2025-01..2027-12 (4B a
# year). Chipco: 6B flat over 2025-07..2027-06 (3B a year) for 0.5 GW, and it invested 1B.
_BASE: dict[str, Any] = {
    "company": {"name": "Testco", "as_of": "2025-01-15", "currency": "USD"},
    "financials": {
        "revenue": 10e9,
        "revenue_growth": 0.1,
        "cash": 5e9,
        "committed_funding": 0.0,
    },
    "counterparties": {},
    "commitments": [
        {
            "counterparty": "Cloudco",
            "kind": "cloud",
            "amount": 12e9,
            "start": "2025-01",
            "term_years": 3,
            "profile": "flat",
            "status": "signed",
        },
        {
            "counterparty": "Chipco",
            "kind": "chips",
            "amount": 6e9,
            "start": "2025-07",
            "term_years": 2,
            "profile": "flat",
            "capacity_gw": 0.5,
            "status": "signed",
        },
    ],
    "financing": [{"investor": "Chipco", "kind": "equity", "amount": 1e9, "date": "2024-06"}],
    "fx": {},
    "extensions": {},
}


class _MetricPlugin:
    """A plugin that registers one Metric class: what `make_engine` wraps a bare class in."""

    def __init__(self, metric: type[Metric]) -> None:
        """Wrap `metric`; the registry names the plugin after `__name__`."""
        self.metric = metric
        name = getattr(metric, "name", None)
        # The plugin is named after its metric, so report messages read "debt_wall: ...".
        self.__name__ = name if isinstance(name, str) and name else metric.__name__

    @hookimpl
    def riskcore_register_metrics(self, register: Callable[[type[Metric]], None]) -> None:
        """Register the wrapped metric."""
        register(self.metric)


def make_engine(
    *plugins: object, config: str | Path | Mapping[str, Any] | Config | None = None
) -> Engine:
    """An Engine running only `plugins`: no entry points, built-ins or RISKCORE_LOAD_PLUGINS.

    Each plugin is a module or object with hook implementations, or a bare `riskcore.Metric`
    subclass, which is wrapped in a plugin (named after the metric) that registers it.
    `config` is what `riskcore.Engine` takes: a path, a mapping overlaid on the defaults, or a
    Config. A plugin that fails to register shows in `engine.plugin_errors`, as in any engine.
    """
    wrapped = [
        _MetricPlugin(p) if isinstance(p, type) and issubclass(p, Metric) else p for p in plugins
    ]
    return Engine(config=config, plugins=wrapped, load_entrypoints=False, allow=[])


def make_portfolio(**overrides: Any) -> Portfolio:
    """A small valid portfolio, with `overrides` applied; invalid results raise PortfolioError.

    Testco as of 2025-01-15 (USD): revenue 10B growing 10% a year, cash 5B, no committed
    funding; Cloudco cloud 12B flat 2025-01 for 3 years; Chipco chips 6B flat 2025-07 for 2
    years with capacity_gw 0.5; 1B of equity from Chipco dated 2024-06; no counterparty groups,
    fx or extensions.

    An override of a mapping section (`company`, `financials`, `counterparties`, `fx`,
    `extensions`) merges into it key by key, so `financials={"cash": 0}` keeps the revenue; any
    other value, such as `commitments=[...]` or `financing=[]`, replaces the section.
    """
    data = merge(_BASE, overrides)
    return load_portfolio(data)


def _commitment(index: int, **changes: Any) -> dict[str, Any]:
    """Default commitment `index` of `_BASE` with `changes` (None removes a key)."""
    row = {**_BASE["commitments"][index], **changes}
    return {k: v for k, v in row.items() if v is not None}


def _edge_cases() -> dict[str, Portfolio]:
    """The edge cases of `standard_portfolios`, each a small change to the default portfolio."""
    cloud = _commitment(0)
    return {
        "one_commitment": make_portfolio(commitments=[cloud]),
        "no_financing": make_portfolio(financing=[]),
        "no_capacity": make_portfolio(commitments=[cloud, _commitment(1, capacity_gw=None)]),
        "huge_amounts": make_portfolio(
            financials={"revenue": 4e15, "cash": 1e15, "committed_funding": 5e14},
            commitments=[_commitment(0, amount=3e15), _commitment(1, amount=2e15)],
            financing=[{"investor": "Chipco", "kind": "equity", "amount": 1e15}],
        ),
        # Both terms end by 2027-12, so as_of 2030 leaves nothing to pay and no horizon.
        "nothing_left_to_pay": make_portfolio(company={"as_of": "2030-01-01"}),
        "explicit_and_ramp": make_portfolio(
            commitments=[
                _commitment(
                    0,
                    amount=None,
                    start=None,
                    term_years=None,
                    profile="explicit",
                    schedule={2025: 2e9, 2026: 4e9, 2027: 6e9},
                ),
                _commitment(1, profile="ramp"),
            ]
        ),
        "foreign_currency": make_portfolio(
            commitments=[cloud, _commitment(1, amount=5e9, currency="EUR")], fx={"EUR": 1.08}
        ),
        "aliases": make_portfolio(
            counterparties={
                "Cloudco": {"aliases": ["Cloudco Inc", "CC"]},
                "Chipco": {"aliases": ["Chipco Ltd"]},
            },
            commitments=[
                _commitment(0, counterparty="CC"),
                _commitment(1, counterparty="chipco ltd"),
            ],
            financing=[
                {"investor": "Chipco Ltd", "kind": "equity", "amount": 1e9, "date": "2024-06"},
                {"investor": "CLOUDCO INC", "kind": "credits", "amount": 5e8, "date": "2024-09"},
            ],
        ),
    }


def standard_portfolios() -> dict[str, Portfolio]:
    """The portfolios every metric must survive, by name, fresh on each call.

    First riskcore's bundled examples (keyed by file stem, e.g. `openai-2025`, sorted), then
    edge cases built with `make_portfolio`: `one_commitment`, `no_financing`, `no_capacity`,
    `huge_amounts` (amounts of 1e15 and more), `nothing_left_to_pay` (as_of after every term),
    `explicit_and_ramp` (both profiles), `foreign_currency` (a EUR commitment with fx) and
    `aliases` (counterparty groups whose aliases name both commitments and financing).
    """
    folder = default_config_path().parent / "portfolios"
    examples = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    portfolios = {path.stem: load_portfolio(path) for path in examples}
    portfolios.update(_edge_cases())
    return portfolios


@functools.cache
def _builtin_metrics() -> dict[str, type[Metric]]:
    """riskcore's own metrics by name, found through its entry points (no third parties)."""
    registry = Registry(allow=())
    return {
        name: registered.cls
        for name, registered in registry.metrics.items()
        if registry.plugins[registered.plugin].source == "builtin"
    }


def check_metric(
    metric: type[Metric],
    *,
    config: Mapping[str, Any] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> None:
    """Check `metric` against the riskcore metric contract; AssertionError lists every breach.

    The class must pass the registry's checks (a snake_case `name`, a `title`, a
    `default_weight` in (0, 1], a MetricConfig `Config` whose defaults validate, a `score`),
    must not take the name of one of riskcore's built-in metrics, and must have a docstring
    (its written method). `config`, the metric's `[metrics.NAME]` table, must validate. Then,
    scored by a `make_engine(metric, config=...)` engine on each of `standard_portfolios()`,
    the metric must end "ok" or "skipped" (never "error"), give the same entry on a second run,
    leave the portfolio unchanged and write nothing to stdout or stderr. `extensions` (e.g.
    `{"debt_wall": {...}}`) is added to every standard portfolio, so a metric that reads its
    own section is exercised rather than skipped.
    """
    label = getattr(metric, "__name__", repr(metric))
    problems: list[str] = []
    try:
        name: str | None = check_metric_class(metric)
    except Exception as exc:  # the registry's refusal, or whatever a broken Config raises
        problems.append(f"class: {exc if isinstance(exc, _Refused) else one_line(exc)}")
        name = None
    builtin = _builtin_metrics().get(name) if name is not None else None
    if builtin is not None and builtin is not metric:
        problems.append(
            f"name: {name!r} is taken by riskcore's built-in "
            f"{builtin.__module__}.{builtin.__qualname__}; the engine refuses a second "
            "metric of that name"
        )
        name = None  # scored alone, it would also pick up the built-in's [metrics.NAME]
    if not inspect.cleandoc(getattr(metric, "__doc__", None) or ""):
        problems.append(
            f"docstring: {label} has none; write the metric's method there "
            "(`riskcore explain` prints it)"
        )
    if name is None:
        problems.append(
            "portfolios: not scored, because the engine would refuse the metric (above)"
        )
    else:
        engine = _engine_for(metric, name, config, problems)
        if engine is not None:
            for key, portfolio in standard_portfolios().items():
                if extensions:
                    portfolio = portfolio.model_copy(
                        update={"extensions": {**portfolio.extensions, **extensions}}
                    )
                problems.extend(f"{key}: {p}" for p in _run(engine, name, portfolio))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        lines = [f"{label} breaks the riskcore metric contract ({count}):"]
        lines += [f"  - {p}" for p in problems]
        raise AssertionError("\n".join(lines))


def _engine_for(
    metric: type[Metric], name: str, config: Mapping[str, Any] | None, problems: list[str]
) -> Engine | None:
    """The engine that scores `metric`, or None (with the reason in `problems`)."""
    overlay = {"metrics": {name: dict(config)}} if config is not None else None
    try:
        engine = make_engine(metric, config=overlay)
    except ConfigError as exc:
        problems.extend(f"config: {e}" for e in exc.errors)
        if overlay is None:
            return None
        try:  # go on with the defaults, so the portfolio checks still run
            engine = make_engine(metric)
        except ConfigError:
            return None
    problems.extend(f"engine: {failure}" for failure in engine.plugin_errors)
    if name not in {m.name for m in engine.metrics}:
        if not engine.plugin_errors:
            problems.append("config: the metric is disabled, so no portfolio was scored")
        return None
    return engine


def _run(engine: Engine, name: str, portfolio: Portfolio) -> list[str]:
    """What `name` does wrong on one portfolio: error, nondeterminism, mutation, output."""
    before = portfolio.model_dump()
    # Each run gets its own copy, so a metric that changes its input cannot make the second
    # run look different. The engine itself turns output and changes into an error entry.
    once, twice = portfolio.model_copy(deep=True), portfolio.model_copy(deep=True)
    try:
        first = engine.score(once).metric(name)
        second = engine.score(twice).metric(name)
    except Exception as exc:  # the engine failed, not the metric: nothing more to check here
        return [f"the engine raised {one_line(exc)}"]
    problems: list[str] = []
    # A change alone is reported below, with the paths it touched.
    only_mutated = first.message == f"{first.plugin}: score() changed the portfolio it was given"
    if first.status == "error" and not only_mutated:
        problems.append(f"status 'error': {first.message}")
    a, b = first.model_dump(), second.model_dump()
    if a != b:
        changed = ", ".join(f"{k} {a[k]!r:.40} then {b[k]!r:.40}" for k in a if a[k] != b[k])
        problems.append(f"not deterministic: a second run gave {changed}")
    paths = _changed_paths(before, once.model_dump())
    if paths:
        problems.append(f"score() changed the portfolio at {', '.join(paths[:3])}")
    return problems


def _changed_paths(before: object, after: object, path: str = "") -> list[str]:
    """Where two dumps differ: dotted paths, followed down through dicts and equal-length lists."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in sorted({*before, *after}, key=str):
            inner = f"{path}.{key}" if path else str(key)
            paths += _changed_paths(before.get(key), after.get(key), inner)
        return paths
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        paths = []
        for i, (x, y) in enumerate(zip(before, after, strict=True)):
            paths += _changed_paths(x, y, f"{path}[{i}]")
        return paths
    return [] if before == after else [path or "(the whole portfolio)"]


@pytest.fixture(name="riskcore_engine")
def _riskcore_engine_fixture() -> Callable[..., Engine]:
    """riskcore.testing.make_engine: an Engine running only the plugins or Metric classes given."""
    return make_engine


@pytest.fixture(name="portfolio_factory")
def _portfolio_factory_fixture() -> Callable[..., Portfolio]:
    """riskcore.testing.make_portfolio: a small valid Portfolio, with sections overridden."""
    return make_portfolio


@pytest.fixture(name="check_metric")
def _check_metric_fixture() -> Callable[..., None]:
    """riskcore.testing.check_metric: AssertionError listing every breach of the metric contract."""
    return check_metric
