"""Run the benchmarks in turn and print each one's table (see benchmarks/README.md).

    python benchmarks/run.py [--quick] [--only 1,3]

Full: about 25 to 35 minutes on 2 cores, most of it benchmark 4's million portfolios and
networkx's two minutes in benchmark 6. --quick: about 3 to 5 minutes (benchmark 4 on 100,000
lines, benchmark 6 on 1,000 entities).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_batch
import bench_inprocess
import bench_memory
import bench_network
import bench_simulate
import bench_startup
from _common import Result, print_table, report

BENCHMARKS: dict[str, Callable[[bool], Result]] = {
    "1": bench_inprocess.run,
    "2": bench_batch.run,
    "3": bench_startup.run,
    "4": bench_memory.run,
    "5": bench_simulate.run,
    "6": bench_network.run,
}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument(
        "--quick", action="store_true", help="smaller inputs and fewer rounds (routine use)"
    )
    args.add_argument("--only", default=",".join(BENCHMARKS), help="which benchmarks, e.g. 1,3")
    options = args.parse_args()
    chosen = [part.strip() for part in options.only.split(",") if part.strip()]
    unknown = [c for c in chosen if c not in BENCHMARKS]
    if unknown:
        args.error(f"no benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    quick = options.quick
    results = report(*(lambda run=BENCHMARKS[c]: run(quick) for c in chosen))
    print("\n## All results")
    for title, rows in results:
        print_table(title, rows)


if __name__ == "__main__":
    main()
