"""The engine's contract: the JSON report, weights, coverage and NR, determinism, threads."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import riskcore
from conftest import portfolio

EXAMPLE = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"

TOP_KEYS = [
    "schema_version", "company", "rating", "rating_label", "score", "coverage", "complete",
    "margin", "scenario", "what_if", "metrics", "adjustments", "schedule", "warnings", "provenance",
]  # fmt: skip
METRIC_KEYS = [
    "name", "title", "plugin", "status", "score", "rating", "weight", "contribution",
    "value", "unit", "summary", "details", "message",
]  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> riskcore.Engine:
    return riskcore.Engine(allow=[])


def two_vendor() -> dict[str, Any]:
    # as_of 2025-01-15; A: 12B flat over 2025 (1B/month); B: 24B flat over 2025-2026.
    return portfolio(
        financials={"revenue": "12B", "cash": "6B"},
        commitments=[
            {
                "counterparty": "A",
                "kind": "cloud",
                "amount": "12B",
                "start": "2025-01",
                "term_years": 1,
            },
            {
                "counterparty": "B",
                "kind": "chips",
                "amount": "24B",
                "start": "2025-01",
                "end": "2026-12",
            },
        ],
    )


def test_json_contract_keys_and_types(engine: riskcore.Engine) -> None:
    data = json.loads(engine.score(EXAMPLE).to_json())
    assert list(data) == TOP_KEYS
    assert data["schema_version"] == 1
    assert data["company"] == {"name": "OpenAI", "as_of": "2025-11-03", "currency": "USD"}
    assert set(data["margin"]) == {"to_better", "to_worse"}
    assert [m["name"] for m in data["metrics"]] == sorted(m["name"] for m in data["metrics"])
    for m in data["metrics"]:
        assert list(m) == METRIC_KEYS
        assert m["status"] in {"ok", "skipped", "error"}
    for a in data["adjustments"]:
        assert list(a) == ["name", "reason", "score_before", "score_after"]
    for row in data["schedule"]:
        assert list(row) == [
            "year",
            "obligations",
            "debt_service",
            "revenue",
            "operating_costs",
            "coverage",
        ]
    assert list(data["provenance"]) == [
        "riskcore_version",
        "portfolio_sha256",
        "config_sha256",
        "plugins",
    ]
    assert data["provenance"]["riskcore_version"] == riskcore.__version__
    assert (
        data["provenance"]["portfolio_sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    )


def test_same_input_same_bytes(engine: riskcore.Engine) -> None:
    assert engine.score(EXAMPLE).to_json() == riskcore.Engine(allow=[]).score(EXAMPLE).to_json()


def test_schedule_rows_hand_worked(engine: riskcore.Engine) -> None:
    # as_of 2025-01: all of 2025 counts. 2025: A 12B + B 12B = 24B; 2026: B 12B.
    # revenue 12B, growth 0 -> counted 12B each year; coverage 0.5 then 1.0
    report = engine.score(two_vendor())
    rows = [(r.year, r.obligations, r.revenue, r.coverage) for r in report.schedule]
    assert rows == [
        (2025, pytest.approx(24e9), 12e9, pytest.approx(0.5)),
        (2026, pytest.approx(12e9), 12e9, pytest.approx(1.0)),
    ]


def test_contributions_sum_to_pre_adjustment_score(engine: riskcore.Engine) -> None:
    report = engine.score(two_vendor())
    total = sum(m.contribution for m in report.metrics)
    before = report.adjustments[0].score_before if report.adjustments else report.score
    assert total == pytest.approx(before)
    assert report.coverage == pytest.approx(
        sum(m.weight for m in report.metrics if m.status == "ok")
    )
    band = engine.config.grade_of(report.score)
    assert band is not None and report.rating == band.grade


def test_weights_normalised_over_enabled_metrics() -> None:
    engine = riskcore.Engine(allow=[], disable=["idle_capacity", "customer_concentration"])
    # 0.4 / 0.8 = 0.5; 0.2 / 0.8 = 0.25
    assert {m.name: m.weight for m in engine.metrics} == pytest.approx(
        {"circular_financing": 0.25, "revenue_coverage": 0.5, "vendor_concentration": 0.25}
    )


def test_config_overlay_sets_weight_and_enabled(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        "[metrics.revenue_coverage]\nweight = 1.0\n[metrics.idle_capacity]\nenabled = false\n"
    )
    engine = riskcore.Engine(config=cfg, allow=[])
    # 1.0 + 0.2 + 0.2 + 0.1 = 1.5
    assert {m.name: m.weight for m in engine.metrics} == pytest.approx(
        {
            "circular_financing": 0.2 / 1.5,
            "customer_concentration": 0.1 / 1.5,
            "revenue_coverage": 1.0 / 1.5,
            "vendor_concentration": 0.2 / 1.5,
        }
    )


def test_only_runs_the_named_metrics() -> None:
    engine = riskcore.Engine(allow=[], only=["vendor_concentration"])
    assert [(m.name, m.weight) for m in engine.metrics] == [("vendor_concentration", 1.0)]


def test_unknown_metric_names_are_usage_errors() -> None:
    with pytest.raises(riskcore.UsageError, match="did you mean 'idle_capacity'"):
        riskcore.Engine(allow=[], disable=["idle_capacty"])
    with pytest.raises(riskcore.UsageError):
        riskcore.Engine(allow=[], only=["nope"])


def test_bad_metric_config_is_a_config_error() -> None:
    with pytest.raises(riskcore.ConfigError) as err:
        riskcore.Engine(config={"metrics": {"revenue_coverage": {"revenue_share": 0.3}}}, allow=[])
    assert err.value.errors[0].location == "metrics.revenue_coverage.revenue_share"


def test_unknown_metric_section_is_a_warning() -> None:
    report = riskcore.Engine(config={"metrics": {"debt_wall": {"weight": 0.1}}}, allow=[]).score(
        two_vendor()
    )
    assert "config has [metrics.debt_wall] but no such metric is loaded" in report.warnings


def test_zero_weights_are_refused() -> None:
    zero = {
        name: {"weight": 0}
        for name in [
            "revenue_coverage",
            "vendor_concentration",
            "circular_financing",
            "idle_capacity",
            "customer_concentration",
        ]
    }
    with pytest.raises(riskcore.ConfigError, match="sum to 0"):
        riskcore.Engine(config={"metrics": zero}, allow=[])


def test_nothing_left_to_pay_is_not_rated(engine: riskcore.Engine) -> None:
    paid = portfolio(
        company={"as_of": "2030-01-01"},
        commitments=[
            {
                "counterparty": "A",
                "kind": "cloud",
                "amount": "1B",
                "start": "2025-01",
                "term_years": 1,
            }
        ],
    )
    report = engine.score(paid)
    assert report.rating == "NR"
    assert report.score is None
    assert report.schedule == []
    assert report.margin.to_better is None and report.margin.to_worse is None
    assert all(m.status == "skipped" for m in report.metrics if m.name != "circular_financing")
    assert any("nothing is left to pay" in w for w in report.warnings)


def test_min_coverage_gives_nr_when_metrics_skip() -> None:
    # no capacity, no customers -> both skip: coverage 0.8 / 1.1; a minimum of 0.9 makes it NR
    engine = riskcore.Engine(config={"rating": {"min_coverage": 0.9}}, allow=[])
    report = engine.score(two_vendor())
    assert report.metric("idle_capacity").status == "skipped"
    assert report.metric("customer_concentration").status == "skipped"
    assert report.coverage == pytest.approx(0.8 / 1.1)
    assert (report.rating, report.score) == ("NR", None)
    assert "73%" in report.rating_label


def test_report_is_immutable_and_findable(engine: riskcore.Engine) -> None:
    report = engine.score(two_vendor())
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        report.rating = "AAA"  # type: ignore[misc]
    assert report.metric("revenue_coverage").name == "revenue_coverage"
    with pytest.raises(KeyError):
        report.metric("nope")


def test_mapping_portfolio_hash_is_canonical(engine: riskcore.Engine) -> None:
    a = engine.score(two_vendor()).provenance.portfolio_sha256
    reordered = dict(reversed(list(two_vendor().items())))
    assert engine.score(reordered).provenance.portfolio_sha256 == a


def test_config_hash_tracks_effective_config() -> None:
    a = riskcore.Engine(allow=[]).config_sha256
    b = riskcore.Engine(config={"engine": {"horizon_years": 5}}, allow=[]).config_sha256
    assert a != b and len(a) == 64


def test_threads_share_one_engine(engine: riskcore.Engine) -> None:
    expected = engine.score(EXAMPLE).to_json()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: engine.score(EXAMPLE).to_json(), range(16)))
    assert set(results) == {expected}


def test_engine_does_not_print(engine: riskcore.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    engine.score(EXAMPLE)
    assert capsys.readouterr() == ("", "")


def test_estimated_amounts_are_warned(engine: riskcore.Engine) -> None:
    report = engine.score(EXAMPLE)
    assert (
        "NVIDIA chips commitment has no amount: valued at 10 GW x $35.0B per GW = $350.0B (estimated)"
        in report.warnings
    )
    assert report.warnings == sorted(report.warnings)


def test_metric_warnings_are_prefixed_once_by_the_engine(engine: riskcore.Engine) -> None:
    report = engine.score(two_vendor())  # no financing rows
    assert (
        "circular_financing: the portfolio has no financing rows; circular financing is "
        "assumed absent (score 0)"
    ) in report.warnings
    assert not any(w.startswith("circular_financing: circular_financing") for w in report.warnings)


def test_default_sections_of_unloaded_builtins_are_not_warned_about() -> None:
    lonely = riskcore.Engine(load_entrypoints=False, allow=[])
    report = lonely.score(two_vendor())
    assert report.rating == "NR"  # no metrics at all
    assert not any("config has [metrics." in w for w in report.warnings)


@pytest.mark.parametrize("book", [{"commitments": []}, {}], ids=["empty", "left out"])
def test_an_empty_book_is_rated_nr_with_nothing_to_pay(
    engine: riskcore.Engine, book: dict[str, Any]
) -> None:
    data = {k: v for k, v in portfolio(**book).items() if book or k != "commitments"}
    report = engine.score(data)
    assert (report.rating, report.score, report.coverage) == ("NR", None, 0.0)
    assert (
        report.rating_label
        == "Not rated: the book has no commitments and no debt, so there is nothing to pay"
    )
    assert "the book has no commitments and no debt: there is nothing to pay" in report.warnings
    # every metric has nothing to measure, and each says why
    assert {m.status for m in report.metrics} == {"skipped"}
    messages = {m.name: m.message or "" for m in report.metrics}
    assert messages.pop("customer_concentration") == "no customers are listed: nothing to measure"
    assert all("nothing is left to pay" in message for message in messages.values())
    assert report.schedule == []


def test_a_paid_book_keeps_its_coverage_label(engine: riskcore.Engine) -> None:
    # Commitments all paid before as_of: not an empty book, so its label is as it always was.
    paid = portfolio(
        company={"name": "T", "as_of": "2026-06-15"},
        commitments=[
            {
                "counterparty": "A",
                "kind": "cloud",
                "amount": "1B",
                "start": "2025-01",
                "term_years": 1,
            }
        ],
    )
    report = engine.score(paid)
    assert report.rating_label.startswith("Not rated: metrics with a result cover")
    assert not any("no commitments" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (
            {
                "disable": [
                    "circular_financing",
                    "idle_capacity",
                    "revenue_coverage",
                    "vendor_concentration",
                    "customer_concentration",
                ]
            },
            "--disable circular_financing, customer_concentration, idle_capacity, "
            "revenue_coverage, vendor_concentration",
        ),
        (
            {"only": ["idle_capacity"], "disable": ["idle_capacity"]},
            "--disable idle_capacity with --only idle_capacity",
        ),
    ],
)
def test_disabling_every_metric_is_a_usage_error(options: dict[str, Any], said: str) -> None:
    with pytest.raises(riskcore.UsageError) as info:
        riskcore.Engine(allow=[], **options)
    assert str(info.value) == (
        f"{said} leaves no metric to run; available: "
        "circular_financing, customer_concentration, idle_capacity, revenue_coverage, "
        "vendor_concentration"
    )


# --- extensions nobody reads, and ratings from the same run ----------------------------------


def test_an_extensions_section_no_plugin_reads_is_a_warning(engine: riskcore.Engine) -> None:
    data = {**two_vendor(), "extensions": {"debt": {"amount": "14B"}, "idle_capacity": {}}}
    report = engine.score(data)
    assert (
        "extensions.debt: no installed plugin reads this section, so it counts for nothing"
        in report.warnings
    )
    # a section named for a loaded metric or plugin is somebody's
    assert not any(w.startswith("extensions.idle_capacity") for w in report.warnings)
    typo = engine.score({**two_vendor(), "extensions": {"idle_capacty": {}}})
    assert any("did you mean 'idle_capacity'?" in w for w in typo.warnings)


def test_ratings_reach_the_metrics_that_weigh_a_counterparty() -> None:
    engine = riskcore.Engine(allow=[])
    data = {
        **two_vendor(),
        "customers": [
            {"counterparty": "Bigco", "amount": "5B", "start": "2025-01", "term_years": 10}
        ],
    }
    alone = engine.score(data).metric("customer_concentration")
    rated = engine.score(data, ratings={"bigco": "AAA"}).metric("customer_concentration")
    assert alone.details["strong_share"] == 0.0
    assert rated.details["strong_share"] == 1.0
    assert rated.score is not None and alone.score is not None
    assert rated.score == pytest.approx(alone.score / 2)


def test_score_together_rates_a_customer_from_its_own_portfolio(tmp_path: Path) -> None:
    # Vendorco's only customer is Buyerco; Buyerco's own book is far beyond its means (C):
    # rated together, Vendorco's customer is no longer unknown but weak.
    buyer = portfolio(
        company={"name": "Buyerco"},
        financials={"revenue": "1B"},
        commitments=[
            {"counterparty": "Vendorco", "kind": "cloud", "amount": "500B", "start": "2025-01",
             "term_years": 5}
        ],
    )  # fmt: skip
    vendor = {
        **two_vendor(),
        "company": {"name": "Vendorco", "as_of": "2025-01-15"},
        "customers": [
            {"counterparty": "Buyerco", "amount": "50B", "start": "2025-01", "term_years": 10,
             "rating": "AA"}
        ],
    }  # fmt: skip
    engine = riskcore.Engine(allow=[])
    alone = engine.score(vendor).metric("customer_concentration")
    assert alone.details["rated"] == {"Buyerco": {"grade": "AA", "from": "AA"}}
    buyer_report, vendor_report = riskcore.score_together(engine, [buyer, vendor])
    assert buyer_report.rating == "C"
    cc = vendor_report.metric("customer_concentration")
    assert cc.details["rated"] == {"Buyerco": {"grade": "C", "from": "riskcore"}}
    assert cc.details["strong_share"] == 0.0


def test_a_failing_metric_is_logged_at_debug_level_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Boom(riskcore.Metric):
        name = "boom"
        title = "Boom"
        default_weight = 0.1

        def score(self, portfolio: riskcore.Portfolio, context: riskcore.Context) -> Any:
            raise RuntimeError("boom failed here")

    class Plugin:
        @riskcore.hookimpl
        def riskcore_register_metrics(self, register: Any) -> None:
            register(Boom)

    with caplog.at_level("DEBUG", logger="riskcore.engine"):
        report = riskcore.Engine(plugins=[Plugin()]).score(EXAMPLE)
    assert report.metric("boom").status == "error"
    [record] = [r for r in caplog.records if r.name == "riskcore.engine"]
    assert record.getMessage() == "metric boom failed" and record.levelname == "DEBUG"
    assert record.exc_info is not None and "boom failed here" in str(record.exc_info[1])
