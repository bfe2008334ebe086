"""The plugin API: what a metric is, what it is given, and what it returns.

A metric is a class with a `name`, a `title`, a `default_weight`, an optional pydantic `Config`
read from `[metrics.NAME]`, and a `score(portfolio, context)` method. It must not print, keep
state between calls, or change its inputs: one instance serves many portfolios and threads.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .config import EngineConfig
from .errors import SkipMetric
from .portfolio import Commitment, Customer, Financing, Portfolio, normalize_name
from .schedule import Book, Term

if TYPE_CHECKING:  # pragma: no cover - typing only: numpy is imported by what simulates
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Context", "Metric", "MetricConfig", "MetricResult", "PathScores", "SkipMetric"]

C = TypeVar("C", bound="MetricConfig")


class MetricConfig(BaseModel):
    """Base of a metric's settings; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricResult(BaseModel):
    """What `Metric.score` returns: a 0 (no risk) to 100 (extreme) score and its explanation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    score: float = Field(ge=0, le=100, allow_inf_nan=False)
    value: float | None = Field(
        default=None, allow_inf_nan=False, description="The headline value."
    )
    unit: str | None = None
    summary: str = Field(min_length=1, description="One sentence a reader understands.")
    details: dict[str, Any] = Field(default_factory=lambda: {})
    warnings: list[str] = Field(default_factory=lambda: [])

    @field_validator("details")
    @classmethod
    def _json_ready(cls, details: dict[str, Any]) -> dict[str, Any]:
        _check_json(details, "details")
        return details


def _check_json(value: Any, path: str) -> None:
    """Raise ValueError, naming the path, where `value` holds what JSON cannot carry."""
    if not _plainly_json(value):
        _locate_json_problem(value, path)


_JSON_DEPTH = 64


def _plainly_json(value: Any, depth: int = 0) -> bool:
    """True when `value` is plainly JSON-ready: the common case, checked without paths.

    Exact types only, and at most _JSON_DEPTH levels: anything else (a subclass, deep or
    cyclic data, a problem) gets False and is judged by `_locate_json_problem`.
    """
    kind = type(value)
    if kind is dict:
        if depth >= _JSON_DEPTH:
            return False
        for key, item in value.items():
            if type(key) is not str or not _plain_item(item, depth):
                return False
        return True
    if kind is list or kind is tuple:
        if depth >= _JSON_DEPTH:
            return False
        return all(_plain_item(item, depth) for item in value)
    return _plain_item(value, depth - 1)


def _plain_item(item: Any, depth: int) -> bool:
    kind = type(item)
    if kind is float:
        return math.isfinite(item)
    if item is None or kind is str or kind is int or kind is bool:
        return True
    return (kind is dict or kind is list or kind is tuple) and _plainly_json(item, depth + 1)


def _locate_json_problem(value: Any, path: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path} is {value}: use None for a value that does not exist")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _locate_json_problem(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path} has a non-string key {key!r}")
            _locate_json_problem(item, f"{path}.{key}")
        return
    raise ValueError(f"{path} holds a {type(value).__name__}, which JSON cannot carry")


class Context:
    """What the engine knows about one portfolio, shared by every metric that scores it.

    All amounts are in the portfolio's currency; all are remaining amounts (months on or after
    the `as_of` month), the horizon being `years`.
    """

    def __init__(
        self,
        book: Book,
        config: MetricConfig,
        engine: EngineConfig,
        ratings: Mapping[str, str] | None = None,
    ) -> None:
        self._book = book
        self.config = config
        """The metric's validated Config."""
        self.engine = engine
        """The engine's assumptions (horizon_years, cost_per_gw, ...)."""
        self._ratings = {normalize_name(k): v for k, v in (ratings or {}).items()}

    def require_horizon(self) -> tuple[int, ...]:
        """The horizon years; raises SkipMetric when nothing is left to pay after as_of."""
        if not self.years:
            raise SkipMetric(f"nothing is left to pay after {self.as_of.isoformat()}: no horizon")
        return self.years

    def config_as(self, cls: type[C]) -> C:
        """`config`, typed as the metric's own Config class (TypeError if it is another)."""
        if not isinstance(self.config, cls):
            raise TypeError(f"expected a {cls.__name__}, got {type(self.config).__name__}")
        return self.config

    @property
    def as_of(self) -> dt.date:
        return self._book.as_of

    @property
    def currency(self) -> str:
        return self._book.portfolio.company.currency

    @property
    def years(self) -> tuple[int, ...]:
        """The horizon: the as_of year to the last year with an obligation, capped."""
        return self._book.years

    @property
    def obligations(self) -> Mapping[int, float]:
        """Horizon year -> obligations due on or after the as_of month."""
        return self._book.obligations

    @property
    def revenue(self) -> Mapping[int, float]:
        """Horizon year -> projected full-year revenue."""
        return self._book.revenue

    @property
    def counted_revenue(self) -> Mapping[int, float]:
        """Horizon year -> revenue as counted: the as_of year only for its remaining months."""
        return self._book.counted_revenue

    @property
    def total_value(self) -> float:
        """Total remaining commitment value (all years, not only the horizon)."""
        return self._book.total_value

    def months_counted(self, year: int) -> int:
        """Months of `year` on or after the as_of month (12 after the as_of year)."""
        return self._book.months_counted(year)

    def value(self, c: Commitment) -> float:
        """The remaining amount of commitment `c`, estimated from capacity where needed."""
        return self._book.line(c).value

    def amount(self, c: Commitment) -> float:
        """The total contract value of `c`, paid or not, estimated from capacity where needed."""
        return self._book.line(c).amount

    def is_estimated(self, c: Commitment) -> bool:
        """True when `c`'s amount was estimated from its capacity."""
        return self._book.line(c).estimated

    def obligations_of(self, c: Commitment) -> Mapping[int, float]:
        """Horizon year -> remaining amount of commitment `c` due that year."""
        remaining = self._book.line(c).remaining
        return {y: remaining.get(y, 0.0) for y in self._book.years}

    def term_of(self, c: Commitment) -> Term:
        """The months commitment `c` runs (start month and count)."""
        return self._book.line(c).term

    def group_of(self, name: str) -> str:
        """The counterparty group a name resolves to (an unknown name is its own group)."""
        return self._book.groups(name)

    def financing_amount(self, f: Financing) -> float:
        """A financing row's amount in the portfolio currency."""
        return self._book.financing_amount(f)

    # -- the credit view: debt, operating costs, customers, materiality ---------------------

    @property
    def debt_service(self) -> Mapping[int, float]:
        """Horizon year -> interest and principal due on `financials.debt` (in `obligations`)."""
        return self._book.debt_service

    @property
    def interest(self) -> Mapping[int, float]:
        """Horizon year -> interest due on the debt."""
        return {y: math.fsum(d.interest.get(y, 0.0) for d in self._book.debt) for y in self.years}

    def debt_from(self) -> Mapping[str, float]:
        """Counterparty group -> debt principal outstanding at as_of that it lent."""
        parts: dict[str, list[float]] = {}
        for d in self._book.debt:
            parts.setdefault(self.group_of(d.debt.lender), []).append(d.principal)
        return {g: math.fsum(v) for g, v in sorted(parts.items())}

    @property
    def operating_costs(self) -> Mapping[int, float] | None:
        """Horizon year -> operating costs as counted (the as_of year pro rata); None: not given."""
        return self._book.operating_costs

    @property
    def customers(self) -> tuple[tuple[Customer, float], ...]:
        """Each customer contract with its remaining value in the portfolio currency."""
        return self._book.customer_values

    def rating_of(self, name: str) -> str | None:
        """riskcore's rating of a counterparty whose own portfolio is in the same run, if any."""
        return self._ratings.get(normalize_name(self.group_of(name))) or self._ratings.get(
            normalize_name(name)
        )

    @property
    def means(self) -> float:
        """Cash, committed funding and counted revenue less operating costs (where given) over
        the `engine.horizon_years` from the as_of year: what the company can pay, whatever falls
        due. It does not depend on the commitments or the debt."""
        return self._book.means

    @property
    def means_cover(self) -> float | None:
        """The company's whole means against what falls due, at the worst point (None: nothing
        due): min over years of (liquidity + revenue less costs so far) / (obligations so far)."""
        return self._book.cover

    @property
    def materiality(self) -> float:
        """How much is at stake against what the company can pay, 0 (immaterial) to 1.

        1 while `means_cover` is at most `engine.materiality_full_cover`, 0 from
        `engine.materiality_zero_cover` on, linear in its logarithm between. Structural metrics
        (concentration, circularity, idle capacity) multiply their score by it, so one small
        contract with one vendor is not a crisis.
        """
        return self._book.materiality

    def materiality_paths(self, revenue: NDArray[np.float64]) -> NDArray[np.float64]:
        """`materiality` under each revenue path (rows of full-year revenue by horizon year).

        Worked out once per revenue matrix and engine config, as several metrics weigh by it;
        each caller gets its own copy, so one that changes it in place changes nothing else.
        """
        found = self._book.path_memo("materiality", revenue, self.engine, self._materiality_paths)
        return found.copy()

    def _materiality_paths(self, revenue: NDArray[np.float64]) -> NDArray[np.float64]:
        import numpy as np

        _, worst = self._book.path_memo("means", revenue, None, self._running_means)
        if not np.isfinite(worst).any():
            return np.zeros(revenue.shape[0])
        full = self.engine.materiality_full_cover
        zero = self.engine.materiality_zero_cover
        ratio = np.clip(worst, full, zero)
        out: NDArray[np.float64] = np.log(zero / ratio) / math.log(zero / full)
        return out

    def _running_means(
        self, revenue: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """One pass over the horizon for each path: the means at its end (liquidity plus
        counted revenue less costs) and the worst cover of what had fallen due by each year.

        Materiality takes the cover and `means_paths` the means, so a simulation walks the
        years once for both. In place, in one buffer: the same operations in the same order
        as got = got + revenue[:, j] * months / 12 - costs, without a new array for each.
        """
        import numpy as np

        costs = self._book.operating_costs
        paths = revenue.shape[0]
        got = np.full(paths, self._liquidity())
        step = np.empty(paths)
        need = 0.0
        worst = np.full(paths, np.inf)
        for j, y in enumerate(self.years):
            np.multiply(revenue[:, j], self.months_counted(y), out=step)
            step /= 12
            got += step
            got -= costs[y] if costs else 0.0
            need += self.obligations[y]
            if self.obligations[y] > 0:
                np.divide(got, need, out=step)
                np.minimum(worst, step, out=worst)
        got.setflags(write=False)  # shared by every caller: read, never changed
        worst.setflags(write=False)
        return got, worst

    def means_paths(self, revenue: NDArray[np.float64]) -> NDArray[np.float64]:
        """`means` under each revenue path; the window's years after the horizon follow the
        path's last horizon year (its ratio to the projection)."""
        book = self._book
        got, _ = book.path_memo("means", revenue, None, self._running_means)
        # revenue[:, 0] * 0.0: 0 on every path with a finite first year, NaN on one without.
        # In place from here: each line is `total = total + ...`, one new array in all.
        total: NDArray[np.float64] = revenue[:, 0] * 0.0
        total += got
        if book.revenue_beyond and self.years:
            last = self.years[-1]
            base = book.revenue[last]
            ratio = revenue[:, -1] / base if base > 0 else revenue[:, -1] * 0.0 + 1.0
            ratio *= book.revenue_beyond
            total += ratio
        total -= book.costs_beyond
        return total

    def _liquidity(self) -> float:
        fin = self._book.portfolio.financials
        return math.fsum([fin.cash, fin.committed_funding])


@dataclass(frozen=True)
class PathScores:
    """A metric's scores over many simulated revenue paths (see `Metric.score_paths`).

    `score`: one 0-100 score per path. `values`: other per-path quantities by name (the
    simulation reads revenue_coverage's `funding_gap` and `funding_coverage`).
    """

    score: NDArray[np.float64]
    values: Mapping[str, NDArray[np.float64]]


class Metric:
    """Base class of every risk metric. Subclass it, set the class attributes, write `score`."""

    name: ClassVar[str]
    """Unique snake_case name, used in config, the CLI and the report."""
    title: ClassVar[str]
    """Short human title."""
    default_weight: ClassVar[float]
    """Weight in (0, 1] used when the config gives none."""
    Config: ClassVar[type[MetricConfig]] = MetricConfig

    def score(self, portfolio: Portfolio, context: Context) -> MetricResult:
        """Score one portfolio; raise SkipMetric when the inputs it needs are absent."""
        raise NotImplementedError

    def score_paths(
        self, portfolio: Portfolio, context: Context, revenue: NDArray[np.float64]
    ) -> PathScores | None:
        """Optional: the score under each of many revenue paths, vectorised with numpy.

        `revenue` has one row per path and one column per horizon year (`context.years`): the
        projected full-year revenue, the as_of year's included. Called only for a metric that
        gave a result for the same portfolio and context. The default, None, means the score
        does not depend on revenue: the simulation holds it at its base value.
        """
        return None

    @classmethod
    def method(cls) -> str:
        """The metric's written method: its docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "") or "(no method written)"
