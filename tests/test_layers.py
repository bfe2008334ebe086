"""The house has no import circles: each module imports only its own layer or those below.

The layers are STYLE.md's. Lazy imports inside functions count too: a circle that only closes
at run time is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "riskcore"

LAYERS: dict[str, int] = {
    # 1 money parsing, errors
    "_version": 1, "errors": 1, "money": 1, "currency": 1, "entrypoints": 1,
    # 2 models
    "portfolio": 2, "config": 2, "report": 2, "results": 2, "backtest_results": 2, "diff_results": 2,
    # 3 loading
    "loading": 3, "defaults": 3,
    # 4 numbers
    "schedule": 4, "scoring": 4, "rating": 4, "discrimination": 4, "overlay": 4, "search": 4, "cycles": 4,
    # 5 the plugin API and registry
    "metric": 5, "hookspecs": 5, "registry": 5, "isolation": 5,
    # 6 the engine
    "engine": 6,
    # 7 what runs the engine many times
    "scenarios": 7, "peers": 7, "backtesting": 7, "diffing": 7, "montecarlo": 7, "batch": 7, "batch_dask": 7, "backends": 7, "generate": 7,
    "network": 7,
    # 8 renderers and the plugin scaffold
    "render": 8, "scaffold": 8,
    # 9 the CLI, the pytest plugin and the public face
    "cli": 9, "testing": 9, "__init__": 9, "__main__": 9,
}  # fmt: skip


def imports_of(path: Path) -> set[str]:
    """The riskcore modules `path` imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("riskcore."):
            found.add((node.module or "").split(".")[1])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith(".")
        ):
            found.add(str(node.args[0].value)[1:])
    return found


GRAPH = {path.stem: imports_of(path) for path in sorted(PACKAGE.glob("*.py"))}


def test_every_module_has_a_layer() -> None:
    assert sorted(set(GRAPH) - set(LAYERS)) == []


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_down_or_sideways(module: str) -> None:
    upward = sorted(d for d in GRAPH[module] if LAYERS[d] > LAYERS[module])
    assert upward == [], f"{module} (layer {LAYERS[module]}) imports {upward} from above"


def test_the_engine_never_imports_what_runs_it() -> None:
    assert not {d for d in GRAPH["engine"] if LAYERS[d] >= 7}


def test_no_import_circles() -> None:
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if module in trail:
            cycle = " -> ".join((*trail[trail.index(module) :], module))
            raise AssertionError(f"import circle: {cycle}")
        if module in done:
            return
        for dep in sorted(GRAPH.get(module, ())):
            visit(dep, (*trail, module))
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, ())
