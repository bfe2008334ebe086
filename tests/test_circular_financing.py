"""circular_financing: every detail worked out by hand from small literal portfolios.

Unless a test says otherwise, as_of is 2025-01-15 (conftest BASE), so every month from 2025-01 on
is still to pay and a commitment's remaining value is its whole amount. BASE earns a flat 10B a
year with no cash, so the company's own means M over the engine's ten-year window are 100B, and
the headline is RT / (RT + 100B) for a round trip of RT.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from pydantic import ValidationError

import riskcore
from conftest import assert_close, context_for, portfolio
from riskcore_plugins.circular_financing import CircularFinancing

B = 1e9


def deal(counterparty: str, amount: Any, *, kind: str = "cloud", **extra: Any) -> dict[str, Any]:
    """A flat commitment from 2025-01 over two years unless `extra` says otherwise."""
    row: dict[str, Any] = {
        "counterparty": counterparty,
        "kind": kind,
        "amount": amount,
        "start": "2025-01",
        "term_years": 2,
    }
    row.update(extra)
    if amount is None:
        del row["amount"]
    return row


def fund(investor: str, amount: Any, **extra: Any) -> dict[str, Any]:
    return {"investor": investor, "amount": amount, **extra}


def run(
    data: dict[str, Any], config: dict[str, Any] | None = None, **options: Any
) -> riskcore.MetricResult:
    p, ctx = context_for(data, CircularFinancing, config, **options)
    return CircularFinancing().score(p, ctx)


def pair(name: str, inflow: float, outflow: float, round_trip: float) -> dict[str, Any]:
    return {"counterparty": name, "inflow": inflow, "outflow": outflow, "round_trip": round_trip}


# --- the metric's identity and plugin contract ------------------------------------------------


def test_class_attributes_and_method() -> None:
    assert CircularFinancing.name == "circular_financing"
    assert CircularFinancing.title == "Circular financing"
    assert CircularFinancing.default_weight == 0.20
    method = CircularFinancing.method()
    first, _, rest = method.partition("\n")
    assert first and first.endswith(".")
    for word in ("circular_share", "conditional_weight", "min(I_g, P_g)", "Skipped", "Score"):
        assert word in rest


@pytest.mark.parametrize(
    "options",
    [
        {"conditional_wieght": 0.5},  # unknown key (a typo)
        {"conditional_weight": 1.5},
        {"conditional_weight": -0.1},
        {"conditional_weight": float("nan")},
        {"points": [[0, 0]]},  # fewer than two points
        {"points": [[0, 0], [0.5, 120]]},  # score above 100
        {"points": [[0, 0], [0, 50]]},  # same value twice
    ],
)
def test_config_validation(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CircularFinancing.Config.model_validate(options)
    with pytest.raises(ValidationError):
        context_for(portfolio(commitments=[deal("Oracle", "1B")]), CircularFinancing, **options)


# --- round trips ---------------------------------------------------------------------------------


def test_financing_from_a_non_vendor_is_no_round_trip() -> None:
    data = portfolio(
        commitments=[deal("Oracle", "100B", term_years=5)],
        financing=[fund("SoftBank", "40B")],
    )
    result = run(data)
    # SoftBank: I = 40B, P = 0 -> no pair; Oracle: P = 100B, I = 0 -> no pair.
    # vendor_funded_share = 0 (SoftBank is no vendor) / 40B = 0.
    assert_close(
        result.details,
        {
            "circular_share": 0.0,
            "round_trip_amount": 0.0,
            "vendor_funded_share": 0.0,
            "pairs": [],
            "total_value": 100 * B,
            "financing_inflow": 40 * B,
            "vendor_inflow": 0.0,
        },
    )
    assert result.score == 0.0
    assert result.value == 0.0
    assert result.unit == "share"
    assert result.warnings == []
    assert result.summary == (
        "No investor is also paid under a commitment, so none of the $100.0B still to pay flows "
        "back to an investor."
    )


def test_vendor_investing_more_than_it_is_paid() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "50B", kind="chips"), deal("Oracle", "50B")],
        financing=[fund("NVIDIA", "80B")],
    )
    result = run(data)
    # NVIDIA: I = 80B, P = 50B -> round trip min(80, 50) = 50B; total 50 + 50 = 100B.
    # circular_share = 50 / 100 = 0.5 -> score 100 (the last point); vendor-funded 80 / 80 = 1.
    assert_close(
        result.details,
        {
            "circular_share": 0.5,
            "round_trip_amount": 50 * B,
            "vendor_funded_share": 1.0,
            "pairs": [pair("NVIDIA", 80 * B, 50 * B, 50 * B)],
            "total_value": 100 * B,
            "financing_inflow": 80 * B,
            "vendor_inflow": 80 * B,
        },
    )
    # RT 50 of a pool of 50 + 100: 1/3 -> 80 + 20 * (1/3 - 0.30) / 0.20 = 83.33
    assert result.value == pytest.approx(1 / 3, rel=1e-12)
    assert result.score == pytest.approx(80 + 100 * (1 / 3 - 0.3), rel=1e-9)
    assert result.details["circular_share"] == 0.5
    assert result.summary == (
        "50.0% of the $100.0B still to pay ($50.0B) goes back to vendors that finance the "
        "company, up to what each put in; that is 33.3% of the money that could pay, with the "
        "company's own means of $100.0B; the largest loop is NVIDIA ($50.0B)."
    )


def test_vendor_investing_less_than_it_is_paid() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "50B", kind="chips"), deal("Oracle", "50B")],
        financing=[fund("NVIDIA", "10B"), fund("SoftBank", "30B")],
    )
    result = run(data)
    # NVIDIA: I = 10B, P = 50B -> round trip 10B; SoftBank pays in 30B but is paid nothing.
    # circular_share = 10 / 100 = 0.1 -> score 25 + (55 - 25) * (0.1 - 0.05) / (0.15 - 0.05) = 40.
    # vendor_funded_share = 10 / (10 + 30) = 0.25.
    assert_close(
        result.details,
        {
            "circular_share": 0.1,
            "round_trip_amount": 10 * B,
            "vendor_funded_share": 0.25,
            "pairs": [pair("NVIDIA", 10 * B, 50 * B, 10 * B)],
            "total_value": 100 * B,
            "financing_inflow": 40 * B,
            "vendor_inflow": 10 * B,
        },
    )
    # RT 10 of 10 + 100: 1/11 -> 25 + 30 * (1/11 - 0.05) / 0.10 = 37.27
    assert result.value == pytest.approx(1 / 11, rel=1e-12)
    assert result.score == pytest.approx(25 + 300 * (1 / 11 - 0.05), rel=1e-9)


def test_pairs_largest_round_trip_first_ties_by_name() -> None:
    data = portfolio(
        commitments=[
            deal("NVIDIA", "30B", kind="chips"),
            deal("AMD", "30B", kind="chips"),
            deal("Microsoft", "100B"),
            deal("Broadcom", "40B", kind="chips"),
        ],
        financing=[
            fund("NVIDIA", "10B"),
            fund("AMD", "10B", kind="warrants"),
            fund("Microsoft", "20B"),
            fund("Broadcom", 0),  # a zero inflow makes no pair
        ],
    )
    result = run(data)
    # Round trips: Microsoft min(20, 100) = 20; AMD min(10, 30) = 10; NVIDIA min(10, 30) = 10.
    # Order: 20 first, then the tie AMD < NVIDIA by name. Sum 40B of 30+30+100+40 = 200B.
    # circular_share = 0.2 -> 55 + (80 - 55) * (0.2 - 0.15) / (0.30 - 0.15) = 55 + 25/3.
    assert_close(
        result.details,
        {
            "circular_share": 0.2,
            "round_trip_amount": 40 * B,
            "vendor_funded_share": 1.0,
            "pairs": [
                pair("Microsoft", 20 * B, 100 * B, 20 * B),
                pair("AMD", 10 * B, 30 * B, 10 * B),
                pair("NVIDIA", 10 * B, 30 * B, 10 * B),
            ],
            "total_value": 200 * B,
            "financing_inflow": 40 * B,
            "vendor_inflow": 40 * B,
        },
    )
    # RT 40 of 40 + 100: 2/7 -> 55 + 25 * (2/7 - 0.15) / 0.15 = 77.62
    assert result.score == pytest.approx(55 + 25 * (2 / 7 - 0.15) / 0.15, rel=1e-9)
    assert result.summary.endswith("the largest loop is Microsoft ($20.0B).")


def test_aliases_merge_investor_and_vendor() -> None:
    data = portfolio(
        counterparties={"Amazon": {"aliases": ["AWS"]}},
        commitments=[deal("AWS", "38B", term_years=7), deal("Oracle", "62B")],
        financing=[fund("Amazon", "8B"), fund("  aws ", "2B")],  # case and spaces do not matter
    )
    result = run(data)
    # Group Amazon: I = 8 + 2 = 10B, P = 38B (AWS) -> round trip 10B of 38 + 62 = 100B -> 0.1.
    assert_close(
        result.details,
        {
            "circular_share": 0.1,
            "round_trip_amount": 10 * B,
            "vendor_funded_share": 1.0,
            "pairs": [pair("Amazon", 10 * B, 38 * B, 10 * B)],
        },
    )
    # RT 10 of 10 + 100: 1/11, as in test_vendor_investing_less_than_it_is_paid
    assert result.score == pytest.approx(25 + 300 * (1 / 11 - 0.05), rel=1e-9)


def test_undeclared_spellings_of_one_name_merge() -> None:
    data = portfolio(
        commitments=[deal("Nvidia", "50B", kind="chips"), deal("Oracle", "50B")],
        financing=[fund("NVIDIA", "20B")],
    )
    # Nvidia and NVIDIA are one group, spelled as the alphabetically first ("NVIDIA" < "Nvidia").
    # Round trip min(20, 50) = 20B of 100B.
    assert_close(
        run(data).details,
        {"circular_share": 0.2, "pairs": [pair("NVIDIA", 20 * B, 50 * B, 20 * B)]},
    )


CONDITIONAL = portfolio(
    commitments=[deal("NVIDIA", "100B", kind="chips", term_years=4), deal("Oracle", "100B")],
    financing=[
        fund("NVIDIA", "100B", conditional=True),
        fund("NVIDIA", "10B"),
        fund("SoftBank", "20B", conditional=True),
    ],
)


def test_conditional_rows_at_half_weight() -> None:
    result = run(CONDITIONAL, conditional_weight=0.5)
    # NVIDIA: I = 10 + 0.5 * 100 = 60B, P = 100B -> round trip 60B; SoftBank I = 0.5 * 20 = 10B.
    # circular_share = 60 / 200 = 0.3 -> score 80; vendor-funded 60 / (60 + 10) = 6/7.
    assert_close(
        result.details,
        {
            "circular_share": 0.3,
            "round_trip_amount": 60 * B,
            "vendor_funded_share": 6 / 7,
            "pairs": [pair("NVIDIA", 60 * B, 100 * B, 60 * B)],
            "total_value": 200 * B,
            "financing_inflow": 70 * B,
            "vendor_inflow": 60 * B,
        },
    )
    # RT 60 of 60 + 100: 0.375 -> 80 + 20 * (0.375 - 0.30) / 0.20 = 87.5
    assert result.score == pytest.approx(87.5, rel=1e-9)


def test_conditional_rows_at_default_full_weight() -> None:
    result = run(CONDITIONAL)
    # NVIDIA: I = 10 + 100 = 110B, P = 100B -> round trip capped at 100B; 100 / 200 = 0.5.
    # vendor-funded 110 / (110 + 20) = 11/13.
    assert_close(
        result.details,
        {
            "circular_share": 0.5,
            "round_trip_amount": 100 * B,
            "vendor_funded_share": 11 / 13,
            "pairs": [pair("NVIDIA", 110 * B, 100 * B, 100 * B)],
            "financing_inflow": 130 * B,
        },
    )
    assert result.score == 100.0


def test_conditional_rows_left_out_at_weight_zero() -> None:
    result = run(CONDITIONAL, conditional_weight=0)
    # Only NVIDIA's 10B counts: 10 / 200 = 0.05 -> score 25; vendor-funded 10 / 10 = 1.
    assert_close(
        result.details,
        {
            "circular_share": 0.05,
            "round_trip_amount": 10 * B,
            "vendor_funded_share": 1.0,
            "pairs": [pair("NVIDIA", 10 * B, 100 * B, 10 * B)],
            "financing_inflow": 10 * B,
        },
    )
    # RT 10 of 10 + 100: 1/11
    assert result.score == pytest.approx(25 + 300 * (1 / 11 - 0.05), rel=1e-9)


def test_only_conditional_rows_at_weight_zero_leave_no_inflow() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "50B", kind="chips")],
        financing=[fund("NVIDIA", "100B", conditional=True)],
    )
    result = run(data, conditional_weight=0.0)
    # I = 0 * 100 = 0 -> no pair, and the share of inflow from vendors is undefined (0 / 0).
    assert_close(
        result.details,
        {
            "circular_share": 0.0,
            "round_trip_amount": 0.0,
            "vendor_funded_share": None,
            "pairs": [],
            "financing_inflow": 0.0,
            "vendor_inflow": 0.0,
        },
    )
    assert result.score == 0.0
    assert result.warnings == []
    assert "conditional_weight 0" in result.summary


def test_financing_and_commitment_in_another_currency() -> None:
    data = portfolio(
        fx={"EUR": 1.1},
        commitments=[
            deal("NVIDIA", "40B", kind="chips"),
            deal("NVIDIA", "10B", kind="cloud", currency="EUR"),  # 10 * 1.1 = 11B USD
            deal("Oracle", "49B"),
        ],
        financing=[fund("NVIDIA", "20B", currency="EUR")],  # 20 * 1.1 = 22B USD
    )
    result = run(data)
    # NVIDIA: I = 22B, P = 40 + 11 = 51B -> round trip 22B; total 40 + 11 + 49 = 100B -> 0.22.
    # score 55 + (80 - 55) * (0.22 - 0.15) / (0.30 - 0.15) = 55 + 35/3.
    assert_close(
        result.details,
        {
            "circular_share": 0.22,
            "round_trip_amount": 22 * B,
            "vendor_funded_share": 1.0,
            "pairs": [pair("NVIDIA", 22 * B, 51 * B, 22 * B)],
            "total_value": 100 * B,
        },
    )
    # RT 22 of 22 + 100: 11/61 -> 55 + 25 * (11/61 - 0.15) / 0.15 = 60.05
    assert result.score == pytest.approx(55 + 25 * (11 / 61 - 0.15) / 0.15, rel=1e-9)


def test_company_currency_is_used_in_the_summary() -> None:
    data = portfolio(
        company={"currency": "EUR"},
        fx={"USD": 0.5},
        commitments=[deal("NVIDIA", "100B", kind="chips", currency="USD"), deal("Oracle", "50B")],
        financing=[fund("NVIDIA", "10B")],
    )
    result = run(data)
    # NVIDIA: P = 100 * 0.5 = 50B EUR, I = 10B EUR; total 50 + 50 = 100B EUR -> 0.1.
    assert_close(result.details, {"circular_share": 0.1, "round_trip_amount": 10 * B})
    assert "€100.0B" in result.summary and "NVIDIA (€10.0B)" in result.summary


def test_no_financing_rows_scores_zero_with_a_warning() -> None:
    data = portfolio(commitments=[deal("NVIDIA", "50B", kind="chips"), deal("Oracle", "50B")])
    result = run(data)
    assert result.score == 0.0
    assert result.value == 0.0
    assert result.unit == "share"
    assert_close(
        result.details,
        {
            "circular_share": 0.0,
            "round_trip_amount": 0.0,
            "vendor_funded_share": None,
            "pairs": [],
            "total_value": 100 * B,
            "financing_inflow": 0.0,
            "vendor_inflow": 0.0,
        },
    )
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("the portfolio has no financing rows")
    assert "no financing rows" in result.warnings[0]
    assert "assumed absent" in result.warnings[0]
    assert "No financing rows" in result.summary
    # Score 0 even under points that give a share of 0 a higher score.
    assert run(data, points=[[0, 10], [1, 100]]).score == 0.0


def test_commitment_started_before_as_of_counts_only_what_remains() -> None:
    data = portfolio(
        commitments=[
            deal("NVIDIA", "24B", kind="chips", start="2024-01"),  # 24 months at 1B: 2025 left
            deal("Oracle", "12B", term_years=1),
        ],
        financing=[fund("NVIDIA", "20B")],
    )
    result = run(data)
    # NVIDIA's 2024 months are paid: P = 12 months * 1B = 12B; round trip min(20, 12) = 12B.
    # total 12 + 12 = 24B -> 0.5.
    assert_close(
        result.details,
        {
            "circular_share": 0.5,
            "round_trip_amount": 12 * B,
            "pairs": [pair("NVIDIA", 20 * B, 12 * B, 12 * B)],
            "total_value": 24 * B,
        },
    )


def test_mid_year_as_of() -> None:
    data = portfolio(
        company={"as_of": "2025-07-01"},
        commitments=[
            deal("NVIDIA", "24B", kind="chips"),  # 2025-01..2026-12 at 1B a month
            deal("Oracle", "24B", start="2025-07"),
        ],
        financing=[fund("NVIDIA", "21B")],
    )
    result = run(data)
    # NVIDIA remaining: 2025-07..2026-12 = 18 months * 1B = 18B; round trip min(21, 18) = 18B.
    # total 18 + 24 = 42B -> circular_share 18/42 = 3/7. The means from 2025-07: 5B of 2025
    # and 9 x 10B = 95B; headline 18 / (18 + 95) = 18/113 -> 55 + 25 * (18/113 - 0.15) / 0.15.
    assert_close(
        result.details,
        {
            "circular_share": 3 / 7,
            "round_trip_amount": 18 * B,
            "pairs": [pair("NVIDIA", 21 * B, 18 * B, 18 * B)],
            "total_value": 42 * B,
        },
    )
    assert result.details["means"] == pytest.approx(95 * B)
    assert result.score == pytest.approx(55 + 25 * (18 / 113 - 0.15) / 0.15, rel=1e-9)


def test_estimated_amount_from_capacity() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", None, kind="chips", capacity_gw=2), deal("Oracle", "30B")],
        financing=[fund("NVIDIA", "35B")],
    )
    result = run(data)
    # NVIDIA has no amount: 2 GW * 35B per GW (chips) = 70B; round trip min(35, 70) = 35B.
    # total 70 + 30 = 100B -> circular_share 0.35; headline 35 / 135 = 7/27
    # -> 55 + 25 * (7/27 - 0.15) / 0.15 = 73.21.
    assert_close(
        result.details,
        {
            "circular_share": 0.35,
            "round_trip_amount": 35 * B,
            "pairs": [pair("NVIDIA", 35 * B, 70 * B, 35 * B)],
            "total_value": 100 * B,
        },
    )
    assert result.score == pytest.approx(55 + 25 * (7 / 27 - 0.15) / 0.15, rel=1e-9)


def test_no_horizon_skips() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "10B", kind="chips", start="2020-01")],  # paid by 2021-12
        financing=[fund("NVIDIA", "5B")],
    )
    with pytest.raises(
        riskcore.SkipMetric, match=r"^nothing is left to pay after 2025-01-15: no horizon"
    ):
        run(data)


# --- scoring -------------------------------------------------------------------------------------


def test_score_clamps_above_the_last_point() -> None:
    data = portfolio(
        financials={"revenue": "2B"},  # means: 10 years of 2B = 20B
        commitments=[deal("NVIDIA", "80B", kind="chips"), deal("Oracle", "20B")],
        financing=[fund("NVIDIA", "80B")],
    )
    result = run(data)
    # RT 80 of 80 + 20 = 0.8, above the last point (0.50 -> 100).
    assert result.value == pytest.approx(0.8)
    assert result.details["circular_share"] == 0.8
    assert result.score == 100.0


def test_means_of_zero_or_less_leave_only_vendor_money() -> None:
    data = portfolio(
        financials={"operating_costs": "20B"},  # costs twice revenue: means -100B
        commitments=[deal("NVIDIA", "10B", kind="chips")],
        financing=[fund("NVIDIA", "1B")],
    )
    result = run(data)
    # RT 1 of 1 + max(0, -100): all of the money that could pay is the vendor's.
    assert result.details["means"] == pytest.approx(-100 * B)
    assert result.value == 1.0
    assert result.score == 100.0


def test_a_loan_from_a_vendor_is_its_money_coming_back() -> None:
    debt = {"lender": "NVIDIA", "amount": "5B", "rate": 0.1, "maturity": "2027-12"}
    data = portfolio(
        financials={"debt": [debt]},
        commitments=[deal("NVIDIA", "20B", kind="chips"), deal("Oracle", "20B")],
    )
    result = run(data)
    # The 5B loan is inflow from NVIDIA, paid 20B: RT 5; 5 / (5 + 100) = 1/21.
    assert result.details["vendor_debt"] == 5 * B
    assert result.details["pairs"] == [pair("NVIDIA", 5 * B, 20 * B, 5 * B)]
    assert result.value == pytest.approx(1 / 21)
    assert result.warnings == []  # a loan from a vendor is evidence enough
    # A lender that is no vendor is no round trip.
    data["financials"]["debt"] = [{**debt, "lender": "Bank"}]
    assert run(data).details["round_trip_amount"] == 0.0


def test_backstops_count_at_backstop_weight() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "20B", kind="chips")],
        financing=[fund("NVIDIA", "10B", kind="backstop", conditional=True)],
    )
    # 10B at 0.5 = 5B; at 1.0 all 10B; conditional_weight does not apply to a backstop.
    assert run(data).details["round_trip_amount"] == 5 * B
    assert run(data, backstop_weight=1.0).details["round_trip_amount"] == 10 * B
    assert run(data, conditional_weight=0.0).details["round_trip_amount"] == 5 * B


def test_score_clamps_below_the_first_point_and_interpolates_custom_points() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "50B", kind="chips"), deal("Oracle", "50B")],
        financing=[fund("NVIDIA", "5B")],
    )
    points = [[0.1, 10], [0.2, 30]]
    # 5 / 105 = 0.048, below the first point -> its score, 10.
    assert run(data, points=points).score == 10.0
    # 15 / 115 = 0.1304 -> 10 + (30 - 10) * (0.1304 - 0.1) / 0.1.
    data["financing"] = [fund("NVIDIA", "15B")]
    assert run(data, points=points).score == pytest.approx(10 + 200 * (15 / 115 - 0.1), rel=1e-9)


# --- determinism and purity ----------------------------------------------------------------------


def test_row_order_does_not_change_anything() -> None:
    commitments = [
        deal("NVIDIA", "0.1B", kind="chips"),
        deal("nvidia", "0.2B", kind="chips", start="2024-03", term_years=3),
        deal("AMD", "0.3B", kind="chips", profile="ramp", term_years=4),
        deal("Oracle", "0.7B", start="2026-01"),
        deal("AWS", "1.1B", term_years=7),
        deal("Microsoft", "0.3B"),
    ]
    financing = [
        fund("Nvidia", "0.1B"),
        fund("NVIDIA", "0.2B", conditional=True),
        fund("AMD", "0.1B"),
        fund("Amazon", "0.3B"),
        fund("SoftBank", "0.7B"),
        fund("Microsoft", "0.1B", currency="EUR"),
        fund("microsoft", "0.2B"),
    ]
    base = portfolio(
        counterparties={"Amazon": {"aliases": ["AWS"]}},
        fx={"EUR": 1.1},
        commitments=commitments,
        financing=financing,
    )
    expected = run(base, conditional_weight=0.3).model_dump()
    assert expected["details"]["pairs"][0]["counterparty"] == "Amazon"  # tie with Microsoft
    rng = random.Random(20251103)
    for _ in range(20):
        shuffled = portfolio(
            counterparties={"Amazon": {"aliases": ["AWS"]}},
            fx={"EUR": 1.1},
            commitments=rng.sample(commitments, len(commitments)),
            financing=rng.sample(financing, len(financing)),
        )
        assert run(shuffled, conditional_weight=0.3).model_dump() == expected


def test_pure_json_ready_and_repeatable() -> None:
    data = portfolio(
        commitments=[deal("NVIDIA", "50B", kind="chips"), deal("Oracle", "50B")],
        financing=[fund("NVIDIA", "10B", conditional=True)],
    )
    p, ctx = context_for(data, CircularFinancing, conditional_weight=0.5)
    before = p.model_dump()
    metric = CircularFinancing()
    first = metric.score(p, ctx)
    assert metric.score(p, ctx) == first
    assert p.model_dump() == before
    assert vars(metric) == {}
    assert json.loads(json.dumps(first.details)) == first.details
