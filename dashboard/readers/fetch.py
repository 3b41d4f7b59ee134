"""Fetch GDELT's newest 15-minute Events files (opt-in network: `import gdelt --online N`).

GDELT lists every file it has published in `masterfilelist.txt` (one line per
file: size, MD5, URL). The newest N `*.export.CSV.zip` files are fetched one
request at a time into a download folder. A file already there with the
listed size and MD5 is not fetched again, and a download goes to a `.part`
file renamed when complete and checked, so an interrupted fetch resumes where
it stopped. Without a network it says so and stops; nothing half-written is
left behind.

Fetching is narrow: only https, only GDELT's own host (the list names its files
with http:// addresses; they are fetched over https from the same host), no
redirect elsewhere, at most MAX_FILE_BYTES a file and MAX_LIST_BYTES for the
list, and every file's size and MD5 must be the list's. The setting
CONTACT_ATLAS_GDELT_HOSTS adds origins (a mirror): comma-separated host names
(https) or `scheme://host:port` origins.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

LIST_URL = "https://data.gdeltproject.org/gdeltv2/masterfilelist.txt"
HOSTS_SETTING = "CONTACT_ATLAS_GDELT_HOSTS"
GDELT_ORIGIN = ("https", "data.gdeltproject.org", 443)
TIMEOUT_S = 30  # per connection and read
DEADLINE_S = 600  # per file, however slowly a server sends it
MAX_FILE_BYTES = 64 << 20  # GDELT's zipped 15-minute files are well under a few MB
MAX_LIST_BYTES = 1 << 30  # the master list grows by about 30 MB a year
USER_AGENT = "contact-atlas (GDELT import)"
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


Origin = tuple[str, str, int]


def allowed_origins(setting: str | None = None) -> frozenset[Origin]:
    """GDELT's own origin, and those CONTACT_ATLAS_GDELT_HOSTS adds."""
    text = os.environ.get(HOSTS_SETTING, "") if setting is None else setting
    out = {GDELT_ORIGIN}
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        parts = urllib.parse.urlsplit(item if "://" in item else f"https://{item}")
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise FetchError(f"{HOSTS_SETTING}: {item!r} is not a host name or an http(s)://host:port origin")
        out.add((parts.scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[parts.scheme]))
    return frozenset(out)


def checked(url: str, origins: Iterable[Origin]) -> str:
    """The address to fetch for `url`: on an allowed origin, upgraded to https where the host is allowed
    over https; else a FetchError."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in _DEFAULT_PORTS or not host:
        raise FetchError(f"{url}: not an http(s) address")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise FetchError(f"{url}: not an http(s) address") from None
    origins = set(origins)
    if (parts.scheme, host, port) in origins and (
        parts.scheme == "https" or ("https", host, 443) not in origins
    ):
        return url
    if port == _DEFAULT_PORTS[parts.scheme] and ("https", host, 443) in origins:
        return urllib.parse.urlunsplit(("https", host, parts.path, parts.query, ""))
    raise FetchError(
        f"{url}: not fetched: only https from {GDELT_ORIGIN[1]} (the setting {HOSTS_SETTING} adds hosts)"
    )


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an allowed origin."""

    def __init__(self, origins: frozenset[Origin]) -> None:
        self.origins = origins

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return super().redirect_request(req, fp, code, msg, headers, checked(newurl, self.origins))


def _stream(url: str, origins: frozenset[Origin], limit: int) -> Iterator[bytes]:
    """The body of `url` in pieces, at most `limit` bytes, within DEADLINE_S."""
    target = checked(url, origins)
    opener = urllib.request.build_opener(_Redirects(origins))
    req = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})  # noqa: S310 - checked above
    started = time.monotonic()
    got = 0
    try:
        with opener.open(req, timeout=TIMEOUT_S) as resp:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(
                    f"{target}: {int(declared):,} bytes, more than the {limit:,} bytes allowed; not kept"
                )
            while chunk := resp.read(1 << 16):
                got += len(chunk)
                if got > limit:
                    raise FetchError(f"{target}: more than the {limit:,} bytes allowed; not kept")
                if time.monotonic() - started > DEADLINE_S:
                    raise FetchError(f"{target}: not complete after {DEADLINE_S} s; not kept")
                yield chunk
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot fetch {target}: {reason}") from None


def newest(list_url: str, n: int, origins: frozenset[Origin] | None = None) -> list[Listed]:
    """The newest `n` Events export files in GDELT's file list, oldest first (the list is read as it
    arrives; only the newest `n` are held)."""
    origins = allowed_origins() if origins is None else origins
    best: list[tuple[str, Listed]] = []
    rest = b""

    def take(line: bytes) -> None:
        parts = line.decode("utf-8", errors="replace").split()
        if len(parts) == 3 and parts[2].endswith(".export.CSV.zip") and parts[0].isdigit():
            f = Listed(int(parts[0]), parts[1].lower(), parts[2])
            item = (f.name, f)
            if len(best) < n:
                heapq.heappush(best, item)
            elif item > best[0]:
                heapq.heapreplace(best, item)

    if n <= 0:
        return []
    for chunk in _stream(list_url, origins, MAX_LIST_BYTES):
        *lines, rest = (rest + chunk).split(b"\n")
        for line in lines:
            take(line)
    take(rest)
    return [f for _, f in sorted(best)]


def _complete(path: Path, f: Listed) -> bool:
    if not path.exists() or path.stat().st_size != f.size:
        return False
    md5 = hashlib.md5()  # noqa: S324 - GDELT lists MD5
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            md5.update(chunk)
    return md5.hexdigest() == f.md5


def fetch(
    list_url: str, n: int, into: Path, say: Callable[[str], None] = print,
    origins: frozenset[Origin] | None = None, max_bytes: int = MAX_FILE_BYTES,
) -> list[Path]:  # fmt: skip
    """Fetch the newest `n` files into `into` (skipping those already complete); their paths, oldest first.
    Every file's address is checked before any is fetched."""
    origins = allowed_origins() if origins is None else origins
    listed = newest(list_url, n, origins)
    for f in listed:
        checked(f.url, origins)
        if f.size > max_bytes:
            raise FetchError(
                f"{f.url}: listed at {f.size:,} bytes, more than the {max_bytes:,} bytes allowed"
            )
        if "/" in f.name or f.name.startswith("."):
            raise FetchError(f"{f.url}: not a file name")
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for f in listed:
        path = into / f.name
        if _complete(path, f):
            say(f"have {f.name}")
        else:
            part = path.with_name(path.name + ".part")
            md5 = hashlib.md5()  # noqa: S324 - GDELT lists MD5
            size = 0
            try:
                with part.open("wb") as fh:
                    for chunk in _stream(f.url, origins, min(f.size, max_bytes)):
                        fh.write(chunk)
                        md5.update(chunk)
                        size += len(chunk)
                if size != f.size or md5.hexdigest() != f.md5:
                    raise FetchError(f"{f.url}: size or MD5 differs from GDELT's list; not kept")
                part.replace(path)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            say(f"fetched {f.name} ({size:,} bytes)")
        out.append(path)
    return out
