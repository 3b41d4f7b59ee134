"""A data folder's identity on disk: its fingerprint, and the cache folder its stores are written to.

The fingerprint hashes every data file's path, size and modification time
(the cache folder left out), so any edit names new data. Several data
folders may share one cache (`$CONTACT_ATLAS_CACHE`): each folder's stores
carry its `root_key`, and a sweep only ever removes its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: partial folders are only ever swept by age
    fcntl = None  # type: ignore[assignment]

DIR_NAME = ".contact-atlas-cache"
STALE_PARTIAL_S = 3600  # a partial folder this old belongs to a write that died
# An unlocked partial folder this old belongs to a write that died (killed, say): its lock went with it.
# (Younger ones may be a write between creating its folder and locking it.)
UNLOCKED_PARTIAL_S = 10


def fingerprint(root: Path) -> str:
    return fingerprint_of(inputs(root))


def inputs(root: Path) -> dict[str, list[int]]:
    """Every data file (the cache folder left out): its path in the folder, size and modification time."""
    out = {}
    for p in sorted(Path(root).rglob("*")):
        if DIR_NAME in p.parts or not p.is_file():
            continue
        st = p.stat()
        out[p.relative_to(root).as_posix()] = [st.st_size, st.st_mtime_ns]
    return out


def fingerprint_of(files: dict[str, list[int]]) -> str:
    """The fingerprint of a folder holding these files (`inputs`)."""
    h = hashlib.sha256(b"contact-atlas data")
    for rel, (size, mtime) in files.items():
        h.update(f"{rel}\0{size}\0{mtime}\n".encode())
    return h.hexdigest()[:24]


def root_key(root: Path) -> str:
    """Names a data folder in a cache several folders may share ($CONTACT_ATLAS_CACHE)."""
    return hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:12]


def cache_dir(root: Path) -> Path:
    """Beside the data when writable, else in the user's cache folder."""
    if os.environ.get("CONTACT_ATLAS_CACHE"):
        return Path(os.environ["CONTACT_ATLAS_CACHE"])
    if os.access(root, os.W_OK):
        return Path(root) / DIR_NAME
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "contact-atlas" / hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]


def partial(base: Path) -> tuple[Path, int]:
    """A new `.partial-*` folder in `base` to write into, and the descriptor holding its lock.

    The lock lasts while the writer lives (a killed process drops it), so a sweep
    removes a dead write's folder at once and never a live one's. Close the
    descriptor when the folder is renamed or removed.
    """
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=base))
    fd = os.open(tmp, os.O_RDONLY)
    if fcntl is not None:
        with contextlib.suppress(OSError):  # a file system without locks: swept by age only
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return tmp, fd


@contextlib.contextmanager
def locked(base: Path) -> Iterator[None]:
    """Hold `base`'s exclusive lock (waiting for it): one writer at a time puts a store in place."""
    fd = os.open(base, os.O_RDONLY)
    try:
        if fcntl is not None:
            with contextlib.suppress(OSError):  # a file system without locks: as before, unguarded
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and the lock with it


def _unlocked(p: Path) -> bool:
    """No live write holds this partial folder's lock."""
    if fcntl is None:
        return False
    try:
        fd = os.open(p, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # and with it the lock just taken
    return True


def sweep(base: Path, keep: Path | tuple[Path, ...], own_prefix: str | None) -> None:
    """Remove partial folders of writes that died, and older stores named `own_prefix-…`, never others.

    A write died when its partial folder is unlocked (see `partial`), or older than an hour.

    Folders of earlier releases' caches of the same data folder (`compiled-<root key>-…`, and
    the unnamed 24-hex copies before them) are removed too: nothing reads them any more.
    """
    now = time.time()
    kept = {keep} if isinstance(keep, Path) else set(keep)
    legacy_prefix = own_prefix.replace("store-", "compiled-", 1) if own_prefix else None
    for p in base.iterdir() if base.is_dir() else ():
        with contextlib.suppress(OSError):
            age = now - p.stat().st_mtime
            dead = p.name.startswith(".partial-") and (
                age > STALE_PARTIAL_S or (age > UNLOCKED_PARTIAL_S and _unlocked(p))
            )
            # Any format and fingerprint of this data folder's stores: `own_prefix-FORMAT-SCHEMA-FINGERPRINT`.
            older = own_prefix is not None and p not in kept and p.name.startswith(own_prefix + "-")
            compiled = legacy_prefix is not None and p.name.startswith(legacy_prefix + "-")
            unnamed = len(p.name) == 24 and all(ch in "0123456789abcdef" for ch in p.name)
            if dead or ((older or compiled or unnamed) and p.is_dir()):
                shutil.rmtree(p, ignore_errors=True)
