"""The reading flow in a real browser, measured as a reader sees it: geometry, not markup.

Map labels clear of each other and of every marker; after a selection the
details card and the emphasised sentence inside the window at 1440×900 and
1280×720 (and brought into view at 420 px); every place's marker selecting an
event at that place on a narrow screen; the list of events reached from the
keyboard; the table readable without scrolling sideways.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from browser import DASHBOARD_PAINTED, ROOT, dashboard, local_page

from dashboard import filters, store
from dashboard.readers import corpus
from dashboard.views import labels
from dashboard.views import map as map_view

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

MEETING = "kellogg-meets-lukashenko"
POMPEO = "pompeo-visits-belarus-2020"
SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720)}

MAP = (
    "Array.from(document.querySelectorAll('.js-plotly-plot')).find((p) => p._fullLayout && p._fullLayout.geo)"
)
# Boxes of the map's shown labels and of every marker (places, arrows, the selection ring).
MAP_BOXES = f"""() => {{
  const gd = {MAP};
  const box = (e) => e.getBoundingClientRect().toJSON();
  return {{
    labels: Array.from(gd.querySelectorAll('.geo text[data-placed=shown]')).map((e) => ({{text: e.textContent, box: box(e)}})),
    hidden: Array.from(gd.querySelectorAll('.geo text[data-placed=hidden]')).map((e) => e.textContent),
    marks: Array.from(gd.querySelectorAll('.geo g.trace.scattergeo path.point')).map(box).filter((b) => b.width > 0),
  }};
}}"""
# The centre of the marker drawn for a map point: its place marker, found through the figure.
PLACE_CENTRE = f"""(place) => {{
  const gd = {MAP};
  const traces = gd._fullData.filter((t) => t.type === 'scattergeo');
  const groups = gd.querySelectorAll('.geo g.trace.scattergeo');
  for (let k = 0; k < traces.length; k++) {{
    const t = traces[k];
    if (t.name === 'Labels' || t.name === 'Selected' || !t.customdata || (t.name || '').endsWith('(route)')) continue;
    const i = t.customdata.findIndex((r) => r[0] === '*' && r[1] === place && r[2] === '*');
    if (i < 0) continue;
    const b = groups[k].querySelectorAll('path.point')[i].getBoundingClientRect();
    return {{x: b.x + b.width / 2, y: b.y + b.height / 2}};
  }}
  return null;
}}"""
SELECTED_BOXES = """(id) => {
  const card = document.querySelector('.details-card');
  const mark = Array.from(document.querySelectorAll('mark.ev.selected'))
    .find((m) => m.dataset.events.split(' ').includes(id));
  return {card: card && card.getBoundingClientRect().toJSON(), mark: mark && mark.getBoundingClientRect().toJSON(),
          width: innerWidth, height: innerHeight, shown: document.body.dataset.shown};
}"""


@pytest.fixture
def reader(browser, request) -> Iterator:
    """A page of the given size (a "WxH" parameter, else 1440×900) that may only talk to this machine."""
    width, height = getattr(request, "param", (1440, 900))
    with local_page(browser, request.node.name, viewport={"width": width, "height": height}) as page:
        yield page


def open_explorer(page, server: str, query: str = "") -> None:
    page.goto(f"{server}/{'?' + query if query else ''}")
    page.wait_for_function(DASHBOARD_PAINTED)
    page.wait_for_function(f"() => ({MAP})?.dataset.labelsPlaced")


def selected_event(page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("event", [None])[0]


def wait_shown(page, event_id: str) -> dict:
    """Wait until the page has shown the event (sentence scrolled to), then measure what is in view."""
    page.wait_for_function("(id) => location.search.includes('event=' + id)", arg=event_id)
    page.wait_for_function("(id) => document.body.dataset.shown === id", arg=event_id)
    return page.evaluate(SELECTED_BOXES, event_id)


def in_view(box: dict, width: int, height: int) -> bool:
    return box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= height and box["right"] <= width


def intersect(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def assert_labels_clear(page) -> list[str]:
    boxes = page.evaluate(MAP_BOXES)
    labels = boxes["labels"]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not intersect(a["box"], b["box"]), f"{a['text']} overlaps {b['text']}"
        for m in boxes["marks"]:
            assert not intersect(a["box"], m), f"{a['text']} covers a marker at {m}"
    return [x["text"] for x in labels]


@pytest.mark.parametrize("reader", [(1440, 900), (420, 900)], indirect=True, ids=["1440", "420"])
def test_city_labels_never_cover_each_other_or_a_marker(reader, server) -> None:
    open_explorer(reader, server, f"event={MEETING}")
    shown = assert_labels_clear(reader)
    assert {"Minsk", "Kyiv", "Moscow"} <= set(shown)
    # "Fit all" brings Washington's contacts into the frame; labels are placed again, still clear.
    reader.get_by_role("button", name="Fit all", exact=True).click()
    reader.wait_for_function(f"() => ({MAP})?._fullLayout.geo.lonaxis.range[0] < -77")
    reader.wait_for_function(f"() => (({MAP})?.querySelectorAll('.geo text[data-placed]') || []).length >= 4")
    reader.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert_labels_clear(reader)


@pytest.fixture(scope="module")
def second_corpus(tmp_path_factory) -> Iterator[str]:
    """The bundled corpus and three more articles, with Vilnius, Riga and Warsaw near Minsk."""
    data = tmp_path_factory.mktemp("second") / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(ROOT / "tests" / "corpora" / "baltic", data / "baltic")
    with dashboard(data, log="streamlit-second.log") as url:
        yield url


@pytest.mark.parametrize("reader", [(1440, 900), (420, 900)], indirect=True, ids=["1440", "420"])
def test_a_second_corpus_labels_its_cities_without_overlap(reader, second_corpus) -> None:
    open_explorer(reader, second_corpus)
    assert "27 of 27 events" in reader.inner_text("body")
    shown = assert_labels_clear(reader)
    if reader.viewport_size["width"] >= 1440:
        assert {"Minsk", "Kyiv", "Moscow", "Vilnius", "Warsaw", "Riga"} <= set(shown), shown


@pytest.mark.parametrize("reader", list(SIZES.values()), indirect=True, ids=list(SIZES))
def test_after_a_map_click_the_card_and_the_sentence_are_in_view(reader, server) -> None:
    open_explorer(reader, server)
    centre = reader.evaluate(PLACE_CENTRE, "minsk")
    assert centre
    reader.mouse.click(centre["x"], centre["y"])
    reader.wait_for_function("() => /event=/.test(location.search)")
    event = selected_event(reader)
    assert event
    got = wait_shown(reader, event)
    assert in_view(got["card"], got["width"], got["height"]), got
    assert in_view(got["mark"], got["width"], got["height"]), got


@pytest.mark.parametrize("reader", list(SIZES.values()), indirect=True, ids=list(SIZES))
def test_after_a_timeline_click_lower_down_the_card_and_the_sentence_stay_in_view(reader, server) -> None:
    open_explorer(reader, server, "span=all")  # Pompeo's 2020 visit: outside the busiest span
    timeline = reader.locator(".js-plotly-plot").nth(1)
    timeline.scroll_into_view_if_needed()
    mark = reader.evaluate(
        """(id) => {
          const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find((p) => p._fullLayout && !p._fullLayout.geo);
          for (const [k, t] of gd._fullData.entries()) {
            const i = (t.customdata || []).findIndex((r) => r[0] === id);
            if (i < 0 || t.type !== 'bar') continue;
            const nth = gd._fullData.slice(0, k).filter((x) => x.type === 'bar').length;
            const el = gd.querySelectorAll('g.trace.bars')[nth].querySelectorAll('g.point path')[i];
            el.scrollIntoView({block: 'end'});
            const b = el.getBoundingClientRect();
            return {x: b.x + Math.min(b.width / 2, 20), y: b.y + b.height / 2};
          }
          return null;
        }""",
        POMPEO,
    )
    assert mark
    reader.mouse.click(mark["x"], mark["y"])
    got = wait_shown(reader, POMPEO)
    assert reader.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") > 0
    assert in_view(got["card"], got["width"], got["height"]), got
    assert in_view(got["mark"], got["width"], got["height"]), got


@pytest.mark.parametrize("reader", [(420, 900)], indirect=True, ids=["420"])
def test_on_a_narrow_screen_each_place_marker_selects_an_event_at_that_place(
    reader, server, seed, atlas
) -> None:
    open_explorer(reader, server)
    points = store.map_points(seed)
    places = map_view.map_data(atlas, filters.Filters(), atlas.events).points["place"].tolist()
    assert places == ["minsk", "kyiv", "moscow"]
    for place in places:
        reader.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
        centre = reader.evaluate(PLACE_CENTRE, place)
        assert centre, place
        before = selected_event(reader)
        reader.mouse.click(centre["x"], centre["y"])
        reader.wait_for_function(
            "(before) => /event=/.test(location.search) && !location.search.includes('event=' + before)",
            arg=str(before),
        )
        event = selected_event(reader)
        at = seed.events.loc[seed.events["id"] == event, "place"].iloc[0]
        assert points[at] == place, (place, event, at)
        # Stacked views: the page brought the card into view.
        got = wait_shown(reader, event)
        assert in_view(got["card"], got["width"], got["height"]), got


def test_the_keyboard_reaches_the_event_list_through_a_skip_link_and_enter_selects(
    reader, server, seed
) -> None:
    open_explorer(reader, server)
    reader.keyboard.press("Tab")  # one Tab: the skip link comes first
    assert reader.evaluate("() => document.activeElement.textContent") == "Skip to the list of events"
    reader.keyboard.press("Enter")
    first = reader.evaluate(
        "() => document.activeElement.closest('.st-key-event-list') ? document.activeElement.innerText : null"
    )
    assert first, "Enter on the skip link did not move into the list"
    reader.keyboard.press("Tab")  # the next event in the list
    second = reader.evaluate("() => document.activeElement.innerText")
    reader.keyboard.press("Enter")
    reader.wait_for_function("() => /event=/.test(location.search)")
    event = selected_event(reader)
    rec = corpus.records(seed.events[seed.events["id"] == event])[0]
    assert second.strip() == labels.list_label(rec)  # the focused event is the one selected
    got = wait_shown(reader, event)
    assert in_view(got["card"], got["width"], got["height"]), got


@pytest.mark.parametrize("reader", [(1440, 900)], indirect=True, ids=["1440"])
def test_the_other_sentences_are_marked_lightly_and_a_switch_marks_only_the_selected(reader, server) -> None:
    open_explorer(reader, server, f"event={MEETING}")
    wait_shown(reader, MEETING)
    colours = """() => {
      const bg = (m) => getComputedStyle(m).backgroundColor;
      const sel = document.querySelector('mark.ev.selected');
      const other = document.querySelector('mark.ev:not(.selected)');
      return {selected: bg(sel), other: bg(other)};
    }"""
    both = reader.evaluate(colours)
    assert both["selected"] != both["other"]
    assert both["other"] != "rgba(0, 0, 0, 0)"  # marked, lightly
    reader.get_by_text("Mark every cited sentence").click()
    reader.wait_for_function("() => document.querySelector('.marks-selected-only')")
    only = reader.evaluate(colours)
    assert only["other"] == "rgba(0, 0, 0, 0)"
    assert only["selected"] == both["selected"]


@pytest.mark.parametrize("reader", [(1440, 900)], indirect=True, ids=["1440"])
def test_the_table_wraps_summary_and_quote_without_sideways_scrolling(reader, server) -> None:
    reader.goto(f"{server}/events")
    reader.wait_for_selector("[data-testid=stDataFrame] .dvn-scroller")
    reader.wait_for_function("() => document.body.innerText.includes('22 of 22 events')")
    grid = reader.evaluate(
        """() => { const s = document.querySelector('[data-testid=stDataFrame] .dvn-scroller');
                   return {scroll: s.scrollWidth, client: s.clientWidth}; }"""
    )
    assert grid["scroll"] <= grid["client"] + 1, grid
    assert "Download GeoJSON" in reader.inner_text("body")
