"""Events as JSON, CSV and GeoJSON — one shape, three encodings.

The JSON shape is the documented, stable one (docs/DATA.md, "Export"); CSV
flattens it one row per event; GeoJSON (RFC 7946, longitude first) has a Point
per placed event and a LineString per contact that travels (origin to place).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd

from dashboard import escape
from dashboard.arrow import isin
from dashboard.model import MEASURES, GeoPrecision
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
    from dashboard.query import measures, source_record  # noqa: PLC0415

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
