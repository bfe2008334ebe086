"""The rated report: typed, immutable, and serialised to the JSON contract (schema_version 1)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

SCHEMA_VERSION = 1


class ResultPart(BaseModel):
    """The base of every result model and its parts: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class JsonResult(ResultPart):
    """A top-level result of a command: the report, a stress table, a simulation, a network.

    `to_json()` is exactly the command's `--format json`; identical inputs give identical bytes.
    """

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        """The result as its JSON contract."""
        return dumps(self.to_dict(), indent=indent)


class CompanyInfo(ResultPart):
    name: str
    as_of: dt.date
    currency: str

    @field_serializer("as_of")
    def _iso(self, value: dt.date) -> str:
        return value.isoformat()


class Margin(ResultPart):
    """Score points to the nearest grade boundaries; None at the ends of the scale or for NR."""

    to_better: float | None = None
    to_worse: float | None = None


class WhatIf(ResultPart):
    """What would move the rating one grade: the reverse stress test, each to 1e-3.

    Found by running the engine itself; None where nothing in the range moves the rating.
    """

    revenue_multiplier_for_better: float | None = Field(
        description="Smallest revenue multiplier in [1, 100] with a better rating."
    )
    revenue_multiplier_for_worse: float | None = Field(
        description="Largest revenue multiplier in [0, 1] with a worse rating."
    )
    cancel_share_for_better: float | None = Field(
        description="Smallest share of every commitment cancelled with a better rating."
    )


class MetricEntry(ResultPart):
    """One metric's result as reported."""

    name: str
    title: str
    plugin: str
    status: Literal["ok", "skipped", "error"]
    score: float | None = None
    rating: str | None = None
    weight: float
    contribution: float
    value: float | None = None
    unit: str | None = None
    summary: str | None = None
    details: dict[str, Any] = Field(default_factory=lambda: {})
    message: str | None = None


class AdjustmentEntry(ResultPart):
    """A post-aggregation rule that moved the score, with its reason."""

    name: str
    reason: str
    score_before: float
    score_after: float


class ScheduleRow(ResultPart):
    """Obligations against counted revenue in one horizon year.

    `obligations` holds the commitments and `debt_service` (interest and principal due that
    year). `coverage` is revenue, less `operating_costs` where the portfolio gives them, over
    the obligations.
    """

    year: int
    obligations: float
    debt_service: float = 0.0
    revenue: float
    operating_costs: float | None = None
    coverage: float | None


class PluginRef(ResultPart):
    name: str
    version: str | None


class Provenance(ResultPart):
    riskcore_version: str
    portfolio_sha256: str
    config_sha256: str
    plugins: list[PluginRef]


class Report(JsonResult):
    """One portfolio's rated report. `to_json()` is exactly the CLI's JSON."""

    schema_version: int = SCHEMA_VERSION
    company: CompanyInfo
    rating: str
    rating_label: str
    score: float | None
    coverage: float
    complete: bool
    margin: Margin
    scenario: str | None = None
    what_if: WhatIf | None = None
    metrics: list[MetricEntry]
    adjustments: list[AdjustmentEntry]
    schedule: list[ScheduleRow]
    warnings: list[str]
    provenance: Provenance

    def metric(self, name: str) -> MetricEntry:
        """The entry of metric `name`; KeyError if it was not run."""
        for entry in self.metrics:
            if entry.name == name:
                return entry
        raise KeyError(name)


def dumps(data: Any, indent: int | None = 2) -> str:
    """Serialise JSON-ready data the one way riskcore does everywhere."""
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)


def reports_to_json(reports: Sequence[JsonResult], indent: int | None = 2) -> str:
    """One object for one result (report, stress table, simulation), an array for several."""
    if len(reports) == 1:
        return reports[0].to_json(indent)
    return dumps([r.to_dict() for r in reports], indent=indent)
