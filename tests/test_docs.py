"""Docs that are executed: the plugin tutorial is built and installed, the embedding examples
run and type-check, and every hook is documented and tested."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import pip_install_target
from riskcore import hookspecs

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
RISKCORE = str(Path(sys.executable).with_name("riskcore"))
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"

_TITLED = re.compile(r'```(\w+) title="([^"]+)"\n(.*?)```', re.S)
_PYTHON = re.compile(r"```python\n(.*?)```", re.S)


def titled_blocks(page: Path) -> dict[str, str]:
    """{file name: content} of the code blocks that carry a title."""
    return {name: body for _, name, body in _TITLED.findall(page.read_text())}


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The tutorial's package, written from docs/plugins.md and really installed."""
    root = tmp_path_factory.mktemp("tutorial")
    package = root / "riskcore-short-lived"
    files = titled_blocks(DOCS / "plugins.md")
    assert sorted(files) == [
        "pyproject.toml",
        "riskcore_short_lived/__init__.py",
        "tests/test_short_lived.py",
    ]
    for name, body in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(body)
    site = root / "site"
    pip_install_target(package, site)
    env = {**os.environ, "PYTHONPATH": str(site), "RISKCORE_LOAD_PLUGINS": "short_lived"}
    return package, env


def run(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, check=False)


def test_tutorial_tests_pass(tutorial: tuple[Path, dict[str, str]]) -> None:
    package, env = tutorial
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], env, package
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_tutorial_plugin_is_listed_explained_and_scored(
    tutorial: tuple[Path, dict[str, str]],
) -> None:
    _, env = tutorial
    listing = json.loads(run([RISKCORE, "plugins", "--json"], env).stdout)
    entry = {p["name"]: p for p in listing}["short_lived"]
    assert (entry["source"], entry["status"], entry["metrics"]) == (
        "entry point",
        "active",
        ["short_lived"],
    )
    explained = run([RISKCORE, "explain", "short_lived"], env).stdout
    assert "Share of the remaining commitment value spent on short-lived assets." in explained
    report = json.loads(run([RISKCORE, "score", str(EXAMPLE), "--format", "json"], env).stdout)
    metric = {m["name"]: m for m in report["metrics"]}["short_lived"]
    # The page says: all of the example's remaining value is chips or cloud -> 100%, score 80.
    assert (metric["value"], metric["score"]) == (1.0, 80.0)
    assert metric["weight"] == pytest.approx(0.10 / 1.20)


def test_tutorial_config_error_names_the_key(
    tutorial: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = tutorial
    cfg = tmp_path / "c.toml"
    cfg.write_text('[metrics.short_lived]\nkind = ["chips"]\n')
    result = run([RISKCORE, "score", str(EXAMPLE), "--config", str(cfg)], env)
    assert result.returncode == 2
    assert "metrics.short_lived.kind" in result.stderr


def embedding_code() -> str:
    return "\n".join(_PYTHON.findall((DOCS / "embedding.md").read_text()))


def test_embedding_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("RISKCORE_LOAD_PLUGINS", raising=False)
    exec(compile(embedding_code(), "docs/embedding.md", "exec"), {})


def test_embedding_examples_pass_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    script = tmp_path / "embedding_example.py"
    script.write_text(embedding_code())
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        # mypy cannot follow setuptools' editable-install finder; point it at the checkout,
        # which is what a wheel install puts in site-packages (py.typed included).
        env={**os.environ, "MYPYPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


HOOKS = sorted(name for name in vars(hookspecs) if name.startswith("riskcore_"))


def test_hook_list_is_what_the_docs_cover() -> None:
    assert HOOKS == [
        "riskcore_register_commands",
        "riskcore_register_metrics",
        "riskcore_register_renderers",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_and_tested(hook: str) -> None:
    page = (DOCS / "plugins.md").read_text()
    assert f"#### `{hook}(" in page, f"{hook} has no reference section in docs/plugins.md"
    assert getattr(hookspecs, hook).__doc__, f"{hook} has no docstring"
    tests = [p for p in Path(__file__).parent.glob("test_*.py") if p.name != "test_docs.py"]
    assert any(hook in p.read_text() for p in tests), f"no test uses {hook}"


_OUTPUT = re.compile(r"<!-- output: (.+?) -->\n```\n(.*?)```", re.S)


def shown_outputs() -> list[tuple[str, str, str]]:
    """(page, command, output shown) for every block marked `<!-- output: COMMAND -->`."""
    return [
        (page.name, command, shown)
        for page in sorted(DOCS.glob("*.md"))
        for command, shown in _OUTPUT.findall(page.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize(("page", "command", "shown"), shown_outputs())
def test_shown_output_is_what_the_command_prints(page: str, command: str, shown: str) -> None:
    env = {**os.environ, "PATH": f"{Path(RISKCORE).parent}{os.pathsep}{os.environ['PATH']}"}
    env["RISKCORE_LOAD_PLUGINS"] = ""
    run = subprocess.run(
        command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip() == shown.rstrip(), f"{page}: `{command}` prints something else"


def test_pages_show_outputs() -> None:
    assert {page for page, _, _ in shown_outputs()} >= {"scenarios.md"}
