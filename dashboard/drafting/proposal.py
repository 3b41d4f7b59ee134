"""What a drafter proposes: the article's particulars (`Meta`) and one proposed event (`Proposal`).

Their own module so that an extractor and the pipeline after it (`extract`) can name them without
importing the drafter itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Meta:
    title: str
    publisher: str
    published: date
    url: str | None = None
    language: str = "en"
    id: str | None = None


@dataclass
class Proposal:
    id: str
    kind: str
    cameo: str
    summary: str
    date: str  # YYYY-MM-DD, YYYY-MM, YYYY or "unknown"
    until: str | None
    participants: list[dict[str, str]]
    place: str | None
    origin: str | None
    sources: list[dict[str, Any]]  # {quote, occurrence?, start, end}
    attribution: str
    certainty: str
    note: str
    sentence: int = 0  # the sentence it was drafted from (1-based; 0: an embedded post)
    confidence: float | None = None  # how much of it came from explicit words (drafting/confidence.py)

    @property
    def start(self) -> int:
        return self.sources[0]["start"]

    @property
    def end(self) -> int:
        return self.sources[0]["end"]
