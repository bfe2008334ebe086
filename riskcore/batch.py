"""Score many portfolios: stream the inputs, fan them out to workers, write in input order.

Inputs are files, folders (searched recursively) and JSONL files (one portfolio per line),
read lazily so memory stays bounded whatever their size. Work goes out in chunks, at most a
fixed number in flight, and results come back in input order. Each worker process builds its
engine once (plugins loaded once) and scores every chunk it is given; the same chunk function
serves the local process pool and a Dask cluster.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .engine import Engine
from .errors import InputError, UsageError
from .loading import DEFAULT_MAX_BYTES, STDIN, SUFFIXES, Text, load_document_text, read_stdin
from .money import spreadsheet_safe, spreadsheet_text
from .report import dumps

if TYPE_CHECKING:  # pragma: no cover - typing only: numpy loads only with --simulate
    from .montecarlo import Settings

Format = Literal["jsonl", "csv"]
CHUNK = 32  # portfolios per task: large enough to hide the IPC cost, small enough to stream
WINDOW_PER_WORKER = 4  # chunks in flight per worker: bounded memory, no idle workers


@dataclass(frozen=True)
class Item:
    """One portfolio to score: its id, its source file, and where its text comes from."""

    id: str
    source: str
    path: str
    text: str | None = None
    """The JSON text of a JSONL line; None for a file, which the worker reads itself."""
    error: str | None = None
    """Why the item cannot even be read (an unreadable JSONL file)."""
    fmt: str | None = None
    """For a whole document read from standard input, its format; None for a JSONL line."""


@dataclass(frozen=True)
class Outcome:
    """What scoring one item gave: a report as JSON-ready data, or an error message."""

    id: str
    source: str
    report: dict[str, Any] | None = None
    """The report; None for an error, and when `line` carries it already."""
    error: str | None = None
    line: str | None = None
    """The item's JSONL line, when a worker process wrote it (`score_chunk(..., jsonl=True)`)."""


def discover(
    inputs: Sequence[str | Path],
    stdin_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Every portfolio in `inputs`, lazily, in a stable order (folders sorted).

    With `stdin_format`, `-` is standard input: one document in that format (yaml, json, toml,
    at most `max_bytes`), or with "jsonl" one portfolio per line, streamed.
    """
    for raw in inputs:
        path = Path(raw)
        if stdin_format is not None and str(raw) == "-":
            yield from _stdin_items(stdin_format, max_bytes)
        elif path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            for file in files:
                yield Item(id=str(file), source=str(file), path=str(file))
        elif path.suffix.lower() == ".jsonl":
            yield from _jsonl_items(path)
        else:
            yield Item(id=str(path), source=str(path), path=str(path))


def _stdin_items(fmt: str, max_bytes: int) -> Iterator[Item]:
    if fmt != "jsonl":
        text = read_stdin(fmt, max_bytes).data.decode("utf-8", "surrogateescape")
        yield Item(id=STDIN, source=STDIN, path="-", text=text, fmt=fmt)
        return
    stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield Item(id=f"{STDIN}:{number}", source=STDIN, path="-", text=line)


def _jsonl_items(path: Path) -> Iterator[Item]:
    try:
        handle = path.open(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        reason = f"{path}: (document): cannot read: {exc.strerror or exc}"
        yield Item(id=str(path), source=str(path), path=str(path), error=reason)
        return
    with handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield Item(id=f"{path}:{number}", source=str(path), path=str(path), text=line)


class EngineSpec:
    """How a worker builds its engine: picklable, compared by value, built once per process."""

    def __init__(
        self,
        config: str | None = None,
        plugins_dir: str | None = None,
        simulation: Settings | None = None,
    ) -> None:
        self.config = config
        self.plugins_dir = plugins_dir
        self.simulation = simulation
        """With settings, each report gains a `simulation` block (riskcore simulate's JSON)."""

    @property
    def key(self) -> tuple[str | None, str | None]:
        return (self.config, self.plugins_dir)

    def build(self) -> Engine:
        return Engine(config=self.config, plugins_dir=self.plugins_dir)


_WORKER_ENGINES: dict[tuple[str | None, str | None], Engine] = {}
"""The engine of this worker process, per spec: plugins load once per worker, not per task."""


def _worker_engine(spec: EngineSpec) -> Engine:
    engine = _WORKER_ENGINES.get(spec.key)
    if engine is None:
        engine = _WORKER_ENGINES[spec.key] = spec.build()
    return engine


def score_item(engine: Engine, item: Item, simulation: Settings | None = None) -> Outcome:
    """Score one item with `engine`; invalid input becomes an error outcome, never an exception.

    With `simulation`, the Monte Carlo block is added under "simulation"; its random stream is
    keyed by the seed and the item's id, so every backend gives the same numbers.
    """
    if item.error is not None:
        return Outcome(item.id, item.source, error=item.error)
    try:
        source: Any = item.path
        if item.fmt is not None and item.text is not None:  # hashed by its bytes, as a file is
            source = Text(item.text.encode("utf-8", "surrogateescape"), item.fmt, item.id)
        elif item.text is not None:
            source = load_document_text(
                item.text, "json", source=item.id, max_bytes=engine.config.engine.max_file_bytes
            )
        if simulation is None:
            return Outcome(item.id, item.source, report=engine.score(source).to_dict())
        from .montecarlo import simulate_scored

        scored = engine.score_detailed(source, scenario=simulation.scenario)
        block = simulate_scored(engine, scored, simulation, item.id)
    except InputError as exc:
        return Outcome(item.id, item.source, error=str(exc))
    return Outcome(
        item.id, item.source, report={**scored.report.to_dict(), "simulation": block.to_dict()}
    )


def score_chunk(spec: EngineSpec, items: Sequence[Item], jsonl: bool = False) -> list[Outcome]:
    """Score a chunk in a worker process, with that process's engine.

    With `jsonl`, each outcome comes back as its JSONL line: the worker encodes the report, and
    the parent, which every worker waits on, only writes text instead of unpickling a nested
    report and encoding it again.
    """
    engine = _worker_engine(spec)
    outcomes = [score_item(engine, item, spec.simulation) for item in items]
    return [_with_line(o) for o in outcomes] if jsonl else outcomes


def _with_line(outcome: Outcome) -> Outcome:
    try:
        line = jsonl_line(outcome)
    except Exception:  # not JSON-ready: left to the parent, to fail where and as it always did
        return outcome
    return Outcome(outcome.id, outcome.source, error=outcome.error, line=line)


class Backend(Protocol):
    """Runs chunks somewhere and hands back futures-like handles."""

    workers: int

    def submit(self, spec: EngineSpec, chunk: list[Item]) -> Any: ...

    def result(self, handle: Any) -> list[Outcome]: ...

    def close(self) -> None: ...


class InProcess:
    """One worker: this process, no pickling."""

    workers = 1

    def __init__(self, spec: EngineSpec) -> None:
        self._engine = spec.build()

    def submit(self, spec: EngineSpec, chunk: list[Item]) -> list[Outcome]:
        return [score_item(self._engine, item, spec.simulation) for item in chunk]

    def result(self, handle: list[Outcome]) -> list[Outcome]:
        return handle

    def close(self) -> None:
        pass


class LocalPool:
    """Worker processes on this machine, each loading plugins once.

    `jsonl`: the workers send back JSONL lines (see `score_chunk`), for JSONL output.
    """

    def __init__(self, workers: int, jsonl: bool = False) -> None:
        self.workers = workers
        self._jsonl = jsonl
        self._pool = ProcessPoolExecutor(max_workers=workers)

    def submit(self, spec: EngineSpec, chunk: list[Item]) -> Future[list[Outcome]]:
        return self._pool.submit(score_chunk, spec, chunk, self._jsonl)

    def result(self, handle: Future[list[Outcome]]) -> list[Outcome]:
        return handle.result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def run(
    items: Iterable[Item], spec: EngineSpec, backend: Backend, chunk: int = CHUNK
) -> Iterator[Outcome]:
    """Outcomes in input order, with at most `WINDOW_PER_WORKER x workers` chunks in flight."""
    window = max(2, WINDOW_PER_WORKER * backend.workers)
    pending: deque[Any] = deque()
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == chunk:
            pending.append(backend.submit(spec, batch))
            batch = []
            while len(pending) >= window:
                yield from backend.result(pending.popleft())
    if batch:
        pending.append(backend.submit(spec, batch))
    while pending:
        yield from backend.result(pending.popleft())


# -- output ------------------------------------------------------------------------------------


def jsonl_line(outcome: Outcome) -> str:
    """The JSONL line of an outcome: the report plus id and source, or an error line."""
    if outcome.line is not None:
        return outcome.line
    if outcome.report is None:
        return dumps({"id": outcome.id, "source": outcome.source, "error": outcome.error}, None)
    return dumps({"id": outcome.id, "source": outcome.source, **outcome.report}, None)


class CsvWriter:
    """One row per portfolio: id, company, rating, score, coverage, one column per metric, error.

    With `simulate`, p_shortfall and the 5th/50th/95th percentile funding gap come before error.
    """

    def __init__(
        self,
        metrics: Sequence[str],
        out: io.TextIOBase | Any,
        header: bool,
        simulate: bool = False,
    ) -> None:
        extra = ["p_shortfall", "funding_gap_p5", "funding_gap_p50", "funding_gap_p95"]
        self.columns = ["id", "company", "rating", "score", "coverage", *metrics]
        self.columns += [*(extra if simulate else []), "error"]
        self._writer = csv.writer(out, lineterminator="\n")
        if header:
            self._writer.writerow(self.columns)

    def write(self, outcome: Outcome) -> None:
        # Text from inputs (ids, names, messages) is written so no spreadsheet runs it.
        row: dict[str, Any] = {
            "id": spreadsheet_safe(outcome.id),
            "error": spreadsheet_safe(outcome.error or ""),
        }
        if outcome.report is not None:
            r = outcome.report
            row |= {"company": spreadsheet_safe(r["company"]["name"]), "rating": r["rating"]}
            row |= {"score": _num(r["score"]), "coverage": _num(r["coverage"])}
            row |= {m["name"]: _num(m["score"]) for m in r["metrics"]}
            sim = r.get("simulation")
            if sim is not None:
                gap = sim["funding_gap"]
                row |= {"p_shortfall": _num(sim["p_shortfall"])}
                row |= {f"funding_gap_{k}": _num(gap[k]) for k in ("p5", "p50", "p95")}
        self._writer.writerow([row.get(c, "") for c in self.columns])


def _num(value: float | None) -> str:
    return "" if value is None else repr(value)


def csv_columns(metrics: Sequence[str], simulate: bool = False) -> list[str]:
    """The CSV header a run with these metrics writes (see CsvWriter)."""
    return CsvWriter(metrics, io.StringIO(), header=False, simulate=simulate).columns


RECORD_START = '{"id": "'
"""How every riskcore JSONL line begins: `jsonl_line` puts the id first."""


def prepare_resume(output: Path, fmt: Format, columns: Sequence[str]) -> set[str]:
    """The ids already in `output`, after proving it is riskcore's; for --resume.

    Every complete line must be a riskcore JSONL record, or for CSV the header must be
    exactly `columns` (and each row of that many fields); else a UsageError names the file
    and its first foreign line, and not a byte is changed. Only then is a torn last line (a
    run killed mid-write) cut, and only when it is the start of a riskcore line.
    """
    if not output.exists():
        return set()
    data = output.read_bytes()
    lines, torn = _records(data, quotes=fmt == "csv")
    ids: set[str] = set()
    header = ",".join(columns)
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8", "replace")
        if fmt == "csv":
            if number == 1:
                found = text if text.rstrip("\n") == header else None
            else:
                row = next(csv.reader(io.StringIO(text)), [])
                found = spreadsheet_text(row[0]) if len(row) == len(columns) and row[0] else None
        else:
            found = _record_id(text)
        if found is None:
            what = "the CSV header this run writes" if fmt == "csv" and number == 1 else None
            raise _foreign(output, number, text, what or f"a riskcore {fmt.upper()} record")
        if fmt != "csv" or number > 1:
            ids.add(found)
    if torn:
        text = torn.decode("utf-8", "replace")
        if not _torn_start(text, fmt, header if not lines else None, len(columns)):
            raise _foreign(output, len(lines) + 1, text, "the start of a riskcore line")
        with output.open("rb+") as handle:
            handle.truncate(len(data) - len(torn))
    return ids


def _records(data: bytes, quotes: bool) -> tuple[list[bytes], bytes]:
    """The complete lines of `data`, each with its newline, and the torn rest.

    With `quotes` (CSV), a newline inside quotes ends no line.
    """
    records: list[bytes] = []
    start, quoted = 0, False
    for at, byte in enumerate(data):
        if byte == 0x22 and quotes:  # '"'; a doubled quote toggles twice
            quoted = not quoted
        elif byte == 0x0A and not quoted:
            records.append(data[start : at + 1])
            start = at + 1
    return records, data[start:]


def _record_id(line: str) -> str | None:
    """The id of a riskcore JSONL line (a report, or an id/source/error line), else None."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not line.startswith(RECORD_START):
        return None
    if not all(isinstance(record.get(k), str) for k in ("id", "source")):
        return None
    if set(record) == {"id", "source", "error"} or {"schema_version", "rating"} <= set(record):
        return str(record["id"])
    return None


def _torn_start(text: str, fmt: Format, header: str | None, width: int) -> bool:
    """Whether a last line with no newline is how a riskcore line begins.

    `header`: the CSV header, when this line is the whole file (a torn header).
    """
    if fmt == "jsonl":
        return RECORD_START.startswith(text) or text.startswith(RECORD_START)
    if header is not None:
        return header.startswith(text)
    closed = text + '"' if text.count('"') % 2 else text
    row = next(csv.reader(io.StringIO(closed)), [])
    return 0 < len(row) <= width


def _foreign(output: Path, number: int, line: str, expected: str) -> UsageError:
    shown = line.rstrip("\n")
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return UsageError(
        f"--resume: {output} is not riskcore's output, so it is left untouched: "
        f"line {number} is not {expected}: {shown!r}"
    )


def default_workers() -> int:
    return os.cpu_count() or 1


def count_items(inputs: Sequence[str | Path]) -> int:
    """How many items `discover` will yield (a streaming pass, for a progress bar's total)."""
    return sum(1 for _ in discover(inputs))
