"""The `html` output format: one self-contained HTML5 file with inline CSS, SVG charts and script.

`riskcore score P... --format html -o report.html`. Charts are drawn by matplotlib's SVG backend
and inlined; the page is laid out by the Jinja2 templates in `templates/`. Nothing is fetched
from the network when the file is opened, and identical input gives identical bytes.

Like every renderer this one never computes: each figure shown is read from the reports (and
from the input rows in `RenderOptions.portfolios`); this module only formats and draws them.
jinja2 and matplotlib are imported only when the format is used (`pip install 'riskcore[html]'`).
The plugin itself is `html_report`, which imports this module only when a page is rendered.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import riskcore
from riskcore.render import fmt_change, fmt_score, fmt_share, fmt_value, what_if_lines

if TYPE_CHECKING:  # pragma: no cover - typing only
    import jinja2
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MISSING = "--format html needs: pip install 'riskcore[html]'"
TEMPLATES = Path(__file__).parent / "templates"

# Okabe-Ito: distinguishable with every common colour-vision deficiency, and in greyscale print.
BLUE, ORANGE, VERMILION, SKY, GREEN, GREY = (
    "#0072B2",
    "#E69F00",
    "#D55E00",
    "#56B4E9",
    "#009E73",
    "#555555",
)

_RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable, selectable, crisp in print
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.edgecolor": GREY,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and its text alternative (which states the numbers)."""

    id: str
    svg: str
    alt: str


@dataclass(frozen=True)
class Cell:
    """A table cell: the text shown, an optional link, and a sort key for the comparison."""

    text: str
    href: str | None = None
    sort: str | None = None


@dataclass
class ReportView:
    """One report laid out for the template: strings and charts, nothing left to compute."""

    index: int
    report: riskcore.Report
    badge: dict[str, str]
    metrics: list[list[str]]
    contributions: Chart | None
    schedule: list[list[str]]
    schedule_headers: list[str]
    schedule_chart: Chart | None
    funding_gap: str | None
    vendors: list[list[str]]
    vendor_chart: Chart | None
    pairs: list[list[str]]
    adjustments: list[str]
    what_if: list[str] = field(default_factory=list)
    commitments: list[list[Cell]] | None = None
    financing: list[list[Cell]] | None = None
    provenance: list[tuple[str, str]] = field(default_factory=list)


def money(amount: float | None, currency: str) -> str:
    return riskcore.format_money(amount, currency)


def billions(amount: float) -> float:
    """Amounts in units of 1e9, the charts' axis unit ($B): a change of unit, for drawing."""
    return amount / 1e9


def unit_label(currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency)
    return f"{symbol}B" if symbol else f"{currency} B"


def _tex_safe(text: str) -> str:
    """Text for a matplotlib label: `$` escaped, and what the chart font cannot draw replaced.

    `$` would otherwise start mathtext. A character the font lacks (an emoji, CJK) would draw
    as nothing and make matplotlib warn on stderr, so it becomes MISSING_GLYPH, and an
    invisible one (a variation selector, a joiner) is dropped; the tables and the chart's
    text alternative still show the name in full.
    """
    drawable = _font_chars()
    out = []
    for char in text:
        if ord(char) < 0x20 or ord(char) in drawable:
            out.append(char)
        elif unicodedata.category(char) not in ("Cf", "Mn", "Me"):
            out.append(MISSING_GLYPH)
    return "".join(out).replace("$", r"\$")


MISSING_GLYPH = "\N{WHITE SQUARE}"  # how a missing glyph usually looks, drawn on purpose


@functools.cache
def _font_chars() -> frozenset[int]:
    """The code points the charts' font draws (DejaVu Sans, which ships with matplotlib)."""
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties(family=_RC["font.sans-serif"]))
    return frozenset(ft2font.FT2Font(path).get_charmap())


def source_link(source: str | None) -> Cell:
    """A source as a link when it is an http(s) URL, else as plain text."""
    if not source:
        return Cell("—")
    text = source.strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        return Cell(source, href=text)
    # `cdomagazine.tech/aiml/...` as sources are often cited; a path with "..." was shortened
    # by whoever cited it and would be a broken link.
    if not scheme and _BARE_DOMAIN.match(text) and "..." not in text:
        return Cell(source, href="https://" + text)
    return Cell(source)


_BARE_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(/\S*)?$")


def _month(day: dt.date | None) -> str:
    return "—" if day is None else f"{day:%Y-%m}"


def _metric(report: riskcore.Report, name: str) -> riskcore.MetricEntry | None:
    for m in report.metrics:
        if m.name == name and m.status == "ok":
            return m
    return None


# -- charts --------------------------------------------------------------------------------------


def _svg(figure: Figure, chart_id: str) -> str:
    """The figure as inline SVG: no XML prolog, fixed metadata, ids unique to this chart."""
    import matplotlib

    buf = io.StringIO()
    rc: dict[Any, Any] = {**_RC, "svg.hashsalt": f"riskcore-{chart_id}"}
    with matplotlib.rc_context(rc):
        figure.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    # Several charts share one HTML document, so their ids (figure_1, clip paths) get a prefix.
    text = re.sub(r'\bid="', f'id="{chart_id}-', text)
    text = text.replace("url(#", f"url(#{chart_id}-").replace('href="#', f'href="#{chart_id}-')
    return text.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1).strip()


@contextmanager
def _figure(width: float, height: float) -> Iterator[tuple[Figure, Axes]]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height))
        yield fig, fig.add_subplot()


def contributions_chart(view_id: str, report: riskcore.Report) -> Chart | None:
    metrics = report.metrics
    if not metrics:
        return None
    chart_id = f"{view_id}-contrib"
    with _figure(7.5, 0.55 * len(metrics) + 1.3) as (fig, ax):
        labels = [_tex_safe(m.title) for m in metrics][::-1]
        values = [m.contribution for m in metrics][::-1]
        bars = ax.barh(labels, values, color=BLUE, height=0.6)
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=3)
        ax.set_xlabel("Contribution to the score (points of 100)")
        ax.margins(x=0.12)
        svg = _svg(fig, chart_id)
    parts = [f"{m.title} {m.contribution:.1f} points" for m in metrics]
    alt = (
        f"Bar chart of each metric's contribution to the score of {fmt_score(report.score)}: "
        + "; ".join(parts)
        + "."
    )
    return Chart(chart_id, svg, alt)


def schedule_chart(view_id: str, report: riskcore.Report) -> Chart | None:
    rows = report.schedule
    if not rows:
        return None
    cur = report.company.currency
    chart_id = f"{view_id}-schedule"
    coverage = _metric(report, "revenue_coverage")
    gap = coverage.details.get("funding_gap") if coverage else None
    worst = coverage.details.get("worst_year") if coverage else None
    years = [str(r.year) for r in rows]
    costs = any(r.operating_costs is not None for r in rows)
    with _figure(8.5, 4.4) as (fig, ax):
        x = list(range(len(rows)))
        obligations = [billions(r.obligations) for r in rows]
        bars = ax.bar(x, obligations, color=ORANGE, width=0.6, label="Obligations")
        ax.plot(
            x,
            [billions(r.revenue) for r in rows],
            color=BLUE,
            marker="o",
            linewidth=2.2,
            label="Revenue (counted)",
        )
        if costs:
            ax.plot(
                x,
                [billions(r.operating_costs or 0.0) for r in rows],
                color=VERMILION,
                marker="s",
                linestyle="--",
                linewidth=1.8,
                label="Operating costs",
            )
        ax.set_xticks(x, years)
        ax.set_xlabel("Year")
        ax.set_ylabel(_tex_safe(f"{unit_label(cur)} ({cur} billions)"))
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        if isinstance(gap, int | float) and gap > 0 and worst in [r.year for r in rows]:
            i = [r.year for r in rows].index(worst)
            bars[i].set_hatch("//")
            bars[i].set_edgecolor(VERMILION)
            ax.annotate(
                # The hatched year is where funding coverage is lowest, not where the gap peaks.
                _tex_safe(f"Lowest coverage\nthrough {worst}"),
                xy=(i, obligations[i]),
                xytext=(0, 18),
                textcoords="offset points",
                ha="center",
                color=VERMILION,
                fontweight="bold",
                arrowprops={"arrowstyle": "->", "color": VERMILION},
            )
            ax.margins(y=0.25)
        ax.legend(loc="upper right", frameon=False)
        svg = _svg(fig, chart_id)
    parts = [
        f"Obligations {money(r.obligations, cur)} in {r.year} against revenue {money(r.revenue, cur)}"
        + (f" less costs {money(r.operating_costs or 0.0, cur)}" if costs else "")
        for r in rows
    ]
    lines = "lines of counted revenue and operating costs" if costs else "a line of counted revenue"
    alt = f"Bars of obligations and {lines} by year: " + "; ".join(parts) + "."
    if isinstance(gap, int | float) and gap > 0:
        alt += (
            f" Funding gap {money(gap, cur)}; funding coverage is lowest through {worst}, "
            "the hatched bar."
        )
    return Chart(chart_id, svg, alt)


def vendor_chart(view_id: str, shares: Mapping[str, float]) -> Chart | None:
    if not shares:
        return None
    chart_id = f"{view_id}-vendors"
    with _figure(7.5, 0.45 * len(shares) + 1.3) as (fig, ax):
        names = [_tex_safe(n) for n in shares][::-1]
        values = [v * 100 for v in shares.values()][::-1]
        bars = ax.barh(names, values, color=GREEN, height=0.6)
        ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3)
        ax.set_xlabel("Share of the remaining commitments (%)")
        ax.margins(x=0.12)
        svg = _svg(fig, chart_id)
    alt = (
        "Bar chart of vendor shares of the remaining commitments: "
        + "; ".join(f"{n} {fmt_share(v)}" for n, v in shares.items())
        + "."
    )
    return Chart(chart_id, svg, alt)


# -- tables --------------------------------------------------------------------------------------


def _metric_rows(report: riskcore.Report) -> list[list[str]]:
    return [
        [
            m.title,
            fmt_value(m),
            fmt_score(m.score),
            m.rating or "—",
            f"{m.weight:.2f}",
            f"{m.contribution:.1f}",
            (m.summary or "") if m.status == "ok" else f"[{m.status}] {m.message or ''}",
        ]
        for m in report.metrics
    ]


def _commitment_rows(portfolio: riskcore.Portfolio) -> list[list[Cell]]:
    home = portfolio.company.currency
    rows = []
    for c in portfolio.commitments:
        if c.amount is not None:
            amount = money(c.amount, c.currency or home)
        else:
            amount = "estimated" if c.capacity_gw is not None else "—"
        term = [f"{c.term_years:g} years"] if c.term_years is not None else []
        term += [f"to {_month(c.end)}"] if c.end is not None else []
        rows.append(
            [
                Cell(c.counterparty),
                Cell(c.kind),
                Cell(amount),
                Cell(_month(c.start)),
                Cell(", ".join(term) or "—"),
                Cell(c.status),
                Cell("—" if c.capacity_gw is None else f"{c.capacity_gw:g} GW"),
                source_link(c.source),
            ]
        )
    return rows


def _financing_rows(portfolio: riskcore.Portfolio) -> list[list[Cell]]:
    home = portfolio.company.currency
    return [
        [
            Cell(f.investor),
            Cell(f.kind),
            Cell(money(f.amount, f.currency or home)),
            Cell(_month(f.date)),
            Cell("yes" if f.conditional else "no"),
            source_link(f.source),
        ]
        for f in portfolio.financing
    ]


def _view(index: int, report: riskcore.Report, portfolio: riskcore.Portfolio | None) -> ReportView:
    cur = report.company.currency
    view_id = f"r{index}"
    vc = _metric(report, "vendor_concentration")
    raw_shares = vc.details.get("shares") if vc else None
    shares = (
        {str(k): float(v) for k, v in raw_shares.items()} if isinstance(raw_shares, dict) else {}
    )
    cf = _metric(report, "circular_financing")
    raw_pairs = cf.details.get("pairs") if cf else None
    pairs = [
        [
            str(p.get("counterparty", "—")),
            money(p.get("inflow"), cur),
            money(p.get("outflow"), cur),
            money(p.get("round_trip"), cur),
        ]
        for p in (raw_pairs if isinstance(raw_pairs, list) else [])
        if isinstance(p, dict)
    ]
    rc = _metric(report, "revenue_coverage")
    gap = rc.details.get("funding_gap") if rc else None
    debt = any(r.debt_service for r in report.schedule)
    costs = any(r.operating_costs is not None for r in report.schedule)
    funding_gap = (
        f"{money(gap, cur)} to be found; funding coverage is lowest through "
        f"{rc.details.get('worst_year')}"
        if rc is not None and isinstance(gap, int | float) and gap > 0
        else None
    )
    p = report.provenance
    margin = report.margin
    return ReportView(
        index=index,
        report=report,
        badge={
            "rating": report.rating,
            "label": report.rating_label,
            "score": fmt_score(report.score),
            "coverage": fmt_share(report.coverage),
            "complete": "yes" if report.complete else "no",
            "to_better": "—" if margin.to_better is None else f"{margin.to_better:.1f}",
            "to_worse": "—" if margin.to_worse is None else f"{margin.to_worse:.1f}",
        },
        metrics=_metric_rows(report),
        what_if=what_if_lines(report),
        contributions=contributions_chart(view_id, report),
        schedule=[
            [
                str(r.year),
                money(r.obligations, cur),
                *([money(r.debt_service, cur)] if debt else []),
                money(r.revenue, cur),
                *([money(r.operating_costs or 0.0, cur)] if costs else []),
                "—" if r.coverage is None else f"{r.coverage:.2f}x",
            ]
            for r in report.schedule
        ],
        schedule_headers=[
            "Year",
            "Obligations",
            *(["Of which debt service"] if debt else []),
            "Revenue (counted)",
            *(["Operating costs"] if costs else []),
            "Coverage",
        ],
        schedule_chart=schedule_chart(view_id, report),
        funding_gap=funding_gap,
        vendors=[[name, fmt_share(share)] for name, share in shares.items()],
        vendor_chart=vendor_chart(view_id, shares),
        pairs=pairs,
        adjustments=[
            f"{a.name}: {fmt_score(a.score_before)} → {fmt_score(a.score_after)}. {a.reason}"
            for a in report.adjustments
        ],
        commitments=_commitment_rows(portfolio) if portfolio is not None else None,
        financing=_financing_rows(portfolio) if portfolio is not None else None,
        provenance=[
            ("riskcore version", p.riskcore_version),
            ("portfolio sha256", p.portfolio_sha256),
            ("config sha256", p.config_sha256),
            (
                "plugins",
                ", ".join(f"{x.name} {x.version or ''}".strip() for x in p.plugins) or "—",
            ),
        ],
    )


def _comparison(reports: Sequence[riskcore.Report]) -> tuple[list[str], list[list[Cell]]]:
    names = sorted({m.name for r in reports for m in r.metrics})
    headers = ["Company", "As of", "Rating", "Score", "Coverage", *names]
    rows = []
    for i, r in enumerate(reports, 1):
        scores = {m.name: m.score for m in r.metrics}
        rows.append(
            [
                Cell(r.company.name, href=f"#report-{i}"),
                Cell(r.company.as_of.isoformat()),
                Cell(r.rating),
                Cell(fmt_score(r.score), sort=_sort_key(r.score)),
                Cell(fmt_share(r.coverage), sort=repr(r.coverage)),
                *[Cell(fmt_score(scores.get(n)), sort=_sort_key(scores.get(n))) for n in names],
            ]
        )
    return headers, rows


def _sort_key(value: float | None) -> str:
    return "" if value is None else repr(value)


def _environment() -> jinja2.Environment:
    """The templates' Jinja2 environment; UsageError naming the extra when it is missing."""
    try:
        import jinja2
        import markupsafe
        import matplotlib  # noqa: F401  (checked here so the message names both)
    except ImportError:
        raise riskcore.UsageError(MISSING) from None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["svg"] = markupsafe.Markup  # charts drawn here, not user text
    return env


def cap_chart(result: riskcore.BacktestReport) -> Chart:
    """The cumulative accuracy profile, with the perfect and the random lines."""
    chart_id = "backtest-cap"
    share = result.events / result.n if result.n else 0.0
    with _figure(6.4, 5.0) as (fig, ax):
        xs = [x for x, _ in result.cap]
        ys = [y for _, y in result.cap]
        ax.plot(
            [0, share, 1], [0, 1, 1], color=GREEN, linestyle="--", linewidth=1.6, label="Perfect"
        )
        ax.plot([0, 1], [0, 1], color=GREY, linestyle=":", linewidth=1.6, label="Random")
        ax.plot(xs, ys, color=BLUE, marker="o", linewidth=2.2, label="riskcore")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("Share of cases, riskiest score first")
        ax.set_ylabel("Share of events")
        ax.grid(color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.legend(loc="lower right", frameon=False)
        svg = _svg(fig, chart_id)
    points = "; ".join(f"{x:.0%} of cases, {y:.0%} of events" for x, y in result.cap[1:])
    alt = (
        f"Cumulative accuracy profile of {result.n} cases and {result.events} events, from the "
        f"riskiest score: {points}. Accuracy ratio {result.accuracy_ratio:.2f} (1 is perfect, "
        "0 is random)."
    )
    return Chart(chart_id, svg, alt)


def render_backtest(result: riskcore.BacktestReport) -> str:
    """The backtest as one self-contained HTML5 page: the CAP curve and the tables."""
    env = _environment()
    return env.get_template("backtest.html.j2").render(
        title="riskcore backtest",
        result=result,
        chart=cap_chart(result),
        interval=(
            f"{result.auc_ci[0]:.2f} to {result.auc_ci[1]:.2f}"
            if result.auc_ci is not None
            else None
        ),
        grades=[[g.grade, str(g.n), str(g.events), fmt_share(g.rate)] for g in result.by_grade],
        metrics=[[n, "—" if a is None else f"{a:.3f}"] for n, a in result.metrics.items()],
        cases=[
            [
                c.id,
                c.company,
                c.as_of,
                c.rating,
                "—" if c.score is None else f"{c.score:.1f}",
                str(c.outcome),
            ]
            for c in sorted(result.cases, key=lambda c: (-(c.score or -1.0), c.id))
        ],
    )


def render_diff(result: riskcore.DiffReport) -> str:
    """A rating action as one self-contained HTML5 page: the sentence, then what moved."""
    env = _environment()
    cur = result.currency

    def row(e: Any) -> list[str]:
        return [e.counterparty, e.id or "—", e.kind, money(e.amount, cur), e.start or "—"]

    changes = result.commitments
    changed = (
        [
            [*row(e), "; ".join(f"{f.field}: {f.old} → {f.new}" for f in e.fields or [])]
            for e in changes.changed
        ]
        if changes is not None
        else []
    )
    return env.get_template("diff.html.j2").render(
        title=f"{result.company} — riskcore rating action",
        result=result,
        metrics=[
            [
                m.name,
                fmt_score(m.old_score),
                fmt_score(m.new_score),
                f"{m.contribution_change:+.1f}",
            ]
            for m in result.metrics
        ],
        adjustments=f"{result.adjustments.old:+.1f} → {result.adjustments.new:+.1f} "
        f"({fmt_change(result.adjustments.change)})",
        compared=changes is not None,
        added=[row(e) for e in changes.added] if changes is not None else [],
        removed=[row(e) for e in changes.removed] if changes is not None else [],
        changed=changed,
    )


def render_html(reports: Sequence[Any], options: riskcore.RenderOptions) -> str:
    """The reports as one self-contained HTML5 page (a comparison first when several).

    Given a backtest result (`riskcore backtest --format html`), the backtest's page.
    """
    if reports and isinstance(reports[0], riskcore.BacktestReport):
        return render_backtest(reports[0])
    if reports and isinstance(reports[0], riskcore.DiffReport):
        return render_diff(reports[0])
    env = _environment()
    portfolios: Sequence[riskcore.Portfolio | None] = getattr(options, "portfolios", ())
    if len(portfolios) != len(reports):
        portfolios = [None] * len(reports)
    views = [_view(i, r, p) for i, (r, p) in enumerate(zip(reports, portfolios, strict=True), 1)]
    headers, rows = _comparison(reports) if len(reports) > 1 else ([], [])
    title = (
        f"{reports[0].company.name} — riskcore report"
        if len(reports) == 1
        else f"riskcore comparison of {len(reports)} portfolios"
    )
    return env.get_template("report.html.j2").render(
        title=title, views=views, comparison_headers=headers, comparison_rows=rows
    )
