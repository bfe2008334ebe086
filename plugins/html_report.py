"""The `html` output format (`--format html`): the plugin that registers it.

The layout, its charts and templates live in `html_layout`, imported only when a page is
rendered: every `riskcore` command finds this plugin, and only `--format html` pays for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import riskcore


def render_html(reports: Sequence[Any], options: riskcore.RenderOptions) -> str:
    """The reports as one self-contained HTML5 page (see `html_layout.render_html`)."""
    from .html_layout import render_html as render

    return render(reports, options)


@riskcore.hookimpl
def riskcore_register_renderers(register: Callable[[str, Callable[..., str]], None]) -> None:
    """Register the `html` format."""
    register("html", render_html)
