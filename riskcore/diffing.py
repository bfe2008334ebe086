"""Rating actions: what changed between two snapshots of a book, and what moved the score.

The score is the sum of the metrics' contributions plus what the adjustments add, so the change
splits exactly: each metric's contribution change, plus the change of the adjustments' part,
adds up to the score change.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from .config import Config
from .diff_results import (
    AdjustmentChange,
    CommitmentChanges,
    CommitmentEntry,
    DiffReport,
    DiffSide,
    FieldChange,
    MetricChange,
    RatingChange,
)
from .engine import Engine, PortfolioSource
from .loading import load_portfolio
from .money import format_money
from .portfolio import Commitment, Portfolio, normalize_name
from .report import Report
from .schedule import Groups

Side = Report | PortfolioSource

# Fields that say where a figure comes from, not what it is: they do not make a row "changed".
_PROVENANCE = {"source", "note"}


def is_report_file(path: str | Path) -> bool:
    """True when `path` is a report riskcore wrote (`score --format json`), not a portfolio."""
    source = Path(path)
    if source.suffix.lower() != ".json" or not source.is_file():
        return False
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"schema_version", "rating", "metrics"} <= set(data)


def diff(
    old: Side,
    new: Side,
    engine: Engine | None = None,
    scenario: str | None = None,
) -> DiffReport:
    """The rating action from `old` to `new`: reports, or portfolios the engine scores.

    A report file (`riskcore score --format json`) or `Report` is taken as it is; anything else
    is a portfolio, scored under `scenario`. The commitments are compared only when both sides
    are portfolios.
    """
    engine = engine or Engine()
    old_report, old_book = _side(old, engine, scenario)
    new_report, new_book = _side(new, engine, scenario)
    commitments = (
        compare_commitments(old_book, new_book)
        if old_book is not None and new_book is not None
        else None
    )
    return build_diff(old_report, new_report, commitments, engine.config, scenario)


def _side(side: Side, engine: Engine, scenario: str | None) -> tuple[Report, Portfolio | None]:
    if isinstance(side, Report):
        return side, None
    if isinstance(side, str | Path) and is_report_file(side):
        return Report.model_validate_json(Path(side).read_text(encoding="utf-8")), None
    # Loaded and validated once: the engine scores the model it is given as it is.
    portfolio = load_portfolio(side, max_bytes=engine.config.engine.max_file_bytes)
    return engine.score(portfolio, scenario=scenario), portfolio


def build_diff(
    old: Report,
    new: Report,
    commitments: CommitmentChanges | None,
    config: Config,
    scenario: str | None = None,
) -> DiffReport:
    """The diff of two reports (and of their commitments, where known)."""
    names = sorted({m.name for m in old.metrics} | {m.name for m in new.metrics})
    metrics = [_metric_change(name, old, new) for name in names]
    old_lift = _lift(old)
    new_lift = _lift(new)
    score_change = None if old.score is None or new.score is None else new.score - old.score
    rating_change = _rating_change(old.rating, new.rating, config)
    result = DiffReport(
        company=new.company.name,
        old=DiffSide(rating=old.rating, score=old.score, as_of=old.company.as_of.isoformat()),
        new=DiffSide(rating=new.rating, score=new.score, as_of=new.company.as_of.isoformat()),
        score_change=score_change,
        rating_change=rating_change,
        metrics=metrics,
        adjustments=AdjustmentChange(
            old=old_lift,
            new=new_lift,
            change=new_lift - old_lift,
            old_entries=old.adjustments,
            new_entries=new.adjustments,
        ),
        commitments=commitments,
        scenario=scenario,
        currency=new.company.currency,
    )
    return result.model_copy(update={"sentence": sentence(result)})


def _metric_change(name: str, old: Report, new: Report) -> MetricChange:
    def find(report: Report) -> tuple[float | None, float]:
        entry = next((m for m in report.metrics if m.name == name), None)
        if entry is None:
            return None, 0.0
        return (entry.score if entry.status == "ok" else None), entry.contribution

    old_score, old_contribution = find(old)
    new_score, new_contribution = find(new)
    return MetricChange(
        name=name,
        old_score=old_score,
        new_score=new_score,
        contribution_change=new_contribution - old_contribution,
    )


def _lift(report: Report) -> float:
    """What the adjustments added: the score less the metrics' contributions (0 for NR)."""
    if report.score is None:
        return 0.0
    return report.score - math.fsum(m.contribution for m in report.metrics)


def _rating_change(old: str, new: str, config: Config) -> RatingChange:
    grades = [g.grade for g in config.rating.scale]
    if old == new:
        return RatingChange(direction="unchanged", notches=0)
    # NR ranks below every grade, as --fail-on treats it; then the notches are unknown.
    rank = {g: i for i, g in enumerate(grades)}
    worst = len(grades)
    old_rank, new_rank = rank.get(old, worst), rank.get(new, worst)
    direction = "downgrade" if new_rank > old_rank else "upgrade"
    notches = None if worst in (old_rank, new_rank) else abs(new_rank - old_rank)
    return RatingChange(direction=direction, notches=notches)


def compare_commitments(old: Portfolio, new: Portfolio) -> CommitmentChanges:
    """Added, removed and changed commitments of two snapshots.

    Rows match on `id` where both have one; the rest on (counterparty group, kind, start
    month), each snapshot's names resolved through its own counterparty groups, and rows with
    the same key paired in file order.
    """
    old_rows = list(old.commitments)
    new_rows = list(new.commitments)
    pairs: list[tuple[Commitment, Commitment]] = []
    new_by_id = {c.id: c for c in new_rows if c.id}
    for c in [c for c in old_rows if c.id and c.id in new_by_id]:
        match = new_by_id[c.id]  # type: ignore[index]
        pairs.append((c, match))
        old_rows.remove(c)
        new_rows.remove(match)
    old_groups, new_groups = Groups(old), Groups(new)
    waiting: dict[tuple[str, str, str], list[Commitment]] = {}
    for c in new_rows:
        waiting.setdefault(_key(c, new_groups), []).append(c)
    removed: list[Commitment] = []
    for c in old_rows:
        queue = waiting.get(_key(c, old_groups))
        if queue:
            match = queue.pop(0)
            pairs.append((c, match))
            new_rows.remove(match)
        else:
            removed.append(c)
    changed = []
    for before, after in pairs:
        fields = _changed_fields(before, after)
        if fields:
            changed.append(_entry(after, fields))
    return CommitmentChanges(
        added=[_entry(c) for c in new_rows],
        removed=[_entry(c) for c in removed],
        changed=changed,
    )


def _key(c: Commitment, groups: Groups) -> tuple[str, str, str]:
    start = "" if c.start is None else f"{c.start:%Y-%m}"
    return normalize_name(groups(c.counterparty)), c.kind, start


def _changed_fields(old: Commitment, new: Commitment) -> list[FieldChange]:
    before = old.model_dump(mode="json")
    after = new.model_dump(mode="json")
    return [
        FieldChange(field=name, old=before[name], new=after[name])
        for name in before
        if name not in _PROVENANCE and before[name] != after[name]
    ]


def _entry(c: Commitment, fields: Sequence[FieldChange] | None = None) -> CommitmentEntry:
    return CommitmentEntry(
        id=c.id,
        counterparty=c.counterparty,
        kind=c.kind,
        amount=c.amount,
        start=None if c.start is None else f"{c.start:%Y-%m}",
        fields=None if fields is None else list(fields),
    )


# -- the sentence a reader can quote ----------------------------------------------------------


def sentence(result: DiffReport) -> str:
    """`Downgraded CCC -> CC (+6.3): revenue_coverage +4.1, new Oracle commitment of $300.0B`."""
    old, new = result.old, result.new
    change = "" if result.score_change is None else f" ({_signed(result.score_change)})"
    direction = result.rating_change.direction
    if direction == "unchanged":
        head = f"Unchanged at {new.rating}{change}"
    else:
        verb = "Upgraded" if direction == "upgrade" else "Downgraded"
        head = f"{verb} {old.rating} -> {new.rating}{change}"
    reasons = [
        f"{m.name} {_signed(m.contribution_change)}"
        for m in sorted(result.metrics, key=lambda m: (-abs(m.contribution_change), m.name))
        if abs(m.contribution_change) >= 0.05
    ][:2]
    if abs(result.adjustments.change) >= 0.05:
        reasons.append(f"adjustments {_signed(result.adjustments.change)}")
    reasons += _commitment_reasons(result.commitments, result.currency)
    return f"{head}: {', '.join(reasons)}" if reasons else f"{head}: no change"


def _signed(value: float) -> str:
    return f"{value if abs(value) >= 0.05 else 0.0:+.1f}"


def _commitment_reasons(changes: CommitmentChanges | None, currency: str) -> list[str]:
    if changes is None:
        return []

    def money(amount: float | None) -> str:
        return "an unstated amount" if amount is None else format_money(amount, currency)

    def size(entry: CommitmentEntry) -> float:
        return entry.amount or 0.0

    found: list[tuple[float, str]] = []
    for e in changes.added:
        found.append((size(e), f"new {e.counterparty} commitment of {money(e.amount)}"))
    for e in changes.removed:
        found.append((size(e), f"{e.counterparty} commitment of {money(e.amount)} gone"))
    for e in changes.changed:
        moved = {f.field: f for f in e.fields or []}
        if "amount" in moved:
            f = moved["amount"]
            text = f"{e.counterparty} commitment {money(f.old)} -> {money(f.new)}"
            found.append((abs((f.new or 0.0) - (f.old or 0.0)), text))
        else:
            found.append((0.0, f"{e.counterparty} commitment's {', '.join(moved)} changed"))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [text for _, text in found[:1]]
