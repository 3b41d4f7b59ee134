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

An append (`build --append`) does not compute them from every event again: each table is the
base store's, merged by group with the same table over the new events (`grow`; below, with why it
is exact). A full build and an append write the same files.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
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
    "FROM events AS e JOIN participants AS p ON p.eid = e.eid WHERE {where}",
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
        f" JOIN participants AS p{i} ON p{i}.eid = e.eid"
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
    JOIN participants AS p ON p.eid = e.eid JOIN actors AS a ON a.id = p.actor
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


def _canonical(table: pa.Table, spill: Path, sorted_: bool = False) -> pa.Table:
    """Plain string columns and rows sorted by every column: the same bytes from any runner.

    Sorted by DuckDB (two threads) rather than Arrow's `sort_by` (one): the same order, ascending
    and nulls last, in half the time on the aggregates of a million events (bench/RESULTS.md).
    `sorted_`: the rows already are (DuckDB's `ORDER BY ALL`, in the query that made them).
    """

    def plain(t: pa.DataType) -> pa.DataType:
        return pa.string() if pa.types.is_large_string(t) or pa.types.is_string_view(t) else t

    schema = pa.schema([pa.field(f.name, plain(f.type)) for f in table.schema])
    table = table.cast(schema)
    if table.num_rows < 2 or sorted_:
        return table
    con = _connect(spill)
    try:
        con.register("unsorted", table)
        return con.sql(_sorted_sql("SELECT * FROM unsorted")).to_arrow_table().cast(schema)
    finally:
        con.close()


def build(
    folder: Path, run: Runner | None = None, row_group: int = 65_536, base: Path | None = None
) -> dict[str, int]:
    """Build every aggregate from the store's tables in `folder` and write them there as Parquet.

    `run`: how to run the SQL (default: DuckDB in this process). Returns each table's row count.
    `base`: the store this one appends to (`build --append`): its aggregates are merged with the new
    events' (`grow`) rather than computed from every event, when it holds them and DuckDB runs here.
    """
    if base is not None and run is None and can_grow(base):
        return grow(folder, base, row_group)
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
                table = _rollup(folder / f"{cube}.parquet", _sorted_sql(sql), cube)
            elif own:
                # DuckDB here sorts in the query that groups (ascending, nulls last, by every
                # column, as `_canonical` does): no second pass through Arrow and another connection.
                table = run(_sorted_sql(sql))
            else:
                table = run(sql)
            table = _canonical(table, folder / ROLLUP_SPILL, sorted_=own or name.endswith("_all"))
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


def _sorted_sql(sql: str) -> str:
    """`sql`'s rows in canonical order: by every column, left to right, ascending, nulls last."""
    return f"SELECT * FROM ({sql}) ORDER BY ALL ASC NULLS LAST"  # noqa: S608 - the module's own SQL


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


# --- an append: the tables merged with the new events' groups ---------------------------------------
#
# An append (`dashboard.sqlbuild.append`) adds events and changes no old one, except that
#   - each old event's `ord` may grow: the events are numbered in date order (undated last), so a new
#     event sorting before an old one moves it up by one. The move is monotonic (old events keep their
#     order among themselves), so a max or min of old ords is the moved max or min;
#   - an old record whose story a new record joins may stop, or start, being its story's head, and
#     its head's outlets may change (`story_events`, which the append computes again for those stories).
# Every measure is a sum, a min or a max over the events of a group, and the old and the new events
# are apart, so each table is its base copy (ords moved) merged by group with the same table computed
# over the new events only (`delta`), plus, for agg_points, the old records whose head or outlets
# changed, as signed differences of `stories` and `outlets` (nothing else of theirs changes). The
# rollups merge the same way with the rollup of the delta; event_countries (each event's countries,
# by `ord`) takes the new events' rows beside the old ones' moved ords. No table needs all the events
# again. The merged rows are placed in canonical order without sorting the base again: the base is
# in that order, so the new groups are inserted where a binary search over packed keys puts them
# (`_pack`); a table whose keys do not pack into 63 bits is merged and sorted in SQL (`_regroup`).

KEY_BITS = 63


def _merge_kind(again: str) -> str:
    """How a measure's groups combine, from its re-aggregating expression: sum, min or max."""
    head = again.removeprefix("CAST(").split("(", 1)[0]
    if head not in ("sum", "min", "max"):
        raise ValueError(f"no merge for {again}")
    return head


def _layout(name: str) -> tuple[list[str], dict[str, str], set[str]]:
    """A table's key columns, its measures' merges, and the columns holding event ords."""
    if name == "event_countries":
        return ["country", "ord"], {}, {"ord"}
    cube = next(c for c in CUBES if name in (c.name, c.rollup_name))
    if name == cube.name:
        keys = [n for n, _ in (*cube.dims, DATED, *MONTHS)]
    else:
        keys = [n for n, _ in cube.dims] + (["dated"] if cube.rollup_dated else [])
    kinds = {n: _merge_kind(again) for n, _, again in cube.measures}
    ords = {n for n, expr, _ in cube.measures if "e.ord" in expr and not expr.startswith("count")}
    return keys, kinds, ords


def _ints(arr: pa.ChunkedArray | pa.Array, fill: int) -> Any:
    """A column of integers or dates as int64 numbers, nulls as `fill`."""
    import numpy as np  # noqa: PLC0415

    if pa.types.is_date32(arr.type):
        arr = arr.cast(pa.int32())
    return np.array(arr.cast(pa.int64()).fill_null(fill).to_numpy(), dtype=np.int64)  # a copy: written to


def _from_ints(values: Any, valid: Any, t: pa.DataType) -> pa.Array:
    arr = pa.array(values, pa.int64(), mask=~valid)
    return arr.cast(pa.int32()).cast(t) if pa.types.is_date32(t) else arr.cast(t)


def _pack(old: pa.Table, new: pa.Table, keys: list[str]) -> tuple[Any, Any] | None:
    """Each row's key columns as one integer ordered as the canonical sort orders them (ascending,
    nulls last, text by code point as DuckDB compares it), or None when they need more than
    KEY_BITS bits."""
    import numpy as np  # noqa: PLC0415

    packed = [np.zeros(t.num_rows, dtype=np.int64) for t in (old, new)]
    used = 0
    for k in reversed(keys):  # the first key the most significant
        cols = [t[k] for t in (old, new)]
        typ = cols[0].type
        if pa.types.is_integer(typ) or pa.types.is_date32(typ):
            nums = [_ints(c, 0) for c in cols]
            valid = [np.asarray(pc.is_valid(c).to_numpy(zero_copy_only=False), dtype=bool) for c in cols]
            present = [n[v] for n, v in zip(nums, valid, strict=True) if v.any()]
            lo = min((int(p.min()) for p in present), default=0)
            hi = max((int(p.max()) for p in present), default=0)
            nulls = hi - lo + 1
            ranks = [np.where(v, n - lo, nulls) for n, v in zip(nums, valid, strict=True)]
        elif pa.types.is_string(typ) or pa.types.is_boolean(typ):
            values = sorted(
                {v for c in cols for v in pc.unique(c).to_pylist() if v is not None},
                key=lambda v: v.encode() if isinstance(v, str) else v,
            )
            nulls = len(values)
            table = pa.array(values, typ)
            ranks = [
                np.asarray(pc.index_in(c, value_set=table).fill_null(nulls).to_numpy(), dtype=np.int64)
                for c in cols
            ]
        else:
            return None
        bits = max(1, int(nulls).bit_length())
        if used + bits > KEY_BITS:
            return None
        for i, r in enumerate(ranks):
            packed[i] |= r << used
        used += bits
    return packed[0], packed[1]


def _merge(old: pa.Table, new: pa.Table, keys: list[str], kinds: dict[str, str]) -> pa.Table | None:
    """The base table (in canonical order, ords moved) and the new events' groups, merged by group
    and in canonical order; None when the keys do not pack (then `_regroup`)."""
    import numpy as np  # noqa: PLC0415

    packed = _pack(old, new, keys)
    if packed is None:
        return None
    ok, nk = packed
    if ok.size > 1 and not bool(np.all(ok[1:] > ok[:-1])):
        return None  # not in the order packed keys give: leave it to SQL
    at = np.searchsorted(ok, nk)
    found = at < ok.size
    found[found] = ok[at[found]] == nk[found]
    hit, rows = at[found], np.flatnonzero(found)
    big = np.iinfo(np.int64)
    for name, kind in kinds.items():
        col, add = old[name], new[name].take(pa.array(rows, pa.int64()))
        if kind == "sum":
            values = _ints(col, 0)
            values[hit] += _ints(add, 0)
            merged = _from_ints(values, np.ones(values.size, dtype=bool), col.type)
        else:
            fill = big.min if kind == "max" else big.max
            values, extra = _ints(col, fill), _ints(add, fill)
            values[hit] = np.maximum(values[hit], extra) if kind == "max" else np.minimum(values[hit], extra)
            merged = _from_ints(values, values != fill, col.type)
        old = old.set_column(old.schema.get_field_index(name), name, merged)
    fresh = np.flatnonzero(~found)
    fresh = fresh[np.argsort(nk[fresh], kind="stable")]
    where = at[fresh]  # before which base row each new group goes (nondecreasing)
    n_old, n_new = ok.size, fresh.size
    order = np.empty(n_old + n_new, dtype=np.int64)
    order[np.arange(n_old) + np.searchsorted(where, np.arange(n_old), side="right")] = np.arange(n_old)
    order[where + np.arange(n_new)] = n_old + np.arange(n_new)
    both = pa.concat_tables([old, new.take(pa.array(fresh, pa.int64()))])
    return both.take(pa.array(order, pa.int64()))


def _regroup(con: Any, old: pa.Table, new: pa.Table, keys: list[str], kinds: dict[str, str],
             spill: Path) -> pa.Table:  # fmt: skip
    """The same merge in SQL: both tables' groups grouped again, then sorted canonically."""
    con.register("merge_old", old)
    con.register("merge_new", new)
    again = {n: (f"CAST(sum(c.{n}) AS BIGINT)" if k == "sum" else f"{k}(c.{n})") for n, k in kinds.items()}
    cols = [f'c."{n}"' if n in keys else f'{again[n]} AS "{n}"' for n in old.column_names]
    group = f" GROUP BY {', '.join(f'c.{chr(34)}{k}{chr(34)}' for k in keys)}"
    both = "(SELECT * FROM merge_old UNION ALL SELECT * FROM merge_new) AS c"
    table = con.sql(f"SELECT {', '.join(cols)} FROM {both}{group}").to_arrow_table()  # noqa: S608
    con.unregister("merge_old")
    con.unregister("merge_new")
    return _canonical(table.cast(old.schema), spill)


# Old records whose story's head or outlets the append changed: the differences, to add to agg_points.
STORY_CHANGES = """
SELECT coalesce(n.event, b.event) AS event,
  coalesce(n.head, 1) - coalesce(b.head, 1) AS head,
  coalesce(n.outlets, 0) - coalesce(b.outlets, 0) AS outlets
FROM all_story_events AS n FULL JOIN base_story_events AS b ON b.event = n.event
WHERE coalesce(n.event, b.event) NOT IN (SELECT id FROM events)
  AND (n.head IS DISTINCT FROM b.head OR n.outlets IS DISTINCT FROM b.outlets)
"""
_ZERO = "CAST(0 AS BIGINT)"
_NONE = "CAST(NULL AS BIGINT)"
# The same groups as agg_points, over those records: only their stories and outlets change.
POINTS_CHANGED = Cube(
    POINTS.name,
    "FROM all_events AS e JOIN story_changes AS sc ON sc.event = e.id WHERE {where} AND e.point IS NOT NULL",
    POINTS.dims,
    (("n", _ZERO, ""), ("last_ord", _NONE, ""), ("last_dated", _NONE, ""), ("suspect", _ZERO, ""),
     ("stories", "CAST(sum(sc.head) AS BIGINT)", ""), ("outlets", "CAST(sum(sc.outlets) AS BIGINT)", "")),
)  # fmt: skip


def _with_changed_stories(con: Any, new: pa.Table) -> pa.Table:
    """agg_points' new groups with the old records' changed heads and outlets added (POINTS_CHANGED)."""
    keys = [n for n, _ in (*POINTS.dims, DATED, *MONTHS)]
    con.register("new_points", new)
    con.register("changed_points", con.sql(POINTS_CHANGED.sql()).to_arrow_table())
    again = [f"c.{n}" for n in keys] + [f"{a} AS {n}" for n, _, a in POINTS.measures]
    both = "(SELECT * FROM new_points UNION ALL BY NAME SELECT * FROM changed_points) AS c"
    table = con.sql(
        f"SELECT {', '.join(again)} FROM {both} GROUP BY {', '.join(f'c.{n}' for n in keys)}"  # noqa: S608
    ).to_arrow_table()
    con.unregister("new_points")
    con.unregister("changed_points")
    return table


def can_grow(base: Path) -> bool:
    """Whether the store `base` holds what an append merges with: every aggregate, its events and
    the stories' `story_events`."""
    return all((base / f"{n}.parquet").is_file() for n in (*NAMES, "events", "story_events"))


def grow(folder: Path, base: Path, row_group: int = 65_536) -> dict[str, int]:
    """Every aggregate of the store in `folder`, which is the store `base` and more events (an
    append), from the base's aggregates and the new events, written as `build` writes them."""
    import numpy as np  # noqa: PLC0415

    spill = folder / SPILL
    con = _connect(spill)
    rows = {}
    try:
        for t in ("events", "participants", "story_events"):
            con.read_parquet(str(folder / f"{t}.parquet")).create_view(f"all_{t}")
        for t in ("actors", "places"):
            con.read_parquet(str(folder / f"{t}.parquet")).create_view(t)
        con.read_parquet(str(base / "events.parquet")).create_view("base_events")
        con.read_parquet(str(base / "story_events.parquet")).create_view("base_story_events")
        # The new events, and their participants and stories, by the names the tables' SQL reads:
        # each table's groups over them alone, without scanning every participant for each table.
        # An append numbers its new events after the base's largest `eid`: one integer column read,
        # where comparing the ids read every id of both stores.
        (last,) = con.execute("SELECT coalesce(max(eid), -1) FROM base_events").fetchone()
        con.execute("CREATE TEMP TABLE events AS SELECT * FROM all_events WHERE eid > $last ORDER BY ord",
                    {"last": last})  # fmt: skip
        con.execute("CREATE TEMP TABLE participants AS SELECT * FROM all_participants WHERE eid > $last",
                    {"last": last})  # fmt: skip
        con.execute("CREATE TEMP TABLE story_events AS SELECT * FROM all_story_events"
                    " WHERE event IN (SELECT id FROM events)")  # fmt: skip
        ords = con.sql("SELECT ord FROM events ORDER BY ord").fetchnumpy()["ord"].astype(np.int64)
        # The j-th new event (ord N_j) comes after N_j - j old ones: an old ord o moves up by the
        # new events with N_j - j <= o.
        steps = ords - np.arange(ords.size, dtype=np.int64)

        def moved(col: pa.ChunkedArray) -> pa.Array:
            values = _ints(col, 0)
            values += np.searchsorted(steps, values, side="right")
            valid = np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), dtype=bool)
            return _from_ints(values, valid, col.type)

        def write(name: str, table: pa.Table) -> None:
            pq.write_table(table, folder / f"{name}.parquet", compression="zstd", row_group_size=row_group)

        def merged(name: str, new: pa.Table) -> tuple[pa.Table, pa.Table] | None:
            """The base's table, ords moved, merged with the new groups and written; or when its keys
            do not pack, the two tables to merge in SQL."""
            keys, kinds, ord_cols = _layout(name)
            old = pq.read_table(base / f"{name}.parquet")
            for c in ord_cols:
                old = old.set_column(old.schema.get_field_index(c), c, moved(old[c]))
            new = new.select(old.column_names).cast(old.schema)
            table = _merge(old, new, keys, kinds)
            if table is None:
                return old, new
            write(name, table)
            return None

        con.execute(f"CREATE TEMP TABLE story_changes AS {STORY_CHANGES}")
        deltas: dict[str, pa.Table] = {}  # each cube's groups over the new events, for its rollup
        # The new groups in SQL here, one table after another; the merges and writes (Arrow, NumPy and
        # Parquet, outside the GIL for the most part) beside them, on the machine's other core.
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = {}
            for name, sql in SQL.items():
                if name.endswith("_all"):
                    cube = name.removesuffix("_all")
                    con.register(cube, deltas.pop(cube))
                    new = con.sql(sql).to_arrow_table()
                    con.unregister(cube)
                else:
                    new = con.sql(sql).to_arrow_table()
                    if name == POINTS.name:
                        new = _with_changed_stories(con, new)
                    if any(c.rollup and c.name == name for c in CUBES):
                        deltas[name] = new
                done[name] = pool.submit(merged, name, new)
            results = {name: f.result() for name, f in done.items()}
        for name, left in results.items():
            if left is not None:  # after the others: its SQL runs on this thread's connection
                keys, kinds, _ = _layout(name)
                write(name, _regroup(con, *left, keys, kinds, folder / ROLLUP_SPILL))
            rows[name] = pq.read_metadata(folder / f"{name}.parquet").num_rows
    finally:
        con.close()
        for s in (SPILL, ROLLUP_SPILL):
            shutil.rmtree(folder / s, ignore_errors=True)
    return rows
