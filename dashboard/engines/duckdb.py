"""DuckDB in this process: the default engine (setting `duckdb`).

It reads the store's Parquet files as views, so nothing is copied; a store of
at most IN_MEMORY_EVENTS events is copied into memory instead (each query then
skips reading Parquet footers), and a larger one's events and participants
are read from the store's own DuckDB file (`store.HOT`). Of the aggregates, those of at most
AGG_IN_MEMORY_ROWS rows are copied into memory (every view reads them); larger ones (at 1M events
the pairs' and the actors', millions of rows that would take some 400 MB, read by the network and
the actor lanes only) are read where they lie, at no measurable cost to those views. The copies are
made in an in-memory database that compresses its tables (`COPIES`): half the memory of plain
in-memory tables, at no measurable cost to the views (bench/RESULTS.md, "Scale"). Its memory is bounded
by `CONTACT_ATLAS_DUCKDB_MEMORY` (default 256MB); beyond that it spills.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.engines.base import Setting, register
from dashboard.store import AGGREGATES, HOT, HOT_EVENTS, STORIES, TABLES, Store

if TYPE_CHECKING:
    import pyarrow as pa

IN_MEMORY_EVENTS = HOT_EVENTS  # DuckDB copies a store this small into memory; larger ones have hot.duckdb
# An aggregate with more rows than this is read where it lies, not copied into memory.
AGG_IN_MEMORY_ROWS = 400_000
ALWAYS_IN_MEMORY = ("event_countries",)  # whatever its size: every query under a country filter reads it
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
            for t in ("events", "participants"):
                self._con.execute(f"CREATE VIEW {t} AS SELECT * FROM hot.{t}")
                native.add(t)
        for t in TABLES + AGGREGATES:
            if t in native:
                continue
            rel = self._con.read_parquet(str(store.table(t)))
            # The aggregates most views read are small; the stories' tables are not, nor are the
            # pairs' and the actors' at scale (read by the network and the actor lanes only). The
            # events' countries are not small either, but read from Parquet they cost a country
            # filter's every query five times as much.
            if copy or (
                t in AGGREGATES
                and t not in STORIES
                and (t in ALWAYS_IN_MEMORY or _rows(store.table(t)) <= AGG_IN_MEMORY_ROWS)
            ):
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


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq  # noqa: PLC0415

    return pq.ParquetFile(path).metadata.num_rows


def _open(store: Store, setting: Setting) -> DuckDBEngine:
    return DuckDBEngine(store)


register("duckdb", engine="duckdb", forms=("duckdb",), pattern="duckdb", open=_open)
