"""Golden outputs: the reports of the example and of 2,000 generated books, pinned by hash.

Work that only makes riskcore faster must not change a byte of what it reports. A change that
means to move the numbers (a new metric, a new assumption) updates these hashes in the same
commit, and says why.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import riskcore
from riskcore.generate import generate_portfolios

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "configs" / "portfolios" / "openai-2025.yaml"

EXAMPLE_SHA256 = "603d1d9c095d92e0ee48036f6393fd01e6372d819ba7f10c5a712680dd25ec6b"
GENERATED_SHA256 = "4830a9e8bfb1c8dc1bec0a3654b3fd5dc1441853a4b54a6904933c62ab9c7cef"


def _hash(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def reports_of_generated(count: int = 2000, seed: int = 1) -> list[str]:
    """The JSON line of each report of `riskcore generate --count 2000 --seed 1`'s books."""
    engine = riskcore.Engine(allow=[])
    return [engine.score(book).to_json(indent=None) for book in generate_portfolios(count, seed)]


def test_the_example_report_is_byte_for_byte_what_it_was() -> None:
    report = riskcore.Engine(allow=[]).score(EXAMPLE)
    assert _hash([report.to_json()]) == EXAMPLE_SHA256


def test_the_reports_of_2000_generated_books_are_byte_for_byte_what_they_were() -> None:
    assert _hash(reports_of_generated()) == GENERATED_SHA256
