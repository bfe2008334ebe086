"""The Monte Carlo: closed forms, the vectorised metrics against the engine, reproducibility."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import riskcore
from conftest import portfolio
from riskcore.cli import cli
from riskcore.generate import generate_portfolios, write_portfolios
from riskcore.montecarlo import Settings, revenue_factors, simulate, stream, wilson
from riskcore.rating import grade_index, score_paths

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"
RISKCORE = str(Path(sys.executable).with_name("riskcore"))
Z_999 = 3.2905267314919255  # two-sided 99.9%


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def due_in_2026(amount: str, **financials: Any) -> dict[str, Any]:
    """Revenue 10B in 2025 (as_of 2025-01-15: all 12 months count), no growth, no cash."""
    return portfolio(
        financials=financials,
        commitments=[
            {"counterparty": "V", "kind": "cloud", "amount": amount, "start": "2026-01",
             "term_years": 1}
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> riskcore.Engine:
    return riskcore.Engine(load_entrypoints=True)


# -- closed forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "sigma"), [("10.5B", 0.35), ("12B", 0.2), ("9B", 0.6)])
def test_shortfall_probability_is_the_closed_form(
    engine: riskcore.Engine, amount: str, sigma: float
) -> None:
    # Need through 2026: O. Available: 0.5 x (10B + 10B x F), F = exp(sigma z - sigma^2 / 2).
    # Short iff F < q = (O - 5B) / 5B, so P = Phi((ln q + sigma^2 / 2) / sigma).
    o = riskcore.parse_money(amount)
    q = (o - 5e9) / 5e9
    expected = normal_cdf((math.log(q) + sigma * sigma / 2) / sigma)
    n = 100_000
    result = simulate(engine, due_in_2026(amount), Settings(paths=n, seed=11, volatility=sigma))
    half = Z_999 * math.sqrt(expected * (1 - expected) / n)
    assert result.p_shortfall is not None
    assert abs(result.p_shortfall - expected) <= half, (result.p_shortfall, expected, half)
    lo, hi = result.p_shortfall_ci or (0, 0)
    assert lo < result.p_shortfall < hi


def test_one_shocked_year_ignores_correlation(engine: riskcore.Engine) -> None:
    # Only one year after as_of is shocked, so rho never enters: same draws, same answer.
    a = simulate(engine, due_in_2026("10.5B"), Settings(paths=5000, correlation=0.0))
    b = simulate(engine, due_in_2026("10.5B"), Settings(paths=5000, correlation=0.9))
    assert a.p_shortfall == b.p_shortfall


def test_the_shock_process_has_the_stated_moments() -> None:
    sigma, rho, n = 0.3, 0.6, 200_000
    factors = revenue_factors(stream(0, "moments"), n, 3, sigma, rho)
    logs = np.log(factors)
    e = (np.diff(np.concatenate([np.zeros((n, 1)), logs], axis=1), axis=1) + sigma**2 / 2) / sigma
    assert np.allclose(e.mean(axis=0), 0, atol=0.01)
    assert np.allclose(e.std(axis=0), 1, atol=0.01)
    assert np.corrcoef(e[:, 0], e[:, 1])[0, 1] == pytest.approx(rho, abs=0.01)
    assert np.corrcoef(e[:, 0], e[:, 2])[0, 1] == pytest.approx(rho * rho, abs=0.01)
    # Independent shocks (rho = 0) are centred on the projection: E[F_y] = 1 in every year.
    # (With rho > 0 the per-year drift -sigma^2/2 under-corrects; docs/scenarios.md.)
    independent = revenue_factors(stream(0, "moments"), n, 3, sigma, 0.0)
    assert np.allclose(independent.mean(axis=0), 1, atol=0.01)


def test_zero_volatility_is_the_base_report_on_every_path(engine: riskcore.Engine) -> None:
    base = engine.score(EXAMPLE)
    result = simulate(engine, EXAMPLE, Settings(paths=50, volatility=0.0))
    gap = base.metric("revenue_coverage").details["funding_gap"]
    assert result.funding_gap.p5 == pytest.approx(gap, rel=1e-12)
    assert result.funding_gap.p95 == pytest.approx(gap, rel=1e-12)
    assert result.grades[base.rating] == 1.0
    assert result.p_shortfall == 1.0 and result.p_shortfall_ci is not None
    assert result.p_shortfall_ci[1] == 1.0


# -- the vectorised metrics agree with the engine ---------------------------------------------


def _by_multiplier(
    engine: riskcore.Engine, data: Any, multipliers: list[float]
) -> tuple[dict[str, np.ndarray], np.ndarray | None, Callable[[float], riskcore.Report]]:
    scored = engine.score_detailed(data)
    years = scored.book.years
    base = np.array([scored.book.revenue[y] for y in years])
    rows = np.array([[base[0], *(base[1:] * m)] for m in multipliers])
    scores: dict[str, np.ndarray] = {}
    for metric in scored.plan.metrics:
        entry = scored.report.metric(metric.name)
        if entry.status != "ok":
            continue
        out = metric.instance.score_paths(scored.portfolio, scored.contexts[metric.name], rows)
        scores[metric.name] = np.full(len(multipliers), entry.score) if out is None else out.score
    overall = score_paths(
        {m.name: m.weight for m in scored.plan.metrics}, scores, engine.config.rating
    )

    def scalar(m: float) -> riskcore.Report:
        return riskcore.Engine(config={"scenarios": {"m": {"revenue_multiplier": m}}}).score(
            data, scenario="m"
        )

    return scores, overall, scalar


def test_path_scores_equal_the_engine_under_a_revenue_multiplier(engine: riskcore.Engine) -> None:
    multipliers = [0.0, 0.3, 0.8, 1.0, 1.7, 4.0]
    datasets = [EXAMPLE, *generate_portfolios(6, seed=5)]
    for data in datasets:
        scores, overall, scalar = _by_multiplier(engine, data, multipliers)
        for i, m in enumerate(multipliers):
            report = scalar(m)
            for name, values in scores.items():
                assert values[i] == pytest.approx(report.metric(name).score, abs=1e-9), (name, m)
            if overall is None:
                assert report.rating == "NR"
            else:
                assert overall[i] == pytest.approx(report.score, abs=1e-9)
                index = grade_index(overall[i : i + 1], engine.config.rating)[0]
                assert engine.config.rating.scale[index].grade == report.rating


# -- what is held, what is not ----------------------------------------------------------------


class Flat(riskcore.Metric):
    """Always 50: a third-party metric that knows nothing of revenue paths."""

    name = "flat"
    title = "Flat"
    default_weight = 0.2

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        return riskcore.MetricResult(score=50.0, summary="Always 50.")


class FlatPlugin:
    @riskcore.hookimpl
    def riskcore_register_metrics(self, register: Callable[[type[riskcore.Metric]], None]) -> None:
        register(Flat)


def test_third_party_metrics_are_held_and_named(engine: riskcore.Engine) -> None:
    with_flat = riskcore.Engine(plugins=[FlatPlugin()])
    result = simulate(with_flat, EXAMPLE, Settings(paths=1000))
    # Every built-in that depends on revenue (through materiality or the means) is recomputed.
    assert result.recomputed_metrics == [
        "circular_financing",
        "idle_capacity",
        "revenue_coverage",
        "vendor_concentration",
    ]
    assert result.held_metrics == ["flat"]


def test_without_revenue_coverage_there_is_no_funding_gap() -> None:
    result = simulate(riskcore.Engine(disable=["revenue_coverage"]), EXAMPLE, Settings(paths=500))
    assert result.p_shortfall is None and result.p_shortfall_ci is None
    assert result.funding_gap.p50 is None and result.funding_coverage.p50 is None
    assert result.recomputed_metrics == [
        "circular_financing",
        "idle_capacity",
        "vendor_concentration",
    ]
    assert math.fsum(result.grades.values()) == pytest.approx(1.0)


def test_an_unrated_portfolio_is_nr_on_every_path() -> None:
    result = simulate(
        riskcore.Engine(only=["idle_capacity"]), due_in_2026("10B"), Settings(paths=100)
    )
    assert result.grades == {"NR": 1.0}


def test_json_contract_keys(engine: riskcore.Engine) -> None:
    data = json.loads(simulate(engine, EXAMPLE, Settings(paths=1000)).to_json())
    assert list(data) == [
        "schema_version", "company", "paths", "seed", "volatility", "correlation",
        "p_shortfall", "p_shortfall_ci", "funding_coverage", "funding_gap", "grades",
        "recomputed_metrics", "held_metrics",
    ]  # fmt: skip
    assert list(data["funding_coverage"]) == ["p5", "p50", "p95"]
    assert list(data["funding_gap"]) == ["p5", "p50", "p95", "mean_if_short"]
    assert list(data["grades"]) == [g.grade for g in engine.config.rating.scale]
    assert data["volatility"] == 0.35  # from [simulation] in the default config


def test_scenario_moves_the_distribution(engine: riskcore.Engine) -> None:
    base = simulate(engine, EXAMPLE, Settings(paths=5000))
    bear = simulate(engine, EXAMPLE, Settings(paths=5000, scenario="bear"))
    assert bear.scenario == "bear"
    assert bear.funding_gap.p50 is not None and base.funding_gap.p50 is not None
    assert bear.funding_gap.p50 > base.funding_gap.p50


def test_wilson_interval() -> None:
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    lo, hi = wilson(5, 10)
    # (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.96: 0.2366 to 0.7634.
    assert (lo, hi) == (pytest.approx(0.23659, abs=1e-5), pytest.approx(0.76341, abs=1e-5))


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (Settings(paths=0), "--paths 0"),
        (Settings(seed=-1), "--seed -1"),
        (Settings(volatility=-0.1), "--volatility -0.1"),
        (Settings(correlation=1.5), "--correlation 1.5"),
    ],
)
def test_bad_settings_are_usage_errors(settings: Settings, says: str) -> None:
    with pytest.raises(riskcore.UsageError, match=says):
        settings.check()


# -- reproducibility ---------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_numbers(engine: riskcore.Engine) -> None:
    one = simulate(engine, EXAMPLE, Settings(paths=2000, seed=4)).to_json()
    assert simulate(engine, EXAMPLE, Settings(paths=2000, seed=4)).to_json() == one
    assert simulate(engine, EXAMPLE, Settings(paths=2000, seed=5)).to_json() != one


def test_batch_simulate_agrees_across_backends_and_with_simulate(tmp_path: Path) -> None:
    book = tmp_path / "book.jsonl"
    write_portfolios(generate_portfolios(40, seed=2), book)
    args = ["batch", str(book), str(EXAMPLE), "--simulate", "--paths", "3000", "--quiet"]
    env: dict[str, Any] = {"capture_output": True, "text": True, "check": True}
    serial = subprocess.run([RISKCORE, *args, "--workers", "1"], **env).stdout
    pooled = subprocess.run([RISKCORE, *args, "--workers", "2"], **env).stdout
    assert serial == pooled
    lines = [json.loads(line) for line in serial.splitlines()]
    assert len(lines) == 41 and all("simulation" in line for line in lines)
    alone = subprocess.run(
        [RISKCORE, "simulate", str(EXAMPLE), "--paths", "3000", "--format", "json"], **env
    ).stdout
    assert lines[-1]["simulation"] == json.loads(alone)


def test_batch_simulate_on_dask_matches(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    book = tmp_path / "book.jsonl"
    write_portfolios(generate_portfolios(20, seed=9), book)
    args = ["batch", str(book), "--simulate", "--paths", "2000", "--quiet"]
    env: dict[str, Any] = {"capture_output": True, "text": True, "check": True}
    serial = subprocess.run([RISKCORE, *args, "--workers", "1"], **env).stdout
    dask = subprocess.run([RISKCORE, *args, "--backend", "dask", "--workers", "2"], **env).stdout
    assert dask == serial


# -- the command -------------------------------------------------------------------------------


def test_simulate_command_table_and_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "")
    runner = CliRunner()
    result = runner.invoke(cli, ["simulate", str(EXAMPLE), "--paths", "2000"])
    assert result.exit_code == 0, result.output
    assert "P(funding gap > 0)" in result.output and "Held at their base score" in result.output
    bad = runner.invoke(cli, ["simulate", str(EXAMPLE), "--correlation", "2"])
    assert bad.exit_code == 2 and "--correlation 2" in bad.output
    unknown = runner.invoke(cli, ["simulate", str(EXAMPLE), "--scenario", "nope"])
    assert unknown.exit_code == 2 and "no scenario 'nope'" in unknown.output
    missing = runner.invoke(cli, ["simulate", str(tmp_path / "none.yaml"), str(EXAMPLE)])
    assert missing.exit_code == 2 and "P(funding gap > 0)" in missing.output


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["score", str(EXAMPLE)], "numpy"),  # numpy only when a simulation is asked for
        (["simulate", str(EXAMPLE), "--paths", "1000"], "numpy.ma"),  # the percentiles' own
    ],
)
def test_a_command_does_not_import_what_it_does_not_use(args: list[str], module: str) -> None:
    code = (
        "import sys; from click.testing import CliRunner; from riskcore.cli import cli; "
        f"r = CliRunner().invoke(cli, {args!r}); "
        f"assert r.exit_code == 0, r.output; print({module!r} in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("n", [1, 2, 3, 10, 21, 1000, 100_000])
def test_percentiles_equal_numpys_bit_for_bit(n: int) -> None:
    from riskcore.montecarlo import percentiles

    rng = np.random.default_rng(n)
    samples = [
        rng.standard_normal(n),
        rng.integers(0, 3, n).astype(float),  # ties
        np.exp(rng.standard_normal(n) * 3) * 1e9,
        np.zeros(n),
    ]
    with_inf = rng.standard_normal(n)
    with_inf[n // 2] = np.inf
    samples.append(with_inf)
    for values in samples:
        for q in [(5, 50, 95), (0, 100), (1, 33.3, 99), (50,)]:
            with np.errstate(invalid="ignore"):
                want = [float(v) for v in np.percentile(values, q)]
                got = percentiles(values.copy(), q)
            assert [repr(v) for v in got] == [repr(v) for v in want]


def test_percentiles_of_nan_are_nan_and_of_nothing_an_error() -> None:
    from riskcore.montecarlo import percentiles

    assert all(math.isnan(v) for v in percentiles(np.array([1.0, np.nan, 2.0]), (5, 95)))
    with pytest.raises(ValueError, match="no values"):
        percentiles(np.array([]), (50,))


def test_materiality_paths_are_worked_out_once_per_matrix_and_copied_to_each_caller() -> None:
    engine = riskcore.Engine()
    scored = engine.score_detailed(EXAMPLE)
    context = next(iter(scored.contexts.values()))
    years = len(scored.book.years)
    low = np.full((4, years), 1e9)
    high = np.full((4, years), 1e13)
    first = context.materiality_paths(low)
    first *= 0.0  # a caller that changes its copy in place changes nothing for the next one
    again = context.materiality_paths(low)
    assert again is not first and np.all(again == 1.0)
    assert np.all(context.materiality_paths(high) < 1.0)  # another matrix: worked out anew


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_revenue_factors_drawn_into_a_buffer_are_the_same_numbers(rho: float) -> None:
    alone = revenue_factors(stream(3, "buffer"), 1000, 4, 0.4, rho)
    buffer = np.empty((5, 1000))
    into = revenue_factors(stream(3, "buffer"), 1000, 4, 0.4, rho, out=buffer[1:])
    assert np.array_equal(alone, into) and np.shares_memory(into, buffer)
