"""Every page through Streamlit's AppTest: rendering, URL state, filters and notices."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from dashboard.model import TAXONOMY

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["ui/explorer.py", "ui/events.py", "ui/add_article.py", "ui/about.py"]
VISIT = "kellogg-visits-belarus-2025"


def app(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " of 22 events" in m.value)


def test_registered_pages_are_the_three_views_the_editors_page_and_about() -> None:
    from dashboard import app as entry  # noqa: PLC0415 - importing lists pages, renders nothing

    assert [title for _, title, _ in entry.PAGES] == ["Explorer", "Events", "Add article", "About"]
    assert [path for path, _, _ in entry.PAGES] == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page: str) -> None:
    at = app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert len(at.sidebar.multiselect) >= 5


def test_explorer_is_the_default_page_with_summary_and_article() -> None:
    at = app()
    at.run()
    assert not at.exception
    assert summary(at) == "**22 of 22 events · 2020–2025 · 6 without a place**"
    assert any(
        "kellogg-lukashenko-minsk" not in h.proto.body and "Kellogg met with" in h.proto.body for h in at.html
    )


def test_url_parameters_restore_filters_and_selection() -> None:
    at = app(actor=["keith-kellogg"], kind=["visit", "meeting"], **{"from": "2025-01-01"}, event=VISIT)
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="actor").value == ["keith-kellogg"]
    assert sorted(at.sidebar.multiselect(key="kind").value) == ["meeting", "visit"]
    assert str(at.sidebar.date_input(key="from").value) == "2025-01-01"
    assert at.sidebar.selectbox(key="event").value == VISIT
    assert summary(at).startswith("**2 of 22 events")
    assert any("US envoy Keith Kellogg visits Belarus" in h.proto.body for h in at.html)


def test_changing_a_filter_changes_the_counts_and_the_url() -> None:
    at = app()
    at.run()
    at.sidebar.multiselect(key="kind").select("visit").run()
    assert summary(at).startswith("**4 of 22 events")
    assert at.query_params["kind"] == ["visit"] or at.query_params["kind"] == "visit"
    at.sidebar.multiselect(key="certainty").select("reported").run()
    assert "No events match these filters" in at.info[0].value
    at.sidebar.button[0].click().run()  # Clear filters
    assert summary(at).startswith("**22 of 22 events")
    assert "kind" not in at.query_params


def test_selecting_an_event_fills_the_card_and_the_url() -> None:
    at = app()
    at.run()
    at.sidebar.selectbox(key="event").select(VISIT).run()
    assert not at.exception
    assert any("US envoy Keith Kellogg visits Belarus" in h.proto.body for h in at.html)
    assert any("7,463 km" in h.proto.body for h in at.html)
    assert at.query_params["event"] in (VISIT, [VISIT])


@pytest.mark.parametrize("page", PAGES)
def test_bad_parameters_give_a_notice_not_a_traceback(page: str) -> None:
    at = app(actor=["vladimir-putin", "keith-kellogg"], to="21/06/2025", event="no-such-event", zoom="3")
    at.run()
    at.switch_page(page).run() if page != PAGES[0] else None
    assert not at.exception
    # As a reader reads them: the notices are Markdown with every punctuation mark escaped (and an
    # invisible word joiner after each colon, which keeps Streamlit from reading icons there).
    shown = " ".join(w.value for w in at.warning).replace("\u2060", "")
    notices = re.sub(r"\\(.)", r"\1", shown) if page == PAGES[0] else ""
    if page == PAGES[0]:
        assert "Ignored actor 'vladimir-putin': not in this corpus" in notices
        assert "Ignored to '21/06/2025': not a date" in notices
        assert "Ignored event 'no-such-event'" in notices
        assert "Ignored unknown parameter 'zoom'" in notices
    # The valid part of the link still applies.
    assert at.sidebar.multiselect(key="actor").value == ["keith-kellogg"]


def test_events_page_lists_the_filtered_events() -> None:
    at = app(kind=["visit"])
    at.run()
    at.switch_page("ui/events.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 4
    assert set(table["kind"]) == {"Visit"}
    assert {"date", "precision", "participants", "place", "attribution", "certainty", "quote"} <= set(
        table.columns
    )
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download JSON",
        "Download CSV",
        "Download GeoJSON",
    ]


def test_about_page_explains_coding_and_coordinates() -> None:
    at = app()
    at.run()
    at.switch_page("ui/about.py").run()
    frames = [d.value for d in at.dataframe]
    kinds = next(f for f in frames if "CAMEO root" in f.columns)
    assert len(kinds) == len(TAXONOMY)  # all twenty CAMEO roots have a kind
    assert "04 Consult" in set(kinds["CAMEO root"])
    places = next(f for f in frames if "source" in f.columns)
    assert set(places.loc[places["place"].isin(["Minsk", "Kyiv", "Moscow", "Washington"]), "source"]) == {
        "geonames"
    }
    articles = next(f for f in frames if "publisher" in f.columns)
    assert articles["publisher"].tolist() == ["Euromaidan Press"]


@pytest.mark.parametrize(
    ("text", "published", "message"),
    [
        ("", "2025-01-10", "the text is empty"),
        ("The weather was mild and the markets were busy.", "2025-01-10", "no recognisable event"),
        ("Alexander Lukashenko met Keith Kellogg in Minsk.", "2030-01-01", "is in the future"),
        ("Alexander Lukashenko met Keith Kellogg in Minsk.", None, "give the publication date"),
    ],
)
def test_add_article_names_what_is_wrong_with_the_input(
    text: str, published: str | None, message: str
) -> None:
    import datetime as dt  # noqa: PLC0415

    at = app()
    at.run()
    at.switch_page("ui/add_article.py").run()
    at.text_area(key="draft-text").input(text)
    at.text_input(key="draft-title").input("A title")
    at.text_input(key="draft-publisher").input("Test Wire")
    if published:
        at.date_input(key="draft-published").set_value(dt.date.fromisoformat(published))
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_add_article_proposes_events_for_pasted_text() -> None:
    import datetime as dt  # noqa: PLC0415

    at = app()
    at.run()
    at.switch_page("ui/add_article.py").run()
    at.text_area(key="draft-text").input("Alexander Lukashenko met Keith Kellogg in Minsk on 3 January.")
    at.text_input(key="draft-title").input("A title")
    at.text_input(key="draft-publisher").input("Test Wire")
    at.date_input(key="draft-published").set_value(dt.date(2025, 1, 10))
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any(s.value == "1 proposed event" for s in at.subheader)
    assert not at.error
