# ruff: noqa: S608 - the SQL here is built from fixed names and literals quoted by `_lit`
"""The bulk build in SQL: bulk events, participants and sources checked and copied where they lie.

`python -m dashboard build` on a folder of bulk Parquet reads everything small
as the loader does (YAML, bulk articles, actors and places: the catalog), and
leaves the three large sections to DuckDB: one query per section counts the
rows any of the loader's checks (`dashboard.readers.bulk`) would reject, over
the Parquet files directly, and when there are none the store's events,
participants and sources are written by DuckDB (`COPY … TO`), the hot tables
first for a large store. No event is ever a Python object, and DuckDB spills
to disk beyond its memory limit, so the build's memory does not grow with the
events.

The checks here are a superset of the loader's: a row they flag may still be
one the loader takes (text blank by a Unicode space, say), never the other way
round. Data with any flagged row, or a file whose column types the loader
converts (dates as text or timestamps, numbers as text), is built by the
loader instead (`check` returns None), which names every problem by file,
record and field and skips those rows; the store is the same either way, row
for row (tests/test_sqlbuild.py).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard import daterange, folder, store
from dashboard.model import (
    CAMEO_CODE,
    CONTROL_RE2,
    DEFAULT_CODING,
    INT_MEASURES,
    MEASURE_RANGES,
    MEASURES,
    TAXONOMY,
    Certainty,
    Coding,
    Dataset,
    GeoPrecision,
    Precision,
)
from dashboard.readers import bulk, suspects

if TYPE_CHECKING:
    import duckdb

    from dashboard.readers.corpus import Corpus

SECTIONS = ("events", "participants", "sources")
MEMORY = "1GB"  # DuckDB's memory for a build; it spills to the store's partial folder beyond it
THREADS = 2


@dataclass
class Plan:
    """Bulk files that passed every check, and the count of their events."""

    files: dict[str, list[tuple[str, Path]]]
    events: int
    base: Path | None = None  # an append: the store whose rows come first


def _kind(t: pa.DataType, want: str) -> bool:
    """Whether a Parquet column's type is one the SQL path takes as it is."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_null(t):
        return True
    if want == "date":
        return pa.types.is_date32(t)
    if want == "int":
        return pa.types.is_integer(t)
    if want == "float":
        return pa.types.is_integer(t) or pa.types.is_floating(t)
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _want(section: str, col: str) -> str:
    if col in bulk.DATES.get(section, ()):
        return "date"
    if section == "events" and col in MEASURES:
        return "int" if col in INT_MEASURES else "float"
    if section == "sources" and col in ("start", "end"):
        return "int"
    return "text"


SQL_TYPES = {"date": "DATE", "int": "BIGINT", "float": "DOUBLE", "text": "VARCHAR"}


def _plain(files: dict[str, list[tuple[str, Path]]]) -> dict[str, set[str]] | None:
    """Each section's columns present in some file, or None when a file's types need the loader."""
    present: dict[str, set[str]] = {s: set() for s in SECTIONS}
    for section, found in files.items():
        for _, path in found:
            sch = pq.read_schema(path)
            for f in sch:
                if not _kind(f.type, _want(section, f.name)):
                    return None
                present[section].add(f.name)
    return present


def _relation(section: str, files: list[tuple[str, Path]], present: set[str]) -> str:
    """SQL for a section's rows, every column in its type (absent ones null), with `_fi` and `_row`
    (the file's place in the loader's order, and the row in it, from 1)."""
    cols = [*bulk.REQUIRED[section], *bulk.OPTIONAL[section]]
    typed = ", ".join(
        f"CAST({_q(c) if c in present else 'NULL'} AS {SQL_TYPES[_want(section, c)]}) AS {_q(c)}"
        for c in cols
    )
    if not files:
        return f"SELECT {typed}, 0 AS _fi, 0 AS _row WHERE false"
    paths = ", ".join(_lit(str(p)) for _, p in files)
    index = " ".join(f"WHEN {_lit(str(p))} THEN {i}" for i, (_, p) in enumerate(files))
    return (
        f"SELECT {typed}, CASE filename {index} END AS _fi, file_row_number + 1 AS _row "
        f"FROM read_parquet([{paths}], union_by_name = true, filename = true, file_row_number = true)"
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _values(items: Iterable[Any]) -> str:
    return ", ".join(_lit(str(x)) for x in items)


def _blank(col: str) -> str:
    # Missing, or only spaces of any kind: a superset of the loader's trimmed-empty test.
    return rf"({col} IS NULL OR regexp_full_match({col}, '[\s\p{{Z}}\x{{85}}\x{{1c}}-\x{{1f}}]*'))"


def connect(spill: Path, path: Path | str = ":memory:") -> duckdb.DuckDBPyConnection:
    import duckdb  # noqa: PLC0415 - the build's engine, loaded when it runs

    con = duckdb.connect(str(path), config={"threads": THREADS, "memory_limit": MEMORY})
    con.execute("SET temp_directory = $d", {"d": str(spill)})
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    return con


def _register(con: duckdb.DuckDBPyConnection, c: Corpus, files: dict[str, list[tuple[str, Path]]],
              present: dict[str, set[str]], base: Path | None = None) -> None:  # fmt: skip
    """The bulk sections as views, and what they refer to (the catalog's ids, texts) as tables.

    With a `base` store (an append), the events before these are the base's, not the corpus's own."""
    for section in SECTIONS:
        rel = _relation(section, files.get(section, []), present[section])
        con.execute(f"CREATE OR REPLACE TEMP VIEW bulk_{section} AS {rel}")  # never kept in hot.duckdb
    # The rows name imported places and actors by their own ids, also those that are curated ones
    # (`readers.reconcile`): checked, given a precision and flagged by their own records, then renamed.
    places, actors = {**c.places, **c.merged_places}, {**c.actors, **c.merged_actors}
    kinds = [p.kind.value for p in places.values()]
    con.register("known_places", pa.table({"id": list(places), "kind": kinds}))
    con.register("known_actors", pa.table({"id": pa.array(list(actors), pa.string())}))
    for name, same in (("same_places", c.same_places), ("same_actors", c.same_actors)):
        con.register(
            name,
            pa.table(
                {
                    "id": pa.array(list(same), pa.string()),
                    "curated": pa.array(list(same.values()), pa.string()),
                }
            ),
        )
    # Places named like an actor (`readers.suspects`): the loader's rule, applied to the bulk rows here.
    reasons = suspects.place_reasons(places, actors)
    con.register(
        "place_suspects",
        pa.table(
            {
                "place": pa.array(list(reasons), pa.string()),
                "reason": pa.array(list(reasons.values()), pa.string()),
            }
        ),
    )
    lengths = [len(t) for t in c.texts.values()]
    con.register("texts", pa.table({"id": list(c.texts), "text": list(c.texts.values()), "len": lengths}))
    if base is None:
        con.register("hand_ids", pa.table({"id": pa.array(c.events["id"].astype(str).tolist(), pa.string())}))
    else:
        con.execute(
            f"CREATE TEMP VIEW hand_ids AS SELECT id FROM read_parquet({_lit(str(base / 'events.parquet'))})"
        )


def _event_faults() -> str:
    roots = " ".join(f"WHEN {_lit(k)} THEN {_lit(v.cameo)}" for k, v in TAXONOMY.items())
    # Outside its documented range (a NaN is missing, as the loader has it; an infinity is outside).
    ints = " OR ".join(
        f"coalesce(NOT (CASE WHEN isfinite({_q(m)}) OR isinf({_q(m)}) THEN {_q(m)} END)"
        f" BETWEEN {lo} AND {hi}, false)"
        if m not in INT_MEASURES
        else f"NOT {_q(m)} BETWEEN {int(lo)} AND {int(hi)}"
        for m, (lo, hi) in MEASURE_RANGES.items()
    )
    lo, hi = _lit(daterange.EARLIEST.isoformat()), _lit(daterange.LATEST.isoformat())
    return f"""
    id IS NULL OR NOT regexp_matches(id, {_lit(bulk.ID_PATTERN)})
    OR id IN (SELECT id FROM hand_ids)
    OR kind IS NULL OR kind NOT IN ({_values(TAXONOMY)})
    OR {_blank("summary")} OR {_blank("attribution")}
    OR regexp_matches(attribution, {_lit(CONTROL_RE2)})
    OR precision IS NULL OR precision NOT IN ({_values(p.value for p in Precision)})
    OR certainty IS NULL OR certainty NOT IN ({_values(x.value for x in Certainty)})
    OR geo_precision NOT IN ({_values(g.value for g in GeoPrecision)})
    OR place NOT IN (SELECT id FROM known_places) OR origin NOT IN (SELECT id FROM known_places)
    OR dataset NOT IN ({_values(d.value for d in Dataset)})
    OR coding NOT IN ({_values(x.value for x in Coding)})
    OR NOT regexp_matches(cameo, {_lit(CAMEO_CODE.pattern)})
    OR left(cameo, 2) <> CASE kind {roots} END
    OR {ints}
    OR (precision = 'unknown' AND start IS NOT NULL)
    OR (precision <> 'unknown' AND (start IS NULL OR "end" IS NULL))
    OR start < DATE {lo} OR start > DATE {hi} OR "end" < DATE {lo} OR "end" > DATE {hi}
    OR "end" < start
    OR (precision = 'month' AND day(start) <> 1)
    OR (precision = 'year' AND (month(start) <> 1 OR day(start) <> 1))
    """


def _source_faults() -> str:
    lo, hi = _lit(daterange.EARLIEST.isoformat()), _lit(daterange.LATEST.isoformat())
    return f"""
    s.event IS NULL OR s.event NOT IN (SELECT id FROM bulk_events)
    OR NOT regexp_matches(s.url, {_lit(bulk.URL_PATTERN)})
    OR (s.article IS NULL AND s.start IS NULL AND s.url IS NULL AND s.outlet IS NULL)
    OR (s.article IS NOT NULL AND t.id IS NULL)
    OR ((s.article IS NOT NULL OR s.start IS NOT NULL) AND (s.article IS NULL OR s.start IS NULL
        OR s."end" IS NULL OR s.start < 0 OR s."end" <= s.start OR s."end" > t.len))
    OR s.date < DATE {lo} OR s.date > DATE {hi}
    """


# A given quote must equal the text at its span: joined to the texts only for rows that give one.
QUOTES = """
SELECT count(*) FROM (SELECT * FROM bulk_sources WHERE quote IS NOT NULL AND article IS NOT NULL) AS s
JOIN texts AS t ON t.id = s.article
WHERE s.quote IS DISTINCT FROM substring(t.text, s.start + 1, s."end" - s.start)
"""


def check(
    c: Corpus, files: dict[str, list[tuple[str, Path]]], spill: Path, base: Path | None = None
) -> Plan | None:
    """A plan to write the bulk sections as they are, or None when a row or a file needs the loader
    (which then names each problem)."""
    present = _plain(files)
    if present is None:
        return None
    spill.mkdir(parents=True, exist_ok=True)
    con = connect(spill)
    try:
        _register(con, c, files, present, base)
        counts = con.execute(f"""
            SELECT
              (SELECT count(*) FROM bulk_events WHERE coalesce({_event_faults()}, false)),
              (SELECT count(*) - count(DISTINCT id) FROM bulk_events),
              (SELECT count(*) FROM bulk_participants WHERE event IS NULL OR actor IS NULL
                 OR event NOT IN (SELECT id FROM bulk_events) OR actor NOT IN (SELECT id FROM known_actors)),
              (SELECT count(*) FROM bulk_sources AS s LEFT JOIN (SELECT id, len FROM texts) AS t
                 ON t.id = s.article WHERE coalesce({_source_faults()}, false)),
              ({QUOTES}),
              (SELECT count(DISTINCT event) FROM bulk_participants),
              (SELECT count(DISTINCT event) FROM bulk_sources),
              (SELECT count(*) FROM bulk_events)
        """).fetchone()  # fmt: skip
    finally:
        con.close()
    events = int(counts[7])
    # With every row's event known and ids unique, an event named by no row is one fewer distinct event.
    if any(counts[:5]) or counts[5] != events or counts[6] != events:
        return None
    return Plan(files, events, base)


def _events_sql(only_new: bool = False) -> str:
    cols = ["id", "kind", "cameo", "summary", "precision", "start", "end", "place", "geo_precision", "origin",
            "attribution", "certainty", "note", "article", "dataset", "coding", "external_id", "suspect",
            *MEASURES]  # fmt: skip
    roots = " ".join(f"WHEN {_lit(k)} THEN {_lit(v.cameo)}" for k, v in TAXONOMY.items())
    coding = " ".join(f"WHEN {_lit(d.value)} THEN {_lit(x.value)}" for d, x in DEFAULT_CODING.items())
    # A NaN measure is missing, as the loader has it (DuckDB's isnan misses a NaN read from Parquet).
    measures = ", ".join(
        f"e.{_q(m)}"
        if m in INT_MEASURES
        else f"CASE WHEN isfinite(e.{_q(m)}) OR isinf(e.{_q(m)}) THEN e.{_q(m)} END AS {_q(m)}"
        for m in MEASURES
    )
    listed = ", ".join(_q(c) for c in cols)
    added = f"""
    WITH first_article AS (
      -- an event's first source row's article (null too): a hash aggregate, no sort
      SELECT event, arg_min_null(article, (_fi::BIGINT << 40) + _row) AS article
      FROM bulk_sources GROUP BY event
    ), b AS (
      SELECT e.id, e.kind, coalesce(e.cameo, CASE e.kind {roots} END) AS cameo, e.summary, e.precision,
        e.start, e."end", coalesce(sp.curated, e.place) AS place,
        coalesce(e.geo_precision, pk.kind) AS geo_precision, coalesce(so.curated, e.origin) AS origin,
        e.attribution, e.certainty, e.note, fa.article, coalesce(e.dataset, 'curated') AS dataset,
        coalesce(e.coding, CASE coalesce(e.dataset, 'curated') {coding} END) AS coding,
        e.external_id,
        coalesce(e.suspect,
                 CASE WHEN coalesce(e.dataset, 'curated') <> 'curated' THEN ps.reason END) AS suspect,
        {measures}
      FROM bulk_events AS e
      LEFT JOIN known_places AS pk ON pk.id = e.place
      LEFT JOIN place_suspects AS ps ON ps.place = e.place
      LEFT JOIN first_article AS fa ON fa.event = e.id
      LEFT JOIN same_places AS sp ON sp.id = e.place
      LEFT JOIN same_places AS so ON so.id = e.origin
    )"""
    if only_new:
        # The new rows alone, in the store's order among themselves, with their points: `_merged`
        # numbers them among the base store's rows, which are in that order already.
        return f"""{added}
    SELECT {", ".join(f"b.{_q(c)}" for c in cols)}, mp.point, mo.point AS origin_point,
      CASE WHEN mo.point <> mp.point THEN mo.point END AS route_from
    FROM b LEFT JOIN map_points AS mp ON mp.place = b.place LEFT JOIN map_points AS mo ON mo.place = b.origin
    ORDER BY b.start ASC NULLS LAST, b.id
    """
    return f"""{added}, every AS (
      SELECT {listed} FROM hand_events UNION ALL SELECT {listed} FROM b
    ), n AS (
      -- numbered on the two columns the order needs: a window over whole rows cannot spill to disk,
      -- and a month of GDELT's rows does not fit the build's memory
      SELECT id, row_number() OVER (ORDER BY start ASC NULLS LAST, id) - 1 AS ord FROM every
    ), o AS (
      SELECT n.ord, every.* FROM every JOIN n USING (id)
    )
    SELECT o.ord, {", ".join(f"o.{_q(c)}" for c in cols)}, mp.point, mo.point AS origin_point,
      CASE WHEN o.start IS NULL THEN o.ord ELSE -1 - o.ord END AS sk,
      CASE WHEN mo.point <> mp.point THEN mo.point END AS route_from, o.ord AS eid
    FROM o LEFT JOIN map_points AS mp ON mp.place = o.place LEFT JOIN map_points AS mo ON mo.place = o.origin
    ORDER BY o.ord
    """


def _merged(con: duckdb.DuckDBPyConnection, base: Path) -> tuple[pa.Table, int]:
    """An append's events: the base store's, already in the store's order (start, nulls last, then
    id), with the new ones merged in where that order puts them, and every row numbered again
    (`ord`, `sk`). The same rows in the same order as `_events_sql` numbers and sorts whole, without
    sorting the base's rows again: each new row's place among them is a binary search. Also how many
    rows come before the first new one: the base's, unchanged, `ord`s and all."""
    import numpy as np  # noqa: PLC0415

    schema = store.SCHEMAS["events"]
    old = pq.read_table(base / "events.parquet").cast(schema)
    new = con.sql(_events_sql(only_new=True)).to_arrow_table()
    nb, nn = old.num_rows, new.num_rows
    blank = pa.nulls(nn, pa.int64())
    # The new events' numbers follow the base's largest, in their own order; the base's stand.
    first = (pc.max(old["eid"]).as_py() if nb else -1) + 1
    new = new.add_column(0, "ord", blank).add_column(new.num_columns, "sk", blank)
    new = new.add_column(new.num_columns, "eid", pa.array(np.arange(first, first + nn, dtype=np.int64)))
    new = new.select(schema.names).cast(schema)

    def days(t: pa.Table) -> np.ndarray:  # a null start sorts last
        values = pc.fill_null(t["start"].cast(pa.int32()), np.iinfo(np.int32).max)
        return values.to_numpy()

    old_days, new_days = days(old), days(new)
    lo = np.searchsorted(old_days, new_days, "left")
    hi = np.searchsorted(old_days, new_days, "right")
    before = lo.astype(np.int64)  # base rows before each new row
    new_ids = np.asarray(new["id"].to_pylist(), dtype=object)
    # Within one start, rows go by id (ids are unique, an append's are not the base's): the new rows
    # of a start are consecutive (sorted alike), so one search per start among the base's rows of it.
    cuts = np.flatnonzero(np.diff(new_days)) + 1
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, nn], strict=True):
        if a == b or lo[a] == hi[a]:
            continue
        ids = np.asarray(old["id"].slice(int(lo[a]), int(hi[a] - lo[a])).to_pylist(), dtype=object)
        before[a:b] = lo[a] + np.searchsorted(ids, new_ids[a:b])
    at = before + np.arange(nn)  # each new row's place in the merged order
    taken = np.zeros(nb + nn, dtype=bool)
    taken[at] = True
    starts = np.flatnonzero(np.diff(taken.view(np.int8))) + 1  # runs of rows from one side
    if len(starts) < _RUNS:  # few runs (a day's rows after the store's on their days): sliced, not copied
        edges = np.r_[0, starts, nb + nn]
        new_before = np.r_[0, np.cumsum(taken)]  # new rows before each place
        parts = [
            new.slice(int(new_before[a]), int(b - a))
            if taken[a]
            else old.slice(int(a - new_before[a]), int(b - a))
            for a, b in itertools.pairwise(edges)
        ]
        merged = pa.concat_tables(parts)
    else:
        order = np.empty(nb + nn, dtype=np.int64)
        order[at] = nb + np.arange(nn)
        order[~taken] = np.arange(nb)
        merged = pa.concat_tables([old, new]).take(pa.array(order))
    ords = np.arange(nb + nn, dtype=np.int64)
    sk = np.where(merged["start"].is_null().to_numpy(zero_copy_only=False), ords, -1 - ords)
    merged = merged.set_column(0, "ord", pa.array(ords))
    return merged.set_column(schema.get_field_index("sk"), "sk", pa.array(sk)), int(at.min())


_RUNS = 10_000  # `_merged`: more runs of old and new rows than this are taken row by row


# The bulk rows of participants and sources, numbered after the hand-written (or the base's) ones.
_BULK_PARTICIPANTS = """
    SELECT (SELECT count(*) FROM hand_participants) + row_number() OVER (ORDER BY _fi, _row) - 1 AS ord,
      event, coalesce(sa.curated, actor) AS actor, role
    FROM bulk_participants LEFT JOIN same_actors AS sa ON sa.id = actor
"""
_BULK_SOURCES = """
    SELECT (SELECT count(*) FROM hand_sources) + row_number() OVER (ORDER BY _fi, _row) - 1 AS ord,
      event, article, CASE WHEN article IS NOT NULL THEN start END AS start,
      CASE WHEN article IS NOT NULL THEN "end" END AS "end", NULL::VARCHAR AS quote,
      url, title, outlet, date
    FROM bulk_sources
"""


def _participants_sql(events: str, only_new: bool = False, after: int = -1) -> str:
    """Every participant row in the store's order (the base's or hand-written ones first), or the new
    ones alone (an append's: they follow the base's, which `_appended` copies as they are), each
    with its event's `eid` from the store's written `events` (a table, or a Parquet file read):
    an append's new participants are of its new events, those numbered after `after`."""
    first = "" if only_new else "SELECT ord, event, actor, role FROM hand_participants UNION ALL"
    return f"""
    SELECT p.ord, p.event, p.actor, p.role, e.eid
    FROM ({first}{_BULK_PARTICIPANTS}) AS p
    LEFT JOIN (SELECT id, eid FROM {events} WHERE eid > {int(after)}) AS e ON e.id = p.event
    ORDER BY p.ord
    """


def _sources_sql(only_new: bool = False) -> str:
    """As `_participants_sql`, for the sources."""
    first = (
        ""
        if only_new
        else (
            'SELECT ord, event, article, start, "end", NULL::VARCHAR AS quote, url, title, outlet, date\n'
            "    FROM hand_sources UNION ALL"
        )
    )
    return f"{first}{_BULK_SOURCES}ORDER BY 1"


def _write_parquet(con: duckdb.DuckDBPyConnection, name: str, sql: str, target: Path,
                   texts: dict[str, str]) -> None:  # fmt: skip
    """A table as it streams out of DuckDB, written in the store's schema (`store.SCHEMAS`), batch
    by batch. A source's quote is cut from its article's text here: a Python string slices by code
    point in constant time, where SQL's substring walks the text from its start."""
    with pq.ParquetWriter(target, store.SCHEMAS[name], compression="zstd") as out:
        for table in _batches(con, name, sql, texts):
            out.write_table(table, row_group_size=store.ROW_GROUP)


def _batches(
    con: duckdb.DuckDBPyConnection, name: str, sql: str, texts: dict[str, str]
) -> Iterable[pa.Table]:
    """A query's rows batch by batch, in the store's schema, the sources' quotes cut from their texts."""
    schema = store.SCHEMAS[name]
    for batch in con.sql(sql).to_arrow_reader(store.ROW_GROUP):
        table = pa.Table.from_batches([batch])
        if name == "sources":
            spans = zip(*(batch.column(n).to_pylist() for n in ("article", "start", "end")), strict=True)
            quotes = pa.array([texts[a][s:e] if a is not None else None for a, s, e in spans], pa.string())
            table = table.set_column(schema.get_field_index("quote"), "quote", quotes)
        yield table.cast(schema)


def _appended(
    con: duckdb.DuckDBPyConnection, base: Path, name: str, texts: dict[str, str], written: str
) -> pa.Table:
    """An append's participants or sources: the base store's rows as they are (their `ord`s and the
    sources' quotes stand), then the new ones, numbered after them (`written`: the new store's
    events, as `_participants_sql` reads them)."""
    schema = store.SCHEMAS[name]
    old = pq.read_table(base / f"{name}.parquet").cast(schema)
    if name == "participants":
        events = pq.read_table(base / "events.parquet", columns=["eid"])["eid"]
        query = _participants_sql(written, only_new=True, after=pc.max(events).as_py() if len(events) else -1)
    else:
        query = _sources_sql(only_new=True)
    return pa.concat_tables([old, *_batches(con, name, query, texts)])


def update_derived(con: duckdb.DuckDBPyConnection, into: Path, base: Path | None) -> dict[str, int]:
    """The hook for tables derived from the events (`dashboard.aggregates`), called once the store's
    events, participants and sources are written into `into`.

    `con` holds them: the tables `events` and `participants` when the store is large (else the
    files in `into`), and the view `new_events`: the rows this write added (every event of a full
    build; only the appended ones, with their `ord` in the new store, when `base` is the store
    appended to). A derived table is updated from `new_events` and the base's copy, and written
    into `into` as `NAME.parquet`; return each written table's rows (they join store.json's
    `rows`). Nothing is derived here: the stories and the aggregates are written after the tables
    by `store.build`, which on an append (its `keep`) merges them with the base store's
    (`stories.build`'s `base`, `aggregates.grow`).
    """
    del con, into, base
    return {}


def writer(plan: Plan) -> store.TableWriter:
    """A `store.build` writer of the planned bulk rows, after the corpus's own (hand-written) events,
    or after a base store's rows (an append)."""

    def write(c: Corpus, into: Path) -> dict[str, int]:
        small = store.tables(c)  # the catalog's tables, and the hand-written events
        for name in (n for n in small if n not in ("events", "participants", "sources")):
            rows = store.ARTICLE_GROUP if name == "articles" else store.ROW_GROUP
            pq.write_table(small[name], into / f"{name}.parquet", compression="zstd", row_group_size=rows)
        before = small["events"].num_rows if plan.base is None else store._open(plan.base).events
        total = plan.events + before
        hot = total > store.HOT_EVENTS
        spill = into / ".spill"  # inside the locked partial folder; removed before it is complete
        spill.mkdir(exist_ok=True)
        try:
            # An append copies the base's hot tables and rewrites them from the first row that changes.
            reuse = hot and plan.base is not None and (plan.base / store.HOT).is_file()
            if reuse:
                shutil.copyfile(plan.base / store.HOT, into / store.HOT)
            con = connect(spill, into / store.HOT if hot else ":memory:")
            try:
                present = _plain(plan.files)
                assert present is not None  # checked by `check`
                _register(con, c, plan.files, present, plan.base)
                con.register("map_points", small["map_points"])
                for name in ("events", "participants", "sources"):
                    if plan.base is None:
                        con.register(f"hand_{name}", small[name])
                    else:
                        path = _lit(str(plan.base / f"{name}.parquet"))
                        con.execute(f"CREATE TEMP VIEW hand_{name} AS SELECT * FROM read_parquet({path})")
                rows = {n: t.num_rows for n, t in small.items()}
                # The events as written, which the participants take their events' numbers from.
                written = "events" if hot else f"read_parquet({_lit(str(into / 'events.parquet'))})"
                for name, query in (("events", _events_sql()), ("participants", _participants_sql(written)),
                                    ("sources", _sources_sql())):  # fmt: skip
                    target = into / f"{name}.parquet"
                    if plan.base is not None:  # the base's rows already in order: merged, or followed
                        if name == "events":
                            merged, same = _merged(con, plan.base)
                        else:
                            merged = _appended(con, plan.base, name, c.texts, written)
                            same = pq.read_metadata(plan.base / f"{name}.parquet").num_rows
                        if hot and name != "sources":
                            # The base's rows before the first that changes stay where they are; the
                            # rest go and come back after them, in order (a scan reads a table's rows
                            # in the order they were added).
                            con.register(f"merged_{name}", merged.slice(same) if reuse else merged)
                            if reuse:
                                con.execute(f"DELETE FROM {name} WHERE ord >= $n", {"n": same})
                                con.execute(f"INSERT INTO {name} SELECT * FROM merged_{name}")
                            else:
                                con.execute(f"CREATE TABLE {name} AS SELECT * FROM merged_{name}")
                            con.unregister(f"merged_{name}")
                        pq.write_table(merged, target, compression="zstd", row_group_size=store.ROW_GROUP)
                        rows[name] = merged.num_rows
                        del merged
                        continue
                    if hot and name != "sources":  # the hot table first, then its Parquet copy
                        con.execute(f"CREATE TABLE {name} AS {query}")
                        query = f"SELECT * FROM {name}"  # noqa: PLW2901
                    _write_parquet(con, name, query, target, c.texts)
                    rows[name] = pq.read_metadata(target).num_rows
                added = "SELECT id FROM bulk_events" + (
                    " UNION ALL SELECT id FROM hand_events" if plan.base is None else ""
                )
                con.execute(f"CREATE TEMP VIEW new_events AS SELECT * FROM {written} WHERE id IN ({added})")
                rows.update(update_derived(con, into, plan.base))
            finally:
                con.close()
        finally:
            shutil.rmtree(spill, ignore_errors=True)
        return rows

    return write


def build(
    c: Corpus,
    files: dict[str, list[tuple[str, Path]]],
    out: Path | None = None,
    aggregate: store.Aggregator | None = None,
) -> store.Store | None:
    """The store of the loaded catalog `c` and these bulk files, written in SQL; None when the loader
    must read them (a row it would reject, a column it converts)."""
    fingerprint = c.fingerprint
    final = Path(out) if out is not None else store.location(c.root, fingerprint)
    if store._complete(final, fingerprint) and store.readable(final):
        return store._open(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    spill, lock = folder.partial(final.parent)  # locked: no sweep takes it while the checks run
    try:
        plan = check(c, files, spill)
    finally:
        os.close(lock)
        shutil.rmtree(spill, ignore_errors=True)
    if plan is None:
        return None
    return store.build(c, out, aggregate, writer=writer(plan))


# Files an import rewrites whole when it adds a run (dashboard.readers.imports): an append takes
# them changed, as long as every record the base store holds is still there as it was.
REWRITTEN = (".actors.parquet", ".places.parquet")


def append(root: Path, allow_problems: bool = True) -> store.Store | None:
    """The store of the data folder as it is now, made from its last store and the bulk runs added
    since, without reading that store's data again; None when an append cannot make it (no earlier
    store recording its inputs, a file changed or removed, new rows the loader must name, a new
    run whose files the loader would read before older ones): then build.

    The new store is written beside the old one, as `store.build` writes any store, and renamed into
    place under the new data's fingerprint: a reader that opens the store before that finds the
    old one (its data's fingerprint), after it the new one, and never a mix. The old store is kept
    until the next write, so a reader that opened it keeps reading it whole.
    """
    c, files = corpus_mod().load_deferred(root)
    if c.errors and not allow_problems:
        return None  # the build lists them
    final = store.location(c.root, c.fingerprint)
    if store._complete(final, c.fingerprint) and store.readable(final):
        return store._open(final)
    base = _last_store(c.root, final)
    if base is None:
        return None
    meta = json.loads((base / "store.json").read_text(encoding="utf-8"))
    old, now = meta.get("inputs") or {}, folder.inputs(c.root)
    if c.fingerprint != folder.fingerprint_of(now):
        return None  # changing as it is read: a build deals with that
    changed = [rel for rel, stat in old.items() if now.get(rel) != stat]
    if any(not rel.endswith(REWRITTEN) for rel in changed):
        return None
    added = {rel for rel in now if rel not in old}
    new: dict[str, list[tuple[str, Path]]] = {}
    for section in SECTIONS:
        listed = files.get(section, [])
        fresh = [(rel, p) for rel, p in listed if rel in added]
        if fresh and any(rel not in added for rel, _ in listed[listed.index(fresh[0]) :]):
            return None  # a new run the loader reads before an older one: its rows would come first
        new[section] = fresh
    # An import's actors and places files are catalog, checked below like rewritten ones: a first
    # import into a new folder adds them beside its run.
    catalog = {rel for rel in added if rel.endswith(REWRITTEN)}
    if set(added) - catalog != {rel for section in SECTIONS for rel, _ in new[section]} or not new["events"]:
        return None  # anything but whole runs of bulk events (and their catalog): build
    if not _kept(base, store.tables(c)) or not _same_kept(base, meta, c):
        return None
    # A new actor named like a place the store has makes that place's older events suspect
    # (`readers.suspects`): rows an append does not rewrite, so build whole.
    known = set(pq.read_table(base / "actors.parquet", columns=["id"])["id"].to_pylist())
    places, actors = {**c.places, **c.merged_places}, {**c.actors, **c.merged_actors}
    before = suspects.place_reasons(places, {k: a for k, a in actors.items() if k in known})
    if suspects.place_reasons(places, actors) != before:
        return None
    spill, lock = folder.partial(final.parent)
    try:
        plan = check(c, new, spill, base)
    finally:
        os.close(lock)
        shutil.rmtree(spill, ignore_errors=True)
    if plan is None:
        return None
    return store.build(c, final, writer=writer(plan), keep=base)


def _last_store(root: Path, final: Path) -> Path | None:
    """This data folder's newest complete store of this format that records its inputs."""
    prefix = f"store-{folder.root_key(root)}-{store.FORMAT}-{store.SCHEMA}-"
    found = []
    for p in final.parent.glob(prefix + "*") if final.parent.is_dir() else ():
        try:
            meta = json.loads((p / "store.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("inputs") and store._complete(p, meta.get("fingerprint")) and store.readable(p):
            found.append(((p / "store.json").stat().st_mtime_ns, p))
    return max(found)[1] if found else None


def _kept(base: Path, now: dict[str, pa.Table]) -> bool:
    """Whether every place and map point of the base store is still there as it was (its events'
    points and implied precisions stand), and every actor its participants name."""
    for name, key in (("places", "id"), ("map_points", "place"), ("actors", "id")):
        before = pq.read_table(base / f"{name}.parquet")
        after = now[name]
        mine = after.filter(pc.is_in(after[key], value_set=before[key]))
        if mine.num_rows != before.num_rows or not mine.sort_by(key).equals(before.sort_by(key)):
            return False
    return True


def _same_kept(base: Path, meta: dict[str, Any], c: Corpus) -> bool:
    """Whether the imported places and actors the base store wrote as curated ones still are, and
    none it kept apart now is one (an actor code that met a new name, a curated place added)."""
    pairs = (("places", "same_places", c.same_places), ("actors", "same_actors", c.same_actors))
    for table, key, now in pairs:
        before = meta.get(key)
        if before is None or any(now.get(k) != v for k, v in before.items()):
            return False
        kept = pq.read_table(base / f"{table}.parquet", columns=["id"])["id"]
        if pc.any(pc.is_in(kept, value_set=pa.array(list(now), pa.string()))).as_py():
            return False
    return True


def corpus_mod():
    from dashboard.readers import corpus  # noqa: PLC0415

    return corpus
