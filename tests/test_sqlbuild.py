# ruff: noqa: S608 - fixed table names
"""The bulk build in SQL writes the very store the loader's build writes, and leaves bad data to the loader."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import DATA

from dashboard import aggregates, atlas, engines, filters, folder, query, sqlbuild, store, synth
from dashboard.readers import bulk, corpus, gdelt


def _gdelt_like(folder: Path, village: bool = False) -> None:
    """Rows as an import writes them: a dataset, measures (a NaN tone), CAMEO codes, link sources."""
    folder.mkdir(parents=True)
    n = 40
    day = dt.date(2025, 6, 1)
    events = {
        "id": [f"gdelt-{i}" for i in range(n)], "kind": ["meeting"] * n,
        "summary": [f"Talks {i}" for i in range(n)], "precision": ["day"] * n,
        "start": [day + dt.timedelta(days=i % 7) for i in range(n)],
        "end": [day + dt.timedelta(days=i % 7) for i in range(n)],
        # With `village`, every fifth at a village named like an actor (Keith Kellogg): suspect, by the
        # loader's rule.
        "place": ["kellogg-village" if village and i % 5 == 0 else "minsk" if i % 3 else None for i in range(n)],
        "attribution": ["GDELT"] * n,
        "certainty": ["reported"] * n, "dataset": ["gdelt"] * n, "external_id": [str(10**9 + i) for i in range(n)],
        "cameo": ["043" if i % 2 else None for i in range(n)],
        "mentions": list(range(n)), "tone": [float("nan") if i == 3 else i / 3 for i in range(n)],
    }  # fmt: skip
    pq.write_table(pa.table(events, schema=bulk.schema("events", events)), folder / "run.events.parquet")
    if village:
        (folder / "places.yaml").write_text(
            "places:\n  - id: kellogg-village\n    name: Kellogg, Idaho\n    kind: city\n    country: USA\n"
            "    lat: 47.54\n    lon: -116.14\n",
            encoding="utf-8",
        )
    parts = {
        "event": [f"gdelt-{i}" for i in range(n)],
        "actor": ["alexander-lukashenko"] * n,
        "role": ["host"] * n,
    }
    pq.write_table(
        pa.table(parts, schema=bulk.schema("participants", parts)), folder / "run.participants.parquet"
    )
    srcs = {
        "event": [f"gdelt-{i}" for i in range(n)], "url": [f"https://news.example/{i}" for i in range(n)],
        "outlet": ["example"] * n, "date": [day] * n,
    }  # fmt: skip
    pq.write_table(pa.table(srcs, schema=bulk.schema("sources", srcs)), folder / "run.sources.parquet")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """The bundled YAML corpus, a synthetic bulk corpus and a run of imported rows, in one folder."""
    root = tmp_path_factory.mktemp("mixed") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    synth.write(3000, root / "synth", seed=3)
    _gdelt_like(root / "imports", village=True)
    return root


def _tables(path: Path) -> dict[str, pa.Table]:
    return {name: pq.read_table(path / f"{name}.parquet") for name in store.TABLES}


def _renumbered(appended: Path, base: Path, full: Path) -> None:
    """The appended store's tables are the full build's but for the events' numbers (`eid`): a full
    build numbers its events in their order, an append keeps the base's numbers and numbers its new
    events after the largest, and each participant carries its event's number."""
    mine, theirs, was = _tables(appended), _tables(full), _tables(base)
    for name in store.TABLES:
        a, f = mine[name], theirs[name]
        if "eid" in a.column_names:
            a, f = a.drop_columns("eid"), f.drop_columns("eid")
        assert a.equals(f), name
    assert (appended / store.HOT).exists() is (full / store.HOT).exists()
    for name, table in _hot(appended).items() if (appended / store.HOT).exists() else ():
        assert table.drop_columns("eid").equals(_hot(full)[name].drop_columns("eid")), name
    assert theirs["events"]["eid"].equals(theirs["events"]["ord"])
    numbers = dict(zip(mine["events"]["id"].to_pylist(), mine["events"]["eid"].to_pylist(), strict=True))
    old = dict(zip(was["events"]["id"].to_pylist(), was["events"]["eid"].to_pylist(), strict=True))
    assert all(numbers[i] == n for i, n in old.items())  # the base's events keep their numbers
    added = sorted(n for i, n in numbers.items() if i not in old)
    assert added == list(range(max(old.values()) + 1, max(old.values()) + 1 + len(added)))
    for t in (mine, theirs):
        parts = t["participants"]
        eids = dict(zip(t["events"]["id"].to_pylist(), t["events"]["eid"].to_pylist(), strict=True))
        assert parts["eid"].to_pylist() == [eids[e] for e in parts["event"].to_pylist()]


def _hot(path: Path) -> dict[str, pa.Table]:
    """hot.duckdb's tables, row by row in their stored order (what a LIMIT scan of them reads)."""
    con = duckdb.connect(str(path / store.HOT), read_only=True)
    try:
        return {
            name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in ("events", "participants")
        }
    finally:
        con.close()


@pytest.mark.parametrize("hot", [False, True], ids=["small", "with hot tables"])
def test_the_sql_build_writes_the_loaders_store_row_for_row(
    mixed: Path, tmp_path: Path, monkeypatch, hot
) -> None:
    if hot:
        monkeypatch.setattr(store, "HOT_EVENTS", 1000)
    loaded = corpus.load(mixed)
    assert not loaded.errors
    expected = store.build(loaded, tmp_path / "loader")
    c, files = corpus.load_deferred(mixed)
    assert sorted(rel for rel, _ in files["events"]) == [
        "imports/run.events.parquet",
        "synth/synth.events.parquet",
    ]
    got = sqlbuild.build(c, files, tmp_path / "sql")
    assert got is not None
    assert got.events == expected.events == len(loaded.events)
    want, have = _tables(expected.path), _tables(got.path)
    for name in store.TABLES:
        assert have[name].schema.equals(store.SCHEMAS[name]), name
        assert have[name].equals(want[name]), name
    assert (got.path / store.CATALOG).read_text() == (expected.path / store.CATALOG).read_text()
    suspect = have["events"].filter(pc.equal(have["events"]["place"], "kellogg-village"))["suspect"]
    assert set(suspect.to_pylist()) == {"place name “Kellogg” is the name of actor Keith Kellogg"}
    assert (got.path / store.HOT).exists() is hot
    if hot:
        con = duckdb.connect()
        con.execute(f"ATTACH '{expected.path / store.HOT}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{got.path / store.HOT}' AS b (READ_ONLY)")
        for t in ("events", "participants"):
            assert (
                con.sql(f"SELECT * FROM b.{t} ORDER BY ord")
                .to_arrow_table()
                .equals(con.sql(f"SELECT * FROM a.{t} ORDER BY ord").to_arrow_table())
            )


def _damage(root: Path, section: str, column: str, row: int, value) -> None:
    path = next(root.rglob(f"synth.{section}.parquet"))
    table = pq.read_table(path)
    values = table[column].to_pylist()
    values[row] = value
    field = table.schema.field(column)
    table = table.set_column(table.schema.get_field_index(column), field, pa.array(values, field.type))
    pq.write_table(table, path)


@pytest.mark.parametrize(
    ("section", "column", "row", "value"),
    [
        ("events", "id", 5, None),  # a duplicate id (the first row's)
        ("events", "place", 9, "atlantis"),
        ("events", "summary", 2, "\u2003"),  # blank by a Unicode space
        ("events", "start", 4, dt.date(1700, 1, 1)),
        ("participants", "actor", 3, "nobody"),
        ("sources", "end", 0, 10**6),  # a span past its article's end
    ],
)
def test_a_row_the_loader_rejects_is_left_to_the_loader(tmp_path: Path, section, column, row, value) -> None:
    root = tmp_path / "data"
    synth.write(200, root, seed=1)
    if column == "id":
        value = pq.read_table(root / "synth.events.parquet")["id"][0].as_py()
    _damage(root, section, column, row, value)
    c, files = corpus.load_deferred(root)
    assert sqlbuild.build(c, files, tmp_path / "store") is None
    assert not (tmp_path / "store").exists()
    assert corpus.load(root).errors  # and the loader names it


def test_dates_written_as_text_are_left_to_the_loader(tmp_path: Path) -> None:
    root = tmp_path / "data"
    synth.write(200, root, seed=1)
    path = root / "synth.events.parquet"
    table = pq.read_table(path)
    at = table.schema.get_field_index("start")
    pq.write_table(table.set_column(at, "start", table["start"].cast(pa.string())), path)
    c, files = corpus.load_deferred(root)
    assert sqlbuild.build(c, files, tmp_path / "store") is None
    assert not corpus.load(root).errors  # the loader reads them as dates


# --- appending a run --------------------------------------------------------------------------------


@pytest.fixture
def grown(tmp_path: Path, monkeypatch) -> tuple[Path, store.Store]:
    """A bulk data folder with its store built, and a run of imported rows added after it."""
    return _grown(tmp_path, monkeypatch)


@pytest.fixture
def grown_hot(tmp_path: Path, monkeypatch) -> tuple[Path, store.Store]:
    """As `grown`, its store with hot tables (which an append copies and rewrites from its first change)."""
    monkeypatch.setattr(store, "HOT_EVENTS", 1000)
    return _grown(tmp_path, monkeypatch)


def _grown(tmp_path: Path, monkeypatch) -> tuple[Path, store.Store]:
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    synth.write(2000, root / "synth", seed=5)
    c, files = corpus.load_deferred(root)
    before = sqlbuild.build(c, files)
    assert before is not None
    _gdelt_like(root / "updates")  # read after synth/: its rows come last
    return root, before


def test_an_appended_store_is_the_store_a_full_build_writes(grown, tmp_path: Path, monkeypatch) -> None:
    root, before = grown
    monkeypatch.setattr(store, "HOT_EVENTS", 1000)  # the appended store gets its hot tables too
    grown, grow = [], aggregates.grow
    monkeypatch.setattr(aggregates, "grow", lambda *a, **kw: grown.append(a) or grow(*a, **kw))
    appended = sqlbuild.append(root)
    assert appended is not None
    assert grown  # the aggregates merged, not computed from every event
    assert appended.path == store.location(root, atlas.fingerprint_now(root, max_age=0))
    assert appended.events == before.events + 40
    assert before.path.exists()  # kept for the readers that have it open
    assert atlas.ensure_store(root) == appended  # current: no build follows
    full = store.build(corpus.load(root), tmp_path / "full")
    _renumbered(appended.path, before.path, full.path)
    # The aggregates, merged from the base store's and the new rows' groups (`aggregates.grow`).
    for name in aggregates.NAMES:
        assert pq.read_table(appended.table(name)).equals(pq.read_table(full.table(name))), name
    a, f = (engines.open(s, "duckdb") for s in (appended, full))
    for fl in (filters.Filters(), filters.Filters(datasets=frozenset({"gdelt"}))):
        assert query.count(a, fl) == query.count(f, fl)
    assert query.date_bounds(a) == query.date_bounds(f)
    assert query.origins(a) == query.origins(f)


@pytest.mark.parametrize("hot", [False, True], ids=["hot tables written whole", "hot tables rewritten"])
def test_appended_rows_go_among_the_stores_rows_by_start_then_id_and_undated_last(
    hot, tmp_path: Path, monkeypatch, request
) -> None:
    # Rows on the very days the store's rows are on, with ids that fall between theirs, and rows
    # with no start: each goes where a full build's order (start, nulls last, then id) puts it.
    root, before = request.getfixturevalue("grown_hot" if hot else "grown")
    assert (before.path / store.HOT).exists() is hot
    monkeypatch.setattr(store, "HOT_EVENTS", 1000)
    base = pq.read_table(before.table("events"), columns=["id", "start", "end", "precision", "place"])
    picked = base.take(pa.array(range(0, base.num_rows, 16)))  # every sixteenth, in the store's order
    n = picked.num_rows
    assert n > 50
    assert picked["start"].null_count > 0  # undated rows of the store among them
    events = {
        # "ev-0000123-b" sorts right after "ev-0000123", before "ev-0000124"; "a-…" before them all.
        "id": [f"{i}-b" if k % 2 else f"a-{k}" for k, i in enumerate(picked["id"].to_pylist())],
        "kind": ["meeting"] * n, "summary": [f"Talks {k}" for k in range(n)],
        "precision": picked["precision"].to_pylist(), "start": picked["start"].to_pylist(),
        "end": picked["end"].to_pylist(), "place": picked["place"].to_pylist(),
        "attribution": ["GDELT"] * n, "certainty": ["reported"] * n, "dataset": ["gdelt"] * n,
    }  # fmt: skip
    folder_ = root / "updates" / "ties"
    folder_.mkdir(parents=True)
    pq.write_table(pa.table(events, schema=bulk.schema("events", events)), folder_ / "run.events.parquet")
    parts = {"event": events["id"], "actor": ["alexander-lukashenko"] * n, "role": ["host"] * n}
    pq.write_table(
        pa.table(parts, schema=bulk.schema("participants", parts)), folder_ / "run.participants.parquet"
    )
    srcs = {"event": events["id"], "url": [f"https://news.example/t{k}" for k in range(n)],
            "outlet": ["example"] * n, "date": [dt.date(2025, 6, 1)] * n}  # fmt: skip
    pq.write_table(pa.table(srcs, schema=bulk.schema("sources", srcs)), folder_ / "run.sources.parquet")
    appended = sqlbuild.append(root)
    assert appended is not None
    assert appended.events == before.events + 40 + n
    full = store.build(corpus.load(root), tmp_path / "full")
    _renumbered(appended.path, before.path, full.path)
    # Ties on start broken by id, between the store's own rows.
    ids = _hot(appended.path)["events"]["id"].to_pylist()
    first = picked["id"][1].as_py()
    assert ids[ids.index(first) + 1] == f"{first}-b"


def test_a_first_import_into_a_new_folder_is_appended_with_its_actors_and_places(
    grown, tmp_path: Path, monkeypatch
) -> None:
    # The importer writes its run and, beside it, the folder's actors and places files: new files,
    # not rewritten ones. Its rows still come after every older run's (updates/ sorts after synth/).
    root, before = grown
    shutil.rmtree(root / "updates")
    src = tmp_path / "20250601000000.export.CSV"
    rows = [gdelt.row(GLOBALEVENTID=1400000 + i, SQLDATE=20250601 + i % 5, EventCode="042", EventRootCode="04",
                      Actor1Code="FRA", Actor1Name="FRANCE", Actor1CountryCode="FRA", Actor2Code="DEU",
                      Actor2Name="GERMANY", Actor2CountryCode="DEU", NumMentions=2, NumSources=1, NumArticles=2,
                      GoldsteinScale=1.9, AvgTone=0.5, ActionGeo_Type=4, ActionGeo_FullName=f"Town {i % 4}, France",
                      ActionGeo_CountryCode="FR", ActionGeo_Lat=45 + i % 4, ActionGeo_Long=2 + i % 4,
                      ActionGeo_FeatureID=str(5000 + i % 4), DATEADDED=20250601000000 + i,
                      SOURCEURL=f"https://news.example.org/talks-{i}") for i in range(12)]  # fmt: skip
    src.write_text("".join(rows), encoding="utf-8")
    report, _ = gdelt.import_files([src], root / "updates" / "gdelt", gdelt.Options())
    assert report.imported == 12, report.problems
    added = sorted(p.name for p in (root / "updates" / "gdelt").glob("*.parquet"))
    assert "gdelt.places.parquet" in added
    assert "gdelt.actors.parquet" in added
    appended = sqlbuild.append(root)
    assert appended is not None  # appended, not left to a whole build
    assert appended.events == before.events + 12
    full = store.build(corpus.load(root), tmp_path / "full")
    _renumbered(appended.path, before.path, full.path)


def test_an_append_that_cannot_stand_for_a_build_declines(grown) -> None:
    root, _ = grown
    (root / "synth" / "synth.events.parquet").touch()  # an older run rewritten: not an append
    assert sqlbuild.append(root) is None


def test_a_reader_during_an_append_sees_the_old_store_or_the_new_one(grown) -> None:
    root, before = grown
    old_counts = (before.events, pq.read_metadata(before.table("participants")).num_rows)
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def read() -> None:
        # What a dashboard does on each run: the newest complete store of this folder, opened and counted.
        for _ in range(10_000):
            finished = done.is_set()
            found = store.current(root, folder.fingerprint(root)) or store.current(root, before.fingerprint)
            if found is not None:
                try:
                    eng = engines.open(found, "duckdb")
                    parts = pq.read_metadata(found.table("participants")).num_rows
                    seen.append((query.count(eng, filters.Filters()), parts))
                except Exception as exc:
                    seen.append((-1, repr(exc)))
            if finished:
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        appended = sqlbuild.append(root)
    finally:
        done.set()
        reader.join(timeout=60)
    assert appended is not None
    new_counts = (appended.events, pq.read_metadata(appended.table("participants")).num_rows)
    assert seen
    assert set(seen) <= {old_counts, new_counts}
    assert seen[-1] == new_counts


def test_an_append_that_would_make_older_rows_suspect_declines(tmp_path: Path, monkeypatch) -> None:
    """A new actor named like a place the store has makes that place's older events suspect: rows an
    append does not rewrite, so it leaves the store to a full build, which marks every one."""
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    imp = root / "imports"
    imp.mkdir()
    (imp / "places.yaml").write_text(
        "places:\n  - id: makei-village\n    name: Makei, Pskov\n    kind: city\n    country: RUS\n"
        "    lat: 57.0\n    lon: 29.0\n",
        encoding="utf-8",
    )

    def actors(rows: list[tuple[str, str, str]]) -> None:
        cols = {"id": [r[0] for r in rows], "name": [r[1] for r in rows], "kind": [r[2] for r in rows],
                "country": ["BLR"] * len(rows)}  # fmt: skip
        pq.write_table(pa.table(cols, schema=bulk.schema("actors", cols)), imp / "x.actors.parquet")

    def run(name: str, ids: list[str], day: dt.date) -> None:
        n = len(ids)
        ev = {"id": ids, "kind": ["meeting"] * n, "summary": ["Talks"] * n, "precision": ["day"] * n,
              "start": [day] * n, "end": [day] * n, "place": ["makei-village"] * n,
              "attribution": ["GDELT"] * n, "certainty": ["reported"] * n, "dataset": ["gdelt"] * n}  # fmt: skip
        pq.write_table(pa.table(ev, schema=bulk.schema("events", ev)), imp / f"{name}.events.parquet")
        p = {"event": ids, "actor": ["alexander-lukashenko"] * n, "role": ["host"] * n}
        pq.write_table(
            pa.table(p, schema=bulk.schema("participants", p)), imp / f"{name}.participants.parquet"
        )
        s = {
            "event": ids,
            "url": [f"https://news.example/{i}" for i in ids],
            "outlet": ["x"] * n,
            "date": [day] * n,
        }
        pq.write_table(pa.table(s, schema=bulk.schema("sources", s)), imp / f"{name}.sources.parquet")

    actors([("acled-a1", "Some Group", "organization")])
    run("r1", ["g-1", "g-2"], dt.date(2025, 6, 1))
    c, files = corpus.load_deferred(root)
    assert sqlbuild.build(c, files) is not None
    actors([("acled-a1", "Some Group", "organization"), ("acled-a2", "Vladimir Makei", "person")])
    run("r2", ["g-3"], dt.date(2025, 6, 2))
    assert sqlbuild.append(root) is None
    full = store.build(corpus.load(root), tmp_path / "full")
    events = pq.read_table(full.path / "events.parquet", columns=["id", "suspect"]).to_pylist()
    assert {r["id"]: r["suspect"] for r in events if r["id"].startswith("g-")} == dict.fromkeys(
        ("g-1", "g-2", "g-3"), "place name “Makei” is the name of actor Vladimir Makei"
    )
