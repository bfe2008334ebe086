"""Keep a metric's side effects out of the run: output it prints is caught, not shown.

A plugin that prints would corrupt `riskcore score --format json` on stdout. The first time a
metric runs, riskcore puts a pass-through guard in front of `sys.stdout` and `sys.stderr`:
writes go to the real stream unchanged, except from a thread that is inside a metric's
`score`, whose writes are collected so the engine can report the metric as failed. Swapping
the streams per call instead would not be thread-safe: another thread's output would be lost.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_local = threading.local()
_install_lock = threading.Lock()


class _GuardedStream:
    """Forwards everything to the stream it wraps, but catches writes of a guarded thread."""

    def __init__(self, wrapped: TextIO) -> None:
        self._wrapped = wrapped

    def write(self, text: str) -> int:
        caught: list[str] | None = getattr(_local, "caught", None)
        if caught is not None:
            caught.append(text)
            return len(text)
        return self._wrapped.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if getattr(_local, "caught", None) is None:
            self._wrapped.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def _install() -> None:
    """Put guards in front of the current sys.stdout and sys.stderr (once per stream object)."""
    with _install_lock:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if stream is not None and not isinstance(stream, _GuardedStream):
                setattr(sys, name, _GuardedStream(stream))


@contextmanager
def catch_output() -> Iterator[list[str]]:
    """Collect what this thread writes to sys.stdout or sys.stderr inside the block."""
    if not isinstance(sys.stdout, _GuardedStream) or not isinstance(sys.stderr, _GuardedStream):
        _install()
    caught: list[str] = []
    outer = getattr(_local, "caught", None)
    _local.caught = caught
    try:
        yield caught
    finally:
        _local.caught = outer
