"""Malformed input, end to end: the corpus in tests/data/bad through the real console script,
then one focused test for each loader bug the corpus found.

Each case of tests/data/bad/cases.toml names a file and every error it must produce. Portfolio
files go through `riskcore validate` (all of them in one run, with one good file among them,
so one run also proves that validate goes on past bad files), config files through
`riskcore score <good portfolio> --config <file>`; a few portfolios through `score` as well.
Every case must exit 2, print no traceback, and print exactly its error block.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from riskcore.defaults import load_config
from riskcore.errors import ConfigError, PortfolioError
from riskcore.loading import (
    DEFAULT_MAX_BYTES,
    MAX_NODES,
    load_document_text,
    load_portfolio,
    parse_document,
    read_config_file,
)

ROOT = Path(__file__).parent.parent
BAD = Path(__file__).parent / "data" / "bad"
MANIFEST = BAD / "cases.toml"
# Commands run in ROOT with paths relative to it, so messages name files as a user types them.
GOOD = Path("configs/portfolios/openai-2025.yaml")
RISKCORE = str(Path(sys.executable).with_name("riskcore"))
ENV = {**os.environ, "RISKCORE_LOAD_PLUGINS": ""}

# What the corpus must cover (the reliability issue's list).
REQUIRED_CATEGORIES = {
    "syntax",
    "duplicate key",
    "unknown field",
    "wrong type",
    "missing field",
    "money",
    "date",
    "term",
    "currency",
    "counterparty alias",
    "config weight",
    "config scale",
    "file",
    "size limit",
    "alias bomb",
    "YAML tag",
    "several errors",
    "debt",
    "operating costs",
    "customers",
    "aggregated rows and leases",
    "credit view config",
}
CASE_KEYS = {"file", "category", "errors", "commands", "source", "make", "xfail"}


@dataclass(frozen=True)
class Case:
    """One malformed input and the error lines it must produce."""

    file: str
    category: str
    errors: tuple[str, ...]
    commands: tuple[str, ...]
    source: str | None  # "portfolio": the errors name the good portfolio, not `file`
    make: str | None
    xfail: str | None

    @property
    def is_config(self) -> bool:
        return self.file.startswith("config/")


def load_cases() -> list[Case]:
    with MANIFEST.open("rb") as fh:
        raw = tomllib.load(fh)["case"]
    cases = []
    for entry in raw:
        unknown = set(entry) - CASE_KEYS
        assert not unknown, f"{entry.get('file')}: unknown keys {unknown} in cases.toml"
        is_config = entry["file"].startswith("config/")
        cases.append(
            Case(
                file=entry["file"],
                category=entry["category"],
                errors=tuple(entry["errors"]),
                commands=tuple(entry.get("commands", ["score"] if is_config else ["validate"])),
                source=entry.get("source"),
                make=entry.get("make"),
                xfail=entry.get("xfail"),
            )
        )
    return cases


CASES = load_cases()


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Corpus:
    """Where each case's file is, and what each command printed."""

    paths: dict[str, Path]  # case file -> path as given to riskcore
    validate: Run  # one `riskcore validate` over every portfolio case and the good file
    score: dict[str, Run]  # case file -> its own `riskcore score` run

    def named(self, case: Case) -> Path:
        """The file the case's error block names."""
        return GOOD if case.source == "portfolio" else self.paths[case.file]


def make(case: Case, folder: Path) -> Path:
    """The file of a case made at test time (`make`), in `folder`."""
    path = folder / case.file
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.make == "directory":
        path.mkdir()
    elif case.make == "oversize":
        # One byte past the default limit: refused from its size, before it is read.
        with path.open("wb") as fh:
            fh.truncate(DEFAULT_MAX_BYTES + 1)
    else:
        assert case.make == "missing", case.make
    return path


def run(args: list[str]) -> Run:
    done = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    made = tmp_path_factory.mktemp("made")
    paths = {c.file: make(c, made) if c.make else (BAD / c.file).relative_to(ROOT) for c in CASES}
    portfolios = [str(paths[c.file]) for c in CASES if "validate" in c.commands]
    jobs = {"": [RISKCORE, "validate", *portfolios, str(GOOD)]}
    for c in CASES:
        if "score" in c.commands:
            path = str(paths[c.file])
            args = ["score", str(GOOD), "--config", path] if c.is_config else ["score", path]
            jobs[c.file] = [RISKCORE, *args]
    # The processes wait on each other's CPU only: run them side by side.
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        runs = dict(zip(jobs, pool.map(run, jobs.values()), strict=True))
    return Corpus(paths, runs.pop(""), runs)


def expected_block(case: Case, named: Path) -> list[str]:
    """The lines riskcore prints for the file `named`: one error, or a counted list."""
    size = named.stat().st_size if named.is_file() else 0
    errors = [e.replace("{size}", f"{size:,}") for e in case.errors]
    head = f"Error: {named}: "
    if len(errors) == 1:
        return [head + errors[0]]
    kind = "config" if case.is_config and case.source is None else "portfolio"
    return [f"{head}{len(errors)} problems in this {kind}:", *(f"  - {e}" for e in errors)]


def block(stderr: str, named: Path) -> list[str] | None:
    """The error block stderr holds for the file `named`, if any."""
    lines = stderr.splitlines()
    head = f"Error: {named}: "
    for i, line in enumerate(lines):
        if line.startswith(head):
            end = i + 1
            while end < len(lines) and lines[end].startswith("  - "):
                end += 1
            return lines[i:end]
    return None


# --- the corpus ------------------------------------------------------------------------------


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.file, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_gets_exit_2_and_every_located_error(case: Case, corpus: Corpus) -> None:
    named = corpus.named(case)
    expected = expected_block(case, named)
    for command in case.commands:
        result = corpus.validate if command == "validate" else corpus.score[case.file]
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert block(result.stderr, named) == expected, (command, result.stderr)
        if command == "score":
            # Alone in its run: nothing on stdout, nothing on stderr but its block.
            assert result.stdout == ""
            assert result.stderr == "\n".join(expected) + "\n"


def test_validate_goes_on_past_bad_files_and_prints_only_their_blocks(corpus: Corpus) -> None:
    # The one good file among the bad ones is the only line on stdout.
    assert corpus.validate.stdout.splitlines() == [
        f"ok: {GOOD}: OpenAI as of 2025-11-03, 9 commitments, 5 financing rows"
    ]
    # stderr is the cases' blocks, one after the other, and nothing else (a case marked
    # xfail prints a block of its own, not the expected one).
    validated = [c for c in CASES if "validate" in c.commands]
    expected = []
    for case in validated:
        named = corpus.named(case)
        if case.xfail:
            expected += block(corpus.validate.stderr, named) or []
        else:
            expected += expected_block(case, named)
    assert corpus.validate.stderr.splitlines() == expected


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "tests/data/bad/portfolio/money_negative.yaml", "--debug"],
        ["score", str(GOOD), "--config", "tests/data/bad/config/scale_gap.toml", "--debug"],
    ],
    ids=["validate", "score-config"],
)
def test_debug_shows_the_traceback(args: list[str]) -> None:
    result = run([RISKCORE, *args])
    assert result.returncode == 1  # an uncaught exception, as Python reports it
    assert "Traceback (most recent call last)" in result.stderr
    kind = "ConfigError" if "--config" in args else "PortfolioError"
    assert f"riskcore.errors.{kind}: " in result.stderr


# --- the corpus itself -----------------------------------------------------------------------


def test_the_corpus_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40


def test_every_file_is_a_case_and_every_case_a_file() -> None:
    on_disk = {
        p.relative_to(BAD).as_posix() for p in BAD.rglob("*") if p.is_file() and p != MANIFEST
    }
    listed = [c.file for c in CASES if not c.make]
    assert len(set(listed)) == len(listed), "a file is listed twice"
    assert sorted(on_disk - set(listed)) == [], "files no case names"
    assert sorted(set(listed) - on_disk) == [], "cases whose file is missing"
    made = [c.file for c in CASES if c.make]
    assert len(set(made) | set(listed)) == len(CASES), "a made file repeats a case file"
    assert [f for f in made if (BAD / f).exists()] == [], "a made file exists in the corpus"


def test_every_case_is_well_formed() -> None:
    for case in CASES:
        assert case.file.split("/")[0] in {"portfolio", "config"}, case.file
        assert case.errors, case.file
        assert set(case.commands) <= {"validate", "score"}, case.file
        assert not (case.is_config and "validate" in case.commands), case.file
        assert case.source in {None, "portfolio"}, case.file
        assert case.make in {None, "missing", "directory", "oversize"}, case.file


def test_the_corpus_covers_every_category() -> None:
    assert sorted(REQUIRED_CATEGORIES - {c.category for c in CASES}) == []
    # Specific promises: an object-building tag, several errors in one file, both commands.
    assert (
        "!!python/object/apply:os.system" in (BAD / "portfolio/tag_python_object.yaml").read_text()
    )
    assert sum(len(c.errors) > 1 for c in CASES) >= 10
    assert sum("score" in c.commands and not c.is_config for c in CASES) >= 3


# --- alias bombs: refused quickly and in small memory ----------------------------------------


def test_the_billion_laughs_is_refused_in_small_memory() -> None:
    # 9**9 = 387,420,489 strings if expanded; refused after MAX_NODES values.
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(PortfolioError) as info:
            load_portfolio(BAD / "portfolio" / "alias_bomb.yaml")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.pairs == [
        ("", f"document expands to more than {MAX_NODES:,} values (a YAML alias bomb?); refused")
    ]
    # Timing is reported, not asserted (`pytest -s` shows it; tracing slows it down ~7x).
    print(f"\nalias_bomb.yaml: refused in {elapsed:.2f} s traced, peak {peak / 2**20:.1f} MiB")
    assert peak < 50 * 2**20


MEASURE = """
import sys, time
import riskcore

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(key + ":"))

before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # start the peak (VmHWM) again from here
started = time.perf_counter()
try:
    riskcore.load_portfolio(sys.argv[1])
except riskcore.PortfolioError as exc:
    print(exc, file=sys.stderr)
print(status("VmHWM") - before, time.perf_counter() - started)
"""


@pytest.mark.skipif(
    not os.access("/proc/self/clear_refs", os.W_OK), reason="needs Linux's /proc/self/clear_refs"
)
@pytest.mark.parametrize("name", ["alias_bomb.yaml", "merge_bomb.yaml"])
def test_a_yaml_bomb_grows_the_process_by_little(name: str) -> None:
    # The whole process, libyaml's C allocations included: peak RSS while reading, less RSS
    # before, in a fresh interpreter.
    path = BAD / "portfolio" / name
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    assert "a YAML alias bomb?" in done.stderr
    grown, elapsed = (float(x) for x in done.stdout.split())
    print(f"\n{name}: refused in {elapsed:.2f} s, peak RSS {grown / 2**20:.1f} MiB above start")
    assert grown < 50 * 2**20


def test_the_line_map_stays_the_size_of_the_file_however_aliases_expand() -> None:
    # 9**5 = 59,049 values once expanded (under MAX_NODES): read, but lines only where written.
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for previous, name in zip("abcd", "bcde", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    document = parse_document(text.encode(), "yaml")
    assert len(document.data["e"]) == 9 and document.data["e"][8][8][8][8][8] == "x"
    assert len(document.lines) < 100  # was one entry per expanded value: 66,430


# --- one test per bug fixed ------------------------------------------------------------------


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refused(source: Path | dict[str, Any]) -> PortfolioError:
    with pytest.raises(PortfolioError) as info:
        load_portfolio(source)
    return info.value


def located(error: PortfolioError | ConfigError) -> list[tuple[str, str, int | None]]:
    return [(e.location, e.message, e.line) for e in error.errors]


HEAD = "company: {name: Testco, as_of: 2025-01-15}\nfinancials: {revenue: 10B}\n"
ROW = {"counterparty": "AWS", "kind": "cloud", "amount": "1B", "start": "2025", "term_years": 1}
ROW_YAML = "commitments: [{counterparty: A, kind: cloud, amount: 1B, start: 2025, term_years: 1}]\n"


def book(**sections: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "company": {"name": "Testco", "as_of": "2025-01-15"},
        "financials": {"revenue": "10B"},
        "commitments": [dict(ROW)],
    }
    data.update(sections)
    return data


def test_a_mapping_with_many_keys_is_read_in_linear_time(tmp_path: Path) -> None:
    # Bug: each key was checked against every earlier key as text, so 40,000 keys (700 KB)
    # took 50 s and a 10 MB file hours. 100,000 keys now take about a second; the generous
    # timeout only stops a run that has gone quadratic again.
    keys = "".join(f"    k{i}: {i}\n" for i in range(100_000))
    path = write(tmp_path, "wide.yaml", HEAD + ROW_YAML + "extensions:\n  wide:\n" + keys)
    code = "import sys, riskcore\np = riskcore.load_portfolio(sys.argv[1])\n"
    code += "print(len(p.extensions['wide']))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.stdout == "100000\n", done.stderr


def test_every_reading_problem_is_reported_with_the_validation_errors(tmp_path: Path) -> None:
    # Bug: the first value YAML could not read (an impossible date) ended the run, hiding
    # every other problem of the file.
    text = HEAD.replace("2025-01-15", "2025-02-30") + (
        "commitments:\n"
        "  - {counterparty: A, kind: rocket, amount: 1B, start: 2025, term_years: 1}\n"
    )
    assert located(refused(write(tmp_path, "p.yaml", text))) == [
        ("company.as_of", "YAML: cannot read '2025-02-30': day is out of range for month", 1),
        (
            "commitments[0].kind",
            "Input should be 'cloud', 'chips', 'datacenter', 'power', 'lease' or 'other'",
            4,
        ),
    ]


def test_an_alias_of_an_unreadable_value_is_no_new_error(tmp_path: Path) -> None:
    # Bug: the second use of a failed node raised "found unconstructable recursive node",
    # a different (and refusing) error; now it is the same problem, reported once.
    text = HEAD + (
        "commitments:\n"
        "  - &row {counterparty: A, kind: cloud, amount: 1B, start: 2025-13-45, term_years: 1}\n"
        "  - *row\n"
        "  - {<<: *row, counterparty: B}\n"
    )
    assert located(refused(write(tmp_path, "p.yaml", text))) == [
        ("commitments[0].start", "YAML: cannot read '2025-13-45': month must be in 1..12", 4)
    ]


def test_duplicate_keys_are_all_reported_and_the_file_is_not_validated(tmp_path: Path) -> None:
    # Which of two values was meant is unknown: the file is refused, with every duplicate.
    yaml_text = "company: {name: A, name: B}\nfinancials: {cash: 1B, cash: 2B}\n"
    assert located(refused(write(tmp_path, "p.yaml", yaml_text))) == [
        ("company.name", "duplicate key 'name' (first at line 1); keys must be unique", 1),
        ("financials.cash", "duplicate key 'cash' (first at line 2); keys must be unique", 2),
    ]
    # JSON: braces and quotes inside strings do not confuse the scan for the lines.
    json_text = (
        '{"company": {"name": "a \\"{\\" b", "as_of": "[", \n'
        ' "name": "x"},\n "commitments": [{"kind": 1}, {"kind": 2,\n "kind": 3}]}'
    )
    assert located(refused(write(tmp_path, "p.json", json_text))) == [
        ("", "duplicate key 'name'", 2),
        ("", "duplicate key 'kind'", 4),
    ]


def test_a_missing_file_is_missing_whatever_its_suffix(tmp_path: Path) -> None:
    # Bug: `riskcore validate book.yml.bak` said "unknown file type" for a file that is not
    # there, and a folder without a suffix was an unknown file type too.
    assert refused(tmp_path / "book.yml.bak").pairs == [("", "no such file")]
    assert refused(tmp_path).pairs == [("", "not a file (a directory?)")]


def test_a_file_that_grows_past_the_limit_after_its_size_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only max_bytes + 1 bytes are ever read, whatever stat() said.
    path = write(tmp_path, "p.yaml", "x" * 20)
    real_stat = Path.stat

    def small_stat(self: Path, **kwargs: Any) -> os.stat_result:
        result = real_stat(self, **kwargs)
        return os.stat_result((*result[:6], 5 if self == path else result[6], *result[7:]))

    monkeypatch.setattr(Path, "stat", small_stat)
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, max_bytes=10)
    assert info.value.pairs == [("", "file is above the limit of 10 bytes")]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (0, "expected a date as YYYY-MM-DD, got 0"),  # was 1970-01-01, silently
        (1735689600, "expected a date as YYYY-MM-DD, got 1735689600"),  # a Unix time
        (2025.5, "expected a date as YYYY-MM-DD, got 2025.5"),
        (True, "expected a date as YYYY-MM-DD, got true"),
        ("2025-01", "expected a date as YYYY-MM-DD, got '2025-01'"),
        ("2025-02-30", "'2025-02-30' is not a real date: day is out of range for month"),
    ],
)
def test_as_of_is_a_date_never_a_number(as_of: object, message: str) -> None:
    data = book(company={"name": "Testco", "as_of": as_of})
    assert refused(data).pairs == [("company.as_of", message)]


def test_as_of_accepts_dates_and_datetimes() -> None:
    import datetime as dt

    for value in ("2025-1-5", dt.date(2025, 1, 5), dt.datetime(2025, 1, 5, 10, 30)):
        p = load_portfolio(book(company={"name": "Testco", "as_of": value}))
        assert p.company.as_of == dt.date(2025, 1, 5)


def test_a_wrong_company_currency_brings_no_exchange_rate_errors() -> None:
    # Bug: with currency XYZ, every EUR row also asked for "fx: {EUR: <XYZ per EUR>}".
    data = book(
        company={"name": "Testco", "as_of": "2025-01-15", "currency": "XYZ"},
        commitments=[{**ROW, "currency": "EUR"}],
    )
    assert refused(data).pairs == [
        ("company.currency", "'XYZ' is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
    ]


@pytest.mark.parametrize("aliases", [5, True, 2.5, "AWS"])
def test_aliases_that_are_not_a_list_are_a_located_error(aliases: object) -> None:
    # Bug: `aliases: 5` raised TypeError from the cross-reference check.
    error = refused(book(counterparties={"Amazon": {"aliases": aliases}}))
    assert [where for where, _ in error.pairs] == ["counterparties.Amazon.aliases"]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("p.toml", "[financials]\ncash = 1\nrevenue = " + "1" * 5000 + "\n", 3),
        ("p.json", '{"financials":\n {"revenue": ' + "1" * 5000 + "}}", 2),
    ],
)
def test_an_integer_past_pythons_digit_limit_is_located(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    # Bug: tomllib and json raise a plain ValueError for it, which escaped as a crash.
    assert located(refused(write(tmp_path, name, text))) == [
        ("", "a number has more than 4,300 digits", line)
    ]


def test_a_yaml_integer_past_the_digit_limit_is_located_and_short(tmp_path: Path) -> None:
    text = HEAD + "extensions: {x: " + "1" * 5000 + "}\n" + "commitments: []\n"
    ((where, message, line), *_) = located(refused(write(tmp_path, "p.yaml", text)))
    assert (where, line) == ("extensions.x", 3)
    assert message == "YAML: cannot read '1111111111111111111111111111111111111...': " + (
        "a number has more than 4,300 digits"
    )


@pytest.mark.parametrize(
    ("value", "where", "message"),
    [
        (object(), "extensions.mine", "holds a object value, not plain data"),
        (b"\xff", "extensions.mine", "holds a bytes value, not plain data"),
        (10**5000, "extensions.mine", "a number too long to write out"),
        ({"a": [1, "\ud800"]}, "extensions.mine.a[1]", "text that is not valid Unicode"),
        ({(1, 2): 1}, "extensions.mine", "a key must be text or a whole number, got (1, 2)"),
    ],
    ids=["object", "bytes", "huge-int", "surrogate", "tuple-key"],
)
def test_extensions_hold_plain_data_only(value: object, where: str, message: str) -> None:
    # Bug: a mapping passed validation, then crashed when hashed (model_dump / json.dumps).
    ((location, text),) = refused(book(extensions={"mine": value})).pairs
    assert location == where
    assert text.startswith(message)


def test_extensions_nested_too_deep_are_refused_at_their_key() -> None:
    deep: list[Any] = []
    for _ in range(300):
        deep = [deep]
    assert refused(book(extensions={"mine": deep})).pairs == [
        ("extensions.mine", "nested more than 64 levels deep")
    ]


def test_extensions_of_dates_and_numbers_are_fine() -> None:
    import datetime as dt

    extensions = {"x": {"d": dt.date(2025, 1, 1), "n": [1, 2.5, None, True, "t"], 7: "seven"}}
    assert load_portfolio(book(extensions=extensions)).extensions == extensions


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # YAML 1.1 reads these as octal and base 60; nobody writing a portfolio means that.
        (
            "0700",
            "YAML 1.1 reads 0700 as the octal number 448; write it without leading zeros, "
            "or quote it",
        ),
        ("1:30", "YAML 1.1 reads 1:30 as the base-60 number 90; quote it if you meant text"),
        ("!!binary aGVsbG8=", "YAML tag 'tag:yaml.org,2002:binary' is not allowed in data files"),
    ],
)
def test_yaml_values_nobody_means_are_refused(tmp_path: Path, value: str, message: str) -> None:
    text = HEAD.replace("{revenue: 10B}", "{revenue: 10B, cash: " + value + "}") + ROW_YAML
    assert located(refused(write(tmp_path, "p.yaml", text))) == [("financials.cash", message, 2)]


def test_plain_zeros_and_quoted_numbers_stay_numbers(tmp_path: Path) -> None:
    text = HEAD.replace("{revenue: 10B}", "{revenue: 10B, cash: 0, committed_funding: '0700'}")
    text += "commitments: [{counterparty: A, kind: cloud, amount: 1_000, start: 2025, "
    text += "term_years: 1}]\n"
    p = load_portfolio(write(tmp_path, "p.yaml", text))
    assert (p.financials.cash, p.financials.committed_funding) == (0, 700)
    assert p.commitments[0].amount == 1000


def test_yaml_problems_that_keep_the_mapping_are_each_reported(tmp_path: Path) -> None:
    text = HEAD + (
        "commitments:\n"
        "  - counterparty: A\n"
        "    kind: cloud\n"
        "    <<: 5\n"
        "    [a, b]: 1\n"
        "    2025-13-45: 1\n"
        "    amount: -1B\n"
        "    start: 2025\n"
        "    term_years: 1\n"
    )
    assert located(refused(write(tmp_path, "p.yaml", text))) == [
        ("commitments[0]", "a merge key (<<) takes mappings only", 4),
        ("commitments[0]", "a mapping key must be a plain value", 7),
        ("commitments[0]", "YAML: bad key '2025-13-45': month must be in 1..12", 8),
        ("commitments[0].amount", "amount must not be negative, got '-1B'", 9),
    ]


def test_a_yaml_syntax_error_says_where_the_unclosed_part_began(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "company: [1, 2\nfinancials: {revenue: 1B}\n")
    ((where, message, line),) = located(refused(path))
    # The problem's wording is libyaml's or PyYAML's; the context and its line are ours.
    assert (where, line) == ("", 2)
    assert message.startswith("YAML syntax error: ")
    assert message.endswith("(while parsing a flow sequence that began on line 1)")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"commitments": [{**ROW, "counterparty": True}]}, "expected text, got true"),
        ({"commitments": [{**ROW, "counterparty": 2.5}]}, "expected text, got 2.5"),
        ({"company": "x" * 60}, "expected a mapping (key: value pairs), got 'xxxxxxxxxxxxx"),
        ({"commitments": [{**ROW, "term_years": [1]}]}, "expected a number, got a list"),
        ({"commitments": [{**ROW, "counterparty": 10**5000}]}, "expected text, got a number too"),
        (
            {"financials": {"revenue": "1B", "revenue_forecast": {"2026.5": "1B"}}},
            "expected a whole number, got '2026.5'",
        ),
    ],
)
def test_wrong_shapes_say_what_was_expected_and_what_was_found(
    data: dict[str, Any], message: str
) -> None:
    ((_, text),) = refused(book(**data)).pairs
    assert text.startswith(message)
    assert len(text) < 100  # a long value is shortened


def test_the_scale_reports_every_problem_at_once() -> None:
    scale = [{"grade": "A", "max": 50}, {"grade": "A", "max": 40}, {"grade": "NR", "max": 90}]
    with pytest.raises(ConfigError) as info:
        load_config({"rating": {"scale": scale}})
    assert info.value.pairs == [
        (
            "rating.scale",
            "bands overlap: A (max 40) must end above A (max 50); list grades from best to worst",
        ),
        ("rating.scale", "grade 'A' is given 2 times; grades must be unique"),
        ("rating.scale", "no grade may be called NR: it means not rated"),
        ("rating.scale", "the scale leaves a gap: its last band (NR) must end at 100"),
    ]


def test_config_reading_problems_come_with_its_validation_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "engine:\n  horizon_years: 010\n  max_file_bytes: -1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert located(info.value) == [
        (
            "engine.horizon_years",
            "YAML 1.1 reads 010 as the octal number 8; write it without leading zeros, or quote it",
            2,
        ),
        ("engine.max_file_bytes", "Input should be greater than 0", 3),
    ]
    # read_config_file, which returns plain data, refuses the same file outright.
    with pytest.raises(ConfigError) as raw:
        read_config_file(path)
    assert [e.location for e in raw.value.errors] == ["engine.horizon_years"]


@pytest.mark.parametrize("currency", [["USD"], {"2249": None}, 840])
def test_a_currency_that_is_not_text_is_a_located_error(currency: object) -> None:
    # Bug: a list or mapping as a currency raised TypeError (unhashable) from the
    # cross-reference check, company-wide or on a row.
    for data in (
        book(company={"name": "Testco", "as_of": "2025-01-15", "currency": currency}),
        book(commitments=[{**ROW, "currency": currency}]),
    ):
        ((where, message),) = refused(data).pairs
        assert where.endswith("currency") and message.startswith("expected text, got ")


def test_document_text_is_read_like_a_file() -> None:
    # For a JSONL line, say: the same checks, and errors that name the line.
    text = json.dumps(book(commitments=[{**ROW, "amount": "-1B"}]))
    with pytest.raises(PortfolioError) as info:
        load_document_text(text, "json", source="batch.jsonl:3")
    assert str(info.value) == (
        "batch.jsonl:3: commitments[0].amount: amount must not be negative, got '-1B'"
    )
    assert load_document_text(json.dumps(book()), "json").company.name == "Testco"
    for args, message in [
        (("{}", "xml"), "unknown format 'xml'"),
        (("{" + " " * 20 + "}", "json"), "document is 22 bytes, above the limit of 10"),
        (('{"a": 1,\n "a": 2}', "json"), "duplicate key 'a'"),
    ]:
        with pytest.raises(PortfolioError) as info:
            load_document_text(*args, max_bytes=10 if "limit" in message else 1000)
        assert info.value.pairs == [("", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool maybe", "YAML: cannot read 'maybe' as !!bool"),  # was KeyError
        ("!!timestamp soon", "YAML: cannot read 'soon' as !!timestamp"),  # was AttributeError
        ('!!int ""', "YAML: cannot read '' as !!int"),  # was IndexError
        ("!!float abc", "YAML: cannot read 'abc': could not convert string to float: 'abc'"),
    ],
)
def test_an_explicit_tag_its_value_does_not_fit_is_located(
    tmp_path: Path, value: str, message: str
) -> None:
    text = HEAD + f"extensions: {{x: {value}}}\n" + ROW_YAML
    assert located(refused(write(tmp_path, "p.yaml", text))) == [("extensions.x", message, 3)]
    # As a key too.
    text = HEAD + f"extensions: {{{value}: 1}}\n" + ROW_YAML
    ((where, key_message, line),) = located(refused(write(tmp_path, "p.yaml", text)))
    assert (where, line) == ("extensions", 3)
    assert key_message == message.replace("YAML: cannot read ", "YAML: bad key ")


def test_a_long_octal_looking_number_is_read_as_it_is(tmp_path: Path) -> None:
    # 0 then 5,000 sevens: too long to be a slip of the pen; only the model judges it.
    text = HEAD + "extensions: {x: 0" + "7" * 5000 + "}\n" + "commitments: []\n"
    assert located(refused(write(tmp_path, "p.yaml", text))) == [
        ("extensions.x", "a number too long to write out", 3),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13-45\n", "YAML: cannot read '2025-13-45': month must be in 1..12"),
        (
            "0700\n",
            "YAML 1.1 reads 0700 as the octal number 448; write it without leading "
            "zeros, or quote it",
        ),
    ],
)
def test_a_document_that_is_one_refused_value_says_why_once(
    tmp_path: Path, text: str, message: str
) -> None:
    assert located(refused(write(tmp_path, "p.yaml", text))) == [("", message, 1)]


def test_a_json_duplicate_the_line_scan_misses_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Never last-one-wins, even if the scan for lines found nothing.
    import riskcore.loading

    monkeypatch.setattr(riskcore.loading, "_json_duplicate_keys", lambda text: [])
    path = write(tmp_path, "p.json", '{"company": {"name": "a", "name": "b"}}')
    assert located(refused(path)) == [("", "duplicate key 'name'", None)]
