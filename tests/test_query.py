"""The store and the views as queries, on DuckDB and on a real local Spark session.

Every query test runs on both engines. The pandas filters and export the app
has used so far are the reference: the engines must agree with them, and with
each other byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from browser import required
from conftest import DATA, edit

from dashboard import aggregates, engines, export, filters, folder, query, store, synth
from dashboard.engines import duckdb as duckdb_engine
from dashboard.readers import corpus

F = filters.Filters.of
CASES = {
    "everything": filters.Filters(),
    "kinds": F(kinds=["visit", "statement"]),
    "actor": F(actors=["keith-kellogg"]),
    "country": F(countries=["RUS"]),
    "place with its sites": F(places=["minsk"]),
    "dates": F(start=dt.date(2022, 1, 1), end=dt.date(2025, 3, 1)),
    "open start overlaps": F(end=dt.date(2025, 6, 1)),
    "combined": F(
        kinds=["statement"], certainties=["claimed", "reported"], articles=["kellogg-lukashenko-minsk"]
    ),
    "nothing": F(actors=["mike-pompeo"], kinds=["meeting"]),
}


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> tuple[corpus.Corpus, store.Store]:
    c = corpus.load(DATA)
    return c, store.build(c, tmp_path_factory.mktemp("stores") / "seed")


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory) -> tuple[corpus.Corpus, store.Store]:
    data = tmp_path_factory.mktemp("synth") / "data"
    synth.write(10_000, data, seed=3)
    c = corpus.load(data)
    return c, store.build(c, tmp_path_factory.mktemp("stores") / "synth")


def test_a_large_store_reads_its_own_duckdb_tables_with_the_same_results(
    synth_store, tmp_path: Path, monkeypatch
) -> None:
    # Above HOT_EVENTS a store also writes events, participants and its smaller aggregates as DuckDB
    # tables, which the DuckDB engine scans instead of the Parquet files; aggregates above
    # HOT_AGGREGATE_ROWS are read from Parquet (here: half of them); every answer stays the same.
    c, small = synth_store
    plain = engines.open(small, "duckdb")
    monkeypatch.setattr(store, "HOT_EVENTS", 1000)
    monkeypatch.setattr(duckdb_engine, "IN_MEMORY_EVENTS", 1000)
    sizes = sorted(pq.ParquetFile(small.table(a)).metadata.num_rows for a in aggregates.NAMES)
    monkeypatch.setattr(store, "HOT_AGGREGATE_ROWS", sizes[len(sizes) // 2])
    big = store.build(c, tmp_path / "hot")
    assert (big.path / store.HOT).exists()
    assert not (small.path / store.HOT).exists()
    held = set(
        duckdb.connect(str(big.path / store.HOT), read_only=True).sql("SHOW TABLES").fetchnumpy()["name"]
    )
    hot_aggs = held & set(aggregates.NAMES)
    assert hot_aggs == set(store.hot_aggregates(big.path))
    assert 0 < len(hot_aggs) < len(aggregates.NAMES)
    assert {"events", "participants"} <= held
    hot = engines.open(big, "duckdb")
    for f in (filters.Filters(), F(kinds=["meeting", "visit"], start=dt.date(2020, 1, 1))):
        assert export.export_text(hot, f, "json") == export.export_text(plain, f, "json")
        assert query.map_groups(hot, f, 20) == query.map_groups(plain, f, 20)
        assert query.latest(hot, f, 50) == query.latest(plain, f, 50)
        assert query.summary(hot, f) == query.summary(plain, f)
        for mode in query.NETWORK_NODES:
            assert query.network(hot, f, mode, 20) == query.network(plain, f, mode, 20)
        lanes = [a for a, _ in query.actor_lanes(plain, f, 20)[0]]
        assert lanes
        assert query.actor_lanes(hot, f, 20) == query.actor_lanes(plain, f, 20)
        assert query.timeline_bins(hot, f, "year", "actor", lanes) == query.timeline_bins(
            plain, f, "year", "actor", lanes
        )


def available(name: str) -> str:
    """An engine the tests run on: under CI one whose library or Java is missing fails, elsewhere it skips."""
    why = engines.missing(name)
    return required(None if why else name, why or "")


def spark_available() -> None:
    available("spark")


@pytest.fixture(scope="module", params=engines.names())
def engine_name(request) -> str:
    return available(request.param)


@pytest.fixture(scope="module")
def seed_engine(seed_store, engine_name) -> engines.Engine:
    """The seed store opened once on each engine for this module's queries, which only read it
    (opening it on Spark reads every table's Parquet footer again: seconds each time)."""
    return engines.open(seed_store[1], engine_name)


@pytest.mark.parametrize("case", list(CASES))
def test_filters_as_one_query_keep_what_the_app_keeps(seed_store, seed_engine, case) -> None:
    c, _ = seed_store
    eng = seed_engine
    f = CASES[case]
    want = filters.apply(c, f)["id"].tolist()
    assert query.event_ids(eng, f) == want
    assert query.count(eng, f) == len(want)


def test_values_are_bound_never_written_into_the_sql(seed_store, seed_engine) -> None:
    c, _ = seed_store
    eng = seed_engine
    hostile = "visit') OR TRUE OR ('"
    w = query.where(F(kinds=[hostile], actors=["x' --"]))
    assert hostile not in w.sql
    assert "x'" not in w.sql
    assert query.count(eng, F(kinds=[hostile])) == 0
    assert query.count(eng, filters.Filters()) == len(c.events)


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_the_seed_exports_the_same_bytes_as_before(seed_store, seed_engine, fmt) -> None:
    c, _ = seed_store
    eng = seed_engine
    for f in (filters.Filters(), CASES["place with its sites"]):
        assert export.export_text(eng, f, fmt) == export.render(c, filters.apply(c, f), fmt)


def test_both_engines_agree_byte_for_byte_on_10000_events(synth_store) -> None:
    spark_available()
    c, s = synth_store
    duck, spark = engines.open(s, "duckdb"), engines.open(s, "spark")
    f_all = filters.Filters()
    actor = sorted(c.actors)[5]
    f_some = F(actors=[actor], start=dt.date(2021, 1, 1), end=dt.date(2023, 12, 31))
    for f in (f_all, f_some):
        a = export.export_text(duck, f, "json")
        assert a == export.export_text(spark, f, "json")
        assert json.loads(a)["events"]
        assert query.map_groups(duck, f) == query.map_groups(spark, f)
        clusters = query.map_clusters(duck, f, ["human"])
        assert clusters == query.map_clusters(spark, f, ["human"])
        cell = next(r for r in clusters if r["res"] == 1)["cell"]
        picked = query.step_in_cluster(duck, f, 1, cell, ["human"], None)
        assert picked is not None
        assert picked == query.step_in_cluster(spark, f, 1, cell, ["human"], None)
        for width in ("month", "quarter", "year"):
            assert query.timeline_bins(duck, f, width) == query.timeline_bins(spark, f, width)
        assert query.latest(duck, f, 300) == query.latest(spark, f, 300)
        assert query.timeline_marks(duck, f, 500) == query.timeline_marks(spark, f, 500)
        assert query.actor_lanes(duck, f, 20) == query.actor_lanes(spark, f, 20)
        article = sorted(c.articles)[0]
        assert query.article_spans(duck, f, article) == query.article_spans(spark, f, article)
        # What the dashboard's views ask for beside these: the summary line, the actor lanes' marks
        # and bins, a page of the table, the rows a hover names, and a click stepping through a mark.
        assert query.summary(duck, f) == query.summary(spark, f)
        lanes = [a for a, _ in query.actor_lanes(duck, f, 20)[0]]
        for width in ("quarter", "year"):
            assert query.timeline_bins(duck, f, width, "actor", lanes) == query.timeline_bins(
                spark, f, width, "actor", lanes
            )
        assert query.bin_range(duck, f, "actor", lanes) == query.bin_range(spark, f, "actor", lanes)
        assert query.timeline_marks(duck, f, 500, "actor", lanes) == query.timeline_marks(
            spark, f, 500, "actor", lanes
        )
        page = query.first_events(duck, f, 50)
        assert page == query.first_events(spark, f, 50)
        ids = [r["id"] for r in page]
        assert query.participants_of(duck, ids) == query.participants_of(spark, ids)
        assert query.quotes_of(duck, ids) == query.quotes_of(spark, ids)
        ords = [r["ord"] for r in page[::7]]
        assert query.events_at(duck, ords) == query.events_at(spark, ords)
        top = query.map_groups(duck, f).points[0]
        current = None
        for _ in range(3):
            step = query.step_at(duck, f, top["place"], None, top["kind"], current)
            assert step == query.step_at(spark, f, top["place"], None, top["kind"], current)
            current = step
        assert query.members_at(duck, f, top["place"], None, None, None, 60) == query.members_at(
            spark, f, top["place"], None, None, None, 60
        )
        assert query.dense_span(duck, f) == query.dense_span(spark, f)
        b = query.timeline_bins(duck, f, "year")[0]
        until = dt.date(b["bin"].year + 1, 1, 1)
        assert query.step_bin(duck, f, "kind", b["lane"], b["bin"], until, None) == query.step_bin(
            spark, f, "kind", b["lane"], b["bin"], until, None
        )
    # … and with the pandas path, for every event.
    assert export.export_text(duck, f_all, "json") == export.render(c, c.events, "json")


def test_map_groups_count_each_event_at_its_point(seed_store, seed_engine) -> None:
    c, _ = seed_store
    eng = seed_engine
    groups = query.map_groups(eng, filters.Filters())
    points, routes = groups.points, groups.routes
    at = {}
    for r in points:
        at[r["place"]] = at.get(r["place"], 0) + r["events"]
    # The palace is drawn at Minsk: its events count there.
    in_minsk = int(c.events["place"].isin(["minsk", "palace-of-independence"]).sum())
    assert at["minsk"] == in_minsk
    assert "palace-of-independence" not in at
    assert {(r["kind"], r["origin"], r["place"]): r["events"] for r in routes}[
        ("visit", "washington", "minsk")
    ] == 1


def test_timeline_bins_count_dated_events_by_kind(seed_store, seed_engine) -> None:
    c, _ = seed_store
    eng = seed_engine
    bins = query.timeline_bins(eng, filters.Filters(), "year")
    assert sum(b["events"] for b in bins) == int(c.events["end"].notna().sum())
    assert {
        "lane": "meeting",
        "bin": dt.date(2025, 1, 1),
        "coding": "human",
        "events": 1,
        "kind": "meeting",
    } in bins
    with pytest.raises(ValueError, match="bin width"):
        query.timeline_bins(eng, filters.Filters(), "week'; --")


def test_a_store_is_written_atomically_and_replaces_only_its_own_older_stores(
    data_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(tmp_path / "cache"))
    c = corpus.load(data_copy)
    first = store.build(c)
    assert first.path.parent == tmp_path / "cache"
    assert (first.path / "store.json").exists()
    # Another data folder's store in the same cache, and a partial folder of a build that died.
    other_data = tmp_path / "other"
    shutil.copytree(data_copy, other_data)
    other = store.build(corpus.load(other_data))
    dead = tmp_path / "cache" / ".partial-dead"
    dead.mkdir()
    older_format = first.path.with_name(first.path.name.replace(f"-{store.FORMAT}-", "-0-"))
    older_format.mkdir()
    old = time.time() - 2 * store.STALE_PARTIAL_S
    os.utime(dead, (old, old))
    assert store.build(corpus.load(data_copy)).path == first.path  # unchanged data: the same store
    # An edit makes a new store; the old one of this folder goes, the other folder's stays.
    edit(data_copy / "places.yaml", "name: Kyiv", "name: Kyiv city")
    c2 = corpus.load(data_copy)
    second = store.build(c2)
    assert second.path != first.path
    assert not first.path.exists()
    assert not older_format.exists()  # a store of this folder in an older format goes too
    assert other.path.exists()
    assert not dead.exists()
    assert not list((tmp_path / "cache").glob(".partial-*"))
    eng = engines.open(second, "duckdb")
    kyiv = export.export_records(eng, F(places=["kyiv"]))
    assert kyiv[0]["place"]["name"] == "Kyiv city"
    # A copy an earlier release compiled for this folder goes too: nothing reads it any more.
    legacy = tmp_path / "cache" / f"compiled-{folder.root_key(data_copy)}-1-0123"
    legacy.mkdir()
    edit(data_copy / "places.yaml", "name: Kyiv city", "name: Kyiv")
    third = store.build(corpus.load(data_copy))
    assert not legacy.exists()
    assert not second.path.exists()
    assert other.path.exists()
    assert third.path.exists()


def test_build_on_the_command_line(cli, tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "store"
    r = cli("build", "--data", str(DATA), "--out", str(out))
    assert r.code == 0, r.err
    assert "store: 22 events" in r.out
    assert {p.name for p in out.iterdir()} >= {f"{t}.parquet" for t in store.TABLES} | {"store.json"}
    # A corpus with problems is not built: the problems are named.
    edit(data_copy / "places.yaml", "kind: city\n    country: UKR", "kind: town\n    country: UKR")
    bad = cli("build", "--data", str(data_copy), "--out", str(tmp_path / "bad"))
    assert bad.code == 1
    assert "places.yaml:" in bad.err
    assert "kind" in bad.err
    assert not (tmp_path / "bad").exists()
    # … unless asked to build from the valid records (what the dashboard does): the problems are kept.
    kept = cli("build", "--data", str(data_copy), "--out", str(tmp_path / "kept"), "--allow-problems")
    assert kept.code == 0, kept.err
    assert "places.yaml" in (tmp_path / "kept" / store.CATALOG).read_text(encoding="utf-8")
    # The engine is chosen by flag or setting; a bad setting is a clear error.
    env = cli("export", "--engine", "duckdb", "--kind", "visit")
    assert env.code == 0
    assert len(json.loads(env.out)["events"]) == 4
    flag = cli("export", "--engine", "spark://nowhere")
    assert flag.code == 2
    assert "--engine='spark://nowhere'" in flag.err
    assert "spark://HOST:PORT" in flag.err


def test_the_spark_engine_is_imported_only_when_asked_for() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "import sys; from dashboard import engines, query, store; from dashboard.readers import corpus; "
        "c = corpus.load('data'); e = engines.open(store.build(c), 'duckdb'); query.count(e, query.Filters()); "
        "print(sorted(m for m in ('pyspark', 'sqlglot', 'py4j') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=DATA.parent
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("case", ["everything", "kinds", "country", "nothing"])
def test_the_other_views_as_queries_match_a_plain_reading(seed_store, seed_engine, case) -> None:
    c, _ = seed_store
    eng = seed_engine
    f = CASES[case]
    events = filters.apply(c, f)
    # The latest events (select box, list, stepping order): dated latest first, then the undated.
    expect = [*events.loc[events["start"].notna(), "id"][::-1], *events.loc[events["start"].isna(), "id"]]
    assert [r["id"] for r in query.latest(eng, f, 300)] == expect
    assert [r["id"] for r in query.latest(eng, f, 3)] == expect[:3]
    # The summary line's figures.
    got = query.summary(eng, f)
    assert got["n"] == len(events)
    assert got["unplaced"] == int((~events["place"].isin(list(c.coords))).sum())
    # The reading pane's marked spans.
    article = "kellogg-lukashenko-minsk"
    srcs = c.sources[(c.sources["article"] == article) & c.sources["event"].isin(events["id"])]
    summary = dict(zip(c.events["id"], c.events["summary"], strict=True))
    spans = [
        (e, int(a), int(b), summary[e])
        for e, a, b in zip(srcs["event"], srcs["start"], srcs["end"], strict=True)
    ]
    assert query.article_spans(eng, f, article) == spans
    # The timeline's marks and actor lanes.
    marks = query.timeline_marks(eng, f, 500)
    assert [r["id"] for r in marks] == list(events.loc[events["end"].notna(), "id"])
    dated = c.participants[c.participants["event"].isin(events.loc[events["end"].notna(), "id"])]
    busiest, hidden = query.actor_lanes(eng, f, 20)
    counts = dated["actor"].astype(str).value_counts()
    assert [n for _, n in busiest] == sorted(counts, reverse=True)[:20]
    assert all(counts[a] == n for a, n in busiest)
    assert hidden == max(dated["actor"].nunique() - 20, 0)


@pytest.mark.parametrize(
    ("setting", "engine"),
    [("duckdb", "duckdb"), (" DuckDB ", "duckdb"), ("spark", "spark"), ("spark://10.0.0.5:7077", "spark"),
     ("sc://spark.example.org:15002", "spark"), ("local[*]", "spark"), ("local[4]", "spark"), ("yarn", "spark")],
)  # fmt: skip
def test_one_setting_names_the_engine(setting: str, engine: str) -> None:
    assert engines.parse(setting)[0].engine == engine
    assert engine in engines.names()


@pytest.mark.parametrize("setting", ["sqlite", "spark://nowhere", "local[two]", "duckdb://memory", "sc:host"])
def test_a_bad_engine_setting_names_the_variable_and_the_forms_it_could_take(
    seed_store, monkeypatch, setting: str
) -> None:
    monkeypatch.setenv("CONTACT_ATLAS_ENGINE", setting)
    with pytest.raises(ValueError, match=r"CONTACT_ATLAS_ENGINE=") as bad:
        engines.open(seed_store[1])
    assert repr(setting) in str(bad.value)
    assert all(form in str(bad.value) for form in ("duckdb", "spark", "spark://HOST:PORT", "sc://HOST:PORT"))


def test_without_a_setting_the_engine_is_duckdb_and_the_old_spark_variable_is_refused(
    seed_store, monkeypatch
) -> None:
    monkeypatch.delenv("CONTACT_ATLAS_ENGINE", raising=False)
    monkeypatch.delenv("CONTACT_ATLAS_SPARK_MASTER", raising=False)
    assert engines.open(seed_store[1]).name == "duckdb"
    monkeypatch.setenv("CONTACT_ATLAS_SPARK_MASTER", "spark://10.0.0.5:7077")
    with pytest.raises(ValueError, match="CONTACT_ATLAS_ENGINE"):
        engines.default_setting()
