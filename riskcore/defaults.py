"""Find, overlay and validate configuration: the packaged defaults plus the user's file."""

from __future__ import annotations

import copy
import functools
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .config import Config
from .errors import ConfigError, ErrorItem
from .loading import LineMap, Problem, canonical_json, read_config_document, sha256_hex, validate

_PACKAGED = "configs/default.toml"


def default_config_path() -> Path:
    """The packaged `default.toml`; in a source checkout, the repository's `configs/` copy."""
    packaged = resources.files("riskcore").joinpath(_PACKAGED)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / _PACKAGED
    if checkout.is_file():
        return checkout
    raise ConfigError(None, [ErrorItem("", "riskcore's default.toml is missing from the install")])


def default_config_data() -> dict[str, Any]:
    """The defaults as plain data (a fresh copy: callers may change it)."""
    return copy.deepcopy(_parsed_defaults(default_config_path()))


@functools.lru_cache(maxsize=4)
def _parsed_defaults(path: Path) -> dict[str, Any]:
    # Every Engine reads the defaults (to overlay, and to know which sections are shipped):
    # parse the file once per process, not once per use.
    with path.open("rb") as fh:
        return tomllib.load(fh)


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Overlay `overlay` on `base`: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(
    source: str | Path | Mapping[str, Any] | Config | None = None,
) -> tuple[Config, dict[str, Any]]:
    """The effective config and its plain data: the defaults overlaid with `source`."""
    if isinstance(source, Config):
        return source, source.model_dump(mode="json")
    data = default_config_data()
    name: str | None = None
    lines: LineMap = {}
    problems: list[Problem] = []
    if isinstance(source, Mapping):
        data = merge(data, source)
    elif source is not None:
        name = str(source)
        document = read_config_document(Path(source))
        lines, problems = document.lines, document.problems
        data = merge(data, document.data)
    config = validate(Config, data, source=name, lines=lines, error=ConfigError, problems=problems)
    return config, data


def config_sha256(data: Mapping[str, Any]) -> str:
    """A stable hash of the effective config."""
    return sha256_hex(canonical_json(data))
