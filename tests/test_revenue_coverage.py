"""Revenue coverage, worked by hand on small portfolios.

Unless a test says otherwise the portfolio is conftest's BASE: as_of 2025-01-15 (all twelve
months of 2025 count), revenue 10B with no growth, no cash, no committed funding, and the default
revenue_share_available s = 0.5. Amounts in the comments are in billions.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
from typing import Any

import pytest
from pydantic import ValidationError

import riskcore
from conftest import context_for, portfolio
from riskcore.defaults import load_config
from riskcore.schedule import build_book
from riskcore_plugins.revenue_coverage import RevenueCoverage

B = 1e9


def deal(
    counterparty: str,
    amount: str | None,
    start: str | int,
    years: float = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A commitment row: flat, cloud, `years` long from `start` unless `extra` says otherwise."""
    row: dict[str, Any] = {
        "counterparty": counterparty,
        "kind": "cloud",
        "start": start,
        "term_years": years,
    }
    if amount is not None:
        row["amount"] = amount
    row.update(extra)
    return row


def run(
    data: dict[str, Any], config: dict[str, Any] | None = None, **options: Any
) -> riskcore.MetricResult:
    p, ctx = context_for(data, RevenueCoverage, config, **options)
    return RevenueCoverage().score(p, ctx)


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9)


# --- the metric's identity --------------------------------------------------------------------


def test_identity_and_method() -> None:
    assert issubclass(RevenueCoverage, riskcore.Metric)
    assert RevenueCoverage.name == "revenue_coverage"
    assert RevenueCoverage.title == "Revenue coverage"
    assert RevenueCoverage.default_weight == 0.40
    method = RevenueCoverage.method()
    assert method.splitlines()[0].endswith("?")
    for word in ("funding_coverage", "funding_gap", "breakeven_growth", "Score", "Skipped"):
        assert word in method


# --- hand-worked portfolios -------------------------------------------------------------------


def test_two_flat_years_with_liquidity() -> None:
    # Revenue 8 a year, L = cash 3 + committed 5 = 8. One 24 deal, 2025-01 for 2 years, flat:
    # O = [12, 12], R = [8, 8].
    data = portfolio(
        financials={"revenue": "8B", "cash": "3B", "committed_funding": "5B"},
        commitments=[deal("Oracle", "24B", "2025-01", 2)],
    )
    result = run(data)
    d = result.details
    assert d["horizon"] == [2025, 2026]
    assert d["liquidity"] == 8 * B
    assert d["revenue_share_available"] == 0.5
    assert d["total_value"] == 24 * B
    assert d["commitment_multiple"] == approx(3.0)  # 24 / 8
    assert d["cumulative_coverage"] == approx(2 / 3)  # (8 + 8) / (12 + 12)
    # 8/12 in both years: the earliest year wins the tie.
    assert d["min_annual_coverage"] == approx(2 / 3)
    assert d["min_coverage_year"] == 2025
    # 2025: (8 + 0.5*8) / 12 = 1.0; 2026: (8 + 0.5*16) / 24 = 2/3.
    assert d["funding_coverage"] == approx(2 / 3)
    assert d["worst_year"] == 2026
    # Shortfalls: 2025: 12 - 4 - 8 = 0; 2026: 24 - 8 - 8 = 8.
    assert d["funding_gap"] == approx(8 * B)
    # Growth g: 2025 is covered (12 <= 8 + 4) whatever g; 2026 needs
    # 24 <= 8 + 0.5 * (8 + 8(1+g)), i.e. 1 + g >= 3: g = 2.0 exactly.
    assert d["breakeven_growth"] == 2.0
    assert result.value == d["funding_coverage"]
    assert result.unit == "x"
    # 2/3 lies between [0.5, 75] and [0.75, 60]: 75 - 15 * (2/3 - 0.5) / 0.25 = 65.
    assert result.score == approx(65.0)
    assert result.summary == (
        "$8.0B of cash and committed funding plus 50% of revenue covers only 0.67x of the "
        "commitments due through 2026, leaving $8.0B to be found (revenue growth of 200.0% a "
        "year would close it); remaining commitments of $24.0B are 3.0x annual revenue."
    )
    assert result.warnings == []


def test_a_year_without_obligations_between_commitments() -> None:
    # 10 due in 2025 and 10 in 2027, nothing in 2026. O = [10, 0, 10], R = [10, 10, 10], L = 0.
    data = portfolio(
        commitments=[deal("Amazon", "10B", "2025-01"), deal("Oracle", "10B", "2027-01")]
    )
    d = run(data).details
    assert d["horizon"] == [2025, 2027]
    assert d["commitment_multiple"] == approx(2.0)  # 20 / 10
    assert d["cumulative_coverage"] == approx(1.5)  # 30 / 20
    # 2026 has no obligation, so it is left out of the minimum (no division by zero):
    # 2025: 10/10 = 1.0, 2027: 10/10 = 1.0 -> 1.0, earliest year.
    assert d["min_annual_coverage"] == approx(1.0)
    assert d["min_coverage_year"] == 2025
    # 2025: 0.5*10 / 10 = 0.5; 2027: 0.5*30 / 20 = 0.75.
    assert d["funding_coverage"] == approx(0.5)
    assert d["worst_year"] == 2025
    # Shortfalls: 2025: 10 - 5 = 5; 2026: 10 - 10 = 0; 2027: 20 - 15 = 5 -> 5.
    assert d["funding_gap"] == approx(5 * B)
    # 2025's shortfall of 5 does not depend on growth (exponent 0): no growth closes it.
    assert d["breakeven_growth"] is None


def test_started_before_as_of_counts_only_remaining_months() -> None:
    # as_of 2025-07-15: six months of 2025 count. A 24 deal from 2024-07 for 2 years is 1 a
    # month; 2024-07..2025-06 are paid, leaving 6 in 2025 (Jul-Dec) and 6 in 2026 (Jan-Jun).
    # Revenue 12: counted R = [12 * 6/12, 12] = [6, 12]. L = cash 3.
    data = portfolio(
        company={"as_of": "2025-07-15"},
        financials={"revenue": "12B", "cash": "3B"},
        commitments=[deal("Oracle", "24B", "2024-07", 2)],
    )
    p, ctx = context_for(data, RevenueCoverage)
    assert dict(ctx.obligations) == {2025: approx(6 * B), 2026: approx(6 * B)}
    assert dict(ctx.counted_revenue) == {2025: approx(6 * B), 2026: approx(12 * B)}
    result = RevenueCoverage().score(p, ctx)
    d = result.details
    assert d["total_value"] == approx(12 * B)
    assert d["commitment_multiple"] == approx(1.0)  # 12 remaining / 12, not 24 / 12
    assert d["cumulative_coverage"] == approx(1.5)  # (6 + 12) / 12
    assert d["min_annual_coverage"] == approx(1.0)  # 2025: 6/6; 2026: 12/6 = 2
    assert d["min_coverage_year"] == 2025
    # 2025: (3 + 0.5*6) / 6 = 1.0; 2026: (3 + 0.5*18) / 12 = 1.0 -> 1.0, earliest year.
    assert d["funding_coverage"] == 1.0
    assert d["worst_year"] == 2025
    assert d["funding_gap"] == 0.0  # coverage exactly 1: nothing to find
    # 2026 needs 12 <= 3 + 0.5 * (12 * 6/12 + 12(1+g)), i.e. 1 + g >= 1: g = 0 exactly (the
    # as_of year's revenue counts six months under any g).
    assert d["breakeven_growth"] == 0.0
    assert result.score == approx(40.0)  # a point: [1.0, 40]
    assert result.summary == (
        "$3.0B of cash and committed funding plus 50% of revenue covers the commitments as they "
        "fall due (at worst 1.00x of what is due through 2025); remaining commitments of $12.0B "
        "are 1.0x annual revenue."
    )


def test_ramp_profile() -> None:
    # A 30 ramp over 24 months: month k weighs k out of 24*25/2 = 300. 2025 is months 1..12
    # (weight 78): 30 * 78/300 = 7.8; 2026 is months 13..24 (weight 222): 22.2.
    # R = [10, 10], L = cash 12.5.
    data = portfolio(
        financials={"cash": "12.5B"},
        commitments=[deal("Microsoft", "30B", "2025-01", 2, profile="ramp")],
    )
    p, ctx = context_for(data, RevenueCoverage)
    assert dict(ctx.obligations) == {2025: approx(7.8 * B), 2026: approx(22.2 * B)}
    d = RevenueCoverage().score(p, ctx).details
    assert d["cumulative_coverage"] == approx(20 / 30)
    # 2025: 10 / 7.8 = 1.282; 2026: 10 / 22.2 = 0.45045.
    assert d["min_annual_coverage"] == approx(10 / 22.2)
    assert d["min_coverage_year"] == 2026
    # 2025: (12.5 + 5) / 7.8 = 2.244; 2026: (12.5 + 10) / 30 = 0.75.
    assert d["funding_coverage"] == approx(0.75)
    assert d["worst_year"] == 2026
    assert d["funding_gap"] == approx(7.5 * B)  # 30 - 22.5
    # 2026: 30 <= 12.5 + 0.5 * (10 + 10(1+g)), i.e. 1 + g >= 2.5: g = 1.5.
    assert d["breakeven_growth"] == 1.5


def test_explicit_schedule_in_a_part_year() -> None:
    # as_of 2025-04-15: nine months of 2025 count (Apr-Dec). Schedule 2025: 8, 2026: 12 (amount
    # 20 from the schedule). 2025's 8 is spread over its 12 months: 8 * 9/12 = 6 remain.
    # O = [6, 12]; revenue 12: R = [12 * 9/12, 12] = [9, 12]; L = cash 1.5.
    explicit = {
        "counterparty": "Oracle",
        "kind": "cloud",
        "profile": "explicit",
        "schedule": {2025: "8B", 2026: "12B"},
    }
    data = portfolio(
        company={"as_of": "2025-04-15"},
        financials={"revenue": "12B", "cash": "1.5B"},
        commitments=[explicit],
    )
    d = run(data).details
    assert d["total_value"] == approx(18 * B)
    assert d["commitment_multiple"] == approx(1.5)  # 18 / 12
    assert d["cumulative_coverage"] == approx(21 / 18)
    assert d["min_annual_coverage"] == approx(1.0)  # 2025: 9/6 = 1.5; 2026: 12/12
    assert d["min_coverage_year"] == 2026
    # 2025: (1.5 + 4.5) / 6 = 1.0; 2026: (1.5 + 10.5) / 18 = 2/3.
    assert d["funding_coverage"] == approx(2 / 3)
    assert d["worst_year"] == 2026
    assert d["funding_gap"] == approx(6 * B)  # 18 - 12
    # 2026: 18 <= 1.5 + 0.5 * (12 * 9/12 + 12(1+g)), i.e. 1 + g >= 2: g = 1.0.
    assert d["breakeven_growth"] == 1.0


def test_estimated_amount_from_capacity() -> None:
    # 0.5 GW of chips with no amount: 0.5 * 35 (default chips per GW) = 17.5, all due in 2026.
    # O = [0, 17.5], R = [10, 10], L = 0.
    chips = deal("NVIDIA", None, "2026-01", kind="chips", capacity_gw=0.5)
    data = portfolio(commitments=[chips])
    p, ctx = context_for(data, RevenueCoverage)
    assert ctx.is_estimated(p.commitments[0])
    d = RevenueCoverage().score(p, ctx).details
    assert d["total_value"] == approx(17.5 * B)
    assert d["commitment_multiple"] == approx(1.75)
    assert d["cumulative_coverage"] == approx(20 / 17.5)
    assert d["min_annual_coverage"] == approx(10 / 17.5)  # only 2026 has an obligation
    assert d["min_coverage_year"] == 2026
    assert d["funding_coverage"] == approx(10 / 17.5)  # 0.5 * 20 / 17.5
    assert d["funding_gap"] == approx(7.5 * B)
    # 17.5 <= 0.5 * (10 + 10(1+g)), i.e. 1 + g >= 2.5: g = 1.5.
    assert d["breakeven_growth"] == 1.5

    # The engine's rate moves the estimate: 0.5 * 70 = 35.
    dearer = run(data, {"engine": {"cost_per_gw": {"chips": "70B"}}}).details
    assert dearer["total_value"] == approx(35 * B)


def test_growth_and_forecast() -> None:
    # 30 over 2025-2027, flat: O = [10, 10, 10]. L = cash 5.
    rows = [deal("Oracle", "30B", "2025-01", 3)]

    # Growth 100% a year: R = [10, 20, 40].
    grown = run(portfolio(financials={"cash": "5B", "revenue_growth": 1.0}, commitments=rows))
    d = grown.details
    assert d["cumulative_coverage"] == approx(70 / 30)
    assert d["min_annual_coverage"] == approx(1.0)  # 10/10, 20/10, 40/10
    assert d["min_coverage_year"] == 2025
    # 2025: (5 + 5) / 10 = 1; 2026: (5 + 15) / 20 = 1; 2027: (5 + 35) / 30 = 4/3.
    assert d["funding_coverage"] == 1.0
    assert d["worst_year"] == 2025
    assert d["funding_gap"] == 0.0
    # 2026 binds: 20 <= 5 + 0.5 * (10 + 10(1+g)) needs g >= 1 (2027 then holds: 30 <= 40).
    assert d["breakeven_growth"] == 1.0

    # A forecast wins for the year it lists; later years grow from it: R = [10, 15, 30].
    forecast = {"cash": "5B", "revenue_growth": 1.0, "revenue_forecast": {2026: "15B"}}
    d = run(portfolio(financials=forecast, commitments=rows)).details
    assert d["cumulative_coverage"] == approx(55 / 30)
    assert d["min_annual_coverage"] == approx(1.0)
    # 2025: 1.0; 2026: (5 + 12.5) / 20 = 0.875; 2027: (5 + 27.5) / 30 = 1.083.
    assert d["funding_coverage"] == approx(0.875)
    assert d["worst_year"] == 2026
    assert d["funding_gap"] == approx(2.5 * B)  # 20 - 17.5
    # breakeven_growth ignores the forecast: the same answer as above.
    assert d["breakeven_growth"] == 1.0


def test_revenue_share_available_option() -> None:
    # O = [12, 12], R = [8, 8], L = 8 as in the first test, but all revenue is available:
    # 2025: (8 + 8) / 12 = 4/3; 2026: (8 + 16) / 24 = 1.0.
    data = portfolio(
        financials={"revenue": "8B", "cash": "3B", "committed_funding": "5B"},
        commitments=[deal("Oracle", "24B", "2025-01", 2)],
    )
    d = run(data, revenue_share_available=1.0).details
    assert d["revenue_share_available"] == 1.0
    assert d["funding_coverage"] == 1.0
    assert d["worst_year"] == 2026
    assert d["funding_gap"] == 0.0
    # s = 0: liquidity alone: 2025: 8/12; 2026: 8/24 = 1/3; gap 24 - 8 = 16.
    d = run(data, revenue_share_available=0.0).details
    assert d["funding_coverage"] == approx(1 / 3)
    assert d["funding_gap"] == approx(16 * B)
    assert d["breakeven_growth"] is None  # revenue does not count at all


# --- funding gap and breakeven growth ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cash", "closed"),
    [("0", False), ("10.999B", False), ("11B", True), ("11.001B", True), ("100B", True)],
)
def test_funding_gap_zero_exactly_when_coverage_reaches_one(cash: str, closed: bool) -> None:
    # O = [12, 12], R = [8, 8], committed 5: 2026 needs 24 <= cash + 5 + 8, i.e. cash >= 11.
    data = portfolio(
        financials={"revenue": "8B", "cash": cash, "committed_funding": "5B"},
        commitments=[deal("Oracle", "24B", "2025-01", 2)],
    )
    d = run(data).details
    assert (d["funding_coverage"] >= 1) is closed
    assert (d["funding_gap"] == 0) is closed


def _random_book(rng: random.Random) -> dict[str, Any]:
    rows = []
    for i in range(rng.randint(1, 4)):
        start = f"{rng.randint(2023, 2031)}-{rng.randint(1, 12):02d}"
        profile = rng.choice(["flat", "ramp"])
        amount = f"{rng.uniform(0.1, 80):.6f}B"
        rows.append(deal(f"V{i}", amount, start, round(rng.uniform(0.1, 6), 2), profile=profile))
    rows.append(deal("Last", f"{rng.uniform(0.1, 50):.6f}B", "2026-03", 2))  # never all paid
    financials = {
        "revenue": f"{rng.uniform(0.5, 40):.6f}B",
        "revenue_growth": round(rng.uniform(-0.5, 1.5), 4),
        "cash": f"{rng.uniform(0, 60):.6f}B",
        "committed_funding": f"{rng.choice([0, rng.uniform(0, 30)]):.6f}B",
    }
    company = {"as_of": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
    return portfolio(company=company, financials=financials, commitments=rows)


def test_funding_gap_zero_iff_coverage_at_least_one_on_random_books() -> None:
    rng = random.Random(20251103)
    seen = set()
    for _ in range(300):
        d = run(_random_book(rng), revenue_share_available=round(rng.uniform(0, 1), 3)).details
        closed = d["funding_coverage"] >= 1
        seen.add(closed)
        assert (d["funding_gap"] == 0) is closed
        assert d["funding_gap"] >= 0
    assert seen == {True, False}  # both sides were exercised


def test_breakeven_growth_closes_the_gap_on_random_books() -> None:
    # Scoring the same book with revenue_growth = breakeven (+/- two grid steps, so that the
    # engine's year-by-year compounding cannot blur the edge) opens and closes the gap.
    rng = random.Random(7)
    checked = 0
    for _ in range(200):
        data = _random_book(rng)
        g = run(data).details["breakeven_growth"]
        if g is None or g == -0.99:
            continue
        checked += 1
        above, below = copy.deepcopy(data), copy.deepcopy(data)
        above["financials"]["revenue_growth"] = g + 2e-4
        below["financials"]["revenue_growth"] = g - 2e-4
        assert run(above).details["funding_gap"] == 0
        assert run(below).details["funding_gap"] > 0
    assert checked >= 20


def test_breakeven_growth_is_minus_099_when_liquidity_already_covers_everything() -> None:
    # Cash 100 against 10 due in 2026: no revenue is needed, so the lowest growth searched.
    data = portfolio(financials={"cash": "100B"}, commitments=[deal("Oracle", "10B", "2026-01")])
    d = run(data).details
    assert d["funding_gap"] == 0.0
    assert d["funding_coverage"] == approx(11.0)  # (100 + 0.5 * 20) / 10
    assert d["breakeven_growth"] == -0.99


def test_breakeven_growth_is_none_when_the_as_of_year_cannot_be_paid() -> None:
    # 20 due in 2025 against 0.5 * 10 of revenue: the as_of year's revenue does not grow.
    data = portfolio(commitments=[deal("Oracle", "20B", "2025-01")])
    result = run(data)
    assert result.details["breakeven_growth"] is None
    assert result.details["funding_gap"] == approx(15 * B)
    assert result.summary.endswith(
        "leaving $15.0B to be found (no revenue growth up to 1000% a year closes it); "
        "remaining commitments of $20.0B are 2.0x annual revenue."
    )


def test_breakeven_growth_ignores_the_portfolios_growth() -> None:
    # The answer of test_two_flat_years_with_liquidity (2.0) whatever revenue_growth says.
    for growth in (-0.5, 0.0, 3.0):
        data = portfolio(
            financials={
                "revenue": "8B",
                "cash": "3B",
                "committed_funding": "5B",
                "revenue_growth": growth,
            },
            commitments=[deal("Oracle", "24B", "2025-01", 2)],
        )
        assert run(data).details["breakeven_growth"] == 2.0


# --- skip, order, purity ----------------------------------------------------------------------


def test_no_horizon_is_skipped() -> None:
    # Everything was due in 2023-2024: nothing is left after 2025-01-15.
    data = portfolio(commitments=[deal("Oracle", "10B", "2023-01", 2)])
    with pytest.raises(riskcore.SkipMetric) as info:
        run(data)
    assert str(info.value) == "nothing is left to pay after 2025-01-15: no horizon"


def test_row_order_does_not_matter() -> None:
    rows = [
        deal("Oracle", "30.3B", "2024-05", 3.5, profile="ramp"),
        deal("aws", "7.7B", "2025-03", 7),
        deal("NVIDIA", None, "2026-07", 3.5, kind="chips", capacity_gw=1.3),
        {
            "counterparty": "CoreWeave",
            "kind": "cloud",
            "profile": "explicit",
            "schedule": {2025: "1.1B", 2026: "3.3B", 2028: "2.2B"},
        },
    ]
    financials = {"cash": "4.4B", "revenue_growth": 0.37}
    results = [
        run(portfolio(company={"as_of": "2025-08-20"}, financials=financials, commitments=list(o)))
        for o in itertools.permutations(rows)
    ]
    first = results[0]
    assert first.details["funding_gap"] > 0
    for other in results[1:]:
        assert other.details == first.details
        assert other.summary == first.summary
        assert other.score == first.score


def test_scoring_is_pure_and_json_ready() -> None:
    data = portfolio(financials={"cash": "1B"}, commitments=[deal("Oracle", "24B", "2025-01", 2)])
    p, ctx = context_for(data, RevenueCoverage)
    before = p.model_dump()
    metric = RevenueCoverage()
    first, second = metric.score(p, ctx), metric.score(p, ctx)
    assert first == second
    assert p.model_dump() == before
    assert vars(metric) == {}
    json.dumps(first.details, allow_nan=False)


def test_a_foreign_config_is_refused() -> None:
    # The engine always hands a metric its own validated Config; anything else is a bug.
    data = portfolio(commitments=[deal("Oracle", "24B", "2025-01", 2)])
    cfg, _ = load_config()
    p = riskcore.load_portfolio(data)
    bare = riskcore.Context(build_book(p, cfg.engine), riskcore.MetricConfig(), cfg.engine)
    with pytest.raises(TypeError, match="expected a Config, got MetricConfig"):
        RevenueCoverage().score(p, bare)


# --- score mapping ----------------------------------------------------------------------------


def test_score_interpolates_and_clamps() -> None:
    # 20 due in 2026, R = [10, 10]: coverage = (cash + 0.5 * 20) / 20.
    def score(cash: float) -> float:
        data = portfolio(financials={"cash": cash}, commitments=[deal("Oracle", "20B", "2026-01")])
        return run(data).score

    assert score(0) == approx(75.0)  # 0.5: a point
    assert score(5 * B) == approx(60.0)  # 0.75: a point
    assert score(10 * B) == approx(40.0)  # 1.0
    assert score(15 * B) == approx(40 - 25 * (1.25 - 1.0) / 0.5)  # 1.25 -> 27.5
    assert score(30 * B) == approx(0.0)  # 2.0, the last point
    assert score(100 * B) == 0.0  # 5.5: clamped at the low-risk end
    # Clamping at the high-risk end needs a coverage below 0.1: 50 due, no liquidity, 10 of
    # revenue a year, s = 0.1: 0.1 * 20 / 50 = 0.04.
    data = portfolio(commitments=[deal("Oracle", "50B", "2026-01")])
    result = run(data, revenue_share_available=0.1)
    assert result.value == approx(0.04)
    assert result.score == 100.0


def test_custom_points() -> None:
    # Coverage 0.5 (10 of revenue share against 20 due) on points [0, 100] .. [1, 0]: 50.
    data = portfolio(commitments=[deal("Oracle", "20B", "2026-01")])
    assert run(data, points=[[1, 0], [0, 100]]).score == approx(50.0)


# --- config and registration ------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"unknown": 1},
        {"revenue_share_available": 1.5},
        {"revenue_share_available": -0.1},
        {"revenue_share_available": float("nan")},
        {"points": [[1, 40]]},
        {"points": [[1, 40], [1, 50]]},
        {"points": [[1, 40], [2, 140]]},
    ],
)
def test_config_rejects(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RevenueCoverage.Config.model_validate(settings)


def test_config_is_a_metric_config() -> None:
    assert issubclass(RevenueCoverage.Config, riskcore.MetricConfig)
    with pytest.raises(ValidationError, match="extra"):
        context_for(
            portfolio(commitments=[deal("Oracle", "1B", "2025-01")]), RevenueCoverage, share=1
        )


def test_everything_due_after_the_horizon_is_skipped() -> None:
    # as_of 2025-01-15, horizon capped at 10 years (2025-2034); the only deal starts 2035-01.
    data = portfolio(commitments=[deal("Oracle", "10B", "2035-01", 2)])
    with pytest.raises(riskcore.SkipMetric, match="nothing falls due within the horizon 2025-2034"):
        run(data)


# --- operating costs and debt service ----------------------------------------------------------


def test_operating_costs_replace_the_revenue_share() -> None:
    # Revenue 10B flat, costs 7B: 3B a year is free. One 24B deal over 2025-2026 (12B a year),
    # cash 6B. 2025: (6 + 3) / 12 = 0.75; 2026: (6 + 6) / 24 = 0.5, the worst. Gap 24 - 12 = 12B.
    data = portfolio(
        financials={"cash": "6B", "operating_costs": "7B"},
        commitments=[deal("Oracle", "24B", "2025-01", 2)],
    )
    result = run(data)
    assert result.value == approx(0.5)
    assert result.details["funding_gap"] == approx(12 * B)
    assert result.details["revenue_share_available"] is None
    assert result.details["operating_costs"] == {"2025": approx(7 * B), "2026": approx(7 * B)}
    assert result.details["cumulative_coverage"] == approx(6 / 24)
    assert result.details["min_annual_coverage"] == approx(3 / 12)
    assert result.score == approx(75.0)
    assert "plus revenue less operating costs covers only 0.50x" in result.summary


def test_a_cash_burn_can_pay_nothing_and_the_gap_counts_it() -> None:
    # Costs 15B on 10B of revenue: 5B burnt a year. Cash 4B, 2B due in 2025: 4 - 5 < 0, so
    # funding coverage is 0 (not negative) and the gap is 2 + 5 - 4 = 3B.
    data = portfolio(
        financials={"cash": "4B", "operating_costs": "15B"},
        commitments=[deal("Oracle", "2B", "2025-01", 1)],
    )
    result = run(data)
    assert result.value == 0.0
    assert result.details["funding_gap"] == approx(3 * B)
    assert result.score == 100.0
    # growth of revenue alone, costs as projected: R(g) = 10(1+g) in 2025 only: never, as 2025
    # revenue does not grow
    assert result.details["breakeven_growth"] is None


def test_debt_service_is_an_obligation_with_its_own_rows() -> None:
    # 10B bullet at 12% to 2025-12: 0.1B of interest a month, 1.2B in 2025, and 10B back in
    # December. With a 5B deal in 2025, 16.2B falls due against 5B (half of revenue).
    debt = {"lender": "Bank", "amount": "10B", "rate": 0.12, "maturity": "2025-12"}
    data = portfolio(financials={"debt": [debt]}, commitments=[deal("Oracle", "5B", "2025-01", 1)])
    result = run(data)
    assert result.details["debt_service"] == {"2025": approx(11.2 * B)}
    assert result.details["interest"] == {"2025": approx(1.2 * B)}
    assert result.value == approx(5 / 16.2)
    assert result.details["funding_gap"] == approx(11.2 * B)
    assert "of the commitments and debt service due through 2025" in result.summary


def test_debt_alone_is_rated() -> None:
    # No commitments: the 10B bullet of the last test is all that falls due. Revenue coverage
    # measures it; vendor concentration and circular financing score 0 (a company that owes only
    # its lenders depends on no vendor, and no vendor money can come back as purchases); idle
    # capacity and customer concentration have nothing to measure. Coverage 0.8 / 1.1.
    debt = {"lender": "Bank", "amount": "10B", "rate": 0.12, "maturity": "2025-12"}
    report = riskcore.Engine(allow=[]).score(portfolio(financials={"debt": [debt]}))
    rc = report.metric("revenue_coverage")
    assert rc.status == "ok" and rc.value == approx(5 / 11.2)
    assert report.schedule[0].debt_service == approx(11.2 * B)
    for name in ("vendor_concentration", "circular_financing"):
        entry = report.metric(name)
        assert (entry.status, entry.score) == ("ok", 0.0), name
        assert "debt service" in (entry.summary or "")
    assert report.coverage == approx(0.8 / 1.1)
    assert report.rating != "NR"
    # With nothing at all to pay the book is still not rated (the empty book)
    empty = riskcore.Engine(allow=[]).score(portfolio())
    assert empty.rating == "NR"


def test_breakeven_growth_with_costs_keeps_them_as_projected() -> None:
    # Revenue 10B, costs 8B (as projected: 8B a year whatever the growth); 2025 free 2B,
    # cash 0; deal 2B in 2025 and 18B in 2026 (explicit). 2025: 2 >= 2. 2026: needs
    # 2 + 10(1+g) - 8 >= 20 -> g >= 1.6.
    data = portfolio(
        financials={"operating_costs": "8B"},
        commitments=[
            deal("Oracle", "20B", 2025, 2, profile="explicit", schedule={2025: "2B", 2026: "18B"})
        ],
    )
    assert run(data).details["breakeven_growth"] == pytest.approx(1.6)
