"""Benchmark 4: peak memory of `riskcore batch` on a 1,000,000-line JSONL file, whole tree.

Input: 20,000 generated portfolios (as benchmark 2) written 50 times over into one file of
1,000,000 lines (--quick: 5 times, 100,000 lines). Generating a million portfolios would take
about five minutes; repeating the file gives the same load for memory, since lines are scored
one by one and never kept. Line ids (`FILE:LINE`) stay unique.

Run: `riskcore batch BIG --workers 2 --quiet -o /dev/null`. While it runs, the process tree
(the parent and its pool workers) is sampled every 0.1 s from /proc: each process's VmRSS and
VmHWM (its own high-water mark, which the kernel keeps, so no peak between samples is lost).
Reported:
- the sum of the per-process high-water marks: an upper bound of the tree's peak (the
  processes may not peak together); the goal (under 500 MB) is judged on it;
- the largest sampled sum of VmRSS (the tree's peak as seen);
- the largest single process's VmHWM.
Growth in the last 0.1 s of a process's life can escape the sampling. ru_maxrss of
RUSAGE_CHILDREN is not used: Linux carries the forking process's own high-water mark into a
child across exec, so it reports this benchmark's size, not riskcore's.

Baseline, in the same run: the same command on the 20,000-line file.

    python benchmarks/bench_memory.py [--quick] [--repeat N] [--workers W]

The full run scores a million portfolios: about 10 to 20 minutes on 2 cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    CACHE,
    Result,
    Row,
    generated_jsonl,
    parser,
    report,
    riskcore_command,
)

GOAL_MB = 500
BASE_COUNT = 20_000
MB = 1024 * 1024


@dataclass
class Peak:
    """What sampling one run's process tree saw."""

    hwm: dict[int, int] = field(default_factory=dict)  # pid -> VmHWM in bytes
    rss_sum: int = 0
    processes: int = 0
    seconds: float = 0.0

    @property
    def hwm_sum(self) -> int:
        return sum(self.hwm.values())


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid` in bytes (empty once it has exited)."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    found[key] = int(value.split()[0]) * 1024
    except OSError:
        return {}
    return found


def _descendants(root: int) -> list[int]:
    """`root` and every process under it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def run_sampled(source: Path, workers: int, interval: float = 0.1) -> Peak:
    command = [*riskcore_command(), "batch", str(source), "--workers", str(workers)]
    command += ["--quiet", "-o", os.devnull]
    peak = Peak()
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    while process.poll() is None:
        rss = 0
        for pid in _descendants(process.pid):
            status = _status(pid)
            if status:
                rss += status.get("VmRSS", 0)
                peak.hwm[pid] = max(peak.hwm.get(pid, 0), status.get("VmHWM", 0))
        peak.rss_sum = max(peak.rss_sum, rss)
        time.sleep(interval)
    peak.seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}: {stderr}")
    peak.processes = len(peak.hwm)
    return peak


def repeated(source: Path, times: int) -> Path:
    """`source` written `times` times over into one file (cached beside it)."""
    lines = sum(1 for _ in source.open("rb")) * times
    path = CACHE / f"{source.stem}-x{times}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        data = source.read_bytes()
        with partial.open("wb") as out:
            for _ in range(times):
                out.write(data)
        partial.replace(path)
        print(f"(wrote {lines:,} lines, {path.stat().st_size / 1e9:.1f} GB: {path})")
    return path


def measure(times: int, workers: int) -> list[Row]:
    source = generated_jsonl(BASE_COUNT)
    big = repeated(source, times)
    lines = BASE_COUNT * times
    base = run_sampled(source, workers)
    print(f"(baseline run: {BASE_COUNT:,} lines in {base.seconds:.0f} s)", flush=True)
    found = run_sampled(big, workers)
    print(f"(big run: {lines:,} lines in {found.seconds:.0f} s)", flush=True)
    upper = found.hwm_sum / MB
    return [
        Row(
            name=f"sum of per-process VmHWM, MB ({found.processes} processes)",
            value=f"{upper:.0f}",
            baseline=f"{base.hwm_sum / MB:.0f} ({BASE_COUNT:,} lines)",
            ratio=found.hwm_sum / base.hwm_sum,
            goal=f"< {GOAL_MB} MB",
            met=upper < GOAL_MB,
        ),
        Row(
            name="largest sampled sum of VmRSS, MB",
            value=f"{found.rss_sum / MB:.0f}",
            baseline=f"{base.rss_sum / MB:.0f}",
            ratio=found.rss_sum / base.rss_sum,
            goal="—",
            met=None,
        ),
        Row(
            name="largest single process's VmHWM, MB",
            value=f"{max(found.hwm.values()) / MB:.0f}",
            baseline=f"{max(base.hwm.values()) / MB:.0f}",
            ratio=max(found.hwm.values()) / max(base.hwm.values()),
            goal="—",
            met=None,
        ),
        Row(
            name="wall time, s (portfolios/s)",
            value=f"{found.seconds:.0f} ({lines / found.seconds:,.0f}/s)",
            baseline=f"{base.seconds:.0f} ({BASE_COUNT / base.seconds:,.0f}/s)",
            ratio=found.seconds / base.seconds,
            goal="—",
            met=None,
        ),
    ]


def run(quick: bool, times: int | None = None, workers: int = 2) -> Result:
    times = times or (5 if quick else 50)
    title = (
        f"4. Peak memory: riskcore batch --workers {workers} on {BASE_COUNT * times:,} JSONL "
        f"lines ({BASE_COUNT:,} generated, repeated {times}x) "
        f"(baseline: the {BASE_COUNT:,}-line file)"
    )
    return title, measure(times, workers)


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument(
        "--repeat", type=int, help="copies of the 20,000-line file (default 50; --quick 5)"
    )
    args.add_argument("--workers", type=int, default=2, help="batch workers (default 2)")
    options = args.parse_args(argv)
    report(lambda: run(options.quick, options.repeat, options.workers))


if __name__ == "__main__":
    main()
