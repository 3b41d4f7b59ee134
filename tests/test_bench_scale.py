"""bench/scale.py's links: every one new, and every one a view the dashboard opens without a notice."""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

import pytest

from dashboard import filters, synth
from dashboard.readers import corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import scale


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> corpus.Corpus:
    out = tmp_path_factory.mktemp("synth") / "data"
    synth.write(1000, out, seed=11)
    return corpus.load(out)


def test_links_are_distinct_valid_views_and_the_same_for_the_same_seed(small, tmp_path: Path) -> None:
    countries = scale.corpus_countries(small.root)
    links = scale.links(300, countries, seed=4)
    assert links == scale.links(300, countries, seed=4)
    assert links != scale.links(300, countries, seed=5)
    views = []
    for link in links:
        f, notices = filters.from_query(small, urllib.parse.parse_qs(link))
        assert notices == [], link
        assert 1 <= len(f.kinds) <= 3, link
        views.append(filters.without_no_ops(f, small.events["end"].min().date(), None))
    assert len(set(views)) == len(links)  # no two links open the same view
    # Some with a country, some with a start date, some with neither.
    assert 0 < sum("country=" in q for q in links) < len(links)
    assert 0 < sum("from=" in q for q in links) < len(links)


def test_links_ask_for_the_synthetic_corpus_kinds() -> None:
    assert set(scale.KINDS) == set(synth.KIND_WEIGHTS)
