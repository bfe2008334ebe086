"""The html format: one self-contained, deterministic, accessible HTML5 file (riskcore[html])."""

from __future__ import annotations

import itertools
import shutil
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import riskcore
from conftest import portfolio
from riskcore.cli import cli
from riskcore.report import dumps

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

EXAMPLE = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
FETCHING = {"script", "link", "img", "iframe", "source", "video", "audio", "object", "embed"}
FETCHING |= {"image", "use", "track"}

SMALL: dict[str, Any] = portfolio(
    company={"name": "Smallco <Ltd>"},
    commitments=[
        {
            "counterparty": "Acme Cloud",
            "kind": "cloud",
            "amount": "20B",
            "start": "2025-03",
            "term_years": 4,
            "source": "https://example.com/acme-deal?x=1&y=2",
        },
        {
            "counterparty": "Chipco",
            "kind": "chips",
            "capacity_gw": 1,
            "start": "2026",
            "end": "2027-12",
            "status": "announced",
            "source": "javascript:alert(1)",
        },
    ],
    financing=[{"investor": "Chipco", "amount": "2B", "source": "http://example.org/round"}],
)


class Page(HTMLParser):
    """Every tag with its attributes, the open/close balance, and the doctype."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype: str | None = None
        self.text_in: dict[str, list[str]] = {}
        self.first_tag: str | None = None

    def handle_decl(self, decl: str) -> None:
        if self.first_tag is None:
            self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.first_tag = self.first_tag or tag
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.first_tag = self.first_tag or tag
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.text_in.setdefault(self.stack[-1], []).append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def render_cli(tmp_path: Path, *paths: Path | str, name: str = "report.html") -> str:
    out = tmp_path / name
    result = CliRunner().invoke(
        cli, ["score", *map(str, paths), "--format", "html", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> str:
    return render_cli(tmp_path_factory.mktemp("html"), EXAMPLE)


@pytest.fixture(scope="module")
def example_report() -> riskcore.Report:
    return riskcore.Engine().score(EXAMPLE)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("pair")
    small = tmp / "small.yaml"
    small.write_text(dumps(SMALL), encoding="utf-8")  # JSON is YAML
    return render_cli(tmp, EXAMPLE, small)


def test_self_contained(example: str, pair: str) -> None:
    for text in (example, pair):
        page = parse(text)
        for tag, attrs in page.tags:
            if tag in FETCHING:
                for key in ("src", "href", "xlink:href", "data", "srcset"):
                    value = (attrs.get(key) or "").strip().lower()
                    assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
            if tag == "link":
                assert "stylesheet" not in (attrs.get("rel") or ""), attrs
        for bad in ("@import", "@font-face", "url(http", "url(//", "fonts.googleapis"):
            assert bad not in text
        assert "<script src" not in text and "<?xml" not in text


def test_byte_identical(tmp_path: Path, example: str) -> None:
    assert render_cli(tmp_path, EXAMPLE) == example
    options = riskcore.RenderOptions(portfolios=(riskcore.load_portfolio(EXAMPLE),))
    engine = riskcore.Engine()
    report = engine.score(EXAMPLE)
    once = riskcore.render_reports([report], "html", options, engine)
    assert once == riskcore.render_reports([report], "html", options, engine) == example


def test_valid_html5(example: str, pair: str) -> None:
    for text in (example, pair):
        assert text.startswith("<!DOCTYPE html>\n")
        page = parse(text)
        assert page.doctype == "DOCTYPE html"
        assert page.errors == [] and page.stack == []
        html = [a for t, a in page.tags if t == "html"]
        assert len(html) == 1 and html[0].get("lang") == "en"
        assert [t for t, _ in page.tags].count("title") == 1
        assert ("meta", {"charset": "utf-8"}) in page.tags
        ids = [a["id"] for _, a in page.tags if a.get("id")]
        assert len(ids) == len(set(ids)), "duplicate ids"


def test_headings_in_order(example: str, pair: str) -> None:
    for text, h1s in ((example, 1), (pair, 3)):
        levels = [int(t[1]) for t, _ in parse(text).tags if t in {"h1", "h2", "h3", "h4"}]
        assert levels[0] == 1 and levels.count(1) == h1s
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    sections = parse(example).text_in["h2"]
    for name in ("Rating", "Metrics", "Obligations against revenue", "Vendor shares"):
        assert name in sections
    for name in ("Circular financing", "Adjustments", "Warnings", "Commitments", "Financing"):
        assert name in sections
    assert "Provenance" in sections


class Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[tuple[str, dict[str, str | None]]]] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
            self.depth += 1
        elif self.depth:
            self.tables[-1].append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1


def test_tables_have_captions_and_scoped_headers(example: str, pair: str) -> None:
    for text in (example, pair):
        parser = Tables()
        parser.feed(text)
        assert len(parser.tables) >= 6
        for table in parser.tables:
            assert table[0][0] == "caption"
            headers = [a for t, a in table if t == "th"]
            assert headers and all(a.get("scope") in {"col", "row"} for a in headers)


def figures(text: str) -> list[dict[str, str | None]]:
    return [a for t, a in parse(text).tags if t == "figure"]


def test_charts_are_figures_with_the_numbers(example: str, example_report: riskcore.Report) -> None:
    found = {a["id"]: a for a in figures(example)}
    assert set(found) == {"r1-contrib", "r1-schedule", "r1-vendors"}
    for attrs in found.values():
        assert attrs["role"] == "img" and attrs["aria-label"]
    schedule = found["r1-schedule"]["aria-label"] or ""
    assert "Obligations $175.6B in 2026 against revenue $19.5B" in schedule
    for row in example_report.schedule:
        assert riskcore.format_money(row.obligations, "USD") in schedule
        assert riskcore.format_money(row.revenue, "USD") in schedule
    assert (
        "Funding gap $1.70T; funding coverage is lowest through 2032, the hatched bar." in schedule
    )
    contrib = found["r1-contrib"]["aria-label"] or ""
    for m in example_report.metrics:
        assert f"{m.title} {m.contribution:.1f} points" in contrib
    vendors = found["r1-vendors"]["aria-label"] or ""
    assert "Broadcom 23.1%" in vendors and "CoreWeave 1.3%" in vendors
    # Each figure's caption repeats the text alternative for sighted readers and for print.
    assert example.count("<figcaption>") == 3
    assert example.count('<svg aria-hidden="true"') == 3


def test_everything_shown_comes_from_the_report(
    example: str, example_report: riskcore.Report
) -> None:
    r = example_report
    assert '<span class="grade">C</span>' in example
    assert "Commitments far beyond means" in example and "score 100.0 / 100" in example
    assert "<dt>Coverage</dt><dd>90.9%</dd>" in example
    assert "<dt>Complete</dt><dd>no</dd>" in example
    assert "$1.70T to be found; funding coverage is lowest through 2032" in example
    for pair_ in r.metric("circular_financing").details["pairs"]:
        assert f'<th scope="row">{pair_["counterparty"]}</th>' in example
    assert "$100.0B" in example
    for w in r.warnings:
        assert f"<li>{w}</li>" in example
    assert "weakest_link: 86.9 → 100.0." in example
    assert r.provenance.portfolio_sha256 in example and r.provenance.config_sha256 in example


def test_commitment_and_financing_rows_with_sources(example: str) -> None:
    p = riskcore.load_portfolio(EXAMPLE)
    rows = [c.source for c in p.commitments] + [f.source for f in p.financing]
    assert all(rows)
    linked = 0
    for source in rows:
        assert source is not None
        if "..." in source:  # a shortened citation: a link would be broken, so it is text
            assert f"<td>{source}</td>" in example
        else:  # a bare domain and path, as the reference cites them: linked over https
            assert f'<a href="https://{source}" rel="noopener noreferrer">{source}</a>' in example
            linked += 1
    assert linked >= 5  # most of the example's sources are full paths
    # NVIDIA, AMD and Broadcom have no amount: valued by capacity.
    assert example.count('<td class="num">estimated</td>') == 3
    assert '<td class="num">$300.0B</td>' in example and "<td>4.5 GW</td>" in example


def test_http_sources_are_links_and_text_is_escaped(pair: str) -> None:
    assert '<a href="https://example.com/acme-deal?x=1&amp;y=2" rel="noopener noreferrer">' in pair
    assert '<a href="http://example.org/round" rel="noopener noreferrer">' in pair
    assert "<td>javascript:alert(1)</td>" in pair and 'href="javascript' not in pair
    assert "Smallco &lt;Ltd&gt;" in pair and "Smallco <Ltd>" not in pair
    assert "<td>4 years</td>" in pair and "<td>to 2027-12</td>" in pair
    assert "<td>announced</td>" in pair and "<td>1 GW</td>" in pair


def test_comparison_page_is_sortable(pair: str) -> None:
    page = parse(pair)
    assert page.text_in["h1"][0] == "Comparison of 2 portfolios"
    table = pair[pair.index('<table class="sortable"') : pair.index("</table>")]
    assert table.count('<th scope="col" aria-sort="none"><button type="button">') >= 5
    assert '<a href="#report-1">OpenAI</a>' in table and 'href="#report-2"' in table
    assert 'id="report-1"' in pair and 'id="report-2"' in pair
    assert pair.index('id="comparison"') < pair.index('id="report-1"')
    assert pair.count("<script>") == 1 and "addEventListener" in pair
    assert {a["id"] for a in figures(pair)} >= {"r1-schedule", "r2-schedule", "r2-contrib"}


def test_without_portfolios_the_rows_are_left_out(example_report: riskcore.Report) -> None:
    text = riskcore.render_reports([example_report], "html", engine=riskcore.Engine())
    assert "<h2>Commitments</h2>" not in text and "<h2>Provenance</h2>" in text
    assert "<script>" not in text


@pytest.mark.parametrize("module", ["jinja2", "matplotlib"])
def test_missing_dependency_is_a_usage_error(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["score", str(EXAMPLE), "--format", "html", "-o", str(out)])
    assert result.exit_code == 2
    assert "Error: --format html needs: pip install 'riskcore[html]'" in result.output
    assert not out.exists()
    with pytest.raises(riskcore.UsageError, match=r"riskcore\[html\]"):
        riskcore.render_reports(
            [riskcore.Engine().score(EXAMPLE)], "html", engine=riskcore.Engine()
        )


def test_other_formats_do_not_import_jinja2_or_matplotlib(tmp_path: Path) -> None:
    import subprocess

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from riskcore.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['score', {str(EXAMPLE)!r}, '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('jinja2', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip() == "[]"


def test_in_a_browser(tmp_path: Path, pair: str) -> None:
    """Open the example in headless Chromium: no console errors, no network, charts drawn."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium is not installed ({CHROMIUM}): apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    start = time.monotonic()
    page_file = tmp_path / "example.html"
    page_file.write_text(render_cli(tmp_path, EXAMPLE, name="example.html"), encoding="utf-8")
    pair_file = tmp_path / "pair.html"
    pair_file.write_text(pair, encoding="utf-8")
    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    flags += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=flags, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400})
            console: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="networkidle")
            boxes = page.eval_on_selector_all(
                "figure svg",
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return [r.width, r.height]; })",
            )
            assert len(boxes) == 3 and all(w > 300 and h > 150 for w, h in boxes), boxes
            page.screenshot(path=str(tmp_path / "example.png"), full_page=True)

            page.goto(pair_file.as_uri(), wait_until="networkidle")
            first = "#comparison-table tbody tr:first-child th"
            assert page.inner_text(first) == "OpenAI"
            page.click("#comparison-table thead th:nth-child(4) button")  # Score, ascending
            assert page.inner_text(first) == "Smallco <Ltd>"
            assert page.get_attribute("#comparison-table thead th:nth-child(4)", "aria-sort") == (
                "ascending"
            )
            page.click("#comparison-table thead th:nth-child(4) button")
            assert page.inner_text(first) == "OpenAI"
            assert page.eval_on_selector_all("figure svg", "els => els.length") >= 5
        finally:
            browser.close()
    assert [c for c in console if c.startswith(("error", "pageerror"))] == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert (tmp_path / "example.png").stat().st_size > 10_000
    assert time.monotonic() - start < 60


EMOJI = """\
company: {name: "Rocket 🚀 Corp", as_of: 2025-01-15}
financials: {revenue: 10B}
commitments:
  - {counterparty: "Rocket 🚀 Corp", kind: cloud, amount: 12B, start: 2025-01, term_years: 3}
  - {counterparty: "Tōkyō 日本 Cloud ❤️", kind: chips, amount: 6B, start: 2025-01, term_years: 3}
"""


def test_names_the_chart_font_lacks_warn_nothing_and_stay_whole(tmp_path: Path) -> None:
    import os
    import subprocess

    path, out = tmp_path / "emoji.yaml", tmp_path / "r.html"
    path.write_text(EMOJI)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("riskcore")), "score", str(path), "--format", "html",
         "-o", str(out)],
        capture_output=True, text=True, env={**os.environ, "RISKCORE_LOAD_PLUGINS": ""},
        check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    page = out.read_text()
    # the tables and the chart's text alternative keep the names; the chart draws a square
    assert "Rocket 🚀 Corp" in page and "Tōkyō 日本 Cloud ❤️" in page
    assert "Rocket □ Corp" in page and "Tōkyō □□ Cloud ❤️" in page  # DejaVu draws ❤


def test_chart_text_keeps_what_the_font_draws() -> None:
    from riskcore_plugins.html_layout import _tex_safe

    assert _tex_safe("AWS $38B Ünïcode — Ω") == r"AWS \$38B Ünïcode — Ω"
    # a missing invisible character (a language tag) is dropped rather than squared
    assert _tex_safe("a🚀b\U000e0001c") == "a□bc"
