"""The query engines, one module each behind one protocol (`base.Engine`), chosen by one setting.

`CONTACT_ATLAS_ENGINE` (or the command line's `--engine`) names the engine:
`duckdb` (the default: embedded, in this process), or Spark as `spark` (local,
two cores), `local[N]`, `spark://HOST:PORT`, `yarn` or `sc://HOST:PORT` (Spark
Connect). `open(store)` opens the engine the setting names on a store;
`names()` lists the engines, `forms()` every accepted setting. Every module of
this package other than `base` is imported here and registers its schemes
(see `base` for the protocol and for how to add an engine).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from typing import TYPE_CHECKING

from dashboard.engines.base import DEFAULT, VARIABLE, Engine, SettingError, forms, names, parse

if TYPE_CHECKING:
    from dashboard.store import Store

for _m in pkgutil.iter_modules(__path__):
    if _m.name != "base" and not _m.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_m.name}")


def default_setting() -> str:
    """The engine setting from the environment (`duckdb` when unset), checked."""
    if os.environ.get("CONTACT_ATLAS_SPARK_MASTER"):
        raise SettingError(
            f"CONTACT_ATLAS_SPARK_MASTER is no longer read: name the master in {VARIABLE}"
            " (spark://HOST:PORT, yarn, local[N]) or a Spark Connect server (sc://HOST:PORT)"
        )
    text = os.environ.get("CONTACT_ATLAS_ENGINE", "").strip() or DEFAULT
    return parse(text)[1].text


def open(store: Store, setting: str | None = None) -> Engine:
    """The engine `setting` names (else CONTACT_ATLAS_ENGINE's, else DuckDB's), opened on a store."""
    entry, parsed = parse(setting or default_setting())
    return entry.open(store, parsed)


def missing(setting: str) -> str | None:
    """What the engine a setting names needs and this machine lacks (a library, Java), or None."""
    return parse(setting)[0].missing()


__all__ = [
    "DEFAULT",
    "VARIABLE",
    "Engine",
    "SettingError",
    "default_setting",
    "forms",
    "missing",
    "names",
    "open",
    "parse",
]
