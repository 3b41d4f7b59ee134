"""Scoring drafts against hand-coded events (`drafting.score`): each measure on a small text written
for these tests, the gold file's errors, and `draft … --score GOLD.yaml`."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import drafting
from dashboard.drafting import score

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
