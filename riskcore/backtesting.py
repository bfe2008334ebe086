"""The backtest: score historical cases as of dates before their outcome, and measure the ranking.

It runs the engine once per case (scenario and third-party metrics included), then asks how well
the scores separate the cases whose commitments were not met (outcome 1) from the rest: the AUC,
the accuracy ratio, the default rate by grade, and each metric's own AUC.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backtest_results import BacktestReport, CaseRow, GradeRow
from .batch import discover
from .discrimination import auc, auc_interval, cap_curve
from .engine import Engine
from .errors import ErrorItem, InputError, PortfolioError, UsageError
from .report import Report

OUTCOME_COLUMNS = ("id", "outcome", "event_date", "source", "note")
REQUIRED_COLUMNS = ("id", "outcome")


class OutcomesError(InputError):
    """An outcomes file that cannot be used, with every problem found in it."""

    kind = "outcomes file"


@dataclass(frozen=True)
class OutcomeRow:
    """One case's outcome as the file gives it."""

    id: str
    outcome: int
    line: int
    event_date: str = ""
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Case:
    """One portfolio to score: its id (the file name without the extension) and where it is.

    `portfolio` is what the engine scores: a path, or a JSONL line's data less its `id`.
    """

    id: str
    where: str
    portfolio: str | Mapping[str, Any]


def load_outcomes(path: str | Path) -> dict[str, OutcomeRow]:
    """The outcome of each case id; OutcomesError naming the file, line and id otherwise."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutcomesError(source, [ErrorItem("", f"cannot read: {reason}")]) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise OutcomesError(source, [ErrorItem("", "the file is empty")]) from None
    except csv.Error as exc:
        raise OutcomesError(source, [ErrorItem("", str(exc), 1)]) from None
    columns = [c.strip() for c in header]
    problems: list[ErrorItem] = []
    unknown = [c for c in columns if c not in OUTCOME_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if unknown or missing or len(set(columns)) != len(columns):
        wanted = ",".join(REQUIRED_COLUMNS) + " and optionally " + ",".join(OUTCOME_COLUMNS[2:])
        raise OutcomesError(
            source, [ErrorItem("header", f"got {','.join(columns)!r}; expected {wanted}", 1)]
        )
    rows: dict[str, OutcomeRow] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                problems.append(
                    ErrorItem("row", f"has {len(values)} fields, the header {len(columns)}", line)
                )
                continue
            record = dict(zip(columns, (v.strip() for v in values), strict=True))
            case_id = record["id"]
            if not case_id:
                problems.append(ErrorItem("id", "is empty", line))
                continue
            if record["outcome"] not in ("0", "1"):
                problems.append(
                    ErrorItem(case_id, f"outcome must be 0 or 1, got {record['outcome']!r}", line)
                )
                continue
            if case_id in rows:
                first = rows[case_id].line
                problems.append(
                    ErrorItem(case_id, f"a second outcome row (the first is line {first})", line)
                )
                continue
            rows[case_id] = OutcomeRow(
                case_id,
                int(record["outcome"]),
                line,
                record.get("event_date", ""),
                record.get("source", ""),
                record.get("note", ""),
            )
    except csv.Error as exc:
        problems.append(ErrorItem("row", str(exc), reader.line_num))
    if problems:
        raise OutcomesError(source, problems)
    return rows


def find_cases(inputs: Sequence[str | Path]) -> list[Case]:
    """Every case in `inputs` (files, folders, JSONL files), in a stable order.

    A file's id is its name without the extension; a JSONL line's is its `id` key.
    """
    missing = [str(p) for p in inputs if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    cases: list[Case] = []
    for item in discover(inputs):
        if item.error is not None:
            raise UsageError(item.error)
        if item.text is None:
            cases.append(Case(Path(item.path).stem, item.path, item.path))
            continue
        where = item.id  # path:line
        try:
            data = json.loads(item.text)
        except json.JSONDecodeError as exc:
            raise PortfolioError(where, [ErrorItem("", f"not JSON: {exc.msg}")]) from None
        case_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(case_id, str) or not case_id.strip():
            raise PortfolioError(where, [ErrorItem("id", "a JSONL case needs an `id` (text)")])
        portfolio = {k: v for k, v in data.items() if k != "id"}
        cases.append(Case(case_id.strip(), where, portfolio))
    return cases


def backtest(
    cases: Sequence[str | Path],
    outcomes: str | Path | Mapping[str, int],
    engine: Engine | None = None,
    scenario: str | None = None,
) -> BacktestReport:
    """Score every case and measure how well the scores rank the outcomes.

    `cases`: files, folders or JSONL files, as `riskcore batch` takes them. `outcomes`: an
    outcomes CSV (header `id,outcome` and optionally `event_date,source,note`) or a mapping of id
    to 0/1. Every case needs exactly one outcome and every outcome a case (OutcomesError, naming
    the file, line and id); both classes must be present among the rated cases (UsageError).
    """
    engine = engine or Engine()
    found = find_cases(cases)
    rows = (
        {k: OutcomeRow(k, int(v), 0) for k, v in outcomes.items()}
        if isinstance(outcomes, Mapping)
        else load_outcomes(outcomes)
    )
    label = "outcomes" if isinstance(outcomes, Mapping) else str(outcomes)
    _check_pairing(found, rows, label)
    scored: list[tuple[Case, Report]] = []
    for case in found:
        scored.append((case, engine.score(case.portfolio, scenario=scenario)))
    return measure(scored, rows, engine, scenario)


def _check_pairing(cases: Sequence[Case], rows: Mapping[str, OutcomeRow], label: str) -> None:
    problems: list[ErrorItem] = []
    seen: dict[str, str] = {}
    for case in cases:
        if case.id in seen:
            problems.append(
                ErrorItem(case.id, f"two cases have this id: {seen[case.id]} and {case.where}")
            )
        seen.setdefault(case.id, case.where)
        if case.id not in rows:
            problems.append(ErrorItem(case.id, f"the case {case.where} has no outcome row"))
    for case_id, row in sorted(rows.items(), key=lambda kv: kv[1].line):
        if case_id not in seen:
            problems.append(ErrorItem(case_id, "an outcome row with no case", row.line or None))
    if problems:
        raise OutcomesError(label, problems)


def measure(
    scored: Sequence[tuple[Case, Report]],
    rows: Mapping[str, OutcomeRow],
    engine: Engine,
    scenario: str | None = None,
) -> BacktestReport:
    """The backtest report of scored cases (see `backtest`)."""
    case_rows = sorted(
        (
            CaseRow(
                id=case.id,
                company=report.company.name,
                as_of=report.company.as_of.isoformat(),
                score=report.score,
                rating=report.rating,
                outcome=rows[case.id].outcome,
            )
            for case, report in scored
        ),
        key=lambda r: r.id,
    )
    rated = [(r.score, r.outcome) for r in case_rows if r.score is not None]
    area = auc(rated)
    if area is None:
        kinds = {o for _, o in rated}
        held = "no rated case" if not kinds else f"only outcome {kinds.pop()} among the rated cases"
        raise UsageError(
            f"the backtest needs cases of both outcomes, 1 and 0, to measure a ranking; there is "
            f"{held} ({len(case_rows) - len(rated)} not rated)"
        )
    interval = auc_interval(rated)
    grades = [g.grade for g in engine.config.rating.scale] + ["NR"]
    by_grade = []
    for grade in grades:
        members = [r for r in case_rows if r.rating == grade]
        if members:
            events = sum(r.outcome for r in members)
            by_grade.append(
                GradeRow(grade=grade, n=len(members), events=events, rate=events / len(members))
            )
    per_metric: dict[str, float | None] = {}
    names = sorted({m.name for _, report in scored for m in report.metrics})
    for name in names:
        pairs = []
        for case, report in scored:
            entry = next((m for m in report.metrics if m.name == name), None)
            if entry is not None and entry.status == "ok" and entry.score is not None:
                pairs.append((entry.score, rows[case.id].outcome))
        per_metric[name] = auc(pairs)
    return BacktestReport(
        n=len(rated),
        events=sum(o for _, o in rated),
        auc=area,
        auc_ci=None if interval is None else list(interval),
        accuracy_ratio=2 * area - 1,
        by_grade=by_grade,
        cases=case_rows,
        metrics=per_metric,
        scenario=scenario,
        cap=cap_curve(rated),
    )
