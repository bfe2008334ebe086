"""idle_capacity: every detail worked out by hand from small literal portfolios.

Unless a test says otherwise, as_of is 2025-01-15 (conftest BASE) and revenue does not grow.
revenue_per_gw is the default 8B, so revenue R supports S = R / 8B GW: 16B -> 2 GW, 80B -> 10 GW.
Online capacity in month k of a term is gw * min(1, k / (12 * ramp_years)).
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from pydantic import ValidationError

import riskcore
from conftest import assert_close, context_for, portfolio
from riskcore_plugins.idle_capacity import IdleCapacity

B = 1e9


def cap(
    counterparty: str, gw: float | None, amount: Any, *, kind: str = "chips", **extra: Any
) -> dict[str, Any]:
    """A flat commitment from 2025-01 over two years unless `extra` says otherwise."""
    row: dict[str, Any] = {
        "counterparty": counterparty,
        "kind": kind,
        "amount": amount,
        "start": "2025-01",
        "term_years": 2,
        "capacity_gw": gw,
    }
    row.update(extra)
    return {k: v for k, v in row.items() if v is not None}


def run(
    data: dict[str, Any], config: dict[str, Any] | None = None, **options: Any
) -> riskcore.MetricResult:
    p, ctx = context_for(data, IdleCapacity, config, **options)
    return IdleCapacity().score(p, ctx)


def year(
    y: int,
    contracted: float,
    supportable: float,
    idle: float,
    obligations: float,
    source: str = "revenue",
) -> dict[str, Any]:
    return {
        "year": y,
        "contracted_gw": contracted,
        "supportable_gw": supportable,
        "supportable_from": source,
        "idle_share": idle,
        "obligations": obligations,
        "stranded": idle * obligations,
    }


# --- the metric's identity and plugin contract ------------------------------------------------


def test_class_attributes_and_method() -> None:
    assert IdleCapacity.name == "idle_capacity"
    assert IdleCapacity.title == "Idle capacity"
    assert IdleCapacity.default_weight == 0.20
    method = IdleCapacity.method()
    first, _, rest = method.partition("\n")
    assert first and first.endswith(".")
    for word in ("stranded_share", "ramp_years", "revenue_per_gw", "demand_gw", "Skipped", "Score"):
        assert word in rest


def test_config_reads_money_text() -> None:
    assert IdleCapacity.Config.model_validate({"revenue_per_gw": "$12.5B"}).revenue_per_gw == 12.5e9


@pytest.mark.parametrize(
    "options",
    [
        {"ramp_year": 1},  # unknown key (a typo)
        {"ramp_years": -1},
        {"ramp_years": float("inf")},
        {"revenue_per_gw": 0},
        {"revenue_per_gw": "-8B"},
        {"revenue_per_gw": "eight billion"},
        {"points": [[0, 0]]},
        {"points": [[0, -5], [1, 100]]},
    ],
)
def test_config_validation(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        IdleCapacity.Config.model_validate(options)
    with pytest.raises(ValidationError):
        context_for(portfolio(commitments=[cap("NVIDIA", 1, "10B")]), IdleCapacity, **options)


# --- contracted and supportable capacity ---------------------------------------------------------

# 4 GW for 48B over 2025-2026 (24B a year); revenue 16B -> 2 GW usable.
FOUR_GW = portfolio(
    financials={"revenue": "16B"},
    commitments=[cap("NVIDIA", 4, "48B")],
)


def test_ramp_years_zero_puts_all_capacity_online_at_once() -> None:
    result = run(FOUR_GW, ramp_years=0)
    # C = 4 GW in both years; idle = 1 - 2/4 = 0.5; K = 24B a year.
    # stranded = 0.5 * 24 + 0.5 * 24 = 24B of 48B -> 0.5 -> score 80.
    # Peak 0.5 in 2025 and 2026: the earliest year wins.
    assert_close(
        result.details,
        {
            "stranded_share": 0.5,
            "stranded_value": 24 * B,
            "capacity_obligations": 48 * B,
            "peak_idle_share": 0.5,
            "peak_idle_year": 2025,
            "contracted_gw_peak": 4.0,
            "capacity_coverage": 1.0,
            "by_year": [year(2025, 4.0, 2.0, 0.5, 24 * B), year(2026, 4.0, 2.0, 0.5, 24 * B)],
        },
    )
    assert result.score == pytest.approx(80.0, rel=1e-9)
    assert result.value == 0.5
    assert result.unit == "share"
    assert result.warnings == []
    assert result.summary == (
        "50.0% of the $48.0B due in 2025-2026 on commitments that state capacity ($24.0B) pays "
        "for capacity beyond what projected revenue (at $8.0B per GW-year) can use; the worst "
        "year is 2025, 50.0% idle (4.0 GW contracted, 2.0 GW usable)."
    )


def test_revenue_growth_shrinks_idle_capacity() -> None:
    data = portfolio(
        financials={"revenue": "16B", "revenue_growth": 1.0}, commitments=FOUR_GW["commitments"]
    )
    result = run(data, ramp_years=0)
    # 2025: S = 16/8 = 2 -> idle 0.5; 2026: R = 32B, S = 4 -> idle 1 - 4/4 = 0.
    # stranded = 0.5 * 24 = 12B of 48B -> 0.25 -> score 50.
    assert_close(
        result.details,
        {
            "stranded_share": 0.25,
            "stranded_value": 12 * B,
            "peak_idle_share": 0.5,
            "peak_idle_year": 2025,
            "by_year": [year(2025, 4.0, 2.0, 0.5, 24 * B), year(2026, 4.0, 4.0, 0.0, 24 * B)],
        },
    )
    assert result.score == pytest.approx(50.0, rel=1e-9)


def test_ramp_across_a_year_boundary() -> None:
    data = portfolio(
        financials={"revenue": "80B"},  # S = 10 GW every year
        commitments=[cap("Oracle", 24, "36B", kind="cloud", start="2025-07", term_years=3)],
    )
    result = run(data)  # default ramp_years 2: month k has 24 * min(1, k/24) = min(k, 24) GW
    # Term 2025-07..2028-06 (36 months, 1B a month).
    # 2025: Jul-Dec k = 1..6:            (1 + ... + 6) / 12           = 21/12  = 1.75 GW
    # 2026: k = 7..18:                   (7 + ... + 18) / 12          = 150/12 = 12.5 GW
    # 2027: k = 19..24, then 24 x 6:     (129 + 144) / 12             = 273/12 = 22.75 GW
    # 2028: Jan-Jun k = 31..36 at 24:    144 / 12                     = 12 GW (0 after June)
    # idle: 2025 0 (1.75 < 10); 2026 1 - 10/12.5 = 0.2; 2027 1 - 10/22.75 = 51/91; 2028 1/6.
    # K: 6B, 12B, 12B, 6B = 36B.
    # stranded = 0.2 * 12 + 51/91 * 12 + 1/6 * 6 = 3.4 + 612/91 (B)
    stranded = (3.4 + 612 / 91) * B
    share = stranded / (36 * B)
    assert_close(
        result.details,
        {
            "stranded_share": share,
            "stranded_value": stranded,
            "capacity_obligations": 36 * B,
            "peak_idle_share": 51 / 91,
            "peak_idle_year": 2027,
            "contracted_gw_peak": 22.75,
            "capacity_coverage": 1.0,
            "by_year": [
                year(2025, 1.75, 10.0, 0.0, 6 * B),
                year(2026, 12.5, 10.0, 0.2, 12 * B),
                year(2027, 22.75, 10.0, 51 / 91, 12 * B),
                year(2028, 12.0, 10.0, 1 / 6, 6 * B),
            ],
        },
    )
    # share = 0.28126 -> 50 + (80 - 50) * (share - 0.25) / (0.50 - 0.25)
    assert result.details["unscaled_score"] == pytest.approx(50 + 120 * (share - 0.25), rel=1e-9)
    # Materiality: revenue 80B a year against 6, 12, 12 and 6B due; the means cover is at its
    # lowest through 2027, 240 / 30 = 8x, so materiality = log(10 / 8) / log(10) = 0.09691.
    assert result.details["materiality"] == pytest.approx(math.log10(10 / 8), rel=1e-12)
    assert result.score == pytest.approx((50 + 120 * (share - 0.25)) * math.log10(10 / 8), rel=1e-9)


def test_ramp_of_one_year() -> None:
    data = portfolio(
        financials={"revenue": "80B"},
        commitments=[cap("Oracle", 24, "36B", kind="cloud", start="2025-07", term_years=3)],
    )
    result = run(data, ramp_years=1)  # month k has 24 * min(1, k/12) = 2k GW up to k = 12
    # 2025: k = 1..6 -> 2 * 21 / 12 = 3.5; 2026: k = 7..12 -> 2 * 57 = 114, then 24 * 6 = 144
    # -> 258/12 = 21.5; 2027: 24; 2028 (Jan-Jun): 144/12 = 12.
    # idle: 0; 1 - 10/21.5 = 23/43; 1 - 10/24 = 7/12; 1/6.
    # stranded = 23/43 * 12 + 7/12 * 12 + 1/6 * 6 = 276/43 + 8 (B)
    stranded = (276 / 43 + 8) * B
    assert_close(
        result.details,
        {
            "stranded_value": stranded,
            "stranded_share": stranded / (36 * B),
            "peak_idle_share": 7 / 12,
            "peak_idle_year": 2027,
            "contracted_gw_peak": 24.0,
            "by_year": [
                year(2025, 3.5, 10.0, 0.0, 6 * B),
                year(2026, 21.5, 10.0, 23 / 43, 12 * B),
                year(2027, 24.0, 10.0, 7 / 12, 12 * B),
                year(2028, 12.0, 10.0, 1 / 6, 6 * B),
            ],
        },
    )


def test_commitment_started_before_a_mid_year_as_of() -> None:
    data = portfolio(
        company={"as_of": "2025-07-15"},
        financials={"revenue": "80B"},  # S = 10 GW
        commitments=[cap("NVIDIA", 24, "24B")],  # 2025-01..2026-12, 1B a month
    )
    result = run(data)
    # Counted months of 2025: Jul-Dec (6). Ramp runs from the start month: Jul is k = 7.
    # 2025: k = 7..12 -> 57 / 6 = 9.5 GW; 2026: k = 13..24 -> 222 / 12 = 18.5 GW.
    # idle: 2025 max(0, 1 - 10/9.5) = 0; 2026 1 - 10/18.5 = 17/37.
    # K: 2025 6B (Jan-Jun are paid), 2026 12B -> 18B.
    # stranded = 17/37 * 12 = 204/37 B; share = 204/37 / 18 = 34/111.
    # score = 50 + 30 * (34/111 - 1/4) / (1/4) = 50 + 3000/444
    assert_close(
        result.details,
        {
            "stranded_share": 34 / 111,
            "stranded_value": 204 / 37 * B,
            "capacity_obligations": 18 * B,
            "peak_idle_share": 17 / 37,
            "peak_idle_year": 2026,
            "contracted_gw_peak": 18.5,
            "capacity_coverage": 1.0,
            "by_year": [year(2025, 9.5, 10.0, 0.0, 6 * B), year(2026, 18.5, 10.0, 17 / 37, 12 * B)],
        },
    )
    assert result.details["unscaled_score"] == pytest.approx(50 + 3000 / 444, rel=1e-9)
    # Means cover: 2025 counts 6 months of 80B against 6B (40 / 6), and 2026 adds 80B against
    # 12B (120 / 18): 6.667x both, so materiality = log(10 / 6.667) / log(10) = log10(1.5).
    assert result.score == pytest.approx((50 + 3000 / 444) * math.log10(1.5), rel=1e-9)


def test_demand_gw_overrides_revenue_where_given() -> None:
    data = portfolio(
        financials={"revenue": "16B", "demand_gw": {2025: 3, 2027: 100}},
        commitments=FOUR_GW["commitments"],
    )
    result = run(data, ramp_years=0)
    # 2025: S = demand 3 -> idle 1 - 3/4 = 0.25; 2026: no demand given, S = 16/8 = 2 -> 0.5.
    # (2027 is outside the horizon.) stranded = 0.25 * 24 + 0.5 * 24 = 18B of 48B -> 0.375.
    # score = 50 + 30 * (0.375 - 0.25) / 0.25 = 65.
    assert_close(
        result.details,
        {
            "stranded_share": 0.375,
            "stranded_value": 18 * B,
            "peak_idle_share": 0.5,
            "peak_idle_year": 2026,
            "by_year": [
                year(2025, 4.0, 3.0, 0.25, 24 * B, "demand_gw"),
                year(2026, 4.0, 2.0, 0.5, 24 * B, "revenue"),
            ],
        },
    )
    assert result.score == pytest.approx(65.0, rel=1e-9)
    assert "beyond what stated demand or projected revenue (at $8.0B per GW-year) can use" in (
        result.summary
    )


def test_zero_demand_idles_everything_and_clamps_the_score() -> None:
    data = portfolio(
        financials={"revenue": "16B", "demand_gw": {2025: 0, 2026: 0}},
        commitments=FOUR_GW["commitments"],
    )
    result = run(data, ramp_years=0)
    # S = 0 -> idle 1 - 0/4 = 1 in both years; stranded 48B of 48B -> 1.0, above 0.75 -> 100.
    assert_close(
        result.details,
        {"stranded_share": 1.0, "stranded_value": 48 * B, "peak_idle_share": 1.0},
    )
    assert result.score == 100.0
    assert "beyond what stated demand can use" in result.summary


def test_revenue_per_gw_and_no_idle_capacity() -> None:
    result = run(FOUR_GW, ramp_years=0, revenue_per_gw="4B")
    # S = 16 / 4 = 4 GW = C -> idle 0 every year; the peak year is the first with capacity.
    assert_close(
        result.details,
        {
            "stranded_share": 0.0,
            "stranded_value": 0.0,
            "peak_idle_share": 0.0,
            "peak_idle_year": 2025,
            "by_year": [year(2025, 4.0, 4.0, 0.0, 24 * B), year(2026, 4.0, 4.0, 0.0, 24 * B)],
        },
    )
    assert result.score == 0.0
    assert result.summary == (
        "Projected revenue (at $4.0B per GW-year) can use all contracted capacity in every year "
        "of 2025-2026: none of the $48.0B due on commitments that state capacity is stranded."
    )


def test_year_with_zero_obligations_strands_nothing() -> None:
    data = portfolio(
        financials={"revenue": "16B", "revenue_forecast": {2026: 0, 2027: "16B"}},
        commitments=[
            {
                "counterparty": "Oracle",
                "kind": "cloud",
                "profile": "explicit",
                "schedule": {2025: "12B", 2026: 0, 2027: "12B"},  # term 2025-01..2027-12
                "capacity_gw": 4,
            }
        ],
    )
    result = run(data, ramp_years=0)
    # C = 4 GW in every year. S: 2, 0 (no revenue in 2026), 2 -> idle 0.5, 1, 0.5.
    # K: 12B, 0, 12B. stranded = 0.5 * 12 + 1 * 0 + 0.5 * 12 = 12B of 24B -> 0.5.
    # 2026 is the peak: its capacity is all idle, though nothing is paid for it that year.
    assert_close(
        result.details,
        {
            "stranded_share": 0.5,
            "stranded_value": 12 * B,
            "capacity_obligations": 24 * B,
            "peak_idle_share": 1.0,
            "peak_idle_year": 2026,
            "by_year": [
                year(2025, 4.0, 2.0, 0.5, 12 * B),
                year(2026, 4.0, 0.0, 1.0, 0.0),
                year(2027, 4.0, 2.0, 0.5, 12 * B),
            ],
        },
    )


def test_commitments_without_capacity_are_left_out() -> None:
    data = portfolio(
        financials={"revenue": "16B"},
        commitments=[
            cap("NVIDIA", 4, "24B", term_years=1),  # 2025 only
            cap("Oracle", None, "24B", kind="cloud"),  # no capacity: 12B in 2025 and 2026
            cap("CoreWeave", 0, "12B", kind="cloud"),  # capacity 0 counts as none
        ],
    )
    result = run(data, ramp_years=0)
    # Horizon 2025-2026. C: 4 in 2025, 0 in 2026 (idle 0 by definition). S = 2.
    # K (NVIDIA only): 24B, 0. stranded = 0.5 * 24 = 12B -> 0.5.
    # capacity_coverage = 24 / (24 + 24 + 12) = 0.4.
    assert_close(
        result.details,
        {
            "stranded_share": 0.5,
            "stranded_value": 12 * B,
            "capacity_obligations": 24 * B,
            "peak_idle_share": 0.5,
            "peak_idle_year": 2025,
            "contracted_gw_peak": 4.0,
            "capacity_coverage": 0.4,
            "by_year": [year(2025, 4.0, 2.0, 0.5, 24 * B), year(2026, 0.0, 2.0, 0.0, 0.0)],
        },
    )


def test_estimated_amount_from_capacity() -> None:
    data = portfolio(
        financials={"revenue": "8B"},  # S = 1 GW
        commitments=[cap("NVIDIA", 2, None)],  # no amount: 2 GW * 35B = 70B, 35B a year
    )
    result = run(data, ramp_years=0)
    # C = 2, S = 1 -> idle 0.5 each year; stranded = 0.5 * 70 = 35B of 70B -> 0.5.
    assert_close(
        result.details,
        {
            "stranded_share": 0.5,
            "stranded_value": 35 * B,
            "capacity_obligations": 70 * B,
            "by_year": [year(2025, 2.0, 1.0, 0.5, 35 * B), year(2026, 2.0, 1.0, 0.5, 35 * B)],
        },
    )


def test_capacity_commitments_in_another_currency() -> None:
    data = portfolio(
        financials={"revenue": "16B"},
        fx={"EUR": 1.5},
        commitments=[cap("NVIDIA", 4, "32B", currency="EUR")],  # 48B USD, 24B a year
    )
    result = run(data, ramp_years=0)
    assert_close(result.details, {"stranded_value": 24 * B, "capacity_obligations": 48 * B})


# --- skips ---------------------------------------------------------------------------------------


def test_no_capacity_data_skips() -> None:
    data = portfolio(
        commitments=[cap("Oracle", None, "10B", kind="cloud"), cap("AWS", 0, "5B", kind="cloud")]
    )
    with pytest.raises(riskcore.SkipMetric, match="no commitment states capacity_gw"):
        run(data)


def test_capacity_with_nothing_due_skips() -> None:
    data = portfolio(commitments=[cap("NVIDIA", 4, 0), cap("Oracle", None, "10B", kind="cloud")])
    # NVIDIA's amount is 0: nothing is due on capacity in 2025-2026.
    with pytest.raises(riskcore.SkipMetric, match="have nothing due in 2025-2026"):
        run(data)


def test_capacity_beyond_the_horizon_skips() -> None:
    data = portfolio(
        commitments=[
            cap("NVIDIA", 4, "24B", start="2026-01"),
            cap("Oracle", None, "12B", kind="cloud", term_years=1),
        ]
    )
    # horizon_years 1: the horizon is 2025 alone, and NVIDIA owes nothing before 2026.
    with pytest.raises(riskcore.SkipMetric, match=r"have nothing due in 2025$"):
        run(data, {"engine": {"horizon_years": 1}})


def test_no_horizon_skips() -> None:
    data = portfolio(commitments=[cap("NVIDIA", 4, "24B", start="2020-01")])  # paid by 2021-12
    with pytest.raises(
        riskcore.SkipMetric, match=r"^nothing is left to pay after 2025-01-15: no horizon"
    ):
        run(data)


# --- scoring -------------------------------------------------------------------------------------


def test_score_clamps_below_the_first_custom_point() -> None:
    # stranded_share 0.5 (see test_ramp_years_zero...) is below the first point 0.6 -> 10.
    assert run(FOUR_GW, ramp_years=0, points=[[0.6, 10], [0.9, 90]]).score == 10.0
    # ... and between two custom points it interpolates: 0.5 -> 0 + 100 * 0.5 = 50.
    assert run(FOUR_GW, ramp_years=0, points=[[0, 0], [1, 100]]).score == pytest.approx(50.0)


# --- determinism and purity ----------------------------------------------------------------------


def test_row_order_does_not_change_anything() -> None:
    commitments = [
        cap("NVIDIA", 1.3, "7.7B", start="2024-05", term_years=3.5),
        cap("AMD", 0.7, None, start="2025-09", profile="ramp", term_years=4),
        cap("Oracle", 2.9, None, kind="cloud", start="2026-02", term_years=5),
        cap("Broadcom", 0.1, "3.3B", start="2025-03", end="2026-11", term_years=None),
        cap("AWS", None, "1.1B", kind="cloud", term_years=7),
        cap("CoreWeave", 0.3, "0.9B", kind="cloud", start="2025-06", term_years=1.5),
    ]
    financials = {"revenue": "9.7B", "revenue_growth": 0.37, "demand_gw": {2027: 2.2}}

    def make(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return portfolio(company={"as_of": "2025-04-20"}, financials=financials, commitments=rows)

    expected = run(make(commitments), ramp_years=1.25).model_dump()
    assert expected["details"]["stranded_share"] > 0
    rng = random.Random(20251103)
    for _ in range(20):
        shuffled = make(rng.sample(commitments, len(commitments)))
        assert run(shuffled, ramp_years=1.25).model_dump() == expected


def test_pure_json_ready_and_repeatable() -> None:
    p, ctx = context_for(FOUR_GW, IdleCapacity)
    before = p.model_dump()
    metric = IdleCapacity()
    first = metric.score(p, ctx)
    assert metric.score(p, ctx) == first
    assert p.model_dump() == before
    assert vars(metric) == {}
    assert json.loads(json.dumps(first.details)) == first.details


# --- capacity in units and leases ----------------------------------------------------------------


def desks(units: float, amount: str, **extra: Any) -> dict[str, Any]:
    row = cap("Landlords", None, amount, kind="lease", capacity_units=units, **extra)
    return row


def test_capacity_units_are_measured_against_revenue_per_unit() -> None:
    # 100,000 desks on a 2-year lease of 24B, at once (ramp 0); revenue 10B at 200k a desk-year
    # supports 50,000: half idle both years, half of the 24B stranded.
    data = portfolio(commitments=[desks(100_000, "24B")])
    result = run(data, ramp_years=0, revenue_per_unit="200k")
    assert result.details["stranded_share"] == pytest.approx(0.5)
    assert result.details["contracted_units_peak"] == pytest.approx(100_000)
    assert result.details["by_year"] == []
    assert result.details["by_year_units"][0] == {
        "year": 2025,
        "contracted_units": pytest.approx(100_000),
        "supportable_units": pytest.approx(50_000),
        "supportable_from": "revenue",
        "idle_share": pytest.approx(0.5),
        "obligations": pytest.approx(12 * B),
        "stranded": pytest.approx(6 * B),
    }
    assert "(100,000 units contracted, 50,000 units usable)" in result.summary
    assert "per GW-year" not in result.summary  # the GW rate says nothing of desks


def test_capacity_units_without_revenue_per_unit_are_skipped_with_the_reason() -> None:
    data = portfolio(commitments=[desks(100_000, "24B")])
    with pytest.raises(riskcore.SkipMetric, match="capacity_units need revenue_per_unit"):
        run(data)
    # beside a GW row the GW row is measured and the desks are named in a warning
    both = portfolio(commitments=[desks(100_000, "24B"), cap("NVIDIA", 1, "8B")])
    result = run(both)
    assert result.warnings == [
        "1 commitment(s) state capacity_units but [metrics.idle_capacity] sets no "
        "revenue_per_unit: their capacity is not measured"
    ]


def test_gw_and_units_add_their_stranded_values() -> None:
    # GW: 4 GW of chips (48B over 2025-2026) against 10B / 8B = 1.25 GW: idle 1 - 1.25/4 =
    # 0.6875 of 24B a year. Units: the desks of the first test, 0.5 of 12B a year.
    # stranded = 2 * (0.6875 * 24 + 0.5 * 12) = 45; owed = 72: 0.625.
    data = portfolio(commitments=[desks(100_000, "24B"), cap("NVIDIA", 4, "48B")])
    result = run(data, ramp_years=0, revenue_per_unit="200k")
    assert result.details["stranded_value"] == pytest.approx(45 * B)
    assert result.details["stranded_share"] == pytest.approx(0.625)


def test_a_lease_with_gw_is_valued_at_the_lessee_rate() -> None:
    # kind lease, 2 GW and no amount: 2 x 13.5B (engine.cost_per_gw.lease) = 27B.
    data = portfolio(commitments=[cap("Landlord", 2, None, kind="lease")])
    p, ctx = context_for(data, IdleCapacity)
    assert ctx.value(p.commitments[0]) == pytest.approx(27 * B)
