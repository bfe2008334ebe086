"""The bundled examples: their headline figures are pinned, and docs/metrics.md shows them.

A change that moves these numbers must be deliberate: update the docs and this test with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import riskcore

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"
COREWEAVE = ROOT / "configs" / "portfolios" / "coreweave-2025.yaml"
WEWORK = ROOT / "configs" / "portfolios" / "wework-2019.yaml"
WEWORK_CONFIG = ROOT / "configs" / "overlays" / "wework-2019.toml"
DOC = (ROOT / "docs" / "metrics.md").read_text()
METRICS = [
    "revenue_coverage",
    "vendor_concentration",
    "circular_financing",
    "idle_capacity",
    "customer_concentration",
]


@pytest.fixture(scope="module")
def report() -> riskcore.Report:
    return riskcore.Engine(allow=[]).score(EXAMPLE)


@pytest.fixture(scope="module")
def three(report: riskcore.Report) -> list[riskcore.Report]:
    coreweave = riskcore.Engine(allow=[]).score(COREWEAVE)
    wework = riskcore.Engine(allow=[], config=WEWORK_CONFIG).score(WEWORK)
    return [report, coreweave, wework]


def test_rating(report: riskcore.Report) -> None:
    assert (report.rating, report.score, report.complete) == ("C", 100.0, False)
    assert report.coverage == pytest.approx(1.0 / 1.1)  # no customers: that metric skips
    assert report.adjustments[0].name == "weakest_link"
    assert report.adjustments[0].score_before == pytest.approx(86.93, abs=0.01)
    assert "**100.0, rated C**" in DOC
    assert "Weighted mean: 86.9." in DOC


def test_the_three_examples_side_by_side(three: list[riskcore.Report]) -> None:
    openai, coreweave, wework = three
    assert [(r.rating, round(r.score or 0, 1)) for r in three] == [
        ("C", 100.0),
        ("CC", 79.2),
        ("B", 50.1),
    ]
    for name in METRICS:
        cells = []
        for r in three:
            entry = r.metric(name)
            cells.append(f"{entry.score:.1f}" if entry.status == "ok" else entry.status)
        assert f"| `{name}` | {' | '.join(cells)} |" in DOC, name
    grades = " | ".join(f"**{r.rating}** ({r.score:.1f})" for r in three)
    assert f"| rating | {grades} |" in DOC
    # what each grade rests on, as the docs explain it
    assert openai.metric("revenue_coverage").value == 0.0
    assert openai.metric("circular_financing").details["means"] < 0
    assert coreweave.metric("revenue_coverage").details["worst_year"] == 2026
    assert coreweave.metric("customer_concentration").details["top1"] == "OpenAI"
    assert wework.metric("vendor_concentration").details["vendors"] == 528
    assert wework.adjustments[0].reason.startswith("revenue_coverage scores 70.1")


@pytest.mark.parametrize(
    ("metric", "value", "score"),
    [
        ("revenue_coverage", 0.0, 100.0),
        ("vendor_concentration", 1923.94, 48.54),
        ("circular_financing", 1.0, 100.0),
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
    # L = 17.5B + 22.5B; costs of 1.35x revenue burn cash every year, so the gap peaks at the
    # end of the horizon, above the commitments themselves; no growth up to 10 closes it
    assert d["liquidity"] == 40e9
    assert d["worst_year"] == 2032
    assert d["funding_gap"] == pytest.approx(1.70095e12, rel=1e-4)
    assert d["breakeven_growth"] is None
    assert d["commitment_multiple"] == pytest.approx(116.784, rel=1e-5)


def test_other_details(report: riskcore.Report) -> None:
    vc = report.metric("vendor_concentration").details
    assert (vc["top1"], vc["vendors"]) == ("Broadcom", 7)
    cf = report.metric("circular_financing").details
    # 100 (NVIDIA) + 34 (AMD) + 13 (Microsoft) + 0.35 (CoreWeave)
    assert cf["round_trip_amount"] == pytest.approx(147.35e9)
    assert cf["circular_share"] == pytest.approx(0.097056, rel=1e-4)
    assert [p["counterparty"] for p in cf["pairs"]] == ["NVIDIA", "AMD", "Microsoft", "CoreWeave"]
    ic = report.metric("idle_capacity").details
    assert (ic["peak_idle_year"], ic["contracted_gw_peak"]) == (2028, pytest.approx(30.5))


def test_schedule_in_docs(report: riskcore.Report) -> None:
    for row in report.schedule:
        line = (
            f"| {row.year} | {riskcore.format_money(row.obligations)} | "
            f"{riskcore.format_money(row.revenue)} | "
            f"{riskcore.format_money(row.operating_costs)} | {row.coverage:.2f}x |"
        )
        assert line in DOC


def test_every_builtin_metric_is_documented() -> None:
    for name in METRICS:
        assert f"(`{name}`)" in DOC
