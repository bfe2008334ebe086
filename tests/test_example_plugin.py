"""The example third-party plugin, examples/riskcore-debt-wall, installed for real with pip.

pip installs a copy of it into a temporary folder (never into the running environment, and
leaving no build/ or egg-info in the repository); the folder then goes on PYTHONPATH of the real
console script and of a pytest run of the example's own tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "examples" / "riskcore-debt-wall"
RISKCORE = str(Path(sys.executable).with_name("riskcore"))
TIMEOUT = 300  # seconds; an isolated build may fetch setuptools from the package index

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pip") is None, reason="pip is not installed in this environment"
)


@dataclass(frozen=True)
class Installed:
    """The installed copy: its source folder, its --target folder and the environment to use.

    Commands run in the folder above both, so `python -m` (which puts the working directory
    first on sys.path) imports the installed package, not the copied sources.
    """

    source: Path
    site: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.site.parent,
            timeout=TIMEOUT,
            check=False,
        )


def _builds_without_isolation() -> bool:
    """True when this environment's setuptools can build a wheel on its own.

    setuptools 70.1 took in `bdist_wheel`; older releases need the `wheel` package beside them.
    """
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    match = re.match(r"(\d+)\.(\d+)", version)
    recent = match is not None and (int(match[1]), int(match[2])) >= (70, 1)
    return recent or importlib.util.find_spec("wheel") is not None


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("debt_wall")
    source = root / "riskcore-debt-wall"
    shutil.copytree(
        EXAMPLE_DIR,
        source,
        ignore=shutil.ignore_patterns(
            "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".mypy_cache"
        ),
    )
    site = root / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input", "--quiet"]
    pip += ["--disable-pip-version-check", "--target", str(site)]
    attempts = [[*pip, "--no-build-isolation", str(source)]] if _builds_without_isolation() else []
    attempts.append([*pip, str(source)])  # build isolation: pip fetches setuptools itself
    failures: list[str] = []
    for command in attempts:
        shutil.rmtree(site, ignore_errors=True)
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=root, timeout=TIMEOUT, check=False
        )
        if result.returncode == 0:
            break
        failures.append(f"$ {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    else:
        pytest.fail("pip could not install the example:\n" + "\n".join(failures))

    env = dict(os.environ)
    for name in ("RISKCORE_LOAD_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return Installed(source, site, env)


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_pip_installed_the_package(installed: Installed) -> None:
    dist = installed.site / "riskcore_debt_wall-0.1.0.dist-info"
    assert (installed.site / "riskcore_debt_wall" / "__init__.py").is_file()
    assert (installed.site / "riskcore_debt_wall" / "py.typed").is_file()
    assert (dist / "entry_points.txt").read_text().split() == [
        "[riskcore]",
        "debt_wall",
        "=",
        "riskcore_debt_wall",
    ]
    # The copy was built, not the repository: nothing was left beside the example's sources.
    assert not list(EXAMPLE_DIR.glob("*.egg-info"))
    assert not (EXAMPLE_DIR / "build").exists()


def test_plugins_lists_it_from_its_entry_point(installed: Installed) -> None:
    plugins = {p["name"]: p for p in _json(installed.run(RISKCORE, "plugins", "--json"))}
    assert plugins["debt_wall"] == {
        "name": "debt_wall",
        "version": "0.1.0",
        "source": "entry point",
        "status": "active",
        "error": None,
        "hooks": ["riskcore_register_metrics"],
        "metrics": ["debt_wall"],
        "renderers": [],
    }
    assert plugins["revenue_coverage"]["source"] == "builtin"


def test_the_allow_list_turns_it_off(installed: Installed) -> None:
    env = {**installed.env, "RISKCORE_LOAD_PLUGINS": ""}
    result = subprocess.run(
        [RISKCORE, "plugins", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=installed.site.parent,
        timeout=TIMEOUT,
        check=False,
    )
    plugins = {p["name"]: p for p in _json(result)}
    assert plugins["debt_wall"]["status"] == "disabled"
    assert plugins["debt_wall"]["metrics"] == []


def test_score_runs_it_beside_the_builtins(installed: Installed) -> None:
    # Worked by hand in examples/riskcore-debt-wall/README.md: the worst 3-year window is
    # 2025-2027, 8.25B of debt due after 25% refinanced against 2B + 6B + 9B of revenue and 3B
    # of cash: 8.25 / 20 = 0.4125x, scored 20 + 25 x (0.4125 - 0.25) / 0.25 = 36.25.
    portfolio = EXAMPLE_DIR / "portfolio.yaml"
    report = _json(installed.run(RISKCORE, "score", str(portfolio), "--format", "json"))
    metrics = {m["name"]: m for m in report["metrics"]}
    assert set(metrics) == {
        "circular_financing",
        "customer_concentration",
        "debt_wall",
        "idle_capacity",
        "revenue_coverage",
        "vendor_concentration",
    }
    wall = metrics["debt_wall"]
    assert (wall["status"], wall["plugin"], wall["unit"]) == ("ok", "debt_wall", "x")
    assert wall["value"] == pytest.approx(0.4125, rel=1e-12)
    assert wall["score"] == pytest.approx(36.25, rel=1e-12)
    assert wall["details"]["worst_window"] == [2025, 2027]
    assert wall["details"]["window_debt"] == pytest.approx(8.25e9, rel=1e-12)
    assert wall["details"]["window_means"] == pytest.approx(20e9, rel=1e-12)
    assert wall["rating"] == "BBB"  # 36.25 is in (30, 40]
    assert {"name": "debt_wall", "version": "0.1.0"} in report["provenance"]["plugins"]
    assert (
        "debt_wall: $5.0B of debt maturing after 2030, beyond the horizon, is left out"
        in report["warnings"]
    )


def test_explain_prints_its_method(installed: Installed) -> None:
    result = installed.run(RISKCORE, "explain", "debt_wall")
    assert result.returncode == 0, result.stderr
    assert "wall_ratio = max over windows W of ratio(W)" in result.stdout


def test_the_examples_own_tests_pass(installed: Installed) -> None:
    tests = installed.source / "tests"
    result = installed.run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert re.search(r"^\d+ passed in ", output, re.MULTILINE), output[-4000:]
    assert " skipped" not in output
    # In that environment the package is the installed one, not the copied sources.
    where = installed.run(sys.executable, "-c", "import riskcore_debt_wall as m; print(m.__file__)")
    assert Path(where.stdout.strip()).parent == installed.site / "riskcore_debt_wall"
