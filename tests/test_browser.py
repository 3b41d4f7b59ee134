"""The dashboard in a real browser: Debian's Chromium driven by Playwright against `streamlit run`.

What a reader does and sees: the three views painted, borders drawn offline,
clicks that select an event everywhere, and links that reproduce a view.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, DASHBOARD_PAINTED, ROOT, TIMEOUT, dashboard

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

VISIT = "kellogg-visits-belarus-2025"
POMPEO = "pompeo-visits-belarus-2020"
REQUESTS: list[str] = []

# Centre of the first on-screen mark whose customdata matches, found through the
# figure Plotly rendered (trace order is DOM order within each trace type).
POINT_CENTRE = """([which, wanted]) => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const gd = plots.filter((p) => p._fullLayout).find((p) => which === 'map' ? !!p._fullLayout.geo : !p._fullLayout.geo);
  if (!gd) return null;
  const seen = {};
  for (const trace of gd._fullData) {
    const type = trace.type;
    const nth = (seen[type] = (seen[type] ?? -1) + 1);
    const rows = trace.customdata || [];
    const i = rows.findIndex((r) => r && wanted.every((w, k) => w === null || r[k] === w));
    if (i < 0 || trace.name === 'Selected') continue;
    const group = {scattergeo: '.geo g.trace.scattergeo', bar: 'g.trace.bars', scatter: 'g.trace.scatter'}[type];
    if (!group) continue;
    const el = gd.querySelectorAll(group)[nth].querySelectorAll(type === 'bar' ? 'g.point path' : 'path.point')[i];
    if (!el) return null;
    el.scrollIntoView({block: 'center'});
    const b = el.getBoundingClientRect();
    return {x: b.x + b.width / 2, y: b.y + b.height / 2};
  }
  return null;
}"""


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1440, "height": 1500}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.on("request", lambda r: REQUESTS.append(r.url))
    yield pg
    pg.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


def own_page(browser, height: int = 1300) -> tuple[object, object]:
    """A context and page of a test's own, for a server of its own; close the context when done."""
    ctx = browser.new_context(viewport={"width": 1440, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("request", lambda r: REQUESTS.append(r.url))
    return ctx, page


def open_view(page, server: str, query: str = "", path: str = "") -> None:
    page.goto(f"{server}/{path}{'?' + query if query else ''}")
    wait_painted(page)


def wait_painted(page) -> None:
    """The map (borders and markers), the timeline's marks and the article's marks are on screen."""
    page.wait_for_function(DASHBOARD_PAINTED)


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_selected(page, event_id: str) -> None:
    page.wait_for_function(
        """(id) => Array.from(document.querySelectorAll('.article-text mark.ev.selected'))
                     .some((m) => m.dataset.events.split(' ').includes(id))""",
        arg=event_id,
    )
    page.wait_for_function("(id) => location.search.includes('event=' + id)", arg=event_id)


def click_mark(page, which: str, wanted: list[str | None]) -> None:
    centre = page.evaluate(POINT_CENTRE, [which, wanted])
    assert centre, f"no {which} mark for {wanted}"
    page.mouse.click(centre["x"], centre["y"])


def test_all_three_views_are_painted(page, server) -> None:
    open_view(page, server)
    text = page.inner_text("body")
    assert "22 of 22 events · 2020–2025 · 6 without a place" in text
    page.wait_for_function("() => document.querySelector('.js-plotly-plot[data-labels-placed]')")
    labels = page.eval_on_selector_all(".geo text[data-placed=shown]", "els => els.map((e) => e.textContent)")
    assert {"Minsk", "Kyiv", "Moscow", "from Washington"} <= set(labels)
    borders = page.eval_on_selector(
        ".geo path.countries, .geo .countries path", "e => e.getAttribute('d').length"
    )
    assert borders > 10_000  # the served Natural Earth borders, not an empty path
    assert "Kellogg met with Belarusian President" in page.inner_text(".article-text")


def test_clicking_a_map_marker_selects_its_event_everywhere(page, server) -> None:
    open_view(page, server)
    click_mark(page, "map", ["visit", "minsk", "washington"])
    wait_selected(page, VISIT)
    assert query(page)["event"] == [VISIT]
    page.wait_for_function("() => document.body.innerText.includes('US envoy Keith Kellogg visits Belarus')")
    selected = page.inner_text(".article-text mark.ev.selected")
    assert selected.startswith("US Special Envoy for Ukraine Keith Kellogg met with")
    # The article pane scrolled to it.
    page.wait_for_function("() => document.querySelector('[data-scrolled-to]') !== null")


def test_clicking_a_timeline_mark_selects_its_event(page, server) -> None:
    open_view(page, server, "span=all")  # Pompeo's 2020 visit: outside the busiest span
    click_mark(page, "timeline", [POMPEO])
    wait_selected(page, POMPEO)
    assert "Mike Pompeo in 2020" in page.inner_text(".article-text mark.ev.selected")
    assert "Mike Pompeo (visitor)" in page.inner_text("body")


TIMELINE_TICKS = """() => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find((p) => p._fullLayout && !p._fullLayout.geo);
  return gd ? Array.from(gd.querySelectorAll('.xtick text')).map((t) => t.textContent) : [];
}"""


def test_the_timeline_zooms_to_the_latest_month_with_day_ticks_and_back(page, server) -> None:
    open_view(page, server)
    # At first, the months where most events are (February to June 2025).
    months = page.evaluate(TIMELINE_TICKS)
    assert months
    assert all(re.fullmatch(r"[A-Z][a-z]{2} 2025", t) for t in months), months
    page.get_by_role("button", name="Latest month", exact=True).click()
    page.wait_for_function(
        f"() => ({TIMELINE_TICKS})().some((t) => /^\\d{{1,2}} (May|Jun|Jul)( 20\\d\\d)?$/.test(t))"
    )
    days = page.evaluate(TIMELINE_TICKS)
    assert any("Jun" in t for t in days), days  # the month of the meeting, by day
    assert query(page)["span"] == ["month"]
    page.get_by_role("button", name="All", exact=True).click()
    page.wait_for_function(f"() => ({TIMELINE_TICKS})().every((t) => /^20\\d\\d$/.test(t))")
    assert query(page)["span"] == ["all"]


def test_a_filter_change_updates_the_url_and_the_link_restores_the_view(page, browser, server) -> None:
    open_view(page, server, f"event={VISIT}")
    wait_selected(page, VISIT)
    box = page.get_by_role("combobox", name="Event kinds")
    box.click()
    page.get_by_role("option", name="Visit", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('kind=visit')")
    page.wait_for_function("() => document.body.innerText.includes('4 of 22 events')")
    link = page.url
    assert query(page) == {"kind": ["visit"], "event": [VISIT]}

    other = browser.new_context(viewport={"width": 1440, "height": 1500}).new_page()
    other.on("request", lambda r: REQUESTS.append(r.url))
    other.goto(link)
    wait_painted(other)
    wait_selected(other, VISIT)
    assert "4 of 22 events · 2020–2025" in other.inner_text("body")
    assert "US envoy Keith Kellogg visits Belarus" in other.inner_text("body")
    tags = other.eval_on_selector_all(
        "[data-testid=stSidebar] [data-testid=stMultiSelect] [data-tag]",
        "els => els.map((e) => e.textContent)",
    )
    assert tags == ["Visit"]
    other.screenshot(path=ARTIFACTS / "restored-link.png", full_page=True)
    other.context.close()


def test_links_work_on_every_page(page, server) -> None:
    page.goto(f"{server}/events?kind=visit&actor=mike-pompeo")
    page.wait_for_selector("[data-testid=stDataFrame]")
    page.wait_for_function("() => document.body.innerText.includes('1 of 22 events')")
    assert query(page) == {"actor": ["mike-pompeo"], "kind": ["visit"]}
    page.goto(f"{server}/about?actor=nobody")
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg="Ignored actor 'nobody'")
    assert "Traceback" not in page.inner_text("body")


NAMES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "geojson": "GeoJSON"}


def test_downloads_equal_the_command_line_export(page, server) -> None:
    page.goto(f"{server}/events?kind=visit")
    page.wait_for_function("() => document.body.innerText.includes('4 of 22 events')")
    for fmt in ("csv", "xlsx", "json", "geojson"):
        with page.expect_download() as info:
            page.get_by_role("button", name=f"Download {NAMES[fmt]}").click()
        got = info.value.path().read_bytes()
        assert info.value.suggested_filename.startswith("contact-atlas_visit_"), info.value.suggested_filename
        # The share link in CSV and XLSX starts with the page's own address.
        cli = subprocess.run(
            [sys.executable, "-m", "dashboard", "export", "--format", fmt, "--kind", "visit",
             "--link-base", f"{server}/events"],
            cwd=ROOT, capture_output=True, check=True,
        )  # fmt: skip
        assert got == cli.stdout, fmt


@pytest.fixture(scope="module")
def synth_server(tmp_path_factory) -> Iterator[str]:
    from dashboard import synth  # noqa: PLC0415

    data = tmp_path_factory.mktemp("synth") / "data"
    synth.write(3000, data, seed=1)
    with dashboard(data, log="streamlit-synth.log") as url:
        yield url


def test_at_scale_a_timeline_bin_and_a_map_marker_select_events(browser, synth_server) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1500})
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("request", lambda r: REQUESTS.append(r.url))
    open_view(page, synth_server)
    assert "3,000 of 3,000 events" in page.inner_text("body")
    assert "counted by quarter" in page.inner_text("body")
    click_mark(page, "timeline", ["@bin", None, None, None])
    page.wait_for_function("() => /event=ev-/.test(location.search)")
    first = query(page)["event"][0]
    wait_selected(page, first)
    click_mark(page, "map", [None, None, None])
    page.wait_for_function(
        "(id) => /event=ev-/.test(location.search) && !location.search.includes(id)", arg=first
    )
    wait_selected(page, query(page)["event"][0])
    page.screenshot(path=ARTIFACTS / "synthetic-3000.png", full_page=True)
    ctx.close()


@pytest.fixture(scope="module")
def mixed_server(tmp_path_factory) -> Iterator[str]:
    """The bundled article and a GDELT file of the same week, imported as an analyst would."""
    import shutil  # noqa: PLC0415

    from test_imports import GDELT_FILE, GOOD, write_gdelt  # noqa: PLC0415

    from dashboard.readers import gdelt  # noqa: PLC0415

    base = tmp_path_factory.mktemp("mixed")
    data = base / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    report, _ = gdelt.import_files([write_gdelt(base / GDELT_FILE, GOOD)], data / "gdelt", gdelt.Options())
    assert report.imported == len(GOOD)
    with dashboard(data, log="streamlit-mixed.log") as url:
        yield url


MARK_STYLES = """() => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find((p) => p._fullLayout.geo);
  const out = {hollow: 0, filled: 0};
  for (const t of gd._fullData) {
    if (t.type !== 'scattergeo' || !t.customdata || t.customdata[0]?.length !== 4) continue;
    for (const row of t.customdata) out[row[3] === 'machine' ? 'hollow' : 'filled'] += 1;
    const symbols = [].concat(t.marker.symbol);
    if (t.customdata.some((r) => r[3] === 'machine') && !symbols.some((x) => String(x).endsWith('-open')))
      return null;
  }
  return out;
}"""


def test_curated_and_machine_coded_side_by_side_with_the_dataset_filter_in_the_link(
    browser, mixed_server
) -> None:
    ctx, page = own_page(browser)
    week = "from=2025-06-16&to=2025-06-24"
    open_view(page, mixed_server, f"dataset=curated,gdelt&{week}")
    assert query(page)["dataset"] == ["curated,gdelt"]  # the link keeps the filter, canonical: one parameter
    styles = page.evaluate(MARK_STYLES)
    assert styles is not None, "a machine-coded mark is not hollow"
    assert styles["hollow"] >= 3
    assert styles["filled"] >= 2
    text = page.inner_text("body")
    assert "Machine-coded (hollow)" in text
    assert "Suspect place" in text
    page.screenshot(path=ARTIFACTS / "curated-and-gdelt-week.png", full_page=False)
    # GDELT's Minsk, hollow: a click selects its event; the card says who coded it, the pane links the report.
    click_mark(page, "map", [None, "minsk", None, "machine"])
    page.wait_for_function("() => location.search.includes('event=gdelt-1230001')")
    page.wait_for_function("() => !!document.querySelector('.source-links a')")
    card = page.inner_text(".details-card")
    assert "GDELT 2.0 · machine-coded · gdelt:1230001" in card
    assert "mentions 10" in card
    href = page.get_attribute(".source-links a", "href")
    assert href == "https://news.example.org/kellogg-in-minsk"
    page.screenshot(path=ARTIFACTS / "gdelt-event-selected.png", full_page=False)
    # Only the wires: the link narrows to them.
    page.goto(f"{mixed_server}/?dataset=gdelt")
    page.wait_for_function("() => document.body.innerText.includes('5 of 27 events')")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).some((p) => p._fullLayout?.geo)"
    )
    assert page.evaluate(MARK_STYLES)["filled"] == 0
    ctx.close()


def test_no_request_leaves_the_host() -> None:
    # Runs last in this module: every request every test above made.
    assert REQUESTS, "no requests recorded"
    outside = [u for u in REQUESTS if urlparse(u).hostname not in {"127.0.0.1", "localhost", None}]
    assert outside == []


DRAFT_TEXT = (
    "Moldovan President Maia Sandu met with Romanian Prime Minister Ilie Bolojan in Chisinau on 8 January.\n"
    "The talks took place behind closed doors.\n"
    "Sandu reportedly told Bolojan that energy prices worried her.\n"
    "Lithuanian Foreign Minister Kestutis Budrys visited Vilnius University in 2023.\n"
)


def test_an_editor_pastes_an_article_and_downloads_its_drafts(browser, editing_server) -> None:
    import yaml  # noqa: PLC0415

    ctx, page = own_page(browser)
    page.goto(f"{editing_server}/add-article")
    page.get_by_label("Article text").fill(DRAFT_TEXT)
    page.get_by_label("Title").fill("Sandu meets Bolojan")
    page.get_by_label("Publisher").fill("Test Wire")
    page.get_by_role("spinbutton", name="year, Published").click()
    page.keyboard.type("20250110")  # year, month, day: each segment moves on to the next
    page.get_by_role("button", name="Propose events").click()
    page.wait_for_function("() => document.body.innerText.includes('3 proposed events')")
    page.wait_for_selector(".draft-article mark.ev")
    page.wait_for_selector("[data-testid=stDataFrame] canvas")  # the editor's table
    marks = page.eval_on_selector_all(".draft-article mark.ev", "els => els.map((e) => e.textContent)")
    assert any(m.startswith("Moldovan President Maia Sandu met with") for m in marks), marks
    assert len(marks) >= 3
    body = page.inner_text("body")
    assert "Save to the data folder" not in body  # this deployment does not write
    assert "CONTACT_ATLAS_DRAFTS_WRITE=1" in body
    page.screenshot(path=ARTIFACTS / "add-article-drafts.png", full_page=False)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download YAML").click()
    doc = yaml.safe_load(info.value.path().read_text(encoding="utf-8"))
    assert doc["articles"][0]["title"] == "Sandu meets Bolojan"
    assert len(doc["events"]) >= 3
    assert {e["status"] for e in doc["events"]} == {"draft"}
    assert {"kestutis-budrys", "maia-sandu"} <= {p["actor"] for e in doc["events"] for p in e["participants"]}
    assert "Traceback" not in body
    ctx.close()


@pytest.fixture(scope="module")
def drafted_server(tmp_path_factory) -> Iterator[str]:
    """The bundled article and a new one drafted by `draft` and placed by `geocode`, as an editor would."""
    import shutil  # noqa: PLC0415

    base = tmp_path_factory.mktemp("drafted")
    data = base / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    (base / "new.txt").write_text(DRAFT_TEXT, encoding="utf-8")
    for args in (
        ["draft", str(base / "new.txt"), "--title", "Sandu meets Bolojan", "--publisher", "Test Wire",
         "--published", "2025-01-10", "--data", str(data), "--out", str(data / "articles" / "new.yaml")],
        ["geocode", "--data", str(data)],
    ):  # fmt: skip
        subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, check=True, capture_output=True)
    with dashboard(data, log="streamlit-drafted.log") as url:
        yield url


DRAFT_MARKS = """() => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find((p) => p._fullLayout.geo);
  const out = [];
  for (const t of gd._fullData) {
    if (t.type !== 'scattergeo' || !t.customdata || t.customdata[0]?.length !== 4) continue;
    t.customdata.forEach((row, i) => {
      if (row[3] === 'draft') out.push([row[1], String([].concat(t.marker.color)[i] ?? t.marker.color)]);
    });
  }
  return out;
}"""


def test_drafts_are_pale_on_the_map_filtered_by_the_link_and_labelled_in_the_card(
    browser, drafted_server
) -> None:
    ctx, page = own_page(browser)
    open_view(page, drafted_server, "coding=draft")
    assert query(page)["coding"] == ["draft"]
    text = page.inner_text("body")
    assert "3 of 25 events" in text  # the talks are the meeting told again: one proposal, both quotes
    assert "Draft, not yet reviewed (pale)" in text
    marks = page.evaluate(DRAFT_MARKS)
    assert marks, "no draft mark on the map"
    assert all(colour.startswith("rgba(") and colour.endswith(", 0.3)") for _, colour in marks), marks
    click_mark(page, "map", [None, "chisinau", None, "draft"])
    page.wait_for_function("() => location.search.includes('event=')")
    page.wait_for_selector(".details-card .dataset.draft")
    assert "Draft · proposed from the article's text, not yet reviewed" in page.inner_text(".details-card")
    page.screenshot(path=ARTIFACTS / "drafts-on-the-map.png", full_page=False)
    ctx.close()
