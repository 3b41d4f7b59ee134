"""Events as JSON, CSV and GeoJSON — one shape, three encodings.

The JSON shape is the documented, stable one (docs/DATA.md, "Export"); CSV
flattens it one row per event; GeoJSON (RFC 7946, longitude first) has a Point
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
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard import escape, query
from dashboard.arrow import isin
from dashboard.engines import Engine
from dashboard.filters import Filters
from dashboard.model import INT_MEASURES, MEASURES, GeoPrecision
from dashboard.readers.corpus import Corpus, by_event
from dashboard.readers.corpus import records as records_of

FORMATS = ("json", "csv", "geojson")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "geojson": "application/geo+json"}


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


def records(corpus: Corpus, events: pd.DataFrame) -> list[dict[str, Any]]:
    """The export shape of each event, in the frame's order (the reference the engines' export matches)."""
    parts = by_event(corpus.participants[isin(corpus.participants["event"], events["id"])])
    srcs_frame = corpus.sources[isin(corpus.sources["event"], events["id"])]
    srcs = by_event(srcs_frame.assign(_i=srcs_frame.index, quote=corpus.quotes(srcs_frame)))
    out = []
    for ev in records_of(events):
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
            }
        )
    return out


# --- the engines' export: the same shape from three queries -----------------------------------

EXPORT_EVENTS = """
SELECT e.ord, e.id, e.kind, e.cameo, e.summary, e.start, e."end", e.precision, e.place, e.geo_precision,
       e.origin, e.attribution, e.certainty, e.dataset, e.coding, e.external_id, e.suspect,
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


def export_records(eng: Engine, f: Filters) -> list[dict[str, Any]]:
    """The export shape of every filtered event (docs/DATA.md, "Export"), from three queries."""
    w = query.where(f)
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
            }
        )
    return out


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


CSV_COLUMNS = [
    "id", "dataset", "coding", "external_id", "kind", "cameo", "summary",
    "date_start", "date_end", "date_precision", "participants", "participant_names",
    "place_id", "place_name", "place_country", "place_lat", "place_lon", "place_precision", "place_suspect",
    "origin_id", "origin_name", "origin_country", "origin_lat", "origin_lon", "origin_precision",
    "sources", "quotes", "source_urls", "attribution", "certainty", *MEASURES,
]  # fmt: skip


def to_csv(recs: list[dict[str, Any]]) -> str:
    """One row per event; lists joined with ' | ', sources as article:start-end."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in recs:
        row = {
            k: r[k]
            for k in ("id", "dataset", "coding", "external_id", "kind", "cameo", "summary", "attribution",
                      "certainty")
        }  # fmt: skip
        row |= {m: r["measures"].get(m) for m in MEASURES}
        row["place_suspect"] = (r["place"] or {}).get("suspect")
        row |= {f"date_{k}": v for k, v in r["date"].items()}
        row["participants"] = " | ".join(
            f"{p['id']} ({p['role']})" if p["role"] else p["id"] for p in r["participants"]
        )
        row["participant_names"] = " | ".join(p["name"] for p in r["participants"])
        for key in ("place", "origin"):
            for k in ("id", "name", "country", "lat", "lon", "precision"):
                row[f"{key}_{k}"] = (r[key] or {}).get(k)
        spans = [s for s in r["sources"] if s["article"] is not None]
        row["sources"] = " | ".join(f"{s['article']}:{s['start']}-{s['end']}" for s in spans)
        row["quotes"] = " | ".join(s["quote"] for s in spans)
        row["source_urls"] = " | ".join(s["url"] for s in r["sources"] if s["url"])
        w.writerow({k: escape.csv_cell(v) for k, v in row.items()})
    return buf.getvalue()


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
    return {"json": to_json, "csv": to_csv, "geojson": to_geojson}[fmt](recs)


def render(corpus: Corpus, events: pd.DataFrame, fmt: str) -> str:
    """The events in one of FORMATS."""
    return encode(records(corpus, events), fmt)
