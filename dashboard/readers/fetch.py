"""Fetch GDELT's newest 15-minute Events files (opt-in network: `import gdelt --online N`).

GDELT lists every file it has published in `masterfilelist.txt` (one line per
file: size, MD5, URL). The newest N `*.export.CSV.zip` files are fetched one
request at a time into a download folder. A file already there with the
listed size and MD5 is not fetched again, and a download goes to a `.part`
file renamed when complete, so an interrupted fetch resumes where it stopped.
Without a network it says so and stops; nothing half-written is left behind.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LIST_URL = "http://data.gdeltproject.org/gdeltv2/masterfilelist.txt"
TIMEOUT_S = 30
USER_AGENT = "contact-atlas (GDELT import)"


class FetchError(Exception):
    """The list or a file could not be fetched; the message says which and why."""


@dataclass(frozen=True)
class Listed:
    size: int
    md5: str
    url: str

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


def _get(url: str) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - http(s) only
    if not url.startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http:// and https:// addresses are fetched")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310
            return resp.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot fetch {url}: {reason}") from None


def newest(list_url: str, n: int) -> list[Listed]:
    """The newest `n` Events export files in GDELT's file list, oldest first."""
    text = _get(list_url).decode("utf-8", errors="replace")
    files = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].endswith(".export.CSV.zip") and parts[0].isdigit():
            files.append(Listed(int(parts[0]), parts[1].lower(), parts[2]))
    files.sort(key=lambda f: f.name)
    return files[-n:] if n > 0 else []


def _complete(path: Path, f: Listed) -> bool:
    if not path.exists() or path.stat().st_size != f.size:
        return False
    return hashlib.md5(path.read_bytes()).hexdigest() == f.md5  # noqa: S324 - GDELT lists MD5


def fetch(list_url: str, n: int, into: Path, say: Callable[[str], None] = print) -> list[Path]:
    """Fetch the newest `n` files into `into` (skipping those already complete); their paths, oldest first."""
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for f in newest(list_url, n):
        path = into / f.name
        if _complete(path, f):
            say(f"have {f.name}")
        else:
            data = _get(f.url)
            if len(data) != f.size or hashlib.md5(data).hexdigest() != f.md5:  # noqa: S324
                raise FetchError(f"{f.url}: size or MD5 differs from GDELT's list; not kept")
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            part.replace(path)
            say(f"fetched {f.name} ({len(data):,} bytes)")
        out.append(path)
    return out
