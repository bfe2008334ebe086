"""Turn reports into text: a terminal table, JSON, or Markdown. Renderers never compute.

Every figure shown is read from the report; this module only formats it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .engine import Engine
from .errors import UsageError
from .money import format_money
from .report import MetricEntry, Report, reports_to_json

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .backtest_results import BacktestReport
    from .diff_results import CommitmentEntry, DiffReport
    from .network import NetworkResult
    from .portfolio import Portfolio
    from .results import SimulationReport, StressReport


@dataclass(frozen=True)
class RenderOptions:
    """How to lay text out: `table_format` is any tabulate format name.

    `portfolios`: the input portfolios, parallel to the reports (or empty), for renderers that
    list the input rows (the html format shows every commitment and financing row).
    """

    table_format: str = "simple"
    summary_width: int = 64
    portfolios: tuple[Portfolio, ...] = ()


Renderer = Callable[[Sequence[Report], RenderOptions], str]


def fmt_score(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def fmt_share(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


def fmt_value(entry: MetricEntry) -> str:
    """A metric's headline value in its unit."""
    value, unit = entry.value, entry.unit
    if value is None:
        return "—"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "HHI":
        return f"{value:,.0f}"
    return f"{value:.4g}{' ' + unit if unit else ''}"


def what_if_lines(report: Report) -> list[str]:
    """The reverse stress test in words, one line per answer; none when it was not asked for."""
    w = report.what_if
    if w is None:
        return []

    def times(value: float | None, direction: str) -> str:
        if value is None:
            return f"no revenue multiplier in range makes the rating {direction}"
        return f"revenue x{value:.3f} makes the rating {direction}"

    cancel = (
        "no cancellation makes the rating better"
        if w.cancel_share_for_better is None
        else f"cancelling {w.cancel_share_for_better:.1%} of every commitment makes it better"
    )
    return [
        times(w.revenue_multiplier_for_better, "better"),
        times(w.revenue_multiplier_for_worse, "worse"),
        cancel,
    ]


def _headline(report: Report) -> list[str]:
    c = report.company
    margin = report.margin
    scenario = f" — scenario {report.scenario}" if report.scenario else ""
    lines = [
        f"{c.name} — commitments as of {c.as_of.isoformat()} ({c.currency}){scenario}",
        f"Rating: {report.rating} ({report.rating_label})",
        f"Score: {fmt_score(report.score)} / 100 (0 = no risk)   Coverage: {fmt_share(report.coverage)}"
        f"   Complete: {'yes' if report.complete else 'no'}",
    ]
    if report.score is not None:
        parts = []
        if margin.to_better is not None:
            parts.append(f"{margin.to_better:.1f} points lower would reach the better grade")
        if margin.to_worse is not None:
            parts.append(f"{margin.to_worse:.1f} points higher stays in this grade")
        if parts:
            lines.append("Margin: " + "; ".join(parts))
    what_if = what_if_lines(report)
    if what_if:
        lines.append("What if: " + "; ".join(what_if))
    return lines


def _metrics_rows(report: Report) -> list[list[str]]:
    rows = []
    for m in report.metrics:
        text = (m.summary or "") if m.status == "ok" else f"[{m.status}] {m.message or ''}"
        rows.append(
            [
                m.name,
                fmt_value(m),
                fmt_score(m.score),
                m.rating or "—",
                f"{m.weight:.2f}",
                f"{m.contribution:.1f}",
                text,
            ]
        )
    return rows


def _schedule(report: Report) -> tuple[list[list[str]], list[str]]:
    """The yearly rows and their headers; debt service and operating costs only where given."""
    cur = report.company.currency
    debt = any(row.debt_service for row in report.schedule)
    costs = any(row.operating_costs is not None for row in report.schedule)
    headers = ["year", "obligations"]
    headers += ["of which debt service"] if debt else []
    headers += ["revenue (counted)"]
    headers += ["operating costs"] if costs else []
    headers += ["coverage"]
    rows = []
    for row in report.schedule:
        cells = [str(row.year), format_money(row.obligations, cur)]
        cells += [format_money(row.debt_service, cur)] if debt else []
        cells += [format_money(row.revenue, cur)]
        cells += [format_money(row.operating_costs or 0.0, cur)] if costs else []
        cells += ["—" if row.coverage is None else f"{row.coverage:.2f}x"]
        rows.append(cells)
    return rows, headers


_METRIC_HEADERS = ["metric", "value", "score", "rating", "weight", "contribution", "summary"]


def _table(
    rows: list[list[str]], headers: list[str], options: RenderOptions, wide: int | None = None
) -> str:
    # Imported here: a JSON or Markdown run does not pay tabulate's import at start-up.
    from tabulate import tabulate

    widths = [None] * (len(headers) - 1) + [options.summary_width] if wide is not None else None
    return tabulate(
        rows,
        headers=headers,
        tablefmt=options.table_format,
        maxcolwidths=widths,
        disable_numparse=True,
    )


def render_table(reports: Sequence[Report], options: RenderOptions) -> str:
    """The report(s) for a terminal or CI log."""
    parts: list[str] = []
    if len(reports) > 1:
        parts += ["Comparison", _table(*_comparison(reports), options), ""]
    for report in reports:
        parts += _headline(report)
        parts += ["", "Metrics", _table(_metrics_rows(report), _METRIC_HEADERS, options, wide=1)]
        if report.schedule:
            parts += [
                "",
                "Obligations by year against revenue",
                _table(*_schedule(report), options),
            ]
        if report.adjustments:
            parts += ["", "Adjustments"]
            parts += [
                f"- {a.name}: {fmt_score(a.score_before)} -> {fmt_score(a.score_after)} ({a.reason})"
                for a in report.adjustments
            ]
        if report.warnings:
            parts += ["", "Warnings"] + [f"- {w}" for w in report.warnings]
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _comparison(reports: Sequence[Report]) -> tuple[list[list[str]], list[str]]:
    names = sorted({m.name for r in reports for m in r.metrics})
    headers = ["company", "as of", "rating", "score", "coverage", *names]
    rows = []
    for r in reports:
        scores = {m.name: fmt_score(m.score) for m in r.metrics}
        rows.append(
            [
                r.company.name,
                r.company.as_of.isoformat(),
                r.rating,
                fmt_score(r.score),
                fmt_share(r.coverage),
            ]
            + [scores.get(n, "—") for n in names]
        )
    return rows, headers


def render_markdown(reports: Sequence[Report], options: RenderOptions) -> str:
    """The report(s) as GitHub-flavoured Markdown, for an issue, a PR or a memo."""
    md = RenderOptions(table_format="github", summary_width=10_000)
    parts: list[str] = []
    if len(reports) > 1:
        parts += ["# Comparison", "", _table(*_comparison(reports), md), ""]
    for report in reports:
        c = report.company
        head = _headline(report)
        parts += [f"# {head[0]}", ""] + [f"- {line}" for line in head[1:]] + [""]
        parts += ["## Metrics", "", _table(_metrics_rows(report), _METRIC_HEADERS, md), ""]
        if report.schedule:
            parts += ["## Obligations by year against revenue", ""]
            parts += [_table(*_schedule(report), md), ""]
        if report.adjustments:
            parts += ["## Adjustments", ""]
            parts += [
                f"- **{a.name}**: {fmt_score(a.score_before)} → {fmt_score(a.score_after)}. {a.reason}"
                for a in report.adjustments
            ] + [""]
        if report.warnings:
            parts += ["## Warnings", ""] + [f"- {w}" for w in report.warnings] + [""]
        p = report.provenance
        parts += [
            f"<sub>riskcore {p.riskcore_version} · {c.name} portfolio sha256 {p.portfolio_sha256[:12]}"
            f" · config sha256 {p.config_sha256[:12]}</sub>",
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


def _multiplier(value: float | None) -> str:
    return "—" if value is None else f"x{value:.3f}"


def render_stress_table(results: Sequence[StressReport], options: RenderOptions) -> str:
    """One table per portfolio: a row per scenario with its rating, scores and what-if."""
    parts: list[str] = []
    for result in results:
        c = result.company
        names = sorted({n for row in result.scenarios for n in row.metrics})
        headers = [
            "scenario",
            "rating",
            "score",
            *names,
            "funding gap",
            "revenue for better",
            "revenue for worse",
            "cancel for better",
        ]
        rows = [
            [
                row.name,
                row.rating,
                fmt_score(row.score),
                *(fmt_score(row.metrics.get(n)) for n in names),
                "—" if row.funding_gap is None else format_money(row.funding_gap, c.currency),
                _multiplier(row.what_if.revenue_multiplier_for_better),
                _multiplier(row.what_if.revenue_multiplier_for_worse),
                fmt_share(row.what_if.cancel_share_for_better),
            ]
            for row in result.scenarios
        ]
        parts += [
            f"{c.name} — scenarios as of {c.as_of.isoformat()} ({c.currency})",
            _table(rows, headers, options),
            "",
        ]
        parts += [f"- {row.name}: {row.description}" for row in result.scenarios if row.description]
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def render_simulation_table(results: Sequence[SimulationReport], options: RenderOptions) -> str:
    """Each portfolio's Monte Carlo: shortfall probability, percentiles and grade shares."""
    parts: list[str] = []
    for r in results:
        c = r.company
        cur = c.currency
        scenario = f", scenario {r.scenario}" if r.scenario else ""
        parts += [
            f"{c.name} — Monte Carlo as of {c.as_of.isoformat()} ({cur}){scenario}",
            f"{r.paths:,} paths, seed {r.seed}, volatility {r.volatility:g}, "
            f"correlation {r.correlation:g}",
        ]
        if r.p_shortfall is None or r.p_shortfall_ci is None:
            parts.append("Funding gap: not simulated (revenue_coverage gave no result)")
        else:
            lo, hi = r.p_shortfall_ci
            parts.append(
                f"P(funding gap > 0): {r.p_shortfall:.2%} (95% interval {lo:.3%} to {hi:.3%})"
            )
            g, fc = r.funding_gap, r.funding_coverage
            rows = [
                ["funding coverage", *(_times(v) for v in (fc.p5, fc.p50, fc.p95))],
                ["funding gap", *(format_money(v, cur) for v in (g.p5, g.p50, g.p95))],
            ]
            parts += ["", _table(rows, ["", "p5", "p50", "p95"], options)]
            if g.mean_if_short is not None:
                parts.append(f"Mean gap when short: {format_money(g.mean_if_short, cur)}")
        parts += [
            "",
            _table(
                [[k, fmt_share(v)] for k, v in r.grades.items()],
                ["grade", "share of paths"],
                options,
            ),
        ]
        parts.append(f"Recomputed per path: {', '.join(r.recomputed_metrics) or 'none'}")
        parts.append(f"Held at their base score: {', '.join(r.held_metrics) or 'none'}")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def render_json(reports: Sequence[Report], options: RenderOptions) -> str:
    """The JSON contract: one object for one report, an array for several."""
    return reports_to_json(reports) + "\n"


BUILTIN_RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}


class UnknownFormat(UsageError):
    """A --format no built-in or plugin renderer provides."""


def find_renderer(fmt: str, engine: Engine | None = None) -> Renderer:
    """The renderer called `fmt`: built in, or registered by one of `engine`'s plugins."""
    if fmt in BUILTIN_RENDERERS:
        return BUILTIN_RENDERERS[fmt]
    plugins = engine.registry.renderers if engine is not None else {}
    if fmt in plugins:
        render = plugins[fmt][0]
        return lambda reports, options: str(render(reports, options))
    names = [*sorted(BUILTIN_RENDERERS), *sorted(set(plugins) - set(BUILTIN_RENDERERS))]
    raise UnknownFormat(f"--format {fmt}: unknown format; choose from {', '.join(names)}")


def render_reports(
    reports: Sequence[Report],
    fmt: str = "table",
    options: RenderOptions | None = None,
    engine: Engine | None = None,
) -> str:
    """Reports as text in format `fmt` (table, json, markdown, or a format `engine`'s plugins add)."""
    return find_renderer(fmt, engine)(reports, options or RenderOptions())


# -- riskcore network -------------------------------------------------------------------------


def render_network_table(result: NetworkResult, table_format: str = "simple") -> str:
    """The network view for a terminal: cycles, the exposure league table, contagion rounds."""
    options = RenderOptions(table_format=table_format)
    cur = result.currency
    with_portfolio = sum(1 for e in result.entities if e.has_portfolio)
    parts = [
        f"Ecosystem network — {len(result.entities)} entities ({with_portfolio} with a "
        f"portfolio), {result.cycle_count} cycles of at most {result.max_cycle} hops ({cur})",
        "",
        "Money-flow cycles (amount: the smallest flow on the cycle)",
    ]
    if result.cycles:
        rows = [
            [format_money(c.amount, cur), " -> ".join([*c.path, c.path[0]])] for c in result.cycles
        ]
        parts.append(_table(rows, ["amount", "cycle"], options))
        if result.truncated:
            parts.append(
                f"(the {len(result.cycles)} largest of {result.cycle_count}; --max-cycles "
                "shows more)"
            )
    else:
        parts.append("none")
    in_cycles = sorted(
        (e for e in result.entities if e.in_cycles > 0), key=lambda e: (-e.in_cycles, e.name)
    )
    if in_cycles:
        parts += ["", "Entities by the money on cycles through them"]
        rows = [
            [e.name, "yes" if e.has_portfolio else "no", format_money(e.in_cycles, cur)]
            for e in in_cycles
        ]
        parts.append(_table(rows, ["entity", "portfolio", "in cycles"], options))
    parts += ["", "Exposure: what each vendor is owed, by customer (largest single share first)"]
    if result.exposure:
        rows = [
            [
                x.vendor,
                x.customer,
                format_money(x.amount, cur),
                fmt_share(x.share_of_owed),
                format_money(x.owed, cur),
                fmt_share(x.share_of_backlog),
            ]
            for x in result.exposure
        ]
        headers = ["vendor", "customer", "owed by it", "share", "owed in all", "of backlog"]
        parts.append(_table(rows, headers, options))
    else:
        parts.append("none")
    for scenario in result.contagion:
        parts += [
            "",
            f"Contagion if {', '.join(scenario.defaults)} default"
            f"{'s' if len(scenario.defaults) == 1 else ''} (recovery {result.recovery:.0%}; a "
            f"company defaults when it loses more than {result.stress_threshold:.0%} of its "
            "revenue)",
        ]
        parts += [
            f"- round {n}: {', '.join(names)}" for n, names in enumerate(scenario.rounds, start=1)
        ]
        if scenario.losses:
            rows = [
                [loss.entity, format_money(loss.loss, cur), fmt_share(loss.share_of_revenue)]
                for loss in scenario.losses
            ]
            parts.append(_table(rows, ["entity", "loss", "of revenue"], options))
        else:
            parts.append("no losses")
    return "\n".join(parts).rstrip() + "\n"


# -- riskcore backtest ------------------------------------------------------------------------


def render_backtest_table(result: BacktestReport, options: RenderOptions) -> str:
    """The backtest for a terminal: the headline, the grades, each metric's AUC, the cases."""
    interval = (
        f" (95% interval {result.auc_ci[0]:.2f} to {result.auc_ci[1]:.2f})"
        if result.auc_ci is not None
        else " (too few cases of a class for an interval)"
    )
    scenario = f", scenario {result.scenario}" if result.scenario else ""
    unrated = len(result.cases) - result.n
    lines = [
        f"Backtest: {result.n} rated cases, {result.events} events{scenario}"
        + (f" ({unrated} not rated)" if unrated else ""),
        f"AUC {result.auc:.3f}{interval}; accuracy ratio {result.accuracy_ratio:.3f}",
        "",
        "By grade",
        _table(
            [[g.grade, str(g.n), str(g.events), f"{g.rate:.0%}"] for g in result.by_grade],
            ["grade", "cases", "events", "event rate"],
            options,
        ),
        "",
        "Each metric's own AUC",
        _table(
            [[name, "—" if a is None else f"{a:.3f}"] for name, a in result.metrics.items()],
            ["metric", "AUC"],
            options,
        ),
        "",
        "Cumulative accuracy profile (riskiest score first; random: events = cases)",
        _table(
            [[f"{x:.0%}", f"{y:.0%}"] for x, y in result.cap],
            ["share of cases", "share of events"],
            options,
        ),
        "",
        "Cases",
        _table(
            [
                [c.id, c.as_of, c.rating, fmt_score(c.score), str(c.outcome)]
                for c in sorted(result.cases, key=lambda c: (-(c.score or -1.0), c.id))
            ],
            ["case", "as of", "rating", "score", "outcome"],
            options,
        ),
    ]
    return "\n".join(lines) + "\n"


# -- riskcore diff ----------------------------------------------------------------------------


def fmt_change(value: float) -> str:
    """A signed change to one decimal; one that rounds to nothing is +0.0, never -0.0."""
    return f"{value if abs(value) >= 0.05 else 0.0:+.1f}"


def _diff_metric_rows(result: DiffReport) -> list[list[str]]:
    return [
        [m.name, fmt_score(m.old_score), fmt_score(m.new_score), fmt_change(m.contribution_change)]
        for m in result.metrics
    ]


_DIFF_HEADERS = ["metric", "old score", "new score", "contribution change"]


def _commitment_lines(result: DiffReport) -> list[str]:
    changes = result.commitments
    if changes is None:
        return ["Commitments: not compared (one side is a report, not a portfolio)."]
    cur = result.currency

    def row(e: CommitmentEntry) -> str:
        amount = "—" if e.amount is None else format_money(e.amount, cur)
        ident = f" [{e.id}]" if e.id else ""
        return f"{e.counterparty}{ident} ({e.kind}, {amount}, from {e.start or '—'})"

    lines = []
    for title, rows in (("Added", changes.added), ("Removed", changes.removed)):
        lines += [f"{title}: {len(rows)}"] + [f"- {row(e)}" for e in rows]
    lines.append(f"Changed: {len(changes.changed)}")
    for e in changes.changed:
        moved = "; ".join(f"{f.field} {f.old} -> {f.new}" for f in e.fields or [])
        lines.append(f"- {row(e)}: {moved}")
    return lines


def _diff_head(result: DiffReport) -> list[str]:
    o, n = result.old, result.new
    scenario = f", scenario {result.scenario}" if result.scenario else ""
    return [
        result.sentence,
        "",
        f"{result.company}: {o.rating} ({fmt_score(o.score)}) as of {o.as_of} -> "
        f"{n.rating} ({fmt_score(n.score)}) as of {n.as_of}{scenario}",
    ]


def render_diff_table(result: DiffReport, options: RenderOptions) -> str:
    """The rating action for a terminal: the sentence first, then what moved."""
    a = result.adjustments
    lines = _diff_head(result)
    lines += ["", _table(_diff_metric_rows(result), _DIFF_HEADERS, options), ""]
    lines.append(f"Adjustments: {a.old:+.1f} -> {a.new:+.1f} ({fmt_change(a.change)})")
    lines += ["", *_commitment_lines(result)]
    return "\n".join(lines) + "\n"


def render_diff_markdown(result: DiffReport) -> str:
    """The rating action as Markdown."""
    a = result.adjustments
    md = RenderOptions(table_format="github")
    lines = [f"# {result.company}: rating action", "", f"**{result.sentence}**", ""]
    lines += [*_diff_head(result)[2:], ""]
    lines += ["## Metrics", "", _table(_diff_metric_rows(result), _DIFF_HEADERS, md), ""]
    lines += ["## Adjustments", "", f"{a.old:+.1f} -> {a.new:+.1f} ({fmt_change(a.change)})", ""]
    lines += ["## Commitments", "", *_commitment_lines(result)]
    return "\n".join(lines) + "\n"
