"""riskcore: rate a company's long-term commitment book through pluggable risk metrics.

The public API is what this module exports; everything else may change. Each name is imported
on first use (PEP 562), so `import riskcore`, `riskcore --version` and a command that needs
only part of the engine pay only for the modules they use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover - typing only; the names load on first use below
    from .backtest_results import BacktestReport
    from .backtesting import backtest
    from .config import Config
    from .diff_results import DiffReport
    from .diffing import diff
    from .engine import ActiveMetric, Engine
    from .errors import ConfigError, PortfolioError, RiskcoreError, SkipMetric, UsageError
    from .hookspecs import hookimpl
    from .loading import load_portfolio
    from .metric import Context, Metric, MetricConfig, MetricResult, PathScores
    from .money import format_money, format_share, parse_money
    from .montecarlo import Settings as SimulationSettings
    from .montecarlo import simulate
    from .peers import score_together
    from .portfolio import Commitment, Customer, Debt, Financing, Money, Portfolio, rating_grade
    from .registry import PluginFailure, PluginInfo
    from .render import RenderOptions, render_reports
    from .report import AdjustmentEntry, Margin, MetricEntry, Report, ScheduleRow, WhatIf
    from .results import ScenarioRow, SimulationReport, StressReport
    from .scenarios import stress
    from .schedule import Term
    from .scoring import ScorePoints, score_from_points, scores_from_points

# Public name -> (module, attribute). Looked up once, then kept in the module's namespace.
_LAZY: dict[str, tuple[str, str]] = {
    "ActiveMetric": (".engine", "ActiveMetric"),
    "AdjustmentEntry": (".report", "AdjustmentEntry"),
    "BacktestReport": (".backtest_results", "BacktestReport"),
    "Commitment": (".portfolio", "Commitment"),
    "Config": (".config", "Config"),
    "ConfigError": (".errors", "ConfigError"),
    "Context": (".metric", "Context"),
    "Customer": (".portfolio", "Customer"),
    "Debt": (".portfolio", "Debt"),
    "DiffReport": (".diff_results", "DiffReport"),
    "Engine": (".engine", "Engine"),
    "Financing": (".portfolio", "Financing"),
    "Margin": (".report", "Margin"),
    "Metric": (".metric", "Metric"),
    "MetricConfig": (".metric", "MetricConfig"),
    "MetricEntry": (".report", "MetricEntry"),
    "MetricResult": (".metric", "MetricResult"),
    "Money": (".portfolio", "Money"),
    "PathScores": (".metric", "PathScores"),
    "PluginFailure": (".registry", "PluginFailure"),
    "PluginInfo": (".registry", "PluginInfo"),
    "Portfolio": (".portfolio", "Portfolio"),
    "PortfolioError": (".errors", "PortfolioError"),
    "RenderOptions": (".render", "RenderOptions"),
    "Report": (".report", "Report"),
    "RiskcoreError": (".errors", "RiskcoreError"),
    "ScenarioRow": (".results", "ScenarioRow"),
    "ScheduleRow": (".report", "ScheduleRow"),
    "ScorePoints": (".scoring", "ScorePoints"),
    "SimulationReport": (".results", "SimulationReport"),
    "SimulationSettings": (".montecarlo", "Settings"),
    "SkipMetric": (".errors", "SkipMetric"),
    "StressReport": (".results", "StressReport"),
    "Term": (".schedule", "Term"),
    "UsageError": (".errors", "UsageError"),
    "WhatIf": (".report", "WhatIf"),
    "backtest": (".backtesting", "backtest"),
    "diff": (".diffing", "diff"),
    "format_money": (".money", "format_money"),
    "format_share": (".money", "format_share"),
    "hookimpl": (".hookspecs", "hookimpl"),
    "load_portfolio": (".loading", "load_portfolio"),
    "parse_money": (".money", "parse_money"),
    "rating_grade": (".portfolio", "rating_grade"),
    "render_reports": (".render", "render_reports"),
    "score_from_points": (".scoring", "score_from_points"),
    "score_together": (".peers", "score_together"),
    "scores_from_points": (".scoring", "scores_from_points"),
    "simulate": (".montecarlo", "simulate"),
    "stress": (".scenarios", "stress"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'riskcore' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ActiveMetric",
    "AdjustmentEntry",
    "BacktestReport",
    "Commitment",
    "Config",
    "ConfigError",
    "Context",
    "Customer",
    "Debt",
    "DiffReport",
    "Engine",
    "Financing",
    "Margin",
    "Metric",
    "MetricConfig",
    "MetricEntry",
    "MetricResult",
    "Money",
    "PathScores",
    "PluginFailure",
    "PluginInfo",
    "Portfolio",
    "PortfolioError",
    "RenderOptions",
    "Report",
    "RiskcoreError",
    "ScenarioRow",
    "ScheduleRow",
    "ScorePoints",
    "SimulationReport",
    "SimulationSettings",
    "SkipMetric",
    "StressReport",
    "Term",
    "UsageError",
    "WhatIf",
    "__version__",
    "backtest",
    "diff",
    "format_money",
    "format_share",
    "hookimpl",
    "load_portfolio",
    "parse_money",
    "rating_grade",
    "render_reports",
    "score_from_points",
    "score_together",
    "scores_from_points",
    "simulate",
    "stress",
]
