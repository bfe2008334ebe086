"""Benchmark 6: the network view's cycle search against networkx, on the same graph.

Graph: `riskcore.generate.ecosystem_plan(5000, seed=0, vendors=(3, 6), financing_share=0.5)`
used directly as a graph (no files): 5,000 companies, each buying from 3 to 6 others (weighted
by revenue^0.5, so large companies are hubs), half of them financed back by their largest
vendor, which gives about 25,000 flows. `generate --ecosystem`'s default plan (2 to 5 vendors,
a quarter financed back) gives about 3.75 flows per company; the benchmark asks for about 5.
--quick: 1,000 companies.

Value: `riskcore.cycles.simple_cycles(successors, 4)`, best of R runs (median shown).
Baseline, in the same run: `networkx.simple_cycles(G, length_bound=4)` on the same nodes and
edges, timed once (it takes minutes at full size). The two cycle sets must be identical (each
networkx cycle rotated to start at its lowest node); the benchmark stops if they are not.
Goals: at least 10x faster than networkx, and under 1 s.

One more row, without a goal: the whole `riskcore network FILE --format json` process on the
same number of `generate --ecosystem` portfolios in a JSONL file (loading, schedules, the
graph, cycles, exposure, JSON).

    python benchmarks/bench_network.py [--quick] [--count N] [--rounds R]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Result, Row, best_and_median, parser, report, riskcore_command, timed

SPEED_GOAL = 10.0
TIME_GOAL = 1.0


def plan_graph(count: int) -> list[list[int]]:
    """Successor lists of the benchmark's ecosystem plan (see the module docstring)."""
    from riskcore.generate import ecosystem_plan

    plan = ecosystem_plan(count, seed=0, vendors=(3, 6), financing_share=0.5)
    successors: list[set[int]] = [set() for _ in plan]
    for company in plan:
        for vendor, _ in company.vendors:
            successors[company.index].add(vendor)
        if company.financier is not None:
            successors[company.financier].add(company.index)
    return [sorted(s) for s in successors]


def rotated(cycle: Sequence[int]) -> tuple[int, ...]:
    first = cycle.index(min(cycle))
    return tuple(cycle[first:]) + tuple(cycle[:first])


def whole_command(count: int) -> tuple[float, int]:
    """Seconds of one `riskcore network` process on `count` generated ecosystem portfolios."""
    from riskcore.generate import generate_ecosystem, write_portfolios

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "ecosystem.jsonl"
        write_portfolios(generate_ecosystem(count, seed=0), source)
        command = [*riskcore_command(), "network", str(source), "--format", "json"]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}: {result.stderr}")
    return elapsed, result.stdout.count('"path"')


def measure(count: int, rounds: int) -> list[Row]:
    import networkx as nx

    from riskcore.cycles import simple_cycles

    successors = plan_graph(count)
    flows = sum(len(s) for s in successors)
    print(f"(graph: {count:,} entities, {flows:,} flows)", flush=True)
    ours: list[tuple[int, ...]] = []
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        ours = list(simple_cycles(successors, 4))
        samples.append(time.perf_counter() - started)
    best, median = best_and_median(samples)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(count))
    graph.add_edges_from((v, w) for v, ws in enumerate(successors) for w in ws)
    theirs: list[list[int]] = []
    baseline = timed(lambda: theirs.extend(nx.simple_cycles(graph, length_bound=4)))
    same = set(ours) == {rotated(c) for c in theirs} and len(ours) == len(theirs)
    if not same:
        raise SystemExit(f"cycle sets differ: ours {len(ours):,}, networkx {len(theirs):,}")
    lengths = Counter(len(c) for c in ours)
    shape = ", ".join(f"{lengths[k]:,} of {k} hops" for k in sorted(lengths))
    command, listed = whole_command(count)
    return [
        Row(
            f"cycles of at most 4 hops, {count:,} entities, {flows:,} flows",
            f"{best:.3f} s (median {median:.3f})",
            f"networkx simple_cycles: {baseline:.1f} s",
            baseline / best,
            f">= {SPEED_GOAL:g}x faster",
            baseline / best >= SPEED_GOAL,
        ),
        Row(
            "the same, wall time",
            f"{best:.3f} s",
            "—",
            None,
            f"< {TIME_GOAL:g} s",
            best < TIME_GOAL,
        ),
        Row("identical cycle sets", f"yes: {len(ours):,} ({shape})", "—", None, "—", None),
        Row(
            f"`riskcore network FILE --format json`, {count:,} generated ecosystem portfolios",
            f"{command:.1f} s ({listed:,} cycles listed)",
            "—",
            None,
            "—",
            None,
        ),
    ]


def run(quick: bool, count: int | None = None, rounds: int | None = None) -> Result:
    size = count or (1000 if quick else 5000)
    title = f"6. Network cycle search: {size:,} entities, against networkx"
    return title, measure(size, rounds or (3 if quick else 5))


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--count", type=int, help="companies in the graph")
    args.add_argument("--rounds", type=int, help="runs of our search (best counts)")
    options = args.parse_args(argv)
    report(lambda: run(options.quick, options.count, options.rounds))


if __name__ == "__main__":
    main()
