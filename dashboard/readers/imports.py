"""What the event-stream importers share: ids, the output folder, and writing bulk tables as they stream.

An import writes the project's bulk format (docs/DATA.md, "Bulk data") into
an output folder, usually inside the data folder:

    DIR/gdelt.actors.parquet            every actor and place the dataset's imports met,
    DIR/gdelt.places.parquet            merged and rewritten by each import
    DIR/gdelt-RUN.events.parquet        one set per run: the events new in that run,
    DIR/gdelt-RUN.participants.parquet  with their participants and sources, written
    DIR/gdelt-RUN.sources.parquet       batch by batch as the input streams in

RUN is made of the input files' names; a later run of files with the same names
(the same file again with rows fixed, or another folder's file of that name) is
numbered `RUN-2`, `RUN-3`, …, so no run replaces another's rows.

An event whose external id is already in the folder is not imported again, so
importing a file twice changes nothing. Every file is written under a
temporary name and renamed into place only when the whole run is written
(actors and places first, then the events that name them): a running dashboard
never reads half an import, and a run that cannot write (a full disk) leaves
nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard.model import CONTROL_RE2, NAME_MAX_LENGTH, NOTE_MAX_LENGTH, URL_MAX_LENGTH
from dashboard.problems import Problem
from dashboard.readers import bulk

MAX_SHOWN_PROBLEMS = 50  # a broken file lists this many rows, then a count
MAX_KEPT_PROBLEMS = 1_000  # problems kept in memory; the rest are only counted
MAX_SAME_NAME = 100_000  # runs of the same input names in one folder

_NOT_ID = re.compile(r"[^a-z0-9]+")
# Imported text is one line without control characters (the model's rule for names and links): tabs
# and line breaks (C0's \t to \r, C1's NEL, Unicode's line and paragraph separators) become spaces;
# every other C0 and C1 control character, and Unicode's bidirectional overrides (which turn a
# name backwards on screen), is removed, and named. Python's and RE2's (pyarrow's)
# patterns.
SPACES = re.compile("[\x09-\x0d\x85\u2028\u2029]")
SPACES_RE2 = r"[\x{09}-\x{0d}\x{85}\x{2028}\x{2029}]"
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
ANY_CONTROL_RE2 = CONTROL_RE2  # any character a name may not hold
CONTROL_RE2 = r"[\x{00}-\x{08}\x{0e}-\x{1f}\x{7f}-\x{84}\x{86}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
ELLIPSIS = "…"
NAME, NOTE, URL = NAME_MAX_LENGTH, NOTE_MAX_LENGTH, URL_MAX_LENGTH


def clean(text: str, limit: int) -> tuple[str, str | None]:
    """`text` without control characters, cut to `limit` characters (the last one "…"); and what was
    done to it, for a problem line (None when it was kept as it was)."""
    text = SPACES.sub(" ", text)
    stripped = CONTROL.sub("", text)
    controlled = len(stripped) != len(text)
    cut = len(stripped) > limit
    if cut:
        stripped = stripped[: limit - 1].rstrip() + ELLIPSIS
    return stripped, cleaned_what(controlled, cut, limit) or None


def clean_column(arr: pa.Array, limit: int | None) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """A text column without control characters, each value cut to `limit` characters (the last one
    "…"; None: not cut); and masks of the values that held control characters and that were cut."""
    controlled = np.zeros(len(arr), dtype=bool)
    if pc.any(pc.match_substring_regex(arr, ANY_CONTROL_RE2)).as_py():  # rare: one pass when there is none
        arr = pc.replace_substring_regex(arr, SPACES_RE2, " ")
        found = pc.fill_null(pc.match_substring_regex(arr, CONTROL_RE2), False)
        controlled = found.to_numpy(zero_copy_only=False)
        arr = pc.replace_substring_regex(arr, CONTROL_RE2, "")
    cut = np.zeros(len(arr), dtype=bool)
    if limit is not None:
        long = pc.fill_null(pc.greater(pc.utf8_length(arr), limit), False)
        cut = long.to_numpy(zero_copy_only=False)
        if cut.any():
            short = pc.binary_join_element_wise(
                pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(arr, 0, limit - 1)), ELLIPSIS, ""
            )
            arr = pc.if_else(long, short, arr)
    return arr, controlled, cut


def cleaned_what(controlled: bool, cut: bool, limit: int | None) -> str:
    """What `clean` or `clean_column` did to a value, for a problem line ("" when nothing)."""
    done = []
    if controlled:
        done.append("control characters removed")
    if cut:
        done.append(f"longer than {limit:,} characters: cut to {limit:,}, ending in {ELLIPSIS!r}")
    return "; ".join(done)


def slug(text: str, limit: int = 60) -> str:
    """Lower-case letters, digits and hyphens; a long text is cut and keeps a hash of the whole."""
    s = _NOT_ID.sub("-", text.lower()).strip("-") or "x"
    if len(s) > limit:
        s = f"{s[: limit - 9].rstrip('-')}-{hashlib.blake2b(text.encode(), digest_size=8).hexdigest()[:8]}"
    return s


# What an import writes: the bulk format's columns (docs/DATA.md), without those streams never fill.
EVENT_SCHEMA = bulk.schema("events")
PARTICIPANT_SCHEMA = bulk.schema("participants")
SOURCE_SCHEMA = bulk.schema("sources", ["event", "article", "start", "end", "url", "title", "outlet", "date"])
ARTICLE_SCHEMA = bulk.schema("articles", ["id", "title", "publisher", "published", "text", "url", "language"])
ACTOR_SCHEMA = bulk.schema("actors")
PLACE_SCHEMA = bulk.schema("places", ["id", "name", "kind", "country", "lat", "lon", "feature_id"])
FEW_VALUES = {
    "kind", "precision", "certainty", "geo_precision", "dataset", "coding", "cameo", "suspect", "role",
    "actor", "place", "origin", "outlet", "language", "publisher", "start", "end", "date",
}  # fmt: skip
SCHEMAS = {
    "events": EVENT_SCHEMA, "participants": PARTICIPANT_SCHEMA, "sources": SOURCE_SCHEMA,
    "articles": ARTICLE_SCHEMA,
}  # fmt: skip


class WriteError(Exception):
    """The run's files could not be written (a full disk, a read-only folder); none were kept."""


@dataclass
class Report:
    """What an import did: counted, with problems named (the first MAX_KEPT_PROBLEMS kept, all counted)."""

    read: int = 0  # rows read
    imported: int = 0  # new events written
    already: int = 0  # events already in the folder (or twice in the input)
    filtered: int = 0  # rows left out by --country, --root, --since, --until
    malformed: int = 0  # rows skipped as malformed, each a problem
    unread: int = 0  # files, or the rest of a file, that could not be read
    unusable: dict[str, int] = field(default_factory=dict)  # rows skipped for a reason, not a defect
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0  # every problem, kept or not
    written: list[Path] = field(default_factory=list)
    all_malformed: list[str] = field(default_factory=list)  # files with rows, every one malformed

    def skip(self, why: str, n: int = 1) -> None:
        if n:
            self.unusable[why] = self.unusable.get(why, 0) + n

    @property
    def keeps(self) -> bool:
        """Whether another problem would still be kept (else it is only counted)."""
        return len(self.problems) < MAX_KEPT_PROBLEMS

    def problem(self, p: Problem, *, skipped: bool = True) -> None:
        """A problem; `skipped` when its row was left out (else the row was kept, or a file unread)."""
        self.problem_count += 1
        self.malformed += skipped
        if self.keeps:
            self.problems.append(p)

    def uncounted(self, n: int) -> None:
        """`n` more malformed rows, counted but not kept (past MAX_KEPT_PROBLEMS)."""
        self.problem_count += n
        self.malformed += n

    def not_read(self, shown: str, why: str, line: int | None = None) -> None:
        self.unread += 1
        self.problem(Problem(shown, f"not read: {why}", line=line), skipped=False)

    def lines(self) -> list[str]:
        shown = [str(p) for p in self.problems[:MAX_SHOWN_PROBLEMS]]
        if self.problem_count > len(shown):
            shown.append(f"… and {self.problem_count - len(shown):,} more problems")
        return shown

    def summary(self, dataset: str, took: float) -> str:
        rate = f", {self.read / took:,.0f} rows/s" if took > 0 else ""
        parts = [f"{self.imported:,} new {dataset} events from {self.read:,} rows ({took:.1f} s{rate})"]
        if self.already:
            parts.append(f"{self.already:,} already imported")
        if self.filtered:
            parts.append(f"{self.filtered:,} filtered out")
        parts.extend(f"{n:,} {why}" for why, n in sorted(self.unusable.items()))
        if self.malformed:
            parts.append(f"{self.malformed:,} malformed rows skipped")
        if self.unread:
            files = "file" if self.unread == 1 else "files"
            parts.append(f"{self.unread:,} {files} not read (or not to the end)")
        return "; ".join(parts)


def existing_ids(out: Path, dataset: str) -> set[str]:
    """The external ids of the events this dataset's earlier imports wrote into `out`."""
    ids: set[str] = set()
    for path in sorted(out.glob(f"{dataset}-*.events.parquet")):
        col = pq.read_table(path, columns=["external_id"]).column("external_id")
        ids.update(x for x in col.to_pylist() if x is not None)
    return ids


class SeenIds:
    """Numeric external ids already imported: sorted arrays, eight bytes an id (not a Python set's
    sixty), so a month of GDELT's ids stays in tens of megabytes."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        first = np.unique(np.fromiter(ids, dtype=np.int64))
        self._parts: list[np.ndarray] = [first] if len(first) else []

    def contains(self, ids: np.ndarray) -> np.ndarray:
        found = np.zeros(len(ids), dtype=bool)
        for part in self._parts:
            pos = np.minimum(np.searchsorted(part, ids), len(part) - 1)
            found |= part[pos] == ids
        return found

    def add(self, ids: np.ndarray) -> None:
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        if len(ids):
            self._parts.append(ids)
        if len(self._parts) > 16:  # merged now and then: each lookup searches a few arrays
            self._parts = [np.unique(np.concatenate(self._parts))]


class Records:
    """Actors or places the imports met: read from the folder, grown by this run, written back whole."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path, self.schema = path, schema
        self.rows: dict[str, dict[str, Any]] = {}
        if path.exists():
            for r in pq.read_table(path).to_pylist():
                self.rows[r["id"]] = r
        self.changed = False

    def add(self, rid: str, **values: Any) -> None:
        row = self.rows.get(rid)
        if row is None:
            self.rows[rid] = {"id": rid, **values}
            self.changed = True
        elif "aliases" in values and values["name"] != row["name"]:
            aliases = row.get("aliases") or []
            if values["name"] not in aliases:
                row["aliases"] = [*aliases, values["name"]]
                self.changed = True

    def stage(self) -> tuple[Path, Path] | None:
        """Write the records under a temporary name: (temporary, final), or None when unchanged."""
        if not self.changed:
            return None
        cols = {f.name: [r.get(f.name) for r in self.rows.values()] for f in self.schema}
        tmp = _partial(self.path)
        try:
            pq.write_table(pa.table(cols, schema=self.schema), tmp, compression="zstd")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, self.path


class Writer:
    """One run's event tables, written batch by batch (memory stays flat), renamed into place at the end."""

    def __init__(self, out: Path, name: str, sections: Iterable[str]) -> None:
        self.out, self.name = out, name
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._tmp: dict[str, Path] = {}
        for section in sections:
            final = out / f"{name}.{section}.parquet"
            tmp = _partial(final)
            self._tmp[section] = tmp
            # Dictionary pages only for the columns with few distinct values: ids, summaries and
            # addresses are unique, and encoding them twice costs more than it saves.
            few = [f.name for f in SCHEMAS[section] if f.name in FEW_VALUES]
            self._writers[section] = pq.ParquetWriter(
                tmp, SCHEMAS[section], compression="zstd", use_dictionary=few
            )

    def write(self, section: str, columns: dict[str, Any]) -> None:
        table = pa.table(columns, schema=SCHEMAS[section])
        if table.num_rows:
            self._writers[section].write_table(table)

    def close(self) -> list[tuple[Path, Path]]:
        """Finish the files: (temporary, final) for each section. The final name is the run's name,
        numbered (`-2`, `-3`, …) when an earlier run took it: a run never replaces another's rows."""
        for w in self._writers.values():
            w.close()
        name = self.name
        for k in range(2, MAX_SAME_NAME + 2):
            if not any((self.out / f"{name}.{section}.parquet").exists() for section in self._writers):
                break
            name = f"{self.name}-{k}"
        else:
            raise FileExistsError(errno.EEXIST, f"{MAX_SAME_NAME:,} runs already named {self.name}")
        return [(self._tmp[s], self.out / f"{name}.{s}.parquet") for s in self._writers]

    def discard(self) -> None:
        """Remove every temporary file (closing what is still open)."""
        for section, w in self._writers.items():
            with contextlib.suppress(OSError, pa.ArrowException):  # a full disk fails the close too
                w.close()
            self._tmp[section].unlink(missing_ok=True)


def finish(writer: Writer, records: Iterable[Records], report: Report) -> None:
    """End a run: when it imported events, stage the actors and places, then rename everything into
    place (actors and places first, so no event names one not yet there); else, or on any error,
    remove every temporary file. An error writing is a WriteError naming the folder."""
    staged: list[tuple[Path, Path]] = []
    try:
        if report.imported == 0:
            writer.discard()
            return
        events = writer.close()
        staged.extend(events)
        for r in records:
            one = r.stage()
            if one is not None:
                staged.insert(0, one)
        for tmp, final in staged:
            tmp.replace(final)
            report.written.append(final)
    except (OSError, pa.ArrowException) as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        report.written.clear()
        raise failed(writer, exc) from None


def _why(exc: BaseException) -> str:
    """The system's words for a failed write ("No space left on device"), also when pyarrow wraps them."""
    code = getattr(exc, "errno", None)
    found = re.search(r"\[errno (\d+)\]", str(exc))
    if not code and found:
        code = int(found.group(1))
    return os.strerror(code) if code else str(exc)


def failed(writer: Writer, exc: BaseException) -> BaseException:
    """After an error in a run: its temporary files removed; a failure to write becomes a WriteError
    naming the folder and saying nothing was kept."""
    writer.discard()
    if isinstance(exc, (OSError, pa.ArrowException)):
        return WriteError(f"cannot write in {writer.out}: {_why(exc)}; nothing from this run was kept")
    return exc


def _partial(path: Path) -> Path:
    """A temporary name beside `path` the loader never reads (hidden, not `.parquet`)."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def run_name(dataset: str, inputs: list[Path]) -> str:
    """A run's file name: the dataset, the first and last input's stems, and a hash of every input's name."""
    stems = [p.name.split(".")[0] for p in inputs]
    digest = hashlib.blake2b("\n".join(p.name for p in inputs).encode()).hexdigest()[:8]
    ends = stems[0] if len(stems) == 1 else f"{stems[0]}-{stems[-1]}"
    return f"{dataset}-{slug(ends, 40)}-{digest}"


def blank(arr: pa.Array) -> pa.Array:
    """True where a string column is null, empty or only spaces (what the loader takes as missing)."""
    return pc.fill_null(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(pc.fill_null(arr, ""))), 0), True)
