"""customer_concentration, worked by hand on small portfolios.

Unless a test says otherwise the portfolio is conftest's BASE (as_of 2025-01-15, revenue 10B flat,
no cash) with one 10B commitment due in 2025, so revenue covers what falls due exactly once and
materiality is 1. Customer contracts start in 2025-01 and run ten years, so their whole value
remains and none pays more than the 10B a year projected (no contracted-revenue floor).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import riskcore
from conftest import context_for, portfolio
from riskcore_plugins.customer_concentration import CustomerConcentration

B = 1e9
DUE = [
    {
        "counterparty": "Cloudco",
        "kind": "cloud",
        "amount": "10B",
        "start": "2025-01",
        "term_years": 1,
    }
]


def customer(name: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {"counterparty": name, "amount": amount, "start": "2025-01", "term_years": 10, **extra}


def run(
    customers: list[dict[str, Any]],
    commitments: list[dict[str, Any]] | None = None,
    ratings: dict[str, str] | None = None,
    **options: Any,
) -> riskcore.MetricResult:
    data = portfolio(customers=customers, commitments=commitments or DUE)
    p, ctx = context_for(data, CustomerConcentration, **options)
    if ratings is not None:
        ctx = riskcore.Context(ctx._book, ctx.config, ctx.engine, ratings)
    return CustomerConcentration().score(p, ctx)


def test_identity_and_method() -> None:
    assert CustomerConcentration.name == "customer_concentration"
    assert CustomerConcentration.default_weight == 0.10
    method = CustomerConcentration.method()
    for word in ("hhi", "strong_share", "materiality", "Skipped"):
        assert word in method


def test_one_customer_owes_everything() -> None:
    result = run([customer("OpenAI", "22B")])
    assert result.value == 10000.0
    assert result.details["top1"] == "OpenAI"
    assert result.details["top1_share"] == 1.0
    assert result.details["strong_share"] == 0.0
    assert result.details["materiality"] == 1.0
    assert result.score == 100.0
    assert result.summary == (
        "OpenAI owes 100% of the $22.0B of contracted revenue left across 1 customer "
        "(HHI 10,000); 0% is owed by highly rated customers."
    )


def test_shares_hhi_and_the_relief_of_a_highly_rated_customer() -> None:
    # OpenAI 60, Meta 40 (AA-, an agency rating: AA): HHI 10000 * (0.36 + 0.16) = 5200,
    # points 85 + 15 * 200 / 5000 = 85.6; strong share 0.4, relief 1 - 0.5 * 0.4 = 0.8
    # -> 85.6 * 0.8 = 68.48.
    result = run([customer("OpenAI", "60B"), customer("Meta", "40B", rating="AA-")])
    assert result.value == pytest.approx(5200.0)
    assert result.details["shares"] == {"OpenAI": 0.6, "Meta": 0.4}
    assert result.details["rated"] == {"Meta": {"grade": "AA", "from": "AA-"}}
    assert result.details["strong_share"] == pytest.approx(0.4)
    assert result.details["unscaled_score"] == pytest.approx(85.6)
    assert result.score == pytest.approx(68.48)


def test_moody_s_and_weak_ratings() -> None:
    # Aa3 is AA (strong); Baa1 is BBB, below the default strong grades (A and up).
    result = run([customer("A", "50B", rating="Aa3"), customer("B", "50B", rating="Baa1")])
    assert result.details["rated"] == {
        "A": {"grade": "AA", "from": "Aa3"},
        "B": {"grade": "BBB", "from": "Baa1"},
    }
    assert result.details["strong_share"] == pytest.approx(0.5)
    assert run(
        [customer("A", "50B", rating="Aa3"), customer("B", "50B", rating="Baa1")],
        strong_grades=["AAA", "AA", "A", "BBB"],
    ).details["strong_share"] == pytest.approx(1.0)


def test_riskcore_s_own_rating_from_the_same_run_wins() -> None:
    # Meta's file rating says AA, but riskcore rated Meta's own portfolio CC in this run.
    result = run([customer("Meta", "40B", rating="AA-")], ratings={"meta": "CC"})
    assert result.details["rated"] == {"Meta": {"grade": "CC", "from": "riskcore"}}
    assert result.details["strong_share"] == 0.0
    # and an unrated customer gains riskcore's grade
    rated = run([customer("OpenAI", "40B")], ratings={"OpenAI": "AA"})
    assert rated.details["strong_share"] == 1.0
    assert rated.score == pytest.approx(50.0)  # 100 * (1 - 0.5)


def test_a_pooled_row_is_many_equal_customers() -> None:
    # 4B owed by 500,000 members: HHI 10000 / 500000 = 0.02.
    result = run([customer("Members", "4B", counterparty_count=500_000)])
    assert result.value == pytest.approx(0.02)
    assert result.details["customers"] == 500_000
    assert result.details["top1"] == "Members (500,000 customers)"
    assert result.details["top1_share"] == pytest.approx(1 / 500_000)
    assert result.summary.startswith("Members (500,000 customers) owes under 1% of the $4.0B")


def test_materiality_weighs_the_score() -> None:
    # The one commitment is 2B against 10B of revenue: cover 5, materiality log10(2) = 0.30103.
    small = [{**DUE[0], "amount": "2B"}]
    result = run([customer("OpenAI", "22B")], commitments=small)
    assert result.details["materiality"] == pytest.approx(0.301029995664)
    assert result.score == pytest.approx(30.1029995664)


def test_skipped_without_customers_or_value_left() -> None:
    with pytest.raises(riskcore.SkipMetric, match=r"^no customers are listed: nothing to measure$"):
        run([])
    done = customer("OpenAI", "1B", start="2020-01", term_years=1)
    with pytest.raises(riskcore.SkipMetric, match="no customer owes anything after 2025-01-15"):
        run([done])


def test_score_paths_hold_the_shares_and_move_materiality() -> None:
    data = portfolio(customers=[customer("OpenAI", "22B")], commitments=DUE)
    p, ctx = context_for(data, CustomerConcentration)
    paths = CustomerConcentration().score_paths(p, ctx, np.array([[10e9], [100e9], [2e9]]))
    # revenue 10B: cover 1 (m = 1); 100B: cover 10 (m = 0); 2B: cover 0.2 (m = 1)
    assert paths.score.tolist() == pytest.approx([100.0, 0.0, 100.0])


def test_the_engine_scores_it_beside_the_others() -> None:
    report = riskcore.Engine(allow=[]).score(
        portfolio(customers=[customer("OpenAI", "22B")], commitments=DUE)
    )
    entry = report.metric("customer_concentration")
    assert entry.status == "ok" and entry.score == 100.0
    assert entry.weight == pytest.approx(0.1 / 1.1)
