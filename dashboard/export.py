"""Events as JSON, CSV, XLSX and GeoJSON — one shape, four encodings.

The JSON shape is the documented, stable one (docs/DATA.md, "Export"); CSV and
XLSX are the newsroom's: one row per event in words, by date, with its article,
readable sources, trust and the share link (`news_rows`); GeoJSON (RFC 7946, longitude first) has a Point
per placed event and a LineString per contact that travels (origin to place).

The shape is this module's: `export_records` reads it from an engine in three
queries (over the filters' WHERE from `dashboard.query`), `records` builds the
same from a loaded corpus's frames (the tests' reference), and the details card
and the table show sources as `source_record` shapes them. This module imports
`query`, never the other way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from dashboard import escape, query, stories_query
from dashboard.arrow import isin
from dashboard.engines import Engine
from dashboard.filters import SET_PARAMS, Filters, link_params, to_query
from dashboard.model import (
    INT_MEASURES,
    MEASURES,
    TAXONOMY,
    TRUST_LABELS,
    GeoPrecision,
    Trust,
    cautions,
    trust,
)
from dashboard.readers.corpus import Corpus, by_event
from dashboard.readers.corpus import records as records_of

FORMATS = ("json", "csv", "geojson")
# The downloads: the three text formats and a spreadsheet beside the CSV.
DOWNLOADS = ("csv", "xlsx", "json", "geojson")
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _place(corpus: Corpus, pid: str | None, precision: str | None) -> dict[str, Any] | None:
    if pid is None:
        return None
    p = corpus.places[pid]
    c = corpus.coords.get(pid)
    return {
        "id": pid,
        "name": p.name,
        "country": p.country,
        "lat": c.lat if c else None,
        "lon": c.lon if c else None,
        "precision": precision or GeoPrecision(p.kind.value).value,
    }


def _iso(ts: Any) -> str | None:
    return None if pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


def records(
    corpus: Corpus,
    events: pd.DataFrame,
    stories: dict[str, str] | None = None,
    corroborations: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The export shape of each event, in the frame's order (the reference the engines' export matches).

    A loaded corpus has no stories (the store computes them): `stories` (event -> story) and
    `corroborations` (curated event -> story ids) give them when known."""
    stories, corroborations = stories or {}, corroborations or {}
    corroborating = {s for ids in corroborations.values() for s in ids}
    parts = by_event(corpus.participants[isin(corpus.participants["event"], events["id"])])
    srcs_frame = corpus.sources[isin(corpus.sources["event"], events["id"])]
    srcs = by_event(srcs_frame.assign(_i=srcs_frame.index, quote=corpus.quotes(srcs_frame)))
    out = []
    for ev in records_of(events):
        cited = list(dict.fromkeys(s["article"] for s in srcs.get(ev["id"], []) if s["start"] >= 0))
        eid = ev["id"]
        place = _place(corpus, ev["place"], ev["geo_precision"])
        if place is not None:
            place["suspect"] = ev["suspect"]
        out.append(
            {
                "id": eid,
                "dataset": ev["dataset"],
                "coding": ev["coding"],
                "external_id": ev["external_id"],
                "kind": ev["kind"],
                "cameo": ev["cameo"],
                "summary": ev["summary"],
                "date": {"start": _iso(ev["start"]), "end": _iso(ev["end"]), "precision": ev["precision"]},
                "participants": [
                    {
                        "id": p["actor"],
                        "name": corpus.actors[p["actor"]].name,
                        "kind": corpus.actors[p["actor"]].kind.value,
                        "country": corpus.actors[p["actor"]].country,
                        "role": p["role"],
                    }
                    for p in parts.get(eid, [])
                ],
                "place": place,
                "origin": _place(corpus, ev["origin"], None),
                "sources": [source_record(s) for s in srcs.get(eid, [])],
                "attribution": ev["attribution"],
                "certainty": ev["certainty"],
                "measures": measures(ev),
                **_trust_fields(ev, stories.get(eid) in corroborating),
                "articles": [
                    article_record(
                        {
                            "id": a,
                            "title": corpus.articles[a].title,
                            "publisher": corpus.articles[a].publisher,
                            "published": corpus.articles[a].published,
                            "url": corpus.articles[a].url,
                        }
                    )
                    for a in cited
                ],
                **_story_fields(ev, stories, corroborations),
            }
        )
    return out


def _story_fields(
    r: dict[str, Any], stories: dict[str, str], corroborations: dict[str, list[str]]
) -> dict[str, Any]:
    """`story`: an imported event's story id (null for a curated one); `corroborated_by`: the ids of
    the stories corroborating a curated event (empty for an imported one, or when none does)."""
    curated = r["dataset"] == "curated"
    return {
        "story": None if curated else stories.get(r["id"]),
        "corroborated_by": list(corroborations.get(r["id"], [])) if curated else [],
    }


# --- the engines' export: the same shape from three queries -----------------------------------

EXPORT_EVENTS = """
SELECT e.ord, e.id, e.kind, e.cameo, e.summary, e.start, e."end", e.precision, e.place, e.geo_precision,
       e.origin, e.attribution, e.certainty, e.note, e.dataset, e.coding, e.external_id, e.suspect,
       e.mentions, e.num_sources, e.num_articles, e.goldstein, e.tone, e.fatalities,
       pl.name AS place_name, pl.country AS place_country, pl.lat AS place_lat, pl.lon AS place_lon,
       pl.kind AS place_kind,
       og.name AS origin_name, og.country AS origin_country, og.lat AS origin_lat, og.lon AS origin_lon,
       og.kind AS origin_kind
FROM events AS e
LEFT JOIN places AS pl ON pl.id = e.place
LEFT JOIN places AS og ON og.id = e.origin
WHERE {where}
ORDER BY e.ord
"""
EXPORT_PARTICIPANTS = """
SELECT p.event, p.actor, a.name, a.kind, a.country, p.role
FROM participants AS p JOIN actors AS a ON a.id = p.actor
WHERE p.event IN (SELECT e.id FROM events AS e WHERE {where})
ORDER BY p.ord
"""
EXPORT_SOURCES = """
SELECT s.event, s.article, s.start, s."end", s.quote, s.url, s.title, s.outlet, s.date
FROM sources AS s
WHERE s.event IN (SELECT e.id FROM events AS e WHERE {where})
ORDER BY s.ord
"""
EXPORT_ARTICLES = """
SELECT a.id, a.title, a.publisher, a.published, a.url
FROM articles AS a
WHERE a.id IN (SELECT s.article FROM sources AS s WHERE s.start IS NOT NULL
               AND s.event IN (SELECT e.id FROM events AS e WHERE {where}))
"""


def _date_iso(d: dt.date | dt.datetime | None) -> str | None:
    if d is None:
        return None
    return (d.date() if isinstance(d, dt.datetime) else d).isoformat()


def _row_place(r: dict[str, Any], key: str, precision: str | None) -> dict[str, Any] | None:
    pid = r[key]
    if pid is None:
        return None
    return {
        "id": pid,
        "name": r[f"{key}_name"],
        "country": r[f"{key}_country"],
        "lat": r[f"{key}_lat"],
        "lon": r[f"{key}_lon"],
        "precision": precision or r[f"{key}_kind"],
    }


EXPORT_STORIES = """
SELECT se.event, se.story, s.curated > 0 AS corroborates
FROM story_events AS se JOIN stories AS s ON s.id = se.story
WHERE se.event IN (SELECT e.id FROM events AS e WHERE {where})
"""
EXPORT_CORROBORATION = """
SELECT k.event, k.story FROM corroboration AS k
WHERE k.event IN (SELECT e.id FROM events AS e WHERE {where})
ORDER BY k.event, k.story
"""


def export_records(eng: Engine, f: Filters) -> list[dict[str, Any]]:
    """The export shape of every filtered event (docs/DATA.md, "Export"), from five queries."""
    w = query.where(f)
    stories: dict[str, str] = {}
    corroborating: set[str] = set()
    for r in eng.rows(EXPORT_STORIES.format(where=w.sql), w.params):
        stories[r["event"]] = r["story"]
        if r["corroborates"]:
            corroborating.add(r["story"])
    corroborations: dict[str, list[str]] = {}
    for r in eng.rows(EXPORT_CORROBORATION.format(where=w.sql), w.params):
        corroborations.setdefault(r["event"], []).append(r["story"])
    parts: dict[str, list[dict[str, Any]]] = {}
    for p in eng.rows(EXPORT_PARTICIPANTS.format(where=w.sql), w.params):
        parts.setdefault(p["event"], []).append(
            {
                "id": p["actor"],
                "name": p["name"],
                "kind": p["kind"],
                "country": p["country"],
                "role": p["role"],
            }
        )
    srcs: dict[str, list[dict[str, Any]]] = {}
    for s in eng.rows(EXPORT_SOURCES.format(where=w.sql), w.params):
        srcs.setdefault(s["event"], []).append(source_record(s))
    arts = {a["id"]: article_record(a) for a in eng.rows(EXPORT_ARTICLES.format(where=w.sql), w.params)}
    out = []
    for r in eng.rows(EXPORT_EVENTS.format(where=w.sql), w.params):
        place = _row_place(r, "place", r["geo_precision"])
        if place is not None:
            place["suspect"] = r["suspect"]
        out.append(
            {
                "id": r["id"],
                "dataset": r["dataset"],
                "coding": r["coding"],
                "external_id": r["external_id"],
                "kind": r["kind"],
                "cameo": r["cameo"],
                "summary": r["summary"],
                "date": {
                    "start": _date_iso(r["start"]),
                    "end": _date_iso(r["end"]),
                    "precision": r["precision"],
                },
                "participants": parts.get(r["id"], []),
                "place": place,
                "origin": _row_place(r, "origin", None),
                "sources": srcs.get(r["id"], []),
                "attribution": r["attribution"],
                "certainty": r["certainty"],
                "measures": measures(r),
                **_trust_fields(r, stories.get(r["id"]) in corroborating),
                "articles": [
                    arts[a]
                    for a in dict.fromkeys(s["article"] for s in srcs.get(r["id"], []) if s["article"])
                ],
                **_story_fields(r, stories, corroborations),
            }
        )
    return out


def _trust_fields(r: dict[str, Any], corroborated: bool = False) -> dict[str, Any]:
    """The fields added for a reader's trust: the level (`corroborated`: an imported event in a
    story that corroborates a curated event), its cautions, the coder's note."""
    return {
        "trust": trust(r["dataset"], r["coding"], corroborated=corroborated).value,
        "cautions": cautions(r["coding"], r["suspect"], r["num_sources"], r["num_articles"]),
        "note": r["note"] or None,
    }


def article_record(a: dict[str, Any]) -> dict[str, Any]:
    """An article a source cites, as exported: what a newsroom credits."""
    return {
        "id": a["id"],
        "title": a["title"],
        "publisher": a["publisher"],
        "published": _date_iso(a["published"]),
        "url": a["url"] or None,
    }


def measures(r: dict[str, Any]) -> dict[str, int | float]:
    """The stream's measures an event carries (none for a curated one), in MEASURES order."""
    return {
        m: (int(r[m]) if m in INT_MEASURES else float(r[m]))
        for m in MEASURES
        if r[m] is not None and r[m] == r[m]  # not null, not NaN
    }


def source_record(s: dict[str, Any]) -> dict[str, Any]:
    """A source as exported: its span and quote, its link, or both (null where it has none)."""
    spanned = s["start"] is not None and s["start"] >= 0
    return {
        "article": s["article"] if spanned else None,
        "start": int(s["start"]) if spanned else None,
        "end": int(s["end"]) if spanned else None,
        "quote": s["quote"] if spanned else None,
        "url": s["url"],
        "title": s["title"],
        "outlet": s["outlet"],
        "date": _date_iso(s["date"]),
    }


SOURCES_OF = (
    'SELECT s.event, s.article, s.start, s."end", s.quote, s.url, s.title, s.outlet, s.date'
    " FROM sources AS s WHERE s.event IN (SELECT unnest($ids)) ORDER BY s.ord"
)


def sources_of(eng: Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    """These events' sources as exported: spans with their quotes, and links."""
    return (
        [{"event": s["event"], **source_record(s)} for s in eng.rows(SOURCES_OF, {"ids": list(ids)})]
        if len(ids)
        else []
    )


def export_text(eng: Engine, f: Filters, fmt: str) -> str:
    """The filtered events in one of FORMATS, as the engine reads them."""
    return encode(export_records(eng, f), fmt)


def to_json(recs: list[dict[str, Any]]) -> str:
    return json.dumps({"events": recs}, ensure_ascii=False, indent=2) + "\n"


def to_geojson(recs: list[dict[str, Any]]) -> str:
    """RFC 7946 FeatureCollection; events without coordinates are left out."""
    features = []
    for r in recs:
        props = {
            "event": r["id"],
            "dataset": r["dataset"],
            "coding": r["coding"],
            "external_id": r["external_id"],
            "kind": r["kind"],
            "cameo": r["cameo"],
            "summary": r["summary"],
            "date_start": r["date"]["start"],
            "date_end": r["date"]["end"],
            "date_precision": r["date"]["precision"],
            "participants": [p["id"] for p in r["participants"]],
            "source_urls": [s["url"] for s in r["sources"] if s["url"]],
            "attribution": r["attribution"],
            "certainty": r["certainty"],
            "measures": r["measures"],
            "trust": r["trust"],
            "cautions": r["cautions"],
            "story": r["story"],
            "corroborated_by": r["corroborated_by"],
        }
        place, origin = r["place"], r["origin"]
        if place and place["lat"] is not None:
            features.append(
                {
                    "type": "Feature",
                    "id": r["id"],
                    "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
                    "properties": props
                    | {
                        "role": "place",
                        "place": place["id"],
                        "precision": place["precision"],
                        "suspect": place["suspect"],
                    },
                }
            )
            if origin and origin["lat"] is not None:
                features.append(
                    {
                        "type": "Feature",
                        "id": f"{r['id']}/contact",
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[origin["lon"], origin["lat"]], [place["lon"], place["lat"]]],
                        },
                        "properties": props
                        | {"role": "contact", "origin": origin["id"], "place": place["id"]},
                    }
                )
    return (
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=2) + "\n"
    )


def encode(recs: list[dict[str, Any]], fmt: str) -> str:
    """Export records in one of FORMATS."""
    return {"json": to_json, "csv": to_news_csv, "geojson": to_geojson}[fmt](recs)


def render(corpus: Corpus, events: pd.DataFrame, fmt: str) -> str:
    """The events in one of FORMATS."""
    return encode(records(corpus, events), fmt)


# --- the newsroom's CSV and XLSX: one row per event, in words, by date ---------------------------

NEWS_COLUMNS = [
    "date", "date_end", "date_precision", "kind", "summary", "participants", "place", "place_country",
    "origin", "trust", "cautions", "dataset", "sources", "article_title", "article_publisher",
    "article_published", "article_url", "note", "attribution", "certainty", "id", "external_id", "cameo",
    "place_id", "place_lat", "place_lon", "place_precision", "origin_id", "origin_lat", "origin_lon",
    *MEASURES, "story", "corroborated_by", "share_link",
]  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
LINE = "\n"  # between the sources of one event, inside its cell: a spreadsheet wraps there


def day_words(iso: str | None) -> str | None:
    """'2025-06-21' → '21 June 2025' (English whatever the machine's locale)."""
    if not iso:
        return None
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _host(url: str | None) -> str | None:
    """A link's host; None for none, also for an address whose host cannot be read ("http://[::1")."""
    try:
        return (urllib.parse.urlsplit(url).hostname or None) if url else None
    except ValueError:
        return None


def readable_source(s: dict[str, Any], articles: dict[str, dict[str, Any]]) -> str:
    """'Euromaidan Press, 21 June 2025: “…”' for a quote; 'news.example.org, 21 June 2025: https://…'
    for a link."""
    a = articles.get(s["article"]) if s["article"] else None
    who = (a or {}).get("publisher") or s["outlet"] or _host(s["url"]) or "unnamed source"
    when = day_words((a or {}).get("published") or s["date"])
    head = f"{who}, {when}" if when else who
    if s["quote"] is not None:
        return f"{head}: “{s['quote']}”"
    return f"{head}: {s['url']}" if s["url"] else head


def _article_columns(r: dict[str, Any]) -> dict[str, Any]:
    """The event's article (its first cited one), or for a stream's event its first link."""
    if r["articles"]:
        a = r["articles"][0]
        return {"article_title": a["title"], "article_publisher": a["publisher"],
                "article_published": a["published"], "article_url": a["url"]}  # fmt: skip
    link = next((s for s in r["sources"] if s["url"] or s["outlet"]), None)
    if link is None:
        return {}
    return {"article_title": link["title"], "article_publisher": link["outlet"] or _host(link["url"]),
            "article_published": link["date"], "article_url": link["url"]}  # fmt: skip


def news_rows(recs: list[dict[str, Any]], link: str) -> list[dict[str, Any]]:
    """The rows of the newsroom's CSV and XLSX, by date (undated last), then the export's order."""
    order = sorted(range(len(recs)), key=lambda i: (recs[i]["date"]["start"] is None,
                                                     recs[i]["date"]["start"] or "", i))  # fmt: skip
    rows = []
    for r in (recs[i] for i in order):
        place, origin = r["place"] or {}, r["origin"] or {}
        articles = {a["id"]: a for a in r["articles"]}
        row: dict[str, Any] = {
            "date": r["date"]["start"], "date_end": r["date"]["end"],
            "date_precision": r["date"]["precision"],
            "kind": TAXONOMY[r["kind"]].label if r["kind"] in TAXONOMY else r["kind"],
            "summary": r["summary"],
            "participants": ", ".join(f"{p['name']} ({p['role']})" if p["role"] else p["name"]
                                      for p in r["participants"]),
            "place": place.get("name"), "place_country": place.get("country"), "origin": origin.get("name"),
            "trust": TRUST_LABELS[Trust(r["trust"])], "cautions": "; ".join(r["cautions"]),
            "dataset": r["dataset"],
            "sources": LINE.join(readable_source(s, articles) for s in r["sources"]),
            **_article_columns(r),
            "note": r["note"], "attribution": r["attribution"], "certainty": r["certainty"], "id": r["id"],
            "external_id": r["external_id"], "cameo": r["cameo"],
            "place_id": place.get("id"), "place_lat": place.get("lat"), "place_lon": place.get("lon"),
            "place_precision": place.get("precision"),
            "origin_id": origin.get("id"), "origin_lat": origin.get("lat"), "origin_lon": origin.get("lon"),
            **{m: r["measures"].get(m) for m in MEASURES},
            "story": r["story"], "corroborated_by": ", ".join(r["corroborated_by"]),
            "share_link": link,
        }  # fmt: skip
        rows.append(row)
    return rows


def to_news_csv(recs: list[dict[str, Any]], link: str = "") -> str:
    """The newsroom's CSV as text (the download adds the byte-order mark): NEWS_COLUMNS, every text
    cell that starts like a formula made text, the share link in the last column of every row."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, NEWS_COLUMNS, lineterminator="\r\n", restval=None)
    w.writeheader()
    for row in news_rows(recs, link):
        w.writerow({k: escape.csv_cell(v) for k, v in row.items()})
    return buf.getvalue()


# XLSX files hold a creation time; a fixed one makes the same filters give the same bytes.
XLSX_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, the header aside
COLUMN_WIDTHS = {"date": 11, "summary": 50, "participants": 36, "sources": 70, "note": 40, "place": 24}


def to_xlsx(recs: list[dict[str, Any]], link: str = "", filters_text: str = "") -> bytes:
    """The same rows as the CSV in a workbook: sheet "Events", and sheet "About" with the share link.

    Text is written as text, never as a formula or a link (XlsxWriter's conversions are off), so
    no cell needs the CSV's leading apostrophe.
    """
    import xlsxwriter  # noqa: PLC0415 - only the XLSX download needs it

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )  # fmt: skip
    book.set_properties({"title": "Contact Atlas events", "created": XLSX_CREATED.replace(tzinfo=None)})
    head, wrap = book.add_format({"bold": True}), book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Events")
    for c, name in enumerate(NEWS_COLUMNS):
        sheet.write_string(0, c, name, head)
        sheet.set_column(c, c, COLUMN_WIDTHS.get(name, 14), wrap if name in COLUMN_WIDTHS else None)
    rows = news_rows(recs, link)
    for i, row in enumerate(rows[:XLSX_MAX_ROWS], start=1):
        for c, name in enumerate(NEWS_COLUMNS):
            v = row[name]
            if v is None or v == "":
                continue
            if isinstance(v, int | float) and not isinstance(v, bool):
                sheet.write_number(i, c, v)
            else:
                sheet.write_string(i, c, str(v))
    sheet.freeze_panes(1, 0)
    about = book.add_worksheet("About")
    about.set_column(0, 0, 14)
    about.set_column(1, 1, 100)
    count = f"{len(recs):,}"
    if len(recs) > XLSX_MAX_ROWS:
        count += f" (the first {XLSX_MAX_ROWS:,} by date here: a sheet holds no more; the CSV holds all)"
    facts = (("Events", count), ("Filters", filters_text or "none: every event"), ("Share link", link))
    for i, (k, v) in enumerate(facts):
        about.write_string(i, 0, k, head)
        about.write_string(i, 1, v)
    book.close()
    return buf.getvalue()


# --- what a download is called and where it points -------------------------------------------------

NAME_PARTS_MAX = 80  # characters of filter values in a file name; the rest are counted
_UNSAFE = re.compile(r"[^a-z0-9]+")


def link_query(f: Filters) -> str:
    """The share link's query string: the filters that narrow (not the selection or the lanes)."""
    q = link_params(replace(f, event=None, lanes=Filters().lanes))
    return urllib.parse.urlencode(q, doseq=True, safe=",:")


def share_link(f: Filters, base: str | None = None) -> str:
    """The address that opens these filters: `base` (the app's address) with their query, or the query
    alone ('?actor=keith-kellogg') when no base is known."""
    q = link_query(f)
    base = (base or "").split("?", 1)[0].split("#", 1)[0]
    return f"{base}?{q}" if q else (base or "?")


def filters_text(f: Filters) -> str:
    """'actor: keith-kellogg; from: 2025-01-01', as the XLSX's About sheet says it."""
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in to_query(replace(f, event=None)).items()
                     if k != "lanes")  # fmt: skip


def file_name(f: Filters, fmt: str, day: dt.date) -> str:
    """'contact-atlas_keith-kellogg_2025-01-01_2025-12-31_2026-12-07.csv' (between USA and BLR:
    'contact-atlas_between-usa-blr_…'): the filters' values, their
    dates, and the day of the download; letters, digits, '-' and '_' only, and bounded in length."""
    named = [v for name in SET_PARAMS for v in sorted(getattr(f, name))]
    if f.between:
        named.insert(0, "between " + " ".join(f.between))
    values = [_UNSAFE.sub("-", v.lower()).strip("-") for v in named]
    values = [v for v in values if v]
    shown, used = [], 0
    for v in values:
        if used + len(v) + 1 > NAME_PARTS_MAX:
            shown.append(f"and-{len(values) - len(shown)}-more")
            break
        shown.append(v)
        used += len(v) + 1
    dates = [f.start.isoformat() if f.start else "start", f.end.isoformat() if f.end else "end"]
    parts = ["contact-atlas", *shown, *(dates if f.start or f.end else []), day.isoformat()]
    return "_".join(parts) + f".{fmt}"


def download(eng: Engine, f: Filters, fmt: str, link_base: str | None = None) -> bytes:
    """A download's bytes: what the Events page offers and `python -m dashboard export` writes.

    CSV is UTF-8 with a byte-order mark (so Excel reads curly quotes and dashes as such), the
    newsroom's columns, CRLF line ends; JSON and GeoJSON are UTF-8 without one.
    """
    recs = export_records(eng, f)
    link = share_link(f, link_base)
    if fmt == "xlsx":
        return to_xlsx(recs, link, filters_text(f))
    if fmt == "csv":
        return to_news_csv(recs, link).encode("utf-8-sig")
    return encode(recs, fmt).encode("utf-8")


# --- stories: one record per story (`python -m dashboard export --stories`) ---------------------

STORY_FORMATS = ("json", "csv")
STORY_MEASURES = ("mentions", "num_sources", "num_articles", "goldstein", "tone")
STORY_PLACES = (
    "SELECT p.id, p.name, p.kind, p.country, p.lat, p.lon FROM places AS p WHERE list_contains($ids, p.id)"
)


def story_export_records(eng: Engine) -> list[dict[str, Any]]:
    """Every story as exported (docs/DATA.md, "Stories"), by first date then id: its id, record ids,
    outlets, URLs, dates, place, actors, CAMEO root, combined measures and the curated events it
    corroborates."""
    rows = stories_query.all_stories(eng)
    ids = sorted({r["place"] for r in rows if r["place"]})
    places = {p["id"]: p for p in eng.rows(STORY_PLACES, {"ids": ids})} if ids else {}
    out = []
    for r in rows:
        p = places.get(r["place"])
        out.append(
            {
                "id": r["id"],
                "records": r["events"],
                "outlets": r["outlet_names"],
                "urls": r["url_list"],
                "date": {"first": _date_iso(r["first"]), "last": _date_iso(r["last"])},
                "place": None if p is None else {
                    "id": p["id"], "name": p["name"], "kind": p["kind"], "country": p["country"],
                    "lat": p["lat"], "lon": p["lon"],
                },
                "cameo_root": r["root"],
                "actors": [a for a in (r["actor1"], r["actor2"]) if a],
                "countries": sorted({c for c in (r["country1"], r["country2"]) if c}),
                "measures": {m: r[m] for m in STORY_MEASURES if r[m] is not None},
                "corroborates": r["corroborates"],
            }
        )  # fmt: skip
    return out


STORY_COLUMNS = [
    "id", "first", "last", "cameo_root", "actors", "countries", "place", "place_id", "place_country",
    "place_lat", "place_lon", "records", "record_ids", "outlets", "urls", *STORY_MEASURES, "corroborates",
]  # fmt: skip


def stories_text(eng: Engine, fmt: str) -> str:
    """Every story as JSON ({"stories": [...]}) or as CSV (one row a story, lists joined by a line
    break inside the cell, formula-like text guarded as in the events' CSV)."""
    recs = story_export_records(eng)
    if fmt == "json":
        return json.dumps({"stories": recs}, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=STORY_COLUMNS, lineterminator="\r\n")
    w.writeheader()
    for r in recs:
        p = r["place"] or {}
        row = {
            "id": r["id"], "first": r["date"]["first"], "last": r["date"]["last"],
            "cameo_root": r["cameo_root"],
            "actors": ", ".join(r["actors"]), "countries": ", ".join(r["countries"]), "place": p.get("name"),
            "place_id": p.get("id"), "place_country": p.get("country"), "place_lat": p.get("lat"),
            "place_lon": p.get("lon"), "records": len(r["records"]), "record_ids": LINE.join(r["records"]),
            "outlets": LINE.join(r["outlets"]), "urls": LINE.join(r["urls"]),
            **{m: r["measures"].get(m) for m in STORY_MEASURES},
            "corroborates": LINE.join(r["corroborates"]),
        }  # fmt: skip
        w.writerow({k: escape.csv_cell(v) for k, v in row.items()})
    return buf.getvalue()
