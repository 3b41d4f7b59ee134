"""DuckDB in this process: the default engine (setting `duckdb`).

It reads the store's Parquet files as views, so nothing is copied; a store of
at most IN_MEMORY_EVENTS events is copied into memory instead (each query then
skips reading Parquet footers), into an in-memory database that compresses its
tables (`COPIES`: half the memory of plain in-memory tables). A larger store's
events, participants and the aggregates most views read are DuckDB tables in the
store's own file (`store.HOT`, `store.hot_aggregates`), read where they lie through
DuckDB's buffer pool: nothing to copy when the server opens the store. The rest
(the stories' tables; at 1M events the pairs' and the actors' aggregates, millions
of rows read by the network and the actor lanes only) is read from Parquet. Its
memory is bounded by `CONTACT_ATLAS_DUCKDB_MEMORY` (default 256MB); beyond that it
spills.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from dashboard.engines.base import Setting, register
from dashboard.store import AGGREGATES, HOT, HOT_EVENTS, TABLES, Store

if TYPE_CHECKING:
    import pyarrow as pa

IN_MEMORY_EVENTS = HOT_EVENTS  # DuckDB copies a store this small into memory; larger ones have hot.duckdb
COPIES = "copies"  # the compressed in-memory database every table and view is made in


class DuckDBEngine:
    """DuckDB in this process, over the store's Parquet files (views, so nothing is copied)."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        import duckdb  # noqa: PLC0415 - imported with the engine

        self.store = store
        # Bounded: DuckDB keeps what it read in its buffer pool up to this, and spills beyond.
        # 256MB: at 1M events its copied aggregates take ~150 MB; the rest caches what the views
        # scan. With 512MB the server's peak under 100 readers was ~130 MB higher, for no CPU saved.
        memory = os.environ.get("CONTACT_ATLAS_DUCKDB_MEMORY", "256MB")
        # Spills go to the system's temporary folder, never to `.tmp` in the working directory
        # (DuckDB's default for an in-memory database), which may be the data folder or a checkout.
        spill = os.path.join(tempfile.gettempdir(), f"contact-atlas-duckdb-{os.getpid()}")
        self._con = duckdb.connect(config={"threads": 2, "memory_limit": memory, "temp_directory": spill})
        # What is copied goes to an in-memory database that compresses its tables as a file's
        # would: at 1M events the copied aggregates take 78 MB instead of 157 MB.
        self._con.execute(f"ATTACH ':memory:' AS {COPIES} (COMPRESS)")
        self._con.execute(f"USE {COPIES}")
        # A small corpus is copied into memory (each query then skips reading Parquet footers);
        # a large one is queried where it lies.
        copy = store.events <= IN_MEMORY_EVENTS
        hot = store.path / HOT
        native = set()
        if not copy and hot.exists():
            # The scanned tables from the store's own DuckDB file, read-only; the rest from Parquet.
            self._con.execute("ATTACH $path AS hot (READ_ONLY)", {"path": str(hot)})
            held = {r[0] for r in self._con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'hot'"
            ).fetchall()}  # fmt: skip
            # The events and participants, and (a store of format 13 on) the aggregates.
            for t in ("events", "participants", *AGGREGATES):
                if t in held:
                    self._con.execute(f"CREATE VIEW {t} AS SELECT * FROM hot.{t}")
                    native.add(t)
        for t in TABLES + AGGREGATES:
            if t in native:
                continue
            rel = self._con.read_parquet(str(store.table(t)))
            # A small store is copied whole. Of a large one, the rest is read where it lies: the
            # stories' tables, and the pairs' and the actors' aggregates (the network and the actor
            # lanes only), from Parquet.
            if copy:
                rel.create(t)
            else:
                rel.create_view(t)
        self._local = threading.local()

    def _cursor(self):
        # One cursor per thread: a DuckDB connection is not shared between threads.
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._con.cursor()
            cur.execute(f"USE {COPIES}")  # a cursor starts in the default database
        return cur

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self._cursor().sql(sql, params=params or None).to_arrow_table()

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        # Executed and fetched as Python values directly: a relation (`table`) binds the query once
        # more to learn its columns, and the Arrow table is then converted again, a seventh of a
        # view's query time at a million events for the same values.
        cur = self._cursor().execute(sql, params or None)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _open(store: Store, setting: Setting) -> DuckDBEngine:
    return DuckDBEngine(store)


register("duckdb", engine="duckdb", forms=("duckdb",), pattern="duckdb", open=_open)
