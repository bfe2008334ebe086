"""Portfolios rated together: each one's customers are rated by riskcore where they are in the run.

A company's customer book is safer when the customers themselves can pay. When the customers'
own portfolios are scored in the same run, their riskcore ratings are worth more than an
agency's (or none): one pass rates every portfolio alone, and a second rescores the ones that
list customers with the first pass's ratings of the others. One round, not a fixed point, so
the result never depends on the order of the inputs and always ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from .engine import Engine, PortfolioSource
from .portfolio import normalize_name
from .report import Report


def score_together(
    engine: Engine,
    sources: Sequence[PortfolioSource],
    scenario: str | None = None,
    what_if: bool = False,
) -> list[Report]:
    """Rate `sources`, each with the others' ratings as the ratings of its customers.

    Bad input raises PortfolioError, as `Engine.score` does; the CLI scores one by one to report
    every bad file, then calls `rescore_with_peers`.
    """
    reports = [engine.score(s, scenario=scenario, what_if=what_if) for s in sources]
    return rescore_with_peers(engine, list(zip(sources, reports, strict=True)), scenario, what_if)


def rescore_with_peers(
    engine: Engine,
    scored: Sequence[tuple[PortfolioSource, Report]],
    scenario: str | None = None,
    what_if: bool = False,
) -> list[Report]:
    """The second pass of `score_together` over (source, first report) pairs."""
    ratings = {r.company.name: r.rating for _, r in scored if r.rating != "NR"}
    out: list[Report] = []
    for source, report in scored:
        own = normalize_name(report.company.name)
        peers = {name: grade for name, grade in ratings.items() if normalize_name(name) != own}
        if peers and _lists_customers(report):
            report = engine.score(source, scenario=scenario, what_if=what_if, ratings=peers)
        out.append(report)
    return out


def _lists_customers(report: Report) -> bool:
    try:
        return report.metric("customer_concentration").status == "ok"
    except KeyError:
        return False
