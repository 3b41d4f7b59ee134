"""Helpers for the browser tests: Debian's Chromium, a real `streamlit run`, and waiting."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
# One folder a pytest-xdist worker (logs and screenshots of two workers never share a name).
ARTIFACTS = ROOT / "tests" / "artifacts" / os.environ.get("PYTEST_XDIST_WORKER", "")
# How long a browser step may wait: a failure costs this, a pass never does. Generous, because two
# test workers share two cores with their servers and browsers.
TIMEOUT = 60_000
# Flags measured to keep headless Chromium from reaching for outside hosts.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def required(found: str | None, reason: str) -> str:
    """A tool a test needs: under CI its absence fails the run, elsewhere the test skips with `reason`."""
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"these tests must run under CI: {reason}")
    pytest.skip(reason)
    raise AssertionError  # unreachable


def chromium_path() -> str:
    """Debian's Chromium."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return required(found, "Chromium not found: apt-get install chromium (or set CHROMIUM=/path/to/chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,  # noqa: S310 - loopback
        ):
            if r.status == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"streamlit did not become healthy at {url} in {timeout} s")


# All three Explorer views are on screen: map borders and markers, timeline marks, article marks.
DASHBOARD_PAINTED = """() => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const map = plots.find((p) => p._fullLayout && p._fullLayout.geo);
  const tl = plots.find((p) => p._fullLayout && !p._fullLayout.geo);
  return map && tl
    && map.querySelector('.geo path.countries, .geo .countries path')
    && map.querySelectorAll('g.trace.scattergeo path.point').length > 0
    && tl.querySelectorAll('g.trace path.point, g.trace.bars g.point path').length > 0
    && document.querySelectorAll('.article-text mark.ev').length > 0;
}"""


class Server(NamedTuple):
    url: str
    proc: subprocess.Popen[bytes]


@contextlib.contextmanager
def streamlit_server(
    script: Path,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    args: Sequence[str] = (),
    timeout: float = 90,
    port: int | None = None,
    address: str = "127.0.0.1",
) -> Iterator[Server]:
    """Run `streamlit run script` on `port` (a free loopback port if None), bound to `address`, until
    the block ends; it is reached at 127.0.0.1 either way."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    command = [
        sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
        "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
        *args,
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
    )
    try:
        wait_healthy(url, proc, timeout)
        yield Server(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()  # type: ignore[union-attr]


@contextlib.contextmanager
def dashboard(data: Path | None = None, log: str = "streamlit.log") -> Iterator[str]:
    """The app served on a data folder (default: the bundled one) for browser tests; yields its URL."""
    chromium_path()  # skip or fail before starting anything
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {"DASHBOARD_DATA": str(data)} if data is not None else None
    with streamlit_server(ROOT / "dashboard" / "app.py", env=env, log=ARTIFACTS / log) as srv:
        yield srv.url


@contextlib.contextmanager
def local_page(browser, name: str, **context: object) -> Iterator:
    """A page in its own context that may only talk to this machine; its screenshot is kept as NAME.png."""
    from urllib.parse import urlparse  # noqa: PLC0415

    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    yield page
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    ctx.close()
    assert [u for u in requests if urlparse(u).hostname not in {"127.0.0.1", "localhost", None}] == []
