"""The hooks a riskcore plugin may implement (pluggy project name: "riskcore")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("riskcore")
hookimpl = pluggy.HookimplMarker("riskcore")
"""Decorate your hook functions with this."""


@hookspec
def riskcore_register_metrics(register: Callable[[type[Any]], None]) -> None:
    """Register metric classes: call `register(MetricClass)` once per metric.

    Called once per Engine, when it loads plugins. A class whose name is taken, or that is not a
    `riskcore.Metric`, is recorded as a failure of the plugin that registered it.
    """


@hookspec
def riskcore_register_commands(cli: Any) -> None:
    """Add click commands to the `riskcore` CLI: `cli` is the click group (`cli.add_command`).

    Called when the CLI looks up a command it does not have built in, or lists its commands.
    """


@hookspec
def riskcore_register_renderers(register: Callable[[str, Callable[..., str]], None]) -> None:
    """Register output formats: `register(name, render)`.

    `render(reports, options)` takes a list of `riskcore.Report` and a `riskcore.RenderOptions`
    and returns the text to write; `riskcore score --format NAME` then uses it. Renderers must
    not compute: everything they show is in the reports.
    """
