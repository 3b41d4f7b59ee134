"""An editor's review of a draft, as plain data: the proposals as an editable table, the edits
applied and checked against the data model, and (where a deployment allows it) the files written.

The Add article page is a thin layer over this; nothing here imports Streamlit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from dashboard.drafting import Draft, Proposal, confidence
from dashboard.model import Actor, Event, Place

# The deployment setting that lets the Add article page write into the data folder.
WRITE_SETTING = "CONTACT_ATLAS_DRAFTS_WRITE"
DRAFTS_FOLDER = "articles/drafts"
COLUMNS = ["keep", "confidence", "id", "kind", "date", "until", "place", "origin", "participants", "summary",
           "attribution", "certainty", "quote", "note"]  # fmt: skip


def writes_enabled() -> bool:
    """Whether this deployment lets the page save drafts into its data folder (off unless set to 1)."""
    return os.environ.get(WRITE_SETTING, "").strip().lower() in {"1", "true", "yes"}


def table(d: Draft, threshold: float | None = None) -> pd.DataFrame:
    """One row a proposal, every field as text the editor can change (the quote stays as found),
    the most confident first (the text's order among equals); kept when its confidence is at least
    `threshold` (`confidence.THRESHOLD` unless given), or when it has none."""
    limit = confidence.THRESHOLD if threshold is None else threshold
    ranked = sorted(d.events, key=lambda e: -(e.confidence if e.confidence is not None else 1.0))
    rows = [
        {
            "keep": e.confidence is None or e.confidence >= limit, "confidence": e.confidence,
            "id": e.id, "kind": e.kind, "date": e.date, "until": e.until or "",
            "place": e.place or "", "origin": e.origin or "",
            "participants": ", ".join(_actor_text(p) for p in e.participants),
            "summary": e.summary, "attribution": e.attribution, "certainty": e.certainty,
            "quote": " … ".join(s["quote"] for s in e.sources), "note": e.note,
        }
        for e in ranked
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _actor_text(p: dict[str, str]) -> str:
    return p["actor"] + (f" ({p['role']})" if p.get("role") else "")


def _participants(text: str) -> list[dict[str, str]]:
    out = []
    for item in (x.strip() for x in str(text).split(",")):
        if not item:
            continue
        actor, _, role = item.partition("(")
        rec = {"actor": actor.strip()}
        if role.strip(" )"):
            rec["role"] = role.strip(" )")
        out.append(rec)
    return out


def apply(
    d: Draft, edited: pd.DataFrame, known_actors: set[str], known_places: set[str]
) -> tuple[Draft, set[str], list[str]]:
    """The draft with the editor's changes, the ids kept, and one problem line per bad field
    ("kellogg-meeting: date: …"), each checked as the loader would check it."""
    by_id = {e.id: e for e in d.events}
    actors = known_actors | {a["id"] for a in d.actors}
    places = known_places | {p["id"] for p in d.places}
    events: list[Proposal] = []
    keep: set[str] = set()
    problems: list[str] = []
    for row in edited.to_dict("records"):
        e = by_id.get(row["id"])
        if e is None:
            continue
        text = {
            k: ("" if row[k] is None or row[k] != row[k] else str(row[k]).strip())
            for k in COLUMNS
            if k not in ("keep", "confidence")
        }
        new = replace(
            e, kind=text["kind"], date=text["date"] or "unknown", until=text["until"] or None,
            place=text["place"] or None, origin=text["origin"] or None,
            participants=_participants(text["participants"]), summary=text["summary"],
            attribution=text["attribution"], certainty=text["certainty"],
        )  # fmt: skip
        events.append(new)
        if not bool(row["keep"]):
            continue
        keep.add(new.id)
        rec = {
            "id": new.id, "kind": new.kind, "summary": new.summary, "date": new.date, "until": new.until,
            "participants": new.participants, "place": new.place, "origin": new.origin,
            "sources": [{"quote": s["quote"]} for s in new.sources], "attribution": new.attribution,
            "certainty": new.certainty, "note": new.note, "status": "draft",
        }  # fmt: skip
        try:
            Event.model_validate({k: v for k, v in rec.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(x) for x in err["loc"]) or "record"
                problems.append(f"{new.id}: {where}: {err['msg'].removeprefix('Value error, ')}")
        for i, p in enumerate(new.participants):
            if p["actor"] not in actors:
                problems.append(f"{new.id}: participants[{i}].actor: unknown actor {p['actor']!r}")
        for fld in ("place", "origin"):
            ref = getattr(new, fld)
            if ref and ref not in places:
                problems.append(f"{new.id}: {fld}: unknown place {ref!r}")
    order = {e.id: i for i, e in enumerate(d.events)}  # the YAML keeps the text's order
    events.sort(key=lambda e: order[e.id])
    return replace(d, events=events), keep, problems


@dataclass(frozen=True)
class Existing:
    """What the data folder holds already: the records a draft must reuse or rename, never redefine."""

    actors: Mapping[str, Actor] = field(default_factory=dict)
    places: Mapping[str, Place] = field(default_factory=dict)
    events: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()


def _folded(name: str) -> str:
    return " ".join(str(name).casefold().split())


def collisions(d: Draft, keep: set[str], existing: Existing) -> list[str]:
    """One line per record of the draft (as it would be saved) that the data folder already has: the
    same id, or a new actor or place with the name or alias of one it has, in any case."""
    doc = d.document(f"{d.article_id}.txt", keep)
    out: list[str] = []
    if d.article_id in existing.articles:
        out.append(f"article {d.article_id}: the data folder has an article with this id")
    for e in doc["events"]:
        if e["id"] in existing.events:
            out.append(f"event {e['id']}: the data folder has an event with this id")
    for what, new, have in (("actor", doc.get("actors", []), existing.actors),
                            ("place", doc.get("places", []), existing.places)):  # fmt: skip
        names = {_folded(n): r.id for r in have.values() for n in (r.name, *r.aliases)}
        for rec in new:
            if rec["id"] in have:
                out.append(
                    f"{what} {rec['id']} (“{rec['name']}”): the data folder has {what} {rec['id']} "
                    f"(“{have[rec['id']].name}”); this draft would define it again"
                )
            elif _folded(rec["name"]) in names:
                other = names[_folded(rec["name"])]
                out.append(
                    f"{what} {rec['id']} (“{rec['name']}”): the data folder has {what} {other} of that "
                    f"name; use {other} instead"
                )
    return out


class SaveError(OSError):
    """The draft was not saved; the message says why, and that nothing was left half-written."""


def save(
    d: Draft,
    root: Path,
    keep: set[str],
    *,
    saved_by: str,
    existing: Existing | None = None,
    now: datetime | None = None,
) -> tuple[Path, Path]:
    """Write the draft's text and YAML into the data folder's drafts folder, recording who saved it
    and when (UTC). Never over a file and never half-written: each file is written whole under a
    hidden temporary name, flushed to disk, then linked to its name (which fails if the name
    exists). The YAML goes last, so the loader never sees a draft without its text. Editors saving
    at once take turns (a lock on the drafts folder), and a record another draft in the folder
    defines already is a clash, as is one in `existing`."""
    if not saved_by.strip():
        raise ValueError("saved_by: say who saves the draft")
    root = Path(root)
    folder = root / DRAFTS_FOLDER
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    yaml_path, text_path = folder / f"{d.article_id}.yaml", folder / f"{d.article_id}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            for path in (yaml_path, text_path):
                if os.path.lexists(path):
                    raise FileExistsError(
                        f"{path.relative_to(root)} exists already; give the article another id"
                    )
            clashes = _drafts_clash(folder, d, keep) + (collisions(d, keep, existing) if existing else [])
            if clashes:
                more = f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else ""
                raise SaveError(
                    "not saved: " + "; ".join(clashes[:5]) + more
                    + ". Draft the article again to pick up the data folder's records"
                )  # fmt: skip
            write_new(text_path, d.text.encode("utf-8"))
            try:
                write_new(
                    yaml_path, d.to_yaml(text_path.name, keep, (saved_by.strip(), when)).encode("utf-8")
                )
            except BaseException:
                text_path.unlink(missing_ok=True)  # no text without its YAML either
                raise
    except (FileExistsError, SaveError):
        raise
    except OSError as exc:
        raise SaveError(f"not saved: {_why(exc)} ({_where(exc, root)}); nothing was written") from exc
    return yaml_path, text_path


def _why(exc: OSError) -> str:
    return {
        errno.ENOSPC: "the disk holding the data folder is full",
        errno.EDQUOT: "the data folder's disk quota is used up",
        errno.EFBIG: "the file would be larger than this process may write",
        errno.EROFS: "the data folder is on a read-only file system",
        errno.EACCES: "this server may not write into the data folder",
        errno.EPERM: "this server may not write into the data folder",
    }.get(exc.errno or 0, exc.strerror or str(exc))


def _where(exc: OSError, root: Path) -> str:
    name = exc.filename
    if not name:
        return str(DRAFTS_FOLDER)
    with contextlib.suppress(ValueError):
        return Path(name).relative_to(root).as_posix()
    return Path(name).name


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    import fcntl  # noqa: PLC0415 - POSIX only, like the servers this writes on

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_new(path: Path, data: bytes) -> None:
    """`data` at `path`, whole or not at all, never over an existing file."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails with FileExistsError rather than replace a file
        except FileExistsError as exc:  # named by the caller's path, not the temporary one
            raise FileExistsError(exc.errno, exc.strerror, str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _drafts_clash(folder: Path, d: Draft, keep: set[str]) -> list[str]:
    """The records of this draft that a draft already in the folder defines (saved since it was made)."""
    from dashboard.readers import yamlio  # noqa: PLC0415

    doc = d.document(f"{d.article_id}.txt", keep)
    mine = {
        "article": {d.article_id},
        "event": {e["id"] for e in doc["events"]},
        "actor": {a["id"] for a in doc.get("actors", [])},
        "place": {p["id"] for p in doc.get("places", [])},
    }
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            other = yamlio.load(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not this save's to judge; `validate` names it
        if not isinstance(other, Mapping):
            continue
        for what, section in (("article", "articles"), ("event", "events"), ("actor", "actors"),
                              ("place", "places")):  # fmt: skip
            recs = other.get(section) or []
            ids = {r.get("id") for r in recs if isinstance(r, Mapping)} if isinstance(recs, list) else set()
            out += [
                f"{what} {x}: {DRAFTS_FOLDER}/{path.name} defines it already"
                for x in sorted(mine[what] & ids)
            ]
    return out
