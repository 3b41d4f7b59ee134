"""A compiled copy of a loaded corpus, so that a large corpus starts in a fraction of a second.

Validating a million events from Parquet takes seconds; reading the frames
that validation produced, memory-mapped from Arrow IPC files, takes tens of
milliseconds. The copy is keyed by a fingerprint of every data file (path,
size, modification time) and of this module's format version, so any edit
makes it stale and the next load validates afresh. Small corpora are not
compiled: they load faster than the copy would.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pyarrow import feather

from dashboard.geocache import Coordinates
from dashboard.model import Actor, ActorKind, Article, Place, PlaceKind, Role
from dashboard.problems import Problem, Severity

if TYPE_CHECKING:
    from dashboard.corpus import Corpus

FORMAT = 1
MIN_EVENTS = 20_000  # below this, validating is already fast
DIR_NAME = ".contact-atlas-cache"
FRAMES = ("events", "participants", "sources")


def fingerprint(root: Path) -> str:
    h = hashlib.sha256(f"format {FORMAT}".encode())
    for p in sorted(root.rglob("*")):
        if DIR_NAME in p.parts or not p.is_file():
            continue
        st = p.stat()
        h.update(f"{p.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def root_key(root: Path) -> str:
    """Names a data folder in a cache several folders may share ($CONTACT_ATLAS_CACHE)."""
    return hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]


STALE_PARTIAL_S = 3600  # a partial folder this old belongs to a write that died


def sweep(base: Path, keep: Path, own_prefix: str | None) -> None:
    """Remove partial folders of writes that died, and older copies named `own_prefix-…`, never others."""
    now = time.time()
    for p in base.iterdir() if base.is_dir() else ():
        with contextlib.suppress(OSError):
            dead = p.name.startswith(".partial-") and now - p.stat().st_mtime > STALE_PARTIAL_S
            # Any format and fingerprint of this data folder's copies: `own_prefix-FORMAT-FINGERPRINT`.
            older = own_prefix is not None and p != keep and p.name.startswith(own_prefix + "-")
            # Copies from before copies were named by data folder: never read again.
            legacy = len(p.name) == 24 and all(ch in "0123456789abcdef" for ch in p.name)
            if dead or ((older or legacy) and p.is_dir()):
                shutil.rmtree(p, ignore_errors=True)


def _folder(root: Path) -> Path:
    return cache_dir(root) / f"compiled-{root_key(root)}-{FORMAT}-{fingerprint(root)}"


def cache_dir(root: Path) -> Path:
    """Beside the data when writable, else in the user's cache folder."""
    if os.environ.get("CONTACT_ATLAS_CACHE"):
        return Path(os.environ["CONTACT_ATLAS_CACHE"])
    if os.access(root, os.W_OK):
        return root / DIR_NAME
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "contact-atlas" / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def read(root: Path) -> Corpus | None:
    """The compiled corpus for the data as it is now, or None."""
    from dashboard.corpus import Corpus  # noqa: PLC0415 - corpus imports this module

    folder = _folder(root)
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        frames = {
            n: feather.read_feather(folder / f"{n}.arrow", memory_map=True) for n in (*FRAMES, "articles")
        }
    except (OSError, ValueError, KeyError):
        return None
    articles: dict[str, Article] = {}
    texts: dict[str, str] = {}
    for rec in frames["articles"].to_dict("records"):
        texts[rec["id"]] = rec.pop("body")
        rec["published"] = pd.Timestamp(rec["published"]).date()
        rec["url"] = rec["url"] if isinstance(rec["url"], str) else None
        articles[rec["id"]] = Article.model_construct(**rec)
    actors = {
        a["id"]: Actor.model_construct(
            **{**a, "kind": ActorKind(a["kind"]), "roles": [Role.model_construct(**r) for r in a["roles"]]}
        )
        for a in meta["actors"]
    }
    places = {p["id"]: Place.model_construct(**{**p, "kind": PlaceKind(p["kind"])}) for p in meta["places"]}
    return Corpus(
        root=root,
        articles=articles,
        texts=texts,
        actors=actors,
        places=places,
        coords={k: Coordinates(*v) for k, v in meta["coords"].items()},
        coord_sources=meta["coord_sources"],
        events=frames["events"],
        participants=frames["participants"],
        sources=frames["sources"],
        problems=tuple(Problem(**{**p, "severity": Severity(p["severity"])}) for p in meta["problems"]),
    )


def write(root: Path, corpus: Corpus) -> Path | None:
    """Compile a loaded corpus; quietly gives up where the cache folder cannot be written."""
    if len(corpus.events) < MIN_EVENTS:
        return None
    base = cache_dir(root)
    folder = _folder(root)
    tmp: Path | None = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=base, prefix=".partial-"))
        for name in FRAMES:
            feather.write_feather(getattr(corpus, name), tmp / f"{name}.arrow", compression="uncompressed")
        articles = pd.DataFrame(
            [{**a.model_dump(mode="python"), "body": corpus.texts[a.id]} for a in corpus.articles.values()]
        )
        feather.write_feather(articles, tmp / "articles.arrow", compression="uncompressed")
        meta: dict[str, Any] = {
            "actors": [a.model_dump(mode="json") for a in corpus.actors.values()],
            "places": [p.model_dump(mode="json") for p in corpus.places.values()],
            "coords": {k: [c.lat, c.lon] for k, c in corpus.coords.items()},
            "coord_sources": corpus.coord_sources,
            "problems": [
                {
                    "file": p.file,
                    "message": p.message,
                    "record": p.record,
                    "field": p.field,
                    "line": p.line,
                    "severity": p.severity.value,
                }
                for p in corpus.problems
            ],
        }
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        # One compiled copy per data folder is enough: this folder's older ones go, no other's.
        sweep(base, keep=folder, own_prefix=f"compiled-{root_key(root)}")
        tmp.rename(folder)
        return folder
    except OSError:
        return None
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
