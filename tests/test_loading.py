"""Reading portfolio files (`riskcore/loading.py`): YAML, TOML and JSON by extension, every
problem located (field path and, for YAML, line), files that are not data refused, and hashes.

Line numbers in the comments count from 1 at the first line of each literal file.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import portfolio
from riskcore.errors import ConfigError, ErrorItem, PortfolioError
from riskcore.loading import (
    MAX_NODES,
    canonical_json,
    format_loc,
    load_portfolio,
    load_portfolio_with_hash,
    read_config_file,
)
from riskcore.portfolio import Portfolio

B = 1e9

# --- one portfolio in three formats ----------------------------------------------------------

BOOK_YAML = """\
company: {name: Testco, as_of: 2025-11-03, currency: USD}
financials:
  revenue: 13B
  revenue_growth: 0.5
  revenue_forecast: {2027: 40B}
  cash: 10B
counterparties:
  Microsoft:
    aliases: [MSFT, Azure]
commitments:
  - counterparty: Microsoft
    kind: cloud
    amount: 250B
    start: 2026-01
    term_years: 7
  - counterparty: Oracle
    kind: datacenter
    profile: explicit
    schedule: {2027: 30B, 2028: 60B}
  - counterparty: SAP
    kind: cloud
    amount: 1B
    currency: EUR
    start: 2025
    end: 2026
    status: announced
financing:
  - investor: MSFT
    amount: 13B
    kind: equity
fx: {EUR: 1.1}
extensions:
  my_plugin: {threshold: 3}
"""

BOOK_TOML = """\
fx = { EUR = 1.1 }

[company]
name = "Testco"
as_of = 2025-11-03
currency = "USD"

[financials]
revenue = "13B"
revenue_growth = 0.5
revenue_forecast = { 2027 = "40B" }
cash = "10B"

[counterparties.Microsoft]
aliases = ["MSFT", "Azure"]

[[commitments]]
counterparty = "Microsoft"
kind = "cloud"
amount = "250B"
start = "2026-01"
term_years = 7

[[commitments]]
counterparty = "Oracle"
kind = "datacenter"
profile = "explicit"
schedule = { 2027 = "30B", 2028 = "60B" }

[[commitments]]
counterparty = "SAP"
kind = "cloud"
amount = "1B"
currency = "EUR"
start = 2025
end = 2026
status = "announced"

[[financing]]
investor = "MSFT"
amount = "13B"
kind = "equity"

[extensions.my_plugin]
threshold = 3
"""

BOOK: dict[str, Any] = {
    "company": {"name": "Testco", "as_of": "2025-11-03", "currency": "USD"},
    "financials": {
        "revenue": "13B",
        "revenue_growth": 0.5,
        "revenue_forecast": {"2027": "40B"},
        "cash": "10B",
    },
    "counterparties": {"Microsoft": {"aliases": ["MSFT", "Azure"]}},
    "commitments": [
        {
            "counterparty": "Microsoft",
            "kind": "cloud",
            "amount": "250B",
            "start": "2026-01",
            "term_years": 7,
        },
        {
            "counterparty": "Oracle",
            "kind": "datacenter",
            "profile": "explicit",
            "schedule": {"2027": "30B", "2028": "60B"},
        },
        {
            "counterparty": "SAP",
            "kind": "cloud",
            "amount": "1B",
            "currency": "EUR",
            "start": 2025,
            "end": 2026,
            "status": "announced",
        },
    ],
    "financing": [{"investor": "MSFT", "amount": "13B", "kind": "equity"}],
    "fx": {"EUR": 1.1},
    "extensions": {"my_plugin": {"threshold": 3}},
}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def refused(path: Path | str | dict[str, Any], **kwargs: Any) -> PortfolioError:
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, **kwargs)
    return info.value


def located(error: PortfolioError) -> list[tuple[str, str, int | None]]:
    return [(e.location, e.message, e.line) for e in error.errors]


# A valid header for files that only need one well-formed row.
HEAD = """\
company: {name: Testco, as_of: 2025-01-15}
financials: {revenue: 10B}
"""
ROW = "commitments: [{counterparty: A, kind: cloud, amount: 1B, start: 2025, term_years: 1}]\n"


# --- formats ---------------------------------------------------------------------------------


def test_yaml_file_reads_every_section(tmp_path: Path) -> None:
    p = load_portfolio(write(tmp_path, "book.yaml", BOOK_YAML))
    assert p.company.name == "Testco"
    assert p.financials.revenue == 13 * B
    assert p.financials.revenue_forecast == {2027: 40 * B}
    assert p.counterparties["Microsoft"].aliases == ["MSFT", "Azure"]
    assert [c.counterparty for c in p.commitments] == ["Microsoft", "Oracle", "SAP"]
    assert p.commitments[1].schedule == {2027: 30 * B, 2028: 60 * B}
    assert p.financing[0].amount == 13 * B
    assert p.fx == {"EUR": 1.1}
    assert p.extensions == {"my_plugin": {"threshold": 3}}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("book.yml", BOOK_YAML),
        ("BOOK.YAML", BOOK_YAML),
        ("book.toml", BOOK_TOML),
        ("book.json", json.dumps(BOOK, indent=2)),
    ],
    ids=["yml", "upper-case-suffix", "toml", "json"],
)
def test_every_format_gives_the_same_portfolio(tmp_path: Path, name: str, content: str) -> None:
    from_yaml = load_portfolio(write(tmp_path, "reference.yaml", BOOK_YAML))
    assert load_portfolio(write(tmp_path, name, content)) == from_yaml
    assert load_portfolio(BOOK) == from_yaml


@pytest.mark.parametrize(
    ("name", "dump"),
    [
        ("again.json", lambda data: json.dumps(data, indent=2)),
        ("again.yaml", lambda data: yaml.safe_dump(data, sort_keys=False)),
    ],
    ids=["json", "yaml"],
)
def test_a_dumped_portfolio_loads_back_equal(
    tmp_path: Path, name: str, dump: Callable[[Any], str]
) -> None:
    # Months serialise as "2026-01" (start) and "2026-12" (end); both read back as themselves.
    p = load_portfolio(BOOK)
    assert load_portfolio(write(tmp_path, name, dump(p.model_dump(mode="json")))) == p


def test_a_path_may_be_text(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", BOOK_YAML)
    assert load_portfolio(str(path)) == load_portfolio(path)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    plain = load_portfolio(write(tmp_path, "plain.json", json.dumps(BOOK)))
    assert load_portfolio(write(tmp_path, "bom.json", "\ufeff" + json.dumps(BOOK))) == plain


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "book.txt", BOOK_YAML)
    error = refused(path)
    assert located(error) == [
        ("", "unknown file type '.txt'; use .yaml, .yml, .toml or .json", None)
    ]
    assert (
        str(error)
        == f"{path}: (document): unknown file type '.txt'; use .yaml, .yml, .toml or .json"
    )


def test_load_portfolio_returns_a_portfolio_unchanged() -> None:
    p = load_portfolio(BOOK)
    assert isinstance(p, Portfolio)
    assert load_portfolio(p) is p


def test_a_mapping_error_names_no_file() -> None:
    error = refused(portfolio(commitments="none"))
    assert error.source is None
    assert str(error) == "commitments: expected a list, got 'none'"


# --- files that are not data -----------------------------------------------------------------


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    error = refused(path)
    assert error.pairs == [("", "no such file")]
    assert error.source == str(path)
    assert str(error) == f"{path}: (document): no such file"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.mkdir()
    assert refused(path).pairs == [("", "not a file (a directory?)")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.yaml", b""),
        ("blank.yaml", b"  \n\n\t\n"),
        ("comment.yaml", b"# nothing but a comment\n"),
        ("empty.json", b""),
        ("empty.toml", b"\n"),
    ],
)
def test_an_empty_file_is_refused(tmp_path: Path, name: str, content: bytes) -> None:
    assert refused(write(tmp_path, name, content)).pairs == [("", "file is empty")]


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert refused(path).pairs == [("", "file is binary, not text")]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    # "café" in Latin-1: byte 20 (0xE9) is on line 2.
    path = write(tmp_path, "book.yaml", "company:\n  name: caf\xe9\n".encode("latin-1"))
    assert located(refused(path)) == [("", "not UTF-8 text (byte 20)", 2)]


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", "x" * 11)
    assert refused(path, max_bytes=10).pairs == [("", "file is 11 bytes, above the limit of 10")]
    # At the limit it is read (and then fails for what it says, not for its size).
    assert refused(path, max_bytes=11).pairs == [
        ("", "expected a mapping of sections at the top, got str")
    ]


def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", "- company\n- financials\n")
    assert refused(path).pairs == [("", "expected a mapping of sections at the top, got list")]


# --- YAML ------------------------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = """\
company:
  name: Testco
   as_of: 2025-01-15
"""
    # Line 3 is indented one space further than line 2: a mapping value cannot start there.
    path = write(tmp_path, "book.yaml", text)
    error = refused(path)
    # The wording after the prefix is the YAML parser's own (libyaml's or PyYAML's).
    ((where, message, line),) = located(error)
    assert (where, line) == ("", 3)
    assert message.startswith("YAML syntax error: mapping values are not allowed")
    assert str(error).startswith(f"{path}: (document) (line 3): YAML syntax error: ")


def test_yaml_unclosed_flow_mapping_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", "company: {name: x\nfinancials:\n  revenue: 1B\n")
    ((where, message, line),) = located(refused(path))
    assert (where, line) == ("", 2)
    assert message.startswith("YAML syntax error:") and "',' or '}'" in message


@pytest.mark.parametrize(
    ("text", "location", "first", "line"),
    [
        # Line 3 repeats the top-level key `company` of line 1.
        (HEAD + "company: {name: Other}\n" + ROW, "company", 1, 3),
        # The row's `amount` (line 6) appears again on line 7.
        (
            HEAD
            + "commitments:\n  - counterparty: A\n    kind: cloud\n    amount: 1B\n"
            + "    amount: 2B\n    start: 2025\n    term_years: 1\n",
            "commitments[0].amount",
            6,
            7,
        ),
    ],
    ids=["top-level", "in-a-row"],
)
def test_yaml_duplicate_keys_are_refused(
    tmp_path: Path, text: str, location: str, first: int, line: int
) -> None:
    key = location.rsplit(".", 1)[-1]
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        (location, f"duplicate key {key!r} (first at line {first}); keys must be unique", line)
    ]


SCHEDULE_TWICE = HEAD + (
    "commitments:\n"
    "  - counterparty: A\n"
    "    kind: cloud\n"
    "    profile: explicit\n"
    "    schedule:\n"
    "      2026: 1B\n"  # line 8
    "      2026: 2B\n"  # line 9: the same year again
)


def test_yaml_duplicate_year_in_a_schedule_is_refused(tmp_path: Path) -> None:
    # Located like any other schedule error: `.2026`, a mapping key, not `[2026]`.
    assert located(refused(write(tmp_path, "book.yaml", SCHEDULE_TWICE))) == [
        (
            "commitments[0].schedule.2026",
            "duplicate key 2026 (first at line 8); keys must be unique",
            9,
        )
    ]


def test_yaml_duplicate_year_written_as_number_and_as_text_is_refused(tmp_path: Path) -> None:
    # `2026:` is an int and `'2026':` a str, but both validate to the year 2026: never let
    # the last one win.
    text = SCHEDULE_TWICE.replace("      2026: 2B", "      '2026': 2B")
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        (
            "commitments[0].schedule.2026",
            "duplicate key '2026' (first at line 8); keys must be unique",
            9,
        )
    ]


def test_yaml_merge_keys_work_and_own_keys_win(tmp_path: Path) -> None:
    text = HEAD + (
        "commitments:\n"
        "  - &first {counterparty: A, kind: cloud, amount: 1B, start: 2025, term_years: 1}\n"
        "  - <<: *first\n"
        "    counterparty: B\n"
    )
    a, b = load_portfolio(write(tmp_path, "book.yaml", text)).commitments
    assert (a.counterparty, b.counterparty) == ("A", "B")
    assert b.model_dump(exclude={"counterparty"}) == a.model_dump(exclude={"counterparty"})


def test_yaml_merge_of_several_mappings_lets_the_first_win(tmp_path: Path) -> None:
    # YAML merge: in `<<: [*x, *y]` a key of x beats the same key of y.
    text = HEAD + (
        "commitments:\n"
        "  - &x {counterparty: A, kind: chips, amount: 1B, start: 2025, term_years: 1}\n"
        "  - &y {counterparty: B, kind: power, amount: 2B, start: 2026, term_years: 2}\n"
        "  - {<<: [*x, *y], counterparty: C}\n"
    )
    c = load_portfolio(write(tmp_path, "book.yaml", text)).commitments[2]
    assert (c.counterparty, c.kind, c.amount, c.term_years) == ("C", "chips", 1 * B, 1)


@pytest.mark.parametrize(
    ("text", "location", "message", "line"),
    [
        (
            "company: !!python/object/apply:os.system ['echo pwned']\n",
            "company",
            "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in data files",
            1,
        ),
        (
            "company:\n  name: !!python/name:os.system\n",
            "company.name",
            "YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system'",
            2,
        ),
        (
            "company: !!python/object:riskcore.portfolio.Portfolio {a: 1}\n",
            "company",
            "YAML tag 'tag:yaml.org,2002:python/object:riskcore.portfolio.Portfolio' is not "
            "allowed in data files",
            1,
        ),
        (
            HEAD + "counterparties: !!set {a, b}\n",
            "counterparties",
            "YAML tag 'tag:yaml.org,2002:set' is not allowed in data files",
            3,
        ),
        (
            "company:\n  name: !custom x\n",
            "company.name",
            "YAML: could not determine a constructor for the tag '!custom'",
            2,
        ),
    ],
)
def test_yaml_tags_that_build_objects_are_refused(
    tmp_path: Path, text: str, location: str, message: str, line: int
) -> None:
    assert located(refused(write(tmp_path, "book.yaml", text))) == [(location, message, line)]


def test_yaml_impossible_timestamp_is_located(tmp_path: Path) -> None:
    text = "company: {name: T, as_of: 2025-13-45}\n" + "financials: {revenue: 1B}\n" + ROW
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        ("company.as_of", "YAML: cannot read '2025-13-45': month must be in 1..12", 1)
    ]


def billion_laughs() -> str:
    """Nine anchors of nine aliases each: 9**9 = 387,420,489 strings when expanded."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.yaml", billion_laughs())
    started = time.perf_counter()
    error = refused(path)
    elapsed = time.perf_counter() - started
    assert error.pairs == [
        ("", "document expands to more than 200,000 values (a YAML alias bomb?); refused")
    ], f"refused after {elapsed:.2f}s"


def merge_bomb(levels: int) -> str:
    """Merge keys instead of sequences: level k merges level k-1 nine times, 9**(k-2) pairs."""
    text = "top:\n  defs:\n    l1: &l1 {x: 1}\n"
    for k in range(2, levels + 1):
        text += f"    l{k}: &l{k} {{<<: [" + ", ".join([f"*l{k - 1}"] * 9) + "]}\n"
    return text + f"  <<: *l{levels}\n"


@pytest.mark.parametrize("levels", [7, 9])
def test_yaml_merge_key_bomb_is_refused_before_it_expands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, levels: int
) -> None:
    # l7 merges 9**6 = 531,441 pairs and l9 9**8 = 43,046,721, far above MAX_NODES (200,000).
    # PyYAML's flatten_mapping would build that list before any budget could stop it (l9:
    # ~9 s, l10: out of memory), so the spy checks no flattened mapping ever gets that big.
    sizes: list[int] = [0]
    flatten = yaml.SafeLoader.flatten_mapping

    def spy(self: yaml.SafeLoader, node: yaml.MappingNode) -> None:
        flatten(self, node)
        sizes.append(len(node.value))

    monkeypatch.setattr(yaml.SafeLoader, "flatten_mapping", spy)
    path = write(tmp_path, "bomb.yaml", merge_bomb(levels))
    started = time.perf_counter()
    error = refused(path)
    elapsed = time.perf_counter() - started
    assert located(error) == [
        ("", "document expands to more than 200,000 values (a YAML alias bomb?); refused", 3)
    ], f"refused after {elapsed:.2f}s"
    assert max(sizes) <= MAX_NODES


@pytest.mark.parametrize(("name", "kind"), [("deep.yaml", "YAML"), ("deep.toml", "TOML")])
def test_deeply_nested_document_is_refused(tmp_path: Path, name: str, kind: str) -> None:
    # 1,000 nested lists in 2 KB: past Python's recursion limit in PyYAML and tomllib.
    depth = 1_000
    nested = "[" * depth + "]" * depth
    text = f"a: {nested}\n" if kind == "YAML" else f"a = {nested}\n"
    ((where, message),) = refused(write(tmp_path, name, text)).pairs
    assert where == ""
    # Our own guard, or (libyaml in PyYAML >= 6.0.4) the parser's depth limit, reported the same way.
    assert message in {
        f"{kind} nested too deeply",
        "YAML syntax error: exceeded maximum nesting depth",
    }


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    depth = 100_000
    path = write(tmp_path, "deep.json", '{"a": ' + "[" * depth + "]" * depth + "}")
    assert refused(path).pairs == [("", "JSON nested too deeply")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (".nan", "amount is not a number (NaN)"),
        (".inf", "amount is infinite or too large"),
        ("1e400", "amount is infinite or too large"),  # YAML 1.1 reads 1e400 as text
        ("-5B", "amount must not be negative, got '-5B'"),
        ("yes", "expected an amount of money, got true"),  # YAML 1.1 boolean
    ],
)
def test_yaml_money_errors(tmp_path: Path, value: str, message: str) -> None:
    text = f"company: {{name: T, as_of: 2025-01-15}}\nfinancials:\n  revenue: {value}\n" + ROW
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        ("financials.revenue", message, 3)
    ]


@pytest.mark.parametrize("name", ["big.yaml", "big.json"])
def test_an_integer_amount_too_large_for_a_float_is_refused(tmp_path: Path, name: str) -> None:
    data = portfolio(commitments=[])
    text = json.dumps(data).replace('"10B"', "1" + "0" * 400)
    error = refused(write(tmp_path, name, text))  # JSON is valid YAML too
    [(message, line)] = [
        (e.message, e.line) for e in error.errors if e.location == "financials.revenue"
    ]
    assert "too large" in message
    assert line == (1 if name.endswith(".yaml") else None)


# --- located errors --------------------------------------------------------------------------

MANY_PROBLEMS = """\
financials:
  revenue: 0
company:
  name: Testco
  as_of: 2025-01-15
commitments:
  - counterparty: A
    kind: cloud
    profile: explicit
    schedule:
      2025: 1B
      2026: 12X
  - {counterparty: B, kind: rocket, amount: 1B, start: 2025, term_years: 1}
  - counterparty: C
    kind: cloud
    start: 2025
    term_years: 1
  - counterparty: D
    kind: cloud
    ammount: 1B
    start: 2025
    term_years: 1
fxx: {EUR: 1.1}
"""


def test_every_problem_of_a_file_is_reported_at_once_sorted_by_line(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", MANY_PROBLEMS)
    error = refused(path)
    # Sorted by line, so financials (line 2) comes before commitments although "c" < "f".
    assert located(error) == [
        ("financials.revenue", "revenue must be above zero", 2),
        ("commitments[0].schedule.2026", "unknown unit 'X' in '12X'; use K, M, B (bn) or T", 12),
        (
            "commitments[1].kind",
            "Input should be 'cloud', 'chips', 'datacenter', 'power', 'lease' or 'other'",
            13,
        ),
        # C has no amount key: the line is that of its row.
        ("commitments[2].amount", "give an amount, or capacity_gw to estimate one", 14),
        ("commitments[3].ammount", "unknown field 'ammount'; did you mean 'amount'?", 20),
        ("fxx", "unknown field 'fxx'; did you mean 'fx'?", 23),
    ]
    assert error.source == str(path)
    assert str(error).splitlines()[:3] == [
        f"{path}: 6 problems in this portfolio:",
        "  - financials.revenue (line 2): revenue must be above zero",
        "  - commitments[0].schedule.2026 (line 12): unknown unit 'X' in '12X'; use K, M, B (bn) or T",
    ]
    assert all(isinstance(e, ErrorItem) for e in error.errors)


def test_cross_reference_problems_have_lines(tmp_path: Path) -> None:
    text = """\
company: {name: Testco, as_of: 2025-01-15}
financials: {revenue: 10B}
counterparties:
  Microsoft:
    aliases: [MSFT]
  Azure:
    aliases:
      - msft
commitments:
  - counterparty: A
    kind: cloud
    amount: 1B
    currency: EUR
    start: 2025
    term_years: 1
financing:
  - investor: X
    amount: 1B
    currency: JPY
"""
    # Azure sorts first and claims "msft"; Microsoft's "MSFT" (line 5) collides with it.
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        ("counterparties.Microsoft.aliases", "'MSFT' already names the group 'Azure'", 5),
        (
            "commitments[0].currency",
            "no exchange rate for EUR: add fx: {EUR: <USD per EUR>}",
            13,
        ),
        ("financing[0].currency", "no exchange rate for JPY: add fx: {JPY: <USD per JPY>}", 19),
    ]


def test_cross_reference_problems_are_reported_with_field_problems(tmp_path: Path) -> None:
    text = """\
company: {name: Testco, as_of: 2025-01-15}
financials: {revenue: 10B}
commitments:
  - {counterparty: A, kind: cloud, amount: 12X, start: 2025, term_years: 1}
  - {counterparty: B, kind: cloud, amount: 1B, currency: EUR, start: 2025, term_years: 1}
"""
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        ("commitments[0].amount", "unknown unit 'X' in '12X'; use K, M, B (bn) or T", 4),
        ("commitments[1].currency", "no exchange rate for EUR: add fx: {EUR: <USD per EUR>}", 5),
    ]


def test_did_you_mean_in_nested_sections(tmp_path: Path) -> None:
    text = HEAD + "counterparties:\n  Microsoft:\n    alias: [MSFT]\n" + ROW + "comitments: []\n"
    assert located(refused(write(tmp_path, "book.yaml", text))) == [
        ("counterparties.Microsoft.alias", "unknown field 'alias'; did you mean 'aliases'?", 5),
        ("comitments", "unknown field 'comitments'; did you mean 'commitments'?", 7),
    ]


def test_without_a_close_match_the_fields_are_listed() -> None:
    error = refused(portfolio(financials={"zzz": 1}, commitments=[BOOK["commitments"][0]]))
    assert error.pairs == [
        (
            "financials.zzz",
            "unknown field 'zzz'; expected one of: revenue, revenue_growth, revenue_forecast, "
            "cash, committed_funding, demand_gw, backlog, operating_costs, debt",
        )
    ]


def test_missing_sections_are_each_reported() -> None:
    assert refused({"company": {"name": "T", "as_of": "2025-01-15"}}).pairs == [
        ("financials", "required field is missing"),
    ]


def test_keys_that_look_like_type_tags_keep_their_location() -> None:
    # pydantic puts type tags such as `function-before[...]` or `int` into its locations; a real
    # key that looks like one must survive their removal.
    row = {**BOOK["commitments"][0], "amount[usd]": "1B", "none": 1}
    assert refused(portfolio(commitments=[row])).pairs == [
        ("commitments[0].amount[usd]", "unknown field 'amount[usd]'; did you mean 'amount'?"),
        ("commitments[0].none", "unknown field 'none'; did you mean 'note'?"),
    ]
    groups = {"Oracle [OCI]": {"aliases": [""]}, "int": {"aliases": [""]}}
    data = portfolio(counterparties=groups, commitments=[BOOK["commitments"][0]])
    assert refused(data).pairs == [
        ("counterparties.Oracle [OCI].aliases[0]", "String should have at least 1 character"),
        ("counterparties.int.aliases[0]", "String should have at least 1 character"),
    ]


# --- TOML and JSON errors --------------------------------------------------------------------


def test_toml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = "[company]\nname = 'x'\nas_of = 2025-01-15\n[financials\nrevenue = '1B'\n"
    # Line 4 opens a table header that never closes.
    assert located(refused(write(tmp_path, "book.toml", text))) == [
        ("", "TOML syntax error: Expected ']' at the end of a table declaration", 4)
    ]


def test_toml_duplicate_key_is_refused(tmp_path: Path) -> None:
    [item] = refused(write(tmp_path, "book.toml", "[company]\nname = 'x'\nname = 'y'\n")).errors
    assert (item.location, item.line) == ("", 3)
    assert item.message.startswith("TOML syntax error: ")


def test_json_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = '{\n "company": {"name": "x",\n  "as_of": "2025-01-01"}\n "x": 1}'
    # Line 4 follows the company object without a comma.
    assert located(refused(write(tmp_path, "book.json", text))) == [
        ("", "JSON syntax error: Expecting ',' delimiter", 4)
    ]


def test_json_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "book.json", '{"company": {"name": "x", "name": "y"}}')
    assert refused(path).pairs == [("", "duplicate key 'name'")]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(tmp_path: Path, constant: str) -> None:
    path = write(tmp_path, "book.json", f'{{"financials": {{"revenue": {constant}}}}}')
    assert refused(path).pairs == [("", f"{constant} is not valid JSON")]


def test_json_number_too_large_is_infinite_money(tmp_path: Path) -> None:
    text = json.dumps(portfolio(commitments=[BOOK["commitments"][0]])).replace('"10B"', "1e400")
    assert refused(write(tmp_path, "book.json", text)).pairs == [
        ("financials.revenue", "amount is infinite or too large")
    ]


def test_json_and_toml_errors_are_located_without_lines(tmp_path: Path) -> None:
    data = portfolio(commitments=[{**BOOK["commitments"][0], "amount": "12X"}])
    error = refused(write(tmp_path, "book.json", json.dumps(data)))
    assert located(error) == [
        ("commitments[0].amount", "unknown unit 'X' in '12X'; use K, M, B (bn) or T", None)
    ]
    toml = BOOK_TOML.replace('amount = "250B"', 'amount = "12X"')
    assert located(refused(write(tmp_path, "book.toml", toml))) == located(error)


# --- hashes ----------------------------------------------------------------------------------


def test_the_hash_of_a_file_is_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "book.yaml", BOOK_YAML)
    p, digest = load_portfolio_with_hash(path)
    assert digest == hashlib.sha256(BOOK_YAML.encode()).hexdigest()
    assert p == load_portfolio(path)
    # Same content, one more blank line: different bytes, different hash.
    other = write(tmp_path, "other.yaml", BOOK_YAML + "\n")
    assert load_portfolio_with_hash(other) == (p, hashlib.sha256(other.read_bytes()).hexdigest())
    assert load_portfolio_with_hash(other)[1] != digest


def test_the_hash_of_a_mapping_is_of_its_canonical_json() -> None:
    p, digest = load_portfolio_with_hash(BOOK)
    canonical = json.dumps(
        p.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert digest == hashlib.sha256(canonical).hexdigest()
    assert canonical_json(p.model_dump(mode="json")) == canonical


def test_the_hash_of_a_mapping_ignores_key_order() -> None:
    reordered = {key: BOOK[key] for key in reversed(BOOK)}
    reordered["financials"] = dict(reversed(BOOK["financials"].items()))
    assert list(reordered) != list(BOOK)
    assert load_portfolio_with_hash(reordered)[1] == load_portfolio_with_hash(BOOK)[1]


def test_the_hash_of_a_portfolio_equals_that_of_its_mapping() -> None:
    p, digest = load_portfolio_with_hash(BOOK)
    again, same = load_portfolio_with_hash(p)
    assert again is p
    assert same == digest


def test_different_content_gives_a_different_hash() -> None:
    changed = portfolio(commitments=[BOOK["commitments"][0]], financials={"revenue": "11B"})
    base = portfolio(commitments=[BOOK["commitments"][0]])
    assert load_portfolio_with_hash(changed)[1] != load_portfolio_with_hash(base)[1]


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "data", "text"),
    [
        (("commitments", 2, "amount"), None, "commitments[2].amount"),
        (("company",), None, "company"),
        ((), None, ""),
        # With the data at hand an int key of a mapping is a key, not a list index.
        (
            ("commitments", 0, "schedule", 2026),
            {"commitments": [{"schedule": {2026: "1B"}}]},
            "commitments[0].schedule.2026",
        ),
    ],
)
def test_format_loc(loc: tuple[str | int, ...], data: Any, text: str) -> None:
    assert format_loc(loc, data) == text


def test_config_files_use_the_same_reader(tmp_path: Path) -> None:
    path = write(tmp_path, "riskcore.toml", "[engine]\nhorizon_years = 5\n")
    data, lines = read_config_file(path)
    assert (data, lines) == ({"engine": {"horizon_years": 5}}, {})
    with pytest.raises(ConfigError) as info:
        read_config_file(write(tmp_path, "list.yaml", "- 1\n"))
    assert info.value.pairs == [("", "expected a mapping of sections at the top")]


def test_yaml_1_1_boolean_words_stay_words_as_keys(tmp_path: Path) -> None:
    text = """\
company: {name: Testco, as_of: 2025-01-15}
financials: {revenue: 10B}
commitments:
  - {counterparty: A, kind: cloud, amount: 1B, start: 2025-01, term_years: 1}
extensions:
  grid: {on: 1, yes: 2}
"""
    path = tmp_path / "p.yaml"
    path.write_text(text)
    assert load_portfolio(path).extensions == {"grid": {"on": 1, "yes": 2}}
