"""The views' zoom in a link: the timeline's span of dates and the map's view.

A reader's zoom is state like a filter: it survives a selection or a filter
change and lives in the URL, so a link opens at the same zoom. It does not
narrow what is counted. This module knows nothing of HTTP or Streamlit; it
reads the parameters tolerantly (a bad value is dropped with a notice) and
writes them canonically (the default is left out).

- `span`: the timeline's dates. Absent: the busiest span (where most events
  are); `month` or `year`: the latest month or year shown; `all`: every
  event; `2025-01-01~2025-07-01`: those dates.
- `map`: the map's view. Absent: framed on the events' places; `all`: every
  place and route's origin; `26.5,52.0,29.5,55.5`: west, south, east, north
  edges in degrees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dashboard import daterange
from dashboard.linkwords import lower, one_of, pick, shown

SPAN_PARAM = "span"
MAP_PARAM = "map"
PARAMS = (SPAN_PARAM, MAP_PARAM)
SPAN_WORDS = ("month", "year", "all")
MAP_WORDS = ("all",)
SEP = "~"  # between a span's two dates: neither a comma (a list) nor a slash (escaped in links)


@dataclass(frozen=True)
class Zoom:
    """The zoom of the timeline and the map; None is each one's default."""

    span: str | None = None
    map: str | None = None


def parse_span(text: str) -> str:
    """The canonical form of a `span` value; ValueError says what is wrong with it."""
    if word := pick(text, SPAN_WORDS):  # a word in any case, as every choice in a link (dashboard.linkwords)
        return word
    text = text.strip()
    parts = text.split(SEP)
    if len(parts) != 2:
        raise ValueError(f"use {one_of(SPAN_WORDS)}, or two dates FROM{SEP}TO (YYYY-MM-DD{SEP}YYYY-MM-DD)")
    try:
        lo, hi = (date.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        raise ValueError(f"not two dates (use YYYY-MM-DD{SEP}YYYY-MM-DD)") from None
    if lo < daterange.EARLIEST or hi > daterange.LATEST:
        raise ValueError(f"outside {daterange.EARLIEST.year}–{daterange.LATEST.year}")
    if lo >= hi:
        raise ValueError(f"{lo} is not before {hi}")
    return f"{lo.isoformat()}{SEP}{hi.isoformat()}"


def span_dates(span: str | None) -> tuple[date, date] | None:
    """A span's two dates, or None for a word or the default."""
    if not span or span in SPAN_WORDS:
        return None
    lo, hi = span.split(SEP)
    return date.fromisoformat(lo), date.fromisoformat(hi)


def _day(value: str, up: bool) -> date:
    """A Plotly date-axis value ('2025-01-03 12:34:56.789') as a whole day, rounded down or up."""
    when = datetime.fromisoformat(value.strip().replace(" ", "T"))
    day = when.date()
    if up and when.time() != datetime.min.time() and day < date.max:
        return day + timedelta(days=1)
    return day


def span_of(lo: str, hi: str) -> str:
    """The span a reader zoomed to, from the axis range Plotly reports, in whole days (widened)."""
    a, b = _day(str(lo), up=False), _day(str(hi), up=True)
    a, b = max(a, daterange.EARLIEST), min(b, daterange.LATEST)
    if b <= a:
        b = a + timedelta(days=1)
    return parse_span(f"{a.isoformat()}{SEP}{b.isoformat()}")


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def parse_map(text: str) -> str:
    """The canonical form of a `map` value; ValueError says what is wrong with it."""
    if word := pick(text, MAP_WORDS):
        return word
    parts = text.strip().split(",")
    if len(parts) != 4:
        raise ValueError(f"use {one_of(MAP_WORDS)}, or four numbers west,south,east,north (degrees)")
    # Plain decimals only: Python's float() also reads other scripts' digits and "1_0".
    if not all(_DECIMAL.fullmatch(p.strip()) for p in parts):
        raise ValueError("not four numbers (west,south,east,north in degrees)")
    w, s, e, n = (float(p) for p in parts)
    if not all(math.isfinite(x) for x in (w, s, e, n)):
        raise ValueError("not four finite numbers")
    if not (-90 <= s < n <= 90):
        raise ValueError("south and north must be latitudes from -90 to 90, south first")
    if not (-360 <= w < e <= 360) or e - w > 360:
        raise ValueError("west and east must be longitudes, west first, at most 360° apart")
    return box_of(w, s, e, n)


def box_of(west: float, south: float, east: float, north: float) -> str:
    """A map view as the link writes it: the four edges to a thousandth of a degree (about 100 m),
    widened outwards, so the written box holds the whole view and is never empty."""

    def grid(x: float, up: bool) -> str:
        steps = round(x * 1000, 6)  # 55.3 * 1000 is 55299.999…: a value already on the grid stays
        return f"{(math.ceil(steps) if up else math.floor(steps)) / 1000:.3f}".rstrip("0").rstrip(".")

    w, s, e, n = grid(west, False), grid(south, False), grid(east, True), grid(north, True)
    # A view thinner than the grid (both edges on one line) keeps one step of it.
    e = e if float(e) > float(w) else grid(float(w) + 0.001, True)
    n = n if float(n) > float(s) else grid(float(s) + 0.001, True)
    return ",".join((w, s, e, n))


def map_box(view: str | None) -> tuple[float, float, float, float] | None:
    """A view's (west, south, east, north), or None for a word or the default."""
    if not view or view in MAP_WORDS:
        return None
    w, s, e, n = (float(x) for x in view.split(","))
    return w, s, e, n


def from_query(params: Mapping[str, str | list[str]]) -> tuple[Zoom, list[str]]:
    """The zoom a link asks for, and a notice for each value dropped."""
    notices: list[str] = []
    out: dict[str, str] = {}
    for key, parse in ((SPAN_PARAM, parse_span), (MAP_PARAM, parse_map)):
        raw = params.get(key)
        if not raw:
            continue
        given = [raw] if isinstance(raw, str) else [v for v in raw if v]
        if not given:
            continue
        value = given[-1]
        earlier = [v for v in dict.fromkeys(given[:-1]) if lower(v) != lower(value)]
        if earlier:  # one notice however many: a link of 900 map values says so once
            what = (
                f"{key} {shown(earlier[0])}"
                if len(earlier) == 1
                else f"{len(earlier):,} earlier {key} values ({shown(earlier[0])}, …)"
            )
            notices.append(f"Ignored {what}: a link holds one {key}; only the last one given is read")
        try:
            out[key] = parse(value)
        except ValueError as exc:
            notices.append(f"Ignored {key} {shown(value)}: {exc}")
    return Zoom(span=out.get(SPAN_PARAM), map=out.get(MAP_PARAM)), notices


def to_query(z: Zoom) -> dict[str, list[str]]:
    """The zoom's parameters, defaults left out."""
    out: dict[str, list[str]] = {}
    if z.span:
        out[SPAN_PARAM] = [z.span]
    if z.map:
        out[MAP_PARAM] = [z.map]
    return out
