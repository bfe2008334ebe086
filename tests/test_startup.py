"""Start-up loads only what a command needs (issue 13): pinned by module, never by time.

Wall-clock goals live in benchmarks/ (ratios against a baseline of the same run); these tests
pin the design that makes them possible, so a stray top-level import fails here at once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import riskcore

EXAMPLE = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"


def loaded_after(code: str) -> set[str]:
    """The riskcore and pydantic modules a fresh interpreter holds after running `code`."""
    probe = (
        f"{code}\nimport sys\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('riskcore', 'pydantic')))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_riskcore_loads_only_the_version() -> None:
    assert loaded_after("import riskcore") == {"riskcore", "riskcore._version"}


@pytest.mark.parametrize("args", [["--version"], ["score", "--help"]])
def test_version_and_a_commands_help_do_not_load_the_engine(args: list[str]) -> None:
    code = (
        "from click.testing import CliRunner\nfrom riskcore.cli import cli\n"
        f"r = CliRunner().invoke(cli, {args!r})\nassert r.exit_code == 0, r.output"
    )
    found = loaded_after(code)
    assert found == {"riskcore", "riskcore._version", "riskcore.cli", "riskcore.errors"}


def test_every_public_name_resolves_and_is_listed() -> None:
    assert sorted(riskcore.__all__) == sorted([*riskcore._LAZY, "__version__"])
    for name in riskcore.__all__:
        assert getattr(riskcore, name) is not None
    assert set(riskcore.__all__) <= set(dir(riskcore))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        riskcore.nope  # noqa: B018


def test_lazy_names_are_the_objects_of_their_modules() -> None:
    from riskcore.engine import Engine
    from riskcore.portfolio import Portfolio

    assert riskcore.Engine is Engine and riskcore.Portfolio is Portfolio


def test_help_loads_no_plugin_when_only_riskcores_own_are_installed() -> None:
    code = (
        "from click.testing import CliRunner\nfrom riskcore.cli import cli\n"
        "r = CliRunner().invoke(cli, ['--help'])\nassert r.exit_code == 0, r.output\n"
        "assert 'score' in r.output and 'simulate' in r.output"
    )
    found = loaded_after(code)
    assert found == {
        "riskcore",
        "riskcore._version",
        "riskcore.cli",
        "riskcore.entrypoints",
        "riskcore.errors",
    }


def test_riskcores_own_plugins_add_no_commands() -> None:
    # What lets --help skip loading them (riskcore.cli.RiskcoreGroup): pinned here.
    engine = riskcore.Engine()
    builtin = [p for p in engine.plugins if p.source == "builtin"]
    assert builtin and all("riskcore_register_commands" not in p.hooks for p in builtin)


def test_name_and_version_come_from_the_metadata_header(tmp_path: Path) -> None:
    from importlib import metadata

    from riskcore.entrypoints import name_and_version

    info = tmp_path / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: x\n\n"
        "Name: not-this\nVersion: 9\nThe long description may say anything.\n"
    )
    assert name_and_version(metadata.PathDistribution(info)) == ("demo", "1.0")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nSummary: no version\n")
    odd = metadata.PathDistribution(info)  # no Version line: the email parser's answer
    assert name_and_version(odd) == (odd.metadata["Name"], odd.metadata["Version"])


def test_every_installed_distribution_reads_as_the_email_parser_reads_it() -> None:
    from importlib import metadata

    from riskcore.entrypoints import name_and_version

    for dist in metadata.distributions():
        assert name_and_version(dist) == (dist.metadata["Name"], dist.metadata["Version"])


def collector_during(command: list[str], patch: str) -> str:
    """Run main() on `command` in a fresh interpreter; report the collector inside `patch`."""
    module, name = patch.rsplit(".", 1)
    probe = (
        "import gc, importlib, sys\n"
        f"target = importlib.import_module({module!r})\n"
        f"original = getattr(target, {name!r})\n"
        "seen = []\n"
        "def spy(*args, **kwargs):\n"
        "    seen.append((gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "    return original(*args, **kwargs)\n"
        f"setattr(target, {name!r}, spy)\n"
        f"sys.argv = ['riskcore', *{command!r}]\n"
        "from riskcore.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('SEEN', seen[0] if seen else None, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stderr.strip().splitlines()[-1]


def test_the_collector_is_back_on_when_an_engine_command_scores() -> None:
    found = collector_during(
        ["score", str(EXAMPLE), "--format", "json"], "riskcore.engine.build_book"
    )
    assert found == "SEEN (True, True)"  # on, with start-up's objects frozen out of its way


def test_the_collector_is_back_on_when_a_command_without_an_engine_runs() -> None:
    found = collector_during(["validate", str(EXAMPLE)], "riskcore.loading.load_portfolio")
    assert found == "SEEN (True, True)"


def test_cli_as_a_library_leaves_the_collector_alone() -> None:
    import gc

    from click.testing import CliRunner

    from riskcore.cli import cli

    assert gc.isenabled()
    assert CliRunner().invoke(cli, ["score", str(EXAMPLE), "--format", "json"]).exit_code == 0
    assert gc.isenabled()


def test_help_lists_the_commands_of_a_plugins_dir(tmp_path: Path) -> None:
    (tmp_path / "hello.py").write_text(
        "import click, riskcore\n"
        "@click.command()\n"
        "def hello():\n"
        "    '''Say hello.'''\n"
        "@riskcore.hookimpl\n"
        "def riskcore_register_commands(cli):\n"
        "    cli.add_command(hello)\n"
    )
    code = (
        "from click.testing import CliRunner\nfrom riskcore.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['--plugins-dir', {str(tmp_path)!r}, '--help'])\n"
        "print(r.exit_code, 'Say hello.' in r.output)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True"]
