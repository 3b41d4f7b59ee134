"""Scoring drafts against hand-coded events (`drafting.score`): each measure on a small text written
for these tests, the gold file's errors, and `draft … --score GOLD.yaml`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from draft_cast import ACTORS, PLACES

from dashboard import drafting
from dashboard.drafting import score
from dashboard.drafting.extract import Candidate

TEXT = (
    "Maia Sandu met Ilie Bolojan in Chisinau on 6 January.\n"
    "Romania released two prisoners the next day.\n"
    "The weather was cold.\n"
)
S1 = (0, 53)  # the first sentence
S2 = (54, 98)
S3 = (99, 120)


def ev(kind: str, date: str, span: tuple[int, int], until: str | None = None, place: str | None = None,
       eid: str = "x") -> score.Coded:  # fmt: skip
    return score.Coded(eid, kind, date, until, place, (span,))


GOLD = ev("meeting", "2025-01-06", S1, place="chisinau", eid="gold")


@pytest.mark.parametrize(
    ("proposed", "measures"),  # (on the sentence, same root, same root and date, recovered, spurious)
    [
        ([ev("meeting", "2025-01-06", S1, place="chisinau")], (1, 1, 1, 1, 0)),
        ([ev("meeting", "2025-01-06", (0, 20), place="chisinau")], (1, 1, 1, 1, 0)),  # part of the sentence
        ([ev("visit", "2025-01-06", S1, place="chisinau")], (1, 1, 1, 1, 0)),  # visit and meeting: root 04
        ([ev("statement", "2025-01-06", S1, place="chisinau")], (1, 0, 0, 0, 0)),
        ([ev("meeting", "unknown", S1, until="2025-01-10", place="chisinau")], (1, 1, 0, 0, 0)),
        ([ev("meeting", "2025-01", S1, place="chisinau")], (1, 1, 0, 0, 0)),  # the month is not the day
        ([ev("meeting", "2025-01-06", S1, until="2025-01-06", place="chisinau")], (1, 1, 1, 1, 0)),
        ([ev("meeting", "2025-01-06", S1, place="moldova")], (1, 1, 1, 0, 0)),
        ([ev("meeting", "2025-01-06", S3)], (0, 0, 0, 0, 1)),
        ([ev("meeting", "2025-01-06", S1, place="chisinau"), ev("release", "2025-01-07", S2)], (1, 1, 1, 1, 1)),
        ([], (0, 0, 0, 0, 0)),
    ],
)  # fmt: skip
def test_each_measure(proposed: list[score.Coded], measures: tuple[int, ...]) -> None:
    got = score.score([GOLD], proposed, drafting.sentences(TEXT))
    assert (len(got.on_sentence), len(got.same_root), len(got.same_date), len(got.recovered),
            len(got.spurious)) == measures  # fmt: skip
    assert (got.hand, got.proposals) == (1, len(proposed))


def test_scores_add_up_and_the_table_shows_each_set() -> None:
    a = score.score([GOLD], [ev("meeting", "2025-01-06", S1, place="chisinau")], drafting.sentences(TEXT))
    b = score.score([GOLD], [ev("statement", "2025-01-06", S3)], drafting.sentences(TEXT))
    both = a + b
    assert (both.hand, both.proposals, len(both.same_date), len(both.spurious)) == (2, 2, 1, 1)
    lines = score.table([("development", both), ("held-out", b)])
    assert lines[0].startswith("| measure | development (2 hand-coded, 2 proposed) | held-out")
    assert "| … with the same root and the same date | **1 (50%)** | **0 (0%)** |" in lines
    assert "| proposals on no hand-coded sentence | 1 (50%) | 1 (100%) |" in lines


GOLD_YAML = """\
articles:
  - id: sandu-bolojan
    title: Sandu meets Bolojan
    publisher: Test Wire
    published: 2025-01-10
    text: sandu-bolojan.txt
article: sandu-bolojan
events:
  - id: sandu-meets-bolojan
    kind: meeting
    date: 2025-01-06
    place: chisinau
    participants: [{actor: maia-sandu}, {actor: ilie-bolojan}]
    sources:
      - quote: "Maia Sandu met Ilie Bolojan in Chisinau on 6 January."
  - id: romania-releases-prisoners
    kind: release
    date: 2025-01-07
    participants: [{actor: romania}]
    sources:
      - quote: "Romania released two prisoners the next day."
"""


def test_gold_is_read_from_the_corpus_format(tmp_path: Path) -> None:
    (tmp_path / "sandu-bolojan.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(GOLD_YAML, encoding="utf-8")
    (art,) = score.load_gold(tmp_path)
    assert (art.id, art.published.isoformat(), art.text) == ("sandu-bolojan", "2025-01-10", TEXT)
    assert [(e.id, e.kind, e.date, e.spans) for e in art.events] == [
        ("sandu-meets-bolojan", "meeting", "2025-01-06", (S1,)),
        ("romania-releases-prisoners", "release", "2025-01-07", (S2,)),
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('in Chisinau on 6 January."', 'in Vilnius."', "event sandu-meets-bolojan: sources: quote not found"),
        ("kind: release", "kind: releasing", "event romania-releases-prisoners: kind 'releasing'"),
        ("date: 2025-01-07", "date: 7 January", "event romania-releases-prisoners: date:"),
        ("text: sandu-bolojan.txt", "text: missing.txt", "article sandu-bolojan: text: No such file"),
    ],
)
def test_a_bad_gold_file_is_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    (tmp_path / "sandu-bolojan.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(GOLD_YAML.replace(old, new), encoding="utf-8")
    with pytest.raises(score.GoldError, match="gold.yaml: " + message.replace("(", r"\(")):
        score.load_gold(tmp_path / "gold.yaml")


RECORDS = """\
actors:
  - {id: maia-sandu, name: Maia Sandu, kind: person, country: MDA}
  - {id: ilie-bolojan, name: Ilie Bolojan, kind: person, country: ROU}
  - {id: romania, name: Romania, kind: state, country: ROU}
places:
  - {id: chisinau, name: Chisinau, kind: city, country: MDA, lat: 47.0, lon: 28.8}
"""


def test_draft_prints_its_score_against_a_gold_file(tmp_path: Path, cli) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "records.yaml").write_text(RECORDS, encoding="utf-8")
    (tmp_path / "sandu-bolojan.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(GOLD_YAML, encoding="utf-8")
    r = cli("draft", str(tmp_path / "sandu-bolojan.txt"), "--title", "Sandu meets Bolojan", "--publisher",
            "Test Wire", "--published", "2025-01-10", "--data", str(tmp_path / "empty"), "--score",
            str(tmp_path / "gold.yaml"))  # fmt: skip
    assert r.code == 0, r.err
    assert "| … with the same root and the same date | **2 (100%)** |" in r.err
    assert 'status: "draft"' in r.out
    other = tmp_path / "other.txt"
    other.write_text("Maia Sandu met Ilie Bolojan.\n", encoding="utf-8")
    r = cli("draft", str(other), "--title", "T", "--publisher", "P", "--published", "2025-01-10", "--data",
            str(tmp_path / "empty"), "--score", str(tmp_path / "gold.yaml"))  # fmt: skip
    assert r.code == 2
    assert "no article there has this text (articles: sandu-bolojan)" in r.err


# --- one extractor among others, and the pipeline after it ----------------------------------


class OnePerLine:
    """A second extractor, as small as one can be: every line naming Romania is a statement by it."""

    name = "one-per-line"

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def extract(self, text: str, meta: drafting.Meta, known: object) -> list[Candidate]:
        out, at = [], 0
        for no, line in enumerate(text.splitlines(keepends=True), start=1):
            if "Romania" in line:
                b = at + len(line.rstrip())
                out.append(Candidate("statement", "010", [(at, b)], meta.published.isoformat(), None,
                                     [{"actor": "romania"}], None, None, "the article", "confirmed",
                                     "a line naming Romania", no))  # fmt: skip
            else:
                self.skipped.append(f"line {no}: no Romania")
            at += len(line)
        return out


def test_another_extractor_goes_through_the_same_pipeline() -> None:
    meta = drafting.Meta(title="A test article", publisher="Test Wire", published=dt.date(2025, 1, 10))
    d = drafting.draft(TEXT + "Romania said nothing.\n", meta, ACTORS, {}, taken_ids={"romania-statement-2025-01-10"},
                       today=dt.date(2026, 1, 1), extractor=OnePerLine())  # fmt: skip
    assert [e.id for e in d.events] == ["romania-statement-2025-01-10-2", "romania-statement-2025-01-10-3"]
    assert d.events[0].summary == "Statement: Romania"
    assert d.events[0].sources[0]["quote"] == "Romania released two prisoners the next day."
    assert d.skipped == ["line 1: no Romania", "line 3: no Romania"]
    assert yaml.safe_load(d.to_yaml("a.txt"))["events"][1]["note"] == "a line naming Romania"


def test_one_event_told_twice_is_one_proposal_with_both_quotes() -> None:
    meta = drafting.Meta(title="A test article", publisher="Test Wire", published=dt.date(2025, 1, 10))
    text = (
        "Maia Sandu met Ilie Bolojan in Chisinau on 6 January.\n"
        "Romania said nothing.\n"
        "Sandu and Bolojan met in Chisinau on 6 January to discuss energy.\n"
        "Maia Sandu met Ilie Bolojan in Chisinau on 8 January.\n"
    )
    d = drafting.draft(text, meta, ACTORS, PLACES, today=dt.date(2026, 1, 1))
    meetings = [e for e in d.events if e.kind == "meeting"]
    assert [(e.date, len(e.sources)) for e in meetings] == [("2025-01-06", 2), ("2025-01-08", 1)]
    assert "Told again in sentence 3" in meetings[0].note
