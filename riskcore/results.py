"""Result models of the tools that run the engine many times: stress tables and simulations.

Typed and immutable like the report; `to_json()` is exactly the CLI's JSON (schema_version 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .report import SCHEMA_VERSION, CompanyInfo, WhatIf, dumps


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON contract; identical inputs give identical bytes."""
        return dumps(self.to_dict(), indent=indent)


class ScenarioRow(_Model):
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


class StressReport(_Model):
    """Every configured scenario of one portfolio, in config order."""

    schema_version: int = SCHEMA_VERSION
    company: CompanyInfo
    scenarios: list[ScenarioRow]


class Percentiles(_Model):
    p5: float | None
    p50: float | None
    p95: float | None


class GapPercentiles(Percentiles):
    mean_if_short: float | None = Field(description="Mean funding gap over the paths with one.")


class SimulationReport(_Model):
    """The Monte Carlo distribution of one portfolio's funding gap and rating."""

    schema_version: int = SCHEMA_VERSION
    company: CompanyInfo
    scenario: str | None
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


def many_to_json(results: Sequence[_Model], indent: int | None = 2) -> str:
    """One object for one result, an array for several (as `reports_to_json`)."""
    if len(results) == 1:
        return results[0].to_json(indent)
    return dumps([r.to_dict() for r in results], indent=indent)
