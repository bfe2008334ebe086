"""Synthetic portfolios (`riskcore/generate.py`): reproducible per (seed, index), always valid,
realistic in spread, and written as they come (JSONL or one YAML file each).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import math
import os
import re
import subprocess
import sys
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import riskcore
from riskcore.generate import (
    _VENDORS,
    ecosystem_plan,
    generate_ecosystem,
    generate_portfolio,
    generate_portfolios,
    portfolio_rng,
    write_portfolios,
)
from riskcore.loading import load_portfolio
from riskcore.money import parse_money
from riskcore.portfolio import normalize_name
from riskcore.report import dumps

SAMPLE = 300
RISKCORE = str(Path(sys.executable).with_name("riskcore"))


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(generate_portfolios(SAMPLE, seed=0))


def digest(portfolios: Iterator[dict[str, Any]]) -> str:
    h = hashlib.sha256()
    for data in portfolios:
        h.update(dumps(data, None).encode())
    return h.hexdigest()


def resolver(data: dict[str, Any]) -> dict[str, str]:
    """Normalised spelling -> group, as the engine resolves counterparty names."""
    names: dict[str, str] = {}
    for group, spec in data.get("counterparties", {}).items():
        for spelling in [group, *spec["aliases"]]:
            names[normalize_name(spelling)] = group
    return names


def group(names: dict[str, str], name: str) -> str:
    return names.get(normalize_name(name), name)


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    write_portfolios(generate_portfolios(20, seed=5), tmp_path / "a.jsonl")
    write_portfolios(generate_portfolios(20, seed=5), tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    write_portfolios(generate_portfolios(3, seed=5), tmp_path / "a")
    write_portfolios(generate_portfolios(3, seed=5), tmp_path / "b")
    for name in ("synth-000000.yaml", "synth-000001.yaml", "synth-000002.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seeds_differ() -> None:
    a, b = list(generate_portfolios(10, seed=1)), list(generate_portfolios(10, seed=2))
    assert all(x != y for x, y in zip(a, b, strict=True))


def test_portfolio_i_does_not_depend_on_count_or_slice() -> None:
    five = list(generate_portfolios(5, seed=9))
    fifty = list(generate_portfolios(50, seed=9))
    assert five == fifty[:5]
    assert list(generate_portfolios(3, seed=9, start=20)) == fifty[20:23]
    assert generate_portfolio(portfolio_rng(9, 42), 42, seed=9) == fifty[42]


def test_same_output_in_another_process() -> None:
    # The str seed is hashed with SHA-512, not hash(): PYTHONHASHSEED must not matter.
    code = (
        "import hashlib; from riskcore.generate import generate_portfolios as g; "
        "from riskcore.report import dumps; h = hashlib.sha256(); "
        "[h.update(dumps(p, None).encode()) for p in g(20, 11)]; print(h.hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == digest(generate_portfolios(20, seed=11))


def test_negative_count_or_start_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        next(generate_portfolios(-1, seed=0))
    with pytest.raises(ValueError, match="must not be negative"):
        next(generate_portfolios(1, seed=0, start=-1))
    assert list(generate_portfolios(0, seed=0)) == []


# --- validity --------------------------------------------------------------------------------


def test_every_portfolio_validates_and_scores_without_errors(
    sample: list[dict[str, Any]],
) -> None:
    engine = riskcore.Engine(allow=[])
    ratings: Counter[str] = Counter()
    for data in sample:
        report = engine.score(data)
        problems = [(m.name, m.message) for m in report.metrics if m.status == "error"]
        assert not problems, (data["company"]["name"], problems)
        ratings[report.rating] += 1
        # As JSON (year keys become text) it loads to the same portfolio.
        assert load_portfolio(json.loads(dumps(data, None))) == load_portfolio(data)
    assert len(ratings) >= 5  # a spread of grades, not one answer for every book


def test_no_two_vendors_share_a_spelling() -> None:
    seen: dict[str, str] = {}
    for vendor in _VENDORS:
        for spelling in (vendor.name, *vendor.aliases):
            assert seen.setdefault(normalize_name(spelling), vendor.name) == vendor.name


# --- realism ---------------------------------------------------------------------------------


def test_fields_stay_in_their_ranges(sample: list[dict[str, Any]]) -> None:
    for index, data in enumerate(sample):
        company, financials = data["company"], data["financials"]
        assert re.fullmatch(r"Synth \d{6} \w+", company["name"])
        assert company["name"].startswith(f"Synth {index:06d} ")
        assert company["currency"] == "USD"
        as_of = dt.date.fromisoformat(company["as_of"])
        assert dt.date(2024, 1, 1) <= as_of <= dt.date(2026, 12, 31)
        assert 0.2e9 * 0.995 <= parse_money(financials["revenue"]) <= 200e9 * 1.005
        growth = financials.get("revenue_growth")
        assert growth is None or -0.1 <= growth <= 1.5
        forecast = financials.get("revenue_forecast", {})
        assert set(forecast) <= {as_of.year + k for k in (1, 2, 3)}
        assert 3 <= len(data["commitments"]) <= 30
        assert len(data.get("financing", [])) <= 6
        portfolio = load_portfolio(data)
        months = as_of.year * 12 + as_of.month - 1
        for row, (raw, c) in enumerate(
            zip(data["commitments"], portfolio.commitments, strict=True)
        ):
            assert raw["source"] == f"synthetic://0/{index}/{row}"
            if c.start is not None:
                assert abs(c.start.year * 12 + c.start.month - 1 - months) <= 36
            if c.term_years is not None:
                assert 1 <= c.term_years <= 15
            if c.schedule is not None and c.amount is not None:
                assert c.amount == pytest.approx(sum(c.schedule.values()), rel=1e-9)
        for row, raw in enumerate(data.get("financing", [])):
            assert raw["source"] == f"synthetic://0/{index}/f{row}"


def test_the_sample_covers_every_feature(sample: list[dict[str, Any]]) -> None:
    counts = Counter(len(d["commitments"]) for d in sample)
    assert counts[3] >= 3 and counts[30] >= 3, counts
    seen: Counter[str] = Counter()
    for data in sample:
        names = resolver(data)
        aliases = {
            normalize_name(a) for s in data.get("counterparties", {}).values() for a in s["aliases"]
        }
        vendors = set()
        for row in data["commitments"]:
            vendors.add(group(names, row["counterparty"]))
            seen[f"kind:{row['kind']}"] += 1
            seen[f"profile:{row['profile']}"] += 1
            seen[f"status:{row['status']}"] += 1
            seen["alias"] += normalize_name(row["counterparty"]) in aliases
            seen["capacity"] += "capacity_gw" in row
            seen["estimated"] += "amount" not in row and row["profile"] != "explicit"
            seen["end"] += "end" in row
            for value in (row.get("amount"), *row.get("schedule", {}).values()):
                seen["text money" if isinstance(value, str) else "number money"] += (
                    value is not None
                )
        for row in data.get("financing", []):
            seen["vendor financing"] += group(names, row["investor"]) in vendors
            seen["conditional"] += row.get("conditional", False)
        seen["forecast"] += "revenue_forecast" in data["financials"]
        seen["demand"] += "demand_gw" in data["financials"]
        seen["no financing"] += not data.get("financing")
    for kind in ("cloud", "chips", "datacenter", "power", "other"):
        assert seen[f"kind:{kind}"] >= 20, kind
    for feature in (
        "profile:ramp",
        "profile:explicit",
        "status:announced",
        "status:loi",
        "alias",
        "capacity",
        "estimated",
        "end",
        "text money",
        "number money",
        "vendor financing",
        "conditional",
        "forecast",
        "demand",
        "no financing",
    ):
        assert seen[feature] >= 10, feature


def test_book_size_tracks_revenue(sample: list[dict[str, Any]]) -> None:
    # Amounts are drawn as 0.5x-60x revenue; estimated rows move that a little.
    multiples = []
    for data in sample:
        portfolio = load_portfolio(data)
        total = 0.0
        for c in portfolio.commitments:
            if c.amount is not None:
                total += c.amount
            elif c.schedule:
                total += sum(c.schedule.values())
            else:
                total += (c.capacity_gw or 0) * {"chips": 35e9, "power": 10e9}.get(c.kind, 50e9)
        multiples.append(total / portfolio.financials.revenue)
    assert 0.3 < min(multiples) < 2
    assert 20 < max(multiples) < 150
    multiples.sort()
    assert 3 < multiples[len(multiples) // 2] < 12  # log-uniform median: sqrt(0.5 x 60) = 5.5


# --- writing ---------------------------------------------------------------------------------


def test_write_jsonl(tmp_path: Path) -> None:
    output = tmp_path / "out" / "synth.jsonl"
    assert write_portfolios(generate_portfolios(25, seed=3), output) == 25
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25
    expected = list(generate_portfolios(25, seed=3))
    for line, data in zip(lines, expected, strict=True):
        assert line == dumps(data, None)
        assert load_portfolio(json.loads(line)) == load_portfolio(data)


def test_write_directory(tmp_path: Path) -> None:
    output = tmp_path / "books"
    assert write_portfolios(generate_portfolios(12, seed=3), output) == 12
    files = sorted(p.name for p in output.iterdir())
    assert files == [f"synth-{i:06d}.yaml" for i in range(12)]
    expected = list(generate_portfolios(12, seed=3))
    for name, data in zip(files, expected, strict=True):
        assert load_portfolio(output / name) == load_portfolio(data)


def test_write_directory_numbers_a_slice_from_its_start(tmp_path: Path) -> None:
    assert write_portfolios(generate_portfolios(2, seed=3, start=40), tmp_path, start=40) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth-000040.yaml", "synth-000041.yaml"]
    assert "Synth 000041 " in (tmp_path / "synth-000041.yaml").read_text(encoding="utf-8")


def test_generation_and_writing_stream(tmp_path: Path) -> None:
    assert inspect.isgenerator(generate_portfolios(10**9, seed=0))  # nothing is built up front
    pulled = 0

    def counting() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for data in generate_portfolios(400, seed=1):
            pulled += 1
            yield data

    tracemalloc.start()
    try:
        written = write_portfolios(counting(), tmp_path / "big.jsonl")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == pulled == 400
    size = (tmp_path / "big.jsonl").stat().st_size
    assert size > 1_000_000  # 400 portfolios as compact JSON
    assert peak < size / 4, (peak, size)  # never all of them at once


# --- ecosystems (riskcore network's inputs) --------------------------------------------------


def test_ecosystem_same_seed_same_bytes(tmp_path: Path) -> None:
    command = [RISKCORE, "generate", "--ecosystem", "--count", "25", "--seed", "3", "-o"]
    for name in ("a", "b"):
        result = subprocess.run(
            [*command, str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(files) == 25
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert list(generate_ecosystem(25, seed=3)) != list(generate_ecosystem(25, seed=4))


def test_ecosystem_start_is_refused() -> None:
    result = subprocess.run(
        [RISKCORE, "generate", "--ecosystem", "--count", "5", "--start", "2", "-o", "x.jsonl"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--start does not apply to --ecosystem" in result.stderr


def test_ecosystem_companies_buy_from_each_other() -> None:
    docs = list(generate_ecosystem(200, seed=1))
    names = [d["company"]["name"] for d in docs]
    assert len(set(names)) == 200
    financed = 0
    for doc in docs:
        portfolio = load_portfolio(doc)  # every one validates
        vendors = {c.counterparty for c in portfolio.commitments}
        assert 2 <= len(vendors) <= 5, vendors  # a few vendors each, none twice as a group
        assert vendors <= set(names) - {portfolio.company.name}
        for f in portfolio.financing:  # money back comes from one of its own vendors
            assert f.investor in vendors
            financed += 1
    assert 0.15 <= financed / 200 <= 0.35  # about a quarter
    assert sum("backlog" in d["financials"] for d in docs) > 50


def test_ecosystem_plan_shapes_the_benchmark_graph() -> None:
    plan = ecosystem_plan(1000, seed=0, vendors=(3, 6), financing_share=0.5)
    flows = {(c.index, v) for c in plan for v, _ in c.vendors}
    flows |= {(c.financier, c.index) for c in plan if c.financier is not None}
    assert 4.5 <= len(flows) / 1000 <= 5.5  # about five flows per company
    indegree = Counter(v for _, v in flows)
    assert max(indegree.values()) > 3 * len(flows) / 1000  # larger companies are hubs
    assert all(abs(math.fsum(s for _, s in c.vendors) - 1) < 1e-9 for c in plan)
    with pytest.raises(ValueError, match="vendors"):
        ecosystem_plan(10, seed=0, vendors=(3, 2))
