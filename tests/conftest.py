"""Shared test helpers: small literal portfolios and a Context built without an engine."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from riskcore.defaults import load_config
from riskcore.loading import load_portfolio
from riskcore.metric import Context, Metric
from riskcore.portfolio import Portfolio
from riskcore.schedule import build_book

BASE: dict[str, Any] = {
    "company": {"name": "Testco", "as_of": "2025-01-15", "currency": "USD"},
    "financials": {"revenue": "10B", "revenue_growth": 0.0, "cash": 0, "committed_funding": 0},
    "commitments": [],
}


def portfolio(**sections: Any) -> dict[str, Any]:
    """BASE with sections replaced (financials are merged key by key)."""
    data = copy.deepcopy(BASE)
    for key, value in sections.items():
        if key == "financials":
            data["financials"].update(value)
        elif key == "company":
            data["company"].update(value)
        else:
            data[key] = value
    return data


def context_for(
    data: Mapping[str, Any] | Portfolio,
    metric: type[Metric],
    config: Mapping[str, Any] | None = None,
    **options: Any,
) -> tuple[Portfolio, Context]:
    """A validated portfolio and the Context `metric` would get from the default engine.

    `config` overlays the whole config (e.g. {"engine": {...}}); `options` override the
    metric's own `[metrics.NAME]` keys.
    """
    cfg, _ = load_config(dict(config or {}))
    p = load_portfolio(data)
    book = build_book(p, cfg.engine)
    settings = cfg.metrics.get(metric.name)
    merged = {**(settings.options() if settings else {}), **options}
    return p, Context(book, metric.Config.model_validate(merged), cfg.engine)


@pytest.fixture
def make_context():  # type: ignore[no-untyped-def]
    return context_for


def make_distribution(
    root: Any,
    name: str,
    modules: Mapping[str, str],
    entry_points: Mapping[str, str],
    version: str = "1.0",
) -> Any:
    """Write an installed-looking distribution (a .dist-info plus modules) under `root`.

    Putting `root` on sys.path (or PYTHONPATH) makes importlib.metadata find its entry points
    exactly as it finds a pip-installed package's.
    """
    import textwrap

    dist = root / f"{name}-{version}.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "\n".join(f"{ep} = {target}" for ep, target in entry_points.items())
    (dist / "entry_points.txt").write_text(f"[riskcore]\n{lines}\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))
    return root


def pip_install_target(package: Any, site: Any) -> None:
    """Really install `package` (a folder) into `site` without touching this environment.

    The result is what pip would put in site-packages: modules plus a dist-info with the entry
    points, found by importlib.metadata once `site` is on sys.path or PYTHONPATH. Built with
    this environment's setuptools when it has one (fast, offline), else in pip's isolation.
    """
    import subprocess
    import sys

    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
    if _can_build_wheels_offline():
        command.append("--no-build-isolation")
    result = subprocess.run([*command, str(package)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def _can_build_wheels_offline() -> bool:
    """setuptools >= 70.1 builds wheels by itself; older ones need the `wheel` package."""
    import importlib.util
    from importlib import metadata

    try:
        version = tuple(int(p) for p in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return version >= (70, 1) or importlib.util.find_spec("wheel") is not None


def assert_close(actual: Any, expected: Any, path: str = "details") -> None:
    """Nested JSON-like comparison: floats to rel 1e-9, everything else exactly (types too)."""
    if isinstance(expected, float):
        assert isinstance(actual, float), f"{path}: {actual!r} is not a float"
        assert actual == pytest.approx(expected, rel=1e-9, abs=0), path
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert set(actual) >= set(expected), f"{path}: missing {set(expected) - set(actual)}"
        for key, value in expected.items():
            assert_close(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), path
        assert len(actual) == len(expected), f"{path}: {actual!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, f"{path}[{i}]")
    else:
        assert type(actual) is type(expected) and actual == expected, f"{path}: {actual!r}"
