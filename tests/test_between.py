"""Contacts between two sides: `?between=USA,BLR`.

An event is a contact between two sides when two distinct participants are
one of each: a country (its actors), a group (a country's actors of one
kind, `USA:person`) or an actor. The engine answers it (DuckDB and Spark
agree with the pandas reference); the link, the sidebar, the summary line,
the network's edges and `export --between` all mean the same events.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlparse

import pytest
from browser import DASHBOARD_PAINTED, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from test_network import NETWORK, NETWORK_BOXES, page, point_at  # noqa: F401 - `page` is a fixture
from test_query import engine_name, seed_store  # noqa: F401 - fixtures

from dashboard import countries, engines, export, filters, query
from dashboard.views import labels
from dashboard.views import network as network_view
from dashboard.views import table as table_view

F = filters.Filters.of
US_BY, BY_US = F(between=("USA", "BLR")), F(between=("BLR", "USA"))
# The bundled article's contacts between the United States and Belarus: Kellogg's with Lukashenko,
# Pompeo's visit, the lower-level visits, and the plan to curb Moscow's influence in Minsk.
US_BY_EVENTS = 12


def participants(atlas, event_id: str) -> list[str]:
    return [p["actor"] for p in query.participants_of(atlas.engine, [event_id])]


def test_between_the_united_states_and_belarus_leaves_out_russias_contacts_with_belarus(atlas) -> None:
    ids = query.event_ids(atlas.engine, US_BY)
    assert len(ids) == US_BY_EVENTS
    countries = {k: a.country for k, a in atlas.actors.items()}
    for event_id in ids:
        theirs = {countries[a] for a in participants(atlas, event_id)}
        assert {"USA", "BLR"} <= theirs, event_id
    # Belarus's intelligence sharing with Russia names Belarus, not the United States: out,
    # though the countries filter (any of USA, BLR) keeps it.
    assert "belarus-shares-targeting-data" not in ids
    assert "belarus-shares-targeting-data" in query.event_ids(atlas.engine, F(countries=["USA", "BLR"]))
    assert query.count(atlas.engine, F(countries=["USA", "BLR"])) > US_BY_EVENTS
    # Symmetric: the sides in either order keep the same events.
    assert query.event_ids(atlas.engine, BY_US) == ids


def test_an_actor_a_group_and_two_distinct_participants(atlas) -> None:
    eng = atlas.engine
    kellogg = query.event_ids(eng, F(between=("keith-kellogg", "BLR")))
    assert len(kellogg) == 8
    assert set(kellogg) < set(query.event_ids(eng, US_BY))
    # "US officials and Belarus's people": Kellogg's and Pompeo's contacts with Lukashenko.
    people = query.event_ids(eng, F(between=("USA:person", "BLR:person")))
    assert len(people) == 8
    assert "pompeo-visits-belarus-2020" in query.event_ids(eng, F(between=("USA:person", "BLR")))
    assert "pompeo-visits-belarus-2020" not in people  # Pompeo met the state, not a person
    # Kellogg alone is on both sides of "US people and the United States": no contact between them.
    assert participants(atlas, "kellogg-sees-step-to-talks") == ["keith-kellogg"]
    assert query.event_ids(eng, F(between=("USA:person", "USA"))) == []
    # It narrows with every other filter.
    visits = F(between=("USA", "BLR"), kinds=["visit"], start="2025-01-01")
    both = set(query.event_ids(eng, US_BY)) & set(
        query.event_ids(eng, F(kinds=["visit"], start="2025-01-01"))
    )
    assert set(query.event_ids(eng, visits)) == both
    assert 0 < len(both) < US_BY_EVENTS


CASES = [
    US_BY,
    F(between=("keith-kellogg", "BLR:person")),
    F(between=("USA:organization", "BLR"), kinds=["visit"]),
]


def test_between_keeps_what_the_reference_keeps(seed, atlas) -> None:
    for f in CASES:
        want = filters.apply(seed, f)["id"].tolist()
        assert want
        assert query.event_ids(atlas.engine, f) == want
        assert query.summary(atlas.engine, f)["n"] == len(want)  # the summary reads rows, not aggregates


def test_the_engines_agree_on_between(seed_store, engine_name) -> None:  # noqa: F811
    c, s = seed_store
    f = F(between=("USA:person", "BLR"), start="2020-06-01")
    assert query.event_ids(engines.open(s, engine_name), f) == filters.apply(c, f)["id"].tolist()


def test_the_summary_line_says_what_the_filter_means(atlas) -> None:
    line = table_view.summary_line(atlas, query.summary(atlas.engine, US_BY), US_BY)
    assert line == (
        f"Contacts between the United States and Belarus, 2020–2025: {US_BY_EVENTS} of 22 events"
        " · 2 without a place"
    )
    f = F(between=("keith-kellogg", "BLR:person"), start="2025-06-21")
    assert table_view.summary_line(atlas, query.summary(atlas.engine, f), f).startswith(
        "Contacts between Keith Kellogg and people of Belarus, 2025: "
    )


def test_a_sentence_names_countries_and_groups_as_prose_says_them(atlas) -> None:
    # Groups read as words in a sentence, as "Country · kind" in a list; Russia by its common name.
    f = F(between=("USA:organization", "BLR:state"))
    line = table_view.summary_line(atlas, query.summary(atlas.engine, f), f)
    assert line.startswith("Contacts between organisations of the United States and the state of Belarus"), (
        line
    )
    f = F(between=("RUS", "BLR:media"))
    line = table_view.summary_line(atlas, query.summary(atlas.engine, f), f)
    assert line.startswith("Contacts between Russia and the media of Belarus"), line
    assert labels.side_name(atlas, "USA:person", prose=True) == "people of the United States"
    assert labels.side_name(atlas, "USA:person") == "United States · people"
    assert labels.side_name(atlas, "RUS") == labels.side_name(atlas, "RUS", prose=True) == "Russia"
    assert labels.side_name(atlas, "RUS:state") == "Russia · state"
    assert network_view.node_name(atlas, "country", "RUS") == "Russia"


@pytest.mark.parametrize(
    ("code", "name"),
    [("RUS", "Russia"), ("IRN", "Iran"), ("SYR", "Syria"), ("VEN", "Venezuela"), ("BOL", "Bolivia"),
     ("TZA", "Tanzania"), ("VNM", "Vietnam"), ("KOR", "South Korea"), ("PRK", "North Korea"),
     ("MDA", "Moldova"), ("LAO", "Laos"), ("TWN", "Taiwan"), ("CZE", "Czechia"), ("TUR", "Turkey"),
     ("BLR", "Belarus"), ("USA", "United States")],
)  # fmt: skip
def test_countries_go_by_their_short_common_names(code, name) -> None:
    assert countries.country_name(code) == name


# --- the link ------------------------------------------------------------------------------------


def test_the_link_reads_and_writes_two_sides(atlas) -> None:
    f, notices = filters.from_query(atlas, {"between": ["USA,BLR"]})
    assert (f.between, notices) == (("USA", "BLR"), [])
    assert filters.to_query(f) == {"between": ["USA,BLR"]}
    assert f.narrows
    # Codes in lower case are read as codes; a group and an actor keep their form.
    f, notices = filters.from_query(atlas, {"between": "usa:person, keith-kellogg"})
    assert (f.between, notices) == (("USA:person", "keith-kellogg"), [])
    assert export.link_query(f) == "between=USA:person,keith-kellogg"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("USA", "give two sides separated by a comma"),
        ("USA,BLR,RUS", "give two sides separated by a comma"),
        ("USA,", "give two sides separated by a comma"),
        (",", "give two sides separated by a comma"),
        (",,,", "give two sides separated by a comma"),
        (" , ", "give two sides separated by a comma"),
        ("keith-kellogg,keith-kellogg", "'keith-kellogg' is on both sides, and it is one actor"),
        ("keith-kellogg, keith-kellogg", "a contact needs two distinct participants"),
        ("USA,FRA", "'FRA' is no country, group or actor of this corpus"),  # no French actor
        ("USA,BLR:spy", "'BLR:spy' is no country, group or actor"),
        ("vladimir-putin,BLR", "'vladimir-putin' is no country, group or actor"),
    ],
)
def test_a_malformed_between_is_dropped_with_a_notice(atlas, value, why) -> None:
    f, notices = filters.from_query(atlas, {"between": value, "kind": "visit"})
    assert f.between is None
    assert f.kinds == {"visit"}  # the rest of the link still applies
    (notice,) = notices
    assert notice.startswith("Ignored between "), notice
    assert why in notice, notice


def test_an_empty_between_is_no_filter_and_the_same_country_twice_is_a_filter(atlas) -> None:
    assert filters.from_query(atlas, {"between": ""}) == (F(), [])
    assert filters.from_query(atlas, {"between": ["", ""]}) == (F(), [])
    # Two distinct US actors: Kellogg's calls with the administration, say. Kept.
    f, notices = filters.from_query(atlas, {"between": "USA,usa"})
    assert (f.between, notices) == (("USA", "USA"), [])
    assert len(filters.side_actors(atlas, "USA")) > 1


def with_actor(atlas, actor_id: str):
    """The seed's catalog with one more Belarusian actor, named by `actor_id`."""
    extra = atlas.actors["belarus-state-media"].model_copy(update={"id": actor_id, "name": "Minsk Daily"})
    return dataclasses.replace(atlas, actors={**atlas.actors, actor_id: extra})


def test_an_actor_id_wins_over_a_country_in_lower_case_and_says_so(atlas) -> None:
    c = with_actor(atlas, "blr")
    f, notices = filters.from_query(c, {"between": "usa,blr"})
    assert f.between == ("USA", "blr")  # the actor, as its exact id says
    assert notices == ["Read between 'blr' as the actor Minsk Daily; the country Belarus is written BLR"]
    # Written as a code, it is the country, without a word; and without such an actor, 'blr' is Belarus.
    assert filters.from_query(c, {"between": "usa,BLR"}) == (F(between=("USA", "BLR")), [])
    assert filters.from_query(atlas, {"between": "usa,blr"}) == (F(between=("USA", "BLR")), [])
    # A group's kind in any case, its country too.
    for value in ("blr:PERSON,usa:Person", "BLR:person,USA:PERSON"):
        assert filters.from_query(c, {"between": value}) == (F(between=("BLR:person", "USA:person")), [])


SIDES = st.sampled_from(["USA", "BLR", "usa", "USA:person", "BLR:media", "keith-kellogg", "XYZ", "", ":"])


@settings(max_examples=50)
@given(st.one_of(st.text(max_size=60), st.lists(SIDES, max_size=4).map(",".join)))
def test_any_between_value_gives_two_known_sides_or_one_notice(atlas, value) -> None:
    f, notices = filters.from_query(atlas, {"between": [value]})
    if f.between is None:
        assert len(notices) <= 1
        assert all(n.startswith("Ignored between") for n in notices)
        assert notices or not value.strip()
    else:
        assert notices == []
        assert all(filters.side_actors(atlas, s) for s in f.between)
        again, none = filters.from_query(atlas, filters.to_query(f))
        assert (again, none) == (f, [])
        query.where(f)  # every side kept compiles to SQL


# --- the command line ------------------------------------------------------------------------------


def test_export_between_writes_the_pages_bytes(cli, atlas, tmp_path) -> None:
    out = tmp_path / "us-by.csv"
    result = cli("export", "--between", "USA,BLR", "--format", "csv", "-o", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes() == export.download(atlas.engine, US_BY, "csv")
    assert out.read_bytes().count(b"\r\n") == US_BY_EVENTS + 1  # a header and one row an event


def test_export_with_a_bad_between_says_why_in_one_line(cli) -> None:
    result = cli("export", "--between", "USA")
    assert result.code == 2
    assert result.out == ""
    assert result.err.strip().splitlines() == [
        "--between 'USA': give two sides separated by a comma (USA,BLR)"
    ]


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (",", "--between ',': give two sides separated by a comma (USA,BLR)"),
        (
            "keith-kellogg,keith-kellogg",
            "--between 'keith-kellogg,keith-kellogg': 'keith-kellogg' is on both sides, and it is one actor:"
            " a contact needs two distinct participants (give two different sides)",
        ),
    ],
)
def test_export_refuses_a_bare_comma_and_one_actor_on_both_sides(cli, value, line) -> None:
    result = cli("export", "--format", "json", "--between", value)
    assert (result.code, result.out, result.err.strip().splitlines()) == (2, "", [line])


# --- the page ------------------------------------------------------------------------------------


def test_a_link_between_two_countries_opens_with_its_summary_and_sides() -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["between"] = "USA,BLR"
    at.run()
    assert not at.exception, at.exception
    head = next(m.value for m in at.markdown if "Contacts between" in m.value)
    assert "Contacts between the United States and Belarus, 2020–2025" in head, head
    assert f"{US_BY_EVENTS} of 22 events" in head
    assert (at.selectbox(key="between-a").value, at.selectbox(key="between-b").value) == ("USA", "BLR")
    assert {"Belarus", "Belarus · media", "Alexander Lukashenko"} <= set(
        at.selectbox(key="between-a").options
    )
    assert at.query_params["between"] == "USA,BLR"
    # Choosing another side in the sidebar changes the link; clearing one side turns the filter off.
    at.selectbox(key="between-b").set_value("RUS").run()
    assert at.query_params["between"] == "USA,RUS"
    at.selectbox(key="between-b").set_value(None).run()
    assert "between" not in at.query_params
    assert any("22 of 22 events" in m.value for m in at.markdown)
    assert not any("Contacts between" in m.value for m in at.markdown)
    # One actor on both sides: nothing can match, and the sidebar says why.
    at.selectbox(key="between-a").set_value("keith-kellogg")
    at.selectbox(key="between-b").set_value("keith-kellogg").run()
    assert not at.exception, at.exception
    assert any("on both sides, and it is one actor" in c.value for c in at.sidebar.caption)


@pytest.mark.browser
def test_between_in_a_browser_and_a_network_edge_sets_it(page, server) -> None:  # noqa: F811
    page.goto(f"{server}/?between=USA,BLR")
    page.wait_for_function(DASHBOARD_PAINTED, timeout=60_000)
    page.wait_for_function(
        "() => document.body.innerText.includes('Contacts between the United States and Belarus')"
    )
    assert f"{US_BY_EVENTS} of 22 events" in page.inner_text("body")
    page.wait_for_function(f"() => ({NETWORK})?.dataset.labelsPlaced")
    page.evaluate(f"() => ({NETWORK}).scrollIntoView({{block: 'center'}})")
    page.wait_for_function(f"() => ({NETWORK})?.dataset.labelsPlaced")
    edge = page.evaluate(NETWORK_BOXES)["edges"][0]
    point_at(page, edge["x"], edge["y"], ["edge", *edge["pair"]])
    page.mouse.click(edge["x"], edge["y"])
    want = ",".join(edge["pair"])
    page.wait_for_function("(w) => new URLSearchParams(location.search).get('between') === w", arg=want)
    assert parse_qs(urlparse(page.url).query)["between"] == [want]
