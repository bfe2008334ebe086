"""The `riskcore` command line: a thin shell over the engine.

It parses options, calls the library, renders, and maps errors to exit codes: 0 ok; 1 a rating
worse than --fail-on; 2 usage error or invalid input; 3 a plugin failed under --strict.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ._version import __version__
from .errors import InputError, PortfolioError, RiskcoreError, UsageError

# The engine, the loaders and the renderers are imported by the commands that run them, so
# `riskcore --version`, `--help` and a command's `--help` start at the interpreter's pace.
if TYPE_CHECKING:  # pragma: no cover - typing only
    from .engine import Engine
    from .loading import Text
    from .network import Source
    from .report import Report

EXIT_OK, EXIT_FAIL_ON, EXIT_INVALID, EXIT_PLUGIN = 0, 1, 2, 3
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class InvalidInput(click.ClickException):
    """Bad input or usage: printed without a traceback, exit code 2."""

    exit_code = EXIT_INVALID

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


@contextlib.contextmanager
def handled(debug: bool) -> Iterator[None]:
    """Turn riskcore's errors into exit code 2 with one message; `--debug` keeps the traceback."""
    try:
        yield
    except (InputError, UsageError) as exc:
        if debug:
            raise
        raise InvalidInput(str(exc)) from None
    except RiskcoreError as exc:  # pragma: no cover - every raised kind is handled above
        if debug:
            raise
        raise InvalidInput(str(exc)) from None


# Start-up and the garbage collector. Everything riskcore makes while it starts (modules,
# pydantic models, the engine and its plugins) lives until the process ends, so collecting
# while it is made only walks it: main() pauses the collector (about 10 ms of every command,
# docs/performance.md) and `_started` resumes it once start-up is over, with what was made
# frozen out of its way. The commands that build an engine resume after it is built (in
# `_engine`); every other command, a plugin's too, resumes as soon as it is chosen, so none
# runs its work with the collector off. Only main() pauses it: `cli` called as a library
# (tests, CliRunner) leaves the collector alone.
_ENGINE_COMMANDS = frozenset(
    {"score", "stress", "diff", "backtest", "simulate", "plugins", "explain"}
)
_collector = {"paused": False}


def _started() -> None:
    """Resume the collector that main() paused, with start-up's objects frozen."""
    if _collector["paused"]:
        _collector["paused"] = False
        gc.freeze()
        gc.enable()


class RiskcoreGroup(click.Group):
    """Adds plugin commands (hook riskcore_register_commands) lazily, only when needed."""

    _loaded = False

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        found = super().resolve_command(ctx, args)
        if found[1] is not None and found[1].name not in _ENGINE_COMMANDS:
            _started()
        return found

    def _load_plugin_commands(self, ctx: click.Context) -> None:
        if self._loaded:
            return
        self._loaded = True
        from .entrypoints import only_builtin_plugins

        plugins_dir = ctx.params.get("plugins_dir")
        if plugins_dir is None and only_builtin_plugins():
            return  # riskcore's own plugins add no commands: --help need not load them
        from .registry import ENV_ALLOW, Registry, parse_allow

        registry = Registry(allow=parse_allow(os.environ.get(ENV_ALLOW)), plugins_dir=plugins_dir)
        registry.call_each("riskcore_register_commands", lambda _name: {"cli": self})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugin_commands(ctx)
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands(ctx)
        return super().list_commands(ctx)


@click.group(cls=RiskcoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="riskcore")
@click.option(
    "--plugins-dir",
    type=click.Path(file_okay=False, path_type=Path),
    is_eager=True,  # read before an eager --help, so that help lists this folder's commands
    help="Also load plugin modules (*.py) from this folder.",
)
@click.pass_context
def cli(ctx: click.Context, plugins_dir: Path | None) -> None:
    """Rate a company's long-term commitments against what it earns.

    \b
    Examples:
      riskcore score configs/portfolios/openai-2025.yaml
      riskcore score a.yaml b.yaml --format json --output reports.json
      riskcore score p.yaml --fail-on BB       # exit 1 if rated worse than BB
      riskcore explain revenue_coverage
      riskcore plugins --json
    """
    ctx.obj = {"plugins_dir": plugins_dir}


def _engine(
    ctx: click.Context,
    config: Path | None = None,
    disable: Sequence[str] = (),
    only: Sequence[str] = (),
) -> Engine:
    from .engine import Engine

    engine = Engine(config=config, disable=disable, only=only, plugins_dir=ctx.obj["plugins_dir"])
    _started()
    return engine


_config_option = click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    help="A TOML/YAML/JSON file overlaid on the default config.",
)
_debug_option = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
DOCUMENT_FORMATS = ["yaml", "json", "toml"]


def _input_format_option(formats: Sequence[str], more: str = "") -> Callable[[F], F]:
    return click.option(
        "--input-format",
        type=click.Choice(formats),
        default="yaml",
        show_default=True,
        help=f"The format of - (standard input; yaml also reads JSON){more}. Files go by extension.",
    )


def _with_stdin(paths: Sequence[Path], fmt: str, max_bytes: int) -> list[Path | Text]:
    """The inputs, with `-` read from standard input, once."""
    from .loading import read_stdin

    if sum(str(p) == "-" for p in paths) > 1:
        raise InvalidInput("- (standard input) can be given only once")
    return [read_stdin(fmt, max_bytes) if str(p) == "-" else p for p in paths]


def _name(source: Path | Text) -> str:
    from .loading import STDIN, Text

    return STDIN if isinstance(source, Text) else str(source)


@cli.command()
@click.argument("portfolios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_config_option
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help="table, json, markdown, or a format a plugin adds.",
)
@click.option(
    "--table-format",
    default="simple",
    show_default=True,
    help="tabulate's table style for --format table (github, grid, psql, ...).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here, not stdout.",
)
@click.option(
    "--disable", multiple=True, metavar="NAME", help="Drop a metric (or plugin). Repeatable."
)
@click.option("--only", multiple=True, metavar="NAME", help="Run only these metrics. Repeatable.")
@click.option("--strict", is_flag=True, help="Exit 3 if any plugin or metric failed.")
@click.option("--scenario", metavar="NAME", help="Score under a [scenarios.NAME] of the config.")
@click.option(
    "--what-if",
    "what_if",
    is_flag=True,
    help="Add what would move the rating a grade (revenue multiplier, cancelled share).",
)
@click.option(
    "--fail-on",
    metavar="GRADE",
    help="Exit 1 if any rating is worse than GRADE (NR is worse than every grade).",
)
@_input_format_option(DOCUMENT_FORMATS)
@_debug_option
@click.pass_context
def score(
    ctx: click.Context,
    portfolios: tuple[Path, ...],
    config: Path | None,
    fmt: str,
    table_format: str,
    output: Path | None,
    disable: tuple[str, ...],
    only: tuple[str, ...],
    strict: bool,
    scenario: str | None,
    what_if: bool,
    fail_on: str | None,
    input_format: str,
    debug: bool,
) -> None:
    """Score PORTFOLIO files (YAML, TOML or JSON; - for standard input) and print the report."""
    from .loading import load_portfolio
    from .render import RenderOptions, find_renderer

    with handled(debug):
        engine = _engine(ctx, config, disable, only)
        renderer = find_renderer(fmt, engine)
        if scenario is not None:
            engine.plan(scenario)  # an unknown name fails before any scoring
        grades = [g.grade for g in engine.config.rating.scale]
        if fail_on is not None and fail_on not in grades:
            raise UsageError(f"--fail-on {fail_on}: not a grade of the scale ({', '.join(grades)})")
    sources = _with_stdin(portfolios, input_format, engine.config.engine.max_file_bytes)
    scored: list[tuple[Path | Text, Report]] = []
    inputs = []  # the html format lists the input rows: one portfolio per report, same order
    invalid = False
    for source in sources:
        try:
            scored.append((source, engine.score(source, scenario=scenario, what_if=what_if)))
            if fmt == "html":
                inputs.append(load_portfolio(source, max_bytes=engine.config.engine.max_file_bytes))
        except PortfolioError as exc:
            if debug:
                raise
            invalid = True
            click.echo(f"Error: {exc}", err=True)
    reports = [r for _, r in scored]
    if len(scored) > 1:
        # Rated together: a customer whose own portfolio is here is rated by riskcore.
        from .peers import rescore_with_peers

        reports = rescore_with_peers(engine, scored, scenario, what_if)
    if reports:
        with handled(debug):  # e.g. a renderer's missing optional dependency: exit 2
            text = renderer(
                reports, RenderOptions(table_format=table_format, portfolios=tuple(inputs))
            )
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
    if invalid:
        ctx.exit(EXIT_INVALID)
    if strict:
        failed = [str(f) for f in engine.plugin_errors]
        failed += [
            f"metric {m.name} failed: {m.message}"
            for r in reports
            for m in r.metrics
            if m.status == "error"
        ]
        if failed:
            for line in dict.fromkeys(failed):
                click.echo(f"Strict: {line}", err=True)
            ctx.exit(EXIT_PLUGIN)
    if fail_on is not None:
        limit = grades.index(fail_on)
        worse = [r for r in reports if r.rating == "NR" or grades.index(r.rating) > limit]
        if worse:
            names = ", ".join(f"{r.company.name} ({r.rating})" for r in worse)
            click.echo(f"Fail: rated worse than {fail_on}: {names}", err=True)
            ctx.exit(EXIT_FAIL_ON)


def _each(
    portfolios: Sequence[Path], debug: bool, run: Callable[[Path], T]
) -> tuple[list[T], bool]:
    """`run` on each portfolio; a bad one is reported on stderr and the rest still run.

    Returns the results and whether any portfolio was invalid (the caller exits 2 after
    writing what it has).
    """
    results: list[T] = []
    invalid = False
    for path in portfolios:
        try:
            with handled(debug):
                results.append(run(path))
        except InvalidInput as exc:
            invalid = True
            exc.show()
    return results, invalid


def _simulation_options(lead: str = "") -> Callable[[F], F]:
    """The Monte Carlo knobs, the same for `simulate` and `batch --simulate`."""

    def says(text: str) -> str:
        return f"{lead}{text}" if lead else text[0].upper() + text[1:]

    options = [
        click.option(
            "--paths",
            type=int,
            default=100_000,
            show_default=True,
            help=says("simulated revenue paths."),
        ),
        click.option(
            "--seed", type=int, default=0, show_default=True, help=says("same seed, same output.")
        ),
        click.option(
            "--volatility",
            type=float,
            help=says("annual volatility of log revenue (default: [simulation] volatility)."),
        ),
        click.option(
            "--correlation",
            type=float,
            default=0.0,
            show_default=True,
            help=says("AR(1) coefficient of the yearly shocks, -1 to 1."),
        ),
    ]

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for tools.",
)


@cli.command()
@click.argument("portfolios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_config_option
@_format_option
@click.option(
    "--table-format",
    default="simple",
    show_default=True,
    help="tabulate's table style for --format table.",
)
@_debug_option
@click.pass_context
def stress(
    ctx: click.Context,
    portfolios: tuple[Path, ...],
    config: Path | None,
    fmt: str,
    table_format: str,
    debug: bool,
) -> None:
    """Score PORTFOLIOS under every configured scenario, with what would move each rating."""
    from .render import RenderOptions, render_stress_table
    from .report import reports_to_json
    from .scenarios import stress as run_stress

    with handled(debug):
        engine = _engine(ctx, config)
    results, invalid = _each(portfolios, debug, lambda path: run_stress(engine, path))
    if results:
        if fmt == "json":
            click.echo(reports_to_json(results))
        else:
            click.echo(
                render_stress_table(results, RenderOptions(table_format=table_format)), nl=False
            )
    if invalid:
        ctx.exit(EXIT_INVALID)


def _result_options(
    formats: Sequence[str], formats_help: str, scenario_help: str
) -> Callable[[F], F]:
    """The options every command that reports one result shares: config, format, scenario, ..."""

    def apply(command: F) -> F:
        for option in reversed(
            [
                _config_option,
                click.option(
                    "--format",
                    "fmt",
                    type=click.Choice(list(formats)),
                    default="table",
                    show_default=True,
                    help=formats_help,
                ),
                click.option("--scenario", metavar="NAME", help=scenario_help),
                click.option(
                    "--table-format",
                    default="simple",
                    show_default=True,
                    help="tabulate's table style for --format table.",
                ),
                click.option(
                    "--output",
                    "-o",
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="Write to F instead of stdout.",
                ),
                _debug_option,
            ]
        ):
            command = option(command)
        return command

    return apply


def _report_result(
    ctx: click.Context,
    config: Path | None,
    fmt: str,
    scenario: str | None,
    output: Path | None,
    debug: bool,
    run: Callable[[Engine], Any],
    texts: Mapping[str, Callable[[Any], str]],
) -> None:
    """Build the engine, run, and write the result as `fmt`: json, html (the `html` renderer
    also lays out these results; see plugins.md) or one of `texts`."""
    from .render import RenderOptions, find_renderer

    with handled(debug):
        engine = _engine(ctx, config)
        if scenario is not None:
            engine.plan(scenario)  # an unknown name fails before any scoring
        renderer = find_renderer("html", engine) if fmt == "html" else None
        result = run(engine)
        if fmt == "json":
            text = result.to_json() + "\n"
        elif renderer is not None:
            text = renderer(cast("list[Report]", [result]), RenderOptions())
        else:
            text = texts[fmt](result)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@_result_options(
    ["table", "json", "markdown", "html"],
    "table for people, json for tools, markdown or html to publish.",
    "Score both portfolios under a [scenarios.NAME].",
)
@click.pass_context
def diff(
    ctx: click.Context,
    old: Path,
    new: Path,
    config: Path | None,
    fmt: str,
    scenario: str | None,
    table_format: str,
    output: Path | None,
    debug: bool,
) -> None:
    """The rating action from OLD to NEW: portfolios (scored here) or reports (score --format json).

    Leads with one sentence a reader can quote, then each metric's contribution change, what
    the adjustments changed, and the commitments added, removed and changed.
    """
    from .diffing import diff as run_diff
    from .render import RenderOptions, render_diff_markdown, render_diff_table

    options = RenderOptions(table_format=table_format)
    _report_result(
        ctx,
        config,
        fmt,
        scenario,
        output,
        debug,
        lambda engine: run_diff(old, new, engine, scenario),
        {"table": lambda r: render_diff_table(r, options), "markdown": render_diff_markdown},
    )


@cli.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--outcomes",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV with header id,outcome (and optionally event_date,source,note): 1 = not met.",
)
@_result_options(
    ["table", "json", "html"],
    "table for people, json for tools, html for a page with the accuracy profile.",
    "Score every case under a [scenarios.NAME].",
)
@click.pass_context
def backtest(
    ctx: click.Context,
    cases: tuple[Path, ...],
    outcomes: Path,
    config: Path | None,
    fmt: str,
    scenario: str | None,
    table_format: str,
    output: Path | None,
    debug: bool,
) -> None:
    """Score historical CASES (files, folders, JSONL) and measure how well they rank outcomes.

    Reports the AUC (ties counted half) with its 95% interval, the accuracy ratio, the event
    rate by grade and each metric's own AUC. Exit 2 when a case or an outcome row is missing,
    doubled or unreadable, or when the outcomes hold only one class.
    """
    from .backtesting import backtest as run_backtest
    from .render import RenderOptions, render_backtest_table

    options = RenderOptions(table_format=table_format)
    _report_result(
        ctx,
        config,
        fmt,
        scenario,
        output,
        debug,
        lambda engine: run_backtest(cases, outcomes, engine, scenario),
        {"table": lambda r: render_backtest_table(r, options)},
    )


@cli.command()
@click.argument("portfolios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_simulation_options()
@click.option("--scenario", metavar="NAME", help="Simulate around a [scenarios.NAME].")
@_config_option
@_format_option
@_debug_option
@click.pass_context
def simulate(
    ctx: click.Context,
    portfolios: tuple[Path, ...],
    paths: int,
    seed: int,
    volatility: float | None,
    correlation: float,
    scenario: str | None,
    config: Path | None,
    fmt: str,
    debug: bool,
) -> None:
    """Monte Carlo of PORTFOLIOS: the probability of a funding shortfall and of each grade.

    Revenue after the as_of year follows lognormal shocks around the projection; the metrics
    that depend on revenue are recomputed on every path (docs/scenarios.md has the model).
    """
    from .montecarlo import Settings
    from .montecarlo import simulate as run_simulation
    from .report import reports_to_json

    settings = Settings(paths, seed, volatility, correlation, scenario)
    with handled(debug):
        settings.check()
        engine = _engine(ctx, config)
        if scenario is not None:
            engine.plan(scenario)
    results, invalid = _each(portfolios, debug, lambda path: run_simulation(engine, path, settings))
    if results:
        if fmt == "json":
            click.echo(reports_to_json(results))
        else:
            from .render import RenderOptions, render_simulation_table

            click.echo(render_simulation_table(results, RenderOptions()), nl=False)
    if invalid:
        ctx.exit(EXIT_INVALID)


@cli.command()
@click.argument("portfolios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_input_format_option(DOCUMENT_FORMATS)
@_debug_option
def validate(portfolios: tuple[Path, ...], input_format: str, debug: bool) -> None:
    """Check PORTFOLIO files (- for standard input) and report every problem in each."""
    from .engine import Engine
    from .loading import DEFAULT_MAX_BYTES, load_portfolio

    bad = 0
    engine: Engine | None = None
    for source in _with_stdin(portfolios, input_format, DEFAULT_MAX_BYTES):
        try:
            p = load_portfolio(source)
        except PortfolioError as exc:
            if debug:
                raise
            bad += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        click.echo(
            f"ok: {_name(source)}: {p.company.name} as of {p.company.as_of.isoformat()}, "
            f"{len(p.commitments)} commitments, {len(p.financing)} financing rows"
        )
        if p.extensions:
            # Only a file with extensions pays for loading the plugins, to know who reads them.
            engine = engine or Engine()
            for warning in engine.unread_extensions(p):
                click.echo(f"Warning: {_name(source)}: {warning}", err=True)
    if bad:
        sys.exit(EXIT_INVALID)


@cli.command()
@click.option(
    "--kind",
    type=click.Choice(["portfolio", "config", "report"]),
    default="portfolio",
    show_default=True,
    help="Which format's JSON Schema to print.",
)
def schema(kind: str) -> None:
    """Print the JSON Schema of the portfolio file format (or of the config or report)."""
    from .config import Config
    from .portfolio import Portfolio
    from .report import Report, dumps

    model: Any = {"portfolio": Portfolio, "config": Config, "report": Report}[kind]
    click.echo(dumps(model.model_json_schema()))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_debug_option
@click.pass_context
def plugins(ctx: click.Context, as_json: bool, debug: bool) -> None:
    """List every plugin found: version, source, status, hooks and metrics."""
    from .report import dumps

    with handled(debug):
        engine = _engine(ctx)
    found = engine.plugins
    if as_json:
        click.echo(dumps([p.to_dict() for p in found]))
        return
    from tabulate import tabulate

    rows = [
        [
            p.name,
            p.version or "—",
            p.source,
            p.status + (f": {p.error}" if p.error else ""),
            ", ".join(p.metrics + [f"format:{r}" for r in p.renderers]) or "—",
            ", ".join(h.removeprefix("riskcore_") for h in p.hooks) or "—",
        ]
        for p in found
    ]
    click.echo(
        tabulate(
            rows,
            headers=["plugin", "version", "source", "status", "provides", "hooks"],
            maxcolwidths=[None, None, None, 50, 40, None],
        )
    )


@cli.command()
@click.argument("metric", required=False)
@_config_option
@_debug_option
@click.pass_context
def explain(ctx: click.Context, metric: str | None, config: Path | None, debug: bool) -> None:
    """Print how METRIC is computed, or how the rating is built and which metrics feed it."""
    with handled(debug):
        engine = _engine(ctx, config)
        if metric is None:
            click.echo(_explain_rating(engine))
            return
        active = {m.name: m for m in engine.metrics}
        if metric not in active:
            known = ", ".join(sorted(engine.available_metrics)) or "none"
            raise UsageError(f"no metric {metric!r} is loaded (loaded: {known})")
    m = active[metric]
    settings = json.dumps(m.config.model_dump(mode="json"), separators=(", ", ": "))
    click.echo(
        f"{m.name}: {m.title}\n"
        f"plugin {m.plugin}; weight {m.weight:.3f} after normalising (default {m.default_weight:g})\n"
        f"settings: {settings}\n\n{m.method}"
    )


def _explain_rating(engine: Engine) -> str:
    rating = engine.config.rating
    lines = [
        "How riskcore rates a portfolio",
        "",
        "Each metric scores risk from 0 (none) to 100 (extreme). Weights are normalised to sum to 1",
        "over the enabled metrics. coverage = the weight of the metrics that produced a score; below",
        f"{rating.min_coverage:.0%} the rating is NR. score = sum(weight x metric score) / coverage.",
        f"Then, in order: {', '.join(rating.adjustments) or 'no adjustments'}"
        + (
            f" (the score is at least the worst metric's score minus {rating.weakest_link_gap:g},"
            + (
                f" a gap that narrows to 0 within {rating.weakest_link_taper:g} points of 100)."
                if rating.weakest_link_taper > 0
                else ")."
            )
            if "weakest_link" in rating.adjustments
            else "."
        ),
        "Concentration, circularity and idle capacity are weighed by materiality: 1 when the",
        f"company's means cover at most {engine.config.engine.materiality_full_cover:g}x what falls "
        f"due, 0 from {engine.config.engine.materiality_zero_cover:g}x, log-linear between.",
        "",
        "Scale (upper bounds inclusive):",
    ]
    lines += [f"  {g.grade:<4} <= {g.max:g}  {g.label}" for g in rating.scale]
    lines += ["", "Metrics (riskcore explain NAME for the method):"]
    lines += [f"  {m.name:<22} weight {m.weight:.3f}  {m.title}" for m in engine.metrics]
    return "\n".join(lines)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here, not stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one report per line; csv: one row per portfolio.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Worker processes (default: the CPU count)."
)
@click.option(
    "--backend",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local processes, or a Dask cluster (pip install 'riskcore[dask]').",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786.")
@click.option("--resume", is_flag=True, help="Skip ids already in --output and append.")
@click.option(
    "--simulate",
    "with_simulation",
    is_flag=True,
    help="Add riskcore simulate's Monte Carlo block to each report.",
)
@_simulation_options("With --simulate: ")
@_config_option
@_input_format_option([*DOCUMENT_FORMATS, "jsonl"], more="; jsonl: one portfolio per line")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_debug_option
@click.pass_context
def batch(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    output: Path | None,
    fmt: str,
    workers: int | None,
    backend: str,
    scheduler: str | None,
    resume: bool,
    with_simulation: bool,
    paths: int,
    seed: int,
    volatility: float | None,
    correlation: float,
    config: Path | None,
    input_format: str,
    quiet: bool,
    debug: bool,
) -> None:
    """Score many portfolios: files, folders (searched recursively), .jsonl files and - (stdin).

    Lines are written and flushed in input order as results arrive, so an interrupted run
    loses nothing already scored; --resume carries on from there. Exit 0 when every portfolio
    was scored, 2 when any was invalid (after everything was written).
    """
    from . import batch as b
    from .backends import make_backend

    if resume and output is None:
        raise InvalidInput("--resume needs --output")
    plugins_dir = ctx.obj["plugins_dir"]
    simulation = None
    if with_simulation:
        from .montecarlo import Settings

        simulation = Settings(paths, seed, volatility, correlation)
        with handled(debug):
            simulation.check()
    spec = b.EngineSpec(
        config=str(config) if config else None,
        plugins_dir=str(plugins_dir) if plugins_dir else None,
        simulation=simulation,
    )
    with handled(debug):
        engine = spec.build()  # validates the config and loads plugins before any work starts
        metrics = [m.name for m in engine.metrics]
        done: set[str] = set()
        if resume and output is not None:  # a file that is not riskcore's: exit 2, untouched
            columns = b.csv_columns(metrics, with_simulation)
            done = b.prepare_resume(output, "csv" if fmt == "csv" else "jsonl", columns)
        runner = make_backend(
            backend, workers or b.default_workers(), spec, scheduler, jsonl=fmt == "jsonl"
        )
    if sum(str(p) == "-" for p in inputs) > 1:
        raise InvalidInput("- (standard input) can be given only once")
    max_bytes = engine.config.engine.max_file_bytes
    found = b.discover(inputs, stdin_format=input_format, max_bytes=max_bytes)
    items = (item for item in found if item.id not in done)
    # An empty file (or one that was only a torn line) starts afresh, CSV header included.
    append = resume and output is not None and output.exists() and output.stat().st_size > 0
    sink = output.open("a" if append else "w", encoding="utf-8") if output else sys.stdout
    csv_out = (
        b.CsvWriter(metrics, sink, header=not append, simulate=with_simulation)
        if fmt == "csv"
        else None
    )
    # Standard input can be read only once, so it cannot be counted for the bar's total.
    show = not quiet and sys.stderr.isatty() and "-" not in map(str, inputs)
    invalid = 0
    try:
        total = b.count_items(inputs) - len(done) if show else 0
        with (
            click.progressbar(
                length=max(total, 0), label="scoring", file=sys.stderr, show_pos=True, show_eta=True
            )
            if show
            else contextlib.nullcontext() as bar
        ):
            for outcome in b.run(items, spec, runner):
                if outcome.error is not None:
                    invalid += 1
                if csv_out is not None:
                    csv_out.write(outcome)
                else:
                    sink.write(b.jsonl_line(outcome) + "\n")
                sink.flush()
                if bar is not None:
                    bar.update(1)
    finally:
        runner.close()
        if output is not None:
            sink.close()
    if invalid:
        click.echo(f"{invalid} invalid portfolio(s); see the error lines", err=True)
        ctx.exit(EXIT_INVALID)


@cli.command()
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="INPUT..."
)
@click.option(
    "--entities",
    "entities_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A YAML/TOML/JSON file {Canonical: {aliases: [...]}} joining spellings across files.",
)
@click.option(
    "--max-cycle",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Longest cycle searched, in hops.",
)
@click.option(
    "--max-cycles",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Cycles listed, largest first (in_cycles counts them all).",
)
@click.option(
    "--default",
    "defaults",
    multiple=True,
    metavar="ENTITY",
    help="An entity that defaults in round 1 of one contagion scenario. Repeatable.",
)
@click.option(
    "--contagion",
    type=click.Choice(["all"]),
    help="all: one more contagion scenario per company with a portfolio, each alone.",
)
@click.option(
    "--recovery",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of its remaining commitments a defaulted entity still pays.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people; json: the contract in docs/network.md.",
)
@_config_option
@_debug_option
@click.pass_context
def network(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    entities_file: Path | None,
    max_cycle: int,
    max_cycles: int,
    defaults: tuple[str, ...],
    contagion: str | None,
    recovery: float,
    fmt: str,
    config: Path | None,
    debug: bool,
) -> None:
    """Money-flow cycles, vendor exposure and contagion across many portfolios.

    INPUT is as for batch: files, folders (searched recursively) and .jsonl files. Every
    portfolio must be of a different company, in one currency. See docs/network.md.

    \b
    Examples:
      riskcore network configs/ecosystem
      riskcore network configs/ecosystem --default OpenAI
      riskcore network folder/ --contagion all --recovery 0.4 --format json
    """
    from . import network as net
    from .defaults import load_config
    from .render import render_network_table

    with handled(debug):
        effective, _ = load_config(config)
        settings = net.Settings.from_config(effective, str(config) if config else None)
        max_bytes = effective.engine.max_file_bytes
        entities = net.load_entities(entities_file, max_bytes=max_bytes) if entities_file else {}
    sources = _network_sources(inputs, max_bytes, debug)
    with handled(debug):
        graph = net.build_network(sources, settings, entities)
        chosen = list(dict.fromkeys(net.resolve_entity(graph, d, entities) for d in defaults))
        result = net.analyse(
            graph,
            max_cycle=max_cycle,
            max_cycles=max_cycles,
            defaults=chosen,
            contagion_all=contagion == "all",
            recovery=recovery,
            stress_threshold=settings.stress_threshold,
        )
    click.echo(result.to_json() + "\n" if fmt == "json" else render_network_table(result), nl=False)


def _network_sources(inputs: Sequence[Path], max_bytes: int, debug: bool) -> list[Source]:
    """Every portfolio of `inputs`, loaded as batch finds them; any invalid one: exit 2."""
    from .batch import discover
    from .loading import load_document_text, load_portfolio
    from .network import Source

    sources = []
    invalid = False
    for item in discover(inputs):
        if item.error is not None:  # a JSONL file that cannot be read
            invalid = True
            click.echo(f"Error: {item.error}", err=True)
            continue
        try:
            if item.text is None:
                portfolio = load_portfolio(item.path, max_bytes=max_bytes)
            else:
                portfolio = load_document_text(
                    item.text, "json", source=item.id, max_bytes=max_bytes
                )
        except PortfolioError as exc:
            if debug:
                raise
            invalid = True
            click.echo(f"Error: {exc}", err=True)
            continue
        sources.append(Source(item.id, portfolio))
    if invalid:
        sys.exit(EXIT_INVALID)
    if not sources:
        raise InvalidInput(f"no portfolio files found in {', '.join(map(str, inputs))}")
    return sources


@cli.command()
@click.option("--count", type=click.IntRange(min=0), required=True, help="How many portfolios.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="A .jsonl file (one portfolio per line) or a folder (one YAML file each).",
)
@click.option("--start", type=click.IntRange(min=0), default=0, help="First index (a slice).")
@click.option(
    "--ecosystem",
    is_flag=True,
    help="Companies whose vendors and investors are each other (for riskcore network).",
)
def generate(count: int, seed: int, output: Path, start: int, ecosystem: bool) -> None:
    """Write realistic random portfolios, deterministic for a seed (for benchmarks and tests)."""
    from .generate import generate_ecosystem, generate_portfolios, write_portfolios

    if ecosystem:
        if start:
            raise InvalidInput(
                "--start does not apply to --ecosystem: its companies refer to each other"
            )
        portfolios = generate_ecosystem(count, seed)
    else:
        portfolios = generate_portfolios(count, seed, start=start)
    written = write_portfolios(portfolios, output, start=start)
    click.echo(f"wrote {written} portfolios to {output}", err=True)


@cli.command("new-plugin")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the package folder.",
)
@_debug_option
def new_plugin(name: str, directory: Path, debug: bool) -> None:
    """Create a metric plugin package for NAME (snake_case), ready to install and test."""
    from .scaffold import PluginNames
    from .scaffold import new_plugin as scaffold

    with handled(debug):
        target = scaffold(name, directory)
    names = PluginNames(name)
    click.echo(
        f"Created {target}: metric {names.name} in {names.module}/__init__.py\n"
        f"Next: cd {target} && pip install -e '.[test]' && python -m pytest && riskcore plugins"
    )


def main() -> None:
    """Console-script entry point."""
    if gc.isenabled():  # see _started: collection waits until start-up is over
        gc.disable()
        _collector["paused"] = True
    try:
        cli(prog_name="riskcore")
    finally:
        # The process ends here: move every object to the permanent generation, so the
        # interpreter's last collection does not walk the modules, models and engine one by
        # one (measured at about a tenth of `riskcore score`; docs/performance.md). Output is
        # already written and nothing is lost: atexit handlers and finalizers still run.
        gc.freeze()
