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

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import daterange, folder, store
from dashboard.model import (
    CAMEO_CODE,
    DEFAULT_CODING,
    INT_MEASURES,
    MEASURES,
    TAXONOMY,
    Certainty,
    Coding,
    Dataset,
    GeoPrecision,
    Precision,
)
from dashboard.readers import bulk

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
    return con


def _register(con: duckdb.DuckDBPyConnection, c: Corpus, files: dict[str, list[tuple[str, Path]]],
              present: dict[str, set[str]]) -> None:  # fmt: skip
    """The bulk sections as views, and what they refer to (the catalog's ids, texts) as tables."""
    for section in SECTIONS:
        rel = _relation(section, files.get(section, []), present[section])
        con.execute(f"CREATE OR REPLACE VIEW bulk_{section} AS {rel}")
    kinds = [p.kind.value for p in c.places.values()]
    con.register("known_places", pa.table({"id": list(c.places), "kind": kinds}))
    con.register("known_actors", pa.table({"id": pa.array(list(c.actors), pa.string())}))
    lengths = [len(t) for t in c.texts.values()]
    con.register("texts", pa.table({"id": list(c.texts), "text": list(c.texts.values()), "len": lengths}))
    con.register("hand_ids", pa.table({"id": pa.array(c.events["id"].astype(str).tolist(), pa.string())}))


def _event_faults() -> str:
    roots = " ".join(f"WHEN {_lit(k)} THEN {_lit(v.cameo)}" for k, v in TAXONOMY.items())
    ints = " OR ".join(f"{_q(m)} < 0" for m in INT_MEASURES)
    lo, hi = _lit(daterange.EARLIEST.isoformat()), _lit(daterange.LATEST.isoformat())
    return f"""
    id IS NULL OR NOT regexp_matches(id, {_lit(bulk.ID_PATTERN)})
    OR id IN (SELECT id FROM hand_ids)
    OR kind IS NULL OR kind NOT IN ({_values(TAXONOMY)})
    OR {_blank("summary")} OR {_blank("attribution")}
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


def check(c: Corpus, files: dict[str, list[tuple[str, Path]]], spill: Path) -> Plan | None:
    """A plan to write the bulk sections as they are, or None when a row or a file needs the loader
    (which then names each problem)."""
    present = _plain(files)
    if present is None:
        return None
    spill.mkdir(parents=True, exist_ok=True)
    con = connect(spill)
    try:
        _register(con, c, files, present)
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
    return Plan(files, events)


def _events_sql() -> str:
    cols = ["id", "kind", "cameo", "summary", "precision", "start", "end", "place", "geo_precision", "origin",
            "attribution", "certainty", "note", "article", "dataset", "coding", "external_id", "suspect",
            *MEASURES]  # fmt: skip
    roots = " ".join(f"WHEN {_lit(k)} THEN {_lit(v.cameo)}" for k, v in TAXONOMY.items())
    coding = " ".join(f"WHEN {_lit(d.value)} THEN {_lit(x.value)}" for d, x in DEFAULT_CODING.items())
    # A NaN measure is missing, as the loader's nullable floats have it.
    measures = ", ".join(
        f"e.{_q(m)}" if m in INT_MEASURES else f"CASE WHEN NOT isnan(e.{_q(m)}) THEN e.{_q(m)} END AS {_q(m)}"
        for m in MEASURES
    )
    listed = ", ".join(_q(c) for c in cols)
    return f"""
    WITH first_article AS (
      SELECT event, first(article ORDER BY _fi, _row) AS article FROM bulk_sources GROUP BY event
    ), b AS (
      SELECT e.id, e.kind, coalesce(e.cameo, CASE e.kind {roots} END) AS cameo, e.summary, e.precision,
        e.start, e."end", e.place, coalesce(e.geo_precision, pk.kind) AS geo_precision, e.origin,
        e.attribution, e.certainty, e.note, fa.article, coalesce(e.dataset, 'curated') AS dataset,
        coalesce(e.coding, CASE coalesce(e.dataset, 'curated') {coding} END) AS coding,
        e.external_id, e.suspect, {measures}
      FROM bulk_events AS e
      LEFT JOIN known_places AS pk ON pk.id = e.place
      LEFT JOIN first_article AS fa ON fa.event = e.id
    ), every AS (
      SELECT {listed} FROM hand_events UNION ALL SELECT {listed} FROM b
    ), o AS (
      SELECT *, row_number() OVER (ORDER BY start ASC NULLS LAST, id) - 1 AS ord FROM every
    )
    SELECT o.ord, {", ".join(f"o.{_q(c)}" for c in cols)}, mp.point, mo.point AS origin_point,
      CASE WHEN o.start IS NULL THEN o.ord ELSE -1 - o.ord END AS sk,
      CASE WHEN mo.point <> mp.point THEN mo.point END AS route_from
    FROM o LEFT JOIN map_points AS mp ON mp.place = o.place LEFT JOIN map_points AS mo ON mo.place = o.origin
    ORDER BY o.ord
    """


def _participants_sql() -> str:
    return """
    SELECT ord, event, actor, role FROM hand_participants
    UNION ALL
    SELECT (SELECT count(*) FROM hand_participants) + row_number() OVER (ORDER BY _fi, _row) - 1,
      event, actor, role FROM bulk_participants
    ORDER BY ord
    """


def _sources_sql() -> str:
    return """
    SELECT ord, event, article, start, "end", NULL::VARCHAR AS quote, url, title, outlet, date
    FROM hand_sources
    UNION ALL
    SELECT (SELECT count(*) FROM hand_sources) + row_number() OVER (ORDER BY _fi, _row) - 1 AS ord,
      event, article, CASE WHEN article IS NOT NULL THEN start END AS start,
      CASE WHEN article IS NOT NULL THEN "end" END AS "end", NULL::VARCHAR AS quote,
      url, title, outlet, date
    FROM bulk_sources
    ORDER BY 1
    """


def _write_parquet(con: duckdb.DuckDBPyConnection, name: str, sql: str, target: Path,
                   texts: dict[str, str]) -> None:  # fmt: skip
    """A table as it streams out of DuckDB, written in the store's schema (`store.SCHEMAS`), batch
    by batch. A source's quote is cut from its article's text here: a Python string slices by code
    point in constant time, where SQL's substring walks the text from its start."""
    schema = store.SCHEMAS[name]
    with pq.ParquetWriter(target, schema, compression="zstd") as out:
        for batch in con.sql(sql).to_arrow_reader(store.ROW_GROUP):
            table = pa.Table.from_batches([batch])
            if name == "sources":
                spans = zip(*(batch.column(n).to_pylist() for n in ("article", "start", "end")), strict=True)
                quotes = pa.array(
                    [texts[a][s:e] if a is not None else None for a, s, e in spans], pa.string()
                )
                table = table.set_column(schema.get_field_index("quote"), "quote", quotes)
            out.write_table(table.cast(schema), row_group_size=store.ROW_GROUP)


def writer(plan: Plan) -> store.TableWriter:
    """A `store.build` writer of the planned bulk rows, with the corpus's own (hand-written) events."""

    def write(c: Corpus, into: Path) -> dict[str, int]:
        small = store.tables(c)  # the catalog's tables, and the hand-written events
        for name in ("actors", "places", "articles", "place_within", "map_points"):
            rows = store.ARTICLE_GROUP if name == "articles" else store.ROW_GROUP
            pq.write_table(small[name], into / f"{name}.parquet", compression="zstd", row_group_size=rows)
        total = plan.events + small["events"].num_rows
        hot = total > store.HOT_EVENTS
        spill = into / ".spill"  # inside the locked partial folder; removed before it is complete
        spill.mkdir(exist_ok=True)
        try:
            con = connect(spill, into / store.HOT if hot else ":memory:")
            try:
                present = _plain(plan.files)
                assert present is not None  # checked by `check`
                _register(con, c, plan.files, present)
                for name in ("events", "participants", "sources", "map_points"):
                    con.register(f"hand_{name}" if name != "map_points" else name, small[name])
                rows = {n: t.num_rows for n, t in small.items()}
                for name, query in (("events", _events_sql()), ("participants", _participants_sql()),
                                    ("sources", _sources_sql())):  # fmt: skip
                    target = into / f"{name}.parquet"
                    if hot and name != "sources":  # the hot table first, then its Parquet copy
                        con.execute(f"CREATE TABLE {name} AS {query}")
                        query = f"SELECT * FROM {name}"  # noqa: PLW2901
                    _write_parquet(con, name, query, target, c.texts)
                    rows[name] = pq.read_metadata(target).num_rows
                for name in ("hand_events", "hand_participants", "hand_sources", "map_points", "known_places",
                             "known_actors", "texts", "hand_ids"):  # fmt: skip
                    con.unregister(name)
                for section in SECTIONS:  # the views name the data folder's files: not kept in the store
                    con.execute(f"DROP VIEW IF EXISTS bulk_{section}")
            finally:
                con.close()
        finally:
            shutil.rmtree(spill, ignore_errors=True)
        return rows

    return write


def build(c: Corpus, files: dict[str, list[tuple[str, Path]]], out: Path | None = None) -> store.Store | None:
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
    return store.build(c, out, writer(plan))
