"""Dates written in a sentence, resolved against the article's publication date only.

"on 21 June" takes the article's year (the year before, when that would fall after publication);
"in February 2025" is a month; "in 2020" a year; "yesterday" and "on Monday" count back from
publication. Nothing else sharpens a date: no outside knowledge, no guess.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from dashboard.drafting import lexicon as lx

WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    how: str  # what the note says about it


def _month(word: str) -> int:
    return lx.MONTHS[word.lower().rstrip(".")]


def _day_value(y: int | None, m: int, d: int, published: date) -> tuple[str, str] | None:
    year = y if y is not None else published.year
    try:
        when = date(year, m, d)
    except ValueError:
        return None
    if y is None and when > published:
        when, how = date(year - 1, m, d), "the year before the article's (the day is after publication)"
    else:
        how = "as written" if y is not None else "in the article's year"
    return when.isoformat(), how


def find(text: str, published: date, offset: int = 0) -> list[Found]:
    """Every date in `text`, in order, not overlapping; positions are offset into the article."""
    if not lx.DATE_HINT.search(text):
        return []
    out: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(a: int, b: int, value: str, how: str) -> None:
        taken.append((a, b))
        out.append(Found(offset + a, offset + b, value, f"“{text[a:b]}”, {how}"))

    for m in lx.DAY_MONTH.finditer(text):
        got = _day_value(int(m[3]) if m[3] else None, _month(m[2]), int(m[1]), published)
        if got and free(m.start(), m.end()):
            add(m.start(), m.end(), *got)
    for m in lx.MONTH_DAY.finditer(text):
        got = _day_value(int(m[3]) if m[3] else None, _month(m[1]), int(m[2]), published)
        if got and free(m.start(), m.end()):
            add(m.start(), m.end(), *got)
    for m in lx.MONTH_YEAR.finditer(text):
        if free(m.start(), m.end()):
            add(m.start(), m.end(), f"{int(m[2]):04d}-{_month(m[1]):02d}", "a month")
    for m in lx.MONTH_ALONE.finditer(text):
        if free(m.start(1), m.end(1)):
            mon = _month(m[1])
            year = published.year - (1 if mon > published.month else 0)
            how = "a month in the article's year" if year == published.year else "a month of the year before"
            add(m.start(1), m.end(1), f"{year:04d}-{mon:02d}", how)
    for m in lx.YEAR.finditer(text):
        if free(m.start(), m.end()):
            add(m.start(), m.end(), m[1], "a year")
    for m in lx.WEEKDAY.finditer(text):
        if free(m.start(), m.end()):
            back = (published.weekday() - WEEKDAYS[m[1].lower()]) % 7
            if m[0].lower().startswith("last") and back == 0:
                back = 7
            add(
                m.start(),
                m.end(),
                (published - timedelta(days=back)).isoformat(),
                "counted back from publication",
            )
    for m in lx.DAY_WORDS.finditer(text):
        if free(m.start(), m.end()):
            word = m[1].lower()
            if word == "last year":
                add(m.start(), m.end(), str(published.year - 1), "the year before publication")
            else:
                back = 1 if word in {"yesterday", "last night"} else 0
                add(
                    m.start(),
                    m.end(),
                    (published - timedelta(days=back)).isoformat(),
                    "counted from publication",
                )
    out.sort(key=lambda f: f.start)
    return out
