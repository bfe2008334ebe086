"""riskcore batch: streaming inputs, ordered output, error lines, resume, both backends."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from riskcore import batch as b
from riskcore.cli import cli
from riskcore.generate import generate_portfolios, write_portfolios

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"
RISKCORE = str(Path(sys.executable).with_name("riskcore"))


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "")
    return CliRunner()


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """70 generated portfolios (more than two chunks) with one invalid line in the middle."""
    path = tmp_path_factory.mktemp("batch") / "book.jsonl"
    write_portfolios(generate_portfolios(70, seed=3), path)
    lines = path.read_text().splitlines()
    lines.insert(40, '{"company": {"name": "Broken"}, "financials": {"revenue": "12X"}}')
    lines.insert(10, "")  # blank lines are skipped, but still count in line numbers
    path.write_text("\n".join(lines) + "\n")
    return path


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_discover_files_folders_and_jsonl(tmp_path: Path, jsonl: Path) -> None:
    folder = tmp_path / "tree"
    (folder / "sub").mkdir(parents=True)
    for name in ["b.yaml", "sub/a.toml", "c.json", "notes.txt"]:
        (folder / name).write_text("{}")
    items = list(b.discover([folder, jsonl, EXAMPLE]))
    ids = [i.id for i in items]
    assert ids[:3] == [str(folder / "b.yaml"), str(folder / "c.json"), str(folder / "sub/a.toml")]
    assert ids[3] == f"{jsonl}:1"
    assert f"{jsonl}:11" not in ids  # the blank line
    assert ids[-1] == str(EXAMPLE)
    assert len(items) == 3 + 71 + 1
    assert {i.source for i in items[3:-1]} == {str(jsonl)}


def test_jsonl_lines_are_the_score_report_plus_id_and_source(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(EXAMPLE), "--output", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    (line,) = records(out.read_text())
    score = json.loads(runner.invoke(cli, ["score", str(EXAMPLE), "--format", "json"]).output)
    assert line == {"id": str(EXAMPLE), "source": str(EXAMPLE), **score}
    assert list(line)[:3] == ["id", "source", "schema_version"]


def test_invalid_input_is_an_error_line_and_exit_2(
    runner: CliRunner, jsonl: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(jsonl), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert "1 invalid portfolio(s)" in result.output
    lines = records(out.read_text())
    assert len(lines) == 71  # every portfolio, the broken one included, in input order
    bad = lines[40]
    assert bad["id"] == f"{jsonl}:42"
    assert set(bad) == {"id", "source", "error"}
    assert bad["error"].startswith(f"{jsonl}:42: ")
    assert "financials.revenue: unknown unit 'X'" in bad["error"]
    assert [line["id"] for line in lines] == [i.id for i in b.discover([jsonl])]


def test_two_workers_give_the_same_bytes_in_input_order(
    runner: CliRunner, jsonl: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    runner.invoke(cli, ["batch", str(jsonl), "-o", str(one), "--workers", "1"])
    runner.invoke(cli, ["batch", str(jsonl), "-o", str(two), "--workers", "2"])
    assert one.read_bytes() == two.read_bytes()


def test_csv(runner: CliRunner, jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    runner.invoke(cli, ["batch", str(jsonl), "-o", str(out), "--format", "csv", "--workers", "1"])
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [
        "id", "company", "rating", "score", "coverage",
        "circular_financing", "customer_concentration", "idle_capacity", "revenue_coverage",
        "vendor_concentration", "error",
    ]  # fmt: skip
    assert len(rows) == 71
    assert rows[40]["rating"] == "" and rows[40]["error"].startswith(f"{jsonl}:42: ")
    first = records(runner.invoke(cli, ["batch", str(jsonl), "--workers", "1"]).stdout)[0]
    assert rows[0]["score"] == repr(first["score"])
    assert rows[0]["revenue_coverage"] == repr(
        {m["name"]: m["score"] for m in first["metrics"]}["revenue_coverage"]
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_an_interruption(
    runner: CliRunner, jsonl: Path, tmp_path: Path, fmt: str
) -> None:
    full, part = tmp_path / f"full.{fmt}", tmp_path / f"part.{fmt}"
    base = ["batch", str(jsonl), "--format", fmt, "--workers", "1"]
    runner.invoke(cli, [*base, "-o", str(full)])
    # An interrupted run: 25 complete lines, then half of the next one, torn mid-write.
    lines = full.read_bytes().splitlines(keepends=True)
    part.write_bytes(b"".join(lines[:25]) + lines[25][: len(lines[25]) // 2])
    result = runner.invoke(cli, [*base, "-o", str(part), "--resume"])
    assert result.exit_code == 2  # the broken portfolio is still invalid
    assert part.read_bytes() == full.read_bytes()
    again = runner.invoke(cli, [*base, "-o", str(part), "--resume"])
    assert again.exit_code == 0  # nothing left to do: every id is there
    assert part.read_bytes() == full.read_bytes()


def test_resume_needs_output(runner: CliRunner, jsonl: Path) -> None:
    result = runner.invoke(cli, ["batch", str(jsonl), "--resume"])
    assert result.exit_code == 2 and "--resume needs --output" in result.output


def test_the_window_bounds_work_in_flight() -> None:
    class Counting:
        workers = 2

        def __init__(self) -> None:
            self.in_flight = 0
            self.peak = 0

        def submit(self, spec: b.EngineSpec, chunk: list[b.Item]) -> list[b.Outcome]:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return [b.Outcome(i.id, i.source, error="x") for i in chunk]

        def result(self, handle: list[b.Outcome]) -> list[b.Outcome]:
            self.in_flight -= 1
            return handle

        def close(self) -> None:
            pass

    backend = Counting()
    items = (b.Item(id=str(n), source="s", path="p") for n in range(10_000))
    ids = [o.id for o in b.run(items, b.EngineSpec(), backend, chunk=10)]
    assert ids == [str(n) for n in range(10_000)]
    assert backend.peak == b.WINDOW_PER_WORKER * 2  # never more chunks held than the window


def test_unreadable_jsonl_is_an_error_line(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "gone.jsonl"
    result = runner.invoke(cli, ["batch", str(missing), "--workers", "1"])
    assert result.exit_code == 2
    (line,) = records(result.stdout)
    assert line["id"] == str(missing) and "cannot read" in line["error"]


def test_dask_local_cluster_matches_local_backend_line_for_line(
    jsonl: Path, tmp_path: Path
) -> None:
    pytest.importorskip("dask.distributed")
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    env_args: dict[str, Any] = {"capture_output": True, "text": True, "check": False}
    subprocess.run(
        [RISKCORE, "batch", str(jsonl), "-o", str(local), "--workers", "2", "--quiet"], **env_args
    )
    run = subprocess.run(
        [
            RISKCORE,
            "batch",
            str(jsonl),
            "-o",
            str(dask),
            "--backend",
            "dask",
            "--workers",
            "2",
            "--quiet",
        ],
        **env_args,
    )
    assert run.returncode == 2, run.stderr  # the one invalid line, as with the local backend
    assert dask.read_text().splitlines() == local.read_text().splitlines()


def test_batch_dash_reads_one_document_from_stdin(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["batch", "-", "--workers", "1"], input=EXAMPLE.read_text())
    assert result.exit_code == 0, result.output
    (record,) = records(result.output)
    expected = runner.invoke(cli, ["batch", str(EXAMPLE), "--workers", "1"]).output
    assert {**record, "id": "", "source": ""} == {**records(expected)[0], "id": "", "source": ""}
    assert (record["id"], record["source"]) == ("<stdin>", "<stdin>")


def test_batch_dash_reads_jsonl_from_stdin(runner: CliRunner, jsonl: Path) -> None:
    args = ["batch", "-", "--input-format", "jsonl", "--workers", "2"]
    result = runner.invoke(cli, args, input=jsonl.read_text())
    assert result.exit_code == 2  # the broken line
    from_file = records(runner.invoke(cli, ["batch", str(jsonl), "--workers", "2"]).stdout)
    got = records(result.stdout)
    assert [r["id"] for r in got] == [r["id"].replace(str(jsonl), "<stdin>") for r in from_file]
    assert [r.get("rating") for r in got] == [r.get("rating") for r in from_file]


def test_batch_dash_twice_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["batch", "-", "-"], input="")
    assert result.exit_code == 2
    assert "- (standard input) can be given only once" in result.output


# --- --resume touches only riskcore's own files -----------------------------------------------

SMALL = """\
company: {name: Smallco, as_of: 2025-01-15}
financials: {revenue: 10B}
commitments:
  - {counterparty: AWS, kind: cloud, amount: 12B, start: 2025-01, term_years: 3}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


@pytest.mark.parametrize(
    ("fmt", "content", "said"),
    [
        # the example: the torn-looking last line is the user's, and so is line one
        ("jsonl", b"line one\nmy notes no newline", "line 1 is not a riskcore JSONL record: 'line one'"),
        ("jsonl", b'{"a": 1}\n{"b": 2}\n', """line 1 is not a riskcore JSONL record: '{"a": 1}'"""),
        # JSON with an id, but not a line riskcore writes
        ("jsonl", b'{"id": "x", "note": "mine"}\n', "line 1 is not a riskcore JSONL record: "
         """'{"id": "x", "note": "mine"}'"""),
        ("jsonl", b'{"id": "x", "source": "y"}\n', "line 1 is not a riskcore JSONL record: "
         """'{"id": "x", "source": "y"}'"""),
        ("csv", b"a,b,c\n1,2,3\n", "line 1 is not the CSV header this run writes: 'a,b,c'"),
        ("jsonl", b"x" * 100 + b"\n", f"line 1 is not a riskcore JSONL record: '{'x' * 57}...'"),
        ("jsonl", b"just a torn line", "line 1 is not the start of a riskcore line: 'just a torn line'"),
        ("csv", b"name,company", "line 1 is not the start of a riskcore line: 'name,company'"),
    ],
)  # fmt: skip
def test_resume_refuses_a_file_that_is_not_riskcores_and_leaves_it_untouched(
    runner: CliRunner, small: Path, tmp_path: Path, fmt: str, content: bytes, said: str
) -> None:
    out = tmp_path / f"notes.{fmt}"
    out.write_bytes(content)
    result = runner.invoke(cli, ["batch", str(small), "-o", str(out), "--format", fmt, "--resume"])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: --resume: {out} is not riskcore's output, so it is left untouched: {said}\n"
    )
    assert out.read_bytes() == content


def test_resume_refuses_a_foreign_line_after_riskcores_own(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    args = ["batch", str(small), "-o", str(out), "--workers", "1"]
    runner.invoke(cli, args)
    content = out.read_bytes() + b"# my note\n" + out.read_bytes()[:20]
    out.write_bytes(content)
    result = runner.invoke(cli, [*args, "--resume"])
    assert result.exit_code == 2
    assert "line 2 is not a riskcore JSONL record: '# my note'" in result.output
    assert out.read_bytes() == content


def test_resume_refuses_a_csv_of_another_run_s_columns(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    runner.invoke(cli, ["batch", str(small), "-o", str(out), "--format", "csv"])
    content = out.read_bytes()
    more = ["--format", "csv", "--resume", "--simulate", "--paths", "10"]
    result = runner.invoke(cli, ["batch", str(small), "-o", str(out), *more])
    assert result.exit_code == 2
    assert "line 1 is not the CSV header this run writes: 'id,company,rating," in result.output
    assert out.read_bytes() == content


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("content", [b"", b"torn"], ids=["empty", "only a torn line"])
def test_resume_of_an_empty_file_or_a_torn_first_line_starts_afresh(
    runner: CliRunner, small: Path, tmp_path: Path, fmt: str, content: bytes
) -> None:
    full, out = tmp_path / f"full.{fmt}", tmp_path / f"out.{fmt}"
    base = ["batch", str(small), "--format", fmt, "--workers", "1"]
    runner.invoke(cli, [*base, "-o", str(full)])
    # "only a torn line": the first bytes riskcore itself wrote, cut mid-line
    out.write_bytes(full.read_bytes()[:12] if content else b"")
    result = runner.invoke(cli, [*base, "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == full.read_bytes()  # the CSV header included


def test_resume_of_a_csv_torn_inside_a_quoted_error(runner: CliRunner, tmp_path: Path) -> None:
    # An error message spans lines inside its quoted field: a newline there ends no row.
    bad = tmp_path / "bad.yaml"
    bad.write_text("company: 3\n")
    full, out = tmp_path / "full.csv", tmp_path / "out.csv"
    base = ["batch", str(bad), str(EXAMPLE), "--format", "csv", "--workers", "1"]
    runner.invoke(cli, [*base, "-o", str(full)])
    data = full.read_bytes()
    assert data.count(b"\n") > 3  # header, two rows, and the error's own newline
    out.write_bytes(data[: data.index(b"\n", data.index(b"\n") + 1) + 1])  # torn after "...:\n"
    result = runner.invoke(cli, [*base, "-o", str(out), "--resume"])
    assert result.exit_code == 2  # bad.yaml is still invalid
    assert out.read_bytes() == data


def test_resume_to_a_file_not_there_yet_writes_it(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "new.jsonl"
    result = runner.invoke(cli, ["batch", str(small), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in records(out.read_text())] == [str(small)]


# -- spreadsheet safety (OWASP CSV injection) ------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "'=already quoted",
]


@pytest.mark.parametrize("name", FORMULAS)
def test_csv_cells_never_start_a_formula(runner: CliRunner, tmp_path: Path, name: str) -> None:
    text = EXAMPLE.read_text().replace(
        "company: {name: OpenAI,", f"company: {{name: {json.dumps(name)},", 1
    )
    path = tmp_path / "formula.yaml"
    path.write_text(text)
    out = tmp_path / "out.csv"
    result = runner.invoke(
        cli, ["batch", str(path), "-o", str(out), "--format", "csv", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(out.open(newline="")))
    assert row["company"] == "'" + name  # shown as text, never run
    assert not row["company"].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_ids_and_errors_are_safe_and_resume_still_reads_them(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from inside the folder, so the ids (the paths as given) start with = and @.
    monkeypatch.chdir(tmp_path)
    Path("=cmd.yaml").write_text(EXAMPLE.read_text())
    Path("@bad.yaml").write_text("company: {name: X}\n")
    args = ["batch", "=cmd.yaml", "@bad.yaml", "-o", "out.csv", "--format", "csv", "--workers", "1"]
    runner.invoke(cli, args)
    before = Path("out.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(before.decode())))
    assert [r["id"] for r in rows] == ["'=cmd.yaml", "'@bad.yaml"]
    assert rows[1]["error"].startswith("'@bad.yaml: ")  # the error cell is text too
    # --resume reads the escaped ids back as the ids they are: only the new input is scored
    Path("+new.yaml").write_text(EXAMPLE.read_text())
    result = runner.invoke(cli, [*args[:3], "+new.yaml", *args[3:], "--resume"])
    assert result.exit_code == 0, result.output
    after = Path("out.csv").read_bytes()
    assert after.startswith(before)
    added = list(csv.reader(io.StringIO(after[len(before) :].decode())))
    assert [row[0] for row in added] == ["'+new.yaml"]


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # so that the apostrophe can always be taken off again
        ("'plain", "'plain"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_prefixes_and_undoes_exactly(text: str, cell: str) -> None:
    assert b.spreadsheet_safe(text) == cell
    assert b.spreadsheet_text(cell) == text


def test_resume_skips_a_done_row_whose_id_was_escaped(tmp_path: Path) -> None:
    columns = b.csv_columns(["revenue_coverage"])
    out = tmp_path / "out.csv"
    out.write_text(
        ",".join(columns)
        + "\n"
        + ",".join(["'=odd id", "X", "C", "100.0", "1.0", "100.0", ""])
        + "\n"
    )
    assert b.prepare_resume(out, "csv", columns) == {"=odd id"}
