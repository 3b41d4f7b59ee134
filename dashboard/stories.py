# ruff: noqa: S608 - the SQL here is built from fixed names and numbers
"""Stories: imported records grouped into the events they report, and tied to curated events.

A stream such as GDELT writes one record per article, actor order and place,
so one real event arrives many times. The store groups every imported record
(`dataset` gdelt or acled, whatever its coding) into a **story**, in SQL, at
build time, and links each story to the curated events it corroborates.

**Grouping rule.** Two records are *linked* when all of these hold:
  1. the same CAMEO root (the first two digits of `cameo`);
  2. the same unordered pair of actors: an actor is keyed by its CAMEO actor
     code (the GDELT actor id, `gdelt-blrgov`), else by its country, else by its
     id; a record whose participants share one key has that key alone;
  3. the same source URL, or start dates at most one day apart;
  4. places within 50 km (great-circle, haversine with the mean Earth radius
     6371.0088 km), or either record at country level (its place is a country,
     or has no coordinates, or it has none) — except that a record at country
     level whose matches with a specific place are not all within 50 km of
     each other is linked to none of them (only to records at country level):
     it bridges no distant places.
A story is a connected component of that relation: chaining is transitive, so
records linked through a third record are one story even when they are not
linked themselves (Monday and Wednesday through Tuesday; a record at the
country "Lithuania" matching only Minsk joins the Minsk records). Components are unique, so the grouping
does not depend on the order rows are read in, nor on the engine.

How it is computed: records with the same pair, root, day and place (or
country level) are linked by the rule, so they are first collapsed into one
*node* (named by its smallest event id); the links between nodes are one
self-join per clause (same URL; same or next day); components are found by
label propagation with hooking and pointer jumping (each node takes the
smallest label of its neighbours, each label's own node the smallest any of its
holders saw, then each node its label's label) until no label changes, one SQL
query per round, each round's labels written as Parquet: a chain of N records
settles in about log2 N rounds, whatever order its ids fall in. The final label is the
component's smallest event id, and the story's id is `story-` and that id:
stable for a story whose records stay (a later record with a smaller id would
rename it; GDELT's ids grow with time).

**A story carries** its records, the distinct URLs and outlets of their sources
(an outlet is the source's `outlet` name unless it is only the stream's, GDELT
or ACLED, else its http(s) link's host in lower case without `www.`), the
first start and last end, its most specific place (site, then city, then
region, then country; ties: the place with most records, then the smallest
id), its actors' keys and countries, and its measures combined as GDELT
documents them: `mentions`, `num_sources`, `num_articles` summed (null when no
record has one); `goldstein` and `tone` averaged weighted by each record's
mentions (rounded to 6 decimals, so both engines give the same value).

**Corroboration.** A curated event (dataset `curated`, coding `human`: drafts
are not yet reviewed) and a story are linked when
  1. their dates agree at the curated event's precision: the story's days
     first..last overlap the curated interval start..end (a day, a month, a
     year; an undated curated event corroborates nothing);
  2. the participants' countries match: a story of two actors has the set of
     its actors' countries (one or two) equal to the curated participants' set;
     a story of one actor has its country among the curated participants';
     a story without actor countries corroborates nothing;
  3. the CAMEO root is the same;
  4. the places agree: both specific places (not a country, with coordinates)
     within 50 km; else, when both have a country, the same country; else
     (either has no place) they agree.

**Tables** (written beside the store's tables, in NAMES):
  stories          one row per story (STORIES_SCHEMA)
  story_events     event -> story, one row per imported event; `head` 1 on the story's head (its
                   earliest record, by `ord`, at the story's place; among all its records when
                   it has none), else 0; `outlets` the story's outlets on the head, else 0: the
                   map counts a story once, at its place, by summing them (dashboard.aggregates)
  corroboration    curated event -> story, one row per link

The SQL is DuckDB's dialect; `build` runs it through a `Runner` (DuckDB in this
process by default; Spark through sqlglot for `build --engine spark`) that can
also expose a Parquet file it wrote under a name (`Runner.view`). Stories are
computed whole on every build; an append computes again only the stories its
new events could join and those one step further (`build`'s `base`). They are
built before the aggregates, which read `story_events`.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

RADIUS_KM = 50.0  # places this close are one place for both rules
EARTH_KM = 6371.0088  # the mean Earth radius (IUGG), for the haversine distance
MAX_ROUNDS = 200  # hooking and pointer jumping: about log2 of the longest chain's length, plus a few
_S, _I, _F, _D = pa.string(), pa.int64(), pa.float64(), pa.date32()

STORIES_SCHEMA = pa.schema(
    [("id", _S), ("records", _I), ("outlets", _I), ("urls", _I), ("first", _D), ("last", _D),
     ("root", _S), ("actor1", _S), ("actor2", _S), ("country1", _S), ("country2", _S), ("place", _S),
     ("mentions", _I), ("num_sources", _I), ("num_articles", _I), ("goldstein", _F), ("tone", _F),
     ("curated", _I)]
)  # fmt: skip
SCHEMAS: dict[str, pa.Schema] = {
    "stories": STORIES_SCHEMA,
    "story_events": pa.schema([("event", _S), ("story", _S), ("head", _I), ("outlets", _I)]),
    "corroboration": pa.schema([("event", _S), ("story", _S)]),
}
NAMES = tuple(SCHEMAS)
STAGE = ("story_records", "story_edges", "story_labels", "story_base")  # names of the build's steps


class Runner(Protocol):
    """Runs the SQL below over the store's tables, and names Parquet files it can read."""

    def __call__(self, sql: str) -> pa.Table: ...

    def view(self, name: str, path: Path) -> None: ...


def _km(a: str, b: str) -> str:
    """The haversine distance in km between two rows' `lat`, `lon` (SQL)."""
    return (
        f"2 * {EARTH_KM} * asin(sqrt(power(sin(radians({b}.lat - {a}.lat) / 2), 2) + "
        f"cos(radians({a}.lat)) * cos(radians({b}.lat)) * power(sin(radians({b}.lon - {a}.lon) / 2), 2)))"
    )


def _near(a: str, b: str) -> str:
    """Whether two rows' places agree for grouping: either at country level, the same, or close."""
    return f"({a}.site = '' OR {b}.site = '' OR {a}.site = {b}.site OR {_km(a, b)} <= {RADIUS_KM})"


# What the importers write as a source's outlet when a record names none: the stream, not an outlet.
STREAMS = ("GDELT", "ACLED")


# A link's host (group 2): a bracketed IPv6 address or a name, after any user name, then the end or
# a port, path, query or fragment; "http://[::1" has none, so no outlet.
HOST_RE2 = r"^[hH][tT][tT][pP][sS]?://([^/?#@]*@)?(\[[0-9A-Fa-f:.]+\]|[^/:?#@\[\]]+)([:/?#]|$)"


def outlet_sql(alias: str) -> str:
    """A source's outlet (SQL): its `outlet` (a name: ACLED's source, a GDELT SOURCEURL that is no
    link) unless it is only the stream's name (STREAMS), else the host of its http(s) link, in lower
    case without `www.`; NULL when it has neither (no outlet)."""
    host = f"lower(regexp_extract({alias}.url, '{HOST_RE2}', 2))"
    named = f"CASE WHEN {alias}.outlet NOT IN ({', '.join(repr(s) for s in STREAMS)}) THEN {alias}.outlet END"
    return f"coalesce({named}, nullif(regexp_replace({host}, '^www[.]', ''), ''))"


_BLOCK = "a.actor1 = b.actor1 AND a.actor2k = b.actor2k AND a.root = b.root"

# Each imported record with what the rule compares, and its node (records the rule links outright).
RECORDS = """
WITH imported AS (
  SELECT e.id, e.ord, e.start, e."end", coalesce(left(e.cameo, 2), '') AS root, e.place,
    e.mentions, e.num_sources, e.num_articles, e.goldstein, e.tone
  FROM events AS e WHERE e.dataset <> 'curated' AND __SCOPE__
), keyed AS (
  SELECT p.event,
    CASE WHEN p.actor LIKE 'gdelt-%' THEN p.actor ELSE coalesce(a.country, p.actor) END AS k,
    a.country
  FROM participants AS p JOIN imported AS i ON i.id = p.event LEFT JOIN actors AS a ON a.id = p.actor
), pairs AS (
  SELECT event, min(k) AS actor1, CASE WHEN min(k) <> max(k) THEN max(k) END AS actor2,
    min(country) AS country1, max(country) AS country2
  FROM keyed GROUP BY event
), r AS (
  SELECT i.*, coalesce(pr.actor1, '') AS actor1, pr.actor2, coalesce(pr.actor2, '') AS actor2k,
    pr.country1, pr.country2, pl.kind AS place_kind,
    CASE WHEN pl.kind <> 'country' AND pl.lat IS NOT NULL AND pl.lon IS NOT NULL THEN pl.id ELSE '' END
      AS site,
    pl.lat, pl.lon,
    date_diff('day', DATE '1970-01-01', i.start) AS day
  FROM imported AS i LEFT JOIN pairs AS pr ON pr.event = i.id LEFT JOIN places AS pl ON pl.id = i.place
)
SELECT r.*,
  min(r.id) OVER (PARTITION BY r.actor1, r.actor2k, r.root, r.site,
                  coalesce(r.day, -1), CASE WHEN r.day IS NULL THEN r.id ELSE '' END) AS node
FROM r
"""

# The links between nodes: the same URL, or the same or the next day; one row per link, both ways.
# A placeless node (country level, or no place) whose placed matches are not all within RADIUS_KM of
# each other (`far`) keeps only its links to other placeless nodes: it bridges no distant places.
EDGES = f"""
WITH n AS (
  SELECT DISTINCT node, actor1, actor2k, root, day, site, lat, lon FROM story_records WHERE day IS NOT NULL
), u AS (
  SELECT DISTINCT s.url, r.node, r.actor1, r.actor2k, r.root, r.site, r.lat, r.lon
  FROM sources AS s JOIN story_records AS r ON r.id = s.event WHERE s.url IS NOT NULL
), one AS (
  SELECT a.node AS a, b.node AS b FROM n AS a JOIN n AS b
    ON {_BLOCK} AND (b.day = a.day + 1 OR (b.day = a.day AND a.node < b.node))
  WHERE {_near("a", "b")}
  UNION ALL
  SELECT a.node AS a, b.node AS b FROM u AS a JOIN u AS b
    ON a.url = b.url AND {_BLOCK} AND a.node < b.node
  WHERE {_near("a", "b")}
), x AS (
  SELECT a, b FROM one UNION ALL SELECT b AS a, a AS b FROM one
), ends AS (
  SELECT DISTINCT node, site FROM story_records
), spots AS (
  SELECT DISTINCT node, site, lat, lon FROM story_records WHERE site <> ''
), m AS (
  SELECT DISTINCT x.a AS node, q.site, q.lat, q.lon
  FROM x JOIN ends AS p ON p.node = x.a AND p.site = '' JOIN spots AS q ON q.node = x.b
), far AS (
  SELECT DISTINCT a.node FROM m AS a JOIN m AS b ON a.node = b.node AND a.site < b.site
  WHERE {_km("a", "b")} > {RADIUS_KM}
)
SELECT DISTINCT x.a, x.b FROM x
JOIN ends AS pa ON pa.node = x.a JOIN ends AS pb ON pb.node = x.b
LEFT JOIN far AS fa ON fa.node = x.a LEFT JOIN far AS fb ON fb.node = x.b
WHERE NOT (fa.node IS NOT NULL AND pb.site <> '') AND NOT (fb.node IS NOT NULL AND pa.site <> '')
"""

# An append: the stories an appended record could join (same pair and root, and a day within one of
# the story's span, or a URL it cites), a superset of those it does join; the others stand as built.
NEW_EVENTS = "e.id NOT IN (SELECT b.id FROM base_events AS b)"
IN_SCOPE = "e.id IN (SELECT x.id FROM story_scope AS x)"
AFFECTED = """
SELECT s.id AS story FROM base_stories AS s JOIN story_fresh AS f
  ON coalesce(s.actor1, '') = f.actor1 AND coalesce(s.actor2, '') = f.actor2k AND s.root = f.root
  AND f.day >= date_diff('day', DATE '1970-01-01', s.first) - 1
  AND f.day <= date_diff('day', DATE '1970-01-01', s.last) + 1
UNION
SELECT se.story FROM story_fresh AS f JOIN sources AS n ON n.event = f.id
  JOIN sources AS o ON o.url = n.url JOIN base_story_events AS se ON se.event = o.event
"""
SCOPE = """
SELECT f.id FROM story_fresh AS f
UNION
SELECT se.event AS id FROM base_story_events AS se JOIN story_affected AS a ON a.story = se.story
"""
KEPT_EVENTS = """
SELECT se.event, se.story, se.head, se.outlets FROM base_story_events AS se
WHERE se.story NOT IN (SELECT a.story FROM story_affected AS a)
"""
KEPT_STORIES = f"""
SELECT {", ".join(f's."{c}"' for c in STORIES_SCHEMA.names if c != "curated")} FROM base_stories AS s
WHERE s.id NOT IN (SELECT a.story FROM story_affected AS a)
"""

FIRST_LABELS = "SELECT DISTINCT node, node AS label FROM story_records"
# One round of min-label propagation with hooking and pointer jumping (after Shiloach and Vishkin):
# each node takes the smallest label among its own and its neighbours' (`hop`); each label's own node
# takes the smallest that any node holding that label saw (`hook`: a whole tree moves at once, so a
# small label does not crawl along a chain one record a round); then each node takes its label's
# label (`jump`). Labels only fall and stay node ids of the component, so the fixed point gives each
# component its least node; the rounds grow with the logarithm of a chain's length, not its length.
ROUND = """
WITH hop AS (
  SELECT x.node, min(x.label) AS label FROM (
    SELECT node, label FROM story_labels
    UNION ALL
    SELECT e.a AS node, l.label FROM story_edges AS e JOIN story_labels AS l ON l.node = e.b
  ) AS x GROUP BY x.node
), hook AS (
  SELECT l.label AS node, min(h.label) AS label
  FROM story_labels AS l JOIN hop AS h ON h.node = l.node GROUP BY l.label
), moved AS (
  SELECT h.node, CASE WHEN k.label < h.label THEN k.label ELSE h.label END AS label
  FROM hop AS h LEFT JOIN hook AS k ON k.node = h.node
)
SELECT m.node, CASE WHEN j.label < m.label THEN j.label ELSE m.label END AS label
FROM moved AS m JOIN moved AS j ON j.node = m.label
"""
CHANGED = """
SELECT count(*) AS n FROM story_labels AS a JOIN story_next AS b ON a.node = b.node WHERE a.label <> b.label
"""

# Each record's story, and the story's head: its earliest record (by `ord`) at the story's place,
# or among all its records when it has none. The head alone carries the story's outlets, so the map
# counts a story once, at its place, by summing `head` and `outlets` like a count of rows.
STORY_EVENTS = """
WITH se AS (
  SELECT r.id AS event, r.ord, r.place, concat('story-', l.label) AS story
  FROM story_records AS r JOIN story_labels AS l ON l.node = r.node
), ranked AS (
  SELECT se.event, se.story, b.outlets,
    row_number() OVER (PARTITION BY se.story ORDER BY CASE WHEN se.place = b.place THEN 0 ELSE 1 END, se.ord)
      AS k
  FROM se JOIN story_base AS b ON b.id = se.story
)
SELECT event, story, CAST(CASE WHEN k = 1 THEN 1 ELSE 0 END AS BIGINT) AS head,
  CAST(CASE WHEN k = 1 THEN outlets ELSE 0 END AS BIGINT) AS outlets
FROM ranked
"""


def _weighted(col: str) -> str:
    """A story's `col` (Goldstein, tone) averaged weighted by its records' mentions (each record
    alike when none has mentions), to six decimals (SQL). Summed in millionths, as integers: a sum
    of floats depends on the order the engine adds them in, so two builds of the same data (or an
    append and a full build) could round one story's average apart in its last decimal."""
    micro = f"CAST(round(CAST({col} AS DOUBLE) * 1000000) AS BIGINT)"
    return (
        f"round(coalesce(CAST(sum({micro} * mentions) AS DOUBLE)"
        f" / nullif(sum(CASE WHEN {col} IS NOT NULL THEN mentions END), 0),"
        f" CAST(sum({micro}) AS DOUBLE) / nullif(count({col}), 0)) / 1000000, 6)"
    )


_RANK = "CASE place_kind WHEN 'site' THEN 3 WHEN 'city' THEN 2 WHEN 'region' THEN 1 ELSE 0 END"
# One row per story, without `curated` (corroboration reads it; `stories` adds the count).
BASE = f"""
WITH se AS (
  SELECT r.*, concat('story-', l.label) AS story
  FROM story_records AS r JOIN story_labels AS l ON l.node = r.node
), src AS (
  SELECT se.story, s.url, {outlet_sql("s")} AS outlet
  FROM se JOIN sources AS s ON s.event = se.id
), links AS (
  SELECT story, count(DISTINCT url) AS urls, count(DISTINCT outlet) AS outlets FROM src GROUP BY story
), placed AS (
  SELECT story, place, max({_RANK}) AS rank, count(*) AS n FROM se WHERE place IS NOT NULL
  GROUP BY story, place
), best AS (
  SELECT story, place FROM (
    SELECT story, place, row_number() OVER (PARTITION BY story ORDER BY rank DESC, n DESC, place) AS k
    FROM placed
  ) AS ranked WHERE k = 1
), g AS (
  SELECT story, CAST(count(*) AS BIGINT) AS records, min(start) AS first, max("end") AS last,
    min(root) AS root, min(actor1) AS actor1, max(actor2) AS actor2,
    min(country1) AS country1, max(country2) AS country2,
    CAST(sum(mentions) AS BIGINT) AS mentions, CAST(sum(num_sources) AS BIGINT) AS num_sources,
    CAST(sum(num_articles) AS BIGINT) AS num_articles,
    {_weighted("goldstein")} AS goldstein,
    {_weighted("tone")} AS tone
  FROM se GROUP BY story
)
SELECT g.story AS id, g.records, CAST(coalesce(links.outlets, 0) AS BIGINT) AS outlets,
  CAST(coalesce(links.urls, 0) AS BIGINT) AS urls, g.first, g.last, g.root, g.actor1, g.actor2,
  g.country1, g.country2, best.place, g.mentions, g.num_sources, g.num_articles, g.goldstein, g.tone
FROM g LEFT JOIN links ON links.story = g.story LEFT JOIN best ON best.story = g.story
"""


def _spot(alias: str) -> str:
    """Whether a joined place (`alias`) is specific: not a country, with coordinates (SQL)."""
    return f"({alias}.kind <> 'country' AND {alias}.lat IS NOT NULL AND {alias}.lon IS NOT NULL)"


def _months(first: str, last: str) -> str:
    """One row a month the interval first..last touches (SQL): the first day of each month."""
    span = f"CAST(date_trunc('month', {first}) AS TIMESTAMP), CAST(date_trunc('month', {last}) AS TIMESTAMP)"
    return f"unnest(generate_series({span}, INTERVAL 1 MONTH))"


# The candidates are found by one equality join on a key: the CAMEO root, a month both intervals
# touch, and the countries (the curated event's set, or one of them for a story of one actor). A
# join on the root alone with the dates and countries as filters pairs every curated event with
# every story of its root: 94 s at a million curated events (bench/out's synthetic store), 5.7 s
# keyed. Countries are ISO alpha-3 codes, so "|" cannot occur inside a part of the key.
CORROBORATION = f"""
WITH cur AS (
  SELECT e.id, e.start, e."end", left(e.cameo, 2) AS root, e.place FROM events AS e
  WHERE e.dataset = 'curated' AND e.coding = 'human' AND e.start IS NOT NULL AND e."end" IS NOT NULL
), cc AS (
  SELECT DISTINCT p.event, a.country FROM participants AS p JOIN cur ON cur.id = p.event
  JOIN actors AS a ON a.id = p.actor WHERE a.country IS NOT NULL
), cset AS (
  SELECT event, count(*) AS n, min(country) AS c1, max(country) AS c2 FROM cc GROUP BY event
), cm AS (
  SELECT id, start, "end", root, place, CAST(month AS DATE) AS month FROM (
    SELECT cur.*, {_months("start", '"end"')} AS month
    FROM cur) AS x
), ck AS (
  SELECT cm.id, cm.start, cm."end", cm.place, concat_ws('|', cm.root, cm.month, cset.c1, cset.c2) AS k
  FROM cm JOIN cset ON cset.event = cm.id
  WHERE cset.n = CASE WHEN cset.c1 = cset.c2 THEN 1 ELSE 2 END
  UNION ALL
  SELECT cm.id, cm.start, cm."end", cm.place, concat_ws('|', cm.root, cm.month, cc.country, '') AS k
  FROM cm JOIN cc ON cc.event = cm.id
), sm AS (
  SELECT id, first, last, place,
    concat_ws('|', root, CAST(month AS DATE), country1,
      CASE WHEN actor2 IS NULL THEN '' ELSE country2 END) AS k
  FROM (
    SELECT s.*, {_months("first", "last")} AS month
    FROM story_base AS s
    WHERE s.root IS NOT NULL AND s.first IS NOT NULL AND s.last IS NOT NULL AND s.country1 IS NOT NULL
      AND (s.actor2 IS NULL OR s.country2 IS NOT NULL)) AS x
), candidates AS (
  SELECT ck.id AS event, s.id AS story, ck.place AS cplace, s.place AS splace
  FROM ck JOIN sm AS s ON s.k = ck.k
  WHERE s.first <= ck."end" AND s.last >= ck.start
)
SELECT DISTINCT c.event, c.story FROM candidates AS c
LEFT JOIN places AS a ON a.id = c.cplace LEFT JOIN places AS b ON b.id = c.splace
WHERE CASE
  WHEN {_spot("a")} AND {_spot("b")} THEN {_km("a", "b")} <= {RADIUS_KM}
  WHEN a.country IS NOT NULL AND b.country IS NOT NULL THEN a.country = b.country
  ELSE TRUE END
"""

STORIES = """
SELECT s.*, CAST(coalesce(c.n, 0) AS BIGINT) AS curated FROM story_base AS s
LEFT JOIN (SELECT story, count(*) AS n FROM corroboration GROUP BY story) AS c ON c.story = s.id
"""

SQL = {"story_records": RECORDS, "story_affected": AFFECTED, "story_scope": SCOPE, "kept": KEPT_EVENTS,
       "kept_stories": KEPT_STORIES, "story_edges": EDGES, "story_labels": FIRST_LABELS, "round": ROUND,
       "story_events": STORY_EVENTS, "story_base": BASE, "corroboration": CORROBORATION,
       "stories": STORIES}  # fmt: skip


def fingerprint() -> str:
    """A hash of the SQL and the tables' schemas: a store built by other rules is another format."""
    h = hashlib.sha256()
    for name, sql in SQL.items():
        h.update(f"{name}\0{sql}\n".encode())
    for name, sch in SCHEMAS.items():
        h.update(f"{name}\0{sch.to_string()}\n".encode())
    return h.hexdigest()[:12]


def _canonical(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table in its declared schema, rows sorted by every column: the same bytes from any engine."""
    table = table.select(schema.names)

    def plain(t: pa.DataType) -> pa.DataType:
        return pa.string() if pa.types.is_large_string(t) or pa.types.is_string_view(t) else t

    table = table.cast(pa.schema([pa.field(f.name, plain(f.type)) for f in table.schema]))
    table = table.cast(schema)
    return table.sort_by([(n, "ascending") for n in schema.names])


def build(
    folder: Path, run: Runner | None = None, row_group: int = 65_536, base: Path | None = None
) -> dict[str, int]:
    """Compute the stories of the store's tables in `folder` and write NAMES there as Parquet.

    `run`: how to run the SQL (default: DuckDB in this process). Returns each table's row count.
    The steps' files go in `folder/.stories` and are removed at the end. `base`: the store this one
    appends to (`build --append`): only the stories its new events could join are computed again
    (AFFECTED), with the new events; the base's other stories are kept as they are, which is what a
    whole build gives (a story is a component: one no new record links to is unchanged).
    """
    con = None
    if run is None:
        from dashboard import aggregates  # noqa: PLC0415 - the default runner lives with the aggregates

        con, run = aggregates.duckdb_runner(folder)
    work = folder / ".stories"
    work.mkdir(exist_ok=True)

    def stage(name: str, sql: str, path: Path | None = None) -> int:
        table = run(sql)
        target = path or work / f"{name}.parquet"
        pq.write_table(table, target, compression="zstd", row_group_size=row_group)
        run.view(name, target)
        return table.num_rows

    def final(name: str, sql: str) -> int:
        table = _canonical(run(sql), SCHEMAS[name])
        target = folder / f"{name}.parquet"
        pq.write_table(table, target, compression="zstd", row_group_size=row_group)
        run.view(name, target)
        return table.num_rows

    grow = base is not None and all((base / f"{n}.parquet").is_file() for n in ("events", *NAMES))
    try:
        if grow:
            run.view("base_events", base / "events.parquet")
            run.view("base_stories", base / "stories.parquet")
            run.view("base_story_events", base / "story_events.parquet")
            stage("story_fresh", RECORDS.replace("__SCOPE__", NEW_EVENTS))
            stage("story_affected", AFFECTED)
            stage("story_scope", SCOPE)
            # A second hop from those stories' records: a placeless record a new one matches may now
            # match places far apart (EDGES), which the stories of its other matches tell.
            stage("story_fresh", RECORDS.replace("__SCOPE__", IN_SCOPE), work / "story_fresh-2.parquet")
            stage("story_affected", AFFECTED, work / "story_affected-2.parquet")
            stage("story_scope", SCOPE, work / "story_scope-2.parquet")
            stage("story_records", RECORDS.replace("__SCOPE__", IN_SCOPE))
        else:
            stage("story_records", RECORDS.replace("__SCOPE__", "TRUE"))
        stage("story_edges", EDGES)
        stage("story_labels", FIRST_LABELS, work / "labels-0.parquet")
        for n in range(1, MAX_ROUNDS + 1):
            stage("story_next", ROUND, work / f"labels-{n}.parquet")
            changed = run(CHANGED).column("n")[0].as_py()
            run.view("story_labels", work / f"labels-{n}.parquet")
            if not changed:
                break
        else:  # a bound, not a limit met: 2**100 records would need fewer rounds
            raise RuntimeError(f"stories: labels still changing after {MAX_ROUNDS} rounds")
        stage("story_base", BASE + (f" UNION ALL {KEPT_STORIES}" if grow else ""))
        both = f" UNION ALL {KEPT_EVENTS}" if grow else ""
        rows = {"story_events": final("story_events", STORY_EVENTS + both)}
        rows["corroboration"] = final("corroboration", CORROBORATION)
        rows["stories"] = final("stories", STORIES)
    finally:
        if con is not None:
            con.close()
            shutil.rmtree(folder / aggregates.SPILL, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return {name: rows[name] for name in NAMES}
