"""Views that keep their state, in a real browser: the zoom through selections, lane switches and a
fresh link; the zoom buttons from the keyboard; same-day marks apart; one click to any event at a place.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, DASHBOARD_PAINTED
from test_reading import PLACE_CENTRE

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

MEETING = "kellogg-meets-lukashenko"
TIMELINE = (
    "Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".find((p) => p._fullLayout && !p._fullLayout.geo && p._fullLayout.xaxis && p._fullLayout.xaxis.type === 'date')"
)
MAP = (
    "Array.from(document.querySelectorAll('.js-plotly-plot')).find((p) => p._fullLayout && p._fullLayout.geo)"
)
# The timeline's x range as dates; while a rerun redraws the chart there is none for a moment (empty list).
X_RANGE = f"() => (({TIMELINE})?._fullLayout.xaxis.range || []).map((v) => String(v).slice(0, 10))"
VISIBLE_BOX = f"() => window.contactAtlasVisibleBox({MAP})"
# Screen centres of the timeline's marks for these events (points: scatter traces), by event id.
MARK_CENTRES = f"""(ids) => {{
  const gd = {TIMELINE};
  const groups = gd.querySelectorAll('g.trace.scatter');
  const out = {{}};
  gd._fullData.filter((t) => t.type === 'scatter').forEach((t, k) => {{
    (t.customdata || []).forEach((row, i) => {{
      if (!row || !ids.includes(row[0]) || t.name === 'Selected') return;
      const el = groups[k] && groups[k].querySelectorAll('path.point')[i];
      if (!el) return;
      const b = el.getBoundingClientRect();
      out[row[0]] = {{x: b.x + b.width / 2, y: b.y + b.height / 2}};
    }});
  }});
  return out;
}}"""


@pytest.fixture
def page(browser, request) -> Iterator:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1400})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    pg.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    ctx.close()


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def open_explorer(page, server: str, query: str = "") -> None:
    page.goto(f"{server}/{'?' + query if query else ''}")
    page.wait_for_function(DASHBOARD_PAINTED, timeout=90_000)  # a server's first page, on a busy machine


def wait_param(page, key: str, value: str | None = None) -> str:
    """Wait until the address bar has `key` (equal to `value` if given); its value."""
    page.wait_for_function(
        "([k, v]) => { const got = new URLSearchParams(location.search).get(k);"
        " return got !== null && (v === null || got === v); }",
        arg=[key, value],
    )
    return params(page)[key][0]


def wait_selected(page, event: str) -> None:
    """The event is in the link and the page has finished drawing it (its sentence shown)."""
    wait_param(page, "event", event)
    page.wait_for_function("(id) => document.body.dataset.shown === id", arg=event)


def wait_axis_on(page, span: str) -> None:
    """The timeline's axis shows the span's two dates."""
    page.wait_for_function(f"(want) => ({X_RANGE})().join('~') === want", arg=span)


def drag_zoom_timeline(page, start: float, end: float) -> None:
    box = page.evaluate(
        f"() => {{ const gd = {TIMELINE}; gd.scrollIntoView({{block: 'center'}});"
        " return gd.querySelector('.nsewdrag').getBoundingClientRect().toJSON(); }"
    )
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end, y, steps=6)
    page.mouse.up()


def test_the_zoom_survives_a_selection_and_a_lane_switch_and_opens_from_the_link(
    page, browser, server
) -> None:
    open_explorer(page, server)
    first = page.evaluate(X_RANGE)
    # Drag across the spring of 2025 on the timeline: the span reaches the link.
    drag_zoom_timeline(page, 0.55, 0.95)
    span = wait_param(page, "span")
    lo, hi = span.split("~")
    assert first[0] < lo < hi < first[1] or first != [lo, hi]
    wait_axis_on(page, span)
    # Zoom the map in with the wheel: its view reaches the link.
    page.evaluate(f"() => ({MAP}).scrollIntoView({{block: 'center'}})")
    centre = page.evaluate(PLACE_CENTRE, "minsk")
    page.mouse.move(centre["x"], centre["y"])
    page.mouse.wheel(0, -400)
    view = wait_param(page, "map")
    box = [float(x) for x in view.split(",")]
    # Select an event on the timeline: both zooms stay, in the view and in the link.
    page.evaluate(f"() => ({TIMELINE}).scrollIntoView({{block: 'center'}})")
    at = page.evaluate(MARK_CENTRES, [MEETING])[MEETING]
    page.mouse.click(at["x"], at["y"])
    wait_selected(page, MEETING)
    assert params(page)["span"] == [span]
    assert params(page)["map"] == [view]
    wait_axis_on(page, span)
    # Switch the lanes: still the same span.
    page.get_by_text("by actor", exact=True).click()
    wait_param(page, "lanes", "actor")
    assert params(page)["span"] == [span]
    assert params(page)["map"] == [view]
    wait_axis_on(page, span)
    shown = page.evaluate(VISIBLE_BOX)
    width = box[2] - box[0]
    assert all(abs(a - b) < 0.1 * width for a, b in zip(shown, box, strict=True)), (shown, box)
    # A fresh browser opening the link sees the same zoom.
    link = page.url
    other = browser.new_context(viewport={"width": 1440, "height": 1400}).new_page()
    other.set_default_timeout(30_000)
    other.goto(link)
    other.wait_for_function(DASHBOARD_PAINTED, timeout=90_000)
    wait_axis_on(other, span)
    again = other.evaluate(VISIBLE_BOX)
    assert all(abs(a - b) < 0.1 * width for a, b in zip(again, box, strict=True)), (again, box)
    assert "Ignored" not in other.inner_text("body")
    other.context.close()


def test_a_bad_zoom_in_a_link_gets_a_notice(page, server) -> None:
    open_explorer(page, server, "span=2025-07-01~2025-01-01&map=1,2,3")
    text = page.inner_text("body")
    assert "Ignored span '2025-07-01~2025-01-01'" in text
    assert "Ignored map '1,2,3'" in text
    assert "Traceback" not in text
    page.wait_for_function("() => !location.search.includes('span=') && !location.search.includes('map=')")


def test_the_zoom_buttons_are_reached_by_tab_and_pressed_from_the_keyboard(page, server) -> None:
    open_explorer(page, server)
    # The map's mode bar appears on hover: none of its buttons may take a Tab stop.
    page.hover(".js-plotly-plot .geo .layer.bg rect, .js-plotly-plot .nsewdrag", position={"x": 40, "y": 40})
    before = page.evaluate(X_RANGE)
    stops = []
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return {text: (e.innerText || '').trim(),"
            " modebar: !!e.closest('.modebar'), plot: !!e.closest('.js-plotly-plot')}; }"
        )
        stops.append(focused)
        if focused["text"] == "Latest month":
            break
    assert stops[-1]["text"] == "Latest month", [s["text"] for s in stops]
    assert not any(s["modebar"] or s["plot"] for s in stops), stops
    assert "Fit all" in [s["text"] for s in stops]  # the map's buttons came first
    page.keyboard.press("Enter")
    wait_param(page, "span", "month")
    page.wait_for_function(
        f"(was) => {{ const r = ({X_RANGE})(); return r.length === 2 && r.join() !== was.join(); }}",
        arg=before,
    )
    lo, hi = page.evaluate(X_RANGE)
    assert "2025-05" <= lo < "2025-06-21" < hi <= "2025-07-01"
    # Focus stays on the zoom buttons after the rerun: Tab on to "Latest year", then "All", Space presses it.
    page.get_by_role("button", name="All", exact=True).focus()
    page.keyboard.press("Space")
    wait_param(page, "span", "all")
    page.wait_for_function(f"() => ({X_RANGE})()[0] < '2020-01-01'")


def test_same_day_marks_in_actor_lanes_sit_apart_and_each_is_clicked(page, server, atlas) -> None:
    from dashboard.filters import Filters  # noqa: PLC0415
    from dashboard.views import timeline as timeline_view  # noqa: PLC0415

    data = timeline_view.timeline_data(atlas, Filters(lanes="actor"), 0)
    marks = data.marks
    same_day = marks[
        (marks["lane"] == "keith-kellogg") & (marks["shape"] == "point") & (marks["x0"] == "2025-06-21")
    ]["event"].tolist()
    assert len(same_day) >= 6
    open_explorer(page, server, "lanes=actor")
    page.evaluate(f"() => ({TIMELINE}).scrollIntoView({{block: 'center'}})")
    at = page.evaluate(MARK_CENTRES, same_day)
    assert sorted(at) == sorted(same_day)
    spots = list(at.values())
    for i, a in enumerate(spots):
        for b in spots[i + 1 :]:
            assert abs(a["x"] - b["x"]) >= 10 or abs(a["y"] - b["y"]) >= 10, (a, b)
    for event in same_day:
        page.evaluate(f"() => ({TIMELINE}).scrollIntoView({{block: 'center'}})")
        c = page.evaluate(MARK_CENTRES, [event])[event]
        page.mouse.click(c["x"], c["y"])
        wait_selected(page, event)


def test_one_click_to_any_of_the_seven_events_at_minsk(page, server, atlas) -> None:
    from dashboard.filters import Filters  # noqa: PLC0415
    from dashboard.views import map as map_view  # noqa: PLC0415

    at_minsk = [
        r["id"] for r in map_view.members(atlas, Filters(), (map_view.ANY, "minsk", map_view.ANY), 50)
    ]
    assert len(at_minsk) == 7
    open_explorer(page, server)
    c = page.evaluate(PLACE_CENTRE, "minsk")
    page.mouse.click(c["x"], c["y"])
    wait_selected(page, at_minsk[0])  # the latest is selected …
    listed = page.locator(".st-key-mark-list button")
    listed.first.wait_for()
    assert "7 events at Minsk" in page.inner_text("body")  # … and all seven are listed
    assert listed.count() == 7
    for i in (6, 3, 1):  # the oldest, one in the middle, the second: each in one click
        page.locator(".st-key-mark-list button").nth(i).click()
        wait_selected(page, at_minsk[i])
