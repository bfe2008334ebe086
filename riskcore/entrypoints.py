"""Find riskcore's entry points and tell riskcore's own from a third party's, without loading any.

Kept apart from the registry (which loads and checks plugins, and so imports the plugin API and
pydantic) so that `riskcore --help` can ask whether any plugin could add a command cheaply.
"""

from __future__ import annotations

from importlib import metadata

GROUP = "riskcore"


def riskcore_entry_points() -> list[metadata.EntryPoint]:
    """Every entry point of the `riskcore` group, in the order the environment lists them."""
    return list(metadata.entry_points(group=GROUP))


def only_builtin_plugins() -> bool:
    """True when every `riskcore` entry point is riskcore's own (none can add a command)."""
    dists = Distributions()
    return all(dists.is_builtin(ep) for ep in riskcore_entry_points())


def name_and_version(dist: metadata.Distribution) -> tuple[str, str]:
    """A distribution's Name and Version, read from the header of its metadata file.

    Both are required one-line fields at the top of METADATA (PKG-INFO for an egg-info), so
    the header lines before the first blank one hold them: no need to parse the whole file,
    long description and all, with the email parser (`Distribution.metadata`), which is what
    every `riskcore` command would otherwise pay at start-up. Anything unexpected falls back
    to that parser.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    found: dict[str, str] = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in found:
            found[key] = value.strip()
    if "Name" in found and "Version" in found:
        return found["Name"], found["Version"]
    data = dist.metadata
    return data["Name"], data["Version"]


class Distributions:
    """The name and version of each entry point's distribution, its metadata read once.

    The entry points of one distribution share one Distribution object: keyed by it, each
    plugin package's metadata header is read once (`name_and_version`), not once per
    entry point and question.
    """

    def __init__(self) -> None:
        self._facts: dict[int, tuple[str, str]] = {}

    def _of(self, ep: metadata.EntryPoint) -> tuple[str, str] | None:
        dist = ep.dist
        if dist is None:
            return None
        facts = self._facts.get(id(dist))  # the entry points keep their dist alive meanwhile
        if facts is None:
            facts = self._facts[id(dist)] = name_and_version(dist)
        return facts

    def is_builtin(self, ep: metadata.EntryPoint) -> bool:
        facts = self._of(ep)
        return facts is not None and facts[0] == "riskcore"

    def version(self, ep: metadata.EntryPoint) -> str | None:
        facts = self._of(ep)
        return facts[1] if facts is not None else None
