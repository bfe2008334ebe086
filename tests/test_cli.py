"""Every CLI command, through click's runner and, for the real entry points, a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import riskcore
from conftest import make_distribution
from riskcore.cli import cli

EXAMPLE = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"
# The console script installed beside the interpreter running the tests (a venv needs no PATH).
RISKCORE = str(Path(sys.executable).with_name("riskcore"))

SMALL = """\
company: {name: Smallco, as_of: 2025-01-15}
financials: {revenue: 10B, revenue_growth: 0.1, cash: 5B}
commitments:
  - {counterparty: AWS, kind: cloud, amount: 12B, start: 2025-01, term_years: 3}
"""

BAD = """\
company: {name: Badco, as_of: 2025-01-15}
financials:
  revenue: 10B
  revnue: 3
commitments:
  - {counterparty: AWS, kind: cloud, amount: 12X, start: 2025-01, term_years: 3}
"""


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "")
    return CliRunner()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    return path


def test_score_table(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["score", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("OpenAI — commitments as of 2025-11-03 (USD)\nRating: ")
    for heading in ["Metrics", "Obligations by year against revenue", "Warnings"]:
        assert f"\n{heading}\n" in out
    for name in ["revenue_coverage", "vendor_concentration", "circular_financing", "idle_capacity"]:
        assert name in out


def test_score_json_is_the_report(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["score", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0
    assert result.output == riskcore.Engine(allow=[]).score(EXAMPLE).to_json() + "\n"


def test_score_several_portfolios(runner: CliRunner, small: Path) -> None:
    result = runner.invoke(cli, ["score", str(EXAMPLE), str(small), "--format", "json"])
    data = json.loads(result.output)
    assert [d["company"]["name"] for d in data] == ["OpenAI", "Smallco"]
    table = runner.invoke(cli, ["score", str(EXAMPLE), str(small)]).output
    assert table.startswith("Comparison\n")
    assert table.index("Smallco") < table.index("OpenAI — commitments")


def test_score_markdown_and_table_format(runner: CliRunner, small: Path) -> None:
    md = runner.invoke(cli, ["score", str(small), "--format", "markdown"]).output
    assert md.startswith("# Smallco — commitments as of 2025-01-15 (USD)\n")
    assert "| metric " in md and "## Metrics" in md
    grid = runner.invoke(cli, ["score", str(small), "--table-format", "grid"]).output
    assert "+---" in grid


def test_score_output_file(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(cli, ["score", str(small), "--format", "json", "--output", str(out)])
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text())["company"]["name"] == "Smallco"


def test_invalid_portfolio_exit_2_no_traceback(runner: CliRunner, bad: Path) -> None:
    result = runner.invoke(cli, ["score", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{bad}: 2 problems in this portfolio:" in result.output
    assert (
        "financials.revnue (line 4): unknown field 'revnue'; did you mean 'revenue'?"
        in result.output
    )
    assert "commitments[0].amount (line 6): unknown unit 'X'" in result.output


def test_invalid_and_valid_portfolios_score_the_valid_one(
    runner: CliRunner, bad: Path, small: Path
) -> None:
    result = runner.invoke(cli, ["score", str(bad), str(small), "--format", "json"])
    assert result.exit_code == 2
    assert '"name": "Smallco"' in result.output


def test_debug_shows_the_traceback(runner: CliRunner, bad: Path) -> None:
    result = runner.invoke(cli, ["score", str(bad), "--debug"])
    assert result.exit_code == 1
    assert isinstance(result.exception, riskcore.PortfolioError)


def test_missing_file_and_unknown_extension(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["score", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "no such file" in result.output
    odd = tmp_path / "p.txt"
    odd.write_text("x")
    result = runner.invoke(cli, ["score", str(odd)])
    assert result.exit_code == 2 and "unknown file type '.txt'" in result.output


def test_fail_on(runner: CliRunner) -> None:
    # the example rates CC: worse than BB, not worse than C
    assert runner.invoke(cli, ["score", str(EXAMPLE), "--fail-on", "BB"]).exit_code == 1
    assert runner.invoke(cli, ["score", str(EXAMPLE), "--fail-on", "C"]).exit_code == 0
    bad = runner.invoke(cli, ["score", str(EXAMPLE), "--fail-on", "Z"])
    assert bad.exit_code == 2 and "not a grade" in bad.output


def test_fail_on_counts_nr_as_worst(runner: CliRunner, tmp_path: Path) -> None:
    paid = tmp_path / "paid.yaml"
    paid.write_text(SMALL.replace("as_of: 2025-01-15", "as_of: 2030-01-15"))
    result = runner.invoke(cli, ["score", str(paid), "--fail-on", "C", "--format", "json"])
    assert result.exit_code == 1
    assert '"rating": "NR"' in result.output


def test_disable_and_only(runner: CliRunner, small: Path) -> None:
    out = runner.invoke(
        cli, ["score", str(small), "--format", "json", "--disable", "idle_capacity"]
    ).output
    assert [m["name"] for m in json.loads(out)["metrics"]] == [
        "circular_financing", "customer_concentration", "revenue_coverage",
        "vendor_concentration",
    ]  # fmt: skip
    out = runner.invoke(
        cli, ["score", str(small), "--format", "json", "--only", "revenue_coverage"]
    ).output
    assert [m["name"] for m in json.loads(out)["metrics"]] == ["revenue_coverage"]
    bad = runner.invoke(cli, ["score", str(small), "--disable", "nope"])
    assert bad.exit_code == 2 and "--disable nope" in bad.output


def test_unknown_format(runner: CliRunner, small: Path) -> None:
    result = runner.invoke(cli, ["score", str(small), "--format", "xml"])
    assert result.exit_code == 2
    assert "choose from json, markdown, table" in result.output


def test_bad_config_exit_2(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[rating]\nmin_coverage = 2\n")
    result = runner.invoke(cli, ["score", str(small), "--config", str(cfg)])
    assert result.exit_code == 2
    assert f"{cfg}: rating.min_coverage (line" not in result.output  # TOML has no key lines
    assert "rating.min_coverage: Input should be less than or equal to 1" in result.output


def test_strict_exits_3_on_a_failed_plugin(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    (tmp_path / "plugs").mkdir()
    (tmp_path / "plugs" / "broken.py").write_text("raise RuntimeError('kaput')")
    args = ["--plugins-dir", str(tmp_path / "plugs"), "score", str(small)]
    relaxed = runner.invoke(cli, args)
    assert relaxed.exit_code == 0
    assert "plugin 'broken' failed at import: RuntimeError: kaput" in relaxed.output
    strict = runner.invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 3
    assert "Rating:" in strict.output  # the report is printed first


def test_validate(runner: CliRunner, small: Path, bad: Path) -> None:
    ok = runner.invoke(cli, ["validate", str(small), str(EXAMPLE)])
    assert ok.exit_code == 0
    assert (
        ok.output.splitlines()[0]
        == f"ok: {small}: Smallco as of 2025-01-15, 1 commitments, 0 financing rows"
    )
    both = runner.invoke(cli, ["validate", str(small), str(bad)])
    assert both.exit_code == 2
    assert "did you mean 'revenue'" in both.output


def test_schema(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(cli, ["schema"]).output)
    assert data["title"] == "Portfolio"
    defs = data["$defs"]
    # the credit view's fields are in the schema editors read
    assert {"debt", "operating_costs"} <= set(defs["Financials"]["properties"])
    assert {"counterparty_count", "capacity_units"} <= set(defs["Commitment"]["properties"])
    assert "lease" in defs["Commitment"]["properties"]["kind"]["enum"]
    assert {"rating", "counterparty_count"} <= set(defs["Customer"]["properties"])
    assert set(defs["Debt"]["required"]) == {"lender", "amount", "rate", "maturity"}
    assert "customers" in data["properties"]
    assert set(data["required"]) == {"company", "financials"}  # an empty book may omit commitments
    config = json.loads(runner.invoke(cli, ["schema", "--kind", "config"]).output)
    assert config["title"] == "Config"


def test_plugins_listing(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(cli, ["plugins", "--json"]).output)
    assert [p["name"] for p in data] == [
        "circular_financing",
        "customer_concentration",
        "html_report",
        "idle_capacity",
        "revenue_coverage",
        "vendor_concentration",
    ]
    assert set(data[0]) == {
        "name",
        "version",
        "source",
        "status",
        "error",
        "hooks",
        "metrics",
        "renderers",
    }
    table = runner.invoke(cli, ["plugins"]).output
    assert "builtin" in table and "active" in table


def test_explain(runner: CliRunner) -> None:
    overview = runner.invoke(cli, ["explain"]).output
    assert "How riskcore rates a portfolio" in overview and "AAA  <= 10" in overview
    one = runner.invoke(cli, ["explain", "revenue_coverage"])
    assert one.exit_code == 0
    assert one.output.startswith("revenue_coverage: Revenue coverage\n")
    from riskcore_plugins.revenue_coverage import RevenueCoverage

    assert RevenueCoverage.method() in one.output
    missing = runner.invoke(cli, ["explain", "nope"])
    assert missing.exit_code == 2


def test_version(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["--version"]).output == f"riskcore, version {riskcore.__version__}\n"


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )


def test_console_script_and_module_agree() -> None:
    a = _run([RISKCORE, "score", str(EXAMPLE), "--format", "json"], {"RISKCORE_LOAD_PLUGINS": ""})
    b = _run(
        [sys.executable, "-m", "riskcore", "score", str(EXAMPLE), "--format", "json"],
        {"RISKCORE_LOAD_PLUGINS": ""},
    )
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_installed_plugin_shows_up_without_touching_riskcore(tmp_path: Path) -> None:
    source = (
        (Path(__file__).parent / "test_registry.py")
        .read_text()
        .split('GOOD = """')[1]
        .split('"""')[0]
    )
    make_distribution(
        tmp_path, "tiny-plugin", {"tp_cli_tiny": source}, {"tiny": "tp_cli_tiny"}, version="2.3"
    )
    env = {"PYTHONPATH": str(tmp_path)}
    env_all = {**env}
    listing = _run([RISKCORE, "plugins", "--json"], env_all | {"RISKCORE_LOAD_PLUGINS": "tiny"})
    tiny = {p["name"]: p for p in json.loads(listing.stdout)}["tiny"]
    assert (tiny["source"], tiny["status"], tiny["version"], tiny["metrics"]) == (
        "entry point",
        "active",
        "2.3",
        ["tiny"],
    )
    report = _run(
        [RISKCORE, "score", str(EXAMPLE), "--format", "json"],
        env_all | {"RISKCORE_LOAD_PLUGINS": "tiny"},
    )
    assert "tiny" in [m["name"] for m in json.loads(report.stdout)["metrics"]]


def test_plugin_commands_are_added(tmp_path: Path) -> None:
    source = """
    import click, riskcore

    @click.command()
    def hello():
        '''Say hello.'''
        click.echo("hello from a plugin")

    @riskcore.hookimpl
    def riskcore_register_commands(cli):
        cli.add_command(hello)
    """
    make_distribution(tmp_path, "cmd-plugin", {"tp_cmd": source}, {"cmd": "tp_cmd"})
    result = _run(
        [RISKCORE, "hello"], {"PYTHONPATH": str(tmp_path), "RISKCORE_LOAD_PLUGINS": "cmd"}
    )
    assert result.returncode == 0 and result.stdout == "hello from a plugin\n"
    assert "hello" in _run([RISKCORE, "--help"], {"PYTHONPATH": str(tmp_path)}).stdout


def test_plugin_renderer_is_a_format(tmp_path: Path) -> None:
    (tmp_path / "csvish.py").write_text(
        "import riskcore\n"
        "def render(reports, options):\n"
        "    return ''.join(f'{r.company.name},{r.rating}\\n' for r in reports)\n"
        "@riskcore.hookimpl\n"
        "def riskcore_register_renderers(register):\n"
        "    register('csvish', render)\n"
    )
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--plugins-dir", str(tmp_path), "score", str(EXAMPLE), "--format", "csvish"]
    )
    assert result.exit_code == 0
    assert result.output.startswith("OpenAI,")


def test_a_printing_plugin_cannot_corrupt_json(tmp_path: Path) -> None:
    (tmp_path / "chatty.py").write_text(
        "import riskcore\n"
        "class Chatty(riskcore.Metric):\n"
        "    '''Prints.'''\n"
        "    name = 'chatty'\n"
        "    title = 'Chatty'\n"
        "    default_weight = 0.1\n"
        "    def score(self, portfolio, context):\n"
        "        print('hello from a plugin')\n"
        "        return riskcore.MetricResult(score=1, summary='x')\n"
        "@riskcore.hookimpl\n"
        "def riskcore_register_metrics(register):\n"
        "    register(Chatty)\n"
    )
    result = _run(
        [RISKCORE, "--plugins-dir", str(tmp_path), "score", str(EXAMPLE), "--format", "json"]
    )
    data = json.loads(result.stdout)  # stdout is still exactly the JSON report
    chatty = {m["name"]: m for m in data["metrics"]}["chatty"]
    assert chatty["status"] == "error"
    assert "wrote to stdout/stderr ('hello from a plugin')" in chatty["message"]
    strict = _run([RISKCORE, "--plugins-dir", str(tmp_path), "score", str(EXAMPLE), "--strict"])
    assert strict.returncode == 3


def test_generate_command(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    result = runner.invoke(cli, ["generate", "--count", "3", "--seed", "7", "--output", str(out)])
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3
    again = tmp_path / "q.jsonl"
    runner.invoke(cli, ["generate", "--count", "3", "--seed", "7", "--output", str(again)])
    assert again.read_bytes() == out.read_bytes()
    folder = tmp_path / "dir"
    assert runner.invoke(cli, ["generate", "--count", "2", "--output", str(folder)]).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["synth-000000.yaml", "synth-000001.yaml"]
    assert runner.invoke(cli, ["validate", str(folder / "synth-000001.yaml")]).exit_code == 0


def test_an_empty_book_is_scored_and_says_nothing_to_pay(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("company: {name: Emptyco, as_of: 2025-01-15}\nfinancials: {revenue: 10B}\n")
    assert runner.invoke(cli, ["validate", str(path)]).output == (
        f"ok: {path}: Emptyco as of 2025-01-15, 0 commitments, 0 financing rows\n"
    )
    result = runner.invoke(cli, ["score", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "Rating: NR (Not rated: the book has no commitments and no debt, so there is nothing to pay)\n"
        in (result.output)
    )
    assert "[skipped] nothing is left to pay after 2025-01-15" in result.output


def test_disabling_every_metric_exits_2_naming_the_available_ones(runner: CliRunner) -> None:
    names = [
        "circular_financing",
        "customer_concentration",
        "idle_capacity",
        "revenue_coverage",
        "vendor_concentration",
    ]
    args = ["score", str(EXAMPLE)] + [a for n in names for a in ("--disable", n)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: --disable {', '.join(names)} leaves no metric to run; "
        f"available: {', '.join(names)}\n"
    )


# --- - reads standard input ------------------------------------------------------------------


def test_score_dash_reads_stdin_and_gives_the_file_s_bytes(runner: CliRunner) -> None:
    text = EXAMPLE.read_text()
    from_file = runner.invoke(cli, ["score", str(EXAMPLE), "--format", "json"]).output
    result = runner.invoke(cli, ["score", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    assert result.output == from_file  # the same bytes, so the same portfolio_sha256 too


def test_score_dash_with_html_reads_stdin_once(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.html"
    args = ["score", "-", "--format", "html", "-o", str(out)]
    result = runner.invoke(cli, args, input=SMALL)
    assert result.exit_code == 0, result.output
    assert "Smallco" in out.read_text()


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("yaml", SMALL),
        ("json", json.dumps({"company": {"name": "Smallco", "as_of": "2025-01-15"},
                             "financials": {"revenue": "10B"}})),
        ("toml", '[company]\nname = "Smallco"\nas_of = 2025-01-15\n[financials]\nrevenue = "10B"\n'),
    ],
)  # fmt: skip
def test_validate_dash_reads_each_input_format(runner: CliRunner, fmt: str, text: str) -> None:
    result = runner.invoke(cli, ["validate", "-", "--input-format", fmt], input=text)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: <stdin>: Smallco as of 2025-01-15, ")


def test_stdin_yaml_the_default_reads_json_too(runner: CliRunner) -> None:
    text = json.dumps(
        {"company": {"name": "J", "as_of": "2025-01-15"}, "financials": {"revenue": 1}}
    )
    assert runner.invoke(cli, ["validate", "-"], input=text).output.startswith("ok: <stdin>: J ")


def test_stdin_errors_name_stdin_with_field_and_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["score", "-"], input=BAD)
    assert result.exit_code == 2
    assert result.output == (
        "Error: <stdin>: 2 problems in this portfolio:\n"
        "  - financials.revnue (line 4): unknown field 'revnue'; did you mean 'revenue'?\n"
        "  - commitments[0].amount (line 6): unknown unit 'X' in '12X'; use K, M, B (bn) or T\n"
    )
    assert "Traceback" not in result.output


def test_stdin_twice_and_stdin_too_large_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    twice = runner.invoke(cli, ["validate", "-", "-"], input=SMALL)
    assert (twice.exit_code, twice.output) == (
        2,
        "Error: - (standard input) can be given only once\n",
    )
    config = tmp_path / "c.toml"
    config.write_text("[engine]\nmax_file_bytes = 100\n")
    big = runner.invoke(cli, ["score", "-", "--config", str(config)], input=SMALL + "#" * 100)
    assert (big.exit_code, big.output) == (
        2,
        "Error: <stdin>: (document): input is above the limit of 100 bytes\n",
    )


def test_stdin_through_the_console_script() -> None:
    result = subprocess.run(
        [RISKCORE, "validate", "-"],
        input=SMALL,
        capture_output=True,
        text=True,
        env={**os.environ, "RISKCORE_LOAD_PLUGINS": ""},
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok: <stdin>: Smallco")


def test_validate_warns_of_an_extensions_section_nobody_reads(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text().replace("company:", "extensions: {debt: {amount: 14B}}\ncompany:", 1)
    path = tmp_path / "p.yaml"
    path.write_text(text)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: {path}: extensions.debt: no installed plugin reads this section, so it "
        "counts for nothing\n"
    )


def test_score_of_several_portfolios_rates_customers_from_the_run(runner: CliRunner) -> None:
    folder = EXAMPLE.parent.parent / "ecosystem"
    paths = [str(folder / "coreweave.yaml"), str(folder / "openai.yaml")]
    data = json.loads(runner.invoke(cli, ["score", *paths, "--format", "json"]).stdout)
    coreweave = next(r for r in data if r["company"]["name"] == "CoreWeave")
    openai = next(r for r in data if r["company"]["name"] == "OpenAI")
    cc = next(m for m in coreweave["metrics"] if m["name"] == "customer_concentration")
    assert cc["details"]["rated"]["OpenAI"] == {"grade": openai["rating"], "from": "riskcore"}
