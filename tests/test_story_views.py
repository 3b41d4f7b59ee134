"""Stories in the dashboard: the cards naming each other, the summary's count, the corroboration
filter in the sidebar and the link, in AppTest and in a real browser.

The data folder is the bundled one with the GDELT rows of test_stories (written in the published
61-column layout) imported into it; one of them, Kellogg meeting Lukashenko in Minsk on 21 June
2025, corroborates the bundled article's meeting.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA, ROOT
from streamlit.testing.v1 import AppTest
from test_stories import ROWS

from dashboard import atlas, filters
from dashboard.readers import gdelt
from dashboard.ui import html
from dashboard.views import details, table

APP = str(ROOT / "dashboard" / "app.py")
MEETING = "kellogg-meets-lukashenko"
KELLOGG_RECORD = "gdelt-1014"
KELLOGG_STORY = "story-gdelt-1014"
CONSULT = "gdelt-1003"  # one of five records of the belsat consult story, which corroborates nothing


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data folder with the GDELT rows imported, as an analyst would."""
    root = tmp_path_factory.mktemp("story-views")
    folder = root / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = root / "20191024120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in ROWS), encoding="utf-8")
    report, _ = gdelt.import_files([src], folder / "gdelt", gdelt.Options())
    assert (report.imported, report.malformed) == (len(ROWS), 0), report.problems
    return folder


@pytest.fixture(scope="module")
def corpus_atlas(data: Path) -> atlas.Atlas:
    return atlas.open_atlas(data)


def test_the_curated_card_counts_its_corroborating_reports_with_their_links(corpus_atlas) -> None:
    d = details.details(corpus_atlas, MEETING)
    assert d.story is None
    card = html.details_card(d)
    assert "Corroborated by 1 machine-coded report from 1 outlet" in card
    assert (
        '<a href="https://news.example.org/kellogg" target="_blank" rel="noopener noreferrer nofollow"'
        in card
    )
    assert details.details(corpus_atlas, "state-media-show-handshake").corroboration is None


def test_a_records_card_names_its_story_its_outlets_and_the_curated_event(corpus_atlas) -> None:
    d = details.details(corpus_atlas, KELLOGG_RECORD)
    assert d.story.id == KELLOGG_STORY
    # the day's meeting first, then the visits of 2025 and the contacts since 2020 it is one of
    assert d.story.corroborates[0][0] == MEETING
    assert len(d.story.corroborates) == 3
    card = html.details_card(d)
    assert f"Story {KELLOGG_STORY}</b>: 1 record from 1 outlet, 2025-06-21" in card
    assert "Corroborates the curated events" in card
    consult = html.details_card(details.details(corpus_atlas, CONSULT))
    assert "5 records from 2 outlets, 2019-10-24 – 2019-10-25" in consult
    assert "Corroborates no curated event." in consult
    assert ">belsat.example</a> · 4 records" in consult  # the most cited link first, by its outlet


def test_a_card_links_only_http_addresses(corpus_atlas) -> None:
    hostile = [{"url": "javascript:alert(1)", "outlet": "<b>x</b>", "records": 1}]
    out = html.link_items(hostile, 3)
    assert "<a " not in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out
    assert "and 3 more" in out


def test_the_summary_line_says_how_many_stories_the_records_make(corpus_atlas) -> None:
    line = table.summary_line(
        corpus_atlas, {"n": 14, "first": None, "last": None, "unplaced": 0, "stories": 7, "records": 14}
    )
    assert "7 stories from 14 records" in line
    one = {"n": 1, "first": None, "last": None, "unplaced": 0, "stories": 1, "records": 1}
    assert "1 story from 1 record" in table.summary_line(corpus_atlas, one)
    curated_only = {"n": 3, "first": None, "last": None, "unplaced": 0, "stories": 0, "records": 0}
    assert "stor" not in table.summary_line(corpus_atlas, curated_only)


# --- the app, in AppTest ----------------------------------------------------------------------------


def run(data: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " events" in m.value and m.value.startswith("**"))


def test_the_summary_counts_stories_and_the_filter_narrows_them(data, monkeypatch) -> None:
    at = run(data, monkeypatch)
    assert "7 stories from 14 records" in summary(at)
    box = at.selectbox(key=filters.CORROBORATION_PARAM)
    assert box.value == "all"
    box.set_value("corroborated").run(timeout=60)
    assert not at.exception
    # the three curated events the Kellogg story corroborates, and its one record
    assert "1 story from 1 record" in summary(at)
    assert summary(at).startswith("**4 of 36 events")


def test_the_filter_comes_from_the_link(data, monkeypatch) -> None:
    at = run(data, monkeypatch, corroboration="machine")
    assert at.selectbox(key=filters.CORROBORATION_PARAM).value == "machine"
    assert "6 stories from 13 records" in summary(at)
    assert not at.warning


def test_a_bad_corroboration_in_the_link_is_a_notice_not_a_traceback(data, monkeypatch) -> None:
    at = run(data, monkeypatch, corroboration="<script>")
    assert at.selectbox(key=filters.CORROBORATION_PARAM).value == "all"
    assert any("Ignored corroboration" in w.value for w in at.warning)
    assert "7 stories from 14 records" in summary(at)


def test_the_story_card_has_a_button_that_selects_the_curated_event(data, monkeypatch) -> None:
    at = run(data, monkeypatch, event=KELLOGG_RECORD)
    card = next(h.proto.body for h in at.html if "details-card" in h.proto.body)
    assert KELLOGG_STORY in card
    button = next(b for b in at.button if b.key == f"corroborates-{MEETING}")
    button.click().run(timeout=60)
    assert not at.exception
    card = next(h.proto.body for h in at.html if "details-card" in h.proto.body)
    assert f'data-event="{MEETING}"' in card
    assert "Corroborated by 1 machine-coded report from 1 outlet" in card


# --- in a real browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def story_server(data: Path) -> Iterator[str]:
    from browser import dashboard  # noqa: PLC0415

    with dashboard(data, log="streamlit-stories.log") as url:
        yield url


@pytest.mark.browser
def test_a_curated_event_and_its_story_name_each_other_in_the_browser(browser, story_server) -> None:
    from browser import local_page  # noqa: PLC0415

    with local_page(browser, "story-and-curated-event", viewport={"width": 1440, "height": 1200}) as page:
        page.goto(f"{story_server}/?event={MEETING}")
        page.wait_for_function("() => document.body.innerText.includes('7 stories from 14 records')")
        page.wait_for_selector(f'.details-card[data-event="{MEETING}"]')
        card = page.inner_text(".details-card")
        assert "Corroborated by 1 machine-coded report from 1 outlet" in card
        link = page.locator(".details-card .stories a")
        assert link.get_attribute("href") == "https://news.example.org/kellogg"
        assert "noopener" in link.get_attribute("rel")
        # The story's record, by its link: its card names the meeting, and a button selects it again.
        page.goto(f"{story_server}/?event={KELLOGG_RECORD}")
        page.wait_for_selector(f'.details-card[data-event="{KELLOGG_RECORD}"]')
        card = page.inner_text(".details-card")
        assert f"Story {KELLOGG_STORY}" in card
        assert "Corroborates the curated events" in card
        button = page.locator(f".st-key-corroborates-{MEETING} button")
        assert "Kellogg and Lukashenko meet" in button.inner_text()
        button.click()
        page.wait_for_function(f"() => location.search.includes('event={MEETING}')")
        page.wait_for_selector(f'.details-card[data-event="{MEETING}"]')
        assert "Corroborated by 1 machine-coded report" in page.inner_text(".details-card")
        # The filter is in the link.
        page.goto(f"{story_server}/?corroboration=corroborated")
        page.wait_for_function("() => document.body.innerText.includes('1 story from 1 record')")
        assert "corroboration=corroborated" in page.evaluate("location.search")


# --- one mark a story on the timeline, and the raw records ------------------------------------------


def marks(corpus_atlas, **kw) -> list[str]:
    from dashboard.views import timeline  # noqa: PLC0415

    data = timeline.timeline_data(corpus_atlas, filters.Filters(datasets=frozenset({"gdelt"}), **kw), 0)
    return list(data.marks["event"])


def test_the_timeline_draws_a_mark_a_story_or_each_record(corpus_atlas) -> None:
    # 14 records in 7 stories: the belsat consult's five records are one mark, its earliest record
    stories = marks(corpus_atlas)
    assert len(stories) == 7
    assert "gdelt-1001" in stories
    assert not {"gdelt-1002", "gdelt-1003", "gdelt-1004", "gdelt-1011"} & set(stories)
    assert len(marks(corpus_atlas, records="raw")) == 14
    # narrowed to the next day, the story's one record there stands for it
    assert marks(corpus_atlas, start=__import__("datetime").date(2019, 10, 25)) == [
        "gdelt-1011",
        "gdelt-1012",
        "gdelt-1014",
    ]


def test_a_story_mark_grows_with_its_outlets_and_says_so(corpus_atlas) -> None:
    from dashboard.views import timeline  # noqa: PLC0415

    m = timeline.timeline_data(corpus_atlas, filters.Filters(datasets=frozenset({"gdelt"})), 0).marks
    consult = m[m["event"] == "gdelt-1001"].iloc[0]
    assert consult["count"] == 2
    assert "a story of 5 records from 2 outlets" in consult["hover"]


def test_the_raw_records_toggle_is_in_the_link(data, monkeypatch) -> None:
    at = run(data, monkeypatch)
    toggle = at.toggle(key="records-widget")
    assert toggle.value is False
    assert any("one mark a story" in c.value for c in at.caption)
    toggle.set_value(True).run(timeout=60)
    assert not at.exception
    assert not any("one mark a story" in c.value for c in at.caption)
    at = run(data, monkeypatch, records="raw")
    assert at.toggle(key="records-widget").value is True


def test_a_bad_records_value_in_the_link_is_a_notice(data, monkeypatch) -> None:
    at = run(data, monkeypatch, records="all<b>")
    notices = [w.value for w in at.warning]
    assert any("Ignored records" in n and "use stories or raw" in n for n in notices), notices
    assert at.toggle(key="records-widget").value is False


def test_a_record_selected_by_its_link_marks_its_storys_mark(corpus_atlas) -> None:
    from dashboard.views import timeline  # noqa: PLC0415

    f = filters.Filters(datasets=frozenset({"gdelt"}))
    data = timeline.timeline_data(corpus_atlas, f, 0)
    chosen = timeline.timeline_selection(corpus_atlas, data, "kind", CONSULT)  # not drawn itself
    assert [data.marks["event"].iloc[i] for i in chosen.selected] == ["gdelt-1001"]


def test_the_map_says_how_many_stories_it_leaves_out_when_their_first_record_is_filtered_out(
    data, monkeypatch
) -> None:
    # From the 25th the consult story's first record (the 24th) is filtered out: the summary counts
    # the story, the map (a story at its first record's place) does not, and says so.
    at = run(data, monkeypatch, dataset="gdelt", **{"from": "2019-10-25"})
    said = " ".join(c.value for c in at.caption)
    assert "1 of the 3 stories is not counted on the map" in said, said
    assert "3 stories from" in summary(at)
    raw = run(data, monkeypatch, dataset="gdelt", records="raw", **{"from": "2019-10-25"})
    assert "not counted on the map" not in " ".join(c.value for c in raw.caption)
