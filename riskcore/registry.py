"""Find, load and check plugins, isolating each one's failures.

Every Engine builds its own Registry with a fresh pluggy PluginManager: no global state.
Plugins come from the `riskcore` entry-point group (riskcore's own are "builtin"), from a
plugins directory, or from objects handed to the Engine. pluggy stops at the first exception
and does not say whose it was, so each step here runs per plugin and a failure is recorded
against that plugin, never raised.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pluggy
from pydantic import ValidationError

from . import hookspecs
from .entrypoints import GROUP, Distributions, riskcore_entry_points
from .errors import log_failure
from .metric import Metric, MetricConfig

ENV_ALLOW = "RISKCORE_LOAD_PLUGINS"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

Source = Literal["builtin", "entry point", "plugins dir", "library"]
Status = Literal["active", "disabled", "failed"]
Renderer = Callable[..., str]


@dataclass
class PluginInfo:
    """What `riskcore plugins` shows about one plugin."""

    name: str
    version: str | None
    source: Source
    status: Status = "active"
    error: str | None = None
    hooks: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    renderers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "hooks": list(self.hooks),
            "metrics": list(self.metrics),
            "renderers": list(self.renderers),
        }


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or registered, and why (one line)."""

    plugin: str
    stage: str
    message: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} failed at {self.stage}: {self.message}"


class RegisteredMetric(NamedTuple):
    cls: type[Metric]
    plugin: str


def one_line(exc: BaseException) -> str:
    """`ExcType: first line of the message`."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def parse_allow(value: str | None) -> frozenset[str] | None:
    """RISKCORE_LOAD_PLUGINS: unset = every plugin; "" = none; "a,b" = only those."""
    if value is None:
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


class Registry:
    """The plugins of one engine: their manager, their metrics and renderers, their failures."""

    def __init__(
        self,
        *,
        load_entrypoints: bool = True,
        allow: Iterable[str] | None = None,
        plugins: Sequence[object] = (),
        plugins_dir: str | Path | None = None,
    ) -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.failures: list[PluginFailure] = []
        self.metrics: dict[str, RegisteredMetric] = {}
        self.renderers: dict[str, tuple[Renderer, str]] = {}
        self._objects: dict[str, object] = {}
        allowed = None if allow is None else frozenset(allow)
        if load_entrypoints:
            self._load_entry_points(allowed)
        if plugins_dir is not None:
            self._load_directory(Path(plugins_dir))
        for obj in plugins:
            name = getattr(obj, "__name__", None) or type(obj).__name__
            self._add(str(name), obj, "library", getattr(obj, "__version__", None))
        self._collect_metrics()
        self._collect_renderers()

    # -- loading ---------------------------------------------------------------------------

    def _load_entry_points(self, allowed: frozenset[str] | None) -> None:
        dists = Distributions()
        found = sorted(
            riskcore_entry_points(),
            key=lambda ep: (not dists.is_builtin(ep), ep.name, ep.value),
        )
        for ep in found:
            builtin = dists.is_builtin(ep)
            source: Source = "builtin" if builtin else "entry point"
            version = dists.version(ep)
            if ep.name in self.plugins:
                self._fail(
                    PluginInfo(f"{ep.name} ({ep.value})", version, source),
                    "load",
                    f"another plugin is already called {ep.name!r}",
                )
                continue
            if not builtin and allowed is not None and ep.name not in allowed:
                self.plugins[ep.name] = PluginInfo(
                    ep.name, version, source, "disabled", f"not in {ENV_ALLOW}"
                )
                continue
            try:
                obj = ep.load()
            except Exception as exc:  # a plugin's import may raise anything
                log_failure(__name__, "entry point %s failed to load", ep.name)
                self._fail(PluginInfo(ep.name, version, source), "import", one_line(exc))
                continue
            self._add(ep.name, obj, source, version)

    def _load_directory(self, directory: Path) -> None:
        if not directory.is_dir():
            self._fail(PluginInfo(str(directory), None, "plugins dir"), "load", "not a directory")
            return
        tag = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:8]
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue
            info = PluginInfo(path.stem, None, "plugins dir")
            if path.stem in self.plugins:
                self._fail(info, "load", f"another plugin is already called {path.stem!r}")
                continue
            module_name = f"_riskcore_dir_{tag}_{path.stem}"
            try:
                spec = importlib.util.spec_from_file_location(module_name, path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                spec.loader.exec_module(module)
            except Exception as exc:  # a plugin's import may raise anything
                sys.modules.pop(module_name, None)
                self._fail(info, "import", one_line(exc))
                continue
            self._add(path.stem, module, "plugins dir", getattr(module, "__version__", None))

    def _add(self, name: str, obj: object, source: Source, version: object) -> None:
        info = PluginInfo(name, str(version) if version is not None else None, source)
        if name in self.plugins:
            self._fail(info, "register", f"another plugin is already called {name!r}")
            return
        try:
            self.pm.register(obj, name=name)
        except Exception as exc:  # pluggy's validation, or a name clash
            self._fail(info, "register", one_line(exc))
            return
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(obj)
            self._fail(info, "register", f"unknown hook: {exc}")
            return
        info.hooks = sorted(c.name for c in self.pm.get_hookcallers(obj) or [])
        self.plugins[name] = info
        self._objects[name] = obj

    def _fail(self, info: PluginInfo, stage: str, message: str) -> None:
        info.status, info.error = "failed", message
        self.plugins.setdefault(info.name, info)
        self.plugins[info.name] = info
        self.failures.append(PluginFailure(info.name, stage, message))
        self.metrics = {k: v for k, v in self.metrics.items() if v.plugin != info.name}
        self.renderers = {k: v for k, v in self.renderers.items() if v[1] != info.name}
        obj = self._objects.pop(info.name, None)
        if obj is not None and self.pm.is_registered(obj):
            self.pm.unregister(obj)

    # -- hooks, called per plugin ------------------------------------------------------------

    def call_each(self, hook: str, make_args: Callable[[str], dict[str, Any]]) -> None:
        """Call `hook` on each active plugin in turn; a raising plugin is marked failed."""
        caller = getattr(self.pm.hook, hook)
        impls = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        for name in list(self.plugins):
            impl = impls.get(name)
            if impl is None or self.plugins[name].status != "active":
                continue
            args = make_args(name)
            try:
                impl.function(*[args[a] for a in impl.argnames])
            except _Refused as exc:
                self._fail(self.plugins[name], hook, str(exc))
            except Exception as exc:  # a plugin's hook may raise anything
                log_failure(__name__, "plugin %s failed in %s", name, hook)
                self._fail(self.plugins[name], hook, one_line(exc))

    def _collect_metrics(self) -> None:
        def make_args(plugin: str) -> dict[str, Any]:
            def register(cls: type[Metric]) -> None:
                name = check_metric_class(cls)
                if name in self.metrics:
                    owner = self.metrics[name].plugin
                    raise _Refused(f"metric name {name!r} is already registered by {owner!r}")
                self.metrics[name] = RegisteredMetric(cls, plugin)
                self.plugins[plugin].metrics.append(name)

            return {"register": register}

        self.call_each("riskcore_register_metrics", make_args)

    def _collect_renderers(self) -> None:
        def make_args(plugin: str) -> dict[str, Any]:
            def register(name: str, render: Renderer) -> None:
                if not isinstance(name, str) or not _NAME.match(name) or not callable(render):
                    raise _Refused(
                        f"register(name, render) needs a snake_case name and a callable, got {name!r}"
                    )
                if name in self.renderers:
                    raise _Refused(
                        f"format {name!r} is already registered by {self.renderers[name][1]!r}"
                    )
                self.renderers[name] = (render, plugin)
                self.plugins[plugin].renderers.append(name)

            return {"register": register}

        self.call_each("riskcore_register_renderers", make_args)


class _Refused(Exception):
    """A registration the registry refuses; reported as the plugin's failure."""


def check_metric_class(cls: object) -> str:
    """Return the metric's name if `cls` honours the Metric contract, else raise _Refused."""
    if not (isinstance(cls, type) and issubclass(cls, Metric)):
        raise _Refused(f"register() takes a riskcore.Metric subclass, got {cls!r}")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise _Refused(f"{cls.__name__}.name must be a snake_case string, got {name!r}")
    title = getattr(cls, "title", None)
    if not isinstance(title, str) or not title.strip():
        raise _Refused(f"{cls.__name__}.title must be a non-empty string")
    weight = getattr(cls, "default_weight", None)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise _Refused(f"{cls.__name__}.default_weight must be in (0, 1], got {weight!r}")
    config = getattr(cls, "Config", None)
    if not (isinstance(config, type) and issubclass(config, MetricConfig)):
        raise _Refused(f"{cls.__name__}.Config must subclass riskcore.MetricConfig")
    try:
        config()
    except ValidationError as exc:
        raise _Refused(
            f"{cls.__name__}.Config defaults do not validate: {exc.errors()[0]['msg']}"
        ) from None
    if cls.score is Metric.score:
        raise _Refused(f"{cls.__name__} does not define score()")
    return name
