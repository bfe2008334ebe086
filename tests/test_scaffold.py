"""`riskcore new-plugin`: the generated package installs, lists, and passes its own tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import pip_install_target
from riskcore.cli import cli
from riskcore.scaffold import PluginNames

RISKCORE = str(Path(sys.executable).with_name("riskcore"))


def test_names() -> None:
    names = PluginNames("debt_wall")
    assert (names.dist, names.module, names.class_name, names.title) == (
        "riskcore-debt-wall",
        "riskcore_debt_wall",
        "DebtWall",
        "Debt wall",
    )


def test_files_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new-plugin", "debt_wall", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "riskcore-debt-wall"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        "riskcore_debt_wall/__init__.py",
        "tests/test_debt_wall.py",
    ]
    pyproject = (root / "pyproject.toml").read_text()
    assert '[project.entry-points.riskcore]\ndebt_wall = "riskcore_debt_wall"' in pyproject
    assert "$" not in "".join((root / f).read_text() for f in files)


def test_refuses_bad_names_and_non_empty_folders(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["new-plugin", "Debt-Wall", "--directory", str(tmp_path)])
    assert bad.exit_code == 2 and "not a snake_case metric name" in bad.output
    assert runner.invoke(cli, ["new-plugin", "x", "--directory", str(tmp_path)]).exit_code == 0
    again = runner.invoke(cli, ["new-plugin", "x", "--directory", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A generated plugin, installed into its own site folder, and the env that sees it."""
    root = tmp_path_factory.mktemp("gen")
    made = subprocess.run(
        [RISKCORE, "new-plugin", "demo_metric", "--directory", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Created" in made.stdout
    package = root / "riskcore-demo-metric"
    site = root / "site"
    pip_install_target(package, site)
    env = {**os.environ, "PYTHONPATH": str(site), "RISKCORE_LOAD_PLUGINS": "demo_metric"}
    return package, env


def test_generated_tests_pass_as_generated(installed: tuple[Path, dict[str, str]]) -> None:
    package, env = installed
    tests = package.parent / "tests-copy"
    shutil.copytree(package / "tests", tests, dirs_exist_ok=True)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        capture_output=True,
        text=True,
        env=env,
        cwd=package.parent,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_installed_plugin_is_listed_and_scored(installed: tuple[Path, dict[str, str]]) -> None:
    _, env = installed
    listing = subprocess.run(
        [RISKCORE, "plugins", "--json"], capture_output=True, text=True, env=env, check=True
    )
    found = {p["name"]: p for p in json.loads(listing.stdout)}["demo_metric"]
    assert (found["source"], found["status"], found["version"], found["metrics"]) == (
        "entry point",
        "active",
        "0.1.0",
        ["demo_metric"],
    )
    example = Path(__file__).parent.parent / "configs" / "portfolios" / "openai-2025.yaml"
    scored = subprocess.run(
        [RISKCORE, "score", str(example), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    entry = {m["name"]: m for m in json.loads(scored.stdout)["metrics"]}["demo_metric"]
    # Unsigned in the example: NVIDIA (loi) $350B + Broadcom (announced) $350B of $1,518.2B.
    assert entry["status"] == "ok"
    assert entry["value"] == pytest.approx(700e9 / 1518196666666.6667)
