"""Spark: the same queries, transpiled by sqlglot, on a Spark session (settings `spark`, `sc://…`, …).

`spark` runs Spark in this process on two cores (`local[2]`); `local[N]` or
`local[*]` on N or every core; `spark://HOST:PORT` (a standalone master) or
`yarn` on a cluster; `sc://HOST:PORT` through a Spark Connect server. A
cluster must read the store's folder at the same path (a shared file system).
A process has one Spark session, made on first use: pyspark and sqlglot are
imported only then (`pip install -e '.[spark]'`; classic Spark needs Java 17+).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.engines.base import Setting, SettingError, register
from dashboard.store import AGGREGATES, TABLES, Store

if TYPE_CHECKING:
    import pyarrow as pa

LOCAL = "local[2]"  # what `spark` runs on

_SPARK: Any = None
_SPARK_ON = ""  # the master or Spark Connect address the process's session runs on
_SPARK_LOCK = threading.Lock()


def spark_session(target: str = LOCAL) -> Any:
    """The process's one Spark session, on a master (`local[2]`, `spark://…`, `yarn`) or Spark Connect (`sc://…`).

    One process has one session: asking for another master than the one it runs on is a ValueError.
    """
    global _SPARK, _SPARK_ON  # noqa: PLW0603 - one session per process, made on first use
    with _SPARK_LOCK:
        if _SPARK is None:
            from pyspark.sql import SparkSession  # noqa: PLC0415 - the non-default engine

            if target.startswith("sc://"):
                _SPARK = SparkSession.builder.remote(target).getOrCreate()
            else:
                _SPARK = (
                    SparkSession.builder.master(target)
                    .appName("contact-atlas")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate()
                )
                _SPARK.sparkContext.setLogLevel("ERROR")
            _SPARK_ON = target
        elif target != _SPARK_ON:
            raise SettingError(f"this process's Spark session runs on {_SPARK_ON}, not on {target}")
        return _SPARK


class SparkEngine:
    """The same queries on Spark, over the same Parquet files, each store's tables under its own names."""

    name = "spark"

    def __init__(self, store: Store, target: str = LOCAL) -> None:
        self.store = store
        self.spark = spark_session(target)
        self.prefix = f"ca_{store.fingerprint[:12]}_{abs(hash(str(store.path))) % 10**8}_"
        for t in TABLES + AGGREGATES:
            self.spark.read.parquet(str(store.table(t))).createOrReplaceTempView(self.prefix + t)
        self._sql: dict[str, str] = {}

    def _spark_sql(self, sql: str) -> str:
        if sql not in self._sql:
            self._sql[sql] = spark_dialect(sql, self.prefix)
        return self._sql[sql]

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self.spark.sql(self._spark_sql(sql), args=params or None).toArrow()

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.table(sql, params).to_pylist()


def spark_dialect(sql: str, prefix: str, names: frozenset[str] | set[str] = frozenset()) -> str:
    """DuckDB's SQL as Spark's, each store table (and each of `names`) named with the prefix its
    temporary view has."""
    import sqlglot  # noqa: PLC0415 - the non-default engine
    from sqlglot import exp  # noqa: PLC0415

    tree = sqlglot.parse_one(sql, read="duckdb")
    for table in tree.find_all(exp.Table):
        if table.name in TABLES or table.name in AGGREGATES or table.name in names:
            table.set("this", exp.to_identifier(prefix + table.name))
    return tree.sql(dialect="spark")


def aggregates_runner(target: str = LOCAL) -> Callable[[Path], Any]:
    """How a store being written has its aggregates' and stories' SQL run on Spark
    (`build --engine spark`)."""

    def runner(folder: Path) -> SparkRunner:
        spark = spark_session(target)
        prefix = f"ca_build_{os.getpid()}_{abs(hash(str(folder))) % 10**8}_"
        for t in TABLES:
            spark.read.parquet(str(folder / f"{t}.parquet")).createOrReplaceTempView(prefix + t)
        return SparkRunner(spark, prefix)

    return runner


class SparkRunner:
    """DuckDB's SQL run on a Spark session over a store being written; `view` names a Parquet file
    for the next queries (the stories' steps, `dashboard.stories`)."""

    def __init__(self, spark: Any, prefix: str) -> None:
        self.spark, self.prefix, self.names = spark, prefix, set()

    def __call__(self, sql: str) -> pa.Table:
        return self.spark.sql(spark_dialect(sql, self.prefix, self.names)).toArrow()

    def view(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(self.prefix + name)
        self.names.add(name)


def _open(store: Store, setting: Setting) -> SparkEngine:
    return SparkEngine(store, LOCAL if setting.text == "spark" else setting.text)


def _missing(java: bool = True) -> str | None:
    libs = [m for m in ("pyspark", "sqlglot") if importlib.util.find_spec(m) is None]
    if libs:
        return f"the Spark engine needs {' and '.join(libs)}: pip install -e '.[spark]'"
    if java and shutil.which("java") is None:
        return "the Spark engine needs Java 17 or newer on PATH"
    return None


_HOST = r"[A-Za-z0-9_.-]+"
register(
    "spark",
    engine="spark",
    forms=("spark", "spark://HOST:PORT"),
    pattern=rf"spark(://{_HOST}:\d+(,{_HOST}:\d+)*)?",
    open=_open,
    missing=_missing,
)
register(
    "sc",
    engine="spark",
    forms=("sc://HOST:PORT",),
    pattern=rf"sc://{_HOST}(:\d+)?(/;\S*)?",
    open=_open,
    missing=lambda: _missing(java=False),
)
register(
    "local",
    engine="spark",
    forms=("local[N]",),
    pattern=r"local(\[([1-9]\d{0,3}|\*)\])?",  # 1 to 9999 threads, or every core
    open=_open,
    missing=_missing,
)
register("yarn", engine="spark", forms=("yarn",), pattern="yarn", open=_open, missing=_missing)
