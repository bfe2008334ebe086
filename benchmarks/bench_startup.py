"""Benchmark 3: wall time of `riskcore score configs/portfolios/openai-2025.yaml --format json`.

Value: the whole process, started through the installed `riskcore` console script (not a
version manager's shim, which would add its own start-up).

Baseline: `python -c "import pydantic, click, pluggy, tabulate, yaml"` with the same
interpreter: the libraries riskcore cannot start without.

Both run N times, alternating, after warm-up runs; best and median are reported and the goal
(at most 1.5x) is judged on the medians. Three more processes run in the same rounds, for the
floors the goal sits on (docs/performance.md): a process that imports what `score` needs
(pydantic, click, pluggy, yaml; not tabulate) and builds one pydantic model, the least any
pydantic-validating command can cost; and `riskcore --version` and `riskcore --help` against
a bare `python -c pass`. Python runs with bytecode caching on, in a private
cache folder (PYTHONPYCACHEPREFIX), as for any installed package: a sandbox that sets
PYTHONDONTWRITEBYTECODE would otherwise recompile riskcore's modules on every run.
`--no-bytecode-cache` measures that case instead.

    python benchmarks/bench_startup.py [--quick] [--runs N] [--no-bytecode-cache]
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

GOAL = 1.5
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"


# The least a command that validates with pydantic can cost: score's libraries and one model.
PYDANTIC_FLOOR = (
    "import click, pluggy, yaml\nfrom pydantic import BaseModel\n"
    "class Floor(BaseModel):\n    x: int\nFloor(x=1)"
)


def measure(runs: int, bytecode_cache: bool) -> list[Row]:
    commands = {
        "score": [*riskcore(), "score", str(EXAMPLE), "--format", "json"],
        "imports": [sys.executable, "-c", "import pydantic, click, pluggy, tabulate, yaml"],
        "floor": [sys.executable, "-c", PYDANTIC_FLOOR],
        "version": [*riskcore(), "--version"],
        "help": [*riskcore(), "--help"],
        "bare": [sys.executable, "-c", "pass"],
    }
    with tempfile.TemporaryDirectory() as cache:
        env = process_env(cache, bytecode_cache)
        for _ in range(2):  # warm-up: fills the bytecode cache and the page cache
            outs = {name: run_process(command, env)[1] for name, command in commands.items()}
        report = json.loads(outs["score"])
        if report["rating"] != "C":  # docs/metrics.md: the example rates C
            raise SystemExit(f"unexpected rating {report['rating']}")
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(run_process(command, env)[0])
    mode = "bytecode cached" if bytecode_cache else "no bytecode cache"
    rows = timing_rows(
        f"riskcore score ... --format json ({mode}), ms",
        samples["score"],
        samples["imports"],
        GOAL,
    )
    rows.append(
        floor_row(
            "floor: score's libraries + one pydantic model", samples["floor"], samples["imports"]
        )
    )
    rows.append(
        floor_row(
            "riskcore --version (baseline: python -c pass)", samples["version"], samples["bare"]
        )
    )
    rows.append(
        floor_row("riskcore --help (baseline: python -c pass)", samples["help"], samples["bare"])
    )
    return rows


def run(quick: bool, runs: int | None = None, bytecode_cache: bool = True) -> Result:
    runs = runs or (10 if quick else 30)
    title = (
        f"3. Start-up: whole-process wall time, {runs} runs each, alternating "
        "(baseline: python -c 'import pydantic, click, pluggy, tabulate, yaml')"
    )
    return title, measure(runs, bytecode_cache)


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, help="timed runs of each (default 30; --quick 10)")
    args.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run with PYTHONDONTWRITEBYTECODE=1 (every module compiled at every start)",
    )
    options = args.parse_args(argv)
    report(lambda: run(options.quick, options.runs, not options.no_bytecode_cache))


if __name__ == "__main__":
    main()
