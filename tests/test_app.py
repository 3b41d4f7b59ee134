"""Every page through Streamlit's AppTest: rendering, URL state, filters and notices."""

from __future__ import annotations

import re

import pytest
from conftest import AUTH, EDITOR, EDITORS, ROOT, editing, propose
from streamlit.testing.v1 import AppTest

from dashboard.model import TAXONOMY

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["ui/explorer.py", "ui/events.py", "ui/add_article.py", "ui/about.py"]
EDITORS_PAGE = "ui/add_article.py"  # registered only by an editing deployment (CONTACT_ATLAS_MODE=edit)
VISIT = "kellogg-visits-belarus-2025"


def app(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def for_page(monkeypatch: pytest.MonkeyPatch, page: str, **params: str | list[str]) -> AppTest:
    """An app that serves `page`: the editors' page through a signed-in editor's editing deployment."""
    at = app(**params)
    return editing(monkeypatch, at) if page == EDITORS_PAGE else at


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " of 22 events" in m.value)


def test_registered_pages_are_the_three_views_the_editors_page_and_about() -> None:
    from dashboard import app as entry  # noqa: PLC0415 - importing lists pages, renders nothing

    assert [title for _, title, _, _ in entry.PAGES] == ["Explorer", "Events", "Add article", "About"]
    assert [path for path, _, _, _ in entry.PAGES] == PAGES
    # A reading deployment registers no page that drafts or writes; an editing one adds Add article.
    assert [path for path, _, _ in entry.page_specs(editing=False)] == [p for p in PAGES if p != EDITORS_PAGE]
    assert [path for path, _, _ in entry.page_specs(editing=True)] == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = for_page(monkeypatch, page)
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
def test_bad_parameters_give_a_notice_not_a_traceback(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = for_page(
        monkeypatch,
        page,
        actor=["vladimir-putin", "keith-kellogg"],
        to="21/06/2025",
        event="no-such-event",
        zoom="3",
    )
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
    assert {
        "date",
        "precision",
        "participants",
        "place",
        "attribution",
        "certainty",
        "quote",
        "trust",
    } <= set(table.columns)
    assert set(table["trust"]) == {"curated"}
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download CSV",
        "Download XLSX",
        "Download JSON",
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
    text: str, published: str | None, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt  # noqa: PLC0415

    at = propose(
        editing(monkeypatch, app()), text, published=dt.date.fromisoformat(published) if published else None
    )
    assert not at.exception, at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_add_article_proposes_events_for_pasted_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt  # noqa: PLC0415

    text = "Alexander Lukashenko met Keith Kellogg in Minsk on 3 January."
    at = propose(editing(monkeypatch, app()), text, published=dt.date(2025, 1, 10))
    assert not at.exception, at.exception
    assert any(s.value == "1 proposed event" for s in at.subheader)
    assert not at.error


# --- readers and editors apart -------------------------------------------------------------------


def test_a_reading_deployment_registers_no_add_article_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTACT_ATLAS_MODE", raising=False)
    at = app()
    at.secrets["auth"] = dict(AUTH)  # sign-in settings change nothing: a reading deployment has no editors
    at.user = dict(EDITOR)
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="add_article"):
        at.switch_page(EDITORS_PAGE)
    assert not at.text_area
    assert "Sign out" not in [b.label for b in at.button]


def test_an_anonymous_visitor_of_an_editing_deployment_gets_a_sign_in_button(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = editing(monkeypatch, app(), user=None)
    at.run()
    at.switch_page(EDITORS_PAGE).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert [i.value for i in at.info] == ["Adding articles is for editors: sign in first."]
    assert not at.text_area  # the page itself did not run: no form, so no drafter
    assert not [c.value for c in at.sidebar.caption if c.value.startswith("Signed in as")]


def test_a_signed_in_editor_reaches_add_article_and_sees_who_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = editing(monkeypatch, app(), user={**EDITOR, "name": "Ada [Editor](http://example.org/x)"})
    at.run()
    at.switch_page(EDITORS_PAGE).run()
    assert not at.exception
    assert at.text_area(key="draft-text")
    signed = [c.value for c in at.sidebar.caption if c.value.startswith("Signed in as")]
    # The provider's name is text, not Markdown: the link is escaped, not rendered.
    # (the word joiners after ':' and '@' keep Markdown from autolinking what the escapes leave)
    assert signed == [
        "Signed in as Ada \\[Editor\\]\\(http\\:\u2060//example\\.org/x\\) \\(ada\\.editor\\@\u2060example\\.org\\)"
    ]
    assert "Sign out" in [b.label for b in at.sidebar.button]


@pytest.mark.parametrize(
    "editors",
    [
        {"emails": ["ADA.EDITOR@EXAMPLE.ORG"]},
        {"domains": ["example.org"]},
        {"emails": ["b@x.org"], "domains": ["Example.org"]},
    ],
)
def test_an_editor_on_the_list_by_address_or_domain_reaches_add_article(
    editors: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = editing(monkeypatch, app(), editors=editors)
    at.run()
    at.switch_page(EDITORS_PAGE).run()
    assert not at.exception
    assert at.text_area(key="draft-text")
    assert not at.error


@pytest.mark.parametrize(
    ("user", "editors", "message"),
    [
        # Anyone can make an account at a public provider: signed in is not enough.
        ({**EDITOR, "email": "mallory@gmail.com", "name": "Mallory"}, EDITORS,
         "Signed in as Mallory \\(mallory\\@\u2060gmail\\.com\\), who is not on this deployment's list of editors."),
        ({**EDITOR, "email": "ada.editor@example.org.evil.test"}, {"domains": ["example.org"]},
         "who is not on this deployment's list of editors."),
        ({**EDITOR, "email_verified": False}, EDITORS, "whose email address the sign-in provider has not verified"),
        # With sign-in and no list, no one may edit.
        (EDITOR, None, "this deployment names no editors, so no one may add articles"),
    ],
)  # fmt: skip
def test_a_signed_in_user_not_on_the_list_of_editors_gets_no_add_article_page(
    user: dict, editors: dict | None, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = editing(monkeypatch, app(), user=user, editors=editors)
    at.run()
    assert not at.exception
    assert not at.error  # the reading pages are served as to anyone
    at.switch_page(EDITORS_PAGE).run()
    assert not at.exception
    assert [e.value for e in at.main.error if message in e.value], [e.value for e in at.error]
    assert not at.text_area  # the page itself did not run: no form, so no drafter
    assert "Sign out" in [b.label for b in at.sidebar.button]  # another account may sign in after


def test_editing_served_beyond_this_machine_without_sign_in_serves_no_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # AppTest binds no address (as a host that listens on every interface) and has no [auth].
    monkeypatch.setenv("CONTACT_ATLAS_MODE", "edit")
    at = app()
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert "served beyond this machine with no sign-in, so it serves no page" in at.error[0].value
    assert not at.text_area
    assert not at.sidebar.multiselect  # no page runs at all: not even the filters


@pytest.mark.parametrize(
    ("mode", "auth", "said"),
    [
        ("Edit", None, "CONTACT_ATLAS_MODE='Edit' is not a mode: use `read` (the default) or `edit`."),
        ("edit", {"client_id": "x"}, "lacks redirect_uri, cookie_secret, client_secret, server_metadata_url"),
    ],
)
def test_a_deployment_that_cannot_say_who_edits_says_why_and_serves_nothing(
    mode: str, auth: dict | None, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTACT_ATLAS_MODE", mode)
    at = app()
    if auth:
        at.secrets["auth"] = auth
    at.run()
    assert not at.exception
    assert [said in e.value for e in at.error] == [True]
    assert not at.sidebar.multiselect


def test_clear_selection_under_the_card_clears_it_everywhere() -> None:
    at = app(event=VISIT)
    at.run()
    at.button(key="clear-selection").click().run()
    assert not at.exception, at.exception
    assert not [e for e in at.error if "could not be shown" in e.value]
    assert "event" not in at.query_params
    assert at.selectbox(key="event").value is None
    assert any("No event selected." in m.value for m in at.markdown)
