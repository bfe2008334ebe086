"""riskcore: rate a company's long-term commitment book through pluggable risk metrics.

The public API is what this module exports; everything else may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .config import Config
from .engine import ActiveMetric, Engine
from .errors import ConfigError, PortfolioError, RiskcoreError, SkipMetric, UsageError
from .hookspecs import hookimpl
from .loading import load_portfolio
from .metric import Context, Metric, MetricConfig, MetricResult, PathScores
from .money import format_money, format_share, parse_money
from .portfolio import Commitment, Customer, Debt, Financing, Money, Portfolio, rating_grade
from .registry import PluginFailure, PluginInfo
from .render import RenderOptions, render_reports
from .report import AdjustmentEntry, Margin, MetricEntry, Report, ScheduleRow, WhatIf
from .schedule import Term
from .scoring import ScorePoints, score_from_points, scores_from_points

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .backtesting import backtest
    from .diffing import diff
    from .montecarlo import Settings as SimulationSettings
    from .montecarlo import simulate
    from .peers import score_together
    from .results import BacktestReport, DiffReport, ScenarioRow, SimulationReport, StressReport
    from .scenarios import stress

# What runs the engine many times loads on first use: `import riskcore` (and every `riskcore
# score`) stays as light as it was, and numpy is imported only when a simulation is asked for.
_LAZY = {
    "simulate": (".montecarlo", "simulate"),
    "SimulationSettings": (".montecarlo", "Settings"),
    "stress": (".scenarios", "stress"),
    "score_together": (".peers", "score_together"),
    "backtest": (".backtesting", "backtest"),
    "diff": (".diffing", "diff"),
    "DiffReport": (".results", "DiffReport"),
    "BacktestReport": (".results", "BacktestReport"),
    "ScenarioRow": (".results", "ScenarioRow"),
    "SimulationReport": (".results", "SimulationReport"),
    "StressReport": (".results", "StressReport"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module, __name__), attribute)
    raise AttributeError(f"module 'riskcore' has no attribute {name!r}")


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
