"""What every built-in metric must share: registration through its hook, and defaults that
equal both configs/default.toml and the numbers the metrics issue specifies."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pluggy
import pytest

import riskcore
from riskcore import hookspecs
from riskcore.defaults import load_config
from riskcore_plugins import (
    circular_financing,
    idle_capacity,
    revenue_coverage,
    vendor_concentration,
)

# module, class, default weight and Config values exactly as the metrics issue gives them.
SPEC: list[tuple[ModuleType, type[riskcore.Metric], float, dict[str, Any]]] = [
    (
        revenue_coverage,
        revenue_coverage.RevenueCoverage,
        0.40,
        {
            "revenue_share_available": 0.5,
            "points": [
                (2.0, 0),
                (1.5, 15),
                (1.0, 40),
                (0.75, 60),
                (0.5, 75),
                (0.25, 90),
                (0.1, 100),
            ],
        },
    ),
    (
        vendor_concentration,
        vendor_concentration.VendorConcentration,
        0.20,
        {"points": [(0, 0), (1000, 20), (1800, 45), (2500, 65), (5000, 85), (10000, 100)]},
    ),
    (
        circular_financing,
        circular_financing.CircularFinancing,
        0.20,
        {
            "conditional_weight": 1.0,
            "points": [(0, 0), (0.05, 25), (0.15, 55), (0.30, 80), (0.50, 100)],
        },
    ),
    (
        idle_capacity,
        idle_capacity.IdleCapacity,
        0.20,
        {
            "ramp_years": 2.0,
            "revenue_per_gw": 8e9,
            "points": [(0, 0), (0.10, 25), (0.25, 50), (0.50, 80), (0.75, 100)],
        },
    ),
]
IDS = [cls.name for _, cls, _, _ in SPEC]


@pytest.mark.parametrize(("module", "cls", "weight", "values"), SPEC, ids=IDS)
def test_hook_registers_exactly_the_metric(
    module: ModuleType, cls: type[riskcore.Metric], weight: float, values: dict[str, Any]
) -> None:
    pm = pluggy.PluginManager("riskcore")
    pm.add_hookspecs(hookspecs)
    pm.register(module)
    pm.check_pending()  # no misspelled hook
    registered: list[type[riskcore.Metric]] = []
    pm.hook.riskcore_register_metrics(register=registered.append)
    assert registered == [cls]


@pytest.mark.parametrize(("module", "cls", "weight", "values"), SPEC, ids=IDS)
def test_defaults_equal_default_toml_and_the_issue(
    module: ModuleType, cls: type[riskcore.Metric], weight: float, values: dict[str, Any]
) -> None:
    cfg, _ = load_config()
    settings = cfg.metrics[cls.name]
    from_toml = cls.Config.model_validate(settings.options())
    assert cls.Config() == from_toml
    assert cls.default_weight == settings.weight == weight
    assert {key: getattr(from_toml, key) for key in values} == values
