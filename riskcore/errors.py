"""Exceptions riskcore raises; each carries what a user needs to fix the input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorItem:
    """One problem in an input: where it is and what is wrong."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.location or "(document)"
        line = f" (line {self.line})" if self.line is not None else ""
        return f"{where}{line}: {self.message}"


class RiskcoreError(Exception):
    """Base class of every error riskcore raises on purpose."""


class InputError(RiskcoreError):
    """A portfolio or config file that cannot be used, with every problem found in it."""

    kind = "input"

    def __init__(self, source: str | None, errors: Sequence[ErrorItem]) -> None:
        self.source = source
        self.errors: list[ErrorItem] = list(errors)
        super().__init__(self.render())

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The problems as (location, message) pairs."""
        return [(e.location, e.message) for e in self.errors]

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.errors) == 1:
            return f"{head}{self.errors[0]}"
        lines = [f"{head}{len(self.errors)} problems in this {self.kind}:"]
        lines += [f"  - {e}" for e in self.errors]
        return "\n".join(lines)


class PortfolioError(InputError):
    """A portfolio that cannot be loaded or validated."""

    kind = "portfolio"


class ConfigError(InputError):
    """A configuration that cannot be loaded or validated."""

    kind = "config"


class UsageError(RiskcoreError):
    """A request that makes no sense (an unknown metric name, say)."""


class SkipMetric(RiskcoreError):
    """Raised by a metric whose inputs are absent, so it is reported as skipped, not failed."""


def close_matches(word: str, choices: Sequence[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices closest to `word`, for a "did you mean" in a message (difflib's measure).

    difflib is imported here, when a message needs it, not when riskcore starts.
    """
    import difflib

    return difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)


def log_failure(logger: str, message: str, *args: object) -> None:
    """Log the exception being handled, with its traceback, at debug level on `logger`.

    For a plugin's failure, which riskcore reports and survives; logging is imported here,
    when something fails, not when riskcore starts.
    """
    import logging

    logging.getLogger(logger).debug(message, *args, exc_info=True)
