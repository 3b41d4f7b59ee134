"""ACLED's CSV export into the bulk format: `python -m dashboard import acled FILE.csv --out DIR`.

ACLED codes political violence and protest by hand, one row per event, with a
time precision, a geo precision, the sources it used and a `notes` text that
describes the event. Here each row becomes an event whose cited text is its
notes (stored as a one-paragraph article, the span covering it all), its
actors become actors, its location a pinned place. docs/DATA.md ("Imports")
says how each column maps and what is dropped.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from dashboard.countries import iso3_codes
from dashboard.daterange import EARLIEST, LATEST, in_range
from dashboard.model import ID_MAX_LENGTH
from dashboard.problems import Problem
from dashboard.readers import imports

REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
            "country", "latitude", "longitude", "geo_precision")  # fmt: skip
USED = (*REQUIRED, "actor2", "iso", "admin1", "admin2", "admin3", "location", "source", "notes", "fatalities",
        "timestamp", "disorder_type", "source_scale")  # fmt: skip
# ACLED's sub-event types, then event types, as kinds and CAMEO codes (docs/DATA.md, "Imports").
SUB_EVENT: dict[str, tuple[str, str]] = {
    "armed clash": ("use_of_force", "190"),
    "government regains territory": ("use_of_force", "192"),
    "non-state actor overtakes territory": ("use_of_force", "192"),
    "air/drone strike": ("use_of_force", "195"),
    "shelling/artillery/missile attack": ("use_of_force", "194"),
    "chemical weapon": ("mass_violence", "204"),
    "suicide bomb": ("assault", "183"),
    "remote explosive/landmine/ied": ("assault", "183"),
    "grenade": ("assault", "183"),
    "attack": ("assault", "18"),
    "abduction/forced disappearance": ("assault", "181"),
    "sexual violence": ("assault", "18"),
    "peaceful protest": ("protest", "141"),
    "protest with intervention": ("protest", "14"),
    "excessive force against protesters": ("coercion", "175"),
    "violent demonstration": ("protest", "145"),
    "mob violence": ("protest", "145"),
    "agreement": ("diplomatic_cooperation", "057"),
    "arrests": ("coercion", "173"),
    "change to group/activity": ("statement", "01"),
    "disrupted weapons use": ("coercion", "17"),
    "headquarters or base established": ("force_posture", "15"),
    "looting/property destruction": ("coercion", "171"),
    "non-violent transfer of territory": ("concession", "08"),
    "other": ("statement", "01"),
}
EVENT_TYPE: dict[str, tuple[str, str]] = {
    "battles": ("use_of_force", "19"),
    "explosions/remote violence": ("use_of_force", "19"),
    "violence against civilians": ("assault", "18"),
    "protests": ("protest", "14"),
    "riots": ("protest", "145"),
    "strategic developments": ("statement", "01"),
}
# geo_precision: 1 the town itself; 2 near a town or a part of a region (the town's coordinates);
# 3 a larger region (its capital's coordinates).
GEO = {"1": "city", "2": "city", "3": "region"}
# The forms ACLED writes `event_date` in: ISO in its API's output, the month by name in its spreadsheet
# exports ("21 June 2025", "21-June-2025"). A date written with the month as a number in another order
# (21/06/2025, 06/21/2025) is none of them, and its day and month could be read either way round: it
# is refused, never read one way silently.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y")
DATE_FORMS = "YYYY-MM-DD or 21 June 2025"
_NUMERIC_DATE = re.compile(r"\d{1,4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{1,4}")
RANGE_WHY = f"outside the dates this atlas takes ({EARLIEST} to {LATEST})"
BATCH = 10_000  # rows mapped together
# Imported text, cleaned and cut (docs/DATA.md, "Imports"): names to imports.NAME characters, the notes
# to imports.NOTE; every other column read is stripped of control characters only.
LIMITS = {"actor1": imports.NAME, "actor2": imports.NAME, "location": imports.NAME, "admin1": imports.NAME,
          "admin2": imports.NAME, "admin3": imports.NAME, "country": imports.NAME, "source": imports.NAME,
          "notes": imports.NOTE}  # fmt: skip
# A field may be long (ACLED's notes), but an unclosed quote must not hold the rest of the file.
csv.field_size_limit(max(csv.field_size_limit(), 16 << 20))


@functools.cache
def iso_numeric() -> dict[str, str]:
    """ISO 3166-1 numeric codes (ACLED's `iso`) to alpha-3, from pycountry."""
    import pycountry  # noqa: PLC0415

    return {str(int(c.numeric)): c.alpha_3 for c in pycountry.countries}


@functools.cache
def country_names() -> dict[str, str]:
    import pycountry  # noqa: PLC0415

    out = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if name:
                out[name.lower()] = c.alpha_3
    return out


def _date(text: str) -> dt.date | str:
    """`event_date` as a day, or why it is none (phrased for a problem line after the value)."""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    if _NUMERIC_DATE.fullmatch(text.strip()) and not re.match(r"\d{4}-", text.strip()):
        if re.match(r"\d{4}", text.strip()):  # year first, but not ISO's spelling: not ambiguous, not ACLED's
            return f"is not in a form ACLED writes: write it {DATE_FORMS}"
        return f"is a numeric date whose day and month could be read either way round: write it {DATE_FORMS}"
    return f"is not a date ({DATE_FORMS})"


def _interval(day: dt.date, precision: str) -> tuple[dt.date, dt.date, str]:
    """ACLED's time precision as our interval: 1 the day; 2 the week around the day; 3 the month."""
    if precision == "2":
        return day - dt.timedelta(days=3), day + dt.timedelta(days=3), "day"
    if precision == "3":
        first = day.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return first, nxt - dt.timedelta(days=1), "month"
    return day, day, "day"


class _Lines:
    """The file's physical lines for csv.reader (a line ends at \\n, \\r\\n or \\r alone), numbered:
    which line the record being read starts on, and the lines it took, to read again."""

    def __init__(self, fh: Iterable[str]) -> None:
        self._fh = iter(fh)
        self._again: collections.deque[str] = collections.deque()
        self.number = 0  # lines handed to the reader
        self.start = 1  # where the current record starts
        self.held: list[str] = []  # the current record's lines

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._fh)
        self.number += 1
        self.held.append(line)
        return line

    def begin(self) -> None:
        self.start, self.held = self.number + 1, []

    def again(self) -> None:
        """Hand the current record's lines after its first to the reader once more."""
        self._again.extendleft(reversed(self.held[1:]))
        self.number = self.start


class Importer:
    def __init__(self, out: Path, report: imports.Report) -> None:
        self.out, self.report = out, report
        self.seen = imports.existing_ids(out, "acled")
        # The run's ids: the line each was imported from, and its row's values (a repeat is named).
        self.firsts: dict[str, tuple[int, tuple[str, ...]]] = {}
        # Event ids are slugs of ACLED's ids: two ids differing only in case or punctuation would clash.
        self.event_ids = {f"acled-{imports.slug(x.split(':', 1)[1])}" for x in self.seen}
        self.actors = imports.Records(out / "acled.actors.parquet", imports.ACTOR_SCHEMA)
        self.places = imports.Records(out / "acled.places.parquet", imports.PLACE_SCHEMA)
        self.iso3 = iso3_codes()

    def run(self, path: Path) -> None:
        """Read the export row by row (Python's csv module: quoted fields, line breaks in notes),
        mapping BATCH rows at a time; a row that is not a row of this header is named and skipped."""
        shown = str(path)  # as the command line named it: two files of one name are told apart
        report = self.report
        writer = imports.Writer(
            self.out, imports.run_name("acled", [path]), ("events", "participants", "sources", "articles")
        )
        try:
            with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
                lines = _Lines(fh)
                rows = csv.reader(lines, strict=True)
                header = [h.strip() for h in next(rows, [])]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    what = f"missing column(s) {', '.join(missing)}: not an ACLED export"
                    report.unread += 1
                    report.problem(Problem(shown, what, line=1), skipped=False)
                else:
                    self._rows(rows, lines, header, shown, writer)
            imports.finish(writer, (self.actors, self.places), report)
        except UnicodeDecodeError as exc:  # only the header: a row's bad bytes are that row's problem
            report.not_read(shown, str(exc), line=1)
            writer.discard()
        except csv.Error as exc:  # only the header: a row that is not CSV is that row's problem
            report.not_read(shown, f"the header is not a CSV row: {exc}", line=1)
            writer.discard()
        except BaseException as exc:
            err = imports.failed(writer, exc)
            if err is exc:
                raise
            raise err from None
        if report.read and report.malformed >= report.read:
            report.all_malformed.append(shown)

    def _rows(
        self, rows: Iterator[list[str]], lines: _Lines, header: list[str], shown: str, writer: imports.Writer
    ) -> None:
        """Each record named by the physical line it starts on. A record that is not one of the
        header's rows and spans several lines (a quote not closed, or closed in the wrong place) is
        named, and the lines after its first are read again as rows of their own: one stray quote
        loses one row, not the rest of the file."""
        report = self.report
        index = {c: header.index(c) for c in USED if c in header}
        batch: list[tuple[int, list[str]]] = []
        while True:
            lines.begin()
            try:
                row = next(rows)
                what = None if len(row) == len(header) or not row else (
                    f"{len(row)} fields, expected {len(header)} (the header's)"
                )  # fmt: skip
            except StopIteration:
                break
            except csv.Error as exc:  # a quote not closed by the end of the file, or text after one
                row, what = [""], f"not a CSV row: {exc}"
            if not row:  # a blank line is no row
                continue
            start = lines.start
            report.read += 1
            if what is not None:
                if lines.number > start:
                    again = f"line {lines.number:,} is" if lines.number == start + 1 else (
                        f"lines {start + 1:,} to {lines.number:,} are"
                    )  # fmt: skip
                    what += f"; {again} read again as rows"
                    lines.again()
                report.problem(Problem(shown, what, field="row", line=start))
                continue
            batch.append((start, row))
            if len(batch) >= BATCH:
                self._batch({c: [r[i] for _, r in batch] for c, i in index.items()},
                            [n for n, _ in batch], shown, writer)  # fmt: skip
                batch = []
        if batch:
            self._batch({c: [r[i] for _, r in batch] for c, i in index.items()},
                        [n for n, _ in batch], shown, writer)  # fmt: skip

    def _actor(self, name: str, country: str | None, whole: str) -> str | None:
        """The actor named `name` (cut to a name's length), its id made of the `whole` name."""
        if not name:
            return None
        aid = f"acled-{imports.slug(whole)}"
        self.actors.add(aid, name=name, kind="organization", country=country, aliases=[])
        return aid

    def _batch(self, cols: dict[str, list], numbers: list[int], shown: str, writer: imports.Writer) -> None:
        n = len(numbers)
        ev: dict[str, list] = {k: [] for k in imports.EVENT_SCHEMA.names}
        parts: dict[str, list] = {"event": [], "actor": [], "role": []}
        srcs: dict[str, list] = {k: [] for k in imports.SOURCE_SCHEMA.names}
        arts: dict[str, list] = {k: [] for k in imports.ARTICLE_SCHEMA.names}

        cleaned: dict[str, str] = {}

        def get(c: str, i: int) -> str:
            if c in cleaned:
                return cleaned[c]
            v = cols.get(c)
            return (v[i] or "").strip() if v is not None and v[i] is not None else ""

        for i in range(n):
            line = numbers[i]
            cleaned.clear()
            changed = []  # (column, what was done) to the row's text
            for c in cols:
                text = get(c, i)
                value, what = imports.clean(text, LIMITS.get(c, len(text) or 1))
                if value != text:  # a line break or tab made a space (as GDELT's), or more, named
                    cleaned[c] = value.strip()
                if what:
                    changed.append((c, what))
            ext_raw = get("event_id_cnty", i)

            def bad(fld: str, what: str, line: int = line) -> None:
                self.report.problem(Problem(shown, what, field=fld, line=line))

            broken = _broken(cols, i)
            if broken:
                bad(*broken)
                continue
            if not ext_raw:
                bad("event_id_cnty", "missing")
                continue
            if len(ext_raw) > ID_MAX_LENGTH:
                bad(
                    "event_id_cnty", f"{ext_raw[:40]!r}… is longer than {ID_MAX_LENGTH} characters: not an id"
                )
                continue
            day = _date(get("event_date", i))
            if isinstance(day, str):
                bad("event_date", f"{get('event_date', i)!r} {day}")
                continue
            tp = get("time_precision", i)
            if tp not in ("1", "2", "3"):
                bad("time_precision", f"{tp!r}: expected 1, 2 or 3")
                continue
            if not (in_range(day) and all(in_range(d) for d in _interval(day, tp)[:2])):
                bad("event_date", f"{get('event_date', i)!r} is {RANGE_WHY}")
                continue
            coords = []
            for c, limit in (("latitude", 90), ("longitude", 180)):
                text = get(c, i)
                if not _DECIMAL.match(text):
                    bad(c, f"{text!r} is not a number (a plain decimal)")
                    break
                if not -limit <= float(text) <= limit:
                    bad(c, f"{text} is outside -{limit}..{limit}: not on the globe")
                    break
                coords.append(float(text))
            if len(coords) < 2:
                continue
            lat, lon = coords
            gp = get("geo_precision", i)
            if gp not in GEO:
                bad("geo_precision", f"{gp!r}: expected 1, 2 or 3")
                continue
            sub, etype = get("sub_event_type", i), get("event_type", i)
            kc = SUB_EVENT.get(sub.lower()) or EVENT_TYPE.get(etype.lower())
            if kc is None:
                bad("event_type", f"{etype!r} / {sub!r} is not an ACLED event type")
                continue
            fat_text = get("fatalities", i)
            fatalities = None
            if fat_text:
                if not (fat_text.isascii() and fat_text.isdigit() and len(fat_text) <= 18):
                    bad("fatalities", f"{fat_text!r} is not a whole number (up to 18 digits)")
                    continue
                fatalities = int(fat_text)
            key = f"acled:{ext_raw}"
            values = tuple(v[i] for c, v in cols.items() if c != "event_id_cnty")
            if key in self.firsts:
                first, first_values = self.firsts[key]
                differs = "" if first_values == values else ", with other values in its other columns"
                what = f"{ext_raw!r} repeats line {first:,}{differs}: this row is skipped"
                self.report.problem(Problem(shown, what, field="event_id_cnty", line=line), skipped=False)
                self.report.skip("repeated rows (named above)")
                continue
            if key in self.seen:
                self.report.already += 1
                continue
            eid = f"acled-{imports.slug(ext_raw)}"
            if eid in self.event_ids:
                bad("event_id_cnty", f"{ext_raw!r} makes the event id {eid!r}, which another event has")
                continue
            iso = iso_numeric().get(get("iso", i).lstrip("0") or "0") if get("iso", i).isdigit() else None
            iso = iso or country_names().get(get("country", i).lower())
            if iso is None:
                bad(
                    "country",
                    f"{get('country', i)!r} (iso {get('iso', i)!r}) is not a country ISO 3166 knows",
                )
                continue
            a1, a2 = (
                self._actor(
                    get(c, i), None, imports.CONTROL.sub("", cols[c][i] or "").strip() if c in cols else ""
                )
                for c in ("actor1", "actor2")
            )
            if a1 is None and a2 is None:
                bad("actor1", "missing")
                continue
            self.firsts[key] = (line, values)
            self.event_ids.add(eid)
            for c, what in changed:
                self.report.problem(Problem(shown, what, field=c, line=line), skipped=False)
            kind, cameo = kc
            start, end, precision = _interval(day, tp)
            location = get("location", i) or get("admin1", i) or get("country", i) or iso
            pid = f"acled-{imports.slug(f'{iso}-{location}-{lat:.4f}-{lon:.4f}')}"
            self.places.add(pid, name=location, kind=GEO[gp], country=iso, lat=lat, lon=lon, feature_id=None)
            source = get("source", i)
            notes = get("notes", i)
            who = " and ".join(x for x in (get("actor1", i), get("actor2", i)) if x)
            ev["id"].append(eid)
            ev["kind"].append(kind)
            ev["summary"].append(f"{sub or etype}: {who} in {location}")
            ev["precision"].append(precision)
            ev["start"].append(start)
            ev["end"].append(end)
            ev["attribution"].append(f"ACLED, citing {source}" if source else "ACLED")
            ev["certainty"].append("reported")
            ev["place"].append(pid)
            ev["geo_precision"].append(GEO[gp])
            ev["origin"].append(None)
            ev["note"].append(
                "ACLED geo precision 2: near this place, or in part of its region" if gp == "2" else None
            )
            ev["dataset"].append("acled")
            ev["coding"].append("human")
            ev["external_id"].append(key)
            ev["cameo"].append(cameo)
            ev["suspect"].append(None)
            for m in ("mentions", "num_sources", "num_articles", "goldstein", "tone"):
                ev[m].append(None)
            ev["fatalities"].append(fatalities)
            for aid, role in ((a1, "actor 1"), (a2, "actor 2")):
                if aid is not None:
                    parts["event"].append(eid)
                    parts["actor"].append(aid)
                    parts["role"].append(role)
            srcs["event"].append(eid)
            srcs["url"].append(None)
            srcs["title"].append(None)
            srcs["date"].append(None)
            if notes:
                # The notes are the text the event cites: one short article, the span covering it.
                published = _timestamp(get("timestamp", i)) or day
                arts["id"].append(eid)
                arts["title"].append(f"ACLED {ext_raw}: {sub or etype} in {location}")
                arts["publisher"].append(f"ACLED ({source})" if source else "ACLED")
                arts["published"].append(published)
                arts["text"].append(notes)
                arts["url"].append(None)
                arts["language"].append("en")
                srcs["article"].append(eid)
                srcs["start"].append(0)
                srcs["end"].append(len(notes))
                srcs["outlet"].append(source or None)
            else:
                srcs["article"].append(None)
                srcs["start"].append(None)
                srcs["end"].append(None)
                srcs["outlet"].append(source or "ACLED")
        self.report.imported += len(ev["id"])
        writer.write("events", ev)
        writer.write("participants", parts)
        writer.write("sources", srcs)
        writer.write("articles", arts)


def _timestamp(text: str) -> dt.date | None:
    """ACLED's `timestamp` (seconds since 1970) as a day, if it is one within the documented range."""
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    try:
        day = dt.datetime.fromtimestamp(int(text), dt.UTC).date()
    except (ValueError, OverflowError, OSError):  # past year 9999: no day at all
        return None
    return day if in_range(day) else None


# A coordinate as ACLED writes it: ASCII digits, an optional sign and decimal point (not Python's
# wider float syntax: no "5_0", "nan", "1e3" or other scripts' digits).
_DECIMAL = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)\Z", re.ASCII)
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _broken(cols: dict[str, list], i: int) -> tuple[str, str] | None:
    """The first column of row `i` holding bytes that are not UTF-8 (read as escapes), and why."""
    for c, values in cols.items():
        v = values[i]
        if not v.isascii():
            m = _NOT_UTF8.search(v)
            if m:
                byte = ord(m.group()) - 0xDC00
                return c, f"byte 0x{byte:02X} at position {m.start() + 1} is not UTF-8"
    return None


def import_file(path: Path, out: Path) -> tuple[imports.Report, float]:
    out.mkdir(parents=True, exist_ok=True)
    report = imports.Report()
    started = time.perf_counter()
    Importer(out, report).run(path)
    return report, time.perf_counter() - started
