"""The bundled OpenAI example: its headline figures are pinned, and docs/metrics.md shows them.

A change that moves these numbers must be deliberate: update the docs and this test with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import riskcore

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"
DOC = (ROOT / "docs" / "metrics.md").read_text()


@pytest.fixture(scope="module")
def report() -> riskcore.Report:
    return riskcore.Engine(allow=[]).score(EXAMPLE)


def test_rating(report: riskcore.Report) -> None:
    assert (report.rating, report.score, report.coverage, report.complete) == (
        "CC",
        80.0,
        1.0,
        True,
    )
    assert report.adjustments[0].name == "weakest_link"
    assert report.adjustments[0].score_before == pytest.approx(74.75, abs=0.01)
    assert "**80.0, rated CC**" in DOC
    assert "Weighted mean: 74.8." in DOC


@pytest.mark.parametrize(
    ("metric", "value", "score"),
    [
        ("revenue_coverage", 0.097875, 100.0),
        ("vendor_concentration", 1923.94, 48.54),
        ("circular_financing", 0.097056, 39.12),
        ("idle_capacity", 0.576328, 86.11),
    ],
)
def test_headlines(report: riskcore.Report, metric: str, value: float, score: float) -> None:
    entry = report.metric(metric)
    assert entry.value == pytest.approx(value, rel=1e-4)
    assert entry.score == pytest.approx(score, abs=0.01)
    assert f"| `{metric}` | {entry.value:.4g} {entry.unit} | {entry.score:.1f} |" in DOC


def test_revenue_coverage_details(report: riskcore.Report) -> None:
    d = report.metric("revenue_coverage").details
    # L = 17.5B + 22.5B; funding gap peaks in 2031; no growth up to 10 closes it
    assert d["liquidity"] == 40e9
    assert d["worst_year"] == 2029
    assert d["funding_gap"] == pytest.approx(1.2343e12, rel=1e-4)
    assert d["breakeven_growth"] is None
    assert d["commitment_multiple"] == pytest.approx(116.784, rel=1e-5)


def test_other_details(report: riskcore.Report) -> None:
    vc = report.metric("vendor_concentration").details
    assert (vc["top1"], vc["vendors"]) == ("Broadcom", 7)
    cf = report.metric("circular_financing").details
    # 100 (NVIDIA) + 34 (AMD) + 13 (Microsoft) + 0.35 (CoreWeave)
    assert cf["round_trip_amount"] == pytest.approx(147.35e9)
    assert [p["counterparty"] for p in cf["pairs"]] == ["NVIDIA", "AMD", "Microsoft", "CoreWeave"]
    ic = report.metric("idle_capacity").details
    assert (ic["peak_idle_year"], ic["contracted_gw_peak"]) == (2028, pytest.approx(30.5))


def test_schedule_in_docs(report: riskcore.Report) -> None:
    for row in report.schedule:
        line = (
            f"| {row.year} | {riskcore.format_money(row.obligations)} | "
            f"{riskcore.format_money(row.revenue)} | {row.coverage:.2f}x |"
        )
        assert line in DOC


def test_every_builtin_metric_is_documented() -> None:
    for name in ["revenue_coverage", "vendor_concentration", "circular_financing", "idle_capacity"]:
        assert f"(`{name}`)" in DOC
