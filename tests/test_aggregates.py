"""The views answered from the aggregate tables give what the event rows give, for any filters.

Each view function reads the store's aggregates when the filters allow it
(`dashboard.aggregates`); an engine marked `rows_only` makes the same
functions read the event rows, the reference. Hypothesis draws the filters
(kinds, codings, datasets, certainties, dates aligned on months or not and
open at either end, and the row-level filters mixed in) and the views'
parameters; DuckDB tries many, Spark a few.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import DATA, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_query import spark_available
from test_stories import ROWS as STORY_ROWS

from dashboard import aggregates, engines, filters, query, store, synth
from dashboard.engines import spark
from dashboard.readers import corpus, gdelt

CORPORA = ("seed", "baltic", "synth", "stories")


class RowsOnly:
    """An engine that answers every view from the event rows (the reference the aggregates must equal)."""

    rows_only = True

    def __init__(self, eng: query.Engine) -> None:
        self._eng = eng
        self.name = eng.name

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._eng.rows(sql, params)

    def table(self, sql: str, params: dict[str, Any]) -> Any:
        return self._eng.table(sql, params)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, tuple[corpus.Corpus, store.Store]]:
    synth_data = tmp_path_factory.mktemp("synth") / "data"
    synth.write(2_000, synth_data, seed=5)
    # The bundled folder with test_stories' GDELT rows: records grouped into stories, which the
    # map counts (a story at its head record's place).
    stories_data = tmp_path_factory.mktemp("gdelt") / "data"
    shutil.copytree(DATA, stories_data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = stories_data.parent / "20191024120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in STORY_ROWS), encoding="utf-8")
    gdelt.import_files([src], stories_data / "gdelt", gdelt.Options())
    out = {}
    for name, data in (
        ("seed", DATA),
        ("baltic", ROOT / "tests" / "corpora" / "baltic"),
        ("synth", synth_data),
        ("stories", stories_data),
    ):
        c = corpus.load(data)
        out[name] = (c, store.build(c, tmp_path_factory.mktemp("stores") / name))
    return out


@pytest.fixture(scope="module")
def duck(corpora) -> dict[str, query.Engine]:
    return {name: engines.open(s, "duckdb") for name, (_, s) in corpora.items()}


def _dates(c: corpus.Corpus) -> st.SearchStrategy[dt.date | None]:
    """Dates around the corpus's own: any day, a month's first or last day, or none (open)."""
    known = sorted({d.date() for col in ("start", "end") for d in c.events[col].dropna()})
    lo, hi = known[0] - dt.timedelta(days=400), known[-1] + dt.timedelta(days=400)
    day = st.one_of(st.sampled_from(known), st.dates(lo, hi))
    first = day.map(lambda d: d.replace(day=1))
    last = day.map(lambda d: d.replace(day=calendar.monthrange(d.year, d.month)[1]))
    return st.one_of(st.none(), day, first, last)


def _subset(values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), max_size=3, unique=True) if values else st.just([])


@st.composite
def cases(draw: st.DrawFn, corpora: dict) -> tuple[str, filters.Filters]:
    name = draw(st.sampled_from(CORPORA))
    c, _ = corpora[name]
    ev = c.events

    def values(col: str) -> list[str]:
        return sorted(str(v) for v in ev[col].dropna().unique())

    start, end = draw(_dates(c)), draw(_dates(c))
    if start and end and start > end and draw(st.booleans()):
        start, end = end, start
    kw: dict[str, Any] = {
        "start": start,
        "end": end,
        "kinds": draw(_subset([*values("kind"), "no-such-kind"])),
        "codings": draw(_subset(values("coding"))),
        "datasets": draw(_subset(values("dataset"))),
        "certainties": draw(_subset(values("certainty"))),
        "records": draw(st.sampled_from(["stories", "raw"])),  # the map counts stories, or records
    }
    # Now and then a filter that needs the rows: the answer must not change with the path either.
    row_filter = draw(st.sampled_from(["", "", "", "actors", "countries", "places", "articles"]))
    pool = {
        "actors": sorted(c.actors), "countries": sorted({a.country for a in c.actors.values() if a.country}),
        "places": sorted(c.places), "articles": sorted(c.articles),
    }  # fmt: skip
    if row_filter:
        kw[row_filter] = draw(
            st.lists(st.sampled_from(pool[row_filter]), min_size=1, max_size=2, unique=True)
        )
    return name, filters.Filters.of(**kw)


def views(eng: query.Engine, ref: query.Engine, f: filters.Filters, width: str, limit: int) -> dict[str, Any]:
    """Every view function the aggregates answer, with its parameters (the actor lanes from `ref`)."""
    lanes = [a for a, _ in query.actor_lanes(ref, f, limit)[0]]
    return {
        "count": query.count(eng, f),
        "summary": query.summary(eng, f),
        "map": query.map_groups(eng, f, limit),
        "map, few": query.map_groups(eng, f, limit, few=True),
        "bins by kind": query.timeline_bins(eng, f, width),
        "range by kind": query.bin_range(eng, f),
        "actor lanes": query.actor_lanes(eng, f, limit),
        "bins by actor": query.timeline_bins(eng, f, width, "actor", lanes),
        "range by actor": query.bin_range(eng, f, "actor", lanes),
        "clusters": query.map_clusters(eng, f, ["human"]),
        "clusters, every coding": query.map_clusters(eng, f, ["human", "draft", "machine"]),
        **{f"network of {m}": query.network(eng, f, m, limit) for m in query.NETWORK_NODES},
        # Few events and a date inside a month: the rows, where the aggregate would add its boundary.
        **{f"network of {m}, few": query.network(eng, f, m, limit, few=True) for m in query.NETWORK_NODES},
    }


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_view_from_the_aggregates_equals_the_view_from_the_rows(corpora, duck, data) -> None:
    name, f = data.draw(cases(corpora))
    width = data.draw(st.sampled_from(list(query.BINS)))
    limit = data.draw(st.sampled_from([1, 3, 20]))
    eng = duck[name]
    rows = RowsOnly(eng)
    assert query.by_rows(eng, f) == any(getattr(f, n) for n in query.ROW_FILTERS)
    assert views(eng, rows, f, width, limit) == views(rows, rows, f, width, limit)


def test_a_date_inside_a_month_counts_the_boundary_events_once(corpora, duck) -> None:
    # An event ending on the 10th is kept by a filter from the 10th and dropped by one from the 11th,
    # though both dates fall in the same month of the aggregates.
    c, _ = corpora["synth"]
    eng = duck["synth"]
    ends = c.events["end"].dropna()
    day = ends[ends.dt.day.between(2, 27)].iloc[0].date()
    on, after = filters.Filters(start=day), filters.Filters(start=day + dt.timedelta(days=1))
    ending = int((c.events["end"].dt.date == day).sum())
    assert ending > 0
    assert query.count(eng, on) - query.count(eng, after) == ending
    assert query.summary(eng, on)["n"] == query.summary(RowsOnly(eng), on)["n"]


def test_spark_answers_the_views_from_the_aggregates_as_duckdb_does_from_the_rows(corpora, duck) -> None:
    # One case (a Spark query takes a second): dates inside months at both ends, so the aggregates'
    # groups and the boundary months' rows are summed together; the other views on Spark are in
    # test_query's comparison of the engines, which reads the aggregates too.
    spark_available()
    _, s = corpora["synth"]
    spark = engines.open(s, "spark")
    rows = RowsOnly(duck["synth"])
    f = filters.Filters.of(
        kinds=["meeting", "visit", "statement"], start=dt.date(2019, 3, 17), end=dt.date(2021, 8, 9)
    )
    lanes = [a for a, _ in query.actor_lanes(rows, f, 5)[0]]
    for view in (
        lambda e: query.summary(e, f),
        lambda e: query.map_groups(e, f, 5),
        lambda e: query.actor_lanes(e, f, 5),
        lambda e: query.timeline_bins(e, f, "quarter", "actor", lanes),
        lambda e: query.map_clusters(e, f, ["human", "machine"]),
    ):  # the network on Spark: test_network's comparison of the engines
        assert view(spark) == view(rows)


def test_spark_builds_the_same_aggregates_as_duckdb(corpora, tmp_path: Path) -> None:
    spark_available()
    c, built = corpora["synth"]
    on_spark = store.build(c, tmp_path / "spark", spark.aggregates_runner())
    for name in aggregates.NAMES:  # the stories: tests/test_stories.py
        want = pq.read_table(built.table(name))
        got = pq.read_table(on_spark.table(name))
        assert got.num_rows > 0, name
        assert got.equals(want), name


def test_a_damaged_aggregate_is_discarded_like_any_table(corpora, tmp_path: Path) -> None:
    c, _ = corpora["seed"]
    s = store.build(c, tmp_path / "store")
    assert store.readable(s.path)
    os.truncate(s.table("agg_points"), 100)
    assert not store.readable(s.path)
