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

from _common import (
    ROOT,
    Result,
    Row,
    floor_row,
    parser,
    process_env,
    report,
    run_process,
    timing_rows,
)
from _common import riskcore_command as riskcore
from bench_startup import PYDANTIC_FLOOR

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
    draw = (
        "import numpy as np\n"
        f"np.random.Generator(np.random.PCG64(0)).standard_normal(({years}, {paths}))\n"
    )
    commands = {
        "simulate": simulate,
        "floor": floor,
        # The least this command could cost: the draw, plus what any pydantic command costs.
        "pydantic_floor": [sys.executable, "-c", draw + PYDANTIC_FLOOR],
        "score": [*riskcore(), "score", str(EXAMPLE), "--format", "json"],
    }
    with tempfile.TemporaryDirectory() as cache:
        env = process_env(cache)
        for _ in range(2):  # warm-up: fills the bytecode cache and the page cache
            outs = {name: run_process(command, env)[1] for name, command in commands.items()}
        if json.loads(outs["simulate"])["paths"] != paths:
            raise SystemExit(f"unexpected output: {outs['simulate'][:200]}")
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(run_process(command, env)[0])
    rows = timing_rows(
        f"riskcore simulate EXAMPLE --paths {paths:,} --format json, ms",
        samples["simulate"],
        samples["floor"],
        GOAL,
    )
    rows.append(
        floor_row(
            "floor: the draw + score's libraries + one pydantic model",
            samples["pydantic_floor"],
            samples["floor"],
        )
    )
    rows.append(
        floor_row(
            "riskcore score EXAMPLE --format json (its start-up)",
            samples["score"],
            samples["floor"],
        )
    )
    return rows


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
