"""Load and validate a data folder into a `Corpus`.

Every YAML file below the folder may hold any of the sections `articles`,
`actors`, `places` and `events` (see docs/DATA.md). A broken record is
skipped with a `Problem` naming its file, record and field; every valid
record is kept.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ValidationError

from dashboard import folder
from dashboard.arrow import concat_categorical, isin, positions, strings
from dashboard.catalog import Catalog, _n
from dashboard.geocache import CACHE_NAME, Coordinates, read_cache
from dashboard.model import (
    INT_MEASURES,
    MEASURES,
    TAXONOMY,
    Actor,
    ActorKind,
    Article,
    Event,
    GeoPrecision,
    Place,
    PlaceKind,
    SourceRef,
)
from dashboard.problems import DataError, Problem, Severity
from dashboard.readers import bulk, reconcile, suspects, yamlio

SECTIONS: dict[str, type[BaseModel]] = {
    "articles": Article,
    "actors": Actor,
    "places": Place,
    "events": Event,
}
DEFAULT_DATA = Path("data")

EVENT_COLUMNS = [
    "id", "kind", "cameo", "summary", "precision", "start", "end", "place",
    "geo_precision", "origin", "attribution", "certainty", "note", "article",
    "dataset", "coding", "external_id", "suspect", *MEASURES,
]  # fmt: skip
SOURCE_COLUMNS = ["event", "article", "start", "end", "url", "title", "outlet", "date"]


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: an explicit path, else $DASHBOARD_DATA, else `data/`."""
    return Path(explicit or os.environ.get("DASHBOARD_DATA") or DEFAULT_DATA)


@dataclass(frozen=True, kw_only=True)
class Corpus(Catalog):
    """Everything a data folder holds, validated: the catalog, the article texts and the event frames.

    What the loader hands to `store.build` and to the command line's checks; the
    dashboard reads the store it is written to (`dashboard.atlas`).
    """

    texts: dict[str, str]
    events: pd.DataFrame
    participants: pd.DataFrame  # event, actor, role
    # event, article, start, end (the quote is texts[article][start:end]; -1 for a link-only
    # source), url, title, outlet, date
    sources: pd.DataFrame
    # Imported places and actors that are curated ones (`readers.reconcile`): imported id -> curated id.
    # The frames already name the curated ones; the records themselves are kept here, out of the
    # catalog, for a build that reads the bulk rows where they lie (`dashboard.sqlbuild`).
    same_places: dict[str, str] = field(default_factory=dict)
    same_actors: dict[str, str] = field(default_factory=dict)
    merged_places: dict[str, Place] = field(default_factory=dict)
    merged_actors: dict[str, Actor] = field(default_factory=dict)

    @functools.cached_property
    def participant_rows(self) -> np.ndarray:
        """Each participant row's event as a row number of `events` (computed once)."""
        return positions(self.participants["event"], self.events["id"])

    def events_with(self, actor_ids: Iterable[str]) -> np.ndarray:
        """A mask over `events`: those in which any of these actors takes part."""
        hit = isin(self.participants["actor"], list(actor_ids))
        mask = np.zeros(len(self.events), dtype=bool)
        rows = self.participant_rows[hit]
        mask[rows[rows >= 0]] = True
        return mask

    def has_event(self, event_id: str) -> bool:
        return bool((self.events["id"] == event_id).any())

    def quotes(self, sources: pd.DataFrame) -> list[str]:
        """The quoted text of each source span (spans are stored; quotes derive from the text)."""
        return [
            self.texts[a][s:e] if s >= 0 else None
            for a, s, e in sources[["article", "start", "end"]].itertuples(index=False)
        ]

    def summary(self) -> str:
        """One line: what loaded."""
        placed = sum(1 for p in self.places if p in self.coords)
        return (
            f"{_n(len(self.articles), 'article')}, {_n(len(self.actors), 'actor')}, "
            f"{_n(len(self.places), 'place')} ({placed} geocoded), "
            f"{_n(len(self.events), 'event')}, {_n(len(self.sources), 'source span')}"
        )


# --- reading files ------------------------------------------------------------------


@dataclass
class _Raw:
    """A record as read, with where it came from."""

    section: str
    data: yamlio.Mapping
    file: str
    index: int
    default_article: str | None

    @property
    def label(self) -> str:
        rid = self.data.get("id")
        return str(rid) if isinstance(rid, str) and rid else f"#{self.index + 1}"

    def problem(self, message: str, fld: str | None = None, **kw: Any) -> Problem:
        top = fld.split(".")[0].split("[")[0] if fld else None
        return Problem(self.file, message, self.label, fld, self.data.line_of(top), **kw)


def _yaml_files(root: Path) -> list[Path]:
    # Not in hidden folders (the cache, a .git): only the editors' files are data.
    return sorted(
        p for p in root.rglob("*")
        if p.suffix in {".yaml", ".yml"} and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts[:-1])
    )  # fmt: skip


def _read_files(root: Path, problems: list[Problem]) -> Iterator[_Raw]:
    for path in _yaml_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            doc = yamlio.load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
            continue
        except yamlio.YamlError as exc:
            held = _records_in_unparsable(path)
            lost = f"; none of its {_n(held, 'record')} loaded" if held else "; nothing in it loaded"
            problems.append(Problem(rel, f"{exc}{lost}", line=exc.line))
            continue
        if doc is None:
            continue
        if not isinstance(doc, yamlio.Mapping):
            problems.append(
                Problem(rel, "expected a mapping with articles, actors, places or events", line=1)
            )
            continue
        default_article = doc.get("article")
        for key in doc:
            if key not in SECTIONS and key != "article":
                problems.append(
                    Problem(
                        rel,
                        f"unknown section {key!r}; expected one of "
                        f"{', '.join(SECTIONS)} (or a default 'article')",
                        line=doc.line_of(key),
                    )
                )
        for section in SECTIONS:
            items = doc.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                problems.append(
                    Problem(rel, f"'{section}' must be a list of records", line=doc.line_of(section))
                )
                continue
            for i, item in enumerate(items):
                if not isinstance(item, yamlio.Mapping):
                    problems.append(Problem(rel, f"{section} #{i + 1} is not a mapping", record=f"#{i + 1}"))
                    continue
                yield _Raw(section, item, rel, i, default_article)


_RECORD_LINE = re.compile(r"^\s*-\s+(?:\{\s*)?id\s*:", re.MULTILINE)


def _records_in_unparsable(path: Path) -> int:
    """How many records a file that is not valid YAML held, counted by its `- id:` lines."""
    return len(_RECORD_LINE.findall(path.read_text(encoding="utf-8", errors="replace")))


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The record model a field holds, through lists, optionals and annotations (None if none)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _fields_at(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The fields of the record that holds the last part of `loc` (a nested source's, not its event's)."""
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # a list's item: the same model
        spec = model.model_fields.get(part)
        inner = _model_in(spec.annotation) if spec is not None else None
        if inner is None:
            break
        model = inner
    return list(model.model_fields)


def _validate(raw: _Raw, problems: list[Problem]) -> Any | None:
    model = SECTIONS[raw.section]
    try:
        return model.model_validate(raw.data)
    except ValidationError as exc:
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown field; expected one of {', '.join(_fields_at(model, err['loc']))}"
            problems.append(raw.problem(msg, _loc(err["loc"]) or None))
        return None


# --- the loader -----------------------------------------------------------------------


def load(root: str | os.PathLike[str] | None = None) -> Corpus:
    """Load and validate a data folder; never raises for bad records, only for a missing folder.

    The fingerprint is taken before any file is read: a file edited while it is
    read makes the fingerprint stale, never a store that looks current.
    """
    root = data_dir(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such data folder")
    before = folder.fingerprint(root)
    return replace(_load(root), fingerprint=before)


BULK_EVENTS = ("events", "participants", "sources")


def load_deferred(
    root: str | os.PathLike[str] | None = None,
) -> tuple[Corpus, dict[str, list[tuple[str, Path]]]]:
    """`load`, without reading the bulk events, participants and sources: the corpus of everything
    else (its events the hand-written ones), and the bulk files of those sections that passed the
    file-level checks, for `dashboard.sqlbuild` to check and copy where they lie."""
    root = data_dir(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such data folder")
    before = folder.fingerprint(root)
    deferred: dict[str, list[tuple[str, Path]]] = {}
    c = _load(root, deferred)
    return replace(c, fingerprint=before), deferred


def _load(root: Path, deferred: dict[str, list[tuple[str, Path]]] | None = None) -> Corpus:
    problems: list[Problem] = []
    records: dict[str, dict[str, tuple[_Raw, Any]]] = {s: {} for s in SECTIONS}
    copies: dict[tuple[str, str], list[_Raw]] = defaultdict(list)
    for raw in _read_files(root, problems):
        rec = _validate(raw, problems)
        if rec is None:
            continue
        copies[raw.section, rec.id].append(raw)
        records[raw.section].setdefault(rec.id, (raw, rec))
    # An id defined twice is ambiguous: which copy is the real record is for the editor to say,
    # so every copy is reported and none is used (a stray copy must not shadow the real one).
    for (section, rid), raws in copies.items():
        if len(raws) > 1:
            records[section].pop(rid)
            for raw in raws:
                others = ", ".join(f"{o.file}:{o.data.line}" for o in raws if o is not raw)
                problems.append(raw.problem(f"duplicate id, also defined at {others}; no copy is used", "id"))

    # Two places that give one GeoNames feature are one place written twice, or one is wrong: an import
    # naming that feature would match neither (readers/reconcile.py), so the editor hears of it now.
    by_feature: dict[int, list[tuple[str, _Raw]]] = defaultdict(list)
    for pid, (raw, rec) in records["places"].items():
        if rec.geonames_id:
            by_feature[rec.geonames_id].append((pid, raw))
    for gid, named in by_feature.items():
        for pid, raw in named if len(named) > 1 else ():
            others = ", ".join(repr(o) for o, _ in named if o != pid)
            problems.append(raw.problem(f"GeoNames feature {gid} is also place {others}'s: one place "
                                        "written twice, or a wrong id", "geonames_id",
                                        severity=Severity.WARNING))  # fmt: skip

    articles, texts = _load_texts(root, records["articles"], problems)
    actors = {k: rec for k, (_, rec) in records["actors"].items()}
    places = {k: rec for k, (_, rec) in records["places"].items()}
    tables = bulk.read(root, problems, BULK_EVENTS if deferred is not None else ())
    if deferred is not None:
        deferred.update(tables.deferred)
    origins = _add_bulk_records(tables, problems, articles, texts, actors, places)
    places = _check_parents(places, records["places"], problems)
    coords, coord_sources, geonames = _coordinates(root, places, problems)
    same = reconcile.reconcile(places, actors, coords, geonames, origins)
    problems.extend(same.problems)
    events, participants, sources = _resolve_events(
        records["events"], articles, texts, actors, places, problems
    )
    if any(section in tables.frames for section in ("events", "participants", "sources")):
        events, participants, sources = _add_bulk_events(
            tables, problems, (events, participants, sources), texts, actors, places
        )
        events = suspects.mark(events, places, actors)
    # Checked, placed and flagged by their own records: now the curated ones stand for them.
    events = events.assign(place=_renamed(events["place"], same.places),
                           origin=_renamed(events["origin"], same.places))  # fmt: skip
    participants = participants.assign(actor=_renamed(participants["actor"], same.actors))
    merged_places = {k: places.pop(k) for k in same.places}
    merged_actors = {k: actors.pop(k) for k in same.actors}
    for k in same.places:
        coords.pop(k, None)
        coord_sources.pop(k, None)
    return Corpus(
        root=root,
        articles=articles,
        texts=texts,
        actors=actors,
        places=places,
        coords=coords,
        coord_sources=coord_sources,
        events=events,
        participants=participants,
        sources=sources,
        problems=tuple(problems),
        same_places=same.places,
        same_actors=same.actors,
        merged_places=merged_places,
        merged_actors=merged_actors,
    )


def _renamed(values: pd.Series, to: dict[str, str]) -> pd.Series:
    """A categorical column with some of its values replaced (each distinct value looked up once)."""
    if not to:
        return values
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    cats = [str(c) for c in cat.cat.categories]
    if not any(c in to for c in cats):
        return values
    lookup = np.asarray([to.get(c, c) for c in cats] + [None], dtype=object)
    codes = cat.cat.codes.to_numpy()
    return pd.Series(lookup[np.where(codes < 0, len(cats), codes)], index=values.index).astype("category")


def _add_bulk_records(
    tables: bulk.Tables,
    problems: list[Problem],
    articles: dict[str, Article],
    texts: dict[str, str],
    actors: dict[str, Actor],
    places: dict[str, Place],
) -> dict[str, tuple[str, int | None]]:
    """Checked bulk articles, actors and places join the hand-written ones; returns where each bulk
    actor and place was read (file, row)."""
    origins: dict[str, tuple[str, int | None]] = {}
    for rec in bulk.check_simple("articles", tables.get("articles"), problems, articles).to_dict("records"):
        texts[rec["id"]] = rec["text"]
        articles[rec["id"]] = Article.model_construct(
            id=rec["id"], title=rec["title"], publisher=rec["publisher"],
            published=pd.Timestamp(rec["published"]).date(), url=_na(rec["url"]),
            language=_na(rec["language"]) or "en", text="(bulk)",
        )  # fmt: skip
    for rec in bulk.check_simple("actors", tables.get("actors"), problems, actors).to_dict("records"):
        origins[rec["id"]] = (rec["_file"], int(rec["_row"]))
        actors[rec["id"]] = Actor.model_construct(
            id=rec["id"], name=rec["name"], aliases=_aliases(rec["aliases"]), kind=ActorKind(rec["kind"]),
            country=_na(rec["country"]), roles=[],
        )  # fmt: skip
    for rec in bulk.check_simple("places", tables.get("places"), problems, places).to_dict("records"):
        gid = _na(rec["geonames_id"])
        origins[rec["id"]] = (rec["_file"], int(rec["_row"]))
        places[rec["id"]] = Place.model_construct(
            id=rec["id"], name=rec["name"], aliases=[], kind=PlaceKind(rec["kind"]), country=rec["country"],
            parent=_na(rec["parent"]), lat=_na(rec["lat"]), lon=_na(rec["lon"]),
            geonames_id=int(gid) if gid is not None else None, feature_id=_na(rec["feature_id"]),
        )  # fmt: skip
    return origins


def _aliases(value: Any) -> list[str]:
    """A bulk actor's aliases: a list column, or missing."""
    if value is None or isinstance(value, float):
        return []
    return [str(x) for x in value if x]


def _add_bulk_events(
    tables: bulk.Tables,
    problems: list[Problem],
    hand: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    texts: dict[str, str],
    actors: dict[str, Actor],
    places: dict[str, Place],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Bulk events, checked column-wise, join the hand-written ones."""
    ev = bulk.check_events(tables.get("events"), problems, hand[0]["id"], places)
    parts, part_rows = bulk.check_refs(
        "participants",
        tables.get("participants"),
        problems,
        ev["id"],
        actor=(pd.Index(list(actors)), "actor"),
    )
    srcs, src_rows = bulk.check_sources(tables.get("sources"), problems, ev["id"], texts)
    has_parts = np.bincount(part_rows, minlength=len(ev)) > 0
    has_srcs = np.bincount(src_rows, minlength=len(ev)) > 0
    checker = bulk.Checker("events", ev, problems)
    checker.fail(~has_parts, "participants", "no valid participant rows")
    checker.fail(~has_srcs, "sources", "no valid source rows")
    if not checker.ok.all():
        keep, renumber = checker.ok, np.cumsum(checker.ok) - 1
        ev = ev[keep]
        parts, part_rows = parts[keep[part_rows]], renumber[part_rows[keep[part_rows]]]
        srcs, src_rows = srcs[keep[src_rows]], renumber[src_rows[keep[src_rows]]]
    root = ev["kind"].map({k: v.cameo for k, v in TAXONOMY.items()}).astype(object)
    given = ev["cameo"].astype(object)
    cameo = pd.Series(np.where(given.notna(), given, root), index=ev.index).astype("category")
    place_kind = {p: x.kind.value for p, x in places.items()}
    geo = ev["geo_precision"]
    if geo.isna().any():
        implied = ev["place"].map(place_kind).astype(object)
        geo = pd.Series(np.where(geo.isna(), implied, geo.astype(object)), index=ev.index).astype("category")
    # Each event's article is its first source's: the first row per event, placed by row number.
    first = np.full(len(ev), -1, dtype=np.int64)
    order = np.argsort(src_rows, kind="stable")
    rows_sorted = src_rows[order]
    starts = np.flatnonzero(np.r_[True, rows_sorted[1:] != rows_sorted[:-1]]) if len(order) else order
    first[rows_sorted[starts]] = order[starts]
    article_codes = srcs["article"].cat.codes.to_numpy() if len(srcs) else np.zeros(0, np.int64)
    codes = np.where(first >= 0, article_codes[np.clip(first, 0, None)] if len(srcs) else -1, -1)
    article = pd.Categorical.from_codes(
        codes, categories=srcs["article"].cat.categories if len(srcs) else pd.Index([], dtype="str")
    )
    ev = ev.assign(cameo=cameo, geo_precision=geo, article=article)
    events = events_frame(hand[0], ev[EVENT_COLUMNS])
    participants = pd.DataFrame(
        {
            "event": pd.concat([hand[1]["event"], parts["event"]], ignore_index=True).astype("str"),
            "actor": concat_categorical([hand[1]["actor"], parts["actor"]]),
            "role": concat_categorical([hand[1]["role"], parts["role"]]),
        }
    )
    sources = pd.DataFrame(
        {
            "event": pd.concat([hand[2]["event"], srcs["event"]], ignore_index=True).astype("str"),
            "article": concat_categorical([hand[2]["article"], srcs["article"]]),
            "start": pd.concat([hand[2]["start"], srcs["start"]], ignore_index=True).astype("int64"),
            "end": pd.concat([hand[2]["end"], srcs["end"]], ignore_index=True).astype("int64"),
            "url": pd.concat([hand[2]["url"], srcs["url"]], ignore_index=True).astype(object),
            "title": pd.concat([hand[2]["title"], srcs["title"]], ignore_index=True).astype(object),
            "outlet": concat_categorical([hand[2]["outlet"].astype("category"), srcs["outlet"]]),
            "date": pd.concat(
                [hand[2]["date"].astype("datetime64[s]"), srcs["date"].astype("datetime64[s]")],
                ignore_index=True,
            ),
        }
    )
    return events, participants, sources


def _na(value: Any) -> Any:
    """None for a missing value, whatever form pandas gave it."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _load_texts(
    root: Path, recs: dict[str, tuple[_Raw, Any]], problems: list[Problem]
) -> tuple[dict[str, Article], dict[str, str]]:
    articles: dict[str, Article] = {}
    texts: dict[str, str] = {}
    inside = root.resolve()
    for aid, (raw, art) in recs.items():
        path = (root / raw.file).parent / art.text
        # A text path is the editor's to choose, but never one that leaves the data folder
        # (`../../etc/passwd`, an absolute path, or a symlink pointing out of it).
        if not path.resolve().is_relative_to(inside):
            problems.append(raw.problem(f"text file {art.text!r} is outside the data folder", "text"))
            continue
        try:
            # newline="" keeps the text byte-for-byte, so offsets stay true.
            with path.open(encoding="utf-8", newline="") as fh:
                texts[aid] = fh.read()
        except FileNotFoundError:
            problems.append(raw.problem(f"text file {art.text!r} not found beside the record", "text"))
            continue
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(raw.problem(f"cannot read {art.text!r}: {exc}", "text"))
            continue
        articles[aid] = art
    return articles, texts


def _check_parents(
    places: dict[str, Place], recs: dict[str, tuple[_Raw, Any]], problems: list[Problem]
) -> dict[str, Place]:
    kept = dict(places)

    def report(pid: str, message: str) -> None:
        if pid in recs:
            problems.append(recs[pid][0].problem(message, "parent"))
        else:
            problems.append(Problem("(bulk places)", message, pid, "parent"))
        kept.pop(pid, None)

    for pid, place in places.items():
        if place.parent and place.parent not in places:
            report(pid, _unknown("place", place.parent, places))
            continue
        # Walk up the parents: a place inside itself, directly or through others, has no location.
        chain, at = [pid], place.parent
        while at and at in places and at not in chain:
            chain.append(at)
            at = places[at].parent
        if at == pid:
            loop = " → ".join([*chain, pid])
            report(
                pid,
                "a place cannot be its own parent" if len(chain) == 1 else f"parents form a cycle: {loop}",
            )
    # A place whose parent was dropped is dropped too, so no kept place points nowhere.
    changed = True
    while changed:
        changed = False
        for pid in list(kept):
            parent = kept[pid].parent
            if parent and parent not in kept:
                report(pid, f"parent place {parent!r} is not usable (see its own problem)")
                changed = True
    return kept


def _coordinates(
    root: Path, places: dict[str, Place], problems: list[Problem]
) -> tuple[dict[str, Coordinates], dict[str, str], dict[str, int]]:
    """Pinned coordinates, else the cache's — never a geocoder call; and the GeoNames ids the cache
    found (for the places whose coordinates it gives)."""
    try:
        cache = read_cache(root)
    except ValueError as exc:
        problems.append(Problem(CACHE_NAME, str(exc).split(": ", 1)[1]))
        cache = {}
    coords: dict[str, Coordinates] = {}
    source: dict[str, str] = {}
    geonames: dict[str, int] = {}
    for pid, place in places.items():
        if place.lat is not None and place.lon is not None:
            coords[pid], source[pid] = Coordinates(place.lat, place.lon), "pinned"
            continue
        entry = cache.get(pid)
        if entry and entry.query == place.name and entry.country == place.country:
            coords[pid], source[pid] = entry.coordinates, entry.source
            if entry.geonames_id:
                geonames[pid] = entry.geonames_id
        else:
            why = "stale (name or country changed)" if entry else "not geocoded yet"
            problems.append(
                Problem(
                    CACHE_NAME,
                    f"{why}: run `python -m dashboard geocode`",
                    record=pid,
                    severity=Severity.WARNING,
                )
            )
    return coords, source, geonames


def _unknown(what: str, ref: str, known: dict[str, Any]) -> str:
    close = [k for k in known if ref.split("-", maxsplit=1)[0] in k][:3]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown {what} {ref!r}{hint}"


def _find_span(src: SourceRef, text: str, article: str) -> tuple[int, int] | str:
    """The (start, end) of a source's quote in its article, or what is wrong."""
    q = src.quote
    if src.start is not None or src.end is not None:
        if src.start is None or src.end is None:
            return "give both start and end, or neither (the quote is then located)"
        if not 0 <= src.start < src.end <= len(text):
            return f"span {src.start}–{src.end} is outside article {article!r} (0–{len(text)})"
        if text[src.start : src.end] != q:
            return (
                f"quote does not equal the article's text at {src.start}–{src.end}, "
                f"which reads {text[src.start : src.end]!r}"
            )
        return src.start, src.end
    hits = []
    at = text.find(q)
    while at != -1:
        hits.append(at)
        at = text.find(q, at + 1)
    if not hits:
        return f"quote not found in article {article!r} (it must match the text exactly)"
    if src.occurrence is not None:
        if src.occurrence > len(hits):
            return f"occurrence {src.occurrence}, but the quote occurs {len(hits)} time(s)"
        start = hits[src.occurrence - 1]
    elif len(hits) > 1:
        return (
            f"quote is ambiguous: it occurs {len(hits)} times (at {', '.join(map(str, hits))}); "
            f"add occurrence: 1 to {len(hits)}"
        )
    else:
        start = hits[0]
    return start, start + len(q)


def _resolve_events(
    recs: dict[str, tuple[_Raw, Any]],
    articles: dict[str, Article],
    texts: dict[str, str],
    actors: dict[str, Actor],
    places: dict[str, Place],
    problems: list[Problem],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rows: list[dict[str, Any]] = []
    parts: list[tuple[str, str, str | None]] = []
    srcs: list[tuple[str, str, int, int]] = []
    for eid, (raw, ev) in recs.items():
        errs: list[Problem] = []
        for i, p in enumerate(ev.participants):
            if p.actor not in actors:
                errs.append(raw.problem(_unknown("actor", p.actor, actors), f"participants[{i}].actor"))
        for fld in ("place", "origin"):
            ref = getattr(ev, fld)
            if ref is not None and ref not in places:
                errs.append(raw.problem(_unknown("place", ref, places), fld))
        spans: list[tuple[str, int, int, str]] = []
        for i, src in enumerate(ev.sources):
            art = src.article or raw.default_article
            if art is None:
                errs.append(
                    raw.problem(
                        "no article: name one here or at the top of the file", f"sources[{i}].article"
                    )
                )
                continue
            if art not in articles:
                errs.append(raw.problem(_unknown("article", art, articles), f"sources[{i}].article"))
                continue
            found = _find_span(src, texts[art], art)
            if isinstance(found, str):
                errs.append(raw.problem(found, f"sources[{i}].quote"))
            else:
                spans.append((art, found[0], found[1], src.quote))
        if errs:
            problems.extend(errs)
            continue
        when = ev.when
        place = places.get(ev.place) if ev.place else None
        geo = ev.geo_precision or (GeoPrecision(place.kind.value) if place else None)
        rows.append(
            {
                "id": eid,
                "kind": ev.kind.value,
                "cameo": TAXONOMY[ev.kind.value].cameo,
                "summary": ev.summary,
                "precision": when.precision.value,
                "start": when.start,
                "end": when.end,
                "place": ev.place,
                "geo_precision": geo.value if geo else None,
                "origin": ev.origin,
                "attribution": ev.attribution,
                "certainty": ev.certainty.value,
                "note": ev.note,
                "article": spans[0][0],
                "dataset": "curated",
                "coding": "draft" if ev.status == "draft" else "human",
            }
        )
        parts.extend((eid, p.actor, p.role) for p in ev.participants)
        srcs.extend((eid, *s[:3]) for s in spans)
    return (
        events_frame(rows),
        pd.DataFrame(parts, columns=["event", "actor", "role"]).astype(
            {"event": "str", "actor": "category", "role": "category"}
        ),
        pd.DataFrame([(*x, None, None, None, None) for x in srcs], columns=SOURCE_COLUMNS).astype(
            {
                "event": "str",
                "article": "category",
                "start": "int64",
                "end": "int64",
                "url": object,
                "title": object,
                "outlet": "category",
                "date": "datetime64[s]",
            }
        ),
    )


# Columns with few distinct values are categoricals: small in memory, fast to filter and group.
CATEGORY_COLUMNS = ("kind", "cameo", "precision", "place", "geo_precision", "origin", "attribution",
                    "certainty", "article", "dataset", "coding", "suspect")  # fmt: skip
NUMBER_COLUMNS = {m: ("Int64" if m in INT_MEASURES else "Float64") for m in MEASURES}


def events_frame(*parts: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Events in canonical column types and order: by date (undated last), then id.

    `id`, `summary` and `note` are pandas strings, the columns in
    CATEGORY_COLUMNS categoricals (missing values are NaN: use `records` or
    `pd.isna`, never truthiness); dates are datetime64 (NaT when unknown).
    """
    frames = [pd.DataFrame(p, columns=EVENT_COLUMNS) if not isinstance(p, pd.DataFrame) else p for p in parts]
    frames = [f for f in frames if len(f)] or frames[:1]
    df = pd.DataFrame(index=range(sum(len(f) for f in frames)))
    for col in EVENT_COLUMNS:
        values = [f[col].reset_index(drop=True) for f in frames]
        if col in ("start", "end"):
            df[col] = pd.concat(
                [pd.to_datetime(v).astype("datetime64[s]") for v in values], ignore_index=True
            )
        elif col in CATEGORY_COLUMNS:
            values = [v if isinstance(v.dtype, pd.CategoricalDtype) else v.astype("category") for v in values]
            df[col] = (
                concat_categorical(values) if any(len(v) for v in values) else pd.Series([], dtype="category")
            )
        elif col in NUMBER_COLUMNS:
            df[col] = pd.concat(
                [pd.to_numeric(v, errors="coerce").astype(NUMBER_COLUMNS[col]) for v in values],
                ignore_index=True,
            )
        elif col == "external_id":
            df[col] = pd.concat([v.astype(object) for v in values], ignore_index=True)
        else:
            df[col] = pd.concat([v.astype("str") for v in values], ignore_index=True)
    keys = pa.table({"start": pa.array(df["start"], from_pandas=True), "id": strings(df["id"])})
    order = pc.sort_indices(keys, sort_keys=[("start", "ascending", "at_end"), ("id", "ascending", "at_end")])
    return df.take(order.to_numpy()).reset_index(drop=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for every missing value."""
    return [{k: _na(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def by_event(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Group a participants or sources frame by event id."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records(frame):
        out[rec["event"]].append(rec)
    return out
