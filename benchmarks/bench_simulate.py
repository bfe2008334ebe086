"""Benchmark 5: wall time of `riskcore simulate configs/portfolios/openai-2025.yaml` (100,000 paths).

Value: the whole process, `riskcore simulate EXAMPLE --paths N --format json`, through the
installed console script: start-up, scoring, drawing the shocks, the vectorised metrics and the
summary.

Baseline: a whole process with the same interpreter that only imports numpy and draws the same
normal matrix (N paths x the example's shocked years) from the same kind of generator. That is
the floor: no simulation can skip either.

Both run N times, alternating, after warm-up runs; the goal (at most 2.5x) is judged on the
medians. Bytecode caching is on, in a private cache folder, as in benchmark 3.

    python benchmarks/bench_simulate.py [--quick] [--runs N] [--paths P]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Result, Row, best_and_median, parser, report
from _common import riskcore_command as riskcore

GOAL = 2.5
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"


def shocked_years() -> int:
    """The example's years after as_of within the horizon: the matrix's second dimension."""
    import riskcore

    scored = riskcore.Engine().score_detailed(EXAMPLE)
    return len(scored.book.years) - 1


def run_once(command: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}: {result.stderr}")
    return elapsed, result.stdout


def measure(runs: int, paths: int) -> list[Row]:
    years = shocked_years()
    simulate = [*riskcore(), "simulate", str(EXAMPLE), "--paths", str(paths), "--format", "json"]
    floor = [
        sys.executable,
        "-c",
        "import numpy as np; "
        f"np.random.Generator(np.random.PCG64(0)).standard_normal(({paths}, {years}))",
    ]
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
        for _ in range(2):
            _, out = run_once(simulate, env)
            run_once(floor, env)
        result = json.loads(out)
        if result["paths"] != paths:
            raise SystemExit(f"unexpected output: {out[:200]}")
        samples: dict[str, list[float]] = {"simulate": [], "floor": []}
        for _ in range(runs):
            samples["simulate"].append(run_once(simulate, env)[0])
            samples["floor"].append(run_once(floor, env)[0])
    best, median = best_and_median(samples["simulate"])
    base_best, base_median = best_and_median(samples["floor"])
    ratio = median / base_median
    return [
        Row(
            name=f"riskcore simulate EXAMPLE --paths {paths:,} --format json, ms",
            value=f"median {median * 1e3:.0f} (best {best * 1e3:.0f})",
            baseline=f"median {base_median * 1e3:.0f} (best {base_best * 1e3:.0f})",
            ratio=ratio,
            goal=f"<= {GOAL:g}x (medians)",
            met=ratio <= GOAL,
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


def run(quick: bool, runs: int | None = None, paths: int = 100_000) -> Result:
    runs = runs or (5 if quick else 20)
    title = (
        f"5. Monte Carlo: whole-process wall time of riskcore simulate, {runs} runs each, "
        f"alternating (baseline: python -c 'import numpy; draw the same {paths:,} x years "
        "normal matrix')"
    )
    return title, measure(runs, paths)


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, help="timed runs of each (default 20; --quick 5)")
    args.add_argument("--paths", type=int, default=100_000, help="paths (default 100,000)")
    options = args.parse_args(argv)
    report(lambda: run(options.quick, options.runs, options.paths))


if __name__ == "__main__":
    main()
