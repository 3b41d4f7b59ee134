"""Confidence: every proposal carries a score in [0, 1] of how much of it came from explicit words,
written in the draft YAML and accepted by the loader; the Add article page lists the most confident
first and keeps, to begin with, those at or above the threshold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT, editing, propose

from dashboard import drafting
from dashboard.drafting import confidence, review
from dashboard.drafting.confidence import Evidence
from dashboard.drafting.entities import Known
from dashboard.model import Event
from dashboard.readers import corpus

SEED = corpus.load(DATA)
META = drafting.Meta(title="Confidence", publisher="Test Wire", published=dt.date(2025, 6, 21))
TODAY = dt.date(2026, 1, 1)


def one(sentence: str, published: dt.date = META.published) -> tuple[drafting.Proposal, Evidence]:
    meta = drafting.Meta(title="Confidence", publisher="Test Wire", published=published)
    d = drafting.draft(sentence, meta, SEED.actors, SEED.places, today=TODAY)
    e = d.events[-1]
    return e, confidence.evidence(e, sentence, published, Known(SEED.actors, SEED.places))


# One sentence (the last proposal of the text is the one read), and what its evidence must be.
@pytest.mark.parametrize(
    ("text", "date_explicit", "date_inferred", "verb", "named", "place_named"),
    [
        # a day, a two-word phrase, both people and the city, all in the quote
        ("Lukashenko held talks with Kellogg in Minsk on 20 June.", 1, 0, 0.75, 1, 1),
        # one word of the kind ("met")
        ("Lukashenko met Kellogg in Minsk on 20 June.", 1, 0, 0.5, 1, 1),
        # "He" in the scene of the sentence before: its date and place inferred, one of three named
        ("Lukashenko met Kellogg in Minsk on 20 June. He said Belarus wanted peace.", 0, 1, 0.5, 1 / 3, 0),
        # an anaphora ("the next day") is not a date written out
        (
            "Lukashenko met Kellogg in Minsk on 20 June. The next day, he said Belarus wanted peace.",
            0,
            1,
            0.5,
            1,
            0,
        ),
        # no date at all (present perfect): neither
        ("Lukashenko has previously criticised Lithuania.", 0, 0, 0.5, 1, 0),
    ],
)
def test_the_evidence_is_what_the_quote_says_in_words(
    text: str, date_explicit: float, date_inferred: float, verb: float, named: float, place_named: float
) -> None:
    _, ev = one(text)
    assert (ev.date_explicit, ev.date_inferred, ev.verb, ev.place_named) == (
        date_explicit, date_inferred, verb, place_named,
    )  # fmt: skip
    assert ev.named == pytest.approx(named)


@pytest.mark.parametrize(
    ("stronger", "weaker"),
    [
        # an explicit date beats one carried from the scene
        ("Lukashenko said on 20 June that Belarus wanted peace.",
         "Lukashenko met Kellogg in Minsk on 20 June. He said Belarus wanted peace."),
        # a date beats none
        ("Lukashenko criticised Lithuania on 20 June.", "Lukashenko has previously criticised Lithuania."),
        # a phrase beats a single word, all else equal
        ("Lukashenko held talks with Kellogg in Minsk on 20 June.", "Lukashenko met Kellogg in Minsk on 20 June."),
    ],
)  # fmt: skip
def test_more_explicit_words_score_higher(stronger: str, weaker: str) -> None:
    assert one(stronger)[0].confidence > one(weaker)[0].confidence


UNIT = {"bias": -2.0} | dict.fromkeys(confidence.FEATURES, 1.0)


@pytest.mark.parametrize(
    ("ev", "expected"),
    [
        (Evidence(0, 0, 0, 0, 0, 0), 0.12),  # nothing in words: the bias alone, 1 / (1 + e²)
        (Evidence(1, 0, 1, 1, 1, 0), 0.88),  # everything in words: 1 / (1 + e⁻²)
        (Evidence(0, 1, 0.5, 0.5, 0, 0), 0.5),  # the date inferred, half the rest: 1 / (1 + e⁰)
    ],
)
def test_the_score_is_the_logistic_of_the_weighted_evidence(ev: Evidence, expected: float) -> None:
    assert confidence.combine(ev, UNIT) == expected


@pytest.mark.parametrize(
    "ev", [Evidence(0, 0, 0, 0, 0, 0), Evidence(1, 0, 1, 1, 1, 0), Evidence(0, 1, 1, 1, 0, 1)]
)
def test_the_calibrated_score_is_in_the_unit_interval(ev: Evidence) -> None:
    assert 0 < confidence.combine(ev) < 1


def test_the_score_is_written_in_the_yaml_and_the_loader_accepts_it_and_checks_its_range() -> None:
    d = drafting.draft(
        "Lukashenko met Kellogg in Minsk on 20 June.", META, SEED.actors, SEED.places, today=TODAY
    )
    rec = yaml.safe_load(d.to_yaml("x.txt"))["events"][0]
    assert rec["confidence"] == d.events[0].confidence
    assert 0 < rec["confidence"] <= 1
    Event.model_validate(rec)
    for wrong in (1.5, -0.1, True, "0.5", float("nan")):  # out of range, not a number, not finite
        with pytest.raises(ValueError, match="confidence"):
            Event.model_validate(rec | {"confidence": wrong})


@pytest.mark.parametrize(
    ("scored", "bins", "expected"),
    [
        ([(0.1, False), (0.15, True), (0.9, True), (1.0, True)], 2, [("0.0–0.5", 2, 1), ("0.5–1.0", 2, 2)]),
        ([], 2, [("0.0–0.5", 0, 0), ("0.5–1.0", 0, 0)]),
    ],
)
def test_the_reliability_table_counts_right_proposals_per_score_range(scored, bins, expected) -> None:
    assert confidence.reliability(scored, bins) == expected


@pytest.mark.parametrize(
    ("scored", "expected"),
    [
        # every wrong one below 0.3 and every right one above: the threshold separates them
        ([(0.1, False), (0.25, False), (0.35, True), (0.8, True)], 0.3),
        # all right: keep everything
        ([(0.1, True), (0.9, True)], 0.05),
    ],
)
def test_the_threshold_is_the_one_that_best_separates_right_from_wrong(scored, expected) -> None:
    assert confidence.best_threshold(scored) == expected


def test_a_fit_puts_weight_on_the_evidence_that_tells_right_from_wrong() -> None:
    good = Evidence(1, 0, 0.5, 1, 1, 0)
    bad = Evidence(0, 0, 0.5, 1, 1, 0)
    w = confidence.fit([(good, True)] * 20 + [(bad, False)] * 20 + [(good, False)] * 2)
    assert w["date_explicit"] > 1
    assert confidence.combine(good, w) > 0.8
    assert confidence.combine(bad, w) < 0.2


# --- the page --------------------------------------------------------------------------------------

TEXT = (
    "Lukashenko has previously criticised Lithuania. "
    "Kellogg said Belarus wanted peace. "
    "Lukashenko held talks with Kellogg in Minsk on 20 June."
)


def test_the_review_table_lists_the_most_confident_first_and_keeps_those_above_the_threshold() -> None:
    d = drafting.draft(TEXT, META, SEED.actors, SEED.places, today=TODAY)
    t = review.table(d)
    assert list(t["confidence"]) == sorted(t["confidence"], reverse=True)
    assert list(t["keep"]) == [c >= confidence.THRESHOLD for c in t["confidence"]]
    assert not t["keep"].all()  # the undated criticism starts unticked
    _, keep, problems = review.apply(d, t, set(SEED.actors), set(SEED.places))
    assert problems == []
    assert keep == {e.id for e in d.events if e.confidence >= confidence.THRESHOLD}


def test_the_page_sorts_proposals_by_confidence_and_preselects_those_above_the_threshold(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415, TID251 - the page itself, as test_app.py

    monkeypatch.setenv("DASHBOARD_DATA", str(data_copy))
    at = editing(monkeypatch, AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120))
    propose(at, TEXT, "Confidence on the page", dt.date(2025, 6, 21))
    assert not at.exception, at.exception
    d = at.session_state["draft"]
    shown = at.dataframe[0].value  # the review table as the page shows it
    assert list(shown["confidence"]) == sorted((e.confidence for e in d.events), reverse=True)
    assert next(iter(shown["id"])) == "lukashenko-meeting-2025-06-20"
    kept = [e for e in d.events if e.confidence >= confidence.THRESHOLD]
    assert 0 < len(kept) < len(d.events)
    assert any(b.label == f"Download YAML ({len(kept)} events)" for b in at.get("download_button")), [
        b.label for b in at.get("download_button")
    ]
