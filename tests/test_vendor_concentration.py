"""Vendor concentration, worked by hand on small portfolios.

Unless a test says otherwise the portfolio is conftest's BASE (as_of 2025-01-15, USD) and every
commitment is a flat cloud deal starting 2025-01 for one year. Amounts in comments are billions.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from pydantic import ValidationError

import riskcore
from conftest import context_for, portfolio
from riskcore_plugins.vendor_concentration import VendorConcentration

B = 1e9


def deal(
    counterparty: str,
    amount: str | None,
    start: str | int = "2025-01",
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


def run(data: dict[str, Any], **options: Any) -> riskcore.MetricResult:
    p, ctx = context_for(data, VendorConcentration, **options)
    return VendorConcentration().score(p, ctx)


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9)


# --- the metric's identity --------------------------------------------------------------------


def test_identity_and_method() -> None:
    assert issubclass(VendorConcentration, riskcore.Metric)
    assert VendorConcentration.name == "vendor_concentration"
    assert VendorConcentration.title == "Vendor concentration"
    assert VendorConcentration.default_weight == 0.20
    method = VendorConcentration.method()
    assert method.splitlines()[0].endswith("?")
    for word in ("hhi", "effective_vendors", "by_kind", "Score", "Skipped"):
        assert word in method


# --- hand-worked portfolios -------------------------------------------------------------------


def test_single_vendor() -> None:
    # One group owns everything: s = 1, HHI = 10000 * 1^2.
    result = run(portfolio(commitments=[deal("Amazon", "10B")]))
    assert result.details == {
        "hhi": 10000.0,
        "top1": "Amazon",
        "top1_share": 1.0,
        "top3_share": 1.0,
        "effective_vendors": 1.0,
        "vendors": 1,
        "shares": {"Amazon": 1.0},
        "by_kind": 10000.0,
        "total_value": 10 * B,
        "unscaled_score": 100.0,
        # revenue 10B pays exactly the 10B due: a means cover of 1, fully material
        "materiality": 1.0,
    }
    assert result.value == 10000.0
    assert result.unit == "HHI"
    assert result.score == 100.0  # the last point
    assert result.summary == (
        "Amazon is owed 100% of the $10.0B left to pay across 1 counterparty group "
        "(HHI 10,000, as concentrated as 1.0 equal vendors)."
    )
    assert result.warnings == []


def test_equal_vendors() -> None:
    # Four groups of 10: s = 0.25 each, HHI = 10000 * 4 * 0.0625 = 2500, 1 / 0.25 = 4 vendors.
    # Kinds: cloud 20, chips 20: by_kind = 10000 * (0.25 + 0.25) = 5000.
    rows = [
        deal("Oracle", "10B"),
        deal("Microsoft", "10B"),
        deal("NVIDIA", "10B", kind="chips"),
        deal("AMD", "10B", kind="chips"),
    ]
    result = run(portfolio(commitments=rows))
    d = result.details
    assert d["hhi"] == approx(2500.0)
    assert d["effective_vendors"] == approx(4.0)
    assert d["vendors"] == 4
    assert d["top1"] == "AMD"  # all tie: the first name
    assert d["top1_share"] == 0.25
    assert d["top3_share"] == approx(0.75)
    # Ties are listed by name.
    assert list(d["shares"].items()) == [
        ("AMD", 0.25),
        ("Microsoft", 0.25),
        ("NVIDIA", 0.25),
        ("Oracle", 0.25),
    ]
    assert d["by_kind"] == approx(5000.0)
    assert result.score == approx(65.0)  # a point: [2500, 65]


def test_aliases_merge_into_one_group() -> None:
    # AWS is Amazon: Amazon 30 + 10 = 40, Oracle 60 of 100.
    # HHI = 10000 * (0.6^2 + 0.4^2) = 10000 * 0.52 = 5200; effective 1 / 0.52 = 1.923.
    data = portfolio(
        counterparties={"Amazon": {"aliases": ["AWS"]}},
        commitments=[deal("AWS", "30B"), deal("Oracle", "60B"), deal("Amazon", "10B")],
    )
    result = run(data)
    d = result.details
    assert d["vendors"] == 2
    assert list(d["shares"].items()) == [("Oracle", approx(0.6)), ("Amazon", approx(0.4))]
    assert d["top1"] == "Oracle"
    assert d["top1_share"] == approx(0.6)
    assert d["top3_share"] == approx(1.0)
    assert d["hhi"] == approx(5200.0)
    assert d["effective_vendors"] == approx(1 / 0.52)
    assert d["by_kind"] == approx(10000.0)  # all cloud
    # 5200 between [5000, 85] and [10000, 100]: 85 + 15 * 200 / 5000 = 85.6.
    assert result.score == approx(85.6)


def test_names_differing_in_case_and_whitespace_are_one_group() -> None:
    # Three spellings of one name (30) and NVIDIA (10): 0.75 and 0.25.
    # HHI = 10000 * (0.5625 + 0.0625) = 6250; effective 1 / 0.625 = 1.6.
    # An undeclared group is spelled as the alphabetically first of its spellings.
    rows = [
        deal("Oracle Cloud", "10B"),
        deal("oracle   cloud", "10B"),
        deal(" ORACLE CLOUD ", "10B"),
        deal("NVIDIA", "10B", kind="chips"),
    ]
    result = run(portfolio(commitments=rows))
    d = result.details
    assert d["vendors"] == 2
    assert d["top1"] == "ORACLE CLOUD"
    assert list(d["shares"].items()) == [("ORACLE CLOUD", 0.75), ("NVIDIA", 0.25)]
    assert d["hhi"] == approx(6250.0)
    assert d["effective_vendors"] == approx(1.6)
    assert d["by_kind"] == approx(6250.0)  # cloud 30, chips 10: the same split
    # 6250 between [5000, 85] and [10000, 100]: 85 + 15 * 1250 / 5000 = 88.75.
    assert result.score == approx(88.75)


def test_only_remaining_value_counts() -> None:
    # as_of 2025-07-15. Oracle: 24 from 2024-07 for 2 years, 1 a month, 12 months paid: 12 left.
    # Amazon: 12 from 2025-07 for a year: all 12 left. CoreWeave: paid off in 2023: no value,
    # not a vendor. Remaining 12 : 12 -> 0.5 each, HHI 5000 (on full amounts, 24 : 12, it
    # would be 5556).
    data = portfolio(
        company={"as_of": "2025-07-15"},
        commitments=[
            deal("Oracle", "24B", "2024-07", 2),
            deal("Amazon", "12B", "2025-07"),
            deal("CoreWeave", "5B", "2023-01"),
        ],
    )
    d = run(data).details
    assert d["total_value"] == approx(24 * B)
    assert d["vendors"] == 2
    assert list(d["shares"]) == ["Amazon", "Oracle"]  # a tie: by name
    assert d["shares"]["Amazon"] == approx(0.5)
    assert d["shares"]["Oracle"] == approx(0.5)
    assert d["top1"] == "Amazon"
    assert d["hhi"] == approx(5000.0)
    assert d["effective_vendors"] == approx(2.0)


def test_ramp_explicit_and_estimated_amounts() -> None:
    # Microsoft: a 30 ramp from 2024-01 over 24 months; month k weighs k of 300. Months 1..12
    #   (weight 78) are paid, 13..24 (weight 222) remain: 30 * 222 / 300 = 22.2.
    # NVIDIA: 0.5 GW of chips, no amount: 0.5 * 35 = 17.5 (estimated).
    # Oracle: explicit 2025: 5.3, 2026: 5 -> 10.3, nothing paid yet.
    # Total 50: shares 0.444, 0.35, 0.206.
    # HHI = 10000 * (0.197136 + 0.1225 + 0.042436) = 3620.72; effective 1 / 0.362072.
    # Kinds: cloud 22.2 + 10.3 = 32.5 (0.65), chips 17.5 (0.35): 10000 * (0.4225 + 0.1225).
    rows = [
        deal("Microsoft", "30B", "2024-01", 2, profile="ramp"),
        deal("NVIDIA", None, "2026-01", 3, kind="chips", capacity_gw=0.5),
        {
            "counterparty": "Oracle",
            "kind": "cloud",
            "profile": "explicit",
            "schedule": {2025: "5.3B", 2026: "5B"},
        },
    ]
    result = run(portfolio(commitments=rows))
    d = result.details
    assert d["total_value"] == approx(50 * B)
    assert list(d["shares"]) == ["Microsoft", "NVIDIA", "Oracle"]
    assert d["shares"]["Microsoft"] == approx(0.444)
    assert d["shares"]["NVIDIA"] == approx(0.35)
    assert d["shares"]["Oracle"] == approx(0.206)
    assert d["top1"] == "Microsoft"
    assert d["top1_share"] == approx(0.444)
    assert d["top3_share"] == approx(1.0)
    assert d["hhi"] == approx(3620.72)
    assert d["effective_vendors"] == approx(1 / 0.362072)
    assert d["by_kind"] == approx(5450.0)
    # 3620.72 between [2500, 65] and [5000, 85]: 65 + 20 * 1120.72 / 2500 = 73.96576.
    assert result.score == approx(73.96576)


def test_top_three_and_ties_by_name() -> None:
    # 40, 25, 15, 10, 10 of 100. top3 = 0.4 + 0.25 + 0.15 = 0.8.
    # HHI = 10000 * (0.16 + 0.0625 + 0.0225 + 0.01 + 0.01) = 2650; effective 1 / 0.265.
    rows = [
        deal("NVIDIA", "10B"),
        deal("CoreWeave", "15B"),
        deal("Oracle", "40B"),
        deal("AMD", "10B"),
        deal("Microsoft", "25B"),
    ]
    result = run(portfolio(commitments=rows))
    d = result.details
    assert list(d["shares"]) == ["Oracle", "Microsoft", "CoreWeave", "AMD", "NVIDIA"]
    assert d["top1"] == "Oracle"
    assert d["top1_share"] == approx(0.4)
    assert d["top3_share"] == approx(0.8)
    assert d["vendors"] == 5
    assert d["hhi"] == approx(2650.0)
    assert d["effective_vendors"] == approx(1 / 0.265)
    # 2650 between [2500, 65] and [5000, 85]: 65 + 20 * 150 / 2500 = 66.2.
    assert result.score == approx(66.2)
    assert result.summary == (
        "Oracle is owed 40% of the $100.0B left to pay across 5 counterparty groups "
        "(HHI 2,650, as concentrated as 3.8 equal vendors)."
    )


def test_other_currencies_are_converted() -> None:
    # 10 EUR at 1.5 USD per EUR = 15 USD, against Oracle's 15 USD: 0.5 each, HHI 5000.
    data = portfolio(
        fx={"EUR": 1.5},
        commitments=[deal("SAP", "10B", currency="EUR"), deal("Oracle", "15B")],
    )
    d = run(data).details
    assert d["total_value"] == approx(30 * B)
    assert d["hhi"] == approx(5000.0)
    assert list(d["shares"]) == ["Oracle", "SAP"]


def test_summary_in_the_portfolio_currency() -> None:
    data = portfolio(company={"currency": "EUR"}, commitments=[deal("SAP", "2.5B")])
    assert "of the €2.5B left to pay" in run(data).summary


# --- skip, order, purity ----------------------------------------------------------------------


def test_nothing_left_is_skipped() -> None:
    data = portfolio(commitments=[deal("Oracle", "10B", "2023-01", 2)])
    with pytest.raises(riskcore.SkipMetric) as info:
        run(data)
    assert str(info.value) == "nothing is left to pay after 2025-01-15: no commitment value"


def test_row_order_does_not_matter() -> None:
    rows = [
        deal("Amazon", "13.7B", "2024-03", 4, profile="ramp"),
        deal("aws", "7.3B", "2025-02", 7),
        deal("NVIDIA", None, "2026-07", 3.5, kind="chips", capacity_gw=1.3),
        deal("nvidia corp", "0.9B", "2025-05", 2, kind="chips"),
        deal("Nvidia  Corp", "1.1B", "2025-05", 2, kind="chips"),
    ]
    results = [
        run(
            portfolio(
                company={"as_of": "2025-08-20"},
                counterparties={"Amazon": {"aliases": ["AWS"]}},
                commitments=list(order),
            )
        )
        for order in itertools.permutations(rows)
    ]
    first = results[0]
    assert list(first.details["shares"]) == ["NVIDIA", "Amazon", "Nvidia Corp"]
    for other in results[1:]:
        assert list(other.details["shares"].items()) == list(first.details["shares"].items())
        assert other.details == first.details
        assert other.summary == first.summary
        assert other.score == first.score


def test_scoring_is_pure_and_json_ready() -> None:
    data = portfolio(commitments=[deal("Oracle", "24B"), deal("AWS", "8B")])
    p, ctx = context_for(data, VendorConcentration)
    before = p.model_dump()
    metric = VendorConcentration()
    first, second = metric.score(p, ctx), metric.score(p, ctx)
    assert first == second
    assert p.model_dump() == before
    assert vars(metric) == {}
    json.dumps(first.details, allow_nan=False)


# --- score mapping ----------------------------------------------------------------------------


def test_score_interpolates_and_clamps() -> None:
    # Shares 0.5 / 0.5 give HHI 5000, 0.75 / 0.25 give 6250, one vendor 10000, four equal 2500.
    points = [[3000, 10], [7000, 90]]
    two = [deal("Oracle", "10B"), deal("Amazon", "10B")]
    assert run(portfolio(commitments=two), points=points).score == approx(50.0)  # halfway
    uneven = [deal("Oracle", "30B"), deal("Amazon", "10B")]
    # 6250: 10 + 80 * 3250 / 4000 = 75.
    assert run(portfolio(commitments=uneven), points=points).score == approx(75.0)
    one = [deal("Oracle", "10B")]
    assert run(portfolio(commitments=one), points=points).score == 90.0  # clamped high
    four = [deal(name, "10B") for name in ("A", "B", "C", "D")]
    assert run(portfolio(commitments=four), points=points).score == 10.0  # clamped low


def test_default_points() -> None:
    # Ten equal vendors: HHI 1000, a point: 20. Five: 2000, between [1800, 45] and
    # [2500, 65]: 45 + 20 * 200 / 700 = 50.714.
    ten = [deal(f"V{i:02d}", "1B") for i in range(10)]
    assert run(portfolio(commitments=ten)).score == approx(20.0)
    five = [deal(f"V{i}", "1B") for i in range(5)]
    assert run(portfolio(commitments=five)).details["unscaled_score"] == approx(45 + 20 * 200 / 700)


# --- materiality and aggregated rows ------------------------------------------------------------


def test_materiality_weighs_the_score_by_what_is_at_stake() -> None:
    # Revenue 10B a year, nothing else; one 1-year deal of D from 2025-01: the means cover is
    # 10 / D. D = 10: cover 1, materiality 1. D = 5: cover 2, materiality log(10/2) / log(10)
    # = 0.69897. D = 1: cover 10, materiality 0 (the zero cover). Beyond it, still 0.
    for amount, cover, materiality in [
        ("10B", 1.0, 1.0),
        ("5B", 2.0, 0.698970004336),
        ("2B", 5.0, 0.301029995664),
        ("1B", 10.0, 0.0),
        ("100M", 100.0, 0.0),
    ]:
        result = run(portfolio(commitments=[deal("Solo", amount)]))
        assert result.details["unscaled_score"] == 100.0
        assert result.details["materiality"] == pytest.approx(materiality, abs=1e-12)
        assert result.score == pytest.approx(100.0 * materiality, abs=1e-10)
        _p, ctx = context_for(portfolio(commitments=[deal("Solo", amount)]), VendorConcentration)
        assert ctx.means_cover == pytest.approx(cover)


def test_an_aggregated_row_is_n_equal_counterparties() -> None:
    # 2,000 landlords in one 10B row: HHI 10000 / 2000 = 5, the same as 2,000 rows of 5M.
    one = run(portfolio(commitments=[deal("Landlords", "10B", counterparty_count=2000)]))
    many = run(portfolio(commitments=[deal(f"L{i:04d}", "5M") for i in range(2000)]))
    assert one.value == pytest.approx(5.0)
    assert many.value == pytest.approx(5.0)
    assert one.details["vendors"] == 2000
    assert one.details["effective_vendors"] == pytest.approx(2000.0)
    assert one.details["top1"] == "Landlords (2,000 counterparties)"
    assert one.details["top1_share"] == pytest.approx(1 / 2000)
    assert one.details["top3_share"] == pytest.approx(3 / 2000)
    assert one.details["shares"] == {"Landlords (2,000 counterparties)": 1.0}
    assert one.summary.startswith(
        "Landlords (2,000 counterparties) is owed under 1% of the $10.0B left to pay across "
        "2,000 counterparties (HHI 5,"
    )


def test_an_aggregated_row_beside_a_single_vendor() -> None:
    # Oracle 6B alone, 4B across 4 equal landlords (1B each): shares 0.6 and 4 x 0.1.
    # HHI = 10000 * (0.36 + 4 * 0.01) = 4000; top1 Oracle, top3 = 0.6 + 0.1 + 0.1 = 0.8.
    result = run(
        portfolio(commitments=[deal("Oracle", "6B"), deal("Landlords", "4B", counterparty_count=4)])
    )
    assert result.value == pytest.approx(4000.0)
    assert result.details["top1"] == "Oracle"
    assert result.details["top3_share"] == pytest.approx(0.8)
    assert result.details["vendors"] == 5
    assert result.details["shares"] == {"Oracle": 0.6, "Landlords (4 counterparties)": 0.4}


# --- config and registration ------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"unknown": 1},
        {"points": [[0, 0]]},
        {"points": [[0, 0], [0, 10]]},
        {"points": [[0, 0], [10000, 101]]},
        {"points": "flat"},
    ],
)
def test_config_rejects(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        VendorConcentration.Config.model_validate(settings)


def test_config_is_a_metric_config() -> None:
    assert issubclass(VendorConcentration.Config, riskcore.MetricConfig)
    assert set(VendorConcentration.Config.model_fields) == {"points"}
    with pytest.raises(ValidationError, match="extra"):
        context_for(portfolio(commitments=[deal("Oracle", "1B")]), VendorConcentration, top=3)
