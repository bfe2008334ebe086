"""Benchmark 3: wall time of `riskcore score configs/portfolios/openai-2025.yaml --format json`.

Value: the whole process, started through the installed `riskcore` console script (not a
version manager's shim, which would add its own start-up).

Baseline: `python -c "import pydantic, click, pluggy, tabulate, yaml"` with the same
interpreter: the libraries riskcore cannot start without.

Both run N times, alternating, after warm-up runs; best and median are reported and the goal
(at most 1.5x) is judged on the medians. Python runs with bytecode caching on, in a private
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

from _common import ROOT, Result, Row, parser, process_env, report, run_process, timing_rows
from _common import riskcore_command as riskcore

GOAL = 1.5
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"


def measure(runs: int, bytecode_cache: bool) -> list[Row]:
    score = [*riskcore(), "score", str(EXAMPLE), "--format", "json"]
    imports = [sys.executable, "-c", "import pydantic, click, pluggy, tabulate, yaml"]
    with tempfile.TemporaryDirectory() as cache:
        env = process_env(cache, bytecode_cache)
        for _ in range(2):  # warm-up: fills the bytecode cache and the page cache
            _, out = run_process(score, env)
            run_process(imports, env)
        report = json.loads(out)
        if report["rating"] != "C":  # docs/metrics.md: the example rates C
            raise SystemExit(f"unexpected rating {report['rating']}")
        samples: dict[str, list[float]] = {"score": [], "imports": []}
        for _ in range(runs):
            samples["score"].append(run_process(score, env)[0])
            samples["imports"].append(run_process(imports, env)[0])
    mode = "bytecode cached" if bytecode_cache else "no bytecode cache"
    return timing_rows(
        f"riskcore score ... --format json ({mode}), ms",
        samples["score"],
        samples["imports"],
        GOAL,
    )


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
