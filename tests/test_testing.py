"""riskcore.testing: the engine and portfolio helpers, the metric contract check, the fixtures."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

import riskcore
from conftest import make_distribution
from riskcore.testing import check_metric, make_engine, make_portfolio, standard_portfolios
from riskcore_plugins.circular_financing import CircularFinancing
from riskcore_plugins.idle_capacity import IdleCapacity
from riskcore_plugins.revenue_coverage import RevenueCoverage
from riskcore_plugins.vendor_concentration import VendorConcentration

pytest_plugins = ["pytester"]

STANDARD = [
    "coreweave-2025",
    "openai-2025",
    "wework-2019",
    "one_commitment",
    "no_financing",
    "no_capacity",
    "huge_amounts",
    "nothing_left_to_pay",
    "explicit_and_ramp",
    "foreign_currency",
    "aliases",
]


class Probe(riskcore.Metric):
    """Scores its configured level (10 by default) for every portfolio."""

    name = "probe"
    title = "Probe"
    default_weight = 0.5

    class Config(riskcore.MetricConfig):
        level: float = Field(10.0, ge=0, le=100)

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        level = context.config_as(Probe.Config).level
        return riskcore.MetricResult(score=level, value=level, summary="Always the level.")


class Groups(riskcore.Metric):
    """Reports the group of every commitment and financing row, and the horizon."""

    name = "groups"
    title = "Groups"
    default_weight = 1.0

    def score(
        self, portfolio: riskcore.Portfolio, context: riskcore.Context
    ) -> riskcore.MetricResult:
        return riskcore.MetricResult(
            score=0,
            summary="Groups.",
            details={
                "commitments": [context.group_of(c.counterparty) for c in portfolio.commitments],
                "financing": [context.group_of(f.investor) for f in portfolio.financing],
                "values": [context.value(c) for c in portfolio.commitments],
                "years": list(context.years),
            },
        )


# -- make_portfolio ------------------------------------------------------------------------


def test_make_portfolio_defaults() -> None:
    p = make_portfolio()
    assert (p.company.name, p.company.as_of, p.company.currency) == (
        "Testco",
        dt.date(2025, 1, 15),
        "USD",
    )
    f = p.financials
    assert (f.revenue, f.revenue_growth, f.cash, f.committed_funding) == (10e9, 0.1, 5e9, 0.0)
    assert f.revenue_forecast == {} and f.demand_gw == {}
    cloud, chips = p.commitments
    assert (cloud.counterparty, cloud.kind, cloud.amount, cloud.start, cloud.term_years) == (
        "Cloudco",
        "cloud",
        12e9,
        dt.date(2025, 1, 1),
        3,
    )
    assert (cloud.profile, cloud.capacity_gw, cloud.currency) == ("flat", None, None)
    assert (chips.counterparty, chips.kind, chips.amount, chips.start, chips.term_years) == (
        "Chipco",
        "chips",
        6e9,
        dt.date(2025, 7, 1),
        2,
    )
    assert chips.capacity_gw == 0.5
    (financing,) = p.financing
    assert (financing.investor, financing.kind, financing.amount, financing.date) == (
        "Chipco",
        "equity",
        1e9,
        dt.date(2024, 6, 1),
    )
    assert (p.counterparties, p.fx, p.extensions) == ({}, {}, {})


def test_make_portfolio_merges_mapping_sections_key_by_key() -> None:
    p = make_portfolio(
        financials={"cash": 0, "revenue_forecast": {2026: "20B"}}, company={"name": "Other"}
    )
    assert (p.financials.cash, p.financials.revenue, p.financials.revenue_growth) == (
        0.0,
        10e9,
        0.1,
    )
    assert p.financials.revenue_forecast == {2026: 20e9}
    assert (p.company.name, p.company.as_of) == ("Other", dt.date(2025, 1, 15))
    assert len(p.commitments) == 2


def test_make_portfolio_replaces_list_sections_and_sets_extensions() -> None:
    row = {"counterparty": "Solo", "kind": "power", "amount": "1B", "start": 2026, "term_years": 1}
    p = make_portfolio(commitments=[row], financing=[], extensions={"debt_wall": {"due_2y": "3B"}})
    assert [(c.counterparty, c.amount) for c in p.commitments] == [("Solo", 1e9)]
    assert p.financing == []
    assert p.extensions == {"debt_wall": {"due_2y": "3B"}}


def test_make_portfolio_calls_share_nothing() -> None:
    first = make_portfolio(extensions={"x": {"a": 1}})
    first.extensions["x"]["a"] = 2  # the frozen model's dicts can still be changed
    assert make_portfolio(extensions={"x": {"a": 1}}).extensions == {"x": {"a": 1}}
    assert make_portfolio().extensions == {}


def test_make_portfolio_invalid_raises_portfolio_error() -> None:
    with pytest.raises(riskcore.PortfolioError) as info:
        make_portfolio(financials={"revenue": 0}, financals={})
    assert info.value.pairs == [
        ("financals", "unknown field 'financals'; did you mean 'financials'?"),
        ("financials.revenue", "revenue must be above zero"),
    ]


# -- standard_portfolios -------------------------------------------------------------------


def test_standard_portfolios_keys_in_order_and_fresh() -> None:
    first, second = standard_portfolios(), standard_portfolios()
    assert list(first) == STANDARD
    assert all(isinstance(p, riskcore.Portfolio) for p in first.values())
    assert first["openai-2025"].company.name == "OpenAI"
    assert first["aliases"] is not second["aliases"]


def test_standard_edge_cases_are_what_their_names_say() -> None:
    sp = standard_portfolios()
    engine = make_engine(Groups)
    # one_commitment: Cloudco only; no_financing: the defaults without the 1B from Chipco
    assert [c.counterparty for c in sp["one_commitment"].commitments] == ["Cloudco"]
    assert sp["no_financing"].financing == []
    assert len(sp["no_financing"].commitments) == 2
    assert [c.capacity_gw for c in sp["no_capacity"].commitments] == [None, None]
    huge = sp["huge_amounts"]
    amounts = [huge.financials.revenue, huge.financials.cash, huge.financing[0].amount]
    amounts += [c.amount or 0 for c in huge.commitments]
    assert min(amounts) >= 1e15
    # as_of 2030-01-01 comes after both terms (to 2027-12 and 2027-06): no horizon, no schedule
    nothing = engine.score(sp["nothing_left_to_pay"])
    assert nothing.schedule == []
    assert nothing.metric("groups").details["values"] == [0.0, 0.0]
    assert [c.profile for c in sp["explicit_and_ramp"].commitments] == ["explicit", "ramp"]
    # explicit: 2B + 4B + 6B = 12B; 2025 starts in January, so all of it remains
    explicit = engine.score(sp["explicit_and_ramp"]).metric("groups").details
    assert explicit["values"] == [12e9, 6e9]
    foreign = sp["foreign_currency"]
    assert [c.currency for c in foreign.commitments] == [None, "EUR"]
    assert foreign.fx == {"EUR": 1.08}
    # 5B EUR x 1.08 = 5.4B USD
    assert engine.score(foreign).metric("groups").details["values"] == [12e9, 5.4e9]
    aliases = sp["aliases"]
    assert [c.counterparty for c in aliases.commitments] == ["CC", "chipco ltd"]
    assert [f.investor for f in aliases.financing] == ["Chipco Ltd", "CLOUDCO INC"]
    groups = engine.score(aliases).metric("groups").details
    assert (groups["commitments"], groups["financing"]) == (
        ["Cloudco", "Chipco"],
        ["Chipco", "Cloudco"],
    )


# -- make_engine ---------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path holding an installed-looking third-party metric plugin."""
    source = """
        import riskcore

        class Outsider(riskcore.Metric):
            '''Scores 1.'''
            name = "outsider"
            title = "Outsider"
            default_weight = 0.1

            def score(self, portfolio, context):
                return riskcore.MetricResult(score=1, summary="One.")

        @riskcore.hookimpl
        def riskcore_register_metrics(register):
            register(Outsider)
    """
    make_distribution(tmp_path, "outsider", {"tt_outsider": source}, {"outsider": "tt_outsider"})
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("tt_outsider", None)


def test_make_engine_registers_a_bare_metric_class_only() -> None:
    engine = make_engine(Probe)
    assert [(m.name, m.plugin, m.weight) for m in engine.metrics] == [("probe", "probe", 1.0)]
    assert [p.name for p in engine.plugins] == ["probe"]
    assert engine.plugin_errors == []
    report = engine.score(make_portfolio())
    assert [m.name for m in report.metrics] == ["probe"]
    assert (report.metric("probe").score, report.score) == (10.0, 10.0)


def test_make_engine_takes_modules_and_config(tmp_path: Path) -> None:
    module = type(sys)("probe_module")
    module.riskcore_register_metrics = riskcore.hookimpl(lambda register: register(Groups))  # type: ignore[attr-defined]
    engine = make_engine(module, Probe, config={"metrics": {"probe": {"level": 70}}})
    assert {m.name: m.plugin for m in engine.metrics} == {
        "groups": "probe_module",
        "probe": "probe",
    }
    assert engine.score(make_portfolio()).metric("probe").score == 70.0
    config = tmp_path / "c.toml"
    config.write_text("[metrics.probe]\nlevel = 30\n")
    assert make_engine(Probe, config=config).score(make_portfolio()).metric("probe").score == 30
    with pytest.raises(
        riskcore.ConfigError,
        match=r"metrics\.probe\.level: Input should be less than or equal to 100",
    ):
        make_engine(Probe, config={"metrics": {"probe": {"level": 101}}})


def test_make_engine_ignores_entry_points_and_the_environment(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKCORE_LOAD_PLUGINS", "outsider")
    assert "outsider" in [m.name for m in riskcore.Engine().metrics]  # the plugin is installed
    engine = make_engine(Probe)
    assert [m.name for m in engine.metrics] == ["probe"]
    assert [p.name for p in engine.plugins] == ["probe"]
    assert [m.name for m in make_engine().metrics] == []


def test_make_engine_records_a_refused_metric_class() -> None:
    class Bad(Probe):
        """Bad name."""

        name = "Bad Name"

    engine = make_engine(Bad)
    assert engine.metrics == ()
    (failure,) = engine.plugin_errors
    assert failure.plugin == "Bad Name"
    assert failure.message == "Bad.name must be a snake_case string, got 'Bad Name'"


# -- check_metric: passes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric", [RevenueCoverage, VendorConcentration, CircularFinancing, IdleCapacity]
)
def test_check_metric_passes_for_the_builtins(metric: type[riskcore.Metric]) -> None:
    assert check_metric(metric) is None


def test_check_metric_passes_with_valid_config_and_for_skipping_metrics() -> None:
    class Skipper(Probe):
        """Always skipped."""

        name = "skipper"

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            raise riskcore.SkipMetric("no inputs")

    check_metric(Probe, config={"level": 99, "weight": 0.3})
    check_metric(Skipper)
    check_metric(RevenueCoverage, config={"revenue_share_available": 0.2})


# -- check_metric: each violation ----------------------------------------------------------


def violations(metric: type[riskcore.Metric], config: dict[str, Any] | None = None) -> list[str]:
    """The lines of check_metric's AssertionError (its header first)."""
    with pytest.raises(AssertionError) as info:
        check_metric(metric, config=config)
    return str(info.value).splitlines()


def each_portfolio(problem: str) -> list[str]:
    return [f"  - {name}: {problem}" for name in STANDARD]


def test_check_metric_reports_a_raising_score() -> None:
    class Raises(Probe):
        """Raises."""

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            raise ValueError("bad input")

    assert violations(Raises) == [
        "Raises breaks the riskcore metric contract (11 problems):",
        *each_portfolio("status 'error': probe: ValueError: bad input"),
    ]


def test_check_metric_reports_the_wrong_return_type() -> None:
    class WrongType(Probe):
        """Returns a dict."""

        def score(self, portfolio: riskcore.Portfolio, context: riskcore.Context) -> Any:
            return {"score": 5}

    assert violations(WrongType)[1:] == each_portfolio(
        "status 'error': probe: score() returned dict, not riskcore.MetricResult"
    )


def test_check_metric_reports_a_counter() -> None:
    class Counter(Probe):
        """Counts its calls."""

        calls = itertools.count(1)

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            return riskcore.MetricResult(score=next(self.calls), summary="Counted.")

    lines = violations(Counter)
    assert len(lines) == 12
    # one engine scores each portfolio twice: calls 1 and 2, then 3 and 4, ...; weight 1, so
    # the contribution is the score
    assert lines[1] == (
        "  - coreweave-2025: not deterministic: a second run gave score 1.0 then 2.0, "
        "contribution 1.0 then 2.0"
    )
    assert lines[11] == (
        "  - aliases: not deterministic: a second run gave score 21.0 then 22.0, "
        "contribution 21.0 then 22.0"
    )


def test_check_metric_reports_randomness() -> None:
    class Dice(Probe):
        """Random."""

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            roll = random.random()
            return riskcore.MetricResult(score=50, value=roll, summary="Rolled.")

    lines = violations(Dice)
    assert len(lines) == 12
    assert all(": not deterministic: a second run gave value 0." in line for line in lines[1:])


def test_check_metric_reports_mutation_of_the_portfolio() -> None:
    class Mutates(Probe):
        """Writes into the portfolio."""

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            portfolio.extensions["x"] = 1
            portfolio.financials.demand_gw[2030] = 1.0
            return super().score(portfolio, context)

    assert violations(Mutates)[1:] == each_portfolio(
        "score() changed the portfolio at extensions.x, financials.demand_gw.2030"
    )


def test_check_metric_reports_output() -> None:
    class Prints(Probe):
        """Prints."""

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            print("hello")
            print("oops", file=sys.stderr)
            return super().score(portfolio, context)

    lines = violations(Prints)
    # The engine catches the output (both streams, one run) and makes the entry an error.
    assert lines[1] == (
        "  - coreweave-2025: status 'error': probe: score() wrote to stdout/stderr ('hello oops'); "
        "metrics must not print"
    )
    assert len(lines) == 1 + 11


def test_check_metric_reports_a_missing_docstring() -> None:
    class NoDoc(Probe):
        pass

    assert violations(NoDoc) == [
        "NoDoc breaks the riskcore metric contract (1 problem):",
        "  - docstring: NoDoc has none; write the metric's method there "
        "(`riskcore explain` prints it)",
    ]


REFUSED = "  - portfolios: not scored, because the engine would refuse the metric (above)"


@pytest.mark.parametrize(
    ("attrs", "problem"),
    [
        ({"name": "Bad Name"}, "class: M.name must be a snake_case string, got 'Bad Name'"),
        ({"name": "1st"}, "class: M.name must be a snake_case string, got '1st'"),
        ({"default_weight": 0}, "class: M.default_weight must be in (0, 1], got 0"),
        ({"default_weight": 1.5}, "class: M.default_weight must be in (0, 1], got 1.5"),
        ({"title": " "}, "class: M.title must be a non-empty string"),
    ],
)
def test_check_metric_reports_bad_class_attributes(attrs: dict[str, Any], problem: str) -> None:
    metric = type("M", (Probe,), {"__doc__": "Doc.", **attrs})
    assert violations(metric)[1:] == [f"  - {problem}", REFUSED]


def test_check_metric_reports_config_defaults_that_do_not_validate() -> None:
    class NeedsLimit(Probe):
        """Its Config has a required field."""

        class Config(riskcore.MetricConfig):
            limit: float

    assert violations(NeedsLimit)[1:] == [
        "  - class: NeedsLimit.Config defaults do not validate: Field required",
        REFUSED,
    ]


def test_check_metric_reports_a_missing_score() -> None:
    class NoScore(riskcore.Metric):
        """No score."""

        name = "no_score"
        title = "No score"
        default_weight = 0.1

    assert violations(NoScore)[1:] == ["  - class: NoScore does not define score()", REFUSED]


def test_check_metric_reports_a_clash_with_a_builtin_name() -> None:
    class Impostor(Probe):
        """Takes a built-in's name."""

        name = "revenue_coverage"

    assert violations(Impostor) == [
        "Impostor breaks the riskcore metric contract (2 problems):",
        "  - name: 'revenue_coverage' is taken by riskcore's built-in "
        "riskcore_plugins.revenue_coverage.RevenueCoverage; the engine refuses a second metric "
        "of that name",
        REFUSED,
    ]

    class Subclass(RevenueCoverage):
        """A subclass is another class, so it clashes too."""

    assert "  - name: 'revenue_coverage' is taken" in violations(Subclass)[1]


def test_check_metric_reports_bad_config() -> None:
    assert violations(Probe, {"level": "high", "levle": 3}) == [
        "Probe breaks the riskcore metric contract (2 problems):",
        "  - config: metrics.probe.level: expected a number, got 'high'",
        "  - config: metrics.probe.levle: unknown field 'levle'; did you mean 'level'?",
    ]
    # the engine's own keys are checked first, and alone, as the engine does
    assert violations(Probe, {"level": "high", "weight": -1})[1:] == [
        "  - config: metrics.probe.weight: Input should be greater than or equal to 0"
    ]
    assert violations(Probe, {"enabled": False})[1:] == [
        "  - config: the metric is disabled, so no portfolio was scored"
    ]


def test_check_metric_reports_a_constructor_that_raises() -> None:
    class Fragile(Probe):
        """Cannot be built."""

        def __init__(self) -> None:
            raise RuntimeError("no licence key")

    assert violations(Fragile)[1:] == [
        "  - engine: plugin 'probe' failed at init: RuntimeError: no licence key"
    ]


def test_check_metric_lists_every_violation_in_one_error() -> None:
    class Everything(Probe):
        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            print("hi")
            portfolio.extensions["seen"] = True
            if portfolio.company.name == "OpenAI":
                raise KeyError("revenue")
            return super().score(portfolio, context)

    lines = violations(Everything, {"level": 200})
    assert lines[0] == "Everything breaks the riskcore metric contract (24 problems):"
    assert lines[1:3] == [
        "  - docstring: Everything has none; write the metric's method there "
        "(`riskcore explain` prints it)",
        "  - config: metrics.probe.level: Input should be less than or equal to 100",
    ]
    # the portfolios are still scored, with the default config
    assert lines[5:7] == [
        "  - openai-2025: status 'error': probe: KeyError: 'revenue' "
        "(it also changed the portfolio it was given)",
        "  - openai-2025: score() changed the portfolio at extensions.seen",
    ]
    assert lines[-2:] == [
        "  - aliases: status 'error': probe: score() wrote to stdout/stderr ('hi'); "
        "metrics must not print (it also changed the portfolio it was given)",
        "  - aliases: score() changed the portfolio at extensions.seen",
    ]


# -- the pytest plugin ---------------------------------------------------------------------


def test_the_plugin_is_a_pytest11_entry_point(request: pytest.FixtureRequest) -> None:
    (ep,) = [e for e in metadata.entry_points(group="pytest11") if e.name == "riskcore"]
    assert ep.value == "riskcore.testing"
    assert request.config.pluginmanager.hasplugin("riskcore")


def test_importing_riskcore_imports_neither_testing_nor_pytest() -> None:
    code = "import sys, riskcore; print(sorted({'riskcore.testing', 'pytest'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


AUTHOR_TESTS = '''
import pytest
import riskcore


class Tiny(riskcore.Metric):
    """Scores 42 for every portfolio."""

    name = "tiny"
    title = "Tiny"
    default_weight = 0.5

    def score(self, portfolio, context):
        return riskcore.MetricResult(score=42.0, summary="Always 42.")


def test_engine_and_portfolio(riskcore_engine, portfolio_factory):
    engine = riskcore_engine(Tiny)
    assert [m.name for m in engine.metrics] == ["tiny"]
    report = engine.score(portfolio_factory(financials={"cash": 0}))
    assert report.metric("tiny").score == 42.0


def test_contract_holds(check_metric):
    check_metric(Tiny)


def test_contract_breach_fails(check_metric):
    class Loud(Tiny):
        def score(self, portfolio, context):
            print("debug")
            return super().score(portfolio, context)

    with pytest.raises(AssertionError, match="aliases: status 'error': tiny: score\\\\(\\\\) wrote to stdout"):
        check_metric(Loud)
'''


def test_fixtures_work_in_a_fresh_pytest_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    pytester.makepyfile(test_author=AUTHOR_TESTS)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=3)


def test_fixtures_are_documented(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    result = pytester.runpytest_subprocess("--fixtures")
    result.stdout.fnmatch_lines(
        [
            "*fixtures defined from riskcore.testing*",
            "riskcore_engine -- *riskcore/testing.py:*",
            "*riskcore.testing.make_engine: an Engine running only*",
            "portfolio_factory -- *",
            "*riskcore.testing.make_portfolio: a small valid Portfolio*",
            "check_metric -- *",
            "*riskcore.testing.check_metric: AssertionError listing every breach*",
        ]
    )


def test_check_metric_adds_extensions_so_a_section_reader_is_scored() -> None:
    import riskcore
    from riskcore.testing import check_metric

    class NeedsSection(riskcore.Metric):
        """Fails loudly when it gets its section, to prove the section arrives."""

        name = "needs_section"
        title = "Needs section"
        default_weight = 0.1

        def score(
            self, portfolio: riskcore.Portfolio, context: riskcore.Context
        ) -> riskcore.MetricResult:
            if "needs_section" not in portfolio.extensions:
                raise riskcore.SkipMetric("no section")
            raise ValueError("section seen")

    check_metric(NeedsSection)  # skipped everywhere: passes
    with pytest.raises(AssertionError, match="section seen"):
        check_metric(NeedsSection, extensions={"needs_section": {"x": 1}})
