"""Result models of the tools that run the engine many times: stress tables and simulations.

Typed and immutable like the report; `to_json()` is exactly the CLI's JSON (schema_version 1).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .report import SCHEMA_VERSION, AdjustmentEntry, CompanyInfo, JsonResult, WhatIf


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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


class StressReport(JsonResult):
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


class GradeRow(_Model):
    """How many cases one grade holds, and how many of them failed."""

    grade: str
    n: int
    events: int
    rate: float = Field(description="events / n.")


class CaseRow(_Model):
    """One backtest case: its rating as of its date, and what happened after.

    `company` and `as_of` are for renderers, not the JSON contract (id, score, rating, outcome).
    """

    id: str
    score: float | None
    rating: str
    outcome: int
    company: str = Field(default="", exclude=True)
    as_of: str = Field(default="", exclude=True)


class BacktestReport(JsonResult):
    """What `riskcore backtest` reports. `to_json()` is exactly the CLI's JSON.

    `cap` (the cumulative accuracy profile's points) is for renderers, not the JSON contract.
    """

    schema_version: int = SCHEMA_VERSION
    n: int = Field(description="Cases rated (NR cases are listed but not counted).")
    events: int = Field(description="Rated cases whose outcome is 1.")
    auc: float = Field(
        description="P(an event case scores higher than a non-event case), ties counted half."
    )
    auc_ci: list[float] | None = Field(
        description="95% interval of the AUC (DeLong); None with fewer than 2 of a class."
    )
    accuracy_ratio: float = Field(description="2 * auc - 1.")
    by_grade: list[GradeRow]
    cases: list[CaseRow]
    metrics: dict[str, float | None] = Field(
        description="Each metric's own AUC over the cases it scored; None without both classes."
    )
    scenario: str | None = None
    cap: list[tuple[float, float]] = Field(default_factory=lambda: [], exclude=True)


class DiffSide(_Model):
    """One snapshot of a diff: its rating, score and date."""

    rating: str
    score: float | None
    as_of: str


class RatingChange(_Model):
    """The rating action: upgrade, downgrade or unchanged, and by how many grades."""

    direction: str = Field(description="upgrade | downgrade | unchanged")
    notches: int | None = Field(description="Grades moved; None when one side is NR.")


class MetricChange(_Model):
    """One metric in either report: its scores and how much its contribution moved."""

    name: str
    old_score: float | None
    new_score: float | None
    contribution_change: float = Field(description="New contribution minus old (missing: 0).")


class AdjustmentChange(_Model):
    """What the adjustments (the weakest link and others) added to each score, and the change."""

    old: float = Field(description="Old score minus the sum of its contributions.")
    new: float = Field(description="New score minus the sum of its contributions.")
    change: float
    old_entries: list[AdjustmentEntry]
    new_entries: list[AdjustmentEntry]


class FieldChange(_Model):
    field: str
    old: Any
    new: Any


class CommitmentEntry(_Model):
    """A commitment as its file gives it: amount in the row's own currency, start as YYYY-MM."""

    id: str | None = None
    counterparty: str
    kind: str
    amount: float | None
    start: str | None
    fields: list[FieldChange] | None = Field(
        default=None, description="For a changed row: each field that differs."
    )


class CommitmentChanges(_Model):
    added: list[CommitmentEntry]
    removed: list[CommitmentEntry]
    changed: list[CommitmentEntry]


class DiffReport(JsonResult):
    """What `riskcore diff` reports. `to_json()` is exactly the CLI's JSON.

    `sentence` and `currency` are for renderers, not the JSON contract.
    """

    schema_version: int = SCHEMA_VERSION
    company: str
    old: DiffSide
    new: DiffSide
    score_change: float | None = Field(description="New score minus old; None when one is NR.")
    rating_change: RatingChange
    metrics: list[MetricChange]
    adjustments: AdjustmentChange
    commitments: CommitmentChanges | None = Field(
        description="None when either side is a report rather than a portfolio."
    )
    scenario: str | None = None
    sentence: str = Field(default="", exclude=True)
    currency: str = Field(default="USD", exclude=True)
