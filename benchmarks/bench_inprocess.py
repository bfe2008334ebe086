"""Benchmark 1: in-process scoring against a plain-pydantic floor.

Value: `Engine.score(dict)` per portfolio (load, validate, build the schedules, run the four
built-in metrics, rate) over portfolios made by `riskcore.generate.generate_portfolios`.

Floor: validating the same dicts with the plain pydantic models below: the same fields and
types, money parsed from text by a regex, months read from YYYY-MM, unknown keys refused, and
nothing else (no located errors, no cross-checks, no scoring). It is written here, not imported,
so the floor stays put when riskcore's own validation changes.

Goal: at most 3x the floor. Both are timed in the same run, interleaved, best of N passes.

    python benchmarks/bench_inprocess.py [--quick] [--count N] [--rounds R]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Result, Row, best_and_median, parser, report, timed

GOAL = 3.0

# -- the floor: a plain pydantic model of the portfolio format ---------------------------------

_MONEY = re.compile(r"^\s*\$?\s*((?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}


def _money(value: object) -> object:
    if isinstance(value, str):
        match = _MONEY.match(value)
        if match is None or match[2].lower() not in _SCALE:
            raise ValueError(f"not an amount of money: {value!r}")
        return float(match[1].replace(",", "")) * _SCALE[match[2].lower()]
    return value


def _month(value: object) -> object:
    if isinstance(value, int):
        return dt.date(value, 1, 1)
    if isinstance(value, str):
        year, _, rest = value.partition("-")
        return dt.date(int(year), int(rest[:2] or 1), 1)
    return value


Money = Annotated[float, BeforeValidator(_money), Field(ge=0, allow_inf_nan=False)]
Month = Annotated[dt.date, BeforeValidator(_month)]


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FloorCompany(_Plain):
    name: str
    as_of: dt.date
    currency: str = "USD"


class FloorFinancials(_Plain):
    revenue: Money
    revenue_growth: float | None = None
    revenue_forecast: dict[int, Money] = {}
    cash: Money = 0.0
    committed_funding: Money = 0.0
    demand_gw: dict[int, float] = {}


class FloorGroup(_Plain):
    aliases: list[str] = []


class FloorCommitment(_Plain):
    counterparty: str
    kind: Literal["cloud", "chips", "datacenter", "power", "other"]
    amount: Money | None = None
    currency: str | None = None
    start: Month | None = None
    term_years: float | None = None
    end: Month | None = None
    profile: Literal["flat", "ramp", "explicit"] = "flat"
    schedule: dict[int, Money] | None = None
    capacity_gw: float | None = None
    status: Literal["signed", "announced", "loi"] = "signed"
    source: str | None = None
    note: str | None = None


class FloorFinancing(_Plain):
    investor: str
    kind: Literal["equity", "debt", "warrants", "credits", "other"] = "equity"
    amount: Money
    currency: str | None = None
    conditional: bool = False
    date: Month | None = None
    source: str | None = None
    note: str | None = None


class FloorPortfolio(_Plain):
    company: FloorCompany
    financials: FloorFinancials
    counterparties: dict[str, FloorGroup] = {}
    commitments: list[FloorCommitment]
    financing: list[FloorFinancing] = []
    fx: dict[str, float] = {}
    extensions: dict[str, Any] = {}


# -- measuring ---------------------------------------------------------------------------------


def builtin_engine() -> Any:
    """An engine with exactly the five built-in metrics (no third-party plugin loads)."""
    from riskcore import Engine

    engine = Engine(allow=())
    names = sorted(m.name for m in engine.metrics)
    expected = [
        "circular_financing",
        "customer_concentration",
        "idle_capacity",
        "revenue_coverage",
        "vendor_concentration",
    ]
    if names != expected:
        raise SystemExit(f"expected the five built-in metrics, got {names}")
    return engine


def per_item(
    passes: dict[str, Callable[[], object]], count: int, rounds: int
) -> dict[str, list[float]]:
    """Seconds per item of each pass, `rounds` times, the passes interleaved round by round."""
    samples: dict[str, list[float]] = {name: [] for name in passes}
    for _ in range(rounds):
        for name, action in passes.items():
            samples[name].append(timed(action) / count)
    return samples


def inprocess_seconds(
    engine: Any, portfolios: Sequence[dict[str, Any]], rounds: int
) -> tuple[float, float]:
    """Best and median seconds per portfolio of benchmark 1's method: `engine.score(dict)`."""

    def score() -> None:
        for data in portfolios:
            engine.score(data)

    return best_and_median(per_item({"score": score}, len(portfolios), rounds)["score"])


def measure(count: int, rounds: int) -> list[Row]:
    import json

    from riskcore.batch import Item, score_item
    from riskcore.generate import generate_portfolios
    from riskcore.loading import load_portfolio

    portfolios = list(generate_portfolios(count, seed=0))
    lines = [json.dumps(p) for p in portfolios]
    engine = builtin_engine()
    for data in portfolios:  # every input is valid both ways, and warms both paths up
        FloorPortfolio.model_validate(data)
        report = engine.score(data)
        if report.rating == "NR" and not report.complete:
            raise SystemExit(f"{data['company']}: a built-in metric failed: {report.metrics}")

    def floor() -> None:
        for data in portfolios:
            FloorPortfolio.model_validate(data)

    def score() -> None:
        for data in portfolios:
            engine.score(data)

    def validate() -> None:
        for data in portfolios:
            load_portfolio(data)

    def worker() -> None:
        for n, text in enumerate(lines):
            score_item(engine, Item(id=str(n), source="bench", path="bench", text=text))

    phases = phase_passes(engine, portfolios, rounds)
    samples = per_item(
        {"floor": floor, "score": score, "validate": validate, "worker": worker, **phases},
        count,
        rounds,
    )
    floor_best, floor_median = best_and_median(samples["floor"])
    rows: list[Row] = []
    for name, label, goal in (
        ("score", "Engine.score(dict), ms/portfolio", True),
        ("validate", "riskcore.load_portfolio(dict) only", False),
        ("worker", "batch worker path: JSON text -> report dict", False),
        *((name, f"  of which: {label}", False) for name, label in PHASES.items()),
    ):
        best, median = best_and_median(samples[name])
        ratio = best / floor_best
        rows.append(
            Row(
                name=label,
                value=f"{best * 1e3:.3f} (median {median * 1e3:.3f})",
                baseline=f"{floor_best * 1e3:.3f} (median {floor_median * 1e3:.3f})",
                ratio=ratio,
                goal=f"<= {GOAL:g}x" if goal else "—",
                met=ratio <= GOAL if goal else None,
            )
        )
    return rows


# The parts of one score, timed alone over the same portfolios (docs/performance.md reads them
# as the floor of each remaining cost). They add up to a little less than the whole score:
# the engine's bookkeeping between them (warnings, contexts, output capture) is not in any.
PHASES = {
    "p_validate": "validation (the loader, no hash)",
    "p_hash": "provenance hash (model_dump, canonical JSON, sha256)",
    "p_book": "the book (schedules, horizon, revenue, means)",
    "p_metrics": "the five metrics' score() on their contexts",
    "p_rate": "rating and the report model",
}


def phase_passes(
    engine: Any, portfolios: Sequence[dict[str, Any]], rounds: int
) -> dict[str, Callable[[], object]]:
    """One timed pass per phase of `Engine.score`, each over every portfolio.

    Inputs of each phase are made beforehand: the validated portfolios, and a fresh book per
    round for the metrics (a book remembers the group of each name it has resolved).
    """
    from riskcore.errors import PortfolioError, SkipMetric
    from riskcore.loading import canonical_json, sha256_hex, validate
    from riskcore.metric import Context
    from riskcore.portfolio import Portfolio
    from riskcore.schedule import build_book

    plan = engine.plan(None)
    models = [
        validate(Portfolio, p, source=None, lines={}, error=PortfolioError) for p in portfolios
    ]
    books = [[build_book(m, plan.engine) for m in models] for _ in range(rounds)]
    scored = [engine.score_detailed(p) for p in portfolios]
    fresh = iter(books)

    def p_validate() -> None:
        for data in portfolios:
            validate(Portfolio, data, source=None, lines={}, error=PortfolioError)

    def p_hash() -> None:
        for m in models:
            sha256_hex(canonical_json(m.model_dump(mode="json")))

    def p_book() -> None:
        for m in models:
            build_book(m, plan.engine, plan.revenue_multiplier)

    def p_metrics() -> None:
        for m, book in zip(models, next(fresh), strict=True):
            for metric in plan.metrics:
                with contextlib.suppress(SkipMetric):  # a skipped metric has done its work
                    metric.instance.score(m, Context(book, metric.config, plan.engine))

    def p_rate() -> None:
        for s in scored:
            report = s.report
            engine._rate(s.portfolio, "0" * 64, report.metrics, s.book, report.warnings, plan)

    return {
        "p_validate": p_validate,
        "p_hash": p_hash,
        "p_book": p_book,
        "p_metrics": p_metrics,
        "p_rate": p_rate,
    }


def run(quick: bool, count: int | None = None, rounds: int | None = None) -> Result:
    count = count or (500 if quick else 2000)
    rounds = rounds or (3 if quick else 7)
    title = (
        f"1. In-process scoring: {count:,} generated portfolios, best of {rounds} passes "
        "(baseline: plain pydantic floor)"
    )
    return title, measure(count, rounds)


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--count", type=int, help="portfolios (default 2000; --quick 500)")
    args.add_argument("--rounds", type=int, help="timed passes of each (default 7; --quick 3)")
    options = args.parse_args(argv)
    report(lambda: run(options.quick, options.count, options.rounds))


if __name__ == "__main__":
    main()
