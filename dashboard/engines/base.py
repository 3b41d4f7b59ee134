"""The Engine protocol, and the registry that turns the engine setting into an engine.

An engine runs the views' queries (`dashboard.query`) over a store's tables.
Every query is written once, in DuckDB's SQL, with its values as named
parameters (`$kinds`); an engine runs it as it is or translates it, binds
the same values, and answers in Arrow. It needs only:

- `name`: what it is called in the command line's output and in tests
  (`duckdb`, `spark`);
- `table(sql, params)`: the answer as a `pyarrow.Table`;
- `rows(sql, params)`: the same answer as a list of dicts, one per row.

An engine is opened on one `Store` and queries the store's tables by their
names (`store.TABLES`); it may read them however it likes (as views, copied
into memory, from its own files), but it must answer every query the same
way DuckDB does, byte for byte, and be safe to call from several threads.

The engine setting — `CONTACT_ATLAS_ENGINE`, or `--engine` on the command
line — is one string whose scheme (the word it starts with: `duckdb`,
`spark`, `sc`, `local`, `yarn`) picks the entry in the registry. Adding an
engine is one new module in `dashboard/engines/` that defines the engine and
calls `register()` for each scheme it answers; `dashboard.engines` imports
every module of the package, so nothing else changes. An engine module
imports its own library (a client, a driver) only when an engine is opened,
so listing the engines costs nothing and a missing optional library is an
error only for whoever asks for that engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from dashboard.store import Store

VARIABLE = "CONTACT_ATLAS_ENGINE"
DEFAULT = "duckdb"


class Engine(Protocol):
    """Runs a view's query (DuckDB's SQL, named `$parameters`) over one store's tables."""

    name: str

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table: ...

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...


class SettingError(ValueError):
    """The engine setting names no registered engine, or a form its engine does not accept."""


@dataclass(frozen=True)
class Setting:
    """An engine setting as given (`text`), and the scheme that picks its entry in the registry."""

    text: str
    scheme: str


@dataclass(frozen=True)
class Entry:
    """One scheme of one engine: the settings it accepts, and how to open an engine on a store."""

    engine: str  # the engine's name (several schemes may open one engine)
    scheme: str
    forms: tuple[str, ...]  # the accepted settings as the docs and errors show them
    pattern: re.Pattern[str]  # a setting of this scheme must match it whole
    open: Callable[[Store, Setting], Engine]
    missing: Callable[[], str | None]  # what the engine needs that is not installed, or None


REGISTRY: dict[str, Entry] = {}


def register(
    scheme: str,
    *,
    engine: str,
    forms: tuple[str, ...],
    pattern: str,
    open: Callable[[Store, Setting], Engine],
    missing: Callable[[], str | None] = lambda: None,
) -> None:
    """Make settings of this scheme open this engine (one call per scheme an engine answers)."""
    if scheme in REGISTRY and REGISTRY[scheme].engine != engine:
        raise ValueError(f"engine scheme {scheme!r} is registered twice: {REGISTRY[scheme].engine}, {engine}")
    REGISTRY[scheme] = Entry(engine, scheme, forms, re.compile(pattern), open, missing)


def names() -> tuple[str, ...]:
    """The registered engines' names, in registration order, the default first."""
    found = dict.fromkeys(e.engine for e in REGISTRY.values())
    return tuple(sorted(found, key=lambda n: n != DEFAULT))


def forms() -> tuple[str, ...]:
    """Every accepted form of the setting, for help texts and errors."""
    return tuple(f for e in REGISTRY.values() for f in e.forms)


def parse(text: str, source: str = VARIABLE) -> tuple[Entry, Setting]:
    """The registry's entry for a setting, or a SettingError naming `source` and every accepted form."""
    given = text.strip()
    m = re.match(r"[A-Za-z][A-Za-z0-9_+.-]*", given)
    scheme = m[0].lower() if m else ""
    entry = REGISTRY.get(scheme)
    if entry is None:
        raise SettingError(f"{source}={text!r} names no engine: use one of {', '.join(forms())}")
    setting = Setting(scheme + given[len(scheme) :], scheme)
    if not entry.pattern.fullmatch(setting.text):
        raise SettingError(
            f"{source}={text!r} is not a setting the {entry.engine} engine accepts:"
            f" use one of {', '.join(forms())}"
        )
    return entry, setting
