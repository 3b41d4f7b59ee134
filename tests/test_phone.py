"""On a phone (Chromium at 390×844, touch): the sidebar gets out of the way, taps land, things fit.

Streamlit lays its sidebar over the page at this width and leaves it open
after a choice; the page's script closes it once the choice is in the link.
A date typed in full is taken at once, and a tap after choosing a date
reaches what it was aimed at; selecting an event
puts its card and its sentence in the article on screen together; the Events
page lists date, kind, participants and summary as cards inside 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from browser import DASHBOARD_PAINTED, local_page

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

WIDTH, HEIGHT = 390, 844
MEETING = "kellogg-meets-lukashenko"
POMPEO = "pompeo-visits-belarus-2020"
SIDEBAR_OPEN = """() => {
  const b = document.querySelector('[data-testid=stSidebar]').getBoundingClientRect();
  return b.width > 0 && b.left >= 0;
}"""
SIDEBAR_CLOSED = """() => {
  const b = document.querySelector('[data-testid=stSidebar]').getBoundingClientRect();
  return b.width === 0 || b.right <= 0;
}"""
CARD_AND_SENTENCE = """(id) => {
  const card = document.querySelector('.details-card');
  const mark = Array.from(document.querySelectorAll('mark.ev.selected'))
    .find((m) => m.dataset.events.split(' ').includes(id));
  return {card: card && card.getBoundingClientRect().toJSON(), mark: mark && mark.getBoundingClientRect().toJSON()};
}"""


@pytest.fixture
def phone(browser, request) -> Iterator:
    """A phone-sized touch page that may only talk to this machine."""
    size = {"width": WIDTH, "height": HEIGHT}
    with local_page(browser, request.node.name, viewport=size, is_mobile=True, has_touch=True) as page:
        yield page


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def open_sidebar(page) -> None:
    page.tap("[data-testid=stExpandSidebarButton]")
    page.wait_for_function(SIDEBAR_OPEN)


def in_view(box: dict) -> bool:
    return box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= HEIGHT and box["right"] <= WIDTH


def test_a_choice_in_the_sidebar_closes_it_and_a_tap_after_a_date_reaches_its_target(phone, server) -> None:
    phone.goto(server)
    phone.wait_for_function(DASHBOARD_PAINTED)
    open_sidebar(phone)
    phone.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.tap()  # event kinds
    phone.get_by_role("option", name="Meeting", exact=True).tap()
    phone.wait_for_function("() => new URLSearchParams(location.search).get('kind') === 'meeting'")
    phone.wait_for_function(SIDEBAR_CLOSED)

    # A date typed in full is taken at once: the calendar that opened over the next widgets closes,
    # and so does the sidebar; the next tap selects the event tapped.
    open_sidebar(phone)
    phone.locator("[data-testid=stSidebar] [data-testid=stDateInput] [data-type=year]").first.tap()  # "From"
    phone.keyboard.type("20250101")
    phone.wait_for_function("() => new URLSearchParams(location.search).get('from') === '2025-01-01'")
    phone.wait_for_function(SIDEBAR_CLOSED)
    assert phone.locator("[data-testid=stDateInputCalendar]").count() == 0
    target = phone.locator(f".st-key-list-{MEETING} button")
    target.scroll_into_view_if_needed()
    target.tap()
    phone.wait_for_function(f"() => new URLSearchParams(location.search).get('event') === '{MEETING}'")

    # A date from the calendar: the sidebar closes, and the next tap reaches its button.
    open_sidebar(phone)
    phone.locator("[data-testid=stDateInputCalendarButton]").nth(1).tap()  # "To"
    phone.locator("[data-testid=stDateInputCalendar] [role=gridcell]", has_text="15").first.locator(
        "[role=button]"
    ).tap()
    phone.wait_for_function("() => new URLSearchParams(location.search).has('to')")
    phone.wait_for_function(SIDEBAR_CLOSED)
    assert query(phone)["kind"] == ["meeting"]
    assert query(phone)["event"] == [MEETING]
    clear = phone.locator(".st-key-clear-selection button")
    clear.scroll_into_view_if_needed()
    clear.tap()
    phone.wait_for_function("() => !new URLSearchParams(location.search).has('event')")


def test_selecting_an_event_puts_its_card_and_its_sentence_on_screen_together(phone, server) -> None:
    phone.goto(server)
    phone.wait_for_function(DASHBOARD_PAINTED)
    for event in (MEETING, POMPEO):
        button = phone.locator(f".st-key-list-{event} button")
        button.scroll_into_view_if_needed()
        button.tap()
        phone.wait_for_function("(id) => document.body.dataset.shown === id", arg=event)
        got = phone.evaluate(CARD_AND_SENTENCE, event)
        assert in_view(got["card"]), (event, got)
        assert in_view(got["mark"]), (event, got)


def test_the_events_page_is_a_list_of_readable_cards(phone, server, seed) -> None:
    phone.goto(f"{server}/events")
    phone.wait_for_selector(".event-cards li")
    cards = phone.evaluate(
        """() => Array.from(document.querySelectorAll('.event-cards li')).map((li) => {
          const part = (sel) => { const e = li.querySelector(sel); const b = e.getBoundingClientRect();
            return {text: e.innerText.trim(), left: b.left, right: b.right, px: parseFloat(getComputedStyle(e).fontSize)}; };
          return {id: li.dataset.event, date: part('.date'), kind: part('.kind'), who: part('.who'),
                  summary: part('.summary')};
        })"""
    )
    assert len(cards) == len(seed.events) == 22
    summaries = dict(zip(seed.events["id"], seed.events["summary"], strict=True))
    for card in cards:
        assert card["summary"]["text"] == summaries[card["id"]]
        for field in ("date", "kind", "who", "summary"):
            part = card[field]
            assert part["text"], (card["id"], field)
            assert part["left"] >= 0, (card["id"], field, part)
            assert part["right"] <= WIDTH, (card["id"], field, part)
            assert part["px"] >= 13, (card["id"], field, part)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    # The wide table is not what a phone shows.
    assert (
        phone.evaluate("() => document.querySelector('.st-key-events-wide').getBoundingClientRect().height")
        == 0
    )
