"""The stress table: one portfolio scored under every configured scenario, with what-if.

It runs the engine once per scenario (plus the reverse stress test's runs), never the other
way round.
"""

from __future__ import annotations

from .engine import Engine, PortfolioSource
from .errors import UsageError
from .loading import load_portfolio_with_hash
from .report import CompanyInfo, Report
from .results import ScenarioRow, StressReport


def stress(engine: Engine, portfolio: PortfolioSource) -> StressReport:
    """Score `portfolio` under each of `engine`'s scenarios, in config order."""
    scenarios = engine.scenarios
    if not scenarios:
        raise UsageError("the config has no [scenarios.NAME] tables to stress")
    loaded, _ = load_portfolio_with_hash(portfolio, max_bytes=engine.config.engine.max_file_bytes)
    rows: list[ScenarioRow] = []
    for name, description in scenarios.items():
        report = engine.score(loaded, scenario=name, what_if=True)
        assert report.what_if is not None
        metrics = {m.name: (m.score if m.status == "ok" else None) for m in report.metrics}
        gap = _funding_gap(report)
        rows.append(
            ScenarioRow(
                name=name,
                description=description,
                rating=report.rating,
                score=report.score,
                metrics=metrics,
                funding_gap=gap,
                what_if=report.what_if,
            )
        )
    c = loaded.company
    return StressReport(
        company=CompanyInfo(name=c.name, as_of=c.as_of, currency=c.currency), scenarios=rows
    )


def _funding_gap(report: Report) -> float | None:
    """revenue_coverage's funding gap; None when that metric did not run or gave no result."""
    try:
        entry = report.metric("revenue_coverage")
    except KeyError:
        return None
    value = entry.details.get("funding_gap") if entry.status == "ok" else None
    return float(value) if isinstance(value, int | float) else None
