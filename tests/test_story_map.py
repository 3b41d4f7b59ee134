"""The map counts stories: a mark says how many stories its records make, sized by their outlets.

The data folder is test_story_views' (the bundled one with test_stories' GDELT rows imported).
Each story is counted once, at its own place (the most specific of its records' places); its
records are counted where each lies. `?records=raw` counts the records, as before stories.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter

import pyarrow.parquet as pq
import pytest
from conftest import DATA
from test_aggregates import RowsOnly
from test_stories import ROWS

from dashboard import atlas, figures, filters, query, stories_query
from dashboard.readers import gdelt
from dashboard.views import map as map_view

GDELT = filters.Filters(datasets=frozenset({"gdelt"}))


@pytest.fixture(scope="module")
def corpus_atlas(tmp_path_factory: pytest.TempPathFactory) -> atlas.Atlas:
    """The bundled data folder with test_stories' GDELT rows imported, opened."""
    root = tmp_path_factory.mktemp("story-map")
    shutil.copytree(DATA, root / "data", ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = root / "20191024120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in ROWS), encoding="utf-8")
    report, _ = gdelt.import_files([src], root / "data" / "gdelt", gdelt.Options())
    assert report.imported == len(ROWS), report.problems
    return atlas.open_atlas(root / "data")


def table(a, name: str) -> list[dict]:
    return pq.read_table(a.store.table(name)).to_pylist()


def machine_marks(a, f: filters.Filters) -> dict[str, dict]:
    """The marks of the imported records (GDELT only): places, and countries shaded."""
    m = map_view.map_data(a, f, query.count(a.engine, f))
    return {r["place"]: r for frame in (m.points, m.countries) for r in frame.to_dict("records")}


def test_a_mark_counts_the_distinct_stories_at_its_place_and_raw_counts_records(corpus_atlas) -> None:
    a = corpus_atlas
    point = {r["place"]: r["point"] for r in table(a, "map_points")}
    stories = table(a, "stories")
    # Each story at the map point of its place; each record at its own.
    want_stories = Counter(point[s["place"]] for s in stories if s["place"] in point)
    want_outlets = Counter()
    for s in stories:
        if s["place"] in point:
            want_outlets[point[s["place"]]] += s["outlets"]
    records = {r["event"] for r in table(a, "story_events")}
    want_records = Counter(
        e["point"]
        for e in a.engine.rows("SELECT id, point FROM events", {})
        if e["id"] in records and e["point"]
    )
    marks = machine_marks(a, GDELT)
    # The records at "Lithuania" and "United Kingdom" are of stories placed in Minsk and Riyadh.
    assert {p: m["stories"] for p, m in marks.items() if m["stories"]} == dict(want_stories)
    assert (marks["gdelt-lh"]["stories"], marks["gdelt-lh"]["events"]) == (0, 1)
    assert {p: m["events"] for p, m in marks.items()} == dict(want_records)
    assert {p: m["outlets"] for p, m in marks.items() if m["outlets"]} == dict(want_outlets)
    # Minsk: the consult (4 records and the next day's), the cooperation (2), Minsk–Lithuania (its
    # record at the country counts there), the consult two days later, the Kellogg meeting.
    minsk = marks["minsk"]
    assert (minsk["stories"], minsk["events"], minsk["outlets"]) == (5, 10, 6)
    assert minsk["weight"] == 6  # sized by its outlets
    assert "<b>Minsk</b> · 5 stories from 10 records, 6 outlets" in minsk["hover"]
    raw = machine_marks(a, filters.Filters(datasets=frozenset({"gdelt"}), records="raw"))
    assert {p: m["events"] for p, m in raw.items()} == dict(want_records)
    assert {p: m["weight"] for p, m in raw.items()} == dict(want_records)  # sized by records
    assert "<b>Minsk</b> · 10 events" in raw["minsk"]["hover"]


def test_the_map_as_text_says_stories_records_and_outlets(corpus_atlas) -> None:
    a = corpus_atlas
    every = filters.Filters()
    text = map_view.map_text(map_view.map_data(a, every, query.count(a.engine, every)), a)
    assert "Minsk: 5 stories from 10 records, 6 outlets (machine-coded)" in text
    assert "Vladivostok, Primorskiy Kray, Russia: 1 story from 1 record, 1 outlet (machine-coded)" in text
    assert "Lithuania (the country): 1 record of stories placed elsewhere" in text
    raw = filters.Filters(records="raw")
    text = map_view.map_text(map_view.map_data(a, raw, query.count(a.engine, raw)), a)
    assert "Minsk: 10 events (machine-coded)" in text
    assert not any("stor" in line for line in text)


def test_a_story_counts_where_its_head_passes_the_filters(corpus_atlas) -> None:
    # From the 25th the consult's head (its first record, the 24th) is filtered out: the story is
    # not counted at Minsk, though its record of the 25th is; the consult two days later and the
    # Kellogg meeting are.
    a = corpus_atlas
    f = filters.Filters(datasets=frozenset({"gdelt"}), start=dt.date(2019, 10, 25))
    minsk = machine_marks(a, f)["minsk"]
    assert (minsk["stories"], minsk["events"]) == (2, 3)
    # The summary counts the story the map leaves out, and says how many those are (`heads`), so the
    # page can say why the map's total is smaller.
    count = stories_query.story_count(a.engine, f)
    assert count["stories"] - count["heads"] == 1
    assert sum(m["stories"] for m in machine_marks(a, f).values()) == count["heads"]


@pytest.mark.parametrize(
    "f",
    [
        filters.Filters(),
        filters.Filters(records="raw"),
        filters.Filters(start=dt.date(2019, 10, 25)),
        filters.Filters(start=dt.date(2019, 10, 1), end=dt.date(2019, 10, 31)),
        filters.Filters(end=dt.date(2019, 10, 24), kinds=frozenset({"consult", "meeting"})),
        filters.Filters(codings=frozenset({"machine"}), start=dt.date(2019, 10, 26)),
    ],
)
def test_the_map_from_the_aggregates_equals_the_map_from_the_rows(corpus_atlas, f) -> None:
    eng = corpus_atlas.engine
    rows = RowsOnly(eng)
    assert query.map_groups(eng, f, 20) == query.map_groups(rows, f, 20)
    codings = ["human", "draft", "machine"]
    assert query.map_clusters(eng, f, codings) == query.map_clusters(rows, f, codings)


def test_clusters_count_stories_and_the_figure_sizes_marks_by_outlets(corpus_atlas, monkeypatch) -> None:
    a = corpus_atlas
    monkeypatch.setattr(map_view, "CLUSTER_ABOVE", 0)  # clusters even for a handful of places
    monkeypatch.setattr(map_view, "KEEP_CURATED", 0)
    f = filters.Filters(datasets=frozenset({"gdelt"}))
    m = map_view.map_data(a, f, query.count(a.engine, f))
    assert m.dense
    assert m.by_story
    every = m.clusters[m.clusters["layer"] == len(m.layers) - 1].set_index("name")
    assert (every.loc["Minsk", "stories"], every.loc["Minsk", "events"]) == (5, 10)
    assert "5 stories from 10 records, 6 outlets" in every.loc["Minsk", "hover"]
    fig = figures.map_figure(m)
    shown = [t for t in fig.data if t.meta and t.visible and t.name != figures.LABELS]
    texts = {x for t in shown for x in t.text}
    assert "5" in texts  # a cluster's number is its stories
