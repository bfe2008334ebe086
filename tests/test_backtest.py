"""riskcore backtest: the statistics worked by hand, the outcomes file's errors, the command."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import riskcore
from riskcore.backtesting import OutcomesError, find_cases, load_outcomes
from riskcore.cli import cli
from riskcore.discrimination import auc, auc_interval, cap_area, cap_curve

ROOT = Path(__file__).parent.parent

# -- the statistics -------------------------------------------------------------------------------


def test_auc_counts_ties_half() -> None:
    # events 3 and 2, non-events 1 and 2: 3>1, 3>2, 2>1 win, 2=2 ties: (1 + 1 + 1 + 0.5) / 4.
    pairs = [(3.0, 1), (2.0, 1), (1.0, 0), (2.0, 0)]
    assert auc(pairs) == 0.875
    assert auc([(5.0, 1), (5.0, 0)]) == 0.5  # all tied: no information
    assert auc([(9.0, 1), (1.0, 0)]) == 1.0
    assert auc([(1.0, 1), (9.0, 0)]) == 0.0
    assert auc([(1.0, 1), (2.0, 1)]) is None  # one class only


def test_delong_interval_by_hand() -> None:
    # V10: event 3 beats both non-events (1), event 2 beats one and ties one (0.75);
    # V01: non-event 1 is beaten by both (1), non-event 2 by one and tied by one (0.75).
    # Sample variances 0.03125 each: var = 0.03125 / 2 + 0.03125 / 2; sd = 0.17678.
    pairs = [(3.0, 1), (2.0, 1), (1.0, 0), (2.0, 0)]
    interval = auc_interval(pairs)
    assert interval is not None
    half = 1.959963984540054 * math.sqrt(0.03125)
    assert interval == pytest.approx((0.875 - half, 1.0))  # the top is clipped at 1
    assert auc_interval([(3.0, 1), (1.0, 0), (2.0, 0)]) is None  # one event: no variance


def test_cap_curve_groups_ties_and_gives_the_accuracy_ratio() -> None:
    # Riskiest first: 3 (event), then 2 and 2 (one event, one not) as one step, then 1.
    pairs = [(3.0, 1), (2.0, 1), (2.0, 0), (1.0, 0)]
    points = cap_curve(pairs)
    assert points == [(0.0, 0.0), (0.25, 0.5), (0.75, 1.0), (1.0, 1.0)]
    # area 0.25 x 0.25 + 0.5 x 0.75 + 0.25 x 1 = 0.6875; perfect 1 - 2 / 8 = 0.75
    area = cap_area(points)
    assert area == pytest.approx(0.6875)
    ar = (area - 0.5) / (0.75 - 0.5)
    a = auc(pairs)
    assert a is not None and ar == pytest.approx(2 * a - 1)


# -- cases and outcomes on disk ---------------------------------------------------------------------


def book(name: str, revenue: str, owed: str) -> dict[str, Any]:
    """`owed` split over four equal vendors, two years from the as_of month, flat `revenue`."""
    part = riskcore.parse_money(owed) / 4
    return {
        "company": {"name": name, "as_of": "2020-01-15"},
        "financials": {"revenue": revenue, "revenue_growth": 0.0},
        "commitments": [
            {"counterparty": f"Vendor {i}", "kind": "cloud", "amount": part, "start": "2020-01",
             "term_years": 2}
            for i in range(4)
        ],
    }  # fmt: skip


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    # The more a company owes against its revenue, the worse it scores.
    folder = tmp_path / "cases"
    folder.mkdir()
    for name, revenue, owed in [
        ("alpha", "10B", "400B"),  # far beyond means
        ("bravo", "10B", "60B"),
        ("charlie", "10B", "30B"),
        ("delta", "10B", "8B"),
        ("echo", "10B", "2B"),
    ]:
        (folder / f"{name}-2020.yaml").write_text(yaml.safe_dump(book(name, revenue, owed)))
    return folder


def outcomes(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outcomes.csv"
    path.write_text(text)
    return path


GOOD = "id,outcome,event_date,source,note\nalpha-2020,1,2021-06-01,s,n\nbravo-2020,0,,,\ncharlie-2020,1,,,\ndelta-2020,0,,,\necho-2020,0,,,\n"


def test_backtest_scores_every_case_and_measures_the_ranking(cases: Path, tmp_path: Path) -> None:
    engine = riskcore.Engine(allow=[])
    result = riskcore.backtest([cases], outcomes(tmp_path, GOOD), engine=engine)
    scores = {c.id: c.score for c in result.cases}
    assert scores["alpha-2020"] > scores["bravo-2020"] > scores["charlie-2020"]
    # events alpha and charlie; non-events bravo, delta, echo. alpha beats all three; charlie
    # beats delta and echo but not bravo: (3 + 2) / 6.
    assert (result.n, result.events) == (5, 2)
    assert result.auc == pytest.approx(5 / 6)
    assert result.accuracy_ratio == pytest.approx(2 / 3)
    assert [c.id for c in result.cases] == sorted(scores)
    assert sum(g.n for g in result.by_grade) == 5
    grades = [g.grade for g in engine.config.rating.scale]
    assert [g.grade for g in result.by_grade] == sorted(
        {c.rating for c in result.cases}, key=grades.index
    )
    assert set(result.metrics) == {m.name for m in engine.metrics}
    assert result.metrics["revenue_coverage"] == pytest.approx(5 / 6)
    assert result.metrics["customer_concentration"] is None  # no case lists customers
    data = json.loads(result.to_json())
    assert list(data) == [
        "schema_version", "n", "events", "auc", "auc_ci", "accuracy_ratio", "by_grade",
        "cases", "metrics", "scenario",
    ]  # fmt: skip
    assert list(data["cases"][0]) == ["id", "score", "rating", "outcome"]  # the keys
    alpha = next(c for c in result.cases if c.id == "alpha-2020")
    assert (alpha.company, alpha.as_of) == ("alpha", "2020-01-15")  # for the renderers
    assert list(data["by_grade"][0]) == ["grade", "n", "events", "rate"]


def test_outcomes_may_be_a_mapping_and_a_scenario_counts(cases: Path) -> None:
    engine = riskcore.Engine(allow=[])
    mapping = {"alpha-2020": 1, "bravo-2020": 0, "charlie-2020": 1, "delta-2020": 0, "echo-2020": 0}
    base = riskcore.backtest([cases], mapping, engine=engine)
    bear = riskcore.backtest([cases], mapping, engine=engine, scenario="bear")
    assert bear.scenario == "bear"
    assert all(
        (b.score or 0) >= (a.score or 0) - 1e-9 for a, b in zip(base.cases, bear.cases, strict=True)
    )


def test_jsonl_cases_take_their_id(tmp_path: Path) -> None:
    lines = [{"id": "one", **book("One", "10B", "400B")}, {"id": "two", **book("Two", "10B", "2B")}]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert [c.id for c in find_cases([path])] == ["one", "two"]
    result = riskcore.backtest([path], {"one": 1, "two": 0}, engine=riskcore.Engine(allow=[]))
    assert result.auc == 1.0
    path.write_text(json.dumps(book("Three", "1B", "1B")) + "\n")
    with pytest.raises(riskcore.PortfolioError, match="a JSONL case needs an `id`"):
        find_cases([path])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD + "echo-2020,1,,,\n",
            "outcomes.csv: echo-2020 (line 7): a second outcome row (the first is line 6)",
        ),
        (
            GOOD.replace("echo-2020,0,,,\n", ""),
            "outcomes.csv: echo-2020: the case {cases}/echo-2020.yaml has no outcome row",
        ),
        (
            GOOD + "foxtrot-2020,0,,,\n",
            "outcomes.csv: foxtrot-2020 (line 7): an outcome row with no case",
        ),
        (
            GOOD.replace("bravo-2020,0", "bravo-2020,yes"),
            "bravo-2020 (line 3): outcome must be 0 or 1, got 'yes'",
        ),
        (
            "name,outcome\nalpha-2020,1\n",
            "header (line 1): got 'name,outcome'; expected id,outcome",
        ),
        ("", "outcomes.csv: (document): the file is empty"),
        (
            GOOD.replace("bravo-2020,0,,,", "bravo-2020,0,,"),
            "row (line 3): has 4 fields, the header 5",
        ),
    ],
)
def test_a_bad_outcomes_file_exits_2_naming_file_line_and_id(
    cases: Path, tmp_path: Path, text: str, message: str
) -> None:
    path = outcomes(tmp_path, text)
    result = CliRunner().invoke(cli, ["backtest", str(cases), "--outcomes", str(path)])
    assert result.exit_code == 2, result.output
    assert message.format(cases=cases) in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_outcomes_file_exits_2(cases: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["backtest", str(cases), "--outcomes", str(tmp_path / "missing.csv")]
    )
    assert result.exit_code == 2
    assert "missing.csv: (document): cannot read: No such file or directory" in result.output
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00id")
    with pytest.raises(OutcomesError, match="cannot read"):
        load_outcomes(tmp_path / "binary.csv")


def test_a_missing_cases_path_exits_2_naming_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["backtest", str(tmp_path / "nowhere"), "--outcomes", str(outcomes(tmp_path, GOOD))]
    )
    assert result.exit_code == 2
    assert f"no such file or folder: {tmp_path / 'nowhere'}" in result.output


def test_one_class_only_exits_2_with_a_clear_message(cases: Path, tmp_path: Path) -> None:
    text = GOOD.replace(",1,", ",0,")
    result = CliRunner().invoke(
        cli, ["backtest", str(cases), "--outcomes", str(outcomes(tmp_path, text))]
    )
    assert result.exit_code == 2
    assert "the backtest needs cases of both outcomes, 1 and 0" in result.output
    assert "only outcome 0 among the rated cases" in result.output


def test_the_command_prints_the_table_json_and_html(cases: Path, tmp_path: Path) -> None:
    path = outcomes(tmp_path, GOOD)
    runner = CliRunner()
    table = runner.invoke(cli, ["backtest", str(cases), "--outcomes", str(path)])
    assert table.exit_code == 0, table.output
    assert table.output.startswith("Backtest: 5 rated cases, 2 events\nAUC 0.833")
    assert "Each metric's own AUC" in table.output
    as_json = runner.invoke(
        cli, ["backtest", str(cases), "--outcomes", str(path), "--format", "json"]
    )
    assert json.loads(as_json.output)["auc"] == pytest.approx(5 / 6)
    page = tmp_path / "backtest.html"
    html = runner.invoke(
        cli, ["backtest", str(cases), "--outcomes", str(path), "--format", "html", "-o", str(page)]
    )
    assert html.exit_code == 0, html.output
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert 'id="backtest-cap"' in text and "<svg" in text
    assert "Cumulative accuracy profile of 5 cases and 2 events" in text
    assert "Perfect" in text and "Random" in text
    again = tmp_path / "again.html"
    runner.invoke(
        cli, ["backtest", str(cases), "--outcomes", str(path), "--format", "html", "-o", str(again)]
    )
    assert again.read_bytes() == page.read_bytes()  # same input, same bytes


def test_the_console_script_runs_the_bundled_library() -> None:
    cases = ROOT / "configs" / "cases"
    result = subprocess.run(
        [sys.executable, "-m", "riskcore", "backtest", str(cases), "--outcomes",
         str(cases / "outcomes.csv"), "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    outcomes_ = [c["outcome"] for c in data["cases"]]
    assert len(data["cases"]) >= 20
    assert outcomes_.count(1) >= 8 and outcomes_.count(0) >= 8
    assert 0 <= data["auc"] <= 1
