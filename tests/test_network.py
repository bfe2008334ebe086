"""The network view (`riskcore/network.py`, `riskcore network`): a small ecosystem worked by hand,
the JSON contract, entity names, errors, contagion rules, and properties that must hold for any
input (renaming, reordering, networkx's cycles as the oracle)."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcore.cli import cli
from riskcore.config import Config
from riskcore.defaults import load_config
from riskcore.errors import ConfigError, PortfolioError, UsageError
from riskcore.generate import generate_ecosystem
from riskcore.loading import load_portfolio
from riskcore.network import (
    NetworkError,
    NetworkResult,
    Settings,
    Source,
    analyse,
    build_network,
    find_cycles,
    load_entities,
    resolve_entity,
    run_contagion,
)
from riskcore.render import render_network_table

RISKCORE = str(Path(sys.executable).with_name("riskcore"))
ROOT = Path(__file__).parent.parent
ECOSYSTEM = ROOT / "configs" / "ecosystem"
B = 1e9
CONFIG: Config = load_config()[0]
SETTINGS = Settings.from_config(CONFIG)


def company(
    name: str,
    revenue: str,
    owes: dict[str, str],
    financing: dict[str, str] | None = None,
    backlog: str | None = None,
    currency: str = "USD",
) -> dict[str, Any]:
    """A portfolio whose commitments all run the 12 months of 2025 from as_of (2025-01-15), so
    each remaining value is exactly its amount."""
    financials: dict[str, Any] = {"revenue": revenue, "revenue_growth": 0.0}
    if backlog is not None:
        financials["backlog"] = backlog
    return {
        "company": {"name": name, "as_of": "2025-01-15", "currency": currency},
        "financials": financials,
        "commitments": [
            {"counterparty": v, "kind": "cloud", "amount": a, "start": "2025-01", "term_years": 1}
            for v, a in owes.items()
        ],
        "financing": [{"investor": i, "amount": a} for i, a in (financing or {}).items()],
    }


# The hand-worked ecosystem. A, B, C have portfolios; D has none.
#   A -> B 10B (commitment) + 3B (A invests in B)  = 13B    A -> D 5B
#   B -> C 6B      C -> A 4B      C -> B 1B        D -> A 2B (D invests in A)
# Cycles: A->B->C->A min(13, 6, 4) = 4B; A->D->A min(5, 2) = 2B; B->C->B min(6, 1) = 1B.
HAND = {
    "a.yaml": company("A", "10B", {"B": "10B", "D": "5B"}, {"D": "2B"}),
    "b.yaml": company("B", "20B", {"C": "6B"}, {"A": "3B"}),
    "c.yaml": company("C", "4B", {"A": "4B", "B": "1B"}, backlog="12B"),
}


def sources(docs: dict[str, dict[str, Any]]) -> list[Source]:
    return [Source(name, load_portfolio(doc)) for name, doc in docs.items()]


def network_of(docs: dict[str, dict[str, Any]], **kwargs: Any) -> Any:
    return build_network(sources(docs), kwargs.pop("settings", SETTINGS), **kwargs)


def write(folder: Path, docs: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RISKCORE, *args], capture_output=True, text=True, check=False)


# -- the hand-worked ecosystem ----------------------------------------------------------------


def test_graph_sums_edges_per_direction() -> None:
    net = network_of(HAND)
    assert net.names == ("A", "B", "C", "D")
    named = {(net.names[a], net.names[b]): w for (a, b), w in net.flows.items()}
    assert named == {
        ("A", "B"): 13 * B,
        ("A", "D"): 5 * B,
        ("B", "C"): 6 * B,
        ("C", "A"): 4 * B,
        ("C", "B"): 1 * B,
        ("D", "A"): 2 * B,
    }
    assert sorted(net.companies) == [0, 1, 2]  # D has no portfolio


def test_cycles_amounts_and_in_cycles() -> None:
    result = analyse(network_of(HAND))
    assert [(c.path, c.amount) for c in result.cycles] == [
        (["A", "B", "C"], 4 * B),
        (["A", "D"], 2 * B),
        (["B", "C"], 1 * B),
    ]
    assert {e.name: (e.has_portfolio, e.in_cycles) for e in result.entities} == {
        "A": (True, 6 * B),  # 4 + 2
        "B": (True, 5 * B),  # 4 + 1
        "C": (True, 5 * B),  # 4 + 1
        "D": (False, 2 * B),
    }
    assert result.truncated is False


def test_max_cycles_cuts_the_list_but_not_in_cycles() -> None:
    result = analyse(network_of(HAND), max_cycles=1)
    assert [c.path for c in result.cycles] == [["A", "B", "C"]]
    assert result.truncated is True and result.cycle_count == 3
    assert {e.name: e.in_cycles for e in result.entities}["D"] == 2 * B
    assert analyse(network_of(HAND), max_cycles=3).truncated is False
    # Two hops at most: the 3-hop cycle goes.
    assert [c.path for c in analyse(network_of(HAND), max_cycle=2).cycles] == [
        ["A", "D"],
        ["B", "C"],
    ]


def test_exposure_shares_and_order() -> None:
    rows = [
        (x.vendor, x.customer, x.amount, x.owed, x.share_of_owed, x.share_of_backlog)
        for x in analyse(network_of(HAND)).exposure
    ]
    # Single-customer vendors first (share 1), by what they are owed: C 6B, D 5B, A 4B; then B,
    # owed 11B, 10/11 of it by A. C's backlog is 12B: B's 6B is half of it. Financing is not owed.
    assert rows == [
        ("C", "B", 6 * B, 6 * B, 1.0, 0.5),
        ("D", "A", 5 * B, 5 * B, 1.0, None),
        ("A", "C", 4 * B, 4 * B, 1.0, None),
        ("B", "A", 10 * B, 11 * B, 10 / 11, None),
        ("B", "C", 1 * B, 11 * B, 1 / 11, None),
    ]


def test_contagion_rounds_and_losses() -> None:
    # A defaults: B loses 10B > 25% of 20B and defaults in round 2; then C loses 6B > 25% of 4B
    # and defaults in round 3. C's default costs A (already down) 4B and B 1B more.
    scenario = run_contagion(network_of(HAND), ["A"], recovery=0.0, stress_threshold=0.25)
    assert scenario.defaults == ["A"]
    assert scenario.rounds == [["A"], ["B"], ["C"]]
    assert [(x.entity, x.loss, x.share_of_revenue) for x in scenario.losses] == [
        ("B", 11 * B, 0.55),
        ("C", 6 * B, 1.5),
        ("D", 5 * B, None),  # no portfolio: takes losses, never defaults
        ("A", 4 * B, 0.4),
    ]


def test_contagion_threshold_is_strict_and_recovery_pays_part() -> None:
    # Recovery 50%: B loses 5B, exactly 25% of its 20B: not above it, so no second round.
    scenario = run_contagion(network_of(HAND), ["A"], recovery=0.5, stress_threshold=0.25)
    assert scenario.rounds == [["A"]]
    assert [(x.entity, x.loss) for x in scenario.losses] == [("B", 5 * B), ("D", 2.5 * B)]
    # Full recovery: nobody loses anything.
    assert run_contagion(network_of(HAND), ["A"], 1.0, 0.25).losses == []
    with pytest.raises(UsageError, match="recovery"):
        run_contagion(network_of(HAND), ["A"], 1.5, 0.25)
    with pytest.raises(UsageError, match="no entity called 'a' in the network"):
        run_contagion(network_of(HAND), ["a"], 0.0, 0.25)  # the library takes display names
    with pytest.raises(UsageError, match="max_cycles"):
        analyse(network_of(HAND), max_cycles=-1)


def test_contagion_all_is_each_company_alone() -> None:
    result = analyse(network_of(HAND), contagion_all=True, defaults=["B", "C"])
    assert [s.defaults for s in result.contagion] == [["B", "C"], ["A"], ["B"], ["C"]]
    # B alone: C loses 6B > 1B: round 2 C; C's default costs A 4B > 2.5B: round 3 A.
    assert result.contagion[2].rounds == [["B"], ["C"], ["A"]]


def test_json_contract_keys() -> None:
    data = json.loads(analyse(network_of(HAND), defaults=["A"]).to_json())
    assert list(data) == [
        "schema_version",
        "entities",
        "cycles",
        "truncated",
        "exposure",
        "contagion",
    ]
    assert data["schema_version"] == 1
    assert list(data["entities"][0]) == ["name", "has_portfolio", "in_cycles"]
    assert list(data["cycles"][0]) == ["path", "amount"]
    assert list(data["exposure"][0]) == [
        "vendor", "customer", "amount", "owed", "share_of_owed", "share_of_backlog",
    ]  # fmt: skip
    assert list(data["contagion"][0]) == ["defaults", "rounds", "losses"]
    assert list(data["contagion"][0]["losses"][0]) == ["entity", "loss", "share_of_revenue"]
    assert data["contagion"][0]["losses"][2] == {
        "entity": "D", "loss": 5e9, "share_of_revenue": None,
    }  # fmt: skip


# -- names, config and inputs ------------------------------------------------------------------


def test_names_match_across_files_and_take_the_first_spelling() -> None:
    docs = {
        "x.yaml": company("OpenAI", "13B", {"  nvidia ": "5B"}, {"NVIDIA": "1B"}),
        "y.yaml": company("Oracle", "57B", {"Nvidia": "1B"}),
        "z.yaml": company("openai labs", "1B", {"ORACLE": "2B"}),
    }
    net = network_of(docs)
    # "NVIDIA" sorts before "Nvidia" and "nvidia"; "ORACLE" before "Oracle".
    assert net.names == ("NVIDIA", "ORACLE", "OpenAI", "openai labs")


def test_portfolio_aliases_resolve_their_own_rows_only() -> None:
    a = company("A", "10B", {"OCI": "1B"})
    a["counterparties"] = {"Oracle": {"aliases": ["OCI"]}}
    b = company("B", "10B", {"OCI": "1B"})  # no alias here: OCI is its own entity
    assert network_of({"a.yaml": a, "b.yaml": b}).names == ("A", "B", "OCI", "Oracle")


def test_entities_file_joins_spellings(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text("Oracle: {aliases: [OCI, Oracle Corporation]}\nNVIDIA: {aliases: [NVDA]}\n")
    entities = load_entities(path)
    assert entities == {"Oracle": ("OCI", "Oracle Corporation"), "NVIDIA": ("NVDA",)}
    docs = {
        "a.yaml": company("A", "10B", {"OCI": "1B", "nvda": "2B"}),
        "o.yaml": company("Oracle Corporation", "57B", {"NVIDIA": "3B"}),
    }
    net = network_of(docs, entities=entities)
    assert net.names == ("A", "NVIDIA", "Oracle")
    assert net.companies[2].source == "o.yaml"
    assert resolve_entity(net, "oracle corporation", entities) == "Oracle"
    assert resolve_entity(net, "NVDA", entities) == "NVIDIA"


def test_conditional_weight_comes_from_the_config() -> None:
    doc = company("A", "10B", {"V": "4B"})
    doc["financing"] = [{"investor": "V", "amount": "2B", "conditional": True}]
    half = Settings.from_config(
        load_config({"metrics": {"circular_financing": {"conditional_weight": 0.5}}})[0]
    )
    assert network_of({"a.yaml": doc}, settings=half).flows[(1, 0)] == 1 * B
    none = Settings.from_config(
        load_config({"metrics": {"circular_financing": {"conditional_weight": 0}}})[0]
    )
    assert (1, 0) not in network_of({"a.yaml": doc}, settings=none).flows  # no money: no edge
    assert [c.path for c in find_cycles(network_of({"a.yaml": doc}))] == [["A", "V"]]
    with pytest.raises(ConfigError, match="conditional_weight"):
        Settings.from_config(
            load_config({"metrics": {"circular_financing": {"conditional_weight": "x"}}})[0]
        )


def test_stress_threshold_config() -> None:
    assert CONFIG.network.stress_threshold == 0.25
    assert load_config({"network": {"stress_threshold": 0.6}})[0].network.stress_threshold == 0.6
    for bad in ({"stress_threshold": -0.1}, {"stress_treshold": 0.3}):
        with pytest.raises(ConfigError, match=r"network\.stress_t"):
            load_config({"network": bad})


def test_remaining_values_are_as_of_each_portfolio() -> None:
    # 12B over 2025; as of 2025-07-15 six months (6B) are left.
    late = company("L", "10B", {"V": "12B"})
    late["company"]["as_of"] = "2025-07-15"
    assert network_of({"l.yaml": late}).commitments[(0, 1)] == 6 * B


def test_same_entity_twice_names_both_files() -> None:
    docs = {
        "one.yaml": company("OpenAI", "1B", {"V": "1B"}),
        "two.yaml": company("openai", "1B", {"W": "1B"}),
    }
    with pytest.raises(NetworkError) as caught:
        network_of(docs)
    assert "one.yaml and two.yaml are both portfolios of 'openai'" in str(caught.value)


def test_mixed_currencies_name_both_files() -> None:
    docs = {
        "us.yaml": company("A", "1B", {"V": "1B"}),
        "eu.yaml": company("B", "1B", {"V": "1B"}, currency="EUR"),
    }
    with pytest.raises(NetworkError, match=r"eu\.yaml is in EUR but us\.yaml is in USD"):
        network_of(docs)


def test_renderer_shows_every_section() -> None:
    result = analyse(network_of(HAND), defaults=["A"], max_cycles=2)
    text = render_network_table(result)
    assert text.startswith("Ecosystem network — 4 entities (3 with a portfolio), 3 cycles")
    assert "$4.0B     A -> B -> C -> A\n$2.0B     A -> D -> A\n" in text
    assert "(the 2 largest of 3; --max-cycles shows more)" in text
    assert "C         B           $6.0B         100.0%   $6.0B          50.0%" in text
    assert "Contagion if A defaults (recovery 0%" in text
    assert "- round 2: B\n- round 3: C\n" in text
    paid = company("P", "1B", {"V": "1B"})
    paid["company"]["as_of"] = "2026-03-01"  # everything paid: no edge, nobody owed
    assert "by customer (largest single share first)\nnone\n" in render_network_table(
        analyse(network_of({"p.yaml": paid}))
    )
    empty = analyse(network_of({"a.yaml": company("A", "1B", {"V": "1B"})}), defaults=["V"])
    shown = render_network_table(empty)
    assert "cycles of at most 4 hops (USD)\n\nMoney-flow cycles" in shown
    assert "\nnone\n" in shown and shown.endswith("- round 1: V\nno losses\n")


# -- the command -------------------------------------------------------------------------------


def test_cli_json_is_the_result(tmp_path: Path) -> None:
    folder = write(tmp_path / "eco", HAND)
    result = run("network", str(folder), "--default", "a", "--format", "json")
    assert result.returncode == 0, result.stderr
    expected = analyse(network_of({str(folder / k): v for k, v in HAND.items()}), defaults=["A"])
    assert result.stdout == expected.to_json() + "\n"


def test_cli_table_jsonl_and_options(tmp_path: Path) -> None:
    jsonl = tmp_path / "eco.jsonl"
    jsonl.write_text("".join(json.dumps(doc) + "\n" for doc in HAND.values()))
    config = tmp_path / "c.toml"
    config.write_text("[network]\nstress_threshold = 0.6\n")
    args = [str(jsonl), "--contagion", "all", "--recovery", "0.2", "--config", str(config)]
    out = CliRunner().invoke(cli, ["network", *args, "--max-cycle", "2", "--max-cycles", "1"])
    assert out.exit_code == 0, out.output
    assert "2 cycles of at most 2 hops" in out.output
    assert (
        "recovery 20%; a company defaults when it loses more than 60% of its revenue" in out.output
    )
    # A alone at 60%: B loses 8B of 20B (40%), not enough; so one round only.
    assert (
        "Contagion if A defaults" in out.output and "- round 2" not in out.output.split("if B")[0]
    )


def test_cli_bad_inputs_exit_2(tmp_path: Path) -> None:
    folder = write(tmp_path / "eco", HAND)
    twice = write(tmp_path / "twice", {"x.yaml": HAND["a.yaml"], "y.yaml": HAND["a.yaml"]})
    result = run("network", str(twice))
    assert result.returncode == 2
    assert "x.yaml and" in result.stderr and "y.yaml are both portfolios of 'A'" in result.stderr
    assert "Traceback" not in result.stderr

    unknown = run("network", str(folder), "--default", "Z")
    assert unknown.returncode == 2
    assert "Error: --default Z: no entity of that name in the network" in unknown.stderr

    bad_entities = tmp_path / "entities.yaml"
    bad_entities.write_text("Oracle: {aliases: OCI}\nORCL: {aliases: [oracle]}\n")
    result = run("network", str(folder), "--entities", str(bad_entities))
    assert result.returncode == 2
    assert f"Error: {bad_entities}: Oracle.aliases (line 1): expected a list" in result.stderr
    clash = tmp_path / "clash.yaml"
    clash.write_text("Oracle: {aliases: [OCI]}\nORCL: {aliases: [oracle]}\n")
    result = run("network", str(folder), "--entities", str(clash))
    assert result.returncode == 2
    assert "Oracle.aliases: 'Oracle' already names the entity 'ORCL'" in result.stderr

    broken = write(tmp_path / "broken", {"a.yaml": HAND["a.yaml"]})
    (broken / "bad.yaml").write_text("company: {name: X}\n")
    result = run("network", str(broken))
    assert result.returncode == 2
    assert f"Error: {broken / 'bad.yaml'}: " in result.stderr and "company.as_of" in result.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no portfolio files found" in run("network", str(empty)).stderr
    unreadable = run("network", str(tmp_path / "missing.jsonl"))
    assert unreadable.returncode == 2 and "cannot read" in unreadable.stderr
    assert run("network", str(folder), "--recovery", "2").returncode == 2


def test_cli_debug_keeps_the_traceback(tmp_path: Path) -> None:
    folder = write(tmp_path / "eco", HAND)
    result = CliRunner().invoke(cli, ["network", str(folder), "--default", "Z", "--debug"])
    assert isinstance(result.exception, UsageError)
    (folder / "bad.yaml").write_text("company: {name: X}\n")
    result = CliRunner().invoke(cli, ["network", str(folder), "--debug"])
    assert isinstance(result.exception, PortfolioError)


# -- properties --------------------------------------------------------------------------------

NAMES = ["Alpha", "Beta", "Gamma", "Delta", "Omega", "Sigma"]


@st.composite
def ecosystems(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """2-5 companies owing each other (and outsiders) whole billions, some investing back."""
    count = draw(st.integers(2, 5))
    names = NAMES[:count]
    docs: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(names):
        pool = [n for n in NAMES if n != name]
        vendors = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
        owes = {v: f"{draw(st.integers(1, 30))}B" for v in vendors}
        investors = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))
        financing = {v: f"{draw(st.integers(1, 20))}B" for v in investors}
        revenue = f"{draw(st.integers(1, 40))}B"
        docs[f"f{i}.yaml"] = company(name, revenue, owes, financing)
    return docs


def rename(docs: dict[str, dict[str, Any]], mapping: dict[str, str]) -> dict[str, dict[str, Any]]:
    out = copy.deepcopy(docs)
    for doc in out.values():
        doc["company"]["name"] = mapping[doc["company"]["name"]]
        for row in doc["commitments"]:
            row["counterparty"] = mapping[row["counterparty"]]
        for row in doc["financing"]:
            row["investor"] = mapping[row["investor"]]
    return out


def comparable(result: NetworkResult, back: dict[str, str] | None = None) -> dict[str, Any]:
    """The result with names mapped back, and every list whose order follows names as a set."""
    m = back or {}

    def n(name: str) -> str:
        return m.get(name, name)

    def cycle(path: list[str]) -> tuple[str, ...]:
        names = [n(x) for x in path]
        first = names.index(min(names))
        return tuple(names[first:] + names[:first])

    return {
        "entities": {(n(e.name), e.has_portfolio, e.in_cycles) for e in result.entities},
        "cycles": {(cycle(c.path), c.amount) for c in result.cycles},
        "exposure": {
            (n(x.vendor), n(x.customer), x.amount, x.owed, x.share_of_owed, x.share_of_backlog)
            for x in result.exposure
        },
        "contagion": [
            (
                frozenset(map(n, s.defaults)),
                [frozenset(map(n, r)) for r in s.rounds],
                {(n(x.entity), x.loss, x.share_of_revenue) for x in s.losses},
            )
            for s in result.contagion
        ],
    }


@settings(max_examples=30, deadline=None)
@given(ecosystems(), st.randoms(use_true_random=False))
def test_renaming_and_reordering_change_nothing(
    docs: dict[str, dict[str, Any]], rng: random.Random
) -> None:
    first = NAMES[0]
    base = analyse(network_of(docs), contagion_all=True, defaults=[first], max_cycles=10_000)
    # Files and rows in another order: the very same bytes.
    names = list(docs)
    rng.shuffle(names)
    shuffled = {}
    for name in names:
        doc = copy.deepcopy(docs[name])
        rng.shuffle(doc["commitments"])
        rng.shuffle(doc["financing"])
        shuffled[name] = doc
    again = analyse(network_of(shuffled), contagion_all=True, defaults=[first], max_cycles=10_000)
    assert again.to_json() == base.to_json()
    # Every entity renamed by a bijection: the same result under the old names. Sorting by name
    # may change, so lists ordered by name compare as sets; contagion scenarios go by company.
    targets = [f"Zed{i}" for i in range(len(NAMES))]
    rng.shuffle(targets)
    mapping = dict(zip(NAMES, targets, strict=True))
    back = {v: k for k, v in mapping.items()}
    renamed = analyse(
        network_of(rename(docs, mapping)),
        contagion_all=True,
        defaults=[mapping[first]],
        max_cycles=10_000,
    )
    left, right = comparable(base), comparable(renamed, back)
    assert left["entities"] == right["entities"]
    assert left["cycles"] == right["cycles"]
    assert left["exposure"] == right["exposure"]
    order = sorted(range(len(right["contagion"])), key=lambda i: sorted(right["contagion"][i][0]))
    assert left["contagion"][0] == right["contagion"][0]
    assert sorted(left["contagion"][1:], key=lambda s: sorted(s[0])) == [
        right["contagion"][i] for i in order if i != 0
    ]


@settings(max_examples=40, deadline=None)
@given(ecosystems(), st.integers(1, 5))
def test_cycles_are_networkx_cycles(docs: dict[str, dict[str, Any]], bound: int) -> None:
    net = network_of(docs)
    graph = nx.DiGraph()
    graph.add_nodes_from(net.names)
    graph.add_edges_from((net.names[a], net.names[b]) for a, b in net.flows)
    expected = set()
    for found in nx.simple_cycles(graph, length_bound=bound):
        first = found.index(min(found))
        expected.add(tuple(found[first:] + found[:first]))
    cycles = find_cycles(net, bound)
    assert {tuple(c.path) for c in cycles} == expected
    assert len(cycles) == len(expected)
    # Largest first, ties by path; each amount is the cycle's smallest flow.
    assert cycles == sorted(cycles, key=lambda c: (-c.amount, c.path))
    for c in cycles:
        hops = zip(c.path, c.path[1:] + c.path[:1], strict=True)
        assert c.amount == min(net.flows[(net.index(a), net.index(b))] for a, b in hops)


# -- the example -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    result = run("network", str(ECOSYSTEM), "--default", "OpenAI", "--format", "json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_example_shows_the_nvidia_openai_oracle_cycle(example: dict[str, Any]) -> None:
    cycles = {tuple(c["path"]): c["amount"] for c in example["cycles"]}
    # Oracle's ~$40B NVIDIA order, flat 2025-06 to 2026-06, has 10 of 13 months left at
    # 2025-09-09: 40B x 10/13, the smallest flow of the cycle (NVIDIA -> OpenAI is 100B).
    assert cycles[("NVIDIA", "OpenAI", "Oracle")] == pytest.approx(40e9 * 10 / 13, rel=1e-12)
    assert cycles[("NVIDIA", "OpenAI")] == 100e9
    names = {e["name"]: e for e in example["entities"]}
    assert names["Oracle"]["has_portfolio"] and not names["NVIDIA"]["has_portfolio"]


def test_example_shows_oracles_exposure_to_openai(example: dict[str, Any]) -> None:
    rows = {(x["vendor"], x["customer"]): x for x in example["exposure"]}
    oracle = rows[("Oracle", "OpenAI")]
    # OpenAI's $300B to Oracle starts in 2027: all of it remains; Oracle's RPO is $455B.
    assert (oracle["amount"], oracle["share_of_owed"]) == (300e9, 1.0)
    assert oracle["share_of_backlog"] == pytest.approx(300 / 455)


def test_example_openai_default_hits_oracle_and_coreweave(example: dict[str, Any]) -> None:
    (scenario,) = example["contagion"]
    assert scenario["rounds"] == [["OpenAI"], ["CoreWeave", "Oracle"]]
    losses = {x["entity"]: x for x in scenario["losses"]}
    assert losses["Oracle"]["loss"] == 300e9
    assert losses["Oracle"]["share_of_revenue"] == pytest.approx(300 / 57.4)
    assert losses["CoreWeave"]["share_of_revenue"] > 0.25
    # NVIDIA loses OpenAI's 350B (10 GW x 35B) and what Oracle and CoreWeave no longer pay.
    assert losses["NVIDIA"]["loss"] == pytest.approx(350e9 + 40e9 * 10 / 13 + 16.8e9)


def test_example_table(tmp_path: Path) -> None:
    result = run("network", str(ECOSYSTEM), "--default", "OpenAI")
    assert result.returncode == 0, result.stderr
    assert "NVIDIA -> OpenAI -> Oracle -> NVIDIA" in result.stdout
    assert "- round 2: CoreWeave, Oracle" in result.stdout


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_ecosystems_have_networkx_cycles(seed: int) -> None:
    docs = {f"{i}.json": doc for i, doc in enumerate(generate_ecosystem(80, seed=seed))}
    net = network_of(docs)
    assert len(net.companies) == len(net.names) == 80  # every vendor is a generated company
    graph = nx.DiGraph()
    graph.add_nodes_from(net.names)
    graph.add_edges_from((net.names[a], net.names[b]) for a, b in net.flows)
    expected = set()
    for found in nx.simple_cycles(graph, length_bound=4):
        first = found.index(min(found))
        expected.add(tuple(found[first:] + found[:first]))
    cycles = find_cycles(net, 4)
    assert len(expected) > 5  # there is something to compare
    assert {tuple(c.path) for c in cycles} == expected and len(cycles) == len(expected)


def test_docs_show_the_example_as_it_prints() -> None:
    """docs/network.md quotes the example's output: it must be what the command prints now."""
    result = run("network", str(ECOSYSTEM), "--default", "OpenAI")
    page = (ROOT / "docs" / "network.md").read_text()
    assert "```\n" + result.stdout + "```" in page
    assert "docs/network.md" in (ROOT / "README.md").read_text()
