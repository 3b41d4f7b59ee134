"""`import gdelt --online` is narrow: https to GDELT's host only (a setting adds others), no redirect
elsewhere, a size limit per file, each file's size and MD5 the list's. A server on 127.0.0.1 plays
GDELT; the setting allows it, as a mirror would be allowed. No test reaches the network."""

from __future__ import annotations

import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_imports import KELLOGG, VILNIUS, write_gdelt

from dashboard.readers import fetch


class Site:
    """Paths served on a free loopback port: path → (status, headers, body); every request kept."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                status, headers, body = site.pages.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for k, v in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def zips(self) -> list[str]:
        return [p for p in self.requests if p.endswith(".zip")]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site()
    monkeypatch.setenv(fetch.HOSTS_SETTING, s.origin)
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield s
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()


def export_zip(tmp_path: Path, stamp: str, row: dict) -> tuple[str, bytes]:
    name = f"{stamp}.export.CSV"
    csv_path = write_gdelt(tmp_path / name, [row])
    with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as z:
        z.write(csv_path, name)
    return f"{name}.zip", (tmp_path / f"{name}.zip").read_bytes()


def listing(*lines: tuple[int, str, str]) -> bytes:
    return "".join(f"{size} {md5} {url}\n" for size, md5, url in lines).encode()


def md5(blob: bytes) -> str:
    return hashlib.md5(blob).hexdigest()  # noqa: S324 - what GDELT lists


def online(cli, site: Site, out: Path, n: int = 2):
    return cli(
        "import", "gdelt", "--online", str(n), "--list-url", f"{site.origin}/list.txt", "--out", str(out)
    )


def test_gdelts_http_addresses_are_fetched_over_https_and_nothing_else_is_allowed() -> None:
    gdelt_only = fetch.allowed_origins("")
    url = "http://data.gdeltproject.org/gdeltv2/20250621120000.export.CSV.zip"
    assert fetch.checked(url, gdelt_only) == url.replace("http://", "https://")
    for other in ("https://data.gdeltproject.org.example.com/x.zip", "https://data.gdeltproject.org:8443/x.zip",
                  "ftp://data.gdeltproject.org/x.zip", "http://127.0.0.1/x.zip", "file:///etc/passwd"):  # fmt: skip
        with pytest.raises(fetch.FetchError):
            fetch.checked(other, gdelt_only)
    mirror = fetch.allowed_origins("mirror.example.org, http://127.0.0.1:8000")
    assert fetch.checked("http://mirror.example.org/a.zip", mirror) == "https://mirror.example.org/a.zip"
    assert fetch.checked("http://127.0.0.1:8000/a.zip", mirror) == "http://127.0.0.1:8000/a.zip"


def test_without_the_setting_a_plain_http_list_is_not_fetched(site, cli, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(fetch.HOSTS_SETTING)
    site.pages["/list.txt"] = (200, {}, b"")
    r = online(cli, site, tmp_path / "out")
    assert r.code == 3
    assert "not fetched: only https from data.gdeltproject.org" in r.err
    assert site.requests == []


def test_a_list_naming_another_host_fetches_nothing(site, cli, tmp_path) -> None:
    name, blob = export_zip(tmp_path, "20250621120000", KELLOGG)
    site.pages[f"/{name}"] = (200, {}, blob)
    site.pages["/list.txt"] = (200, {}, listing(
        (len(blob), md5(blob), f"{site.origin}/{name}"),
        (len(blob), md5(blob), "http://files.example.net/20250621121500.export.CSV.zip"),
    ))  # fmt: skip
    r = online(cli, site, tmp_path / "out")
    assert r.code == 3
    assert "files.example.net/20250621121500.export.CSV.zip: not fetched" in r.err
    assert site.zips() == []  # every address is checked before any file is fetched
    assert not list((tmp_path / "out").rglob("*.zip*"))


def test_a_redirect_to_another_host_is_not_followed(site, cli, tmp_path) -> None:
    name, blob = export_zip(tmp_path, "20250621120000", KELLOGG)
    site.pages[f"/{name}"] = (302, {"Location": f"http://localhost:1/{name}"}, b"")
    site.pages["/list.txt"] = (200, {}, listing((len(blob), md5(blob), f"{site.origin}/{name}")))
    r = online(cli, site, tmp_path / "out", n=1)
    assert r.code == 3
    assert f"http://localhost:1/{name}: not fetched" in r.err


def test_files_larger_than_listed_or_allowed_or_with_another_md5_are_not_kept(site, cli, tmp_path) -> None:
    name, blob = export_zip(tmp_path, "20250621120000", KELLOGG)
    site.pages[f"/{name}"] = (200, {}, blob)
    downloads = tmp_path / "out" / ".gdelt-downloads"
    # Listed smaller than it is: the download stops at the listed size.
    site.pages["/list.txt"] = (200, {}, listing((len(blob) - 10, md5(blob), f"{site.origin}/{name}")))
    r = online(cli, site, tmp_path / "out", n=1)
    assert r.code == 3
    assert f"more than the {len(blob) - 10:,} bytes allowed; not kept" in r.err
    assert not list(downloads.iterdir())  # no .part left behind
    # Listed larger than any GDELT file may be: not requested at all.
    site.requests.clear()
    site.pages["/list.txt"] = (
        200,
        {},
        listing((fetch.MAX_FILE_BYTES + 1, md5(blob), f"{site.origin}/{name}")),
    )
    r = online(cli, site, tmp_path / "out", n=1)
    assert r.code == 3
    assert f"more than the {fetch.MAX_FILE_BYTES:,} bytes allowed" in r.err
    assert site.zips() == []
    # The listed size, another MD5: fetched, then not kept.
    site.pages["/list.txt"] = (200, {}, listing((len(blob), md5(b"other"), f"{site.origin}/{name}")))
    r = online(cli, site, tmp_path / "out", n=1)
    assert r.code == 3
    assert "size or MD5 differs from GDELT's list; not kept" in r.err
    assert not list(downloads.iterdir())
    # And the same file, listed right, is fetched and imported.
    second, blob2 = export_zip(tmp_path, "20250621121500", VILNIUS)
    site.pages[f"/{second}"] = (200, {}, blob2)
    site.pages["/list.txt"] = (200, {}, listing((len(blob), md5(blob), f"{site.origin}/{name}"),
                                                (len(blob2), md5(blob2), f"{site.origin}/{second}")))  # fmt: skip
    r = online(cli, site, tmp_path / "out")
    assert r.code == 0, r.err
    assert "2 new gdelt events" in r.out
