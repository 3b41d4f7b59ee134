"""What the reader has narrowed the corpus to, and its form in a URL.

`Filters` is a frozen value that knows nothing of HTTP or Streamlit. The
command line, the pages and the URL all go through `apply`, `from_query` and
`to_query`, so a link, an export and a page agree on what a filter means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard import daterange, zoom
from dashboard.arrow import isin
from dashboard.catalog import Catalog
from dashboard.countries import country_name, iso3_codes
from dashboard.linkwords import lower, pick, refused, shown, upper
from dashboard.model import TAXONOMY, ActorKind, Certainty, Coding, Dataset, is_id
from dashboard.readers.corpus import Corpus

# URL parameter for each set-valued filter, in the order they appear in a link.
SET_PARAMS = {
    "kinds": "kind",
    "actors": "actor",
    "countries": "country",
    "places": "place",
    "certainties": "certainty",
    "articles": "article",
    "datasets": "dataset",
    "codings": "coding",
}
_SET_KEYS = frozenset(SET_PARAMS.values())
DATE_PARAMS = {"start": "from", "end": "to"}
BETWEEN_PARAM = "between"
CORROBORATION_PARAM = "corroboration"
# Which side of the tie between curated events and machine stories (dashboard.stories) to show:
# corroborated (curated events a story corroborates, and those stories' records), curated (curated
# events no story corroborates), machine (imported records in stories that corroborate nothing).
CORROBORATION = ("corroborated", "curated", "machine")
EVENT_PARAM = "event"
LANES_PARAM = "lanes"
LANES = ("kind", "actor")
NETWORK_PARAM = "network"
RECORDS_PARAM = "records"
# How the timeline draws imported records: one mark a story (its earliest record in view), or each record.
RECORDS = ("stories", "raw")
NETWORK = ("actor", "country", "group")  # what the contact network's nodes are; a link may say "countries"
# The views' zoom (timeline span, map view) is read by dashboard.zoom; listed here so it is not "unknown".
PARAMS = (
    *DATE_PARAMS.values(),
    *SET_PARAMS.values(),
    BETWEEN_PARAM,
    CORROBORATION_PARAM,
    EVENT_PARAM,
    LANES_PARAM,
    NETWORK_PARAM,
    RECORDS_PARAM,
    *zoom.PARAMS,
)
VIEW_SETTINGS = {"event", "lanes", "network", "records"}  # Filters' fields that say how to show, not what
MAX_NOTICES = 5  # a link with thousands of junk values gets five notices and a count, not a wall of them
# The parameters whose values are words from a fixed list (dashboard.linkwords reads them all: any case,
# written back in this spelling). The zoom's words are dashboard.zoom's.
CHOICES: dict[str, tuple[str, ...]] = {
    "kind": tuple(TAXONOMY),
    "certainty": tuple(c.value for c in Certainty),
    "dataset": tuple(d.value for d in Dataset),
    "coding": tuple(c.value for c in Coding),
    CORROBORATION_PARAM: CORROBORATION,
    LANES_PARAM: LANES,
    NETWORK_PARAM: NETWORK,
    RECORDS_PARAM: RECORDS,
}
ALIASES = {NETWORK_PARAM: {"actors": "actor", "countries": "country", "groups": "group"}}
MORE = {"kind": "the About page lists them"}  # where a notice too short to list them all points
# Set-valued parameters that name records by id, lower case by the model's rule; `country` names ISO
# codes, upper case. Both are read in any case too; what they may name depends on the corpus, and a
# notice says "not in this corpus".
ID_PARAMS = frozenset({"actor", "place", "article"})


# Dates a reader may ask for: those the data may hold (docs/DATA.md); anything else in a URL is a typo.
DATE_MIN, DATE_MAX = daterange.EARLIEST, daterange.LATEST


@dataclass(frozen=True)
class Filters:
    """A reader's view: every field empty means "everything"."""

    start: date | None = None
    end: date | None = None
    kinds: frozenset[str] = field(default_factory=frozenset)
    actors: frozenset[str] = field(default_factory=frozenset)
    countries: frozenset[str] = field(default_factory=frozenset)
    places: frozenset[str] = field(default_factory=frozenset)
    certainties: frozenset[str] = field(default_factory=frozenset)
    articles: frozenset[str] = field(default_factory=frozenset)
    datasets: frozenset[str] = field(default_factory=frozenset)  # curated, gdelt, acled
    codings: frozenset[str] = field(default_factory=frozenset)  # human, machine, draft
    # Contacts between two sides: each a country (USA), a group (USA:person) or an actor id.
    between: tuple[str, str] | None = None
    corroboration: str | None = None  # one of CORROBORATION; answered by the store (query.where)
    event: str | None = None  # the selected event; it does not narrow
    lanes: str = "kind"  # how the timeline groups events; it does not narrow
    network: str = "actor"  # what the network's nodes are; it does not narrow
    records: str = "stories"  # imported records drawn a mark a story, or raw; it does not narrow

    @classmethod
    def of(cls, **kw: object) -> Filters:
        """Build from plain values: lists become frozensets, ISO strings become dates."""
        out: dict[str, object] = {}
        for name, value in kw.items():
            if name in SET_PARAMS:
                out[name] = frozenset(value or ())  # type: ignore[arg-type]
            elif name in DATE_PARAMS and isinstance(value, str):
                out[name] = date.fromisoformat(value)
            elif name == "between" and value:
                a, b = value.split(",") if isinstance(value, str) else value  # type: ignore[attr-defined]
                out[name] = (a, b)
            else:
                out[name] = value
        return cls(**out)  # type: ignore[arg-type]

    def with_event(self, event: str | None) -> Filters:
        return replace(self, event=event)

    @property
    def narrows(self) -> bool:
        """True when any filter (not the selection) is set."""
        return any(getattr(self, f.name) for f in fields(self) if f.name not in VIEW_SETTINGS)


def descendants(corpus: Corpus, place_ids: Iterable[str]) -> set[str]:
    """The places and every place inside them (a site inside a city)."""
    out = set(place_ids)
    grew = True
    while grew:
        inner = {pid for pid, p in corpus.places.items() if p.parent in out} - out
        out |= inner
        grew = bool(inner)
    return out


# The filters that keep an event by one column of its own: (the filter's field, the event's column).
CHOSEN_COLUMNS = (
    ("kinds", "kind"), ("certainties", "certainty"), ("articles", "article"), ("datasets", "dataset"),
    ("codings", "coding"),
)  # fmt: skip


def mask(corpus: Corpus, f: Filters) -> np.ndarray:
    """A boolean mask over `corpus.events` for the events the filters keep.

    Dates keep every event whose interval overlaps [start, end]; an unknown
    start counts as open-ended, so "before 21 June 2025" overlaps any earlier
    range. Actors, countries and places keep events that involve any of those
    chosen; a place includes the sites inside it. `corroboration` needs the store's stories: the
    engine answers it (`query.where`), this mask does not.
    """
    ev = corpus.events
    keep = np.ones(len(ev), dtype=bool)
    if f.start is not None:
        keep &= ~(ev["end"] < pd.Timestamp(f.start)).to_numpy()
    if f.end is not None:
        keep &= ~(ev["start"] > pd.Timestamp(f.end)).to_numpy()
    for name, column in CHOSEN_COLUMNS:
        chosen = getattr(f, name)
        if chosen:
            keep &= isin(ev[column], chosen)
    if f.actors:
        keep &= corpus.events_with(f.actors)
    if f.countries:
        # An event involves a country through a participant's country, its place or its origin.
        actors = [a for a, x in corpus.actors.items() if x.country in f.countries]
        places = [p for p, x in corpus.places.items() if x.country in f.countries]
        keep &= corpus.events_with(actors) | isin(ev["place"], places) | isin(ev["origin"], places)
    if f.places:
        inside = descendants(corpus, f.places)
        keep &= isin(ev["place"], inside) | isin(ev["origin"], inside)
    if f.between:
        # Two distinct participants of the event, one of each side.
        parts = corpus.participants[["event", "actor"]].drop_duplicates()
        a, b = (parts[isin(parts["actor"], side_actors(corpus, s))] for s in f.between)
        pairs = a.merge(b, on="event")
        keep &= isin(ev["id"], set(pairs["event"][pairs["actor_x"] != pairs["actor_y"]]))
    return keep


def apply(corpus: Corpus, f: Filters) -> pd.DataFrame:
    """The events the filters keep, in corpus order."""
    return corpus.events[mask(corpus, f)]


# --- between two sides ----------------------------------------------------------------------

# A side of `between`: an ISO alpha-3 code (every actor of that country), a group ("USA:person":
# the country's actors of one kind) or an actor id. Which one is read from its form alone.
_COUNTRY = re.compile(r"[A-Z]{3}")
ACTOR_KINDS = tuple(k.value for k in ActorKind)


def side_kind(side: str) -> str | None:
    """'country', 'group' or 'actor' by the side's form; None when it can be none of them."""
    if _COUNTRY.fullmatch(side):
        return "country"
    country, sep, kind = side.partition(":")
    if sep:
        return "group" if _COUNTRY.fullmatch(country) and kind in ACTOR_KINDS else None
    return "actor" if is_id(side) else None


def group_id(country: str, kind: str) -> str:
    """A group's id, as links and the network name it: 'USA:person'."""
    return f"{country}:{kind}"


def side_actors(corpus: Catalog, side: str) -> set[str]:
    """The actors a side stands for (none when the corpus does not know it)."""
    kind = side_kind(side)
    if kind == "actor":
        return {side} if side in corpus.actors else set()
    country, _, group = side.partition(":")
    return {
        k for k, a in corpus.actors.items() if a.country == country and (not group or a.kind.value == group)
    }


def sides(corpus: Catalog) -> dict[str, list[str]]:
    """The sides a reader may choose, by kind: countries and groups that have actors, and every actor."""
    countries = sorted({a.country for a in corpus.actors.values() if a.country})
    groups = sorted({group_id(a.country, a.kind.value) for a in corpus.actors.values() if a.country})
    return {"country": countries, "group": groups, "actor": sorted(corpus.actors)}


class Between(NamedTuple):
    """`between`'s value as read: two sides, or None and `why` not; `notes` say how a side was read
    when its form could mean two things (the filter still applies)."""

    sides: tuple[str, str] | None
    why: str | None = None
    notes: tuple[str, ...] = ()


TWO_SIDES = "give two sides separated by a comma (USA,BLR)"


def _normal(side: str) -> str:
    """A country or group as links write it: 'usa' → 'USA', 'blr:PERSON' → 'BLR:person'; else as is."""
    country, sep, kind = side.partition(":")
    written = upper(country) + sep + lower(kind)
    return written if side_kind(written) in ("country", "group") else side


def read_between(corpus: Catalog, value: str) -> Between:
    """`between`'s value ("USA,BLR") as two sides, or why not, phrased for a reader (without the
    value itself: the link's notice and the command line each quote it their own way).

    An actor is named by its exact id, which wins; otherwise a country code or a group may be written
    in any case ("usa,blr:PERSON"). A lower-case form that is both an actor's id and a country's code
    ('blr' in a corpus with an actor 'blr') is read as the actor, with a note saying so.
    """
    given = [s.strip() for s in value.split(",")]
    if len(given) != 2 or not all(given):
        return Between(None, TWO_SIDES)
    out, notes = [], []
    for written in given:
        normal = _normal(written)
        side = written if written in corpus.actors else normal
        if side_kind(side) is None or not side_actors(corpus, side):
            return Between(
                None,
                f"{shown(side)} is no country, group or actor of this corpus "
                "(a country by its ISO code, USA; a group as USA:person; an actor by id)",
            )
        country = normal.partition(":")[0]
        if side != normal and country in iso3_codes():  # an actor's id that is a country's code too
            notes.append(
                f"Read between {shown(written)} as the actor {corpus.actors[side].name}; "
                f"the country {country_name(country)} is written {normal}"
            )
        out.append(side)
    a, b = out
    if a == b and len(side_actors(corpus, a)) < 2:
        return Between(
            None,
            f"{shown(a)} is on both sides, and it is one actor: a contact needs two distinct "
            "participants (give two different sides)",
        )
    return Between((a, b), None, tuple(notes))


# --- URL query strings -------------------------------------------------------------------


def choices(corpus: Catalog) -> dict[str, set[str]]:
    """The valid values of each set-valued filter for this corpus."""
    countries = {a.country for a in corpus.actors.values() if a.country}
    countries |= {p.country for p in corpus.places.values()}
    return {
        "kinds": set(TAXONOMY),
        "actors": set(corpus.actors),
        "countries": countries,
        "places": set(corpus.places),
        "certainties": {c.value for c in Certainty},
        "articles": set(corpus.articles),
        "datasets": {d.value for d in Dataset},
        "codings": {c.value for c in Coding},
    }


def from_query(corpus: Catalog, params: Mapping[str, str | list[str]]) -> tuple[Filters, list[str]]:
    """Read filters from query parameters, dropping what is invalid.

    Returns the filters and one notice per dropped value, phrased for a reader
    ("Ignored actor 'Putin': not in this corpus").
    """
    notices: list[str] = []
    valid = choices(corpus)

    def values(key: str) -> list[str]:
        raw = params.get(key, [])
        items = [raw] if isinstance(raw, str) else list(raw)
        return [v for item in items for v in item.split(",") if v.strip()]

    def one(key: str) -> str | None:
        """A one-value parameter's value: its last; other values given for it are noticed, not lost."""
        vals = values(key)
        if not vals:
            return None
        last = lower(vals[-1])
        others = [v for v in dict.fromkeys(vals[:-1]) if lower(v) != last]
        notices.extend(
            f"Ignored {key} {shown(v)}: a link holds one {key}; only the last one given is read"
            for v in others
        )
        return vals[-1]

    def choice(key: str) -> str | None:
        """A one-value parameter's word, in its canonical spelling; None (and a notice) if it is none."""
        given = one(key)
        if given is None:
            return None
        word = pick(given, CHOICES[key], ALIASES.get(key))
        if word is None:
            notices.append(refused(key, given, CHOICES[key], MORE.get(key, "")))
        return word

    kw: dict[str, object] = {}
    for name, key in SET_PARAMS.items():
        keep = []
        for v in map(str.strip, values(key)):
            if key in CHOICES:
                word = pick(v, CHOICES[key])
                if word is None:
                    notices.append(refused(key, v, CHOICES[key], MORE.get(key, "")))
                    continue
            else:
                word = lower(v) if key in ID_PARAMS else upper(v)
            if word in valid[name]:
                keep.append(word)
            else:
                notices.append(f"Ignored {key} {shown(v)}: not in this corpus")
        kw[name] = frozenset(keep)
    for name, key in DATE_PARAMS.items():
        raw_date = one(key)
        if raw_date is None:
            continue
        try:
            d = date.fromisoformat(raw_date.strip())
        except ValueError:
            notices.append(f"Ignored {key} {shown(raw_date)}: not a date (use YYYY-MM-DD)")
            continue
        if DATE_MIN <= d <= DATE_MAX:
            kw[name] = d
        else:
            notices.append(f"Ignored {key} {shown(raw_date)}: outside {DATE_MIN.year}–{DATE_MAX.year}")
    if kw.get("start") and kw.get("end") and kw["start"] > kw["end"]:  # type: ignore[operator]
        notices.append(f"Ignored from/to: {kw['start']} is after {kw['end']}")
        kw.pop("start"), kw.pop("end")
    between = params.get(BETWEEN_PARAM) or []
    # between=USA&between=BLR too; an empty `between=` is no filter, but a bare comma is a mistake.
    raw = between if isinstance(between, str) else ",".join(v for v in between if v)
    if raw.strip():
        read = read_between(corpus, raw)
        kw["between"] = read.sides
        notices.extend(read.notes)
        if read.why:
            notices.append(f"Ignored between {shown(raw)}: {read.why}")
    if (tie := choice(CORROBORATION_PARAM)) is not None:
        kw["corroboration"] = tie
    given = one(EVENT_PARAM)
    if given is not None:
        ev = lower(given)  # an id is lower case (the model's rule): a link may write it in any
        # A value that cannot be an id is never looked up (nor kept by a cache on the way).
        if not is_id(ev):
            notices.append(f"Ignored event {shown(given)}: not an event id (lower-case letters, digits, -)")
        elif corpus.has_event(ev):
            kw["event"] = ev
        else:
            notices.append(f"Ignored event {shown(given)}: no such event")
    for name, key in (("lanes", LANES_PARAM), ("network", NETWORK_PARAM), ("records", RECORDS_PARAM)):
        if (word := choice(key)) is not None:
            kw[name] = word
    unknown = sorted(set(params) - set(PARAMS))
    notices.extend(f"Ignored unknown parameter {shown(k)}" for k in unknown)
    if len(notices) > MAX_NOTICES:
        notices[MAX_NOTICES:] = [f"… and {len(notices) - MAX_NOTICES:,} more ignored values"]
    return Filters(**kw), notices  # type: ignore[arg-type]


def without_no_ops(f: Filters, first_end: date | None, last_start: date | None) -> Filters:
    """The same filters without dates that exclude nothing: a `from` on or before the corpus's first
    end date, a `to` on or after its last start. Links that differ only there show the same events,
    and views cached under this form are shared between them."""
    start = None if f.start is not None and (first_end is None or f.start <= first_end) else f.start
    end = None if f.end is not None and (last_start is None or f.end >= last_start) else f.end
    return replace(f, start=start, end=end)


# Streamlit drops a whole query string longer than this, or with more parameters, before the page
# sees it (streamlit.runtime.state.query_params): such a link opens unfiltered.
LINK_MAX_LENGTH = 512 * 1024
LINK_MAX_PARAMS = 1000


def link_params(f: Filters) -> dict[str, list[str]]:
    """`to_query` as a link writes it: each set of values comma-joined into one parameter
    (`kind=meeting,visit`), so a view of thousands of places is a handful of parameters, within
    Streamlit's limit of 1,000; `from_query` reads both forms."""
    return {k: [",".join(v)] if k in _SET_KEYS else v for k, v in to_query(f).items()}


def link_too_long(params: dict[str, list[str]]) -> bool:
    """Whether a link with these parameters would be dropped whole when it is opened again."""
    from urllib.parse import urlencode  # noqa: PLC0415 - only when a link is written

    return (
        sum(len(v) for v in params.values()) > LINK_MAX_PARAMS
        or len(urlencode(params, doseq=True)) > LINK_MAX_LENGTH
    )


def to_query(f: Filters) -> dict[str, list[str]]:
    """The canonical query parameters for a view: sorted, defaults left out."""
    out: dict[str, list[str]] = {}
    for name, key in DATE_PARAMS.items():
        d = getattr(f, name)
        if d is not None:
            out[key] = [d.isoformat()]
    for name, key in SET_PARAMS.items():
        vals = getattr(f, name)
        if vals:
            out[key] = sorted(vals)
    if f.between:
        out[BETWEEN_PARAM] = [",".join(f.between)]
    if f.corroboration:
        out[CORROBORATION_PARAM] = [f.corroboration]
    if f.event:
        out[EVENT_PARAM] = [f.event]
    if f.lanes != LANES[0]:
        out[LANES_PARAM] = [f.lanes]
    if f.network != NETWORK[0]:
        out[NETWORK_PARAM] = [f.network]
    if f.records != RECORDS[0]:
        out[RECORDS_PARAM] = [f.records]
    return out
