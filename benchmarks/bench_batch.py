"""Benchmark 2: `riskcore batch` with 1 and 2 workers, as whole processes.

Input: a JSONL file of generated portfolios (20,000; --quick 4,000), written once by
`riskcore.generate.write_portfolios` and cached in the temp folder. Each run is a fresh
`riskcore batch FILE --workers N --quiet -o OUT` process, timed from start to exit, so process
start, plugin loading and the pool's start are included.

Baselines, measured in the same run:
- the 1-worker run, for the 2-worker speedup (goal: at least 1.8x);
- the in-process rate on the same portfolios by benchmark 1's method (`Engine.score(dict)` on
  the parsed lines, best of the passes), for each run's rate per worker (goal: the in-process
  rate is at most 1.5x the rate per worker).

The two runs' outputs are checked to be identical and free of error lines.

Two more rows put the speedup in context, without a goal:
- the machine's own 2-process speedup on a pure-Python loop, measured in the same run: on a
  shared machine whose second core is busy elsewhere, no program gets 1.8x, and this says so;
- the CPU seconds of each run (the process and its workers, from RUSAGE_CHILDREN): the extra
  CPU the second worker costs, which does not depend on how busy the machine is.

    python benchmarks/bench_batch.py [--quick] [--count N] [--rounds R]
"""

from __future__ import annotations

import hashlib
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Result,
    Row,
    best_and_median,
    generated_jsonl,
    parser,
    read_jsonl,
    report,
    riskcore_command,
    timed,
)
from bench_inprocess import builtin_engine, inprocess_seconds

SPEEDUP_GOAL = 1.8
PER_WORKER_GOAL = 1.5


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_batch(source: Path, workers: int, output: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (with its workers) of one `riskcore batch` process."""
    command = [*riskcore_command(), "batch", str(source), "--workers", str(workers)]
    command += ["--quiet", "-o", str(output)]
    cpu = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}: {result.stderr}")
    return elapsed, _children_cpu() - cpu


def _spin(count: int) -> int:
    total = 0
    for i in range(count):
        total += i * i
    return total


def machine_speedup(count: int = 10_000_000, rounds: int = 3) -> float:
    """How much faster two processes finish two equal pure-Python loops than one does one each.

    2.0 on two idle cores; less when something else runs on them.
    """
    context = multiprocessing.get_context("fork")
    best = 0.0
    with context.Pool(2) as pool:
        pool.map(_spin, [1000, 1000])  # both workers started
        for _ in range(rounds):
            one = timed(lambda: pool.apply(_spin, (count,)))
            two = timed(lambda: pool.map(_spin, [count, count]))
            best = max(best, 2 * one / two)
    return best


def measure(count: int, rounds: int) -> list[Row]:
    source = generated_jsonl(count)
    seconds: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    digests: dict[int, str] = {}
    ceiling = [machine_speedup()]
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            for workers in (1, 2):
                output = Path(folder) / f"out-{workers}.jsonl"
                wall, used = run_batch(source, workers, output)
                seconds[workers].append(wall)
                cpu[workers].append(used)
                data = output.read_bytes()
                if data.count(b"\n") != count or b'"error":' in data:
                    raise SystemExit(f"{output}: expected {count} scored lines")
                digests[workers] = hashlib.sha256(data).hexdigest()
            ceiling.append(machine_speedup())
    if digests[1] != digests[2]:
        raise SystemExit("1 and 2 workers wrote different output")

    portfolios = read_jsonl(source)
    inprocess, inprocess_median = inprocess_seconds(builtin_engine(), portfolios, max(2, rounds))
    inprocess_rate = 1 / inprocess

    one, one_median = best_and_median(seconds[1])
    two, two_median = best_and_median(seconds[2])
    speedup = one / two
    rows = [
        Row(
            name="2 workers vs 1: speedup (wall time)",
            value=f"{two:.1f} s (median {two_median:.1f})",
            baseline=f"{one:.1f} s (median {one_median:.1f})",
            ratio=speedup,
            goal=f">= {SPEEDUP_GOAL:g}x",
            met=speedup >= SPEEDUP_GOAL,
        ),
        Row(
            name="  the machine's 2-process speedup, pure-Python loop",
            value=f"{min(ceiling):.2f}x to {max(ceiling):.2f}x",
            baseline="2.00x on 2 idle cores",
            ratio=None,
            goal="—",
            met=None,
        ),
        Row(
            name="  CPU seconds, 2 workers vs 1 (parent + workers)",
            value=f"{min(cpu[2]):.1f} s",
            baseline=f"{min(cpu[1]):.1f} s",
            ratio=min(cpu[2]) / min(cpu[1]),
            goal="—",
            met=None,
        ),
    ]
    for workers, best in ((1, one), (2, two)):
        per_worker = count / best / workers
        ratio = inprocess_rate / per_worker
        rows.append(
            Row(
                name=f"{workers} worker{'s' if workers > 1 else ''}: portfolios/s per worker",
                value=f"{per_worker:,.0f}",
                baseline=f"{inprocess_rate:,.0f} in-process (median {1 / inprocess_median:,.0f})",
                ratio=ratio,
                goal=f"<= {PER_WORKER_GOAL:g}x",
                met=ratio <= PER_WORKER_GOAL,
            )
        )
    return rows


def run(quick: bool, count: int | None = None, rounds: int | None = None) -> Result:
    count = count or (4000 if quick else 20_000)
    rounds = rounds or (1 if quick else 2)
    title = (
        f"2. riskcore batch: {count:,} generated portfolios (JSONL), best of {rounds} "
        "(baselines: 1 worker; in-process rate)"
    )
    return title, measure(count, rounds)


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--count", type=int, help="portfolios (default 20000; --quick 4000)")
    args.add_argument("--rounds", type=int, help="runs of each (default 2; --quick 1)")
    options = args.parse_args(argv)
    report(lambda: run(options.quick, options.count, options.rounds))


if __name__ == "__main__":
    main()
