"""Bulk data: the same sections as the YAML files, as Parquet tables, checked column-wise.

A file named `NAME.SECTION.parquet` anywhere in the data folder holds one
section (articles, actors, places, events, participants or sources; see
docs/DATA.md, "Bulk data"). Every check the YAML loader makes on a record is
made here on whole columns, so a million events validate in well under a
second; a bad row is skipped with a `Problem` naming the file, the row, the
record and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard import daterange
from dashboard.arrow import blank, isin, matches, positions
from dashboard.countries import iso3_codes
from dashboard.model import (
    CAMEO_CODE,
    CONTROL_RE2,
    DEFAULT_CODING,
    MEASURE_RANGES,
    MEASURES,
    TAXONOMY,
    ActorKind,
    Certainty,
    Coding,
    Dataset,
    GeoPrecision,
    PlaceKind,
    Precision,
    control_character,
    measure_range,
)
from dashboard.problems import Problem

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
ISO3 = "an ISO 3166-1 alpha-3 country code (e.g. BLR, UKR, USA)"

# Columns each section must have, and those it may have.
REQUIRED: dict[str, tuple[str, ...]] = {
    "articles": ("id", "title", "publisher", "published", "text"),
    "actors": ("id", "name", "kind"),
    "places": ("id", "name", "kind", "country"),
    "events": ("id", "kind", "summary", "precision", "start", "end", "attribution", "certainty"),
    "participants": ("event", "actor"),
    "sources": ("event",),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "articles": ("url", "language"),
    "actors": ("country", "aliases"),
    "places": ("parent", "lat", "lon", "geonames_id", "feature_id"),
    "events": (
        "place",
        "geo_precision",
        "origin",
        "note",
        "dataset",
        "coding",
        "external_id",
        "cameo",
        "suspect",
        *MEASURES,
    ),
    "participants": ("role",),
    # A span of a stored article (article, start, end, and optionally its quote), or a link (url,
    # and optionally the linked page's title, outlet and date) — or both.
    "sources": ("article", "start", "end", "quote", "url", "title", "outlet", "date"),
}
URL_PATTERN = r"^https?://\S+$"
# Each column's Arrow type, as a writer of bulk files (synth, the imports) gives it; text otherwise.
TYPES: dict[str, pa.DataType] = {
    "published": pa.date32(), "start": pa.date32(), "end": pa.date32(), "date": pa.date32(),
    "lat": pa.float64(), "lon": pa.float64(), "geonames_id": pa.int64(), "aliases": pa.list_(pa.string()),
    "mentions": pa.int64(), "num_sources": pa.int64(), "num_articles": pa.int64(), "fatalities": pa.int64(),
    "goldstein": pa.float64(), "tone": pa.float64(),
}  # fmt: skip
SPAN_TYPES = {"start": pa.int64(), "end": pa.int64()}  # in sources, a span's offsets
# Each section's date columns: read as dates file by file, whatever each file stores them as.
DATES: dict[str, tuple[str, ...]] = {
    "events": ("start", "end"),
    "articles": ("published",),
    "sources": ("date",),
}
DATE_TYPES = "a date, a timestamp, or text YYYY-MM-DD"


def schema(section: str, columns: Iterable[str] | None = None) -> pa.Schema:
    """The Arrow schema of a bulk file of `section` with these columns (default: all, in order)."""
    names = list(columns) if columns is not None else [*REQUIRED[section], *OPTIONAL[section]]
    unknown = set(names) - {*REQUIRED[section], *OPTIONAL[section]}
    if unknown:
        raise ValueError(f"not {section} columns: {', '.join(sorted(unknown))}")
    types = {**TYPES, **SPAN_TYPES} if section == "sources" else TYPES
    return pa.schema([(c, types.get(c, pa.string())) for c in names])


SECTIONS = tuple(REQUIRED)
CATEGORICAL = {
    "events": (
        "kind",
        "precision",
        "place",
        "geo_precision",
        "origin",
        "attribution",
        "certainty",
        "note",
        "dataset",
        "coding",
        "cameo",
        "suspect",
    ),
    "participants": ("actor", "role"),
    "sources": ("article", "outlet"),
}


@dataclass
class Tables:
    """Every bulk table found, one frame per section, with `_file` and `_row` columns."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Sections left unread (`read(defer=...)`): each file that passed the file-level checks, with its
    # name relative to the data folder, for a reader that checks and copies them in SQL (dashboard.sqlbuild).
    deferred: dict[str, list[tuple[str, Path]]] = field(default_factory=dict)

    def get(self, section: str) -> pd.DataFrame:
        cols = [*REQUIRED[section], *OPTIONAL[section], "_file", "_row"]
        return self.frames.get(section, pd.DataFrame(columns=cols))


def bulk_files(root: Path) -> list[Path]:
    # Not in hidden folders: the stores live in .contact-atlas-cache.
    return sorted(p for p in root.rglob("*.parquet") if p.is_file() and not _hidden(p.relative_to(root)))


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts[:-1])


def read(root: Path, problems: list[Problem], defer: Iterable[str] = ()) -> Tables:
    """Read every `NAME.SECTION.parquet` below `root`; the sections in `defer` only have their files
    checked and listed (in `Tables.deferred`), not read."""
    parts: dict[str, list[pd.DataFrame]] = {}
    deferred: dict[str, list[tuple[str, Path]]] = {s: [] for s in defer}
    for path in bulk_files(root):
        rel = path.relative_to(root).as_posix()
        section = path.name.removesuffix(".parquet").rsplit(".", 1)[-1]
        if section not in REQUIRED:
            problems.append(
                Problem(
                    rel,
                    f"bulk files are named NAME.SECTION.parquet with SECTION one of {', '.join(SECTIONS)}",
                )
            )
            continue
        try:
            schema = pq.read_schema(path)
        except (OSError, ValueError) as exc:
            problems.append(Problem(rel, f"not a readable Parquet file ({exc})"))
            continue
        missing = [c for c in REQUIRED[section] if c not in schema.names]
        if missing:
            problems.append(Problem(rel, f"missing column(s) {', '.join(missing)} for {section}"))
            continue
        unknown = [c for c in schema.names if c not in REQUIRED[section] + OPTIONAL[section]]
        if unknown:
            problems.append(Problem(rel, f"unknown column(s) {', '.join(unknown)} for {section}"))
            continue
        if section in deferred:
            deferred[section].append((rel, path))
            continue
        # Low-cardinality columns arrive as categoricals: checks then look at a few hundred
        # distinct values instead of a million strings, and the frames stay small.
        dictionary = [c for c in CATEGORICAL.get(section, ()) if c in schema.names]
        table = pq.read_table(path, read_dictionary=dictionary)
        table, wrong = _with_dates(table, DATES.get(section, ()))
        if wrong:
            problems.extend(
                Problem(rel, f"must hold dates ({DATE_TYPES}), not {t}", None, col) for col, t in wrong
            )
            continue
        frame = table.to_pandas(date_as_object=False)
        for col in OPTIONAL[section]:
            if col not in frame:
                frame[col] = None
        frame["_file"] = rel
        frame["_row"] = np.arange(1, len(frame) + 1)
        parts.setdefault(section, []).append(frame)
    out = {}
    for section, frames in parts.items():
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        for col in CATEGORICAL.get(section, ()):
            # Files with different dictionaries concatenate to plain objects: categorical again.
            if col in frame and not isinstance(frame[col].dtype, pd.CategoricalDtype):
                frame[col] = frame[col].astype("category")
        out[section] = frame
    return Tables(out, deferred)


class Checker:
    """Collects row problems for one section and the mask of rows still valid."""

    def __init__(
        self, section: str, frame: pd.DataFrame, problems: list[Problem], id_col: str = "id"
    ) -> None:
        self.section = section
        self.frame = frame
        self.problems = problems
        self.ok = np.ones(len(frame), dtype=bool)
        self.id_col = id_col

    def fail(self, bad: np.ndarray | pd.Series, fld: str, message: str | Iterable[str]) -> None:
        """Mark rows bad; `message` is one text or one per bad row."""
        bad = np.asarray(bad, dtype=bool) & self.ok
        if not bad.any():
            return
        rows = self.frame.loc[bad, ["_file", "_row", self.id_col]]
        msgs = [message] * len(rows) if isinstance(message, str) else list(message)
        for (f, r, given), msg in zip(rows.itertuples(index=False, name=None), msgs, strict=True):
            rid = given if isinstance(given, str) and given else f"row {r}"
            self.problems.append(Problem(f, msg, rid, fld, int(r)))
        self.ok &= ~bad

    def required(self, *cols: str) -> None:
        for col in cols:
            self.fail(blank(self.frame[col]), col, "Field required")

    def pattern(self, col: str, regex: str, what: str, optional: bool = False) -> None:
        s = self.frame[col]
        present = s.notna().to_numpy()
        good = matches(s, regex)
        self.fail(present & ~good, col, f"must be {what}")
        if not optional:
            self.fail(~present, col, "Field required")

    def choice(
        self, col: str, allowed: Iterable[str], optional: bool = False, what: str | None = None
    ) -> None:
        allowed = list(allowed)
        s = self.frame[col]
        present = s.notna().to_numpy()
        good = isin(s, allowed)
        bad = present & ~good
        if what:
            self.fail(bad, col, (f"{v!r} is not {what}" for v in s[bad & self.ok]))
        else:
            self.fail(bad, col, f"Input should be {', '.join(repr(a) for a in allowed)}")
        if not optional:
            self.fail(~present, col, "Field required")

    def refers(self, col: str, known: Iterable[str], what: str, optional: bool = False) -> None:
        s = self.frame[col]
        present = s.notna().to_numpy()
        bad = present & ~isin(s, known)
        self.fail(bad, col, (f"unknown {what} {v!r}" for v in s[bad & self.ok]))
        if not optional:
            self.fail(~present, col, "Field required")

    def in_range(self, col: str, values: pd.Series) -> None:
        """Dates outside the one range the data may hold (`dashboard.daterange`), compared column-wise."""
        v = values.to_numpy(dtype="datetime64[D]")
        bad = ~np.isnat(v) & ((v < np.datetime64(daterange.EARLIEST)) | (v > np.datetime64(daterange.LATEST)))
        shown = np.datetime_as_string(v[bad & self.ok], unit="D")
        self.fail(bad, col, (f"{d} is {daterange.OUTSIDE}" for d in shown))

    def one_line(self, *cols: str) -> None:
        """Names, titles and links hold no line break, tab or other control character (the model's
        `control_character`, as the YAML loader refuses them), named as it names them."""
        for col in cols:
            if col not in self.frame:
                continue
            s = self.frame[col]
            bad = matches(s, CONTROL_RE2)
            what = "a link" if col == "url" else "a name, title or label"
            chars = (ord(control_character(v) or " ") for v in s[bad & self.ok])
            self.fail(
                bad,
                col,
                (f"holds the control character U+{c:04X}; {what} is one line of text" for c in chars),
            )

    def unique(self, seen: Iterable[str]) -> None:
        ids = self.frame[self.id_col]
        dup = ids.duplicated(keep="first").to_numpy() | isin(ids, list(seen))
        self.fail(dup, "id", "duplicate id")

    def valid(self) -> pd.DataFrame:
        return self.frame[self.ok]


def check_events(
    frame: pd.DataFrame, problems: list[Problem], seen: Iterable[str], places: Iterable[str]
) -> pd.DataFrame:
    """Column-wise checks of bulk events: ids, enums, dates and place references."""
    c = Checker("events", frame, problems)
    c.pattern("id", ID_PATTERN, "lower-case letters, digits and hyphens")
    c.unique(seen)
    c.choice("kind", TAXONOMY)
    c.required("summary", "attribution")
    c.one_line("attribution")
    c.choice("precision", [p.value for p in Precision])
    c.choice("certainty", [x.value for x in Certainty])
    c.choice("geo_precision", [g.value for g in GeoPrecision], optional=True)
    known = pd.Index(list(places))
    c.refers("place", known, "place", optional=True)
    c.refers("origin", known, "place", optional=True)
    c.choice("dataset", [d.value for d in Dataset], optional=True)
    c.choice("coding", [x.value for x in Coding], optional=True)
    c.pattern("cameo", CAMEO_CODE.pattern, "a CAMEO event code of 2 to 4 digits, as a string (0353)", True)
    root = _mapped(frame["cameo"], lambda x: str(x)[:2])
    kind_root = _mapped(frame["kind"], lambda k: TAXONOMY[k].cameo if k in TAXONOMY else None)
    off = (root != None) & (root != kind_root)  # noqa: E711 - elementwise over object arrays
    c.fail(
        off,
        "cameo",
        (f"CAMEO {x} is not under root {TAXONOMY[k].cameo}, the root of kind {k!r}"
         for x, k in frame.loc[off & c.ok, ["cameo", "kind"]].itertuples(index=False)),
    )  # fmt: skip
    for col in MEASURES:
        values = pd.to_numeric(frame[col], errors="coerce")
        c.fail((frame[col].notna() & values.isna()).to_numpy(), col, "must be a number")
        lo, hi = MEASURE_RANGES[col]
        c.fail(((values < lo) | (values > hi)).to_numpy(), col, f"must be {measure_range(col)}")
    start, end = _dates(frame["start"]), _dates(frame["end"])
    unknown = (frame["precision"] == "unknown").to_numpy()
    c.fail(unknown & start.notna().to_numpy(), "start", "an unknown date has no start (give precision too)")
    c.fail(~unknown & start.isna().to_numpy(), "start", "missing or not a date")
    c.fail(~unknown & end.isna().to_numpy(), "end", "missing or not a date")
    c.in_range("start", start)
    c.in_range("end", end)
    c.fail((end < start).to_numpy(), "end", "before the start")
    month = (frame["precision"] == "month").to_numpy()
    year = (frame["precision"] == "year").to_numpy()
    c.fail(month & (start.dt.day != 1).to_numpy(), "start", "a month-precision date starts on the 1st")
    c.fail(
        year & ((start.dt.month != 1) | (start.dt.day != 1)).to_numpy(),
        "start",
        "a year-precision date starts on 1 January",
    )
    out = c.valid().copy()
    out["start"], out["end"] = start[c.ok], end[c.ok]
    # A record that names no dataset is curated; its coding, where not given, is its dataset's.
    dataset = out["dataset"].astype(object).where(out["dataset"].notna(), Dataset.CURATED.value)
    coding = out["coding"].astype(object)
    implied = dataset.map({d.value: c_.value for d, c_ in DEFAULT_CODING.items()})
    out["dataset"] = dataset.astype("category")
    out["coding"] = coding.where(coding.notna(), implied).astype("category")
    return out


def _with_dates(table: pa.Table, columns: Iterable[str]) -> tuple[pa.Table, list[tuple[str, pa.DataType]]]:
    """One file's date columns as Arrow dates (a missing one: all null), and those of a type holding none.

    Converted here, per file and column-wise, so a file's dates never depend on
    the types of the other files they are combined with, and a date outside the
    range pandas' nanoseconds reach (0001-01-01) stays a date, reported as out of range.
    """
    wrong = []
    for col in columns:
        if col not in table.column_names:
            table = table.append_column(col, pa.nulls(len(table), pa.date32()))
            continue
        dates = _as_dates(table[col])
        if dates is None:
            wrong.append((col, table[col].type))
        else:
            table = table.set_column(table.schema.get_field_index(col), col, dates)
    return table, wrong


def _as_dates(values: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """A column as `date32` (null where a value is none or not a date), or None for a type that holds
    no dates (numbers: a day count or nanoseconds would be a guess).

    A timestamp with a time zone is its day there (midnight of 21 June in Minsk is
    21 June, not the UTC day before); text must be exactly YYYY-MM-DD, a real day.
    """
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.cast(t.value_type), t.value_type
    if pa.types.is_null(t):
        return values.cast(pa.date32())
    if pa.types.is_date32(t):
        return values
    if pa.types.is_date64(t):  # milliseconds, not always at midnight: the day they fall in
        values, t = values.cast(pa.timestamp("ms")), pa.timestamp("ms")
    if pa.types.is_timestamp(t):
        # Beyond the days a date32 counts (±5.8 million years) a cast would wrap around: no date.
        reach = (2**31 - 2) * 86_400 * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[t.unit]
        if reach < 2**63:  # seconds and milliseconds can go that far
            n = pc.cast(values, pa.int64())
            far = pc.or_(pc.greater_equal(n, reach), pc.less_equal(n, -reach))
            values = pc.if_else(far, pa.scalar(None, t), values)
        return (pc.local_timestamp(values) if t.tz is not None else values).cast(pa.date32())
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        parsed = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime takes 2025-6-1 and rolls 2025-02-30 over to March: only text it gives back is a date.
        exact = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), values)
        return pc.if_else(exact, parsed, pa.scalar(None, parsed.type)).cast(pa.date32())
    return None


def _dates(values: pd.Series) -> pd.Series:
    """A date column as read (`_with_dates`), as datetime64; NaT where a value is none."""
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values
    return pd.to_datetime(values, errors="coerce")  # a section no file holds: an empty frame


def _mapped(values: pd.Series, fn) -> np.ndarray:
    """`fn` of each value, computed once per distinct value (None where missing)."""
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    lookup = np.asarray([fn(x) for x in cat.cat.categories] + [None], dtype=object)
    codes = cat.cat.codes.to_numpy()
    return lookup[np.where(codes < 0, len(lookup) - 1, codes)]


def event_rows(c: Checker, events: pd.Series) -> np.ndarray:
    """Each row's event as a row number of `events`, failing rows that name none."""
    pos = positions(c.frame["event"], events)
    bad = pos < 0
    c.fail(bad, "event", (f"unknown event {v!r}" for v in c.frame["event"][bad & c.ok]))
    return pos


def check_refs(
    section: str,
    frame: pd.DataFrame,
    problems: list[Problem],
    events: pd.Series,
    **known: tuple[pd.Index, str],
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of participants that name a known event and known records, with their event rows."""
    c = Checker(section, frame, problems, id_col="event")
    pos = event_rows(c, events)
    for col, (index, what) in known.items():
        c.refers(col, index, what)
    return c.valid(), pos[c.ok]


def check_sources(
    frame: pd.DataFrame, problems: list[Problem], events: pd.Series, texts: dict[str, str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Spans inside their article (a given quote must equal the text there), or links, or both."""
    c = Checker("sources", frame, problems, id_col="event")
    pos = event_rows(c, events)
    has_url = frame["url"].notna().to_numpy()
    c.pattern("url", URL_PATTERN, "an http:// or https:// address", optional=True)
    spanned = frame["article"].notna().to_numpy() | frame["start"].notna().to_numpy()
    has_outlet = frame["outlet"].notna().to_numpy()
    c.fail(
        ~spanned & ~has_url & ~has_outlet,
        "article",
        "a source needs an article span (article, start, end), a url or an outlet",
    )
    c.refers("article", pd.Index(list(texts)), "article", optional=True)
    start = pd.to_numeric(frame["start"], errors="coerce")
    end = pd.to_numeric(frame["end"], errors="coerce")
    length = pd.to_numeric(frame["article"].map({k: len(v) for k, v in texts.items()}), errors="coerce")
    bad = spanned & (start.isna() | end.isna() | (start < 0) | (end <= start) | (end > length)).to_numpy()
    c.fail(
        bad,
        "start",
        (
            f"span {s}–{e} is outside article {a!r}"
            for s, e, a in frame.loc[bad & c.ok, ["start", "end", "article"]].itertuples(index=False)
        ),
    )
    dates = _dates(frame["date"])
    c.fail((frame["date"].notna() & dates.isna()).to_numpy(), "date", "not a date")
    c.in_range("date", dates)
    ok = c.valid()
    given = (ok["quote"].notna() & ok["article"].notna()).to_numpy()
    if given.any():
        rows = ok[given]
        derived = [
            texts[a][int(s) : int(e)] for a, s, e in rows[["article", "start", "end"]].itertuples(index=False)
        ]
        mismatch = np.zeros(len(ok), dtype=bool)
        mismatch[given] = rows["quote"].to_numpy(dtype=object) != np.asarray(derived, dtype=object)
        c2 = Checker("sources", ok, problems, id_col="event")
        c2.fail(mismatch, "quote", "quote does not equal the article's text at its span")
        keep = np.flatnonzero(c.ok)[c2.ok]
        c.ok[:] = False
        c.ok[keep] = True
        ok = ok[c2.ok]
    out = ok[["event", "article", "url", "title", "outlet"]].copy()
    spanned_ok = ok["article"].notna().to_numpy()
    # Spans as integers, -1 where a source is only a link.
    out["start"] = np.where(spanned_ok, pd.to_numeric(ok["start"], errors="coerce").fillna(-1), -1).astype(
        "int64"
    )
    out["end"] = np.where(spanned_ok, pd.to_numeric(ok["end"], errors="coerce").fillna(-1), -1).astype(
        "int64"
    )
    out["date"] = dates[c.ok].to_numpy(dtype="datetime64[s]")
    return out, pos[c.ok]


def check_simple(
    section: str, frame: pd.DataFrame, problems: list[Problem], seen: Iterable[str]
) -> pd.DataFrame:
    """Articles, actors and places: ids, enums and codes."""
    c = Checker(section, frame, problems)
    c.pattern("id", ID_PATTERN, "lower-case letters, digits and hyphens")
    c.unique(seen)
    c.one_line(
        *{"articles": ("title", "publisher", "url"), "actors": ("name",), "places": ("name", "feature_id")}[
            section
        ]
    )
    if section == "articles":
        c.required("title", "publisher", "text")
        published = _dates(frame["published"])
        c.fail(published.isna().to_numpy(), "published", "missing or not a date")
        c.in_range("published", published)
    elif section == "actors":
        c.required("name")
        c.choice("kind", [k.value for k in ActorKind])
        c.choice("country", iso3_codes(), optional=True, what=ISO3)
    else:
        c.required("name")
        c.choice("kind", [k.value for k in PlaceKind])
        c.choice("country", iso3_codes(), what=ISO3)
        lat, lon = pd.to_numeric(frame["lat"], errors="coerce"), pd.to_numeric(frame["lon"], errors="coerce")
        c.fail(((lat < -90) | (lat > 90)).to_numpy(), "lat", "must be between -90 and 90")
        c.fail(((lon < -180) | (lon > 180)).to_numpy(), "lon", "must be between -180 and 180")
        c.fail(
            (lat.isna() != lon.isna()).to_numpy(),
            "lat",
            "lat and lon: give both to pin coordinates, or neither",
        )
    return c.valid()
