"""Bounded simple-cycle search on a directed graph of ints: the engine of `riskcore network`.

Nodes are `0 .. n-1`; `successors[v]` lists the nodes `v` has an edge to (repeats are ignored,
`v` itself is a self-loop). The search finds every simple cycle of at most `max_length` edges
exactly once, as the tuple of its nodes starting at its lowest node:

1. Strongly connected components (Tarjan's algorithm, iterative): a cycle never leaves one, so
   edges between components are dropped and single-node components are skipped.
2. For each start `s`, in increasing order: a breadth-first search backwards from `s`, over
   nodes above `s` in its component, gives each node's distance back to `s`, up to
   `max_length - 1` hops. Nodes beyond it cannot be on a short enough cycle through `s`.
3. A depth-first search from `s`, over nodes above `s` only (Johnson's canonical start: the
   cycle is found from its lowest node and from no other), extends the path to a node `v` only
   while `edges so far + distance(v) <= max_length`, and reports a cycle at each edge back to `s`.

Both searches use explicit stacks, so no graph is too deep for Python's recursion limit.
networkx's `simple_cycles(G, length_bound=K)` gives the same set (the tests check it); it is
not used here, because on one large component it recomputes components per start node.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

__all__ = ["simple_cycles", "strongly_connected_components"]


def _check(successors: Sequence[Sequence[int]]) -> list[list[int]]:
    """Successor lists without repeats, in a fixed (sorted) order; ValueError for a bad node."""
    n = len(successors)
    out: list[list[int]] = []
    for v, targets in enumerate(successors):
        unique = sorted(set(targets))
        if unique and (unique[0] < 0 or unique[-1] >= n):
            bad = unique[0] if unique[0] < 0 else unique[-1]
            raise ValueError(f"node {v} has an edge to {bad}, outside 0..{n - 1}")
        out.append(unique)
    return out


def strongly_connected_components(successors: Sequence[Sequence[int]]) -> list[list[int]]:
    """The strongly connected components, each sorted, in Tarjan's order (sinks first)."""
    succ = _check(successors)
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            targets = succ[v]
            if i < len(targets):
                work[-1] = (v, i + 1)
                w = targets[i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                component: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component.append(w)
                    if w == v:
                        break
                components.append(sorted(component))
    return components


def simple_cycles(
    successors: Sequence[Sequence[int]], max_length: int
) -> Iterator[tuple[int, ...]]:
    """Every simple cycle of at most `max_length` edges, once, starting at its lowest node.

    `(v,)` is a self-loop; `(0, 2, 1)` is the cycle 0 -> 2 -> 1 -> 0. Cycles come grouped by
    their lowest node, in increasing order.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    succ = _check(successors)
    component_of = [0] * len(succ)
    sizes: list[int] = []
    for number, component in enumerate(strongly_connected_components(succ)):
        sizes.append(len(component))
        for v in component:
            component_of[v] = number
    # Edges inside a component only, self-loops apart: no other edge is on a longer cycle.
    inner = [
        [w for w in ws if w != v and component_of[w] == component_of[v]]
        for v, ws in enumerate(succ)
    ]
    before: list[list[int]] = [[] for _ in succ]
    for v, ws in enumerate(inner):
        for w in ws:
            before[w].append(v)
    for s, targets in enumerate(succ):
        if s in targets:
            yield (s,)
        if sizes[component_of[s]] < 2 or max_length < 2:
            continue
        back = _distances_back(s, before, max_length - 1)
        if len(back) < 2:
            continue
        yield from _cycles_from(s, inner, back, max_length)


def _distances_back(s: int, before: Sequence[Sequence[int]], depth: int) -> dict[int, int]:
    """Hops from each node above `s` back to `s`, for nodes within `depth` hops (and s: 0)."""
    found = {s: 0}
    frontier = [s]
    for hops in range(1, depth + 1):
        reached: list[int] = []
        for v in frontier:
            for u in before[v]:
                if u > s and u not in found:
                    found[u] = hops
                    reached.append(u)
        if not reached:
            break
        frontier = reached
    return found


def _cycles_from(
    s: int, inner: Sequence[Sequence[int]], back: dict[int, int], max_length: int
) -> Iterator[tuple[int, ...]]:
    """The cycles whose lowest node is `s`: a depth-first search bounded by `back`."""
    path = [s]
    stack = [iter(inner[s])]
    while stack:
        for v in stack[-1]:
            if v == s:
                yield tuple(path)
                continue
            hops = back.get(v)  # None for nodes at or below s, or too far from it
            # len(path) edges reach v; at least `hops` more lead back to s.
            if hops is not None and len(path) + hops <= max_length and v not in path:
                path.append(v)
                stack.append(iter(inner[v]))
                break
        else:
            stack.pop()
            path.pop()
