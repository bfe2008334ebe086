"""The engine: score one portfolio with the loaded metrics and rate it.

An Engine owns its config and its plugins (loaded once, at construction) and is safe to share
between threads: `score` keeps no state between calls. It never prints; it logs and puts
warnings in the report.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from ._version import __version__
from .config import ENGINE_ASSUMPTIONS, Config, EngineConfig, ScenarioConfig
from .defaults import config_sha256, default_config_data, load_config
from .errors import ConfigError, ErrorItem, SkipMetric, UsageError, close_matches, log_failure
from .isolation import catch_output
from .loading import PortfolioSource as PortfolioSource  # re-exported: the engine takes it
from .loading import load_portfolio_with_hash, located_errors
from .metric import Context, Metric, MetricConfig, MetricResult
from .overlay import Overlay, apply_overlay
from .portfolio import Portfolio
from .rating import margin, normalise_weights, rate
from .registry import ENV_ALLOW, PluginFailure, PluginInfo, Registry, one_line, parse_allow
from .report import (
    CompanyInfo,
    MetricEntry,
    PluginRef,
    Provenance,
    Report,
    ScheduleRow,
    WhatIf,
)
from .schedule import Book, build_book
from .search import first_crossing, geometric_grid


@dataclass(frozen=True)
class ActiveMetric:
    """A metric the engine runs: its instance, validated config and normalised weight."""

    name: str
    title: str
    plugin: str
    weight: float
    default_weight: float
    config: MetricConfig
    instance: Metric

    @property
    def method(self) -> str:
        return self.instance.method()


@dataclass(frozen=True)
class Plan:
    """How one run scores: the scenario's overlay, revenue multiplier, assumptions and metrics."""

    scenario: str | None
    description: str
    overlay: Overlay
    revenue_multiplier: float
    engine: EngineConfig
    metrics: tuple[ActiveMetric, ...]


@dataclass(frozen=True)
class Scored:
    """A report with what produced it, for the tools that run the engine many times."""

    report: Report
    portfolio: Portfolio
    """The portfolio as scored: the scenario's overlay applied."""
    book: Book
    contexts: Mapping[str, Context]
    """The Context each metric with a result was given, by metric name."""
    plan: Plan


# The reverse stress test works in thousandths: every answer is exact to 1e-3.
_UNIT = 1000
_BETTER_MULTIPLIERS = geometric_grid(_UNIT, 100 * _UNIT, 100)
_WORSE_MULTIPLIERS = list(range(_UNIT - 10, -1, -10))
_CANCEL_SHARES = list(range(10, _UNIT + 1, 10))


class Engine:
    """Loads plugins once and scores portfolios into rated reports.

    `config`: a path, a mapping overlaid on the defaults, or a Config. `plugins`: extra plugin
    objects or modules. `allow`: third-party entry points to load (None = the
    RISKCORE_LOAD_PLUGINS variable if set, else all). `disable` and `only` name metrics (or, for
    `disable`, whole plugins).
    """

    def __init__(
        self,
        config: str | Path | Mapping[str, Any] | Config | None = None,
        plugins: Sequence[object] = (),
        load_entrypoints: bool = True,
        allow: Iterable[str] | None = None,
        disable: Iterable[str] = (),
        only: Iterable[str] = (),
        plugins_dir: str | Path | None = None,
    ) -> None:
        self.config, data = load_config(config)
        self._config_source = str(config) if isinstance(config, str | Path) else None
        self.config_sha256 = config_sha256(data)
        if allow is None:
            allow = parse_allow(os.environ.get(ENV_ALLOW))
        disable, only = set(disable), set(only)
        self._registry = Registry(
            load_entrypoints=load_entrypoints,
            allow=allow,
            plugins=plugins,
            plugins_dir=plugins_dir,
        )
        self._check_names(disable, only)
        # The defaults configure the built-ins; only a section the user wrote for a metric
        # that is not loaded (a typo, an uninstalled plugin) is worth a warning.
        self._shipped = default_config_data()
        shipped = set(self._shipped.get("metrics", {}))
        self._warnings = [
            f"config has [metrics.{name}] but no such metric is loaded"
            for name in sorted(set(self.config.metrics) - set(self._registry.metrics) - shipped)
        ]
        self._metrics = self._activate(disable, only)
        if (disable or only) and not self._metrics and self._registry.metrics:
            # A rating from no metric is NR by construction: the options, not the book, are wrong.
            chosen = [
                f"--{o} {', '.join(sorted(n))}"
                for o, n in (("disable", disable), ("only", only))
                if n
            ]
            available = ", ".join(sorted(self._registry.metrics))
            raise UsageError(
                f"{' with '.join(chosen)} leaves no metric to run; available: {available}"
            )
        self._plans = self._make_plans()

    def _check_names(self, disable: set[str], only: set[str]) -> None:
        metric_names = set(self._registry.metrics)
        known = metric_names | set(self._registry.plugins)
        for option, names, pool in (("--disable", disable, known), ("--only", only, metric_names)):
            for name in sorted(names - pool):
                close = close_matches(name, sorted(pool), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise UsageError(f"{option} {name}: no metric of that name is loaded{hint}")

    def _activate(self, disable: set[str], only: set[str]) -> tuple[ActiveMetric, ...]:
        chosen: list[tuple[str, float, MetricConfig, Metric, str]] = []
        errors: list[ErrorItem] = []
        for name in sorted(self._registry.metrics):
            registered = self._registry.metrics[name]
            settings = self.config.metrics.get(name)
            if settings is not None and not settings.enabled:
                continue
            if name in disable or registered.plugin in disable or (only and name not in only):
                continue
            cls = registered.cls
            try:
                options = settings.options() if settings else {}
                metric_config = cls.Config.model_validate(options)
            except ValidationError as exc:
                for item in located_errors(cls.Config, options, exc, {}):
                    where = (
                        f"metrics.{name}.{item.location}" if item.location else f"metrics.{name}"
                    )
                    errors.append(ErrorItem(where, item.message))
                continue
            weight = (
                settings.weight if settings and settings.weight is not None else cls.default_weight
            )
            try:
                instance = cls()
            except Exception as exc:  # a plugin's constructor may raise anything
                self._registry._fail(
                    self._registry.plugins[registered.plugin], "init", one_line(exc)
                )
                continue
            chosen.append((name, float(weight), metric_config, instance, registered.plugin))
        if errors:
            raise ConfigError(self._config_source, errors)
        if chosen and math.fsum(w for _, w, *_ in chosen) <= 0:
            raise ConfigError(
                self._config_source, [ErrorItem("metrics", "the enabled metrics' weights sum to 0")]
            )
        weights = normalise_weights({n: w for n, w, *_ in chosen}) if chosen else {}
        return tuple(
            ActiveMetric(
                name=n,
                title=inst.title,
                plugin=plugin,
                weight=weights[n],
                default_weight=float(inst.default_weight),
                config=cfg,
                instance=inst,
            )
            for n, _, cfg, inst, plugin in chosen
        )

    def _make_plans(self) -> dict[str | None, Plan]:
        """The base plan and one per configured scenario; a scenario key nobody reads is an error."""
        plans: dict[str | None, Plan] = {
            None: Plan(None, "", Overlay(), 1.0, self.config.engine, self._metrics)
        }
        errors: list[ErrorItem] = []
        for name, scenario in self.config.scenarios.items():
            plan = self._plan(name, scenario, errors)
            if plan is not None:
                plans[name] = plan
        if errors:
            raise ConfigError(self._config_source, errors)
        return plans

    def _plan(self, name: str, scenario: ScenarioConfig, errors: list[ErrorItem]) -> Plan | None:
        options = scenario.options()
        installed = {n: r.cls for n, r in self._registry.metrics.items()}
        known = set(ENGINE_ASSUMPTIONS) | {
            f for cls in installed.values() for f in cls.Config.model_fields
        }
        # The defaults' scenarios set the built-ins' keys: with a built-in not loaded, those
        # keys have nobody to read them, which is no mistake of the user's.
        shipped = set(self._shipped.get("scenarios", {}).get(name, {}))
        before = len(errors)
        for key in sorted(set(options) - known - shipped):
            close = close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append(
                ErrorItem(
                    f"scenarios.{name}.{key}",
                    f"not an engine assumption nor a setting of any installed metric{hint}",
                )
            )
        metrics: list[ActiveMetric] = []
        for metric in self._metrics:
            mine = {k: v for k, v in options.items() if k in type(metric.config).model_fields}
            if not mine:
                metrics.append(metric)
                continue
            data = {**metric.config.model_dump(), **mine}
            try:
                config = type(metric.config).model_validate(data)
            except ValidationError as exc:
                for item in located_errors(type(metric.config), data, exc, {}):
                    where = f"scenarios.{name}.{item.location}" if item.location else name
                    errors.append(ErrorItem(where, f"{item.message} (for {metric.name})"))
                continue
            metrics.append(
                ActiveMetric(
                    name=metric.name,
                    title=metric.title,
                    plugin=metric.plugin,
                    weight=metric.weight,
                    default_weight=metric.default_weight,
                    config=config,
                    instance=metric.instance,
                )
            )
        if len(errors) > before:
            return None
        engine = self.config.engine
        if scenario.cost_per_gw:
            engine = engine.model_copy(
                update={"cost_per_gw": {**engine.cost_per_gw, **scenario.cost_per_gw}}
            )
        overlay = Overlay(
            status_weights={str(k): v for k, v in scenario.status_weights.items()},
            revenue_growth=scenario.revenue_growth,
        )
        return Plan(
            name,
            scenario.description,
            overlay,
            scenario.revenue_multiplier,
            engine,
            tuple(metrics),
        )

    def unread_extensions(self, portfolio: Portfolio) -> list[str]:
        """A warning for each `extensions` section that no loaded plugin or metric is named for.

        Sections are keyed by plugin (or metric) name; one that nobody reads is most often a
        typo or a plugin that is not installed, and its figures silently count for nothing.
        """
        known = sorted(set(self._registry.plugins) | set(self._registry.metrics))
        out: list[str] = []
        for key in sorted(portfolio.extensions):
            if key in known:
                continue
            close = close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            out.append(
                f"extensions.{key}: no installed plugin reads this section, so it counts for "
                f"nothing{hint}"
            )
        return out

    # -- what the engine holds ---------------------------------------------------------------

    @property
    def metrics(self) -> tuple[ActiveMetric, ...]:
        """The metrics this engine runs, sorted by name, with normalised weights."""
        return self._metrics

    @property
    def plugin_errors(self) -> list[PluginFailure]:
        """Plugins that failed to load or register."""
        return list(self._registry.failures)

    @property
    def plugins(self) -> list[PluginInfo]:
        """Every plugin found, active, disabled or failed, sorted by name."""
        return sorted(self._registry.plugins.values(), key=lambda p: p.name)

    @property
    def scenarios(self) -> dict[str, str]:
        """The configured scenarios, name -> description, in config order."""
        return {n: p.description for n, p in self._plans.items() if n is not None}

    def plan(self, scenario: str | None = None) -> Plan:
        """The plan of a named scenario (None: the base run); UsageError for an unknown name."""
        try:
            return self._plans[scenario]
        except KeyError:
            names = [n for n in self._plans if n is not None]
            close = close_matches(str(scenario), names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(names) or "none"
            raise UsageError(
                f"no scenario {scenario!r} in the config (configured: {known}){hint}"
            ) from None

    @property
    def registry(self) -> Registry:
        return self._registry

    @property
    def available_metrics(self) -> dict[str, type[Metric]]:
        """Every registered metric class by name, enabled or not."""
        return {n: r.cls for n, r in sorted(self._registry.metrics.items())}

    # -- scoring -----------------------------------------------------------------------------

    def score(
        self,
        portfolio: PortfolioSource,
        scenario: str | None = None,
        what_if: bool = False,
        ratings: Mapping[str, str] | None = None,
    ) -> Report:
        """Rate one portfolio (a path, a mapping or a Portfolio). Bad input: PortfolioError.

        `scenario` names a `[scenarios.NAME]` table whose assumptions overlay this run;
        `what_if` adds the reverse stress test (it runs the engine a few hundred times more).
        `ratings` gives riskcore's ratings of other companies by name (as `riskcore network`
        finds them), for the metrics that weigh a counterparty's own credit.
        """
        return self.score_detailed(portfolio, scenario, what_if, ratings).report

    def score_detailed(
        self,
        portfolio: PortfolioSource,
        scenario: str | None = None,
        what_if: bool = False,
        ratings: Mapping[str, str] | None = None,
    ) -> Scored:
        """`score`, with the scored portfolio, its book and each metric's Context."""
        plan = self.plan(scenario)
        loaded, sha = load_portfolio_with_hash(
            portfolio, max_bytes=self.config.engine.max_file_bytes
        )
        original = loaded
        loaded = apply_overlay(loaded, plan.overlay)
        book = build_book(loaded, plan.engine, plan.revenue_multiplier)
        entries: list[MetricEntry] = []
        contexts: dict[str, Context] = {}
        warnings = set(book.warnings) | set(self._warnings)
        if not loaded.commitments and not loaded.financials.debt:
            warnings.add(NOTHING_TO_PAY)
        warnings |= {str(f) for f in self._registry.failures}
        warnings |= set(self.unread_extensions(loaded))
        # Built-in metrics are tested not to change their input; a third party's are checked
        # against a fingerprint, and the metrics after one that did see a fresh copy.
        fingerprint: str | None = None
        for metric in plan.metrics:
            guarded = self._registry.plugins[metric.plugin].source != "builtin"
            if guarded and fingerprint is None:
                fingerprint = loaded.model_dump_json(fallback=repr)
            context = Context(book, metric.config, plan.engine, ratings)
            entry, metric_warnings = self._run(metric, loaded, context)
            if guarded and loaded.model_dump_json(fallback=repr) != fingerprint:
                assert fingerprint is not None
                entry = _failed(entry, metric.plugin)
                metric_warnings = []
                loaded = Portfolio.model_validate_json(fingerprint)
                book = build_book(loaded, plan.engine, plan.revenue_multiplier)
            if entry.status == "ok":
                contexts[metric.name] = context
            entries.append(entry)
            warnings |= {f"{metric.name}: {w}" for w in metric_warnings}
        report = self._rate(loaded, sha, entries, book, sorted(warnings), plan)
        if what_if:
            found = self._what_if(original, plan, report, ratings)
            report = report.model_copy(update={"what_if": found})
        return Scored(report, loaded, book, MappingProxyType(contexts), plan)

    def _rank(
        self,
        portfolio: Portfolio,
        plan: Plan,
        multiplier: float,
        keep: float,
        ratings: Mapping[str, str] | None,
    ) -> int | None:
        """The grade index (0 = best) of one what-if run; None when it is not rated."""
        overlay = Overlay(plan.overlay.status_weights, keep, plan.overlay.revenue_growth)
        changed = apply_overlay(portfolio, overlay)
        book = build_book(changed, plan.engine, plan.revenue_multiplier * multiplier)
        scores: dict[str, float | None] = {}
        for metric in plan.metrics:
            context = Context(book, metric.config, plan.engine, ratings)
            entry, _ = self._run(metric, changed, context)
            scores[metric.name] = entry.score if entry.status == "ok" else None
        rated = rate({m.name: m.weight for m in plan.metrics}, scores, self.config.rating)
        grade = self.config.grade_of(rated.score)
        return None if grade is None else self.config.rating.scale.index(grade)

    def _what_if(
        self,
        portfolio: Portfolio,
        plan: Plan,
        report: Report,
        ratings: Mapping[str, str] | None = None,
    ) -> WhatIf:
        """The reverse stress test of `report` (see WhatIf); all None for a report not rated."""
        grade = self.config.grade_of(report.score)
        if grade is None:
            return WhatIf(
                revenue_multiplier_for_better=None,
                revenue_multiplier_for_worse=None,
                cancel_share_for_better=None,
            )
        now = self.config.rating.scale.index(grade)

        def moved(direction: int, multiplier: float = 1.0, keep: float = 1.0) -> bool:
            """Whether the rating moved: direction -1 to a better grade, +1 to a worse one."""
            rank = self._rank(portfolio, plan, multiplier, keep, ratings)
            return rank is not None and (rank - now) * direction > 0

        def search(passes: Callable[[int], bool], start: int, grid: list[int]) -> float | None:
            k = first_crossing(passes, start, grid)
            return None if k is None else k / _UNIT

        return WhatIf(
            revenue_multiplier_for_better=search(
                lambda k: moved(-1, multiplier=k / _UNIT), _UNIT, _BETTER_MULTIPLIERS
            ),
            revenue_multiplier_for_worse=search(
                lambda k: moved(1, multiplier=k / _UNIT), _UNIT, _WORSE_MULTIPLIERS
            ),
            cancel_share_for_better=search(
                lambda k: moved(-1, keep=1.0 - k / _UNIT), 0, _CANCEL_SHARES
            ),
        )

    def _run(
        self, metric: ActiveMetric, portfolio: Portfolio, context: Context
    ) -> tuple[MetricEntry, list[str]]:
        base: dict[str, Any] = {
            "name": metric.name,
            "title": metric.title,
            "plugin": metric.plugin,
            "weight": metric.weight,
            "contribution": 0.0,
        }
        with catch_output() as caught:
            try:
                result = metric.instance.score(portfolio, context)
            except SkipMetric as exc:
                result = None
                skipped = str(exc) or "skipped"
            except Exception as exc:  # a plugin's score may raise anything
                log_failure(__name__, "metric %s failed", metric.name)
                return MetricEntry(
                    status="error", message=f"{metric.plugin}: {one_line(exc)}", **base
                ), []
        if caught:
            text = "".join(caught).strip().replace("\n", " ")
            shown = text if len(text) <= 60 else text[:57] + "..."
            message = f"{metric.plugin}: score() wrote to stdout/stderr ({shown!r}); metrics must not print"
            return MetricEntry(status="error", message=message, **base), []
        if result is None:
            return MetricEntry(status="skipped", message=skipped, **base), []
        problem = _check_result(result)
        if problem:
            return MetricEntry(status="error", message=f"{metric.plugin}: {problem}", **base), []
        grade = self.config.grade_of(result.score)
        return (
            MetricEntry(
                status="ok",
                score=result.score,
                rating=grade.grade if grade else None,
                value=result.value,
                unit=result.unit,
                summary=result.summary,
                details=dict(result.details),
                **base,
            ),
            list(result.warnings),
        )

    def _rate(
        self,
        portfolio: Portfolio,
        sha: str,
        entries: list[MetricEntry],
        book: Book,
        warnings: list[str],
        plan: Plan,
    ) -> Report:
        weights = {e.name: e.weight for e in entries}
        scores = {e.name: (e.score if e.status == "ok" else None) for e in entries}
        rated = rate(weights, scores, self.config.rating)
        agg, score, adjustments = rated.aggregate, rated.score, rated.adjustments
        entries = [
            e.model_copy(update={"contribution": agg.contributions[e.name]}) for e in entries
        ]
        grade = self.config.grade_of(score)
        if grade is not None:
            rating, label = grade.grade, grade.label
        elif not portfolio.commitments and not portfolio.financials.debt:
            rating, label = "NR", NOTHING_TO_PAY_LABEL
        else:
            rating = "NR"
            label = (
                f"Not rated: metrics with a result cover {agg.coverage:.0%} of the weight, "
                f"below the minimum of {self.config.rating.min_coverage:.0%}"
            )
        company = portfolio.company
        costs = book.operating_costs
        schedule = [
            ScheduleRow(
                year=y,
                obligations=book.obligations[y],
                debt_service=book.debt_service.get(y, 0.0),
                revenue=book.counted_revenue[y],
                operating_costs=None if costs is None else costs[y],
                coverage=(
                    (book.counted_revenue[y] - (costs[y] if costs else 0.0)) / book.obligations[y]
                )
                if book.obligations[y] > 0
                else None,
            )
            for y in book.years
        ]
        used = sorted({m.plugin for m in plan.metrics})
        plugins = [PluginRef(name=p, version=self._registry.plugins[p].version) for p in used]
        complete = all(e.status == "ok" for e in entries) and not self._registry.failures
        return Report(
            company=CompanyInfo(name=company.name, as_of=company.as_of, currency=company.currency),
            rating=rating,
            rating_label=label,
            score=score,
            coverage=agg.coverage,
            complete=complete,
            margin=margin(score, self.config),
            scenario=plan.scenario,
            metrics=entries,
            adjustments=adjustments,
            schedule=schedule,
            warnings=warnings,
            provenance=Provenance(
                riskcore_version=__version__,
                portfolio_sha256=sha,
                config_sha256=self.config_sha256,
                plugins=plugins,
            ),
        )


MUTATED = "score() changed the portfolio it was given"
NOTHING_TO_PAY = "the book has no commitments and no debt: there is nothing to pay"
# NR, not a best grade: a rating is an opinion on paying commitments, and with none there is no
# evidence to grade (an empty book is also how a forgotten section looks); docs/metrics.md.
NOTHING_TO_PAY_LABEL = (
    "Not rated: the book has no commitments and no debt, so there is nothing to pay"
)


def _failed(entry: MetricEntry, plugin: str) -> MetricEntry:
    """`entry` of a metric that changed its input, as an error; an earlier error is kept."""
    if entry.status == "error" and entry.message:
        message = f"{entry.message} (it also changed the portfolio it was given)"
    else:
        message = f"{plugin}: {MUTATED}"
    return MetricEntry(
        name=entry.name,
        title=entry.title,
        plugin=entry.plugin,
        status="error",
        weight=entry.weight,
        contribution=0.0,
        message=message,
    )


def _check_result(result: object) -> str | None:
    """Why a metric's return value is unusable, or None if it is fine."""
    if not isinstance(result, MetricResult):
        return f"score() returned {type(result).__name__}, not riskcore.MetricResult"
    if not isinstance(result.score, int | float) or not math.isfinite(result.score):
        return f"score() gave a score of {result.score!r}, not a finite number"
    if not 0 <= result.score <= 100:
        return f"score() gave a score of {result.score!r}, outside 0..100"
    if result.value is not None and not math.isfinite(result.value):
        return f"score() gave a value of {result.value!r}"
    return None
