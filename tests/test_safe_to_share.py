"""What an anonymous reader of a shared link can do to the page, tried in a real browser.

A link may carry anything in any parameter: whatever the page quotes back is
text, never a link, an image, HTML, maths or a Streamlit directive, and
nothing it says makes the browser fetch from another host. A page that fails
tells the reader so in a line and keeps its traceback in the server's log.
The table's own toolbar offers no download that skips the CSV escaping.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from browser import ARTIFACTS, ROOT, streamlit_server

from dashboard import filters

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

TIMEOUT = 30_000
VISIT = "kellogg-visits-belarus-2025"
EVIL = "evil.example"
# Each renders as something other than itself if it reaches Markdown (Streamlit's, with its own
# directives and LaTeX) or HTML. Short enough for a notice to quote it whole.
PAYLOADS = [
    f"[Log in](http://{EVIL}/a)",
    f"![](http://{EVIL}/p.png)",
    f"<img src=http://{EVIL}/i.png>",
    f"<a href=http://{EVIL}/>x</a>",
    f"<script src=//{EVIL}/s.js>",
    rf"$\href{{http://{EVIL}}}{{x}}$",
    "$x^2$ :red[alarm] :material/home:",
    f"**b** www.{EVIL} a@{EVIL}",
    f"<http://{EVIL}/auto>",
]
# Every parameter the page reads, `page`, and names it does not know (the name is the payload).
PARAMS = [*filters.PARAMS, "page"]
UNKNOWN = "(name)"


def leaves_the_machine(url: str) -> bool:
    """Whether a request goes beyond 127.0.0.1. A `blob:` URL names an object the page made itself
    (a component's script), by the origin that made it: it is local when that origin is."""
    return urlparse(url.removeprefix("blob:")).hostname != "127.0.0.1"


def links() -> list[dict[str, str]]:
    """Every (parameter, payload) pair, five to a link: a link's first five notices are shown."""
    pairs = list(itertools.product(PAYLOADS, [*PARAMS, UNKNOWN]))  # five in a row name five parameters
    out = []
    for i in range(0, len(pairs), filters.MAX_NOTICES):
        link: dict[str, str] = {}
        for n, (payload, param) in enumerate(pairs[i : i + filters.MAX_NOTICES]):
            if param == UNKNOWN:
                link[f"z{n}{payload}"] = "1"
            else:
                link[param] = payload
        out.append(link)
    return out


OUTSIDE = """() => {
  const local = (u) => { try { return new URL(u, location.href).hostname === '127.0.0.1'; } catch { return false; } };
  const links = Array.from(document.querySelectorAll('a[href]')).map((a) => a.href).filter((h) => !local(h));
  const images = Array.from(document.querySelectorAll('img, image, picture, source, video, audio, iframe:not([srcdoc])'))
    .map((e) => e.outerHTML.slice(0, 200));
  const scripts = Array.from(document.querySelectorAll('script[src]')).map((s) => s.src).filter((s) => !local(s));
  const alerts = Array.from(document.querySelectorAll('[data-testid=stAlert]'));
  return {
    links, images, scripts,
    maths: document.querySelectorAll('.katex, math').length,
    alertLinks: alerts.reduce((n, a) => n + a.querySelectorAll('a, strong, b, img, code').length, 0),
    alertIcons: alerts.map((a) => a.querySelectorAll('[data-testid=stIconMaterial]').length),
    alerts: alerts.map((a) => (a.querySelector('[data-testid=stMarkdownContainer]') || a).innerText),
  };
}"""


def test_no_url_parameter_can_put_a_link_an_image_or_markup_on_the_page(browser, server, seed) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1200})
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT)
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    try:
        for link in links():
            expected = filters.from_query(seed, {k: [v] for k, v in link.items()})[1]
            assert expected, link
            pg.goto(f"{server}/?{urlencode(link)}")
            pg.wait_for_function(
                "(n) => document.querySelectorAll('[data-testid=stAlert]').length >= n"
                " && document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')",
                arg=len(expected),
            )
            seen = pg.evaluate(OUTSIDE)
            assert seen["links"] == [], (link, seen["links"])
            assert seen["images"] == [], (link, seen["images"])
            assert seen["scripts"] == [], (link, seen["scripts"])
            assert seen["maths"] == 0, link
            assert seen["alertLinks"] == 0, (link, seen["alerts"])
            assert set(seen["alertIcons"]) == {0}, (link, seen["alerts"])  # icons by `:material/…:`
            # The reader reads each notice as the plain text it is, the payload quoted as written.
            # (Invisible word joiners keep autolinks from forming: no reader sees them.)
            shown = [" ".join(a.replace("\u2060", "").split()) for a in seen["alerts"]]
            for notice in expected:
                assert " ".join(notice.split()) in shown, (notice, shown)
            assert "Traceback" not in pg.inner_text("body")
    finally:
        ctx.close()
    outside = sorted({u for u in requests if leaves_the_machine(u)})
    assert outside == []


def test_an_uploaded_files_name_is_quoted_as_text(browser, editing_server) -> None:
    name = f"[Log in](www.{EVIL}) **b** a@{EVIL} :material/home: $x^2$.txt"
    ctx = browser.new_context(viewport={"width": 1440, "height": 1200})
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT)
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    try:
        pg.goto(f"{editing_server}/add-article")
        pg.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
            {"name": name, "mimeType": "text/plain", "buffer": b"Talks in Minsk \xff\xfe ended."}
        )
        pg.wait_for_function(  # uploaded: the uploader lists it with its size
            "() => /\\.txt\\s+[0-9.]+\\s?B/.test(document.querySelector('[data-testid=stFileUploader]').innerText)"
        )
        pg.get_by_role("button", name="Propose events").click()
        pg.wait_for_function(
            "() => Array.from(document.querySelectorAll('[data-testid=stAlert]'))"
            ".some((a) => a.innerText.includes('not UTF-8'))"
        )
        seen = pg.evaluate(OUTSIDE)
    finally:
        ctx.close()
    assert seen["links"] == [], seen
    assert seen["images"] == [], seen
    assert seen["maths"] == 0, seen
    assert seen["alertLinks"] == 0, seen["alerts"]
    assert set(seen["alertIcons"]) <= {0}, seen["alerts"]
    said = [" ".join(a.replace("\u2060", "").split()) for a in seen["alerts"]]
    assert any(a.startswith(f"{name}: not UTF-8 text") for a in said), said
    assert sorted({u for u in requests if leaves_the_machine(u)}) == []


# --- a page that fails ----------------------------------------------------------------------------

# Loaded into the server before the app (as sitecustomize): the details card of one event fails
# (inside the page), and a filter of one kind fails in the sidebar (before the page).
PLANTED = """
import dashboard.query as query
import dashboard.views.details as details

_details, _summary = details.details, query.summary


def details_fails(atlas, event_id):
    if event_id == "kellogg-visits-belarus-2025":
        raise RuntimeError("planted failure reading /srv/contact-atlas/secret/card.db")
    return _details(atlas, event_id)


def summary_fails(engine, f, *args, **kwargs):
    if f.kinds == frozenset({"statement"}):
        raise RuntimeError("planted failure reading /srv/contact-atlas/secret/summary.db")
    return _summary(engine, f, *args, **kwargs)


details.details = details_fails
query.summary = summary_fails
"""


@pytest.fixture(scope="module")
def failing_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    plant = tmp_path_factory.mktemp("plant")
    (plant / "sitecustomize.py").write_text(PLANTED, encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "failing-page.log"
    env = {"PYTHONPATH": f"{plant}:{ROOT}"}
    with streamlit_server(ROOT / "dashboard" / "app.py", env=env, log=log) as srv:
        yield srv.url, log


@pytest.mark.parametrize(
    ("link", "where"),
    [(f"event={VISIT}", "card.db"), ("kind=statement", "summary.db")],
    ids=["in-the-page", "before-the-page"],
)
def test_a_failing_page_shows_a_notice_and_logs_its_traceback(browser, failing_server, link, where) -> None:
    url, log = failing_server
    ctx = browser.new_context(viewport={"width": 1440, "height": 1200})
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT)
    try:
        pg.goto(f"{url}/?{link}")
        pg.wait_for_function(
            "() => document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')"
            " && document.querySelector('[data-testid=stAlert], [data-testid=stException]')"
        )
        said = pg.inner_text("body")
    finally:
        pg.screenshot(path=ARTIFACTS / f"failing-page-{where}.png", full_page=True)
        ctx.close()
    for leak in ("Traceback", "planted", "/srv/", str(ROOT), "site-packages", ".py", "RuntimeError"):
        assert leak not in said, leak
    # The page's own notice, whether the page or the filters' counts before it failed: what failed,
    # that it is logged; the sidebar's heading still shows.
    assert "The Explorer page could not be shown" in said
    assert "logged" in said
    assert "Filters" in said
    assert "This app has encountered an error" not in said
    # The server's log has the whole traceback.
    text = log.read_text(encoding="utf-8", errors="replace")
    found = re.search(
        rf"Traceback \(most recent call last\):.*?RuntimeError: planted failure reading \S*{where}",
        text,
        re.S,
    )
    assert found, text[-3000:]


# --- the table's own toolbar ----------------------------------------------------------------------


def test_the_events_tables_own_toolbar_offers_no_csv_download(browser, server) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1200}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT)
    try:
        pg.goto(f"{server}/events")
        table = pg.wait_for_selector("[data-testid=stDataFrame]")
        pg.wait_for_function("() => document.body.innerText.includes('22 of 22 events')")
        table.hover()
        # The toolbar is there (its search and full-screen buttons) …
        pg.wait_for_selector("[data-testid=stElementToolbar] button")
        labels = pg.eval_on_selector_all(
            "[data-testid=stElementToolbar] button",
            "els => els.map((b) => b.getAttribute('aria-label') || b.innerText)",
        )
        assert labels
        # … without a download that writes cells as they are; the page's own buttons stay.
        assert not [x for x in labels if "download" in x.lower() or "csv" in x.lower()], labels
        assert pg.get_by_role("button", name="Download CSV").is_visible()
    finally:
        ctx.close()
