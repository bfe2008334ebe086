"""Result models of `riskcore backtest`: the discrimination of the ratings over history.

Typed and immutable like the report; `to_json()` is exactly the CLI's JSON (schema_version 1).
"""

from __future__ import annotations

from pydantic import Field

from .report import SCHEMA_VERSION, JsonResult, ResultPart


class GradeRow(ResultPart):
    """How many cases one grade holds, and how many of them failed."""

    grade: str
    n: int
    events: int
    rate: float = Field(description="events / n.")


class CaseRow(ResultPart):
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
