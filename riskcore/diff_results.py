"""Result models of `riskcore diff`: what changed between two ratings of one company, and why.

Typed and immutable like the report; `to_json()` is exactly the CLI's JSON (schema_version 1).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .report import SCHEMA_VERSION, AdjustmentEntry, JsonResult, ResultPart


class DiffSide(ResultPart):
    """One snapshot of a diff: its rating, score and date."""

    rating: str
    score: float | None
    as_of: str


class RatingChange(ResultPart):
    """The rating action: upgrade, downgrade or unchanged, and by how many grades."""

    direction: str = Field(description="upgrade | downgrade | unchanged")
    notches: int | None = Field(description="Grades moved; None when one side is NR.")


class MetricChange(ResultPart):
    """One metric in either report: its scores and how much its contribution moved."""

    name: str
    old_score: float | None
    new_score: float | None
    contribution_change: float = Field(description="New contribution minus old (missing: 0).")


class AdjustmentChange(ResultPart):
    """What the adjustments (the weakest link and others) added to each score, and the change."""

    old: float = Field(description="Old score minus the sum of its contributions.")
    new: float = Field(description="New score minus the sum of its contributions.")
    change: float
    old_entries: list[AdjustmentEntry]
    new_entries: list[AdjustmentEntry]


class FieldChange(ResultPart):
    field: str
    old: Any
    new: Any


class CommitmentEntry(ResultPart):
    """A commitment as its file gives it: amount in the row's own currency, start as YYYY-MM."""

    id: str | None = None
    counterparty: str
    kind: str
    amount: float | None
    start: str | None
    fields: list[FieldChange] | None = Field(
        default=None, description="For a changed row: each field that differs."
    )


class CommitmentChanges(ResultPart):
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
