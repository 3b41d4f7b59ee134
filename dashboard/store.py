"""The validated corpus as tables an engine queries: events, participants, sources, actors, places, articles.

Beside them, tables derived from them at build time: the views' aggregates
(`dashboard.aggregates`) and the stories (`dashboard.stories`: `stories`,
`story_events`, `corroboration`), listed together in AGGREGATES.

A store is a folder of Parquet tables, one per table below, written once per
version of the data: its name carries the data folder's fingerprint (every
data file's path, size and modification time), so any edit makes a new store
and the next build writes it, and the store's format (`FORMAT`, and `SCHEMA`,
a hash of the tables' schemas and the catalog's layout), so a store an older
release wrote is never read. Writing is atomic — a locked `.partial-*`
folder, flushed and renamed into place — and a build removes what it
replaces: partial folders left by a build that died, and older stores of the
same data folder, never another folder's.

Both engines read the same files: DuckDB (`dashboard.query`) embedded, and
Spark for deployments that outgrow one machine.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard import aggregates, catalog, folder, stories
from dashboard.model import INT_MEASURES, MEASURES
from dashboard.problems import DataError

if TYPE_CHECKING:
    from dashboard.readers.corpus import Corpus

# What the store's columns mean. Bump it when a meaning changes without the schema changing; a change
# of the tables' columns or types, or of the catalog's layout, is caught without a bump (SCHEMA below).
# 2: map points; 3: article texts, catalog.json; 4: step keys, route origins, hot.duckdb;
# 5: datasets, coding, external ids, full CAMEO codes, suspect places, measures, link sources
# 6: coding "draft" for curated events still `status: draft`; 7: place_cells (h3 cells of map points)
# and the aggregate tables (dashboard.aggregates); 8: imported events placed where a name is a
# data-folder actor's are suspect (readers/suspects.py); 9: imported places and actors that are curated
# ones are those (readers/reconcile.py); 10: stories, story_events, corroboration (dashboard.stories);
# 11: agg_points by CAMEO quad class (the map's clusters) and agg_pairs (the network); 12: the map
# counts stories: story_events' head and outlets, summed in agg_points; placeless records no longer
# bridge distant places; only http(s) links and named outlets are outlets (dashboard.stories);
# 13: hot.duckdb holds the aggregates too (dashboard.aggregates; not the stories')
FORMAT = 14
# A large store's events, participants and aggregates as DuckDB tables (compressed, zone maps).
HOT = "hot.duckdb"
ROW_GROUP = 65_536
ARTICLE_GROUP = 64
HOT_EVENTS = 200_000  # stores with more events than this get them; smaller ones are copied into memory
# The aggregates hot.duckdb holds as well: those of at most this many rows, which most views read
# (at 1M events the larger ones are the pairs' and the actors', read by the network and the actor
# lanes only, where they lie in Parquet), and the events' countries whatever their size (every
# query under a country filter reads them; from Parquet that query costs five times as much).
HOT_AGGREGATE_ROWS = 400_000
HOT_ALWAYS = ("event_countries",)
_S, _I, _F, _D = pa.string(), pa.int64(), pa.float64(), pa.date32()
# Every table's columns and types, as written: `tables` casts to these, and SCHEMA hashes them.
SCHEMAS: dict[str, pa.Schema] = {
    "events": pa.schema(
        [("ord", _I), *((c, _S) for c in ("id", "kind", "cameo", "summary", "precision")),
         ("start", _D), ("end", _D),
         *((c, _S) for c in ("place", "geo_precision", "origin", "attribution", "certainty", "note",
                             "article", "dataset", "coding", "external_id", "suspect")),
         *((m, _I if m in INT_MEASURES else _F) for m in MEASURES),
         ("point", _S), ("origin_point", _S), ("sk", _I), ("route_from", _S), ("eid", _I)]
    ),
    # `eid`: an event's number, given once as it enters the store (a build numbers the events in
    # their order, as `ord`; an append numbers its new ones after the largest) and never changed,
    # where `ord` moves when an append puts events before it. The participants carry their event's,
    # so the views join them to the events on an integer rather than on the id's string.
    "participants": pa.schema([("ord", _I), ("event", _S), ("actor", _S), ("role", _S), ("eid", _I)]),
    "sources": pa.schema(
        [("ord", _I), ("event", _S), ("article", _S), ("start", _I), ("end", _I), ("quote", _S), ("url", _S),
         ("title", _S), ("outlet", _S), ("date", _D)]
    ),
    "actors": pa.schema([(c, _S) for c in ("id", "name", "kind", "country")]),
    "places": pa.schema(
        [*((c, _S) for c in ("id", "name", "kind", "country", "parent")), ("lat", _F), ("lon", _F)]
    ),
    "articles": pa.schema(
        [("id", _S), ("title", _S), ("publisher", _S), ("published", _D), ("url", _S), ("language", _S),
         ("text", _S)]
    ),
    "place_within": pa.schema([("place", _S), ("within", _S)]),
    "map_points": pa.schema([("place", _S), ("point", _S)]),
    # The H3 hexagon holding each geocoded place (not a country: it is shaded whole) at each of
    # CELL_RES: the map clusters by it at scale.
    "place_cells": pa.schema([("place", _S), ("res", _I), ("cell", _S)]),
}  # fmt: skip
TABLES = tuple(SCHEMAS)
# H3 resolutions the map clusters by, coarse to fine (average hexagon edge 1,108, 419, 158, 60 km):
# zoomed out, places are counted per res-0 cell; zoomed in, per finer ones; then each place.
CELL_RES = (0, 1, 2, 3)
# The views' pre-grouped counts, and the stories (dashboard.stories), built from the tables above.
AGGREGATES = aggregates.NAMES + stories.NAMES
STORIES = stories.NAMES  # as long as the imported events: an engine reads them where they lie


def schema_fingerprint(
    schemas: dict[str, pa.Schema],
    catalog_layout: str,
    aggregates_sql: str = aggregates.fingerprint() + stories.fingerprint(),
) -> str:
    """A short hash of the tables' schemas, the catalog's layout and the aggregates' and stories'
    SQL: any change names a new format."""
    h = hashlib.sha256(b"contact-atlas store schema")
    for name, sch in schemas.items():
        h.update(f"{name}\0{sch.remove_metadata().to_string(show_field_metadata=False)}\n".encode())
    h.update(catalog_layout.encode())
    h.update(aggregates_sql.encode())
    return h.hexdigest()[:12]


# The format a store is taken as current by: the number above and the hash of what it holds,
# computed here from the definitions, so no schema change can leave an old store looking current.
SCHEMA = schema_fingerprint(SCHEMAS, catalog.layout())
STALE_PARTIAL_S = folder.STALE_PARTIAL_S
CATALOG = "catalog.json"  # the corpus's articles, actors, places, coordinates and problems
LOG = logging.getLogger(__name__)
# Given the folder a store is being written in, a runner of the aggregates' SQL over its tables.
Aggregator = Callable[[Path], aggregates.Runner]


@dataclass(frozen=True)
class Store:
    """A built store: its folder and the fingerprint of the data it was built from."""

    path: Path
    fingerprint: str
    events: int

    def table(self, name: str) -> Path:
        return self.path / f"{name}.parquet"


def map_points(corpus: Corpus) -> dict[str, str]:
    """Where each geocoded place is drawn on the map: a site inside a geocoded city is drawn at its city."""
    out = {}
    for pid in corpus.coords:
        p = corpus.places[pid]
        parent = corpus.places.get(p.parent) if p.parent else None
        up = parent is not None and parent.kind == "city" and parent.id in corpus.coords
        out[pid] = parent.id if up and p.kind == "site" else pid
    return out


def place_cells(coords: dict[str, object]) -> pa.Table:
    """Each place's H3 cell at every resolution of CELL_RES (coords: place -> its lat, lon)."""
    import h3  # noqa: PLC0415 - only a build needs it

    ids = list(coords)
    rows = [
        (pid, res, h3.latlng_to_cell(coords[pid].lat, coords[pid].lon, res))
        for res in CELL_RES
        for pid in ids
    ]
    return pa.table(
        {
            "place": _strings([r[0] for r in rows]),
            "res": pa.array([r[1] for r in rows], type=pa.int64()),
            "cell": _strings([r[2] for r in rows]),
        }
    )


def _strings(values: object) -> pa.Array:
    arr = np.asarray(values, dtype=object)
    return pa.array(arr, type=pa.string(), from_pandas=True)


def _column(values: pd.Series) -> pa.Array:
    """A frame's column as plain Arrow strings, decoded in Arrow (categoricals: by their codes)."""
    arr = pa.Array.from_pandas(values)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr if arr.type == pa.string() else pc.cast(arr, pa.string())


def _measure(values: pd.Series) -> pa.Array:
    """A measure column: int64 or float64, null where the source gives none."""
    arr = pa.Array.from_pandas(values)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(values), pa.int64() if values.dtype == "Int64" else pa.float64())
    if pa.types.is_floating(arr.type):  # NaN is no measure: missing, whichever way pandas kept it
        arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, arr.type), arr)
    return arr


def tables(corpus: Corpus) -> dict[str, pa.Table]:
    """The corpus as Arrow tables, in the store's schema (plain strings, dates, row order kept in `ord`)."""
    ev = corpus.events
    n = len(ev)

    def dates(col: str) -> pa.Array:
        return pa.array(ev[col].to_numpy(dtype="datetime64[D]"), type=pa.date32(), from_pandas=True)

    points = map_points(corpus)

    def point_of(col: str) -> pa.Array:
        # Where the map draws each event's place (or origin): precomputed, so no view joins for it.
        values = ev[col].astype("category") if ev[col].dtype != "category" else ev[col]
        cats = values.cat.categories
        lookup = np.asarray([points.get(str(x)) for x in cats] + [None], dtype=object)
        codes = values.cat.codes.to_numpy()
        return _strings(lookup[np.where(codes < 0, len(cats), codes)])

    point, origin_point = point_of("place"), point_of("origin")
    rows = np.arange(n, dtype=np.int64)
    events = pa.table(
        {
            "ord": pa.array(np.arange(n, dtype=np.int64)),
            **{c: _column(ev[c]) for c in ("id", "kind", "cameo", "summary", "precision")},
            "start": dates("start"),
            "end": dates("end"),
            **{
                c: _column(ev[c])
                for c in ("place", "geo_precision", "origin", "attribution", "certainty", "note", "article")
            },
            **{c: _column(ev[c]) for c in ("dataset", "coding", "external_id", "suspect")},
            **{c: _measure(ev[c]) for c in MEASURES},
            "point": point,
            "origin_point": origin_point,
            # The order a click steps through events: dated ones latest first, then the undated.
            "sk": pa.array(np.where(ev["start"].isna().to_numpy(), rows, -1 - rows), pa.int64()),
            # A contact's origin on the map, when it is another point than its place: the route's start.
            "route_from": pc.if_else(
                pc.not_equal(origin_point, point), origin_point, pa.nulls(n, pa.string())
            ),
            "eid": pa.array(rows),
        }
    )
    parts = corpus.participants
    eids = pd.Index(ev["id"].astype(str)).get_indexer(parts["event"].astype(str))
    participants = pa.table(
        {
            "ord": pa.array(np.arange(len(parts), dtype=np.int64)),
            "event": _column(parts["event"]),
            "actor": _column(parts["actor"]),
            "role": _column(parts["role"]),
            "eid": pa.array(eids.astype(np.int64), mask=eids < 0),
        }
    )
    srcs = corpus.sources
    link_only = srcs["start"].to_numpy(dtype=np.int64) < 0
    sources = pa.table(
        {
            "ord": pa.array(np.arange(len(srcs), dtype=np.int64)),
            "event": _column(srcs["event"]),
            "article": _column(srcs["article"]),
            "start": pa.array(srcs["start"].to_numpy(dtype=np.int64), mask=link_only),
            "end": pa.array(srcs["end"].to_numpy(dtype=np.int64), mask=link_only),
            "quote": _strings(corpus.quotes(srcs)),
            **{c: _column(srcs[c]) for c in ("url", "title", "outlet")},
            "date": pa.array(
                srcs["date"].to_numpy(dtype="datetime64[D]"), type=pa.date32(), from_pandas=True
            ),
        }
    )
    actors = pa.table(
        {
            "id": _strings(list(corpus.actors)),
            "name": _strings([a.name for a in corpus.actors.values()]),
            "kind": _strings([a.kind.value for a in corpus.actors.values()]),
            "country": _strings([a.country for a in corpus.actors.values()]),
        }
    )
    coords = corpus.coords
    places = pa.table(
        {
            "id": _strings(list(corpus.places)),
            "name": _strings([p.name for p in corpus.places.values()]),
            "kind": _strings([p.kind.value for p in corpus.places.values()]),
            "country": _strings([p.country for p in corpus.places.values()]),
            "parent": _strings([p.parent for p in corpus.places.values()]),
            "lat": pa.array(
                [coords[p].lat if p in coords else None for p in corpus.places], type=pa.float64()
            ),
            "lon": pa.array(
                [coords[p].lon if p in coords else None for p in corpus.places], type=pa.float64()
            ),
        }
    )
    within: list[tuple[str, str]] = []
    for pid in corpus.places:
        seen, at = set(), pid
        while at is not None and at in corpus.places and at not in seen:  # a cycle was reported at load
            within.append((pid, at))
            seen.add(at)
            at = corpus.places[at].parent
    place_within = pa.table(
        {"place": _strings([w[0] for w in within]), "within": _strings([w[1] for w in within])}
    )
    map_points_table = pa.table({"place": _strings(list(points)), "point": _strings(list(points.values()))})
    articles = pa.table(
        {
            "id": _strings(list(corpus.articles)),
            "title": _strings([a.title for a in corpus.articles.values()]),
            "publisher": _strings([a.publisher for a in corpus.articles.values()]),
            "published": pa.array([a.published for a in corpus.articles.values()], type=pa.date32()),
            "url": _strings([a.url for a in corpus.articles.values()]),
            "language": _strings([a.language for a in corpus.articles.values()]),
            "text": _strings([corpus.texts[a] for a in corpus.articles]),
        }
    )
    built = {
        "events": events, "participants": participants, "sources": sources, "actors": actors,
        "places": places, "articles": articles, "place_within": place_within, "map_points": map_points_table,
        "place_cells": place_cells({p: xy for p, xy in coords.items() if corpus.places[p].kind != "country"}),
    }  # fmt: skip
    # Written as declared: a column renamed, added or retyped here and not in SCHEMAS fails every build.
    return {name: built[name].cast(SCHEMAS[name]) for name in TABLES}


def location(root: Path, fingerprint: str) -> Path:
    """Where the store for this data folder, as it is now, lives (in the folder's cache)."""
    return folder.cache_dir(root) / f"store-{folder.root_key(root)}-{FORMAT}-{SCHEMA}-{fingerprint}"


def current(root: Path, fingerprint: str) -> Store | None:
    """The store built from this data folder as it is now, if there is one."""
    path = location(root, fingerprint)
    if not _complete(path, fingerprint):
        return None
    if not readable(path):
        discard(path)  # the next build writes it again
        return None
    return _open(path)


class StoreError(DataError):
    """A store could not be written (a full disk, a read-only cache folder); nothing of it was kept.

    `reason` says why in a few words, naming no path: what a reader of the dashboard is shown.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def build(
    corpus: Corpus,
    out: Path | None = None,
    aggregate: Aggregator | None = None,
    writer: TableWriter | None = None,
    keep: Path | None = None,
) -> Store:
    """Write the corpus's store, atomically, unless the store for this data is already there.

    Every file is written into a locked `.partial-*` folder and flushed to disk, and
    `store.json`, written last, marks the folder complete before it is renamed into
    place: a build killed, or stopped by a full disk or a read-only folder, leaves
    nothing a reader takes for a store. The failure raises `StoreError`, in one line.
    `aggregate`: how the aggregate tables' SQL runs over the written tables (default: DuckDB).
    `writer` writes the tables into the folder instead of `write_tables` (the bulk build in SQL,
    `dashboard.sqlbuild`, whose corpus holds only the hand-written events); an older store named
    `keep` is not swept (the one an append read, which readers may still have open).
    """
    fingerprint = corpus.fingerprint or folder.fingerprint(corpus.root)
    final = Path(out) if out is not None else location(corpus.root, fingerprint)
    if _complete(final, fingerprint) and readable(final):
        return _open(final)
    if out is not None and final.exists() and not _replaceable(final):
        raise StoreError(
            f"{final} is not a store and not empty: the store is written into a new or empty folder, "
            "or over an older store; nothing was written",
            "its folder holds other files",
        )
    try:
        _write(
            corpus,
            final,
            fingerprint,
            own=out is None,
            writer=writer or write_tables,
            keep=keep,
            aggregate=aggregate,
        )
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else (str(exc).strip().splitlines() or ["unknown"])[0]
        raise StoreError(
            f"cannot write the store in {final.parent}: {reason}; nothing of it was kept", reason
        ) from None
    return _open(final)


# Writes a store's tables (and hot.duckdb) into a folder; returns each table's rows.
TableWriter = Callable[["Corpus", Path], dict[str, int]]


def write_tables(corpus: Corpus, into: Path) -> dict[str, int]:
    """The corpus's tables (`tables`) as Parquet files in `into`, and hot.duckdb for a large store."""
    written = tables(corpus)
    for name, table in written.items():
        # Row groups of 64k rows: a query that names one article or event skips the others by
        # their statistics (rows are in date order, and an article's events are together).
        rows = ARTICLE_GROUP if name == "articles" else ROW_GROUP  # one text read, not thousands
        pq.write_table(table, into / f"{name}.parquet", compression="zstd", row_group_size=rows)
    if len(corpus.events) > HOT_EVENTS:
        write_hot(into / HOT, written["events"], written["participants"])
    return {name: t.num_rows for name, t in written.items()}


def _write(
    corpus: Corpus,
    final: Path,
    fingerprint: str,
    own: bool,
    writer: TableWriter,
    keep: Path | None = None,
    aggregate: Aggregator | None = None,
) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    # A dead build's partial folder goes, and this data folder's older stores; never another's.
    folder.sweep(
        final.parent,
        keep=final if keep is None else (final, keep),
        own_prefix=f"store-{folder.root_key(corpus.root)}" if own else None,
    )
    tmp, lock = folder.partial(final.parent)
    try:
        rows = writer(corpus, tmp)
        # The views' aggregates, from the tables just written (their SQL runs where the caller says).
        run = aggregate(tmp) if aggregate is not None else None
        # On an append (`keep`: the store appended to), only the stories its new events can touch.
        # First: the map's aggregates count each story on its head record (story_events.head).
        rows.update(stories.build(tmp, run, ROW_GROUP, base=keep))
        rows.update(aggregates.build(tmp, run, ROW_GROUP, base=keep))
        if (tmp / HOT).exists():
            write_hot_aggregates(tmp / HOT, tmp)
        (tmp / CATALOG).write_text(catalog.to_json(corpus), encoding="utf-8")
        # On disk before store.json says the folder is complete, so no crash leaves it complete and empty.
        for f in tmp.iterdir():
            _sync(f)
        # The data files it was built from, when they are still those the fingerprint names: what an
        # append (`dashboard.sqlbuild.append`) compares the folder with.
        files = folder.inputs(corpus.root)
        meta = {"format": FORMAT, "schema": SCHEMA, "fingerprint": fingerprint, "events": rows["events"],
                "data": str(corpus.root.resolve()),
                "inputs": files if folder.fingerprint_of(files) == fingerprint else None,
                # What opening checks, in one look at each file: its size, and each table's rows.
                "files": {f.name: f.stat().st_size for f in sorted(tmp.iterdir()) if f.name in _CHECKED},
                "rows": rows,
                # Imported places and actors written as curated ones (`readers.reconcile`): an append
                # checks they still are.
                "same_places": getattr(corpus, "same_places", {}),
                "same_actors": getattr(corpus, "same_actors", {})}  # fmt: skip
        # Written last: a folder with store.json is complete.
        (tmp / "store.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        _sync(tmp / "store.json")
        _sync(tmp)
        with folder.locked(final.parent):  # the look and the rename, one writer at a time
            if final.exists() and _complete(final, fingerprint) and readable(final):
                # Another process (a second replica, a second reader's build) wrote the same store
                # while this one was being written: it stays, since readers may be opening it.
                pass
            elif final.exists():  # an older or damaged store (`build` refused any other folder)
                old = final.with_name(f".partial-old-{os.getpid()}-{final.name}")
                final.rename(old)
                tmp.rename(final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                try:
                    tmp.rename(final)
                except OSError:  # a writer that took no lock (a file system without them) came first
                    if not _complete(final, fingerprint):
                        raise
        _sync(final.parent)
    finally:
        os.close(lock)
        shutil.rmtree(tmp, ignore_errors=True)


def _replaceable(path: Path) -> bool:
    """Whether a build may put a store at `path`: an empty folder, or a store (of any data or age)."""
    return path.is_dir() and ((path / "store.json").is_file() or not any(path.iterdir()))


def _sync(path: Path) -> None:
    """Flush a file's or a folder's contents to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some file systems cannot flush a folder; a file that cannot be flushed is an error.
        if not (path.is_dir() and exc.errno in (errno.EINVAL, errno.ENOTSUP, errno.EBADF)):
            raise
    finally:
        os.close(fd)


def write_hot(path: Path, events: pa.Table, participants: pa.Table) -> None:
    """The tables every view scans, as DuckDB's own (compressed, with zone maps): two to five times
    faster to scan than Parquet. Spark, and the other tables, read the Parquet files."""
    with _hot(path) as con:
        for name, table in (("events", events), ("participants", participants)):
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608 - fixed names
            con.unregister(f"{name}_arrow")


def write_hot_aggregates(path: Path, tables: Path) -> None:
    """The aggregates most views read (`hot_aggregates`) copied from their Parquet files in `tables`
    into hot.duckdb, replacing those an append's copy of its base's file holds.

    A server then reads them where they lie, compressed, through DuckDB's buffer pool, instead of
    copying each into memory as it opens the store: the copies cost a million-event store's first
    reader most of a second and the server some 80 MB for as long as it runs.
    """
    held = hot_aggregates(tables)
    with _hot(path) as con:
        for name in aggregates.NAMES:  # one the append made too large goes: the engine reads Parquet
            if name not in held:
                con.execute(f"DROP TABLE IF EXISTS {name}")
        for name in held:
            con.execute(
                f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet($path)",  # noqa: S608 - fixed names
                {"path": str(tables / f"{name}.parquet")},
            )


def hot_aggregates(tables: Path) -> list[str]:
    """The aggregates of the store's folder `tables` that hot.duckdb holds (HOT_AGGREGATE_ROWS)."""
    return [
        name
        for name in aggregates.NAMES
        if name in HOT_ALWAYS
        or pq.ParquetFile(tables / f"{name}.parquet").metadata.num_rows <= HOT_AGGREGATE_ROWS
    ]


@contextlib.contextmanager
def _hot(path: Path) -> Iterator[Any]:
    """hot.duckdb opened for writing; DuckDB's errors for what the file system said as that OSError."""
    import duckdb  # noqa: PLC0415

    try:
        con = duckdb.connect(str(path), config={"threads": 2})
        try:
            yield con
        finally:
            con.close()
    except duckdb.Error as exc:  # its own errors for what the file system said: as the OSError it was
        text = str(exc)
        code = next((n for n, why in _OS_ERRORS.items() if why in text), errno.EIO)
        raise OSError(code, os.strerror(code)) from exc


_OS_ERRORS = {errno.ENOSPC: "No space left on device", errno.EROFS: "Read-only file system",
              errno.EACCES: "Permission denied", errno.EDQUOT: "Disk quota exceeded"}  # fmt: skip


def _complete(path: Path, fingerprint: str) -> bool:
    try:
        meta = json.loads((path / "store.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (meta.get("format"), meta.get("schema"), meta.get("fingerprint")) == (FORMAT, SCHEMA, fingerprint)


_CHECKED = {*(f"{name}.parquet" for name in TABLES + AGGREGATES), CATALOG, HOT}


def readable(path: Path) -> bool:
    """Whether a complete store's files are all there and whole, checked per file, not per row.

    Each file has the size `store.json` records, and each table's Parquet footer
    reads and counts the rows recorded (a store written before sizes were recorded:
    its footers and its events). A store damaged on disk — truncated, a file
    removed — is not read: it is discarded and built again.
    """
    try:
        meta = json.loads((path / "store.json").read_text(encoding="utf-8"))
        sizes, rows = meta.get("files") or {}, meta.get("rows") or {}
        rows.setdefault("events", int(meta["events"]))
        for name, size in sizes.items():
            if (path / name).stat().st_size != size:
                raise ValueError(f"{name} is {(path / name).stat().st_size} bytes, not {size}")
        for name in TABLES + AGGREGATES:
            n = pq.read_metadata(path / f"{name}.parquet").num_rows
            if name in rows and n != rows[name]:
                raise ValueError(f"{name}.parquet holds {n} rows, not {rows[name]}")
        if not (path / CATALOG).is_file():
            raise ValueError(f"{CATALOG} is missing")
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        LOG.warning("the store %s cannot be read (%s); it is built again", path, exc)
        return False
    return True


def damaged(exc: BaseException, path: Path) -> bool:
    """Whether `exc` (or what caused it) says a file of the store at `path` cannot be read.

    A store's files pass `readable` when it opens, by size and row counts; bytes overwritten
    inside a DuckDB file (`HOT`), or a Parquet file a view reads where it lies, are found only
    by the query that reads them, as DuckDB's error: a corrupt block, or the file named.
    """
    seen: BaseException | None = exc
    for _ in range(8):  # the chain of causes, bounded
        if seen is None:
            return False
        text = str(seen)
        if type(seen).__module__.startswith(("duckdb", "_duckdb")) and (
            "Corrupt database file" in text or str(path) in text
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def discard(path: Path) -> None:
    """Remove a store that cannot be read: moved aside first, so no reader takes it for complete."""
    aside = path.with_name(f".partial-bad-{os.getpid()}-{path.name}")
    try:
        path.rename(aside)
    except OSError:  # gone already (another process discarded it), or not ours to move
        return
    shutil.rmtree(aside, ignore_errors=True)


def _open(path: Path) -> Store:
    meta = json.loads((path / "store.json").read_text(encoding="utf-8"))
    return Store(path, meta["fingerprint"], int(meta["events"]))


def read_catalog(s: Store) -> dict[str, object]:
    """The catalog's fields, as written beside the tables."""
    return catalog.from_json((s.path / CATALOG).read_text(encoding="utf-8"))
