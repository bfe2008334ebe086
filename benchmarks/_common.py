"""Shared helpers of the benchmarks: the machine, timing, generated inputs and the result table.

Benchmarks are measurements, never tests: nothing here asserts a number. Each benchmark measures
its baseline in the same run, on the same machine, so the ratio is what to read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "riskcore-bench"


@dataclass(frozen=True)
class Row:
    """One line of a result table: a measured value against its baseline and goal."""

    name: str
    value: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None  # None: for information, no goal

    @property
    def verdict(self) -> str:
        return "—" if self.met is None else ("yes" if self.met else "NO")


Result = tuple[str, list[Row]]
"""A benchmark's title and its rows."""


def report(*benchmarks: Callable[[], Result]) -> list[Result]:
    """Run benchmarks in turn and print the machine, the load and each one's table."""
    print_machine()
    results: list[Result] = []
    for benchmark in benchmarks:
        before = loadavg()
        title, rows = benchmark()
        results.append((title, rows))
        print(f"(load average before: {before}; after: {loadavg()})")
        print_table(title, rows)
    return results


def print_table(title: str, rows: Sequence[Row]) -> None:
    """The rows as a Markdown table, ready to paste into docs/performance.md."""
    header = ["measure", "value", "baseline", "ratio", "goal", "met"]
    body = [
        [
            r.name,
            r.value,
            r.baseline,
            "—" if r.ratio is None else f"{r.ratio:.2f}x",
            r.goal,
            r.verdict,
        ]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    print(f"\n### {title}\n")
    for line in [header, ["-" * w for w in widths], *body]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
    print(flush=True)


def machine() -> dict[str, str]:
    """What the numbers were measured on, and how busy it was."""
    free = shutil.which("free")
    memory = (
        subprocess.run([free, "-h"], capture_output=True, text=True, check=False).stdout.rstrip()
        if free
        else "(free not found)"
    )
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "commit": commit or "(not a git checkout)",
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "free -h": memory,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_machine(label: str = "machine") -> None:
    info = machine()
    print(f"## {label}")
    for key, value in info.items():
        if "\n" in value:
            print(f"{key}:")
            print("\n".join("    " + line for line in value.splitlines()))
        else:
            print(f"{key}: {value}")
    print(flush=True)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def best_and_median(samples: Sequence[float]) -> tuple[float, float]:
    return min(samples), statistics.median(samples)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def riskcore_command() -> list[str]:
    """The installed `riskcore` console script (not a version manager's shim), else -m."""
    scripts = sysconfig.get_path("scripts")
    found = shutil.which("riskcore", path=scripts) if scripts else None
    return [found] if found else [sys.executable, "-m", "riskcore"]


def generated_jsonl(count: int, seed: int = 0) -> Path:
    """A JSONL file of `count` generated portfolios, cached per count, seed and generator code.

    Written by `riskcore.generate.write_portfolios`, exactly as `riskcore generate` writes it.
    """
    from riskcore import generate

    code = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:12]
    path = CACHE / f"portfolios-{count}-seed{seed}-{code}.jsonl"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.jsonl")
        started = time.perf_counter()
        generate.write_portfolios(generate.generate_portfolios(count, seed), partial)
        partial.replace(path)
        print(f"(generated {count:,} portfolios in {time.perf_counter() - started:.1f} s: {path})")
    return path


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def parser(description: str) -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(description=description)
    found.add_argument(
        "--quick", action="store_true", help="smaller inputs and fewer rounds (routine use)"
    )
    return found


def run_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time and stdout of one whole process; a failure stops the benchmark."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}: {result.stderr}")
    return elapsed, result.stdout


def process_env(cache: str, bytecode_cache: bool = True) -> dict[str, str]:
    """This environment, with bytecode cached in the private folder `cache` (or not at all)."""
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def timing_rows(
    name: str, samples: Sequence[float], baseline: Sequence[float], goal: float
) -> list[Row]:
    """Two rows for whole-process timings: medians against the goal, then best against best."""
    best, median = best_and_median(samples)
    base_best, base_median = best_and_median(baseline)
    ratio = median / base_median
    return [
        Row(
            name=name,
            value=f"median {median * 1e3:.0f} (best {best * 1e3:.0f})",
            baseline=f"median {base_median * 1e3:.0f} (best {base_best * 1e3:.0f})",
            ratio=ratio,
            goal=f"<= {goal:g}x (medians)",
            met=ratio <= goal,
        ),
        Row(
            name="  the same, best against best",
            value=f"{best * 1e3:.0f}",
            baseline=f"{base_best * 1e3:.0f}",
            ratio=best / base_best,
            goal="—",
            met=None,
        ),
    ]


def floor_row(name: str, samples: Sequence[float], baseline: Sequence[float]) -> Row:
    """A row without a goal: medians, as the goal row compares them."""
    best, median = best_and_median(samples)
    base_best, base_median = best_and_median(baseline)
    return Row(
        name=name,
        value=f"median {median * 1e3:.0f} (best {best * 1e3:.0f})",
        baseline=f"median {base_median * 1e3:.0f} (best {base_best * 1e3:.0f})",
        ratio=median / base_median,
        goal="—",
        met=None,
    )
