"""Configuration models: the engine's assumptions, the rating scale and per-metric settings.

Everything that moves a number is here and in `configs/default.toml`, validated like a portfolio.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .portfolio import Kind, Money, Status

Adjustment = Literal["weakest_link"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EngineConfig(_Model):
    """Assumptions every metric shares."""

    horizon_years: int = Field(
        default=10, ge=1, le=50, description="Years scored from the as_of year."
    )
    default_revenue_growth: float = Field(
        default=0.0,
        gt=-1,
        allow_inf_nan=False,
        description="Growth used when a portfolio gives none.",
    )
    max_file_bytes: int = Field(default=10_000_000, gt=0, description="Largest input file read.")
    cost_per_gw: dict[Kind, Money] = Field(
        default_factory=lambda: {},
        description="Value per GW of a commitment given only by capacity.",
    )
    materiality_full_cover: float = Field(
        default=1.0,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Means covering at most this multiple of what falls due: materiality 1.",
    )
    materiality_zero_cover: float = Field(
        default=10.0,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Means covering at least this multiple of what falls due: materiality 0.",
    )

    @model_validator(mode="after")
    def _check_materiality(self) -> EngineConfig:
        if self.materiality_zero_cover <= self.materiality_full_cover:
            raise PydanticCustomError(
                "riskcore",
                "{msg}",
                {
                    "field": "materiality_zero_cover",
                    "msg": (
                        f"must be above materiality_full_cover ({self.materiality_full_cover:g})"
                    ),
                },
            )
        return self


class Grade(_Model):
    """One band of the rating scale: scores up to `max` (inclusive) get `grade`."""

    grade: str = Field(min_length=1, max_length=8)
    max: float = Field(gt=0, le=100, allow_inf_nan=False)
    label: str = ""


class RatingConfig(_Model):
    """How metric scores become one rating."""

    min_coverage: float = Field(default=0.6, ge=0, le=1, description="Below this coverage: NR.")
    adjustments: list[Adjustment] = Field(
        default_factory=lambda: list[Adjustment](["weakest_link"]),
        description="Applied in this order.",
    )
    weakest_link_gap: float = Field(default=20.0, ge=0, le=100, allow_inf_nan=False)
    weakest_link_taper: float = Field(
        default=25.0,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description=(
            "Within this many points of 100 the gap narrows in proportion, to 0 at 100 "
            "(0: the gap never narrows)."
        ),
    )
    scale: list[Grade] = Field(min_length=1)

    @field_validator("scale")
    @classmethod
    def _check_scale(cls, scale: list[Grade]) -> list[Grade]:
        # Every problem of the scale at once, not only the first.
        problems: list[str] = []
        names = [g.grade for g in scale]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(
                f"grade {name!r} is given {names.count(name)} times; grades must be unique"
            )
        if "NR" in names:
            problems.append("no grade may be called NR: it means not rated")
        for better, worse in itertools.pairwise(scale):
            if worse.max <= better.max:
                problems.append(
                    f"bands overlap: {worse.grade} (max {worse.max:g}) must end above "
                    f"{better.grade} (max {better.max:g}); list grades from best to worst"
                )
        if scale[-1].max != 100:
            problems.append(
                f"the scale leaves a gap: its last band ({scale[-1].grade}) must end at 100"
            )
        if problems:
            raise PydanticCustomError(
                "riskcore_many",
                "{msg}",
                {"msg": problems[0], "problems": [((), message) for message in problems]},
            )
        return scale


class NetworkConfig(_Model):
    """Settings of `riskcore network`: when a creditor's losses make it default too."""

    stress_threshold: float = Field(
        default=0.25,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description=(
            "A company with its own portfolio defaults in the next contagion round when its "
            "loss exceeds this share of its revenue."
        ),
    )


class MetricSettings(BaseModel):
    """The engine's keys of a `[metrics.NAME]` table; every other key goes to the metric's Config."""

    model_config = ConfigDict(extra="allow", frozen=True)

    weight: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] | None = None
    enabled: bool = True

    def options(self) -> dict[str, Any]:
        """The keys meant for the metric's own Config."""
        return dict(self.model_extra or {})


ENGINE_ASSUMPTIONS = frozenset(
    {"description", "revenue_multiplier", "revenue_growth", "status_weights", "cost_per_gw"}
)
"""The keys of a scenario the engine reads itself; any other key belongs to a metric's Config."""


class ScenarioConfig(BaseModel):
    """One `[scenarios.NAME]` table: assumptions overlaid for one run.

    The engine's own keys are fields here; every other key must be a field of the Config of an
    installed metric, and is given to every metric that has that field (the engine checks).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    description: str = Field(default="", max_length=200, description="One line on the case.")
    revenue_multiplier: float = Field(
        default=1.0,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Multiplies projected revenue of every year after the as_of year.",
    )
    revenue_growth: float | None = Field(
        default=None,
        gt=-1,
        le=10,
        allow_inf_nan=False,
        description="Replaces the portfolio's growth where no forecast is given.",
    )
    status_weights: dict[Status, Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] = Field(
        default_factory=lambda: {},
        description="Multiplies each commitment's value (and capacity) by its status's weight.",
    )
    cost_per_gw: dict[Kind, Money] = Field(
        default_factory=lambda: {}, description="Overrides of [engine.cost_per_gw], kind by kind."
    )

    def options(self) -> dict[str, Any]:
        """The keys meant for metrics' Configs."""
        return dict(self.model_extra or {})


class SimulationConfig(_Model):
    """Defaults of `riskcore simulate`."""

    volatility: float = Field(
        default=0.35,
        ge=0,
        le=5,
        allow_inf_nan=False,
        description="Annual volatility of log revenue around the projection.",
    )


class Config(_Model):
    """The effective configuration of one engine."""

    engine: EngineConfig = Field(default_factory=lambda: EngineConfig())
    rating: RatingConfig
    metrics: dict[str, MetricSettings] = Field(default_factory=lambda: {})
    scenarios: dict[str, ScenarioConfig] = Field(default_factory=lambda: {})
    simulation: SimulationConfig = Field(default_factory=lambda: SimulationConfig())

    @field_validator("scenarios")
    @classmethod
    def _check_scenario_names(
        cls, scenarios: dict[str, ScenarioConfig]
    ) -> dict[str, ScenarioConfig]:
        for name in scenarios:
            if not name or not all(ch.isalnum() or ch in "_-" for ch in name):
                raise ValueError(f"scenario name {name!r}: use letters, digits, '-' and '_' only")
        return scenarios

    network: NetworkConfig = Field(default_factory=lambda: NetworkConfig())

    @model_validator(mode="after")
    def _check_costs(self) -> Config:
        missing = sorted(set(Kind.__args__) - set(self.engine.cost_per_gw))  # type: ignore[attr-defined]
        if missing:
            raise PydanticCustomError(
                "riskcore",
                "{msg}",
                {"field": "engine", "msg": f"cost_per_gw lacks kinds: {', '.join(missing)}"},
            )
        return self

    def grade_of(self, score: float | None) -> Grade | None:
        """The band a score falls in (upper bounds inclusive); None for no score."""
        if score is None:
            return None
        for band in self.rating.scale:
            if score <= band.max:
                return band
        return self.rating.scale[-1]
