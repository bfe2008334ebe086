"""Plugin discovery and isolation: every failure is recorded against its plugin; runs go on."""

from __future__ import annotations

import math
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import riskcore
from conftest import make_distribution, portfolio

EXAMPLE = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"
BUILTINS = [
    "circular_financing",
    "customer_concentration",
    "idle_capacity",
    "revenue_coverage",
    "vendor_concentration",
]

GOOD = """
import riskcore

class Tiny(riskcore.Metric):
    '''Scores 42 for every portfolio.'''
    name = "tiny"
    title = "Tiny"
    default_weight = 0.1

    def score(self, portfolio, context):
        return riskcore.MetricResult(score=42.0, value=1.0, unit="x", summary="Always 42.")

@riskcore.hookimpl
def riskcore_register_metrics(register):
    register(Tiny)
"""


def simple() -> dict[str, Any]:
    return portfolio(
        commitments=[
            {
                "counterparty": "A",
                "kind": "cloud",
                "amount": "12B",
                "start": "2025-01",
                "term_years": 1,
            }
        ]
    )


def metric_plugin(score_body: str, name: str = "faulty") -> types.ModuleType:
    """A plugin module whose metric's score() runs `score_body`."""
    module = types.ModuleType(f"plugin_{name}")
    source = f"""
import math, riskcore
class M(riskcore.Metric):
    '''Test metric.'''
    name = "{name}"
    title = "Faulty"
    default_weight = 0.1
    def score(self, portfolio, context):
{score_body}
@riskcore.hookimpl
def riskcore_register_metrics(register):
    register(M)
"""
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on sys.path where tests install fake distributions."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("RISKCORE_LOAD_PLUGINS", raising=False)
    yield tmp_path
    for mod in [m for m in sys.modules if m.startswith("tp_")]:
        del sys.modules[mod]


def test_builtins_are_entry_points_of_riskcore() -> None:
    engine = riskcore.Engine()
    assert [m.name for m in engine.metrics] == BUILTINS
    for info in engine.plugins:
        assert info.source == "builtin"
        assert info.status == "active"
        assert info.version == riskcore.__version__
        if info.name == "html_report":  # the built-in renderer: the html format, no metric
            assert info.hooks == ["riskcore_register_renderers"]
            assert (info.metrics, info.renderers) == ([], ["html"])
        else:
            assert info.hooks == ["riskcore_register_metrics"]
    assert engine.plugin_errors == []


def test_installed_plugin_is_discovered_and_scored(site: Path) -> None:
    make_distribution(site, "tiny-plugin", {"tp_tiny": GOOD}, {"tiny": "tp_tiny"}, version="2.3")
    engine = riskcore.Engine()
    info = {p.name: p for p in engine.plugins}["tiny"]
    assert (info.source, info.status, info.version, info.metrics) == (
        "entry point",
        "active",
        "2.3",
        ["tiny"],
    )
    report = engine.score(simple())
    assert report.metric("tiny").score == 42.0
    assert report.metric("tiny").plugin == "tiny"
    assert {"name": "tiny", "version": "2.3"} in report.to_dict()["provenance"]["plugins"]


def test_allow_list_env_disables_third_party_but_not_builtins(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_distribution(site, "tiny-plugin", {"tp_tiny": GOOD}, {"tiny": "tp_tiny"})
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "")
    engine = riskcore.Engine()
    info = {p.name: p for p in engine.plugins}["tiny"]
    assert info.status == "disabled"
    assert [m.name for m in engine.metrics] == BUILTINS
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "tiny, other")
    assert "tiny" in [m.name for m in riskcore.Engine().metrics]
    # told otherwise: the explicit allow wins over the environment
    assert "tiny" not in [m.name for m in riskcore.Engine(allow=[]).metrics]


def test_import_error_is_recorded_and_run_goes_on(site: Path) -> None:
    make_distribution(
        site,
        "broken",
        {"tp_broken": "raise ImportError('missing dep zzz')"},
        {"broken": "tp_broken"},
    )
    engine = riskcore.Engine()
    (failure,) = engine.plugin_errors
    assert (failure.plugin, failure.stage) == ("broken", "import")
    assert failure.message == "ImportError: missing dep zzz"
    info = {p.name: p for p in engine.plugins}["broken"]
    assert info.status == "failed" and info.error == "ImportError: missing dep zzz"
    report = engine.score(simple())
    assert report.rating != "NR"
    assert not report.complete
    assert any("broken" in w and "missing dep zzz" in w for w in report.warnings)


def test_hookimpl_that_raises_is_recorded() -> None:
    module = types.ModuleType("raiser")
    exec(
        "import riskcore\n@riskcore.hookimpl\ndef riskcore_register_metrics(register):\n    raise RuntimeError('boom')\n",
        module.__dict__,
    )
    engine = riskcore.Engine(plugins=[module], load_entrypoints=False)
    (failure,) = engine.plugin_errors
    assert (failure.plugin, failure.stage, failure.message) == (
        "raiser",
        "riskcore_register_metrics",
        "RuntimeError: boom",
    )


def test_misspelled_hook_fails_loudly_against_its_plugin() -> None:
    module = types.ModuleType("typo")
    exec(
        "import riskcore\n@riskcore.hookimpl\ndef riskcore_register_metric(register):\n    pass\n",
        module.__dict__,
    )
    engine = riskcore.Engine(plugins=[module], load_entrypoints=False)
    (failure,) = engine.plugin_errors
    assert failure.plugin == "typo"
    assert "unknown hook" in failure.message and "riskcore_register_metric" in failure.message


def test_hookimpl_with_wrong_arguments_is_refused() -> None:
    module = types.ModuleType("badargs")
    exec(
        "import riskcore\n@riskcore.hookimpl\ndef riskcore_register_metrics(reg):\n    pass\n",
        module.__dict__,
    )
    engine = riskcore.Engine(plugins=[module], load_entrypoints=False)
    assert engine.plugin_errors[0].plugin == "badargs"


def test_duplicate_metric_name_fails_the_later_plugin() -> None:
    first = metric_plugin("        return riskcore.MetricResult(score=1, summary='a')", name="dup")
    second = metric_plugin("        return riskcore.MetricResult(score=2, summary='b')", name="dup")
    second.__name__ = "second"
    engine = riskcore.Engine(plugins=[first, second], load_entrypoints=False)
    assert [m.plugin for m in engine.metrics] == ["plugin_dup"]
    (failure,) = engine.plugin_errors
    assert failure.plugin == "second"
    assert "'dup' is already registered by 'plugin_dup'" in failure.message


def test_builtin_metric_names_cannot_be_taken(site: Path) -> None:
    source = GOOD.replace('name = "tiny"', 'name = "revenue_coverage"')
    make_distribution(site, "hijack", {"tp_hijack": source}, {"hijack": "tp_hijack"})
    engine = riskcore.Engine()
    assert {m.name: m.plugin for m in engine.metrics}["revenue_coverage"] == "revenue_coverage"
    assert engine.plugin_errors[0].plugin == "hijack"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("        raise ValueError('bad input')", "ValueError: bad input"),
        ("        return {'score': 5}", "returned dict, not riskcore.MetricResult"),
        (
            "        return riskcore.MetricResult.model_construct(score=math.nan, summary='x')",
            "not a finite number",
        ),
        (
            "        return riskcore.MetricResult.model_construct(score=150.0, summary='x')",
            "outside 0..100",
        ),
        ("        return riskcore.MetricResult(score=150.0, summary='x')", "ValidationError"),
        (
            "        return riskcore.MetricResult(score=5, summary='x', details={'v': math.inf})",
            "ValidationError",
        ),
        ("        portfolio.company.name = 'changed'", "ValidationError"),
        (
            "        portfolio.extensions['x'] = 1\n        return riskcore.MetricResult(score=1, summary='x')",
            "changed the portfolio it was given",
        ),
        ("        context.obligations[2025] = 0.0", "TypeError"),
        (
            "        print('debug: hello')\n        return riskcore.MetricResult(score=1, summary='x')",
            "wrote to stdout/stderr ('debug: hello')",
        ),
        (
            "        import sys; sys.stderr.write('oops')\n        return riskcore.MetricResult(score=1, summary='x')",
            "wrote to stdout/stderr ('oops')",
        ),
    ],
)
def test_faulty_score_is_an_error_entry(body: str, expected: str) -> None:
    engine = riskcore.Engine(plugins=[metric_plugin(body)])
    report = engine.score(simple())
    entry = report.metric("faulty")
    assert entry.status == "error"
    assert entry.score is None and entry.contribution == 0.0
    assert entry.message is not None and entry.message.startswith("plugin_faulty: ")
    assert expected in entry.message
    assert "\n" not in entry.message
    assert not report.complete
    # the built-ins still rated the portfolio (faulty's weight is small)
    assert report.rating != "NR"
    assert math.isclose(sum(m.weight for m in report.metrics), 1.0)


def test_skip_metric_is_skipped_not_failed() -> None:
    plugin = metric_plugin("        raise riskcore.SkipMetric('no debt maturities given')")
    entry = riskcore.Engine(plugins=[plugin]).score(simple()).metric("faulty")
    assert (entry.status, entry.message) == ("skipped", "no debt maturities given")


def test_register_rejects_what_is_not_a_metric() -> None:
    module = types.ModuleType("notmetric")
    exec(
        "import riskcore\nclass X: pass\n@riskcore.hookimpl\ndef riskcore_register_metrics(register):\n    register(X)\n",
        module.__dict__,
    )
    engine = riskcore.Engine(plugins=[module], load_entrypoints=False)
    assert "riskcore.Metric subclass" in engine.plugin_errors[0].message


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ("name = 'Bad Name'", "snake_case"),
        ("name = 'ok'\n    default_weight = 0", "default_weight"),
        ("name = 'ok'\n    default_weight = 1.5", "default_weight"),
        ("name = 'ok'\n    title = ''", "title"),
    ],
)
def test_register_checks_the_metric_contract(attrs: str, message: str) -> None:
    module = types.ModuleType("contract")
    source = f"""
import riskcore
class M(riskcore.Metric):
    '''Doc.'''
    name = 'm'
    title = 'T'
    default_weight = 0.1
    {attrs}
    def score(self, portfolio, context):
        return riskcore.MetricResult(score=1, summary='x')
@riskcore.hookimpl
def riskcore_register_metrics(register):
    register(M)
"""
    exec(source, module.__dict__)
    engine = riskcore.Engine(plugins=[module], load_entrypoints=False)
    assert message in engine.plugin_errors[0].message


def test_plugins_dir_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "dirplug.py").write_text(
        GOOD.replace('"tiny"', '"dir_metric"') + "\n__version__ = '0.9'\n"
    )
    (tmp_path / "_private.py").write_text("raise RuntimeError('never imported')")
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz")
    engine = riskcore.Engine(plugins_dir=tmp_path)
    info = {p.name: p for p in engine.plugins}
    assert (info["dirplug"].source, info["dirplug"].version) == ("plugins dir", "0.9")
    assert info["broken"].status == "failed"
    assert "_private" not in info
    assert "dir_metric" in [m.name for m in engine.metrics]


def test_each_engine_has_its_own_plugin_manager() -> None:
    a = riskcore.Engine(
        plugins=[metric_plugin("        return riskcore.MetricResult(score=1, summary='a')")]
    )
    b = riskcore.Engine()
    assert a.registry.pm is not b.registry.pm
    assert "faulty" in [m.name for m in a.metrics]
    assert "faulty" not in [m.name for m in b.metrics]


def test_metrics_after_a_mutating_one_see_a_fresh_portfolio() -> None:
    mutator = metric_plugin(
        "        portfolio.extensions['x'] = 1\n        return riskcore.MetricResult(score=1, summary='m')",
        name="aaa_mutator",
    )
    reader = metric_plugin(
        "        seen = 'x' in portfolio.extensions\n"
        "        return riskcore.MetricResult(score=50 if seen else 0, summary='r')",
        name="zzz_reader",
    )
    report = riskcore.Engine(plugins=[mutator, reader], load_entrypoints=False).score(simple())
    assert report.metric("aaa_mutator").status == "error"
    assert report.metric("zzz_reader").score == 0  # it did not see the mutation


def test_output_of_threads_outside_metrics_still_passes_through(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from riskcore.isolation import catch_output

    with catch_output() as caught:
        print("inside")
    print("outside")
    assert caught == ["inside", "\n"]
    assert capsys.readouterr().out == "outside\n"
