"""riskcore: rate a company's long-term commitment book through pluggable risk metrics.

The public API is what this module exports; everything else may change.
"""

from __future__ import annotations

from ._version import __version__
from .config import Config
from .engine import ActiveMetric, Engine
from .errors import ConfigError, PortfolioError, RiskcoreError, SkipMetric, UsageError
from .hookspecs import hookimpl
from .loading import load_portfolio
from .metric import Context, Metric, MetricConfig, MetricResult, PathScores
from .money import format_money, parse_money
from .portfolio import Commitment, Financing, Money, Portfolio
from .registry import PluginFailure, PluginInfo
from .render import RenderOptions, render_reports
from .report import AdjustmentEntry, Margin, MetricEntry, Report, ScheduleRow
from .schedule import Term
from .scoring import ScorePoints, score_from_points, scores_from_points

__all__ = [
    "ActiveMetric",
    "AdjustmentEntry",
    "Commitment",
    "Config",
    "ConfigError",
    "Context",
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
    "ScheduleRow",
    "ScorePoints",
    "SkipMetric",
    "Term",
    "UsageError",
    "__version__",
    "format_money",
    "hookimpl",
    "load_portfolio",
    "parse_money",
    "render_reports",
    "score_from_points",
    "scores_from_points",
]
