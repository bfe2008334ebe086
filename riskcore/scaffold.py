"""`riskcore new-plugin`: write a ready-to-install metric plugin package from templates.

The templates ship inside riskcore (`riskcore/templates/plugin`); the package they make has a
pyproject with the entry point, the metric module, a README, and tests that use riskcore's
pytest plugin, and its tests pass as generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from ._version import __version__
from .errors import UsageError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# (template, path in the package); {module} and {name} are filled in per plugin.
_FILES = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("README.md.tmpl", "README.md"),
    ("module.py.tmpl", "{module}/__init__.py"),
    ("tests/test_metric.py.tmpl", "tests/test_{name}.py"),
)


@dataclass(frozen=True)
class PluginNames:
    """Every spelling of one plugin's name."""

    name: str
    """The metric and entry-point name: `debt_wall`."""

    @property
    def dist(self) -> str:
        return "riskcore-" + self.name.replace("_", "-")

    @property
    def module(self) -> str:
        return "riskcore_" + self.name

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").capitalize()


def new_plugin(name: str, directory: Path) -> Path:
    """Write the package for metric `name` under `directory`; return the package's folder."""
    if not _NAME.match(name):
        raise UsageError(f"{name!r} is not a snake_case metric name (e.g. debt_wall)")
    names = PluginNames(name)
    target = directory / names.dist
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} already exists and is not empty; choose another --directory")
    values = {
        "name": names.name,
        "dist": names.dist,
        "module": names.module,
        "class_name": names.class_name,
        "title": names.title,
        "riskcore_version": __version__,
    }
    source = resources.files("riskcore").joinpath("templates", "plugin")
    for template, relative in _FILES:
        text = Template(source.joinpath(template).read_text(encoding="utf-8")).substitute(values)
        path = target / relative.format(module=names.module, name=names.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target
