"""DuckDB in this process: the default engine (setting `duckdb`).

It reads the store's Parquet files as views, so nothing is copied; a store of
at most IN_MEMORY_EVENTS events is copied into memory instead (each query then
skips reading Parquet footers), and a larger one's events and participants
are read from the store's own DuckDB file (`store.HOT`). Its memory is bounded
by `CONTACT_ATLAS_DUCKDB_MEMORY` (default 512MB); beyond that it spills.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from dashboard.engines.base import Setting, register
from dashboard.store import AGGREGATES, HOT, HOT_EVENTS, STORIES, TABLES, Store

if TYPE_CHECKING:
    import pyarrow as pa

IN_MEMORY_EVENTS = HOT_EVENTS  # DuckDB copies a store this small into memory; larger ones have hot.duckdb


class DuckDBEngine:
    """DuckDB in this process, over the store's Parquet files (views, so nothing is copied)."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        import duckdb  # noqa: PLC0415 - imported with the engine

        self.store = store
        # Bounded: DuckDB keeps what it read in its buffer pool up to this, and spills beyond.
        memory = os.environ.get("CONTACT_ATLAS_DUCKDB_MEMORY", "512MB")
        # Spills go to the system's temporary folder, never to `.tmp` in the working directory
        # (DuckDB's default for an in-memory database), which may be the data folder or a checkout.
        spill = os.path.join(tempfile.gettempdir(), f"contact-atlas-duckdb-{os.getpid()}")
        self._con = duckdb.connect(config={"threads": 2, "memory_limit": memory, "temp_directory": spill})
        # A small corpus is copied into memory (each query then skips reading Parquet footers);
        # a large one is queried where it lies.
        copy = store.events <= IN_MEMORY_EVENTS
        hot = store.path / HOT
        native = set()
        if not copy and hot.exists():
            # The scanned tables from the store's own DuckDB file, read-only; the rest from Parquet.
            self._con.execute("ATTACH $path AS hot (READ_ONLY)", {"path": str(hot)})
            for t in ("events", "participants"):
                self._con.execute(f"CREATE VIEW {t} AS SELECT * FROM hot.{t}")
                native.add(t)
        for t in TABLES + AGGREGATES:
            if t in native:
                continue
            rel = self._con.read_parquet(str(store.table(t)))
            # The aggregates are small, and every view reads them; the stories' tables are not small.
            if copy or (t in AGGREGATES and t not in STORIES):
                rel.create(t)
            else:
                rel.create_view(t)
        self._local = threading.local()

    def _cursor(self):
        # One cursor per thread: a DuckDB connection is not shared between threads.
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._con.cursor()
        return cur

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self._cursor().sql(sql, params=params or None).to_arrow_table()

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.table(sql, params).to_pylist()


def _open(store: Store, setting: Setting) -> DuckDBEngine:
    return DuckDBEngine(store)


register("duckdb", engine="duckdb", forms=("duckdb",), pattern="duckdb", open=_open)
