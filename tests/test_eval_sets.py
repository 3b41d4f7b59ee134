"""The evaluation set (eval/): each folder loads as a data folder with no problem, and its
hand-coded events are what the scorer reads."""

from pathlib import Path

import pytest

from dashboard.drafting.score import load_gold
from dashboard.readers import corpus

EVAL = Path(__file__).resolve().parent.parent / "eval"


@pytest.mark.parametrize(("folder", "articles", "least"), [("dev", 20, 300), ("held-out", 4, 60)])
def test_an_eval_set_validates_and_scores(folder: str, articles: int, least: int) -> None:
    c = corpus.load(EVAL / folder)
    assert c.errors == []
    assert len(c.articles) == articles
    assert len(c.events) >= least
    assert all(p.lat is not None for p in c.places.values())  # placed offline, without geocoding
    gold = load_gold(EVAL / folder)
    assert sum(len(a.events) for a in gold) == len(c.events)


def test_the_two_sets_share_no_article() -> None:
    dev = {a.id for a in load_gold(EVAL / "dev")}
    held = {a.id for a in load_gold(EVAL / "held-out")}
    assert dev
    assert held
    assert not dev & held
