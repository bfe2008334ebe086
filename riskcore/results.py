"""Result models of the tools that run the engine around one portfolio: stress and simulation.

Backtest and diff results have their own modules (`backtest_results`, `diff_results`), so a
simulation does not build their models at start-up.

Typed and immutable like the report; `to_json()` is exactly the CLI's JSON (schema_version 1).
"""

from __future__ import annotations

from pydantic import Field

from .report import SCHEMA_VERSION, CompanyInfo, JsonResult, ResultPart, WhatIf


class ScenarioRow(ResultPart):
    """One scenario's outcome in a stress table."""

    name: str
    description: str
    rating: str
    score: float | None
    metrics: dict[str, float | None] = Field(description="Metric name -> score (None: no result).")
    funding_gap: float | None = Field(
        description="revenue_coverage's funding gap; None when that metric gave no result."
    )
    what_if: WhatIf


class StressReport(JsonResult):
    """Every configured scenario of one portfolio, in config order."""

    schema_version: int = SCHEMA_VERSION
    company: CompanyInfo
    scenarios: list[ScenarioRow]


class Percentiles(ResultPart):
    p5: float | None
    p50: float | None
    p95: float | None


class GapPercentiles(Percentiles):
    mean_if_short: float | None = Field(description="Mean funding gap over the paths with one.")


class SimulationReport(JsonResult):
    """The Monte Carlo distribution of one portfolio's funding gap and rating."""

    schema_version: int = SCHEMA_VERSION
    company: CompanyInfo
    scenario: str | None = Field(
        default=None, exclude=True, description="For renderers; not in the JSON contract."
    )
    paths: int
    seed: int
    volatility: float
    correlation: float
    p_shortfall: float | None = Field(description="Share of paths with a funding gap above 0.")
    p_shortfall_ci: list[float] | None = Field(description="95% Wilson interval of p_shortfall.")
    funding_coverage: Percentiles
    funding_gap: GapPercentiles
    grades: dict[str, float] = Field(description="Grade -> share of paths, best grade first.")
    recomputed_metrics: list[str]
    held_metrics: list[str]
