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
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Result, Row, parser, process_env, report, run_process, timing_rows
from _common import riskcore_command as riskcore

GOAL = 2.5
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"


def shocked_years() -> int:
    """The example's years after as_of within the horizon: the matrix's second dimension."""
    import riskcore

    scored = riskcore.Engine().score_detailed(EXAMPLE)
    return len(scored.book.years) - 1


def measure(runs: int, paths: int) -> list[Row]:
    years = shocked_years()
    simulate = [*riskcore(), "simulate", str(EXAMPLE), "--paths", str(paths), "--format", "json"]
    floor = [
        sys.executable,
        "-c",
        "import numpy as np; "
        f"np.random.Generator(np.random.PCG64(0)).standard_normal(({years}, {paths}))",
    ]
    with tempfile.TemporaryDirectory() as cache:
        env = process_env(cache)
        for _ in range(2):  # warm-up: fills the bytecode cache and the page cache
            _, out = run_process(simulate, env)
            run_process(floor, env)
        if json.loads(out)["paths"] != paths:
            raise SystemExit(f"unexpected output: {out[:200]}")
        samples: dict[str, list[float]] = {"simulate": [], "floor": []}
        for _ in range(runs):
            samples["simulate"].append(run_process(simulate, env)[0])
            samples["floor"].append(run_process(floor, env)[0])
    return timing_rows(
        f"riskcore simulate EXAMPLE --paths {paths:,} --format json, ms",
        samples["simulate"],
        samples["floor"],
        GOAL,
    )


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
