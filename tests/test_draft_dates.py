"""`draft`'s dates on sentences written for these tests: explicit dates, spans, anaphora, weekdays,
quoted speech, statements placed at their scene, and years tied to their clause. Each row is a
short text (published Friday 10 January 2025) and the date of the event named by its last
sentence's trigger."""

from __future__ import annotations

import datetime as dt

import pytest
from draft_cast import ACTORS, PLACES

from dashboard import drafting
from dashboard.drafting import dates

PUBLISHED = dt.date(2025, 1, 10)  # a Friday
MET = "Maia Sandu met Ilie Bolojan in Chisinau on 6 January.\n"  # a Monday


def propose(text: str) -> drafting.Draft:
    meta = drafting.Meta(title="A test article", publisher="Test Wire", published=PUBLISHED)
    return drafting.draft(text, meta, ACTORS, PLACES, today=dt.date(2026, 1, 1))


def event(text: str, kind: str) -> drafting.Proposal:
    """The last proposal of `kind`."""
    d = propose(text)
    got = [e for e in d.events if e.kind == kind]
    assert got, [(e.kind, e.sources[0]["quote"]) for e in d.events]
    return got[-1]


@pytest.mark.parametrize(
    ("text", "kind", "date", "until"),
    [
        # explicit dates and spans
        ("Maia Sandu held talks with Ilie Bolojan on 3 and 4 January.", "meeting", "2025-01-03", "2025-01-04"),
        ("Maia Sandu held talks with Ilie Bolojan on January 3-4.", "meeting", "2025-01-03", "2025-01-04"),
        ("Maia Sandu held talks with Ilie Bolojan from 2 to 4 January.", "meeting", "2025-01-02", "2025-01-04"),
        ("Maia Sandu held talks with Ilie Bolojan from 30 December to 2 January.", "meeting", "2024-12-30",
         "2025-01-02"),
        ("Maia Sandu held talks with Ilie Bolojan between 6 January and 8 January.", "meeting", "2025-01-06",
         "2025-01-08"),
        ("Moldova hosted Romanian troops until 5 January.", "military_support", "unknown", "2025-01-05"),
        ("Maia Sandu met Ilie Bolojan on the 21st of December.", "meeting", "2024-12-21", None),
        # anaphora count from the last day named
        (MET + "On the same day, Moldova released two prisoners.", "release", "2025-01-06", None),
        (MET + "Romania released two prisoners that day.", "release", "2025-01-06", None),
        (MET + "Maia Sandu wrote that day that the talks had been useful.", "statement", "2025-01-06", None),
        (MET + "Later that day, Romania released two prisoners.", "release", "2025-01-06", None),
        (MET + "The next day, Moldova released two prisoners.", "release", "2025-01-07", None),
        (MET + "A day later, Moldova released two prisoners.", "release", "2025-01-07", None),
        (MET + "Two days later, Romania released two prisoners.", "release", "2025-01-08", None),
        (MET + "The day before, Romania released two prisoners.", "release", "2025-01-05", None),
        (MET + "Romania had released two prisoners three days earlier.", "release", "2025-01-03", None),
        ("Maia Sandu arrived in Chisinau on 6 January and met Ilie Bolojan the next day.", "meeting",
         "2025-01-07", None),
        (MET + "The next day, Moldova released two prisoners.\nTwo days later, Romania released a journalist.",
         "release", "2025-01-09", None),
        # weekdays: the nearest to the reference, never after publication; the future counts forward
        ("On Saturday, Moldova released two prisoners.", "release", "2025-01-04", None),
        ("Moldova released two prisoners on Friday.", "release", "2025-01-10", None),
        ("Moldova released two prisoners last Friday.", "release", "2025-01-03", None),
        (MET + "On Saturday, Romania released two prisoners.", "release", "2025-01-04", None),
        (MET + "On Wednesday, Romania released two prisoners.", "release", "2025-01-08", None),
        ("Maia Sandu met Ilie Bolojan on 2 March 2014.\nThe talks were long.\nSnow fell.\nThe roads closed.\n"
         "On Saturday, Romania released two prisoners.", "release", "2025-01-04", None),
        ("Maia Sandu met Ilie Bolojan on 2 March 2014.\nOn Saturday, Romania released two prisoners.", "release",
         "2014-03-01", None),
        ("Maia Sandu will visit Romania on Monday.", "visit", "2025-01-13", None),
        # a day already named by its date is "that day", not its weekday: a weekday that would be that
        # very day, far back, is of the week of publication (13 December 2024 was a Friday)
        ("Maia Sandu met Ilie Bolojan on 13 December.\nOn Friday, Romania released two prisoners.", "release",
         "2025-01-10", None),
        ("Maia Sandu met Ilie Bolojan on 14 December.\nOn Friday, Romania released two prisoners.", "release",
         "2024-12-13", None),
        (MET + "On Monday, Romania released two prisoners.", "release", "2025-01-06", None),
        ("Maia Sandu arrived in Chisinau on 6 January and met Ilie Bolojan on Wednesday.", "meeting",
         "2025-01-08", None),
        # a bare day of the month: in the reference's month, the tense says which side
        ("Maia Sandu met Ilie Bolojan on the 8th.", "meeting", "2025-01-08", None),
        ("Maia Sandu met Ilie Bolojan on the 28th.", "meeting", "2024-12-28", None),
        ("Maia Sandu is due to visit Romania on the 3rd.", "visit", "2025-02-03", None),
        ("Maia Sandu held talks with Ilie Bolojan on the 7th and 8th.", "meeting", "2025-01-07", "2025-01-08"),
        # months and years from publication
        ("Romania released two prisoners last month.", "release", "2024-12", None),
        ("Moldova imposed new sanctions on two businessmen earlier this year.", "sanction", "2025", None),
        ("Moldova imposed new sanctions on two businessmen earlier this month.", "sanction", "2025-01", None),
        ("Moldova imposed new sanctions on two businessmen last year.", "sanction", "2024", None),
        # quoted speech: "today" is the day of the speech, the scene's
        (MET + "“Today we agreed on nothing,” Romania said.", "statement", "2025-01-06", None),
        (MET + "“We were told yesterday,” Romania said.", "statement", "2025-01-05", None),
        ("“Today the border is calm,” Maia Sandu said.", "statement", "2025-01-10", None),
        ("“Today the border is calm,” Maia Sandu said on 8 January.", "statement", "2025-01-08", None),
        # statements placed at the scene they name
        (MET + "The weather was cold across the region.\nAfter the meeting, Romania said the border was calm.",
         "statement", "2025-01-06", None),
        (MET + "Snow fell.\nFollowing the talks, Romania said the border was calm.", "statement", "2025-01-06", None),
        # "after the talks": the talks, not a meeting told after them; "the same day" then counts from them
        ("Maia Sandu and Ilie Bolojan held talks in Chisinau on Tuesday.\nOn Monday, the two leaders held an "
         "informal meeting.\nMaia Sandu said after the talks that the border would stay open.", "statement",
         "2025-01-07", None),
        ("Maia Sandu held talks with Ilie Bolojan on 7 January.\nOn 6 January, Romania released two prisoners.\n"
         "After the talks, Maia Sandu said the border was calm.\nOn the same day, Romania released a journalist.",
         "release", "2025-01-07", None),
        ("Maia Sandu and Ilie Bolojan held talks in Chisinau on 6 January.\nSnow fell.\n"
         "Romania's envoy also attended the talks.", "meeting", "2025-01-06", None),
        # the past tense right after a sentence of the scene goes on telling it, sentence after sentence
        ("Romania released two prisoners on 6 January.\nIn Chisinau, Maia Sandu met the freed men at the airport.",
         "meeting", "2025-01-06", None),
        ("Romania released two prisoners on 6 January.\nMaia Sandu met the freed men.\nIlie Bolojan greeted them "
         "in Iasi.", "meeting", "2025-01-06", None),
        # the tense is the teller's: the backshift or the future of what was said does not break it
        ("Romania released two prisoners on 6 January.\nThe Moldovan government said no decision had been "
         "taken on a third.", "statement", "2025-01-06", None),
        ("Romania released two prisoners on 6 January.\nMaia Sandu said the border would reopen.", "statement",
         "2025-01-06", None),
        # a sentence about the future breaks it; "In return," and "The exchange" pick it up again
        ("Moldova freed two Romanian fishermen on 6 January.\nSnow will fall tomorrow.\nRomania released a "
         "Moldovan journalist.", "release", "unknown", "2025-01-10"),
        ("Moldova freed two Romanian fishermen on 6 January.\nSnow will fall tomorrow.\nIn return, Romania "
         "released a Moldovan journalist.", "release", "2025-01-06", None),
        ("Moldova freed two Romanian fishermen on 6 January.\nSnow will fall tomorrow.\nThe exchange of prisoners "
         "between Moldova and Romania took place at the border.", "release", "2025-01-06", None),
        ("Romania released two prisoners on 6 January.\nMaia Sandu had met the men several times.", "meeting",
         "unknown", "2025-01-10"),
        # "concluded her three-day visit on Wednesday": Monday to Wednesday
        ("Maia Sandu concluded her three-day visit to Romania on Wednesday.", "visit", "2025-01-06", "2025-01-08"),
        ("Maia Sandu began a two-day visit to Romania on 6 January.", "visit", "2025-01-06", "2025-01-07"),
        # a quote, then who said it: the scene's
        (MET + "“The border is calm,” the Moldovan leader noted.", "statement", "2025-01-06", None),
        (MET + "“The border is calm,” she wrote.", "statement", "2025-01-06", None),
        # "late Thursday", a live blog's "Thursday, 19:00"
        ("Moldova released two prisoners late Thursday.", "release", "2025-01-09", None),
        ("Thursday, 19:00 - Moldova released two prisoners.", "release", "2025-01-09", None),
        # "two days after …": what follows is two days before the day named
        ("Romania announced the deal on 8 January, two days after Maia Sandu met Ilie Bolojan in Chisinau.",
         "meeting", "2025-01-06", None),
        # a flashback in the past perfect: a weekday after it counts from publication
        ("Romania had announced the deal on 2 January.\nOn Wednesday, Moldova released two prisoners.", "release",
         "2025-01-08", None),
        # an apposition ("…, a lawyer serving …") dates another event; a year in the event's own words is its date
        ("Romania released Ilie Bolojan, a lawyer serving a sentence for a 2019 robbery.", "release", "unknown",
         "2025-01-10"),
        ("Maia Sandu recalled a 2019 visit to Romania.", "visit", "2019", None),
        # a clause cut short before its date ("narrow and expanded"): the sentence's next date
        ("Maia Sandu and Ilie Bolojan held talks in small and expanded groups in Chisinau on 6 January.",
         "meeting", "2025-01-06", None),
        # years tied to their clause
        ("Ilie Bolojan, who last visited Moldova in 2019, arrived in Chisinau on 6 January.", "visit",
         "2025-01-06", None),
        (MET + "Maia Sandu then visited Romania, her first trip there since 2019.", "visit", "2025-01-06", None),
        # a day of the month after publication: the year before, unless the clause is about the future
        ("Maia Sandu is due to visit Romania on the 21st of January.", "visit", "2025-01-21", None),
        ("Moldova hosted Romanian troops until the 5th of January.", "military_support", "unknown", "2025-01-05"),
        # the day a decision takes effect ("from the 8th") dates neither it nor what follows
        ("On the 6th, Moldova decided to close two border crossings with Romania from the 8th.",
         "reduced_relations", "2025-01-06", None),
        ("On the 6th, Moldova decided to close two border crossings with Romania from the 8th.\n"
         "Romania said the next day that it regretted the decision.", "statement", "2025-01-07", None),
        # "in May last year", "in August and November that year": the month of the year the words name
        ("Maia Sandu met Ilie Bolojan in May last year.", "meeting", "2024-05", None),
        ("Romania withdrew from the border agreement on 2 March 2014 and reimposed sanctions on Moldova in August "
         "and November that year.", "sanction", "2014-11", None),  # the last of two: one a month (below)
        # "last Tuesday" is the week before publication, whatever day the story told last
        ("Maia Sandu met Ilie Bolojan on the 2nd.\nLast Tuesday, Romania released two prisoners.", "release",
         "2025-01-07", None),
        # "would": the future seen from the day of the speech; what is planned is dated by its own day
        ("Maia Sandu said on Saturday she would travel to Romania on Monday.", "intent", "2025-01-06", None),
        # an invitation's "to visit … this year" dates the visit planned, not the invitation: that takes
        # its own day, else its scene's
        (MET + "Maia Sandu invited Ilie Bolojan to visit Moldova this year.", "intent", "2025-01-06", None),
        (MET + "Maia Sandu invited Ilie Bolojan to visit Moldova this year.", "visit", "2025", None),
        (MET + "Ilie Bolojan accepted an invitation to visit Moldova in 2026.", "intent", "2025-01-06", None),
        ("Maia Sandu on 8 January invited Ilie Bolojan to visit Moldova in 2026.", "intent", "2025-01-08", None),
        # what was said does not date the saying ("at their best since the war")
        (MET + "Maia Sandu said that relations were at their best since the war.", "statement", "2025-01-06",
         None),
        ("In 2023, Moldova hosted Romanian troops near the border.", "military_support", "2023", None),
        ("Moldova has hosted Romanian troops since 2019.", "military_support", "2019", "2025-01-10"),
    ],
)  # fmt: skip
def test_each_date_pattern(text: str, kind: str, date: str, until: str | None) -> None:
    e = event(text, kind)
    assert (e.date, e.until) == (date, until), e.note


def test_an_aside_s_own_event_keeps_the_aside_s_year() -> None:
    d = propose("Ilie Bolojan, who last visited Moldova in 2019, arrived in Chisinau on 6 January.")
    assert sorted((e.kind, e.date) for e in d.events) == [("visit", "2019"), ("visit", "2025-01-06")]


def test_each_date_s_note_names_its_words_and_its_sentence() -> None:
    e = event(MET + "The next day, Moldova released two prisoners.", "release")
    assert "“The next day”" in e.note
    assert "(“6 January”, sentence 1)" in e.note
    e = event(MET + "“Today we agreed on nothing,” Romania said.", "statement")
    assert "inside a quote" in e.note
    assert "sentence 1" in e.note
    e = event(MET + "Snow fell.\nAfter the meeting, Romania said the border was calm.", "statement")
    assert "“After the meeting”" in e.note
    assert "sentence 1" in e.note
    assert e.place == "chisinau"


def test_a_date_inside_an_aside_is_not_the_reference() -> None:
    d = propose(
        "Ilie Bolojan, who first visited Moldova on 2 March 2019, met Maia Sandu on 6 January.\n"
        "The next day, Romania released two prisoners."
    )
    assert [e.date for e in d.events if e.kind == "release"] == ["2025-01-07"]


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("on 3 and 9 May", ["2024-05-03", "2024-05-09"]),  # two days, not a span: each a date (below)
        ("in May 2020 and in 2021", ["2020-05", "2021"]),
        ("on 30 February", ["unknown"]),  # no date: the words say why (below)
        ("nothing here", []),
    ],
)
def test_the_resolver_alone(sentence: str, values: list[str]) -> None:
    assert [f.value for f in dates.find(sentence, PUBLISHED)] == values


# Published Friday 10 January 2025: a day after it, with no year and not about the future, is of 2024.
@pytest.mark.parametrize(
    ("text", "kind", "date", "until", "note"),
    [
        # a day the month lacks is no date: the event's date is unknown, and the note says why
        ("Maia Sandu met Ilie Bolojan in Chisinau on 30 February 2025.", "meeting", "unknown", None,
         "“30 February 2025”, sentence 1, 30 February is not a date: February 2025 has 28 days"),
        ("Maia Sandu met Ilie Bolojan in Chisinau on 31 April.", "meeting", "unknown", None,
         "“31 April”, sentence 1, 31 April is not a date: April has 30 days"),
        ("Maia Sandu met Ilie Bolojan in Chisinau on April 31, 2024.", "meeting", "unknown", None,
         "31 April is not a date: April has 30 days"),
        ("Maia Sandu met Ilie Bolojan on the 30th of February.", "meeting", "unknown", None,
         "30 February is not a date: February 2024 has 29 days"),
        ("Maia Sandu held talks with Ilie Bolojan on 30 and 31 April.", "meeting", "unknown", None,
         "“30 and 31 April”, sentence 1, 31 April is not a date"),
        ("Maia Sandu held talks with Ilie Bolojan from 30 April to 31 April.", "meeting", "unknown", None,
         "31 April is not a date"),
        # a day that is in the year it is read in stays a date: 29 February 2024
        ("Maia Sandu met Ilie Bolojan in Chisinau on 29 February.", "meeting", "2024-02-29", None,
         "the year before the article's"),
        # a span that runs backwards is no span: its first day is taken, and the note says so
        ("Maia Sandu held talks with Ilie Bolojan from 5 to 3 January.", "meeting", "2025-01-05", None,
         "not a span: the 3 is before the 5, the first day taken"),
        ("Maia Sandu held talks with Ilie Bolojan on January 5-3.", "meeting", "2025-01-05", None,
         "not a span: the 3 is before the 5"),
        ("Maia Sandu held talks with Ilie Bolojan from 5 January to 3 January.", "meeting", "2025-01-05", None,
         "not a span: “3 January” is before it, the first day taken"),
        ("Maia Sandu held talks with Ilie Bolojan between 8 January and 6 January.", "meeting", "2025-01-08",
         None, "not a span: “6 January” is before it"),
    ],
)  # fmt: skip
def test_an_impossible_date_or_a_backwards_span_is_not_taken_and_the_note_says_why(
    text: str, kind: str, date: str, until: str | None, note: str
) -> None:
    e = event(text, kind)
    assert (e.date, e.until) == (date, until), e.note
    assert note in e.note


@pytest.mark.parametrize(
    ("sentence", "published", "values", "how"),
    [
        # 29 February after publication is of the year before, which has none: no date, and no error
        ("on 29 February", dt.date(2024, 1, 10), ["unknown"], "February 2023 has 28 days"),
        ("on 29 February", dt.date(2024, 3, 10), ["2024-02-29"], "in the article's year"),
        ("on 30 February 2025 and in May 2025", PUBLISHED, ["unknown", "2025-05"], "not a date"),
        # a day no month has is not read as a day: "in March 40 people" is no date
        ("in March 40 people were detained", PUBLISHED, [], ""),
    ],
)
def test_the_resolver_reads_no_impossible_day(
    sentence: str, published: dt.date, values: list[str], how: str
) -> None:
    found = dates.find(sentence, published)
    assert [f.value for f in found] == values
    assert all(f.until is None for f in found)
    assert how in " ".join(f.how for f in found)


# Days listed with "and" (and commas before it) are each a date of their own; consecutive days stay one
# span, and so do "between 3 and 9 May" and "3-9 May". Each row: the words, then every date read as
# (first day, last day or None, the words its note quotes), and whether they are listed (one event a date).
@pytest.mark.parametrize(
    ("sentence", "got", "listed"),
    [
        ("on 3 and 9 May", [("2024-05-03", None, "3 and 9 May"), ("2024-05-09", None, "3 and 9 May")], True),
        ("on 3, 5 and 9 May", [("2024-05-03", None, "3, 5 and 9 May"), ("2024-05-05", None, "3, 5 and 9 May"),
                               ("2024-05-09", None, "3, 5 and 9 May")], True),
        ("on 3, 5, and 9 May 2023", [("2023-05-03", None, "3, 5, and 9 May 2023"),
                                     ("2023-05-05", None, "3, 5, and 9 May 2023"),
                                     ("2023-05-09", None, "3, 5, and 9 May 2023")], True),
        ("on May 3 and 9", [("2024-05-03", None, "May 3 and 9"), ("2024-05-09", None, "May 3 and 9")], True),
        ("on May 3rd and 9th, 2023", [("2023-05-03", None, "May 3rd and 9th, 2023"),
                                      ("2023-05-09", None, "May 3rd and 9th, 2023")], True),
        ("on the 3rd and 9th of May", [("2024-05-03", None, "the 3rd and 9th of May"),
                                       ("2024-05-09", None, "the 3rd and 9th of May")], True),
        # a day of this month and one of the last, both before publication
        ("on 3 January and 9 December", [("2025-01-03", None, "3 January"), ("2024-12-09", None, "9 December")],
         True),
        ("on May 3, 2023 and June 9, 2023", [("2023-05-03", None, "May 3, 2023"),
                                             ("2023-06-09", None, "June 9, 2023")], True),
        # "and" more than once
        ("on 3 and 9 and 12 May", [("2024-05-03", None, "3 and 9 and 12 May"),
                                   ("2024-05-09", None, "3 and 9 and 12 May"),
                                   ("2024-05-12", None, "3 and 9 and 12 May")], True),
        ("on May 3 and 9 and 12", [("2024-05-03", None, "May 3 and 9 and 12"),
                                   ("2024-05-09", None, "May 3 and 9 and 12"),
                                   ("2024-05-12", None, "May 3 and 9 and 12")], True),
        ("on the 3rd and the 9th and the 12th of May", [
            ("2024-05-03", None, "the 3rd and the 9th and the 12th of May"),
            ("2024-05-09", None, "the 3rd and the 9th and the 12th of May"),
            ("2024-05-12", None, "the 3rd and the 9th and the 12th of May")], True),
        # two days in a row, then one more: a span and a day
        ("on 3, 4 and 9 May", [("2024-05-03", "2024-05-04", "3, 4 and 9 May"), ("2024-05-09", None, "3, 4 and 9 May")],
         True),
        # weekdays (published on a Friday) and bare ordinals, where the resolver reads them
        ("on Monday and Thursday", [("2025-01-06", None, "on Monday and Thursday"),
                                    ("2025-01-09", None, "on Monday and Thursday")], True),
        ("on Monday, Wednesday and Friday", [("2025-01-06", None, "on Monday, Wednesday and Friday"),
                                             ("2025-01-08", None, "on Monday, Wednesday and Friday"),
                                             ("2025-01-10", None, "on Monday, Wednesday and Friday")], True),
        ("on the 3rd and 9th", [("2025-01-03", None, "on the 3rd and 9th"), ("2025-01-09", None, "on the 3rd and 9th")],
         True),
        # consecutive days stay one span, whatever the form
        ("on 3 and 4 May", [("2024-05-03", "2024-05-04", "3 and 4 May")], False),
        ("on 3, 4 and 5 May", [("2024-05-03", "2024-05-05", "3, 4 and 5 May")], False),
        ("on May 3, 4 and 5", [("2024-05-03", "2024-05-05", "May 3, 4 and 5")], False),
        ("on Monday and Tuesday", [("2025-01-06", "2025-01-07", "on Monday and Tuesday")], False),
        ("on the 3rd and the 4th", [("2025-01-03", "2025-01-04", "on the 3rd and the 4th")], False),
        # a range is a span, not a list
        ("on 3-9 May", [("2024-05-03", "2024-05-09", "3-9 May")], False),
        ("between 3 and 9 May", [("2024-05-03", "2024-05-09", "3 and 9 May")], False),
        ("between May 3 and 9", [("2024-05-03", "2024-05-09", "May 3 and 9")], False),
        ("between 3 May and 9 May", [("2024-05-03", "2024-05-09", "3 May")], False),
        # no "and": two dates, not a list; a count after "and" is no day
        ("on 3 May, 9 June", [("2024-05-03", None, "3 May"), ("2024-06-09", None, "9 June")], False),
        ("on May 3 and 9 others were hurt", [("2024-05-03", None, "May 3")], False),
        ("On May 3, 12 people and 9 others were hurt", [("2024-05-03", None, "May 3")], False),
    ],
)  # fmt: skip
def test_days_listed_with_and_are_each_a_date(
    sentence: str, got: list[tuple[str, str | None, str]], listed: bool
) -> None:
    found = dates.find(sentence, PUBLISHED)
    assert [(f.value, f.until) for f in found] == [(v, u) for v, u, _ in got], [f.how for f in found]
    for f, (_, _, words) in zip(found, got, strict=True):
        assert f.how.startswith(f"“{words}”"), f.how  # the note names the words that gave the date
    assert {f.listed >= 0 for f in found} == {listed}
    assert len({f.listed for f in found}) == 1  # one list, or none


def test_a_short_article_with_days_listed_drafts_one_event_a_day() -> None:
    d = propose(
        "CHISINAU (Test Wire) - Maia Sandu met Ilie Bolojan in Chisinau on 3 and 8 January.\n"
        "The next day, Romania released two prisoners.\n"
    )
    assert [(e.kind, e.date) for e in d.events] == [
        ("meeting", "2025-01-03"),
        ("meeting", "2025-01-08"),
        ("release", "2025-01-09"),  # "the next day" counts from the last day listed
    ]
    meetings = d.events[:2]
    assert [(e.date, e.until, e.place) for e in meetings] == [
        ("2025-01-03", None, "chisinau"),
        ("2025-01-08", None, "chisinau"),
    ]
    assert all("“3 and 8 January”" in e.note and "one of 2 dates listed" in e.note for e in meetings)
    assert {p["actor"] for e in meetings for p in e.participants} == {"maia-sandu", "ilie-bolojan"}
    assert {e.sources[0]["quote"] for e in meetings} == {
        "CHISINAU (Test Wire) - Maia Sandu met Ilie Bolojan in Chisinau on 3 and 8 January."
    }
    saved = d.to_yaml("text.txt")
    assert 'date: "2025-01-03"' in saved
    assert 'date: "2025-01-08"' in saved


@pytest.mark.parametrize(
    ("text", "kind", "dates_"),
    [
        # days listed with "and": one event a day (a run of consecutive days one event, its span)
        ("Maia Sandu held talks with Ilie Bolojan on 3 and 8 January.", "meeting",
         [("2025-01-03", None), ("2025-01-08", None)]),
        ("Maia Sandu met Ilie Bolojan on January 2, 3 and 8.", "meeting",
         [("2025-01-02", "2025-01-03"), ("2025-01-08", None)]),
        ("Maia Sandu met Ilie Bolojan on 3 December and 8 January.", "meeting",
         [("2024-12-03", None), ("2025-01-08", None)]),
        ("Maia Sandu met Ilie Bolojan on Monday and Thursday.", "meeting", [("2025-01-06", None),
                                                                          ("2025-01-09", None)]),
        ("Maia Sandu met Ilie Bolojan on the 3rd and 8th.", "meeting", [("2025-01-03", None), ("2025-01-08", None)]),
        ("Maia Sandu held talks with Ilie Bolojan between 3 and 8 January.", "meeting", [("2025-01-03", "2025-01-08")]),
        ("Maia Sandu held talks with Ilie Bolojan on 3, 4 and 5 January.", "meeting", [("2025-01-03", "2025-01-05")]),
        # months coordinated by "and" with their year: one event a month, as an itinerary is a visit a leg
        ("Romania imposed sanctions on Moldova in two waves, in August and November last year.", "sanction",
         [("2024-08", None), ("2024-11", None)]),
        ("Maia Sandu met Ilie Bolojan on 3 May 2019.\nShe visited Romania in March and June that year.", "visit",
         [("2019-03", None), ("2019-06", None)]),
        # two consecutive days joined by "and" are one event's span, as before
        ("Maia Sandu held talks with Ilie Bolojan on 3 and 4 January.", "meeting", [("2025-01-03", "2025-01-04")]),
        # a month with its year, not listed: one event
        ("Romania imposed sanctions on Moldova in August last year.", "sanction", [("2024-08", None)]),
    ],
)  # fmt: skip
def test_an_event_told_with_a_list_of_days_or_months_is_one_proposal_a_date(
    text: str, kind: str, dates_: list[tuple[str, str | None]]
) -> None:
    got = [e for e in propose(text).events if e.kind == kind]
    assert [(e.date, e.until) for e in got] == dates_, [e.note for e in got]
    quotes = {e.sources[0]["quote"] for e in got}
    assert len(quotes) == 1  # every one of them quotes the same words
    if len(got) > 1:
        assert all(f"one of {len(got)} dates listed in" in e.note for e in got)


# A statement that reports events the list dates is one proposal, dated by the last day listed (a report
# of every day listed is made on or after the last); the events listed stay one a day. A saying the list
# itself dates ("said on 3 and 8 January that") was made once a day, as any event so dated.
@pytest.mark.parametrize(
    ("text", "statements", "releases"),
    [
        ("Romania released two prisoners on 3 and 8 January, Maia Sandu's office said.", [("2025-01-08", None)],
         [("2025-01-03", None), ("2025-01-08", None)]),
        ("Romania released two prisoners on 2, 3 and 8 January, Maia Sandu said.", [("2025-01-08", None)],
         [("2025-01-02", "2025-01-03"), ("2025-01-08", None)]),
        ("Romania released two prisoners in 2019 and 2021, Maia Sandu said.", [("2021", None)],
         [("2019", None), ("2021", None)]),
        ("Maia Sandu said on 3 and 8 January that the border was calm.", [("2025-01-03", None),
                                                                         ("2025-01-08", None)], []),
    ],
)  # fmt: skip
def test_a_statement_reporting_listed_events_is_one_proposal(
    text: str, statements: list[tuple[str, str | None]], releases: list[tuple[str, str | None]]
) -> None:
    d = propose(text)
    said = [e for e in d.events if e.kind == "statement"]
    assert [(e.date, e.until) for e in said] == statements, [e.note for e in said]
    assert [(e.date, e.until) for e in d.events if e.kind == "release"] == releases
    if len(statements) == 1:
        assert "the last of" in said[0].note
        assert "on or after the last" in said[0].note


# A day no month has (0, 32) in a list, a span or after "on" gives no date: the list is refused whole,
# none of its valid days taken, and the note says why; the event's date is unknown. After a month, a
# number past 31 is a count ("May 3 and 40 others"), not a day.
@pytest.mark.parametrize(
    ("sentence", "values", "how"),
    [
        ("on 0 and 9 May", ["unknown"], "“0 and 9 May”, 0 is not a day of any month: the list gives no date"),
        ("on 3, 0 and 9 May", ["unknown"], "0 is not a day of any month: the list gives no date"),
        ("on 9 and 40 May", ["unknown"], "40 is not a day of any month: the list gives no date"),
        ("on May 0 and 9", ["unknown"], "“May 0 and 9”, 0 is not a day of any month"),
        ("on the 0th and 9th of May", ["unknown"], "0 is not a day of any month"),
        ("on 0-9 May", ["unknown"], "“0-9 May”, 0 is not a day of any month: the span gives no date"),
        ("from 0 to 9 May", ["unknown"], "the span gives no date"),
        ("on 0 May", ["unknown"], "“0 May”, 0 is not a day of any month: the day gives no date"),
        ("on 32 May 2024", ["unknown"], "32 is not a day of any month"),
        # a day the month lacks refuses the list whole too, wherever it stands in it
        (
            "on 1 and 30 February",
            ["unknown"],
            "30 February is not a date: February 2024 has 29 days: the list gives no date",
        ),
        ("on February 1st and 30th", ["unknown"], "30 February is not a date"),
        ("on the 1st and the 31st of April", ["unknown"], "31 April is not a date: April has 30 days"),
        ("on 1 and 29 February 2023", ["unknown"], "February 2023 has 28 days"),
        ("on 1 and 29 February 2024", ["2024-02-01", "2024-02-29"], "one of the days listed"),
        # not a day: a count after the month, and a number in a list of people
        ("on May 3 and 40 others", ["2024-05-03"], "“May 3”"),
        ("in March 40 people were detained", [], ""),
    ],
)
def test_an_impossible_day_in_a_list_or_span_gives_no_date_and_says_why(
    sentence: str, values: list[str], how: str
) -> None:
    found = dates.find(sentence, PUBLISHED)
    assert [f.value for f in found] == values, [f.how for f in found]
    assert how in " ".join(f.how for f in found)


def test_an_event_dated_by_a_list_with_an_impossible_day_is_unknown_and_its_note_says_why() -> None:
    got = [
        e for e in propose("Maia Sandu met Ilie Bolojan on 0 and 9 January.").events if e.kind == "meeting"
    ]
    assert [(e.date, e.until) for e in got] == [("unknown", None)]
    assert "0 is not a day of any month" in got[0].note


# Years listed with "and" are each a date, as days are; a range of years ("from … to …", "between … and
# …") is a span. Consecutive years stay two: a year is not a stretch one event fills, as two days of
# talks are.
@pytest.mark.parametrize(
    ("sentence", "got", "listed"),
    [
        ("in 2019 and 2021", [("2019", None), ("2021", None)], True),
        ("in 2019 and 2020", [("2019", None), ("2020", None)], True),
        ("in 2015, 2019 and 2021", [("2015", None), ("2019", None), ("2021", None)], True),
        ("in May 2019 and June 2020", [("2019-05", None), ("2020-06", None)], True),
        ("from 2019 to 2021", [("2019", "2021")], False),
        ("between 2019 and 2021", [("2019", "2021")], False),
        ("in 2019, 2021", [("2019", None), ("2021", None)], False),  # no "and": no list
        ("in May 2020 and in 2021", [("2020-05", None), ("2021", None)], False),  # not one precision
    ],
)
def test_years_listed_with_and_are_each_a_date(
    sentence: str, got: list[tuple[str, str | None]], listed: bool
) -> None:
    found = dates.find(sentence, PUBLISHED)
    assert [(f.value, f.until) for f in found] == got, [f.how for f in found]
    assert {f.listed >= 0 for f in found} == {listed}


def test_an_event_told_with_a_list_of_years_is_one_proposal_a_year() -> None:
    got = [e for e in propose("Maia Sandu met Ilie Bolojan in 2019 and 2021.").events if e.kind == "meeting"]
    assert [(e.date, e.until) for e in got] == [("2019", None), ("2021", None)]
    assert all("one of 2 dates listed in “2019 and 2021”" in e.note for e in got)


# Weekdays listed are days of one stretch under a week, in the list's order: in the past the last one
# named is the nearest such day not after publication (or the reference) and each before it the latest
# such day before the next; about the future the first is the first on or after the reference and each
# after it the next such day. Published on a Tuesday, "on Monday and Thursday" is 30 December and
# 2 January, not Monday the 6th and the Thursday before it.
TUESDAY = dt.date(2025, 1, 7)


@pytest.mark.parametrize(
    ("sentence", "published", "got"),
    [
        ("on Monday and Thursday", PUBLISHED, [("2025-01-06", None), ("2025-01-09", None)]),
        ("on Monday and Thursday", TUESDAY, [("2024-12-30", None), ("2025-01-02", None)]),
        ("on Thursday and Monday", TUESDAY, [("2025-01-02", None), ("2025-01-06", None)]),
        ("on Friday, Sunday and Monday", TUESDAY, [("2025-01-03", None), ("2025-01-05", "2025-01-06")]),
        ("on Saturday and Tuesday", TUESDAY, [("2025-01-04", None), ("2025-01-07", None)]),
        # about the future: forward from publication, in the list's order
        ("she will visit on Monday and Thursday", TUESDAY, [("2025-01-13", None), ("2025-01-16", None)]),
        ("she will visit on Thursday and Monday", TUESDAY, [("2025-01-09", None), ("2025-01-13", None)]),
    ],
)
def test_weekdays_listed_are_one_week_in_the_list_s_order(
    sentence: str, published: dt.date, got: list[tuple[str, str | None]]
) -> None:
    found = dates.find(sentence, published)
    assert [(f.value, f.until) for f in found] == got, [f.how for f in found]
    days = [dt.date.fromisoformat(f.value) for f in found]
    assert days == sorted(days)
    assert (days[-1] - days[0]).days < 7
    assert "in the list's order" in found[0].how


def test_weekdays_listed_count_from_the_scene_s_day() -> None:
    # the reference is Monday 6 January; Wednesday and Friday of that week, before publication
    got = [e for e in propose(MET + "Romania released prisoners on Wednesday and Friday.").events
           if e.kind == "release"]  # fmt: skip
    assert [e.date for e in got] == ["2025-01-08", "2025-01-10"]


# A live blog's entry stamped with a time alone ("14:05 CET - ") is of the day of the heading above it,
# else of publication; its sentences with no date of their own, in whatever tense, are of that day.
BLOG = (
    "Live updates, Wednesday 8 January 2025.\n\n"
    "14:05 CET - Maia Sandu has met Ilie Bolojan in Chisinau. Romania said the border would stay open.\n\n"
    "09:30 CET - Moldova released two prisoners.\n\n"
    "Yesterday, 21:15 CET - Romania released a journalist.\n"
)


@pytest.mark.parametrize(
    ("text", "kind", "date", "until"),
    [
        (BLOG, "meeting", "2025-01-08", None),
        (BLOG, "statement", "2025-01-08", None),
        (BLOG, "release", "2025-01-09", None),  # the last release: "Yesterday" from publication
        ("14:05 CET - Maia Sandu has met Ilie Bolojan in Chisinau.", "meeting", "2025-01-10", None),
        # no stamp: the present perfect is unknown until publication, as before
        ("Maia Sandu has met Ilie Bolojan in Chisinau.", "meeting", "unknown", "2025-01-10"),
    ],
)
def test_a_live_blog_entry_stamped_with_a_time_is_of_its_heading_s_day(
    text: str, kind: str, date: str, until: str | None
) -> None:
    e = event(text, kind)
    assert (e.date, e.until) == (date, until), e.note


def test_each_entry_of_a_live_blog_is_of_its_heading_s_day_and_the_note_says_so() -> None:
    got = [e for e in propose(BLOG).events if e.kind == "release"]
    assert [e.date for e in got] == ["2025-01-08", "2025-01-09"]
    assert "a live blog's entry stamped “09:30 CET”" in got[0].note
    assert "the heading above" in got[0].note


def test_a_plan_s_horizon_dates_no_event_and_another_act_is_not_the_last_one_told_again() -> None:
    d = propose(
        "Maia Sandu and Ilie Bolojan signed a joint declaration in Chisinau on 6 January.\n"
        "They also signed a statement on a plan to expand trade until 2030.\n"
    )
    signed = [e for e in d.events if e.kind == "diplomatic_cooperation"]
    # "until 2030", after publication, is how long the plan runs: the signing continues the scene
    assert [(e.date, e.until) for e in signed] == [("2025-01-06", None), ("2025-01-06", None)]
    assert "carried from sentence 1" in signed[1].note
    assert not any("Told again" in e.note for e in signed)  # "also": another act, two proposals


def test_the_same_act_told_again_without_also_is_one_proposal() -> None:
    d = propose(
        "Maia Sandu and Ilie Bolojan signed a joint declaration in Chisinau on 6 January.\n"
        "They signed a joint declaration at the presidency.\n"
    )
    signed = [e for e in d.events if e.kind == "diplomatic_cooperation"]
    assert len(signed) == 1
    assert "Told again in sentence 2" in signed[0].note


@pytest.mark.parametrize(
    ("sentence", "date", "until"),
    [
        ("Moldova hosted Romanian troops until 2019.", "unknown", "2019"),  # a year, as a day is
        ("Moldova hosted Romanian troops until May 2019.", "unknown", "2019-05"),
        ("Moldova hosted Romanian troops until 5 January.", "unknown", "2025-01-05"),
    ],
)
def test_until_a_year_or_a_month_is_the_latest_day_as_until_a_day_is(
    sentence: str, date: str, until: str
) -> None:
    e = event(sentence, "military_support")
    assert (e.date, e.until) == (date, until), e.note


# News dating conventions from the styles the development set gained last (a radio bulletin, a press
# release in the first person, a weekly round-up, an African regional daily), on sentences written
# for these tests. Published Friday 10 January 2025.
@pytest.mark.parametrize(
    ("text", "kind", "date", "until"),
    [
        # a month with "mid-", "early-", "in late …"
        ("In mid-December, Maia Sandu called for calm.", "appeal", "2024-12", None),
        ("In late December, Maia Sandu called for calm.", "appeal", "2024-12", None),
        # a sentence that opens with its year frames its days: not publication's year
        ("Last year, on 5 January, Maia Sandu met Ilie Bolojan in Chisinau.", "meeting", "2024-01-05", None),
        ("In 2023, on 5 January, Moldova released two prisoners.", "release", "2023-01-05", None),
        ("On 5 January, Moldova released two prisoners.", "release", "2025-01-05", None),
        # a day written out, as a transcript gives it
        ("Moldova and Romania signed the treaty in Chisinau on the twenty-second of December.",
         "diplomatic_cooperation", "2024-12-22", None),
        ("Moldova released two prisoners on January the fourth.", "release", "2025-01-04", None),
        # "tomorrow", and a span of days named by words
        ("Romania said it would hold live-fire drills near Moldova from tomorrow until Sunday.", "force_posture",
         "2025-01-11", "2025-01-12"),
        ("Maia Sandu and Ilie Bolojan held talks from Monday until Wednesday.", "meeting", "2025-01-06",
         "2025-01-08"),
        # "earlier in the day", "earlier today": the day of the scene, not a vague time before publication
        (MET + "Earlier in the day, Romania summoned Moldova's ambassador.", "criticism", "2025-01-06", None),
        ("Earlier today, Romania summoned Moldova's ambassador.", "criticism", "2025-01-10", None),
        # what the first person does in the present, the text does on publication
        ("We once again call on Romania to reopen the crossing.", "appeal", "2025-01-10", None),
        ("Romania calls on Moldova to reopen the crossing.", "appeal", "unknown", "2025-01-10"),
        # the perfect of an arrival in news copy is the news of the day; of a visit, some time before
        ("Maia Sandu has arrived in Chisinau.", "visit", "2025-01-10", None),
        ("Maia Sandu has visited Romania several times.", "visit", "unknown", "2025-01-10"),
        # a date inside the trigger's own words is the event's, not the day of the saying around it
        (MET + "Romania said on Tuesday that the drone strike, carried out on Sunday morning, had killed two "
         "smugglers.", "use_of_force", "2025-01-05", None),
    ],
)  # fmt: skip
def test_news_dating_conventions_of_the_last_four_styles(
    text: str, kind: str, date: str, until: str | None
) -> None:
    e = event(text, kind)
    assert (e.date, e.until) == (date, until), e.note


def test_a_relative_clause_s_flashback_dates_neither_the_main_clause_nor_the_scene() -> None:
    """ "signed at the end of talks that had opened on 2 January": the talks opened then; the signing
    and what follows it stay on the scene's day."""
    d = propose(
        "Moldova and Romania signed a border treaty in Chisinau yesterday.\n"
        "The treaty was signed at the end of talks that had opened on 2 January.\n"
        "Maia Sandu said the talks had been hard."
    )
    assert [(e.kind, e.date) for e in d.events] == [
        ("diplomatic_cooperation", "2025-01-09"),
        ("statement", "2025-01-09"),
    ], [(e.kind, e.date, e.note) for e in d.events]


def test_an_appositive_s_date_is_its_own_not_the_sentence_s_nor_the_next_sentence_s() -> None:
    """ "… Ilie Bolojan, a Romanian senator shot dead in Iasi, Iasi County, on 2 January": the shooting's
    day; the saying stays on its own day, and "the same day" after it counts from the saying."""
    d = propose(
        "On 8 January, Maia Sandu said there were links between Romania and the death of Ilie Bolojan, "
        "a Romanian senator shot dead in Iasi, Iasi County, on 2 January.\n"
        "Moldova expelled a Romanian diplomat the same day."
    )
    got = {(e.kind, e.date) for e in d.events}
    assert ("assault", "2025-01-02") in got, [(e.kind, e.date, e.note) for e in d.events]
    assert ("reduced_relations", "2025-01-08") in got, [(e.kind, e.date, e.note) for e in d.events]


@pytest.mark.parametrize(
    ("text", "kind", "date", "until"),
    [
        # "this Wednesday" in translated copy: the nearest Wednesday, not after publication (Friday 10)
        ("Maia Sandu met Ilie Bolojan in Chisinau this Wednesday.", "meeting", "2025-01-08", None),
        # "at the end of October", "at the beginning of March": the month
        ("At the end of October, Moldova recalled its ambassador to Romania.", "reduced_relations", "2024-10",
         None),
        # "in May of the previous year": the month of the year before the article's
        ("Maia Sandu met Ilie Bolojan in Chisinau in May of the previous year.", "meeting", "2024-05", None),
        # "arrived on the 6th for a two-day visit": the visit opens on the arrival's day
        ("Maia Sandu arrived in Chisinau on 6 January for a two-day visit.", "visit", "2025-01-06",
         "2025-01-07"),
        # a time tied to the scene is not a vague "before": the scene's day goes on
        (MET + "Speaking before the vote, Ilie Bolojan said the treaty was fair.", "statement", "2025-01-06",
         None),
        (MET + "About three hours before the meeting ended, Romania fired a ballistic missile into the Black "
               "Sea.", "force_posture", "2025-01-06", None),
        # a year inside what was said is the content's: the saying goes on with the scene
        (MET + "Maia Sandu said that Moldova upholds the declaration of 1998.", "statement", "2025-01-06", None),
        # a visit's end after "until": from its day to that day, or its N days ending then
        ("Maia Sandu arrived in Chisinau on 6 January for a visit until Thursday.", "visit", "2025-01-06",
         "2025-01-09"),
        ("Maia Sandu is on a three-day visit to Romania until Thursday.", "visit", "2025-01-07", "2025-01-09"),
    ],
)  # fmt: skip
def test_dates_of_a_session_report_a_translated_wire_and_a_translated_daily(
    text: str, kind: str, date: str, until: str | None
) -> None:
    e = event(text, kind)
    assert (e.date, e.until) == (date, until), e.note


def test_a_relative_clause_s_flashback_inside_the_trigger_dates_neither_it_nor_the_scene() -> None:
    """ "talks that had opened on 2 January, convened by Maia Sandu": the mediation and the sentences after
    it stay on the scene's day."""
    d = propose(
        "Moldova and Romania signed a border treaty in Chisinau yesterday.\n"
        "The treaty was signed at the end of talks that had opened on 2 January, convened by Maia Sandu.\n"
        "Ilie Bolojan said the talks had been hard."
    )
    got = [(e.kind, e.date) for e in d.events]
    assert ("mediation", "2025-01-09") in got, [(e.kind, e.date, e.note) for e in d.events]
    assert ("statement", "2025-01-09") in got, [(e.kind, e.date, e.note) for e in d.events]
    assert not [e for e in d.events if e.date == "2025-01-02"], got


@pytest.mark.parametrize(
    ("text", "kind", "date", "until"),
    [
        # "since" after an act done once whose result lasts (a suspension, a ban, a refusal): the act's day
        # alone; after an activity that goes on (hosting troops), the span until publication (above)
        ("Moldova, suspended from the council since March 2016, was not invited.", "reduced_relations",
         "2016-03", None),
        ("Moldova has been suspended from the council since March 2016.", "reduced_relations", "2016-03", None),
        ("Romania has refused to extradite the suspects since 2016.", "rejection", "2016", None),
        ("Moldova has hosted Romanian troops since 2019.", "military_support", "2019", "2025-01-10"),
        # a date that names a thing ("the earthquake of 6 January") is not the act's; the scene's day goes on
        (MET + "Maia Sandu reiterated Moldova's support for the recovery from the earthquake of 2 January.",
         "diplomatic_cooperation", "2025-01-06", None),
        # that thing named again: "on the day of the earthquake", "the day after the earthquake"
        ("Maia Sandu met Ilie Bolojan in Chisinau to discuss the earthquake of 2 January.\n"
         "On the day of the earthquake, Maia Sandu held a telephone call with Ilie Bolojan.", "meeting",
         "2025-01-02", None),
        ("Maia Sandu met Ilie Bolojan in Chisinau to discuss the earthquake of 2 January.\n"
         "On the day of the earthquake, Maia Sandu held a telephone call with Ilie Bolojan. On the following "
         "day, Romania pledged $5 million in relief to Moldova.", "aid", "2025-01-03", None),
        # a transcript's answer: the spokesperson's present, future and perfect are done on the day
        ("Q: Will Romania respond?\nA: Romania firmly opposes the sale of jets to Moldova.", "criticism",
         "2025-01-10", None),
        ("Q: Will Romania respond?\nA: Romania welcomes the decision of Moldova.", "diplomatic_cooperation",
         "2025-01-10", None),
        ("Q: Will Romania respond?\nA: Romania will take resolute and strong measures against Moldova.",
         "threat", "2025-01-10", None),
        ("Q: Will Romania consider the request?\nA: Romania has rejected the request of Moldova.", "rejection",
         "2025-01-10", None),
        # "this week": from the Monday of the week (6 January) to the day it counts from (publication)
        ("Romania approved a possible sale of jets to Moldova this week.", "military_support", "2025-01-06",
         "2025-01-10"),
        # outside a transcript the third person's present stays undated (as "Romania calls on", above)
        ("Romania firmly opposes the sale of jets to Moldova.", "criticism", "unknown", "2025-01-10"),
    ],
)  # fmt: skip
def test_dates_of_a_transcript_a_gulf_agency_and_a_translated_wire(
    text: str, kind: str, date: str, until: str | None
) -> None:
    e = event(text, kind)
    assert (e.date, e.until) == (date, until), e.note
