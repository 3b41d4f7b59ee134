"""Replicas behind Debian's nginx, as `make serve` runs them: failover, sticky sessions, data edits.

Two `streamlit run` replicas and nginx start on 127.0.0.1 ports the test
picks (deploy/serve.py, the documented command's own code) and are stopped by
process id. Readers are a real Chromium, and the load harness's protocol
client (bench/load.py), which speaks Streamlit's websocket protocol.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, DASHBOARD_PAINTED, ROOT, chromium_path, required
from conftest import DATA, SEED_EVENTS

sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "bench"))

import load
import serve

VISIT = "kellogg-visits-belarus-2025"
LINK = f"kind=visit&event={VISIT}"
EVENTS_FILE = SEED_EVENTS.relative_to(DATA)


def nginx_path() -> str:
    """Debian's nginx."""
    found = os.environ.get("CONTACT_ATLAS_NGINX") or shutil.which("nginx")
    if not found and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return required(
        found, "nginx not found: apt-get install nginx (or set CONTACT_ATLAS_NGINX=/path/to/nginx)"
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(DATA, dest)
    return dest


@pytest.fixture(scope="module")
def cluster(data: Path, tmp_path_factory) -> Iterator[tuple[serve.Process, list[serve.Process]]]:
    os.environ.setdefault("CONTACT_ATLAS_NGINX", nginx_path())
    run = tmp_path_factory.mktemp("run")
    try:
        with serve.cluster(2, data=str(data), run=run) as (proxy, replicas):
            yield proxy, replicas
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for log in run.glob("*.log"):
            shutil.copy(log, ARTIFACTS / f"deploy-{log.name}")


def replica_of(pg, proxy: serve.Process, replicas: list[serve.Process]) -> serve.Process:
    """The replica nginx routes this page's reader to (its route cookie decides)."""
    answer = pg.request.get(f"{proxy.url}/_stcore/health")
    assert answer.ok
    name = answer.headers["x-contact-atlas-replica"]
    return next(r for r in replicas if r.tag == name)


def first_run(url: str, query: str) -> load.Page:
    """One reader opens a link and reads the first run, over Streamlit's own protocol."""
    run, page = load.first_page(url, query)
    assert run.ok, run.why
    return page


def test_readers_spread_over_both_replicas_and_every_run_renders(cluster) -> None:
    proxy, replicas = cluster
    alive = [r for r in replicas if r.proc.poll() is None]
    assert len(alive) == 2
    cpu = {r.proc.pid: load.proc_cpu(r.proc.pid) for r in alive}
    # 16 readers, each routed at random: all on one replica would happen once in 32,768 runs.
    result = load.crowd(proxy.url, [r.proc.pid for r in alive], 16, think="impatient", changes=1, settle=0)
    assert result.failed == 0, result.failures
    assert len(result.first) == 16
    assert len(result.changes) == 16
    assert all(load.proc_cpu(pid) > used for pid, used in cpu.items()), "one replica did all the work"


def test_a_data_edit_reaches_every_replica_and_no_reader_sees_half_of_it(cluster, data: Path) -> None:
    proxy, replicas = cluster
    alive = [r for r in replicas if r.proc.poll() is None]
    path = data / EVENTS_FILE
    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "summary: US envoy Keith Kellogg visits Belarus,",
        "summary: EDITED US envoy Keith Kellogg visits Belarus,",
    ) + (
        "  - id: added-while-serving\n    kind: statement\n    summary: Added while two replicas serve.\n"
        "    date: 2025-06-21\n    participants: [{actor: keith-kellogg}]\n"
        '    sources: [{quote: "stating that current crises could escalate rapidly"}]\n'
        "    attribution: the article\n    certainty: reported\n"
    )
    assert edited.count("EDITED") == 1

    def state(page: load.Page) -> tuple[str, bool]:
        said = "\n".join(page.texts)
        count = "23" if "23 of 23 events" in said else "22" if "22 of 22 events" in said else "?"
        return count, "EDITED US envoy" in said

    seen: list[tuple[str, bool]] = []
    deadline = time.monotonic() + 60
    wrote = False
    for i in range(200):  # bounded in count and in time
        seen.append(state(first_run(proxy.url, f"event={VISIT}")))
        if i == 3 and not wrote:
            tmp = path.with_name(".edit.tmp")  # not *.yaml: never read half-written
            tmp.write_text(edited, encoding="utf-8")
            os.replace(tmp, path)
            wrote = True
        if wrote and all(state(first_run(r.url, f"event={VISIT}")) == ("23", True) for r in alive):
            break
        assert time.monotonic() < deadline, f"the edit did not reach every replica in 60 s: {seen[-5:]}"
    assert set(seen) <= {("22", False), ("23", True)}, f"a reader saw half an edit: {sorted(set(seen))}"
    assert seen[0] == ("22", False)
    for r in alive:
        assert state(first_run(r.url, f"event={VISIT}")) == ("23", True), r.name
    # Put the data back, for the tests after this one, and wait until both replicas have it.
    tmp = path.with_name(".edit.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    deadline = time.monotonic() + 60
    while not all(state(first_run(r.url, f"event={VISIT}")) == ("22", False) for r in alive):
        assert time.monotonic() < deadline, "the restored data did not reach every replica in 60 s"


def test_the_proxy_forbids_framing_and_sniffing_and_names_no_version_or_address(cluster) -> None:
    proxy, replicas = cluster
    names = set()
    for path in (
        "/",
        f"/?{LINK}",
        "/_stcore/health",
        "/app/static/topojson/world_110m.json",
        "/no-such-page",
    ):
        with urllib.request.urlopen(f"{proxy.url}{path}", timeout=30) as r:  # noqa: S310 - loopback
            h = r.headers
        assert h["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"], path
        assert h["X-Content-Type-Options"] == "nosniff", path
        assert h["Server"] == "nginx", path  # no version
        names.add(h["X-Contact-Atlas-Replica"])
        assert all(
            h.get_all(k) and len(h.get_all(k)) == 1 for k in ("X-Frame-Options", "X-Content-Type-Options")
        )
    assert names <= {r.tag for r in replicas}
    header_text = " ".join(names)
    for r in replicas:
        assert urlparse(r.url).netloc not in header_text
        assert str(urlparse(r.url).port) not in header_text
    # nginx's own error page (it refuses TRACE itself) names no version either.
    trace = urllib.request.Request(f"{proxy.url}/", method="TRACE")  # noqa: S310 - loopback
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(trace, timeout=30)  # noqa: S310 - loopback
    assert refused.value.headers["Server"] == "nginx"
    assert not re.search(r"nginx/\d", refused.value.read().decode("utf-8", "replace"))


# Last: it kills a replica.
def test_a_reader_comes_back_on_the_other_replica_with_the_same_view(browser, cluster) -> None:
    chromium_path()
    proxy, replicas = cluster
    ctx = browser.new_context(viewport={"width": 1440, "height": 1500})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    sockets = []
    pg.on("websocket", lambda ws: sockets.append(ws))  # noqa: PLW0108 - Playwright tags its handlers
    pg.goto(f"{proxy.url}/?{LINK}")
    pg.wait_for_function(DASHBOARD_PAINTED)
    pg.wait_for_function("() => document.body.innerText.includes('4 of 22 events')")
    before = pg.inner_text("[data-testid=stMain]")
    assert "US envoy Keith Kellogg visits Belarus" in before
    serving = replica_of(pg, proxy, replicas)
    survivor = next(r for r in replicas if r is not serving)
    opened = len(sockets)

    # The replica dies mid-session, as a crashed or redeployed process would. The page reconnects by
    # itself through the proxy, lands on the survivor and runs the same view again from its URL.
    killed = time.monotonic()
    with pg.expect_websocket(timeout=10_000):
        serving.proc.kill()
        serving.proc.wait(timeout=10)
    pg.wait_for_function(
        f"""() => document.querySelector(
                  '[data-testid=stApp][data-test-connection-state=CONNECTED][data-test-script-state=notRunning]')
              && ({DASHBOARD_PAINTED})()
              && document.body.innerText.includes('4 of 22 events')
              && document.body.innerText.includes('US envoy Keith Kellogg visits Belarus')""",
        timeout=max(1.0, 10_000 - 1000 * (time.monotonic() - killed)),
    )
    took = time.monotonic() - killed
    assert len(sockets) > opened, "the page never opened a new connection"
    assert parse_qs(urlparse(pg.url).query) == {"kind": ["visit"], "event": [VISIT]}
    assert replica_of(pg, proxy, replicas) is survivor
    after = pg.inner_text("[data-testid=stMain]")
    assert after == before, "the view came back different"
    pg.screenshot(path=ARTIFACTS / "failover.png", full_page=True)
    ctx.close()
    print(f"back on the survivor {took:.1f} s after the kill")  # noqa: T201 - shown with -s


def test_an_editing_replica_behind_nginx_serves_no_page_without_sign_in(
    browser, data: Path, tmp_path: Path, monkeypatch
) -> None:
    # `make edit`'s server, with no sign-in configured, reached through nginx as `make serve` runs it:
    # nginx says so in X-Forwarded-For (on the page's websocket too), readers come from elsewhere,
    # and nothing is served. (A browser's own extra headers no longer reach the websocket's upgrade
    # request, so a real proxy is what this takes.)
    os.environ.setdefault("CONTACT_ATLAS_NGINX", nginx_path())
    no_secrets = tmp_path / "secrets.toml"  # none: not the developer's own
    no_secrets.write_text("", encoding="utf-8")
    monkeypatch.setenv("CONTACT_ATLAS_MODE", "edit")
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(no_secrets))
    with serve.cluster(1, data=str(data), run=tmp_path / "run") as (proxy, _):
        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{proxy.url}/add-article")
        page.wait_for_function("() => document.body.innerText.includes('serves no page')")
        assert page.get_by_label("Article text").count() == 0
        assert "of 22 events" not in page.inner_text("body")
        ctx.close()
