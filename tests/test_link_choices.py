"""Every link parameter with a fixed set of choices is read by one rule.

A shared link may have been retyped or pasted through a tool that changed its
case: `lanes=Actor` and `records=RAW` both open the view they name, and the
address bar then writes the value in its canonical spelling. A value that is
none of the choices is dropped with one short notice naming the parameter and
what it accepts.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from dashboard import filters, linkwords, zoom

# (parameter, choice) for every parameter that chooses from a fixed list, the zoom's words included.
WORDS = {**filters.CHOICES, zoom.SPAN_PARAM: zoom.SPAN_WORDS, zoom.MAP_PARAM: zoom.MAP_WORDS}
CASES = [(key, choice) for key, allowed in WORDS.items() for choice in allowed]
# How a link may have mangled a word: upper case, capitalised, alternating, spaces around it.
SPELLINGS = [str.upper, str.title, lambda w: "".join(c.upper() if i % 2 else c for i, c in enumerate(w)),
             lambda w: f"  {w.upper()} "]  # fmt: skip
# The Filters field each one-value choice fills, and each set-valued one.
FIELD = {key: name for name, key in filters.SET_PARAMS.items()} | {
    filters.CORROBORATION_PARAM: "corroboration", filters.LANES_PARAM: "lanes",
    filters.NETWORK_PARAM: "network", filters.RECORDS_PARAM: "records",
}  # fmt: skip


def read(seed, key: str, value: str) -> tuple[str | None, list[str], dict[str, list[str]]]:
    """What a link with `key=value` opens at: the chosen word, the notices, and the link written back."""
    if key in zoom.PARAMS:
        z, notices = zoom.from_query({key: [value]})
        return getattr(z, key), notices, zoom.to_query(z)
    f, notices = filters.from_query(seed, {key: [value]})
    got = getattr(f, FIELD[key])
    word = next(iter(got)) if isinstance(got, frozenset) and got else (got or None)
    return word, notices, filters.to_query(f)


@pytest.mark.parametrize("spell", SPELLINGS, ids=["upper", "title", "mixed", "spaced"])
@pytest.mark.parametrize(("key", "choice"), CASES, ids=[f"{k}={c}" for k, c in CASES])
def test_a_choice_is_read_in_any_case_and_written_back_canonically(seed, key, choice, spell) -> None:
    word, notices, written = read(seed, key, spell(choice))
    assert (word, notices) == (choice, [])
    # The link the page writes: the canonical word, or nothing at all for the default.
    assert written.get(key, [choice]) == [choice]


@pytest.mark.parametrize("key", list(WORDS))
def test_anything_else_is_one_short_notice_naming_the_parameter_and_its_choices(seed, key) -> None:
    word, notices, written = read(seed, key, "Nonsense")
    assert word in (None, WORDS[key][0])  # the default view
    assert key not in written
    assert len(notices) == 1, notices
    assert notices[0].startswith(f"Ignored {key} 'Nonsense': use ")
    listed = WORDS[key] if len(WORDS[key]) <= linkwords.MAX_LISTED else WORDS[key][: linkwords.MAX_LISTED - 2]
    assert all(w in notices[0] for w in listed), notices[0]
    assert len(notices[0]) < 200


def test_the_long_list_of_kinds_is_cut_and_says_where_the_rest_are(seed) -> None:
    _, notices, _ = read(seed, "kind", "parley")
    assert notices == [
        "Ignored kind 'parley': use meeting, visit, statement, report, … (28 in all; the About page lists them)"
    ]


def test_ids_and_country_codes_are_read_in_any_case_too(seed) -> None:
    f, notices = filters.from_query(
        seed,
        {
            "actor": "Keith-Kellogg",
            "country": "blr",
            "place": "MINSK",
            "event": "Kellogg-Visits-Belarus-2025",
        },
    )
    assert notices == []
    assert filters.to_query(f) == {
        "actor": ["keith-kellogg"], "country": ["BLR"], "place": ["minsk"], "event": ["kellogg-visits-belarus-2025"],
    }  # fmt: skip


# Letters Unicode folds onto ASCII ones: a long s, the Kelvin sign, a dotless i (upper-cased to I).
LOOKALIKES = [
    ("lanes", "\u017fhape"), ("records", "\u017fTORIES"), ("kind", "vi\u017fit"), ("span", "\u0131n"),
    ("actor", "\u212aeith-kellogg"), ("place", "min\u017fk"), ("country", "bl\u0131"), ("country", "\u0131ta"),
    ("event", "\u212aellogg-visits-belarus-2025"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value"), LOOKALIKES, ids=[k for k, _ in LOOKALIKES])
def test_a_lookalike_letter_is_not_read_as_the_ascii_one(seed, key, value) -> None:
    """Case is folded in ASCII only: a link cannot open a view under a word that merely looks like it."""
    if key in zoom.PARAMS:
        z, notices = zoom.from_query({key: [value]})
        written = zoom.to_query(z)
    else:
        f, notices = filters.from_query(seed, {key: [value]})
        written = filters.to_query(f)
    assert key not in written
    assert len(notices) == 1, notices
    assert notices[0].startswith(f"Ignored {key} "), notices


def test_the_same_word_twice_in_two_cases_is_one_value_not_a_conflict(seed) -> None:
    f, notices = filters.from_query(seed, {"lanes": ["Actor", "actor"], "records": ["raw", " RAW"]})
    assert (f.lanes, f.records, notices) == ("actor", "raw", [])
    assert zoom.from_query({"span": ["ALL", "all"]}) == (zoom.Zoom(span="all"), [])


def test_every_parameter_is_read_by_a_known_rule() -> None:
    """A new parameter with a fixed set of choices joins `filters.CHOICES` (and this test's table)."""
    others = {*filters.DATE_PARAMS.values(), filters.BETWEEN_PARAM, filters.EVENT_PARAM, *filters.ID_PARAMS,
              "country", *zoom.PARAMS}  # fmt: skip
    assert set(filters.PARAMS) == set(filters.CHOICES) | others


def test_a_link_in_other_cases_opens_the_same_page_without_a_notice() -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415, TID251 - AppTest is the pages' harness

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    for k, v in {"lanes": "Actor", "kind": "MEETING,Visit", "certainty": "Confirmed", "span": "ALL"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning if "Ignored" in w.value] == []
    assert at.sidebar.multiselect(key="kind").value == ["meeting", "visit"]
    assert at.sidebar.multiselect(key="certainty").value == ["confirmed"]
    assert at.session_state["lanes"] == "actor"
