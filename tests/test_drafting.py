"""`draft`: the lexicon, dates, hedges, people and places on sentences written for these tests
(never the bundled article's), the YAML it writes, bad input, and drafts in the dashboard."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dashboard import atlas as atlas_mod
from dashboard import drafting, figures, filters, query
from dashboard.drafting import review
from dashboard.model import Actor, Place
from dashboard.readers import corpus
from dashboard.ui import html
from dashboard.views import details as details_view
from dashboard.views import map as map_view

PUBLISHED = dt.date(2025, 1, 10)
ACTORS = {
    a.id: a
    for a in [
        Actor(id="maia-sandu", name="Maia Sandu", aliases=["Майя Санду"], kind="person", country="MDA",
              roles=[{"title": "President of Moldova"}]),
        Actor(id="ilie-bolojan", name="Ilie Bolojan", kind="person", country="ROU"),
        Actor(id="moldova", name="Moldova", kind="state", country="MDA"),
        Actor(id="romania", name="Romania", kind="state", country="ROU"),
        Actor(id="reuters", name="Reuters", kind="media", country="GBR"),
    ]
}  # fmt: skip
PLACES = {
    p.id: p
    for p in [
        Place(id="chisinau", name="Chisinau", aliases=["Chișinău"], kind="city", country="MDA"),
        Place(id="moldova", name="Moldova", kind="country", country="MDA"),
    ]
}


def propose(text: str, published: dt.date = PUBLISHED, title: str = "A test article") -> drafting.Draft:
    meta = drafting.Meta(title=title, publisher="Test Wire", published=published)
    return drafting.draft(text, meta, ACTORS, PLACES, today=dt.date(2026, 1, 1))


def only(text: str, **kw: object) -> drafting.Proposal:
    d = propose(text, **kw)  # type: ignore[arg-type]
    assert len(d.events) == 1, [(e.kind, e.sources[0]["quote"]) for e in d.events]
    return d.events[0]


# --- kinds from the lexicon ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Maia Sandu met with Ilie Bolojan on 12 March.", "meeting"),
        ("Maia Sandu held talks with Ilie Bolojan.", "meeting"),
        ("Maia Sandu visited Romania in May 2024.", "visit"),
        ("Ilie Bolojan arrived in Chisinau for a two-day stay.", "visit"),
        ("Maia Sandu said the border was calm.", "statement"),
        ("Moldova released three detained fishermen.", "release"),
        ("Moldova hosted Romanian troops near the border.", "military_support"),
        ("Moldova and Romania held joint exercises in 2023.", "military_exercise"),
        ("Moldova imposed new sanctions on two businessmen.", "sanction"),
        ("Maia Sandu condemned the drone incursion.", "criticism"),
        ("Moldova and Romania signed a new energy agreement.", "diplomatic_cooperation"),
        ("Moldova expelled two foreign diplomats.", "reduced_relations"),
        ("Romania pledged to support the grid.", "intent"),
        ("Romania tried to broker a deal between the parties.", "mediation"),
        ("Moldova detained a suspected saboteur.", "coercion"),
    ],
)
def test_the_lexicon_proposes_each_kind(sentence: str, kind: str) -> None:
    e = only(sentence)
    assert e.kind == kind
    assert e.note.startswith("Drafted from “")


def test_a_negated_verb_proposes_nothing() -> None:
    with pytest.raises(drafting.DraftError, match="no recognisable event"):
        propose("Maia Sandu has never met Ilie Bolojan.")


def test_the_more_specific_phrase_wins() -> None:
    assert only("Romania expressed willingness to help Moldova.").kind == "intent"
    assert only("Moldova hosted Romanian missile systems.").kind == "military_support"
    assert only("Moldova hosted Ilie Bolojan.").kind == "meeting"


def test_clauses_of_one_encounter_make_one_proposal_and_distinct_acts_several() -> None:
    talks = propose("Maia Sandu met Ilie Bolojan in Chisinau and discussed energy prices.")
    assert [e.kind for e in talks.events] == ["meeting"]
    acts = propose("Moldova hosted Romanian troops near the border and served as a logistics hub.")
    assert [e.kind for e in acts.events] == ["military_support", "military_support"]
    assert acts.events[1].sources[0]["quote"] == "served as a logistics hub."


# --- dates, relative to publication only -------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "date", "until"),
    [
        ("Maia Sandu met Ilie Bolojan on 3 January.", "2025-01-03", None),
        (
            "Maia Sandu met Ilie Bolojan on 28 December.",
            "2024-12-28",
            None,
        ),  # after publication: the year before
        ("Maia Sandu met Ilie Bolojan on January 3, 2024.", "2024-01-03", None),
        ("Maia Sandu visited Romania in February 2023.", "2023-02", None),
        ("Maia Sandu visited Romania in 2020.", "2020", None),
        ("Maia Sandu met Ilie Bolojan yesterday.", "2025-01-09", None),
        ("Maia Sandu met Ilie Bolojan last week.", "unknown", "2025-01-10"),
        ("Maia Sandu previously met Ilie Bolojan.", "unknown", "2025-01-10"),
        ("Moldova has hosted Romanian troops.", "unknown", "2025-01-10"),
        ("Moldova has hosted Romanian troops since 2019.", "2019", "2025-01-10"),
        ("Maia Sandu met Ilie Bolojan in Chisinau.", "unknown", "2025-01-10"),  # no date: never guessed
    ],
)
def test_dates_are_read_against_the_publication_date(sentence: str, date: str, until: str | None) -> None:
    e = only(sentence)
    assert (e.date, e.until) == (date, until), e.note


def test_a_scene_lends_its_date_and_place_to_the_sentences_that_continue_it() -> None:
    d = propose(
        "Maia Sandu met Ilie Bolojan in Chisinau on 8 January.\n"
        "The meeting took place behind closed doors.\n"
        "Sandu told Bolojan the border was calm.\n"
        "Romania previously criticized Moldova.\n"
    )
    # "The meeting took place …" carries the scene's day and place: the same meeting, told again,
    # so one proposal quoting both sentences.
    first, told, earlier = d.events
    assert (first.date, first.place) == ("2025-01-08", "chisinau")
    assert [s["quote"] for s in first.sources][1] == "The meeting took place behind closed doors."
    assert "Told again in sentence 2" in first.note
    assert "carried from sentence 1" in told.note
    assert (told.kind, told.date, told.place) == ("statement", "2025-01-08", "chisinau")
    assert [p["actor"] for p in told.participants] == ["maia-sandu", "ilie-bolojan"]
    assert (earlier.date, earlier.until, earlier.place) == ("unknown", "2025-01-10", None)


# --- attribution and certainty -------------------------------------------------------------


def test_hedges_set_attribution_and_certainty() -> None:
    e = only("Maia Sandu reportedly met Ilie Bolojan in Chisinau.")
    assert (e.attribution, e.certainty) == ("unnamed sources (“reportedly”)", "reported")
    e = only("Maia Sandu met Ilie Bolojan, according to the presidency.")
    assert (e.attribution, e.certainty) == ("the presidency", "claimed")
    e = only("Maia Sandu said the border was calm.")
    assert (e.kind, e.attribution, e.certainty) == ("statement", "the article", "confirmed")


def test_who_said_it_is_the_attribution_not_an_event_of_its_own() -> None:
    e = only("An official told Reuters that Maia Sandu met Ilie Bolojan in Chisinau.")
    assert (e.kind, e.attribution, e.certainty) == ("meeting", "An official, speaking to Reuters", "claimed")
    assert "reuters" not in {p["actor"] for p in e.participants}
    e = only("Reuters reported, citing sources, that Moldova hosted Romanian troops.")
    assert (e.kind, e.attribution, e.certainty) == ("military_support", "Reuters, citing sources", "reported")


def test_what_someone_says_would_happen_is_their_statement_not_an_event() -> None:
    e = only("An official told reporters that Moldova would host Romanian troops next year.")
    assert (e.kind, e.attribution, e.certainty) == ("statement", "the article", "confirmed")
    assert e.sources[0]["quote"].startswith("An official told reporters")


# --- participants and places ---------------------------------------------------------------


def test_participants_by_name_alias_surname_and_role_title() -> None:
    e = only("Майя Санду met Ilie Bolojan.")
    assert [p["actor"] for p in e.participants] == ["maia-sandu", "ilie-bolojan"]
    e = only("Sandu met Bolojan.")
    assert [p["actor"] for p in e.participants] == ["maia-sandu", "ilie-bolojan"]
    d = propose("Lithuanian Foreign Minister Kestutis Budrys met Maia Sandu in Chisinau.")
    assert d.actors == [
        {"id": "kestutis-budrys", "name": "Kestutis Budrys", "kind": "person", "country": "LTU",
         "roles": [{"title": "Lithuanian Foreign Minister"}]}
    ]  # fmt: skip
    assert [p["actor"] for p in d.events[0].participants] == ["kestutis-budrys", "maia-sandu"]


def test_places_from_the_gazetteer_follow_the_countries_the_text_names() -> None:
    egypt = propose("Maia Sandu met Egyptian officials in Alexandria on 2 January.")
    america = propose("Maia Sandu met American officials in Alexandria on 2 January.")
    assert egypt.events[0].place == america.events[0].place == "alexandria"
    assert egypt.places[0]["country"] == "EGY"
    assert america.places[0]["country"] == "USA"
    assert "GeoNames" in egypt.events[0].note


def test_a_visitor_s_origin_and_a_data_folder_alias() -> None:
    e = only("Maia Sandu flew to Vilnius from Chișinău on 2 January.")
    assert (e.kind, e.place, e.origin) == ("visit", "vilnius", "chisinau")


def test_an_embedded_post_is_one_report_by_its_author() -> None:
    d = propose(
        "Maia Sandu meets Ilie Bolojan in Chisinau.\n— Moldova Today (@moldovatoday) January 8, 2025\n"
    )
    (e,) = d.events
    assert (e.kind, e.date, e.attribution) == ("report", "2025-01-08", "Moldova Today")
    assert e.participants[0] == {"actor": "moldova-today", "role": "publisher"}
    assert [s["quote"] for s in e.sources][1] == "— Moldova Today (@moldovatoday) January 8, 2025"


def test_the_headline_repeated_as_the_first_line_proposes_nothing() -> None:
    d = propose("Sandu meets Bolojan\nMaia Sandu met Ilie Bolojan on 3 January.", title="Sandu meets Bolojan")
    assert [e.sources[0]["quote"] for e in d.events] == ["Maia Sandu met Ilie Bolojan on 3 January."]


def test_every_quote_is_exact_inside_one_sentence_and_numbered_when_repeated() -> None:
    text = "Maia Sandu said the border was calm.\nRomania released two prisoners.\nMaia Sandu said the border was calm.\n"
    d = propose(text)
    spans = drafting.sentences(text)
    for e in d.events:
        for s in e.sources:
            assert text[s["start"] : s["end"]] == s["quote"]
            assert any(a <= s["start"] and s["end"] <= b for a, b in spans)
    assert [s.get("occurrence") for e in d.events for s in e.sources] == [1, None, 2]


@given(st.text())
def test_the_yaml_reads_back_exactly(value: str) -> None:
    doc = {"events": [{"id": "x", "quote": value, "participants": [{"actor": value}]}], "note": value}
    assert yaml.safe_load("".join(drafting._emit(doc))) == doc


# --- the command ---------------------------------------------------------------------------

ARTICLE = (
    "Moldovan President Maia Sandu met with Romanian Prime Minister Ilie Bolojan in Chisinau on 8 January.\n"
    "The talks took place at the presidency.\n"
    "Sandu reportedly told Bolojan that energy prices worried her.\n"
    "Romania has sent military instructors to Moldova since 2022.\n"
    "Lithuanian Foreign Minister Kestutis Budrys visited Vilnius University in 2023.\n"
    "Maia Sandu said the border was calm.\nMaia Sandu said the border was calm.\n"
)


def _draft_args(text_file: Path, data: Path, out: Path, published: str = "2025-01-10") -> list[str]:
    return ["draft", str(text_file), "--title", "Sandu meets Bolojan", "--publisher", "Test Wire",
            "--published", published, "--data", str(data), "--out", str(out)]  # fmt: skip


def test_draft_writes_yaml_that_validate_accepts_as_written(data_copy: Path, tmp_path: Path, cli) -> None:
    src = tmp_path / "article.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    out = data_copy / "articles" / "sandu-bolojan.yaml"
    r = cli(*_draft_args(src, data_copy, out))
    assert r.code == 0, r.err
    assert "drafted" in r.err
    assert "new actor" in r.err
    assert (data_copy / "articles" / "sandu-meets-bolojan.txt").read_text(encoding="utf-8") == ARTICLE
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert {e["status"] for e in doc["events"]} == {"draft"}
    assert all(e["note"].startswith(("Drafted from", "an embedded post")) for e in doc["events"])
    v = cli("validate", "--data", str(data_copy))
    assert v.code == 0, v.out
    c = corpus.load(data_copy)
    drafts = c.events[c.events["article"] == "sandu-meets-bolojan"]
    assert len(drafts) == len(doc["events"]) >= 5  # "The talks took place" is the meeting, told again
    assert set(drafts["coding"]) == {"draft"}
    assert set(c.events[c.events["article"] != "sandu-meets-bolojan"]["coding"]) == {"human"}
    # Drafting again into the same folder keeps every id unique.
    again = cli(*_draft_args(src, data_copy, data_copy / "articles" / "again.yaml"))
    assert again.code == 0, again.err
    assert cli("validate", "--data", str(data_copy)).code == 0


def test_a_title_and_an_author_in_another_script_still_give_valid_ids(
    data_copy: Path, tmp_path: Path, cli
) -> None:
    src = tmp_path / "article.txt"
    src.write_text("Майя Санду meets Ilie Bolojan.\n— Белта (@belta) January 8, 2025\n", encoding="utf-8")
    out = data_copy / "articles" / "cyrillic.yaml"
    args = _draft_args(src, data_copy, out)
    args[args.index("--title") + 1] = "Санду встретилась с Болояном"
    assert cli(*args).code == 0
    v = cli("validate", "--data", str(data_copy))
    assert v.code == 0, v.out


@pytest.mark.parametrize(
    ("content", "published", "message"),
    [
        (b"", "2025-01-10", "the text is empty"),
        (b"  \n\t\n", "2025-01-10", "the text is empty"),
        (
            b"The weather in Chisinau was mild and the markets were busy.",
            "2025-01-10",
            "no recognisable event",
        ),
        ("Maia Sandu met Ilie Bolojan.".encode("utf-16"), "2025-01-10", "not UTF-8 text"),
        (b"Maia Sandu met Ilie Bolojan.", "2999-01-01", "is in the future"),
    ],
)
def test_bad_input_gets_a_clear_message(
    content: bytes, published: str, message: str, tmp_path: Path, cli
) -> None:
    src = tmp_path / "article.txt"
    src.write_bytes(content)
    r = cli(*_draft_args(src, Path("data"), tmp_path / "out" / "a.yaml", published))
    assert r.code == 2
    assert message in r.err
    assert str(src) in r.err or "published" in r.err
    assert not (tmp_path / "out" / "a.yaml").exists()


def test_a_bad_date_and_a_missing_file_are_named(tmp_path: Path, cli) -> None:
    r = cli(*_draft_args(tmp_path / "missing.txt", Path("data"), tmp_path / "a.yaml"))
    assert r.code == 2
    assert "missing.txt" in r.err
    src = tmp_path / "a.txt"
    src.write_text("Maia Sandu met Ilie Bolojan.", encoding="utf-8")
    r = cli(*_draft_args(src, Path("data"), tmp_path / "a.yaml", "10 January"))
    assert r.code == 2
    assert "'10 January' is not a date (YYYY-MM-DD)" in r.err


def test_a_five_megabyte_text_drafts(tmp_path: Path, cli) -> None:
    """The size the issue names; its time is measured in bench/drafts.py, not asserted here."""
    src = tmp_path / "big.txt"
    paragraph = ARTICLE.replace("8 January", "{d} January")
    copies = 5_000_000 // len(paragraph.encode())
    src.write_text("".join(paragraph.format(d=1 + i % 28) for i in range(copies)), encoding="utf-8")
    assert src.stat().st_size >= 4_900_000
    r = cli(*_draft_args(src, Path("data"), tmp_path / "big.yaml"))
    assert r.code == 0, r.err
    doc = yaml.load((tmp_path / "big.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # Each copy's sentences are quoted; one event told in several copies (same cast, day and place)
    # is one proposal quoting each of them.
    assert sum(len(e["sources"]) for e in doc["events"]) >= 6 * copies
    assert len({e["id"] for e in doc["events"]}) == len(doc["events"])


def test_a_text_over_the_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(drafting.DraftError, match="up to 20 MB"):
        drafting.check_text(b"x" * (drafting.MAX_BYTES + 1), "huge.txt")


# --- in the dashboard ----------------------------------------------------------------------


@pytest.fixture
def drafted(data_copy: Path, tmp_path: Path, cli) -> Path:
    src = tmp_path / "article.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    assert cli(*_draft_args(src, data_copy, data_copy / "articles" / "sandu.yaml")).code == 0
    # What an editor does next: place the new places (offline, GeoNames).
    assert cli("geocode", "--data", str(data_copy)).code == 0
    return data_copy


def test_drafts_are_drawn_pale_filtered_and_labelled(drafted: Path) -> None:
    a = atlas_mod.open_atlas(drafted, "duckdb")
    assert a.codings == ("draft", "human")
    everything = filters.Filters()
    n = query.count(a.engine, everything)
    m = map_view.map_data(a, everything, n)
    assert "draft" in set(m.points["coding"])
    fig = figures.map_figure(m)
    legend = "Draft, not yet reviewed (pale)"
    pale = [t.name for t in fig.data if t.name != legend and "rgba(" in str(t.to_plotly_json().get("marker"))]
    assert pale, "no mark drawn with a draft's pale fill"
    assert any(t.name == legend for t in fig.data)
    only_drafts, notices = filters.from_query(a, {"coding": "draft,bogus"})
    assert notices == ["Ignored coding 'bogus': use human, machine or draft"]
    assert query.count(a.engine, only_drafts) == n - 22
    ids = [r["id"] for r in query.first_events(a.engine, only_drafts, 100)]
    d = details_view.details(a, ids[0])
    assert d.origin_line.startswith("Draft · ")
    assert "Draft · proposed from the article" in html.details_card(d)
    seed = details_view.details(a, "kellogg-visits-belarus-2025")
    assert seed.origin_line == ""
    assert seed.coding == "human"


def test_an_editor_s_corrections_are_checked_and_only_kept_events_are_written(
    drafted: Path, tmp_path: Path
) -> None:
    d = propose(ARTICLE)
    t = review.table(d, threshold=0).set_index("id", drop=False)  # every row ticked; rows by id
    row = [e.id for e in d.events]
    t.loc[row[0], "date"] = "8 January"
    t.loc[row[1], "keep"] = False
    t.loc[row[2], "participants"] = "nobody-known"
    reviewed, keep, problems = review.apply(d, t, set(ACTORS), set(PLACES))
    assert d.events[1].id not in keep
    assert len(keep) == len(d.events) - 1
    assert any(p.startswith(f"{d.events[0].id}: date:") for p in problems)
    assert f"{d.events[2].id}: participants[0].actor: unknown actor 'nobody-known'" in problems
    t.loc[row[0], "date"] = "2025-01-08"
    t.loc[row[2], "participants"] = "maia-sandu (speaker)"
    t.loc[row[0], "kind"] = "visit"
    reviewed, keep, problems = review.apply(d, t, set(ACTORS), set(PLACES))
    assert problems == []
    doc = yaml.safe_load(reviewed.to_yaml("x.txt", keep))
    assert [e["id"] for e in doc["events"]] == [e.id for e in d.events if e.id in keep]
    assert doc["events"][0]["kind"] == "visit"
    path, text = review.save(reviewed, tmp_path, keep, saved_by="test editor")
    assert path.parent.name == "drafts"
    assert text.read_text(encoding="utf-8") == ARTICLE
    with pytest.raises(FileExistsError, match="exists already"):
        review.save(reviewed, tmp_path, keep, saved_by="test editor")


def test_the_page_writes_nothing_unless_the_deployment_allows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(review.WRITE_SETTING, raising=False)
    assert not review.writes_enabled()
    monkeypatch.setenv(review.WRITE_SETTING, "1")
    assert review.writes_enabled()


def test_table_rows_round_trip_every_proposal() -> None:
    d = propose(ARTICLE)
    t = review.table(d, threshold=0)  # every row ticked
    assert isinstance(t, pd.DataFrame)
    by_confidence = sorted(d.events, key=lambda e: -e.confidence)  # the most confident first, stably
    assert list(t["id"]) == [e.id for e in by_confidence]
    same, keep, problems = review.apply(d, t, set(ACTORS), set(PLACES))
    assert problems == []
    assert keep == {e.id for e in d.events}
    assert json.dumps(drafting.Draft.document(same, "x.txt"), default=str) == json.dumps(
        d.document("x.txt"), default=str
    )
