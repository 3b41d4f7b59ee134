"""Aggregate tables: the views' counts pre-grouped by the filters' dimensions, built with the store.

Each view of the Explorer (the summary line, the map's points, clusters and
routes, the timeline's bins and actor lanes, the network) reads a table here
instead of the events, so a new filter state costs a scan of thousands of groups, not of
millions of rows (the data-cube idea of Mosaic and of OLAP). The tables'
size depends on the dimensions, not on the events: at 1M synthetic events
(`python -m dashboard synth --events 1000000`), 300 map points, 10 kinds,
3000 actors and ten years of months:

    agg_events      kind, coding, dataset, certainty, placed, months    ~13k groups
    agg_points      + map point, CAMEO quad class; stories, outlets     ~311k (rollup ~9k)
    agg_routes      + route origin and place (contacts only)            ~141k (rollup ~30k)
    agg_actors      one row per participation, + actor                  ~830k (rollup ~74k)
    agg_pairs_actor + a pair of actors (an actor with itself: its       ~1.8M (rollup ~610k)
                    events); _country, _group: of countries, groups   ~0.8M, ~1.1M

The pairs of actors are the exception: 3000 actors make millions of pairs, so
their table grows with the events (the network's query groups it by pair,
a few hundred milliseconds at 1M events, against about a second from the rows).

Dates. An event is an interval start..end (a NULL is open); the date filter
keeps intervals that overlap it. Every table carries the month of the start
(`sm`) and of the end (`em`): a month-aligned filter is answered from them
exactly, and an unaligned one from the groups strictly inside plus the event
rows of the boundary months only (`dashboard.query`), which the events'
date order keeps cheap. The timeline's bin of an event, the month of
coalesce(start, end), is coalesce(sm, em). Each large table also has a
rollup without months (`*_all`), read when no date filter is set.

Not here, so answered from the event rows: the actor, country, place,
article and between filters (an event involves several actors and countries,
places include the places inside them, a contact between two sides pairs its
participants; at 1M synthetic events there are ~69k distinct country sets,
too many to be a dimension; the country filter reads `event_countries`, each
event's countries by its `ord`, not the joins), and the row lists (timeline
marks, latest events, stepping, article spans, one event), which
read the events in their stored order with a LIMIT.

The map counts stories (`dashboard.stories`) as well as records: agg_points
sums each record's `story_events.head` (1 on the one record that stands for
its story, 0 on the others; 1 for a record in no story) and `outlets` (the
story's outlets, on its head only), so the stories at a place and their
outlets roll up like the records, and the stories are built first.

The SQL below is DuckDB's dialect and the only definition: the store builds
the tables with DuckDB (`duckdb_runner`), or with any runner that takes this
SQL over the store's tables and returns Arrow (the command line's
`build --engine spark` transpiles it to Spark's). This module imports no
engine and nothing above the store.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Run one query over the store's tables (events, participants, … by those names) and return its rows.
Runner = Callable[[str], pa.Table]

MONTHS = (
    ("sm", "CAST(date_trunc('month', e.start) AS DATE)"),
    ("em", "CAST(date_trunc('month', e.\"end\") AS DATE)"),
)
DATED = ("dated", 'e."end" IS NOT NULL')
LAST_DATED = "max(CASE WHEN e.start IS NOT NULL THEN e.ord END)"
FILTERED = ("kind", "coding", "dataset", "certainty")  # the filters a table answers, besides dates


@dataclass(frozen=True)
class Cube:
    """One aggregate table: its rows (`source`, with `{where}` for a filter), dimensions and measures.

    `measures`: (name, expression over the rows, expression re-aggregating the
    groups as `c`). The table is grouped by `dims`, `dated` and the months;
    its rollup (`rollup`) by `dims` (and `dated`, with `rollup_dated`) only.
    """

    name: str
    source: str
    dims: tuple[tuple[str, str], ...]
    measures: tuple[tuple[str, str, str], ...]
    rollup: bool = False
    rollup_dated: bool = False  # whether the rollup keeps `dated` (the views that read it ask)

    def sql(self, where: str = "TRUE") -> str:
        """The groups of the rows `where` keeps (`TRUE`: the whole table, as stored)."""
        keys = [*self.dims, DATED, *MONTHS]
        cols = [f"{expr} AS {name}" for name, expr in keys]
        cols += [f"{expr} AS {name}" for name, expr, _ in self.measures]
        return (
            f"SELECT {', '.join(cols)} {self.source.format(where=where)}"
            f" GROUP BY {', '.join(expr for _, expr in keys)}"
        )

    @property
    def rollup_name(self) -> str:
        return f"{self.name}_all"

    def rollup_sql(self) -> str:
        """The table summed over the months: what a view without a date filter reads."""
        keys = [f"c.{n}" for n, _ in self.dims] + (["c.dated"] if self.rollup_dated else [])
        cols = [*keys, *(f"{again} AS {name}" for name, _, again in self.measures)]
        return f"SELECT {', '.join(cols)} FROM {self.name} AS c GROUP BY {', '.join(keys)}"  # noqa: S608 - fixed names


_COMMON = tuple((d, f"e.{d}") for d in FILTERED)
COUNT = ("n", "count(*)", "CAST(sum(c.n) AS BIGINT)")
LAST = ("last_ord", "max(e.ord)", "max(c.last_ord)")
LAST_DATED_M = ("last_dated", LAST_DATED, "max(c.last_dated)")

EVENTS = Cube(
    "agg_events",
    "FROM events AS e WHERE {where}",
    (*_COMMON, ("placed", "e.point IS NOT NULL")),
    (
        COUNT,
        ("first", "min(e.start)", "min(c.first)"),
        ("last", 'max(e."end")', "max(c.last)"),
        ("lo", 'min(coalesce(e.start, e."end"))', "min(c.lo)"),
        ("hi", 'max(coalesce(e.start, e."end"))', "max(c.hi)"),
    ),
)
# CAMEO's quad class of an event's code, as its root orders as text (NULL without a code): 01–05
# verbal cooperation, 06–08 material cooperation, 09–13 verbal conflict, 14–20 material conflict.
QUAD = (
    "CASE WHEN e.cameo < '06' THEN 1 WHEN e.cameo < '09' THEN 2 WHEN e.cameo < '14' THEN 3"
    " WHEN e.cameo >= '14' THEN 4 END"
)
# The stories a group holds and their outlets (`dashboard.stories`): a story counts once, on its head
# record (`story_events.head`, which alone carries the story's `outlets`); a record in no story (a
# curated event, a draft) is its own story of no outlets. Sums, so they roll up as `n` does.
STORY_HEADS = "LEFT JOIN story_events AS sh ON sh.event = e.id"
STORIES = ("stories", "CAST(sum(coalesce(sh.head, 1)) AS BIGINT)", "CAST(sum(c.stories) AS BIGINT)")
OUTLETS = ("outlets", "CAST(sum(coalesce(sh.outlets, 0)) AS BIGINT)", "CAST(sum(c.outlets) AS BIGINT)")
POINTS = Cube(
    "agg_points",
    f"FROM events AS e {STORY_HEADS} WHERE {{where}} AND e.point IS NOT NULL",
    (("point", "e.point"), ("quad", QUAD), *_COMMON),
    (COUNT, LAST, LAST_DATED_M, ("suspect", "count(e.suspect)", "CAST(sum(c.suspect) AS BIGINT)"), STORIES,
     OUTLETS),
    rollup=True,
)  # fmt: skip
ROUTES = Cube(
    "agg_routes",
    "FROM events AS e WHERE {where} AND e.route_from IS NOT NULL AND e.point IS NOT NULL",
    (("route_from", "e.route_from"), ("point", "e.point"), *_COMMON),
    (COUNT, LAST, LAST_DATED_M),
    rollup=True,
)
ACTORS = Cube(
    "agg_actors",
    "FROM events AS e JOIN participants AS p ON p.event = e.id WHERE {where}",
    (("actor", "p.actor"), *_COMMON),
    (
        COUNT,
        ("first_ord", "min(e.ord)", "min(c.first_ord)"),
        ("lo", 'min(coalesce(e.start, e."end"))', "min(c.lo)"),
        ("hi", 'max(coalesce(e.start, e."end"))', "max(c.hi)"),
    ),
    rollup=True,
    rollup_dated=True,
)
# Who meets whom, one table per kind of node: an actor, the actor's country, or a group (country
# and kind of actor). Each pairs an event's nodes, a node with itself too: (x, x) counts the events
# x takes part in, (x, y) with x < y those x and y both take part in. Two of an event's actors from
# one country are one node, so each group counts its distinct events.
NODES = {
    "actor": "p.actor",
    "country": "a.country",
    "group": "a.country || ':' || a.kind",  # NULL when the actor has no country
}


def _pairs(mode: str) -> Cube:
    node = NODES[mode]
    one, two = (node.replace("p.", f"p{i}.").replace("a.", f"a{i}.") for i in (1, 2))
    joins = "".join(
        f" JOIN participants AS p{i} ON p{i}.event = e.id"
        + (f" JOIN actors AS a{i} ON a{i}.id = p{i}.actor" if "a." in node else "")
        for i in (1, 2)
    )
    return Cube(
        f"agg_pairs_{mode}",
        f"FROM events AS e{joins} WHERE {{where}} AND {one} <= {two}",
        (("a", one), ("b", two), *_COMMON),
        (("n", "count(DISTINCT e.ord)", "CAST(sum(c.n) AS BIGINT)"),),
        rollup=True,
    )


PAIRS = {mode: _pairs(mode) for mode in NODES}
CUBES = (EVENTS, POINTS, ROUTES, ACTORS, *PAIRS.values())
# Each event's countries, once each: its participants' (their actors'), its place's and its origin's.
# Not a cube but an index: the country filter keeps the events whose `ord` it lists for a chosen
# country, one scan of two narrow columns instead of joining participants, actors and places.
EVENT_COUNTRIES = """
SELECT DISTINCT x.country, x.ord FROM (
    SELECT a.country, e.ord FROM events AS e
    JOIN participants AS p ON p.event = e.id JOIN actors AS a ON a.id = p.actor
    UNION ALL
    SELECT pl.country, e.ord FROM events AS e JOIN places AS pl ON pl.id = e.place
    UNION ALL
    SELECT pl.country, e.ord FROM events AS e JOIN places AS pl ON pl.id = e.origin
) AS x
WHERE x.country IS NOT NULL
"""
# Every table's name, and the SQL that builds it (rollups read their cube's table).
SQL: dict[str, str] = {}
for _c in CUBES:
    SQL[_c.name] = _c.sql()
    if _c.rollup:
        SQL[_c.rollup_name] = _c.rollup_sql()
SQL["event_countries"] = EVENT_COUNTRIES
NAMES = tuple(SQL)


def fingerprint() -> str:
    """A hash of the tables' SQL: a store built by other SQL is another format."""
    return hashlib.sha256("\n".join(f"{n}\0{s}" for n, s in SQL.items()).encode()).hexdigest()[:12]


def _canonical(table: pa.Table, spill: Path) -> pa.Table:
    """Plain string columns and rows sorted by every column: the same bytes from any runner.

    Sorted by DuckDB (two threads) rather than Arrow's `sort_by` (one): the same order, ascending
    and nulls last, in half the time on the aggregates of a million events (bench/RESULTS.md).
    """

    def plain(t: pa.DataType) -> pa.DataType:
        return pa.string() if pa.types.is_large_string(t) or pa.types.is_string_view(t) else t

    schema = pa.schema([pa.field(f.name, plain(f.type)) for f in table.schema])
    table = table.cast(schema)
    if table.num_rows < 2:
        return table
    con = _connect(spill)
    try:
        con.register("unsorted", table)
        order = ", ".join(f'"{n}" ASC NULLS LAST' for n in table.column_names)
        return con.sql(f"SELECT * FROM unsorted ORDER BY {order}").to_arrow_table().cast(schema)  # noqa: S608
    finally:
        con.close()


def build(folder: Path, run: Runner | None = None, row_group: int = 65_536) -> dict[str, int]:
    """Build every aggregate from the store's tables in `folder` and write them there as Parquet.

    `run`: how to run the SQL (default: DuckDB in this process). Returns each table's row count.
    """
    own = run is None
    con = None
    if own:
        con, run = duckdb_runner(folder)
    rows = {}
    try:
        for name, sql in SQL.items():
            if name.endswith("_all"):
                # A rollup sums its cube, which is written just before it: read back from Parquet.
                cube = name.removesuffix("_all")
                table = _rollup(folder / f"{cube}.parquet", sql, cube)
            else:
                table = run(sql)
            table = _canonical(table, folder / ROLLUP_SPILL)
            pq.write_table(table, folder / f"{name}.parquet", compression="zstd", row_group_size=row_group)
            rows[name] = table.num_rows
    finally:
        if con is not None:
            con.close()
        for spill in (SPILL, ROLLUP_SPILL):
            shutil.rmtree(folder / spill, ignore_errors=True)
    return rows


# DuckDB's memory for the aggregates and the stories of a build: beyond it, it spills to a folder in
# the store's partial folder (by default DuckDB takes 80 % of the machine's memory, about 20 GB
# for a million events on a 24 GB machine, as many hash tables as it may).
MEMORY = "2GB"
SPILL, ROLLUP_SPILL = ".spill", ".spill-rollup"  # one a connection: their temporary files share names


def _connect(spill: Path) -> Any:
    import duckdb  # noqa: PLC0415 - the store's own dependency

    return duckdb.connect(config={"threads": 2, "memory_limit": MEMORY, "temp_directory": str(spill)})


def _rollup(path: Path, sql: str, cube: str) -> pa.Table:
    con = _connect(path.parent / ROLLUP_SPILL)
    try:
        con.read_parquet(str(path)).create_view(cube)
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def duckdb_runner(folder: Path) -> tuple[object, DuckDBRunner]:
    """DuckDB in this process over the store's Parquet tables in `folder`: a connection and its runner."""
    con = _connect(folder / SPILL)
    for t in ("events", "participants", "actors", "places", "sources", "story_events"):
        if t == "story_events" and not (folder / f"{t}.parquet").is_file():  # the stories come first
            continue
        con.read_parquet(str(folder / f"{t}.parquet")).create_view(t)
    return con, DuckDBRunner(con)


class DuckDBRunner:
    """A `Runner` on a DuckDB connection; `view` names a Parquet file for the next queries (the
    stories' steps, `dashboard.stories`)."""

    def __init__(self, con: object) -> None:
        self.con = con

    def __call__(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def view(self, name: str, path: Path) -> None:
        self.con.read_parquet(str(path)).create_view(name, replace=True)
