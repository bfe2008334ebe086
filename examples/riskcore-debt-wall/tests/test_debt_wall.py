"""The debt_wall metric, with every expected value worked by hand in the comments.

Most tests use the fixtures of riskcore's pytest plugin (`riskcore.testing`): its
`portfolio_factory()` is Testco as of 2025-01-15, revenue 10B growing 10%, cash 5B, and
commitments running 2025-2027, so its horizon is 2025-2027 and, the as_of month being January,
each year's revenue counts in full. The last tests build their engine and portfolios with the
public API alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import riskcore_debt_wall
from riskcore_debt_wall import DebtWall, wall_window

import riskcore

B = 1e9
EXAMPLE = Path(__file__).resolve().parent.parent / "portfolio.yaml"

MakeEngine = Callable[..., riskcore.Engine]
MakePortfolio = Callable[..., riskcore.Portfolio]

# Flat revenue keeps the sums round: 10B a year, plus 5B of cash in every window.
FLAT = {"revenue_growth": 0.0}
# One commitment through 2029-12: a five-year horizon, 2025-2029.
FIVE_YEARS = [
    {
        "counterparty": "Cloudco",
        "kind": "cloud",
        "amount": 10e9,
        "start": "2025-01",
        "term_years": 5,
    }
]


def wall(**section: Any) -> dict[str, Any]:
    return {"debt_wall": section}


def own_warnings(report: riskcore.Report) -> list[str]:
    """The report's warnings from this metric (an engine without the built-ins adds others)."""
    return [w for w in report.warnings if w.startswith("debt_wall: ")]


def test_contract(check_metric: Callable[..., None]) -> None:
    check_metric(DebtWall)
    check_metric(DebtWall, config={"window_years": 1, "points": [[0, 0], [1, 100]]})
    # With a section of its own on every standard portfolio, the method itself is exercised.
    section = {"maturities": {2026: "2B", 2028: "1B"}, "refinancing_share": 0.5}
    check_metric(DebtWall, extensions={"debt_wall": section})


def test_one_window_over_the_whole_horizon(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    # Horizon 2025-2027 is exactly one 3-year window.
    # Due, half refinanced: 2026: 15B x 0.5 = 7.5B; 2027: 20B x 0.5 = 10B; total 17.5B.
    # Means: 10B x 3 years + 5B cash = 35B. wall_ratio = 17.5 / 35 = 0.5 -> the 0.5 point: 45.
    portfolio = portfolio_factory(
        financials=FLAT,
        extensions=wall(maturities={2026: "15B", 2027: "20B"}, refinancing_share=0.5),
    )
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.status == "ok", entry.message
    assert entry.value == 0.5
    assert entry.unit == "x"
    assert entry.score == 45.0
    assert entry.details["worst_window"] == [2025, 2027]
    assert entry.details["due_by_year"] == {"2025": 0.0, "2026": 7.5 * B, "2027": 10 * B}
    assert entry.details["window_debt"] == 17.5 * B
    assert entry.details["window_means"] == 35 * B
    assert entry.details["refinancing_share"] == 0.5
    assert entry.summary == (
        "$17.5B of debt falls due in 2025-2027 after refinancing 50%, 0.50x the $35.0B of "
        "revenue and cash there is to meet it."
    )


def test_growing_revenue(riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio) -> None:
    # The factory's 10% growth: revenue 10B, 11B, 12.1B; means 33.1B + 5B = 38.1B.
    # Nothing refinanced: 19.05B due in 2027 -> 19.05 / 38.1 = 0.5 -> 45.
    portfolio = portfolio_factory(extensions=wall(maturities={2027: 19.05 * B}))
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.value == pytest.approx(0.5, rel=1e-12)
    assert entry.score == pytest.approx(45.0, rel=1e-12)
    assert entry.details["refinancing_share"] == 0.0


def test_the_worst_window_wins(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    # Horizon 2025-2029, 3-year windows, each with means 10B x 3 + 5B = 35B:
    #   2025-2027: 0 + 14 + 21 = 35B -> 1.0
    #   2026-2028: 14 + 21 + 7 = 42B -> 1.2   (the worst)
    #   2027-2029: 21 + 7 + 0 = 28B  -> 0.8
    # 1.2 lies between the points 1.0 -> 70 and 2.0 -> 90: 70 + 20 x 0.2 = 74.
    portfolio = portfolio_factory(
        financials=FLAT,
        commitments=FIVE_YEARS,
        extensions=wall(maturities={2026: "14B", 2027: "21B", 2028: "7B"}),
    )
    report = riskcore_engine(DebtWall).score(portfolio)
    entry = report.metric("debt_wall")
    assert entry.value == pytest.approx(1.2, rel=1e-12)
    assert entry.score == pytest.approx(74.0, rel=1e-12)
    assert entry.details["worst_window"] == [2026, 2028]
    assert entry.details["window_debt"] == 42 * B
    assert entry.details["window_means"] == 35 * B
    assert list(entry.details["due_by_year"]) == ["2025", "2026", "2027", "2028", "2029"]
    assert own_warnings(report) == []


@pytest.mark.parametrize(
    ("window_years", "value", "score", "worst"),
    [
        # One-year windows, means 10B + 5B = 15B: 2027's 21B is the worst, 21 / 15 = 1.4;
        # 70 + 20 x 0.4 = 78.
        (1, 1.4, 78.0, [2027, 2027]),
        # Two-year windows, means 2 x 10B + 5B = 25B: 2026-2027 holds 14 + 21 = 35B -> 1.4.
        (2, 1.4, 78.0, [2026, 2027]),
        # A 10-year window is wider than the 5-year horizon, so the horizon is the window:
        # 42B / (5 x 10B + 5B) = 42 / 55 = 0.763636...; 45 + 25 x (42/55 - 0.5) / 0.5 = 58.1818...
        (10, 42 / 55, 45 + 50 * (42 / 55 - 0.5), [2025, 2029]),
    ],
)
def test_window_years(
    riskcore_engine: MakeEngine,
    portfolio_factory: MakePortfolio,
    window_years: int,
    value: float,
    score: float,
    worst: list[int],
) -> None:
    portfolio = portfolio_factory(
        financials=FLAT,
        commitments=FIVE_YEARS,
        extensions=wall(maturities={2026: "14B", 2027: "21B", 2028: "7B"}),
    )
    engine = riskcore_engine(
        DebtWall, config={"metrics": {"debt_wall": {"window_years": window_years}}}
    )
    entry = engine.score(portfolio).metric("debt_wall")
    assert entry.value == pytest.approx(value, rel=1e-12)
    assert entry.score == pytest.approx(score, rel=1e-12)
    assert entry.details["worst_window"] == worst
    assert entry.details["window_years"] == window_years


def test_ties_go_to_the_earliest_window(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    # 7B in 2027 sits in all three windows of 2025-2029: each 7 / 35 = 0.2 -> 0.2 / 0.25 x 20 = 16.
    portfolio = portfolio_factory(
        financials=FLAT, commitments=FIVE_YEARS, extensions=wall(maturities={2027: "7B"})
    )
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.value == pytest.approx(0.2, rel=1e-12)
    assert entry.score == pytest.approx(16.0, rel=1e-12)
    assert entry.details["worst_window"] == [2025, 2027]


def test_points_from_the_config(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    # wall_ratio 0.5 (as in the first test) on points 0 -> 0, 1 -> 100 scores 50.
    portfolio = portfolio_factory(
        financials=FLAT,
        extensions=wall(maturities={2026: "15B", 2027: "20B"}, refinancing_share=0.5),
    )
    engine = riskcore_engine(
        DebtWall, config={"metrics": {"debt_wall": {"points": [[0, 0], [1, 100]]}}}
    )
    assert engine.score(portfolio).metric("debt_wall").score == 50.0


def test_maturities_outside_the_horizon_are_left_out_with_warnings(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    # Horizon 2025-2027. 2024's 3B counts as repaid and 2031's 4B lies beyond the horizon;
    # only 2026's 7B is scored: 7 / 35 = 0.2 -> 16.
    portfolio = portfolio_factory(
        financials=FLAT, extensions=wall(maturities={2024: "3B", 2026: "7B", 2031: "4B"})
    )
    report = riskcore_engine(DebtWall).score(portfolio)
    entry = report.metric("debt_wall")
    assert entry.value == pytest.approx(0.2, rel=1e-12)
    assert entry.score == pytest.approx(16.0, rel=1e-12)
    assert entry.details["beyond_horizon"] == 4 * B
    assert own_warnings(report) == [
        "debt_wall: $3.0B of debt maturing before 2025 is taken as repaid",
        "debt_wall: $4.0B of debt maturing after 2027, beyond the horizon, is left out",
    ]


@pytest.mark.parametrize(
    "section",
    [
        {"maturities": {}},
        {"maturities": {2031: "4B"}},  # beyond the horizon only
        {"maturities": {2026: "9B"}, "refinancing_share": 1},  # all rolled over
    ],
)
def test_no_wall(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio, section: dict[str, Any]
) -> None:
    portfolio = portfolio_factory(extensions={"debt_wall": section})
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.status == "ok"
    assert (entry.value, entry.score) == (0.0, 0.0)
    assert entry.details["worst_window"] == [2025, 2027]
    assert (entry.summary or "").startswith("No debt falls due in 2025-2027, the horizon")


def test_debt_with_no_means_scores_the_top_point(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    # A forecast of zero revenue and no cash: 1B due against nothing. The ratio is infinite,
    # reported as None, and scored as the largest-ratio point (4.0 -> 100).
    portfolio = portfolio_factory(
        financials={"cash": 0, "revenue_forecast": {2025: 0, 2026: 0, 2027: 0}},
        extensions=wall(maturities={2026: "1B"}),
    )
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.status == "ok", entry.message
    assert entry.value is None
    assert entry.details["wall_ratio"] is None
    assert entry.score == 100.0
    assert (
        entry.summary == "$1.0B of debt falls due in 2025-2027 with no revenue or cash to meet it."
    )


def test_no_section_skips(riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio) -> None:
    entry = riskcore_engine(DebtWall).score(portfolio_factory()).metric("debt_wall")
    assert entry.status == "skipped"
    assert entry.message == (
        "no extensions.debt_wall section: give debt maturities by year to score it"
    )


def test_no_horizon_skips(riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio) -> None:
    # Every commitment ends by 2027-12, so as_of 2030 leaves no horizon to measure against.
    portfolio = portfolio_factory(
        company={"as_of": "2030-01-01"}, extensions=wall(maturities={2031: "1B"})
    )
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.status == "skipped"
    assert "no horizon" in (entry.message or "")


def test_an_invalid_section_is_one_error_naming_each_field(
    riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio
) -> None:
    portfolio = portfolio_factory(
        extensions=wall(maturities={2026: "12X", "soon": "1B"}, refinancing_share=1.5, refi=0.2)
    )
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.status == "error"
    message = entry.message or ""
    assert "\n" not in message
    assert message.startswith("debt_wall: SectionError: extensions.debt_wall.maturities.2026: ")
    for part in [
        "unknown unit 'X' in '12X'",
        "extensions.debt_wall.maturities.soon: ",
        "extensions.debt_wall.refinancing_share: Input should be less than or equal to 1",
        "extensions.debt_wall.refi: Extra inputs are not permitted",
    ]:
        assert part in message


def test_missing_maturities(riskcore_engine: MakeEngine, portfolio_factory: MakePortfolio) -> None:
    portfolio = portfolio_factory(extensions=wall(refinancing_share=0.5))
    entry = riskcore_engine(DebtWall).score(portfolio).metric("debt_wall")
    assert entry.status == "error"
    assert entry.message == (
        "debt_wall: SectionError: extensions.debt_wall.maturities: Field required"
    )


def test_a_bad_config_is_refused(riskcore_engine: MakeEngine) -> None:
    with pytest.raises(riskcore.ConfigError, match=r"metrics\.debt_wall\.window_years"):
        riskcore_engine(DebtWall, config={"metrics": {"debt_wall": {"window_years": 0}}})


# -- without the riskcore.testing fixtures: the public API only ------------------------------


def engine() -> riskcore.Engine:
    return riskcore.Engine(plugins=[riskcore_debt_wall], load_entrypoints=False, allow=[])


def test_the_example_portfolio() -> None:
    # Northwind Compute, as of 2025-07-15: 2025 counts July-December only. Horizon 2025-2030.
    # Revenue 4B growing 50%, counted: 2025: 4 x 6/12 = 2; 2026: 6; 2027: 9; 2028: 13.5;
    # 2029: 20.25; 2030: 30.375. Cash 3B.
    # Due after refinancing 25%: 2025: 0.75; 2026: 1.5; 2027: 6; 2028: 4.5; 2029: 0.75; 2030: 0.
    #   2025-2027: 8.25 / (2 + 6 + 9 + 3 = 20)         = 0.4125   (the worst)
    #   2026-2028: 12 / (6 + 9 + 13.5 + 3 = 31.5)       = 0.3810
    #   2027-2029: 11.25 / (9 + 13.5 + 20.25 + 3 = 45.75) = 0.2459
    #   2028-2030: 5.25 / (13.5 + 20.25 + 30.375 + 3)   = 0.0782
    # Score: 20 + 25 x (0.4125 - 0.25) / 0.25 = 36.25. 2031's 5B is left out, with a warning.
    report = engine().score(EXAMPLE)
    entry = report.metric("debt_wall")
    assert entry.status == "ok", entry.message
    assert entry.plugin == "riskcore_debt_wall"
    assert entry.value == pytest.approx(0.4125, rel=1e-12)
    assert entry.score == pytest.approx(36.25, rel=1e-12)
    assert entry.details["worst_window"] == [2025, 2027]
    assert entry.details["due_by_year"] == {
        "2025": 0.75 * B,
        "2026": 1.5 * B,
        "2027": 6 * B,
        "2028": 4.5 * B,
        "2029": 0.75 * B,
        "2030": 0.0,
    }
    assert entry.details["beyond_horizon"] == 5 * B
    assert entry.summary == (
        "$8.2B of debt falls due in 2025-2027 after refinancing 25%, 0.41x the $20.0B of "
        "revenue and cash there is to meet it."
    )
    assert "debt_wall: $5.0B of debt maturing after 2030, beyond the horizon, is left out" in (
        report.warnings
    )


def test_json_style_year_keys_and_another_currency() -> None:
    # Year keys arrive as strings from JSON. As of 2025-10-01: 2025 counts October-December,
    # 3 of 12 months. EUR 8B flat revenue: 2025: 2; 2026: 8; horizon 2025-2026 (one commitment
    # through 2026-12). One 2-year window, means 2 + 8 + cash 2 = 12; due 6 -> 0.5 -> 45.
    portfolio = riskcore.load_portfolio(
        {
            "company": {"name": "Eurco", "as_of": "2025-10-01", "currency": "EUR"},
            "financials": {"revenue": "8B", "revenue_growth": 0, "cash": "2B"},
            "commitments": [
                {
                    "counterparty": "Cloudco",
                    "kind": "cloud",
                    "amount": "3B",
                    "start": "2025-10",
                    "end": "2026-12",
                }
            ],
            "extensions": {"debt_wall": {"maturities": {"2026": "6B"}}},
        }
    )
    entry = engine().score(portfolio).metric("debt_wall")
    assert entry.value == pytest.approx(0.5, rel=1e-12)
    assert entry.score == pytest.approx(45.0, rel=1e-12)
    assert (entry.summary or "").startswith(
        "€6.0B of debt falls due in 2025-2026, 0.50x the €12.0B"
    )


def test_the_method_is_written() -> None:
    method = DebtWall.method()
    for term in ["wall_ratio", "refinancing_share", "window_years", "Assumptions", "Score"]:
        assert term in method


def test_wall_window_directly() -> None:
    # due [1, 4, 0, 6], revenue 10 each, cash 0, windows of 2: 5/20, 4/20, 6/20 -> the last.
    worst = wall_window([1.0, 4.0, 0.0, 6.0], [10.0] * 4, 0.0, 2)
    assert (worst.start, worst.stop, worst.debt, worst.means) == (2, 4, 6.0, 20.0)
    # No means at all ranks above any finite ratio.
    worst = wall_window([1.0, 1.0], [1.0, 0.0], 0.0, 1)
    assert (worst.start, worst.debt, worst.means) == (1, 1.0, 0.0)
    assert math.isfinite(wall_window([0.0], [0.0], 0.0, 3).means)
