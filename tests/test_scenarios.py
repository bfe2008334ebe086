"""Named scenarios and the reverse stress test, with values worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import riskcore
from conftest import portfolio
from riskcore.cli import cli
from riskcore.generate import generate_portfolios
from riskcore.loading import load_portfolio
from riskcore.overlay import Overlay, apply_overlay
from riskcore.schedule import build_book

EXAMPLE = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"

# One 10B commitment paid through 2026; revenue 10B a year, no growth, no cash.
ONE_YEAR = portfolio(
    commitments=[
        {
            "counterparty": "Vendor",
            "kind": "cloud",
            "amount": "10B",
            "start": "2026-01",
            "term_years": 1,
        }
    ]
)


def rank(engine: riskcore.Engine, report: riskcore.Report) -> int:
    return [g.grade for g in engine.config.rating.scale].index(report.rating)


# -- overlays ---------------------------------------------------------------------------------


def test_overlay_scales_amount_capacity_and_schedule() -> None:
    p = load_portfolio(
        portfolio(
            commitments=[
                {"counterparty": "A", "kind": "cloud", "amount": "10B", "start": "2026-01",
                 "term_years": 1, "status": "loi", "capacity_gw": 2},
                {"counterparty": "B", "kind": "cloud", "profile": "explicit",
                 "schedule": {2026: "4B", 2027: "6B"}, "status": "announced"},
                {"counterparty": "C", "kind": "cloud", "amount": "1B", "start": "2026-01",
                 "term_years": 1},
            ]
        )
    )  # fmt: skip
    out = apply_overlay(p, Overlay(status_weights={"loi": 0.5, "announced": 0.8}, keep=0.5))
    a, b, c = out.commitments
    assert (a.amount, a.capacity_gw) == (2.5e9, 0.5)  # 10B x 0.5 x 0.5; 2 GW alike
    assert b.schedule == {2026: pytest.approx(1.6e9), 2027: pytest.approx(2.4e9)}  # x 0.4
    assert c.amount == 0.5e9  # signed: only the cancellation
    assert p.commitments[0].amount == 10e9  # the input is untouched


def test_identity_overlay_is_the_same_object_and_growth_is_replaced() -> None:
    p = load_portfolio(ONE_YEAR)
    assert apply_overlay(p, Overlay()) is p
    assert apply_overlay(p, Overlay(revenue_growth=0.25)).financials.revenue_growth == 0.25


def test_revenue_multiplier_leaves_the_as_of_year_alone() -> None:
    engine = riskcore.Engine(load_entrypoints=False)
    book = build_book(load_portfolio(ONE_YEAR), engine.config.engine, revenue_multiplier=0.5)
    assert dict(book.revenue) == {2025: 10e9, 2026: 5e9}


# -- scenarios in the engine ------------------------------------------------------------------


def test_default_scenarios_are_shipped_in_order() -> None:
    engine = riskcore.Engine()
    assert list(engine.scenarios) == ["base", "bear", "bull", "lois-lapse"]
    assert all(engine.scenarios.values())  # each has its one-line description


def test_report_names_its_scenario() -> None:
    engine = riskcore.Engine()
    assert engine.score(ONE_YEAR).scenario is None
    report = engine.score(ONE_YEAR, scenario="bear")
    assert report.scenario == "bear"
    data = json.loads(report.to_json())
    assert data["scenario"] == "bear" and data["what_if"] is None


def test_scenario_metric_key_reaches_the_metric() -> None:
    engine = riskcore.Engine(config={"scenarios": {"tight": {"revenue_share_available": 0.25}}})
    rc = engine.score(ONE_YEAR, scenario="tight").metric("revenue_coverage")
    # coverage through 2026 = 0.25 x (10B + 10B) / 10B = 0.5
    assert rc.details["revenue_share_available"] == 0.25
    assert rc.value == pytest.approx(0.5)
    assert engine.score(ONE_YEAR).metric("revenue_coverage").value == pytest.approx(1.0)


def test_scenario_revenue_multiplier_and_growth() -> None:
    engine = riskcore.Engine(
        config={"scenarios": {"half": {"revenue_multiplier": 0.5}, "fast": {"revenue_growth": 1.0}}}
    )
    half = engine.score(ONE_YEAR, scenario="half")
    assert [r.revenue for r in half.schedule] == [10e9, 5e9]
    fast = engine.score(ONE_YEAR, scenario="fast")
    assert [r.revenue for r in fast.schedule] == [10e9, 20e9]


def test_scenario_status_weights_and_cost_per_gw() -> None:
    data = portfolio(
        commitments=[
            {"counterparty": "A", "kind": "cloud", "amount": "10B", "start": "2026-01",
             "term_years": 1},
            {"counterparty": "B", "kind": "cloud", "amount": "10B", "start": "2026-01",
             "term_years": 1, "status": "loi"},
            {"counterparty": "C", "kind": "chips", "capacity_gw": 1, "start": "2026-01",
             "term_years": 1},
        ]
    )  # fmt: skip
    engine = riskcore.Engine(
        config={
            "scenarios": {
                "lois": {"status_weights": {"loi": 0.5}},
                "cheap": {"cost_per_gw": {"chips": "10B"}},
            }
        }
    )
    base = engine.score(data).metric("revenue_coverage").details["total_value"]
    assert base == pytest.approx(10e9 + 10e9 + 35e9)  # chips at the default 35B per GW
    lois = engine.score(data, scenario="lois").metric("revenue_coverage").details["total_value"]
    assert lois == pytest.approx(10e9 + 5e9 + 35e9)
    cheap = engine.score(data, scenario="cheap").metric("revenue_coverage").details["total_value"]
    assert cheap == pytest.approx(10e9 + 10e9 + 10e9)


@pytest.mark.parametrize(
    ("scenario", "where", "says"),
    [
        ({"revenue_share": 0.4}, "scenarios.x.revenue_share", "did you mean 'revenue_share_available'"),
        ({"weight": 0.4}, "scenarios.x.weight", "not an engine assumption"),
        ({"revenue_share_available": 2}, "scenarios.x.revenue_share_available", "revenue_coverage"),
        ({"revenue_multiplier": -1}, "scenarios.x.revenue_multiplier", "greater than or equal"),
        ({"status_weights": {"maybe": 0.5}}, "scenarios.x.status_weights", ""),
    ],
)  # fmt: skip
def test_bad_scenario_keys_are_located_errors(
    scenario: dict[str, Any], where: str, says: str
) -> None:
    with pytest.raises(riskcore.ConfigError) as caught:
        riskcore.Engine(config={"scenarios": {"x": scenario}})
    text = str(caught.value)
    assert where in text and says in text


def test_unknown_scenario_name_is_a_usage_error() -> None:
    with pytest.raises(riskcore.UsageError, match="did you mean 'bear'"):
        riskcore.Engine().score(ONE_YEAR, scenario="beer")


def test_builtin_keys_of_shipped_scenarios_need_no_builtin_loaded() -> None:
    engine = riskcore.Engine(load_entrypoints=False)  # no metric reads revenue_share_available
    assert "bear" in engine.scenarios


# -- bear <= base <= bull ---------------------------------------------------------------------


def _ordered(engine: riskcore.Engine, data: Any) -> None:
    base, bear, bull = (engine.score(data, scenario=s) for s in ("base", "bear", "bull"))
    if base.score is None:
        assert bear.score is None and bull.score is None
        return
    assert bear.score is not None and bull.score is not None
    assert bear.score >= base.score - 1e-9 >= bull.score - 2e-9
    assert rank(engine, bear) >= rank(engine, base) >= rank(engine, bull)


def test_bear_never_better_nor_bull_worse_on_the_example() -> None:
    _ordered(riskcore.Engine(), EXAMPLE)


def test_bear_never_better_nor_bull_worse_on_generated_portfolios() -> None:
    engine = riskcore.Engine()
    for data in generate_portfolios(60, seed=7):
        _ordered(engine, data)


# -- the reverse stress test ------------------------------------------------------------------


def test_what_if_by_hand() -> None:
    engine = riskcore.Engine(only=["revenue_coverage"])
    report = engine.score(ONE_YEAR, what_if=True)
    # funding coverage through 2026 = 0.5 x (10B + 10B m) / 10B = 0.5 + 0.5 m: 1.0 at m = 1,
    # which scores 40 (BBB, bands upper-inclusive).
    assert (report.rating, report.score) == ("BBB", pytest.approx(40.0))
    w = report.what_if
    assert w is not None
    # Answers are the first thousandth past the boundary.
    # Better (A, <= 30) needs coverage >= 1.2 (points 1.0 -> 40, 1.5 -> 15): m >= 1.4.
    assert w.revenue_multiplier_for_better == 1.4
    # Worse (BB, > 40) needs coverage < 1: any m < 1, the largest on the 1e-3 lattice 0.999.
    assert w.revenue_multiplier_for_worse == 0.999
    # Cancelling s leaves 10B (1 - s) due: coverage 1 / (1 - s) >= 1.2 from s = 1/6 = 0.1667.
    assert w.cancel_share_for_better == 0.167


def test_what_if_answers_are_true_of_the_engine() -> None:
    engine = riskcore.Engine()
    report = engine.score(EXAMPLE, what_if=True)
    w = report.what_if
    assert w is not None and w.revenue_multiplier_for_better is not None
    better = riskcore.Engine(
        config={"scenarios": {"up": {"revenue_multiplier": w.revenue_multiplier_for_better}}}
    ).score(EXAMPLE, scenario="up")
    assert rank(engine, better) < rank(engine, report)
    just_below = riskcore.Engine(
        config={"scenarios": {"up": {"revenue_multiplier": w.revenue_multiplier_for_better - 1e-3}}}
    ).score(EXAMPLE, scenario="up")
    assert rank(engine, just_below) == rank(engine, report)


def test_what_if_stacks_on_the_scenario() -> None:
    engine = riskcore.Engine(
        only=["revenue_coverage"], config={"scenarios": {"half": {"revenue_multiplier": 0.5}}}
    )
    w = engine.score(ONE_YEAR, scenario="half", what_if=True).what_if
    # Now 2026 revenue is 5B x m: coverage 0.5 + 0.25 m, 0.75 at m = 1, which scores 60 (B).
    # BB (<= 50) needs coverage >= 0.875 (points 0.75 -> 60, 1.0 -> 40): m >= 1.5.
    assert w is not None
    assert w.revenue_multiplier_for_better == 1.5
    # Cancelling s: coverage 0.75 / (1 - s) >= 0.875 from s = 1/7 = 0.1429.
    assert w.cancel_share_for_better == 0.143


def test_what_if_of_an_unrated_report_is_all_null() -> None:
    report = riskcore.Engine(only=["idle_capacity"]).score(ONE_YEAR, what_if=True)
    assert report.rating == "NR"
    assert report.what_if is not None
    assert report.what_if.model_dump() == {
        "revenue_multiplier_for_better": None,
        "revenue_multiplier_for_worse": None,
        "cancel_share_for_better": None,
    }


def test_what_if_is_reproducible() -> None:
    engine = riskcore.Engine()
    assert (
        engine.score(EXAMPLE, what_if=True).to_json()
        == engine.score(EXAMPLE, what_if=True).to_json()
    )


# -- the commands -----------------------------------------------------------------------------


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "")
    return CliRunner()


def test_stress_json_contract(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stress", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["schema_version", "company", "scenarios"]
    assert [s["name"] for s in data["scenarios"]] == ["base", "bear", "bull", "lois-lapse"]
    row = data["scenarios"][0]
    assert list(row) == [
        "name", "description", "rating", "score", "metrics", "funding_gap", "what_if",
    ]  # fmt: skip
    base = riskcore.Engine().score(EXAMPLE, what_if=True)
    assert row["rating"] == base.rating and row["score"] == base.score
    assert row["funding_gap"] == base.metric("revenue_coverage").details["funding_gap"]
    assert base.what_if is not None
    assert row["what_if"] == base.what_if.model_dump()
    assert set(row["metrics"]) == {m.name for m in base.metrics}


def test_stress_table_and_a_bad_file_among_good(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["stress", str(tmp_path / "none.yaml"), str(EXAMPLE)])
    assert result.exit_code == 2
    assert "none.yaml" in result.output
    for text in ("scenario", "bear", "revenue for better", "- bull: "):
        assert text in result.output


def test_stress_with_two_portfolios_is_an_array(runner: CliRunner, tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    small.write_text(json.dumps(ONE_YEAR))
    result = runner.invoke(cli, ["stress", str(EXAMPLE), str(small), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["company"]["name"] for r in json.loads(result.output)] == ["OpenAI", "Testco"]


def test_score_scenario_from_a_config_file_and_what_if(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text('[scenarios.halved]\ndescription = "Half"\nrevenue_multiplier = 0.5\n')
    args = ["score", str(EXAMPLE), "--config", str(config), "--scenario", "halved", "--what-if"]
    table = runner.invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "scenario halved" in table.output and "What if: revenue x" in table.output
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert data["scenario"] == "halved"
    assert set(data["what_if"]) == {
        "revenue_multiplier_for_better", "revenue_multiplier_for_worse", "cancel_share_for_better",
    }  # fmt: skip


def test_bad_scenario_in_a_config_file_names_the_file_and_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = tmp_path / "mine.toml"
    config.write_text("[scenarios.x]\nrevenue_shar = 0.3\n")
    result = runner.invoke(cli, ["score", str(EXAMPLE), "--config", str(config)])
    assert result.exit_code == 2
    assert "mine.toml" in result.output and "scenarios.x.revenue_shar" in result.output
    assert "Traceback" not in result.output


def test_unknown_scenario_on_the_command_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["score", str(EXAMPLE), "--scenario", "beer"])
    assert result.exit_code == 2 and "did you mean 'bear'" in result.output


def test_html_report_shows_the_what_if_lines() -> None:
    pytest.importorskip("jinja2")
    engine = riskcore.Engine()
    html = riskcore.render_reports([engine.score(EXAMPLE, what_if=True)], "html", engine=engine)
    assert "What would move the rating" in html and "makes the rating better" in html
    plain = riskcore.render_reports([engine.score(EXAMPLE)], "html", engine=engine)
    assert "What would move the rating" not in plain


def test_what_if_answers_hold_on_generated_portfolios() -> None:
    # The bisection ends on adjacent thousandths: the answer moves the rating, one step before
    # it does not. Checked by scoring both points again under a scenario of that multiplier.
    engine = riskcore.Engine()
    checked = 0
    for data in generate_portfolios(12, seed=21):
        report = engine.score(data, what_if=True)
        w = report.what_if
        assert w is not None
        if report.rating == "NR":
            assert w.revenue_multiplier_for_better is None
            continue
        now = rank(engine, report)
        # direction -1: a better grade has a lower rank; +1: a worse one a higher rank.
        for value, step, direction in (
            (w.revenue_multiplier_for_better, -0.001, -1),
            (w.revenue_multiplier_for_worse, 0.001, 1),
        ):
            if value is None:
                continue
            at, before = (
                riskcore.Engine(config={"scenarios": {"m": {"revenue_multiplier": m}}}).score(
                    data, scenario="m"
                )
                for m in (value, round(value + step, 3))
            )
            assert (rank(engine, at) - now) * direction > 0, (value, report.company.name)
            assert before.rating == "NR" or (rank(engine, before) - now) * direction <= 0
            checked += 1
    assert checked >= 5  # the portfolios give the test something to check


def test_stress_without_revenue_coverage_has_no_funding_gap() -> None:
    table = riskcore.stress(riskcore.Engine(disable=["revenue_coverage"]), EXAMPLE)
    assert [row.funding_gap for row in table.scenarios] == [None] * len(table.scenarios)
    assert all("revenue_coverage" not in row.metrics for row in table.scenarios)


def test_the_shipped_scenarios_speak_of_no_company() -> None:
    engine = riskcore.Engine(allow=[])
    assert list(engine.scenarios) == ["base", "bear", "bull", "lois-lapse"]
    text = " ".join(engine.scenarios.values()).lower()
    for name in ("openai", "microsoft", "altman", "nvidia", "run-rate"):
        assert name not in text
    assert engine.plan("bear").revenue_multiplier == 0.8
    assert engine.plan("bull").revenue_multiplier == 1.2
    # no metric setting is moved by a shipped scenario
    assert all(p.metrics == engine.plan(None).metrics for p in map(engine.plan, engine.scenarios))


def test_a_company_overlay_replaces_the_shipped_cases_for_that_company() -> None:
    overlay = Path(__file__).parent.parent / "configs" / "overlays" / "openai-2025.toml"
    engine = riskcore.Engine(config=overlay, allow=[])
    assert list(engine.scenarios) == ["base", "bear", "bull", "lois-lapse"]
    assert engine.plan("bear").revenue_multiplier == 0.76
    assert engine.plan("bull").revenue_multiplier == 1.07
    assert "H2 2025 run-rate" in engine.scenarios["bear"]
