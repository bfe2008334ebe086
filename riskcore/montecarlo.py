"""Monte Carlo: revenue paths around the projection, and the funding gap and rating on each.

Model: R_y(path) = R_y(base) x exp(sum over t from the as_of year + 1 to y of
(sigma e_t - sigma^2 / 2)), e_t standard normal and AR(1) across years with coefficient rho
(e_t = rho e_{t-1} + sqrt(1 - rho^2) z_t). The as_of year is not shocked; obligations are as
in the base report. Metrics that implement `Metric.score_paths` are recomputed on every path;
every other metric with a result keeps its base score. numpy is imported here only.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .engine import Engine, PortfolioSource, Scored
from .errors import UsageError
from .metric import PathScores
from .rating import grade_index, score_paths
from .report import CompanyInfo
from .results import GapPercentiles, Percentiles, SimulationReport

if TYPE_CHECKING:  # pragma: no cover - typing only
    from numpy.typing import NDArray

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95% interval
MAX_PATHS = 10_000_000


@dataclass(frozen=True)
class Settings:
    """One simulation's knobs; `volatility` None takes the config's `[simulation] volatility`."""

    paths: int = 100_000
    seed: int = 0
    volatility: float | None = None
    correlation: float = 0.0
    scenario: str | None = None

    def check(self) -> None:
        """UsageError naming the first knob out of range."""
        if not 1 <= self.paths <= MAX_PATHS:
            raise UsageError(f"--paths {self.paths}: give 1 to {MAX_PATHS:,}")
        if self.seed < 0:
            raise UsageError(f"--seed {self.seed}: give a seed of 0 or more")
        if self.volatility is not None and not 0 <= self.volatility <= 5:
            raise UsageError(f"--volatility {self.volatility:g}: give 0 to 5")
        if not -1 <= self.correlation <= 1:
            raise UsageError(f"--correlation {self.correlation:g}: give -1 to 1")


def stream(seed: int, key: str) -> np.random.Generator:
    """The random stream of one portfolio: keyed by the seed and the portfolio's id.

    The same seed and id give the same numbers whatever ran them (one process, a pool, Dask).
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *words])))


def revenue_factors(
    rng: np.random.Generator,
    paths: int,
    years: int,
    sigma: float,
    rho: float,
    out: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """exp of the cumulative shocks: `paths` rows, one column per year after the as_of year.

    Drawn and built year by year (each year's column contiguous in memory, Fortran order):
    the per-path sums and extremes the metrics take across years then run at memory speed.
    `out`, a C-ordered (years, paths) array, receives them (the same numbers) in place.
    """
    z = rng.standard_normal((years, paths)) if out is None else rng.standard_normal(out=out)
    if rho != 0:
        scale = math.sqrt(1 - rho * rho)
        for t in range(1, years):  # e_t = rho e_{t-1} + sqrt(1 - rho^2) z_t, in place
            z[t] *= scale
            z[t] += rho * z[t - 1]
    z *= sigma
    z -= sigma * sigma / 2
    for t in range(1, years):  # the running sum, one contiguous row at a time
        z[t] += z[t - 1]
    np.exp(z, out=z)
    factors: NDArray[np.float64] = z.T
    return factors


def wilson(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion."""
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At p = 0 or 1 the interval touches that end exactly; rounding must not move it off.
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi


def default_key(portfolio: PortfolioSource, company: str) -> str:
    """A portfolio's id when none is given: its path as written, else its company's name."""
    return str(portfolio) if isinstance(portfolio, str | Path) else company


def simulate(
    engine: Engine,
    portfolio: PortfolioSource,
    settings: Settings = Settings(),
    key: str | None = None,
) -> SimulationReport:
    """The Monte Carlo report of one portfolio (see the module docstring for the model).

    `key` is the portfolio's id for its random stream (batch passes the line's id).
    """
    settings.check()
    scored = engine.score_detailed(portfolio, scenario=settings.scenario)
    return simulate_scored(
        engine, scored, settings, key or default_key(portfolio, scored.report.company.name)
    )


def simulate_scored(
    engine: Engine, scored: Scored, settings: Settings, key: str
) -> SimulationReport:
    """`simulate` around a report already scored under `settings.scenario`."""
    sigma = (
        engine.config.simulation.volatility if settings.volatility is None else settings.volatility
    )
    report, book = scored.report, scored.book
    company = report.company
    rng = stream(settings.seed, key)
    years = book.years
    # One row per year of one buffer, each contiguous: the shocks are drawn into rows 1 on and
    # turned into revenue in place, so the matrix the metrics read (paths x years, Fortran
    # order, columns contiguous) is a view of it, not a copy.
    buffer = np.empty((len(years), settings.paths))
    if years:
        revenue_factors(
            rng, settings.paths, len(years) - 1, sigma, settings.correlation, out=buffer[1:]
        )
        buffer[0] = book.revenue[years[0]]
        for j, y in enumerate(years[1:], 1):
            buffer[j] *= book.revenue[y]
    revenue = buffer.T

    weights = {m.name: m.weight for m in scored.plan.metrics}
    scores: dict[str, NDArray[np.float64]] = {}
    recomputed: dict[str, PathScores] = {}
    held: list[str] = []
    for metric in scored.plan.metrics:
        entry = report.metric(metric.name)
        if entry.status != "ok" or entry.score is None:
            continue
        paths = metric.instance.score_paths(scored.portfolio, scored.contexts[metric.name], revenue)
        if paths is None:
            held.append(metric.name)
            scores[metric.name] = np.full(settings.paths, entry.score)
        else:
            recomputed[metric.name] = paths
            scores[metric.name] = paths.score

    overall = score_paths(weights, scores, engine.config.rating)
    scale = engine.config.rating.scale
    if overall is None:
        grades = {"NR": 1.0}
    else:
        counts = np.bincount(grade_index(overall, engine.config.rating), minlength=len(scale))
        grades = {
            band.grade: int(n) / settings.paths for band, n in zip(scale, counts, strict=True)
        }

    coverage = Percentiles(p5=None, p50=None, p95=None)
    gap = GapPercentiles(p5=None, p50=None, p95=None, mean_if_short=None)
    p_short: float | None = None
    interval: list[float] | None = None
    funding = recomputed.get("revenue_coverage")
    if funding is not None:
        gaps = funding.values["funding_gap"]
        short = gaps > 0
        count = int(short.sum())
        p_short = count / settings.paths
        interval = list(wilson(count, settings.paths))
        coverage = Percentiles(**_percentiles(funding.values["funding_coverage"]))
        gap = GapPercentiles(
            **_percentiles(gaps), mean_if_short=float(gaps[short].mean()) if count else None
        )
    return SimulationReport(
        company=CompanyInfo(name=company.name, as_of=company.as_of, currency=company.currency),
        scenario=settings.scenario,
        paths=settings.paths,
        seed=settings.seed,
        volatility=sigma,
        correlation=settings.correlation,
        p_shortfall=p_short,
        p_shortfall_ci=interval,
        funding_coverage=coverage,
        funding_gap=gap,
        grades=grades,
        recomputed_metrics=sorted(recomputed),
        held_metrics=sorted(held),
    )


def percentiles(values: NDArray[np.float64], q: Sequence[float]) -> list[float]:
    """The `q` percentiles (0 to 100) of `values`: linear between order statistics.

    Hyndman and Fan's definition 7, numpy's default: the percentile p sits at position
    h = (n - 1) p / 100 of the sorted values x, and is x[floor h] + (h - floor h) *
    (x[floor h + 1] - x[floor h]), written as numpy writes it (from the upper neighbour when
    the fraction is at least 0.5), so the results equal `np.percentile(values, q)` bit for bit
    (tests/test_simulate.py checks). One partition finds every neighbour: no full sort, and
    none of `np.percentile`'s first-call imports (numpy.ma alone is about 15 ms). Any NaN
    makes every percentile NaN, as in numpy.
    """
    n = values.size
    if n == 0:
        raise ValueError("percentiles of no values")
    fractions = np.true_divide(np.asarray(q, dtype=np.float64), 100)
    position = (n - 1) * fractions
    lower = np.floor(position)
    gamma = position - lower
    low = lower.astype(np.intp)
    low[position >= n - 1] = n - 1
    high = np.minimum(low + 1, n - 1)
    ordered = np.partition(values, sorted({0, n - 1, *low.tolist(), *high.tolist()}))
    if np.isnan(ordered[-1]):
        return [math.nan] * len(fractions)
    a, b = ordered[low], ordered[high]
    step = b - a
    out = a + step * gamma
    np.subtract(b, step * (1 - gamma), out=out, where=gamma >= 0.5)
    return [float(v) for v in out]


def _percentiles(values: NDArray[np.float64]) -> dict[str, float]:
    p5, p50, p95 = percentiles(values, (5, 50, 95))
    return {"p5": p5, "p50": p50, "p95": p95}
