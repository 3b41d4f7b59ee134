"""The store: its format follows its schema, and a build that fails leaves nothing that is read.

Faults are real: a build process killed with SIGKILL partway, a full disk (a
small tmpfs mounted as the cache), a read-only data folder (a read-only bind
mount) and a read-only cache folder (a read-only tmpfs), or one that cannot be
created. Mounting needs root (CAP_SYS_ADMIN); without it those tests skip,
and fail under CI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from browser import required
from conftest import DATA, ROOT, SEED_EVENTS, edit
from streamlit.testing.v1 import AppTest

from dashboard import atlas, catalog, folder, store, synth

EVENTS_FILE = SEED_EVENTS.relative_to(DATA)
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(path))
    return path


def stores(where: Path) -> list[str]:
    return sorted(p.name for p in where.iterdir()) if where.is_dir() else []


# --- the format follows the schema ----------------------------------------------------------------


def test_a_store_written_before_drafts_existed_is_rebuilt_not_read(data_copy: Path, cache: Path) -> None:
    edit(
        data_copy / EVENTS_FILE, "    certainty: confirmed\n", "    certainty: confirmed\n    status: draft\n"
    )
    fresh = atlas.open_atlas(data_copy)
    assert "draft" in fresh.codings
    # As the release before drafts wrote it: format 5 in its name and its store.json, every event
    # coded by a person, no schema recorded.
    fp, key = fresh.fingerprint, folder.root_key(data_copy)
    older = cache / f"store-{key}-5-{fp}"
    fresh.store.path.rename(older)
    events = pq.read_table(older / "events.parquet")
    coding = events.schema.get_field_index("coding")
    events = events.set_column(coding, "coding", pc.replace_substring(events["coding"], "draft", "human"))
    pq.write_table(events, older / "events.parquet")
    meta = json.loads((older / "store.json").read_text(encoding="utf-8"))
    meta.pop("schema", None)
    (older / "store.json").write_text(json.dumps({**meta, "format": 5}), encoding="utf-8")

    assert store.current(data_copy, fp) is None
    opened = atlas.open_atlas(data_copy)
    assert "draft" in opened.codings  # read from a rebuilt store, not the old one
    assert opened.store.path != older
    assert not older.exists()  # the older store of this folder is swept


def test_a_store_recording_another_schema_is_rebuilt(data_copy: Path, cache: Path) -> None:
    first = atlas.open_atlas(data_copy)
    path = first.store.path
    # A release whose events had one column less, at the same FORMAT number: another schema hash.
    events = pq.read_table(path / "events.parquet").drop_columns(["suspect"])
    pq.write_table(events, path / "events.parquet")
    meta = json.loads((path / "store.json").read_text(encoding="utf-8"))
    (path / "store.json").write_text(json.dumps({**meta, "schema": "0" * 12}), encoding="utf-8")
    assert store.current(data_copy, first.fingerprint) is None
    again = atlas.open_atlas(data_copy)
    assert "suspect" in pq.read_schema(again.store.path / "events.parquet").names
    assert json.loads((again.store.path / "store.json").read_text(encoding="utf-8"))["schema"] == store.SCHEMA


def test_a_second_build_of_the_same_data_leaves_the_first_in_place_for_its_readers(
    data_copy: Path, cache: Path
) -> None:
    """Two replicas starting on new data both build its store; the one finishing second must not
    move the first one's store from under the readers already opening it (a reader then met "no
    such file: store.json" and the page's error)."""
    from dashboard.readers import corpus  # noqa: PLC0415

    first = atlas.open_atlas(data_copy)
    path, fp = first.store.path, first.fingerprint
    before = (path.stat().st_ino, (path / "store.json").stat().st_ino)
    # The other build had read the same data and now writes its copy, as `store.build` does after
    # finding no store there when it started.
    c = corpus.load(data_copy)
    assert c.fingerprint == fp
    store._write(c, path, fp, own=True, writer=store.write_tables)
    assert (path.stat().st_ino, (path / "store.json").stat().st_ino) == before
    assert stores(path.parent) == [path.name]  # its own copy gone, no partial folder left
    # The first reader's engine still reads every table where it opened them.
    assert first.engine.rows("SELECT count(*) AS n FROM events", {})[0]["n"] == first.events
    assert first.engine.rows("SELECT count(*) AS n FROM agg_points", {})[0]["n"] > 0


def test_build_out_refuses_a_folder_holding_other_files_and_writes_into_an_empty_one(
    tmp_path: Path, cli
) -> None:
    """`--out` names where the store goes: a folder of someone's files is never emptied to make room."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep", encoding="utf-8")
    r = cli("build", "--data", str(DATA), "--out", str(precious))
    assert r.code != 0
    assert f"error: {precious} is not a store and not empty" in r.err
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("build", "--data", str(DATA), "--out", str(empty)).code == 0
    assert (empty / "store.json").is_file()


def test_the_format_is_derived_from_the_tables_schemas_and_the_catalogs_layout(seed, tmp_path: Path) -> None:
    assert store.schema_fingerprint(store.SCHEMAS, catalog.layout()) == store.SCHEMA
    changed = {
        "a column added": {
            **store.SCHEMAS,
            "events": store.SCHEMAS["events"].append(pa.field("x", pa.string())),
        },
        "a column retyped": {
            **store.SCHEMAS,
            "places": store.SCHEMAS["places"].set(5, pa.field("lat", pa.float32())),
        },
        "a table dropped": {k: v for k, v in store.SCHEMAS.items() if k != "map_points"},
    }
    for what, schemas in changed.items():
        assert store.schema_fingerprint(schemas, catalog.layout()) != store.SCHEMA, what
    layout = json.loads(catalog.layout())
    layout["keys"].append("texts")
    assert store.schema_fingerprint(store.SCHEMAS, json.dumps(layout)) != store.SCHEMA
    # The aggregate tables' SQL too: other aggregates are another format.
    assert store.schema_fingerprint(store.SCHEMAS, catalog.layout(), "other aggregates") != store.SCHEMA
    # What is written is what is declared, table by table.
    s = store.build(seed, tmp_path / "seed")
    for name, declared in store.SCHEMAS.items():
        assert pq.read_schema(s.table(name)).remove_metadata().equals(declared), name
    assert (
        store.SCHEMA in s.path.name
        or json.loads((s.path / "store.json").read_text())["schema"] == store.SCHEMA
    )


# --- a build killed midway --------------------------------------------------------------------------


def wait_for(condition, what: str, timeout: float = 120.0, proc: subprocess.Popen | None = None):
    """Poll `condition` until it holds (bounded in time and count)."""
    deadline = time.monotonic() + timeout
    for _ in range(1_000_000):
        got = condition()
        if got:
            return got
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the build ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.002)
    pytest.fail(f"gave up waiting for {what}")


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("big") / "data"
    synth.write(60_000, out, seed=5)
    return out


def test_a_build_killed_midway_leaves_nothing_that_is_read(big: Path, tmp_path: Path, cache: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(big, root)
    cmd = [sys.executable, "-m", "dashboard", "build", "--data", str(root), "--allow-problems"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Killed once its first table is on disk: the build is writing its partial folder.
        written = wait_for(
            lambda: list(cache.glob(".partial-*/events.parquet")), "a table written", proc=proc
        )
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    partial = written[0].parent
    assert not (partial / "store.json").exists()  # really killed midway
    assert stores(cache) == [partial.name]  # no folder that looks like a store
    fp = folder.fingerprint(root)
    assert store.current(root, fp) is None
    # Its lock died with it: the next build (here, as if a minute later) removes it, and builds afresh.
    old = time.time() - 60
    os.utime(partial, (old, old))
    live, fd = folder.partial(cache)  # another build, still writing: its folder stays
    try:
        os.utime(live, (old, old))
        opened = atlas.open_atlas(root)
        assert opened.events == 60_000
        assert not partial.exists()
        assert live.exists()
    finally:
        os.close(fd)
        shutil.rmtree(live)
    assert [n for n in stores(cache) if not n.startswith("store-")] == []


# --- full disk, read-only folders -------------------------------------------------------------------


def mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    why = f"needs the right to mount (root): mount {' '.join(args)}: {done.stderr.strip()}"
    required("mounted" if done.returncode == 0 else None, why)


@pytest.fixture
def mounts() -> Iterator[list[Path]]:
    """Mount points to unmount after the test, last first."""
    points: list[Path] = []
    yield points
    for p in reversed(points):
        subprocess.run(["umount", "-l", str(p)], check=False)


def tmpfs(path: Path, mounts: list[Path], *options: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    mount("-t", "tmpfs", "-o", ",".join(["size=64k", *options]), "tmpfs", str(path))
    mounts.append(path)
    return path


def page_notice(data: Path, monkeypatch) -> str:
    """What the dashboard shows a reader: one short notice, no exception, no path."""
    monkeypatch.setenv("DASHBOARD_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    notice = at.error[0].value
    assert "\n" not in notice
    assert str(data.parent) not in notice
    return notice


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "seed"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    return dest


@pytest.mark.parametrize("kind", ["curated", "bulk"])
def test_a_full_disk_during_a_build_leaves_nothing_and_says_so(
    kind: str, seed_copy: Path, tmp_path: Path, cli, mounts, monkeypatch
) -> None:
    # The bulk store is built in a child process; the curated one in the dashboard's own.
    data = seed_copy if kind == "curated" else tmp_path / "bulk"
    if kind == "bulk":
        synth.write(3000, data, seed=2)
    full = tmpfs(tmp_path / "full", mounts)
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(full))
    r = cli("build", "--data", str(data), "--allow-problems")
    assert r.code == 2
    assert r.err.strip().splitlines() == [
        f"error: cannot write the store in {full}: No space left on device; nothing of it was kept"
    ]
    assert stores(full) == []  # nothing half-written left behind
    assert store.current(data, folder.fingerprint(data)) is None
    builds = []
    for name in ("_build_here", "_build_in_child"):
        real = getattr(atlas, name)
        monkeypatch.setattr(atlas, name, lambda *a, real=real: builds.append(a) or real(*a))
    notice = page_notice(data, monkeypatch)
    assert notice == "The data cannot be opened right now: No space left on device."
    assert stores(full) == []
    assert len(builds) == 1
    # Every reader's next run gets the same notice, not another build, for a while.
    assert page_notice(data, monkeypatch) == notice
    assert len(builds) == 1
    # Room again: once that while is over, the next open builds the whole store.
    mount("-o", "remount,size=64m", str(full))
    with pytest.raises(store.StoreError, match="No space left on device"):
        atlas.open_atlas(data)
    monkeypatch.setattr(atlas, "RETRY_FAILED_S", 0.0)
    assert atlas.open_atlas(data).events == (22 if kind == "curated" else 3000)
    assert len(builds) == 2
    assert [n for n in stores(full) if not n.startswith("store-")] == []


def test_a_read_only_data_folder_is_read_and_its_store_kept_elsewhere(
    seed_copy: Path, tmp_path: Path, cli, mounts, monkeypatch
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    mount("--bind", str(seed_copy), str(ro))
    mounts.append(ro)
    mount("-o", "remount,bind,ro", str(ro))
    assert not os.access(ro, os.W_OK)  # even for root
    monkeypatch.delenv("CONTACT_ATLAS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    r = cli("build", "--data", str(ro))
    assert r.code == 0, r.err
    assert str(tmp_path / "xdg" / "contact-atlas") in r.out
    assert not (ro / folder.DIR_NAME).exists()
    assert atlas.open_atlas(ro).events == 22


@pytest.mark.parametrize("where", ["read-only", "cannot be created"])
def test_a_cache_that_cannot_be_written_is_one_line_and_a_short_notice(
    where: str, seed_copy: Path, tmp_path: Path, cli, mounts, monkeypatch
) -> None:
    if where == "read-only":
        cache, why = tmpfs(tmp_path / "ro-cache", mounts, "ro"), "Read-only file system"
    else:  # below a file: no folder can be made there
        (tmp_path / "a-file").write_text("", encoding="utf-8")
        cache, why = tmp_path / "a-file" / "cache", "Not a directory"
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(cache))
    r = cli("build", "--data", str(seed_copy))
    assert r.code == 2
    assert r.err.strip().splitlines() == [
        f"error: cannot write the store in {cache}: {why}; nothing of it was kept"
    ]
    assert page_notice(seed_copy, monkeypatch) == f"The data cannot be opened right now: {why}."


# --- a store damaged on disk ----------------------------------------------------------------------


def damage(path: Path, how: str) -> None:
    """As a disk or a careless hand leaves a store: every table cut to 100 bytes, one file gone, or
    bytes in the middle of the events overwritten (size and footer intact)."""
    if how == "truncated":
        for f in path.glob("*.parquet"):
            os.truncate(f, 100)
    elif how == "a table removed":
        (path / "participants.parquet").unlink()
    else:
        f = path / "events.parquet"
        size = f.stat().st_size
        with f.open("r+b") as out:
            out.seek(8)
            out.write(b"\xff" * (size // 2 - 8))
    assert (path / "store.json").is_file()


@pytest.mark.parametrize("how", ["truncated", "a table removed", "overwritten inside"])
def test_a_damaged_store_is_built_again_and_every_page_renders(
    how: str, seed_copy: Path, cache: Path, cli, monkeypatch
) -> None:
    built = atlas.open_atlas(seed_copy).store
    damage(built.path, how)
    # The next server's first reader: every page renders, from a store built again.
    monkeypatch.setenv("DASHBOARD_DATA", str(seed_copy))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for page in ("ui/explorer.py", "ui/events.py", "ui/about.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert [e.value for e in at.error] == [], page
        if page != "ui/about.py":
            assert any("22 of 22 events" in m.value for m in at.markdown), page
    assert pq.read_metadata(built.table("events")).num_rows == 22
    assert [n for n in stores(cache) if not n.startswith("store-")] == []  # the damaged one is gone
    # And the command line: damaged again, `export` builds it again too and writes every event.
    damage(built.path, how)
    r = cli("export", "--data", str(seed_copy), "--format", "json")
    assert r.code == 0, r.err
    assert len(json.loads(r.out)["events"]) == 22
    assert store.readable(built.path)


def _summary_fails(s: store.Store) -> BaseException | None:
    """The error the summary query raises on the store just opened; None when opening fails or it works."""
    from dashboard import engines, filters, query  # noqa: PLC0415

    try:
        eng = engines.open(s, "duckdb")
    except Exception:  # a block that opening reads: not the case under test
        return None
    try:
        query.summary(eng, filters.Filters())
    except Exception as exc:  # what it raises is the subject
        return exc
    return None


def _blocks_damaged_after_open(s: store.Store) -> BaseException:
    """Overwrite one 256 KB block of hot.duckdb that opening the store does not read and the summary
    does: found by trying each block in turn (the file's layout is DuckDB's), then left damaged."""
    hot = s.path / store.HOT
    whole = hot.read_bytes()
    block = 256 * 1024
    for offset in range(3 * 4096, len(whole), block):
        hot.write_bytes(whole[:offset] + b"\xa5" * min(block, len(whole) - offset) + whole[offset + block :])
        failed = _summary_fails(s)
        if failed is not None:
            return failed
    raise AssertionError("no block of hot.duckdb is read by the summary and not by opening")


def test_a_store_found_damaged_by_a_query_is_built_again_on_the_next_run(
    seed_copy: Path, cache: Path, monkeypatch
) -> None:
    # A large store's DuckDB file passes the size check at open, and a block overwritten inside it
    # is found by the first query that reads it. The reader gets a short notice, the store is
    # discarded, and the next run builds it again and renders.
    from dashboard.engines import duckdb as duckdb_engine  # noqa: PLC0415

    monkeypatch.setattr(store, "HOT_EVENTS", 5)
    monkeypatch.setattr(duckdb_engine, "IN_MEMORY_EVENTS", 5)
    built = atlas.open_atlas(seed_copy).store
    assert (built.path / store.HOT).is_file()
    assert store.damaged(_blocks_damaged_after_open(built), built.path)
    monkeypatch.setenv("DASHBOARD_DATA", str(seed_copy))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "The data's store was damaged on disk; it is being built again. Reload this page in a moment."
    ]
    assert not built.path.exists()
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    assert any("22 of 22 events" in m.value for m in at.markdown)
    assert store.readable(built.path)


def test_only_an_error_naming_the_store_or_a_corrupt_block_says_it_is_damaged(tmp_path: Path) -> None:
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    missing = tmp_path / "store-x" / "events.parquet"
    with pytest.raises(duckdb.Error) as named:
        con.read_parquet(str(missing))
    assert store.damaged(named.value, tmp_path / "store-x")
    assert not store.damaged(named.value, tmp_path / "store-y")
    with pytest.raises(duckdb.Error) as other:
        con.sql("SELECT no_such_column FROM range(1)")
    assert not store.damaged(other.value, tmp_path / "store-x")
    # Not DuckDB's: whatever it says, it is not a file of the store that failed to read.
    assert not store.damaged(
        ValueError(f"{tmp_path / 'store-x'}: Corrupt database file"), tmp_path / "store-x"
    )


def test_a_damaged_store_that_cannot_be_built_again_is_a_short_notice(
    seed_copy: Path, tmp_path: Path, cli, mounts, monkeypatch
) -> None:
    cache = tmpfs(tmp_path / "cache", mounts, "size=8m")
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(cache))
    damage(atlas.open_atlas(seed_copy).store.path, "truncated")
    mount("-o", "remount,ro", str(cache))
    assert (
        page_notice(seed_copy, monkeypatch) == "The data cannot be opened right now: Read-only file system."
    )
    r = cli("export", "--data", str(seed_copy))
    assert r.code == 2
    assert r.err.strip().splitlines()[-1].endswith("Read-only file system; nothing of it was kept")


def test_an_aggregate_grown_past_the_hot_limit_leaves_hot_duckdb_so_no_stale_copy_is_read(
    tmp_path: Path,
) -> None:
    # An append copies its base's hot.duckdb, aggregates included. One that the new events make too
    # large for it must go: the engine reads whatever the file holds, and that copy is the base's.
    import duckdb  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    from dashboard import aggregates  # noqa: PLC0415

    big, small = aggregates.NAMES[0], aggregates.NAMES[1]
    for name in aggregates.NAMES:
        n = store.HOT_AGGREGATE_ROWS + 1 if name == big else 2
        pq.write_table(pa.table({"n": pa.array(range(n), pa.int64())}), tmp_path / f"{name}.parquet")
    hot = tmp_path / store.HOT
    with duckdb.connect(str(hot)) as con:  # the base's copies: one row each
        for name in (big, small):
            con.execute(f"CREATE TABLE {name} AS SELECT 7 AS n")
    store.write_hot_aggregates(hot, tmp_path)
    with duckdb.connect(str(hot), read_only=True) as con:
        tables = {r[0] for r in con.sql("SHOW TABLES").fetchall()}
        assert big not in tables
        assert small in tables
        assert con.sql(f"SELECT list(n ORDER BY n) FROM {small}").fetchall() == [([0, 1],)]  # noqa: S608
