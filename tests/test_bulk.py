"""Bulk Parquet data, the synthetic generator, and the store a large corpus is opened from."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DATA

from dashboard import atlas, filters, folder, query, synth
from dashboard.readers import corpus


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "data"
    synth.write(3000, out, seed=7)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, small: Path) -> None:
    synth.write(3000, tmp_path / "again", seed=7)
    synth.write(3000, tmp_path / "other", seed=8)
    assert digest(tmp_path / "again") == digest(small)
    assert digest(tmp_path / "other") != digest(small)


def test_synth_output_passes_validate(cli, small: Path) -> None:
    result = cli("validate", "--data", str(small))
    assert result.code == 0, result.out
    assert result.out.startswith("ok: 15 articles, 375 actors, 300 places (300 geocoded), 3,000 events")


def test_synth_has_a_realistic_shape(small: Path) -> None:
    c = corpus.load(small)
    ev = c.events
    assert set(ev["precision"].astype(str)) == {"day", "month", "year", "unknown"}
    assert 0.03 < ev["place"].isna().mean() < 0.15  # some events have no place
    assert ev["origin"].notna().sum() > 100  # contacts that travel
    assert ev["start"].min().year == 2016
    assert ev["end"].max().year >= 2025
    # Zipf-like popularity: the busiest actor takes part far more often than the median one.
    counts = c.participants["actor"].value_counts()
    assert counts.iloc[0] > 20 * counts.median()
    # Every span is a whole sentence of its article.
    quotes = c.quotes(c.sources.iloc[:50])
    assert all(q.endswith(".") and q[0].isupper() for q in quotes)
    assert {p.kind.value for p in c.places.values()} == {"city"}
    assert all(p.lat is not None for p in c.places.values())


def test_the_app_and_the_cli_run_on_it(cli, small: Path) -> None:
    result = cli("export", "--data", str(small), "--format", "geojson", "--kind", "visit")
    assert result.code == 0
    assert '"LineString"' in result.out


def write_table(path: Path, rows: list[dict], schema: pa.Schema) -> None:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


# A good bulk event on the seed's day and place, for tests that break one of its fields.
BULK_EVENT = {"id": "bulk-ok", "kind": "meeting", "summary": "A meeting", "precision": "day",
              "start": pd.Timestamp("2025-06-21").date(), "end": pd.Timestamp("2025-06-21").date(), "place": "minsk",
              "geo_precision": None, "origin": None, "attribution": "the article", "certainty": "confirmed",
              "note": None}  # fmt: skip


def test_broken_bulk_rows_are_named_and_skipped(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "data")
    root = tmp_path / "data"
    ev = dict(BULK_EVENT)
    rows = [
        ev,
        {**ev, "id": "bulk-bad-kind", "kind": "summit"},
        {**ev, "id": "bulk-bad-month", "precision": "month"},  # a month starts on the 1st
        {**ev, "id": "bulk-bad-place", "place": "atlantis"},
        {**ev, "id": "bulk-no-parts"},
        {**ev, "id": "bulk-bad-tone", "tone": 250.0},  # AvgTone is -100..+100 in GDELT's codebook
    ]
    # with a measure column, as an import writes it
    write_table(
        root / "extra.events.parquet", rows, synth.SCHEMAS["events"].append(pa.field("tone", pa.float64()))
    )
    parts = [{"event": e["id"], "actor": "keith-kellogg", "role": None} for e in rows[:4]]
    parts.append({"event": "bulk-no-parts", "actor": "nobody", "role": None})
    write_table(root / "extra.participants.parquet", parts, synth.SCHEMAS["participants"])
    srcs = [
        {"event": e["id"], "article": "kellogg-lukashenko-minsk", "start": 0, "end": 10} for e in rows[:5]
    ]
    srcs.append({"event": "bulk-ok", "article": "kellogg-lukashenko-minsk", "start": 3000, "end": 4000})
    write_table(root / "extra.sources.parquet", srcs, synth.SCHEMAS["sources"])

    c = corpus.load(root)
    messages = [str(p) for p in c.errors]
    assert any(
        m.startswith("extra.events.parquet:2: record bulk-bad-kind: kind: Input should be") for m in messages
    )
    assert any(
        m.startswith("extra.events.parquet:3: record bulk-bad-month: start: a month-precision")
        for m in messages
    )
    assert any(
        m.startswith("extra.events.parquet:4: record bulk-bad-place: place: unknown place 'atlantis'")
        for m in messages
    )
    assert any(
        m.startswith("extra.participants.parquet:5: record bulk-no-parts: actor: unknown actor 'nobody'")
        for m in messages
    )
    assert any(
        m.startswith("extra.events.parquet:5: record bulk-no-parts: participants: no valid participant")
        for m in messages
    )
    assert any(
        m.startswith("extra.sources.parquet:6: record bulk-ok: start: span 3000–4000 is outside")
        for m in messages
    )
    assert any(
        m.startswith("extra.events.parquet:6: record bulk-bad-tone: tone: must be -100 to 100")
        for m in messages
    )
    ids = set(c.events["id"])
    assert "bulk-ok" in ids
    assert not {"bulk-bad-kind", "bulk-bad-month", "bulk-bad-place", "bulk-no-parts", "bulk-bad-tone"} & ids
    assert len(c.events) == 23  # the seed's 22 and the one good bulk event
    assert c.quotes(c.sources[c.sources["event"] == "bulk-ok"]) == ["US special"]


@pytest.mark.parametrize("char", ["\n", "\t", "\u2028", "\u202e"], ids=["newline", "tab", "line-sep", "rtl"])
def test_a_bulk_name_holding_a_line_break_is_named_as_in_yaml(tmp_path: Path, char: str) -> None:
    """The one-line rule of names holds for bulk actors, places and articles as for hand-written ones."""
    shutil.copytree(DATA, tmp_path / "data")
    root = tmp_path / "data"
    actors = [{"id": "bulk-envoy", "name": "Special" + char + "Envoy", "kind": "person", "country": "USA",
               "aliases": []},
              {"id": "bulk-fine", "name": "Fine Name", "kind": "person", "country": "USA", "aliases": []}]  # fmt: skip
    write_table(root / "extra.actors.parquet", actors, synth.SCHEMAS["actors"])
    c = corpus.load(root)
    got = [str(p) for p in c.errors]
    assert got == [
        f"extra.actors.parquet:1: record bulk-envoy: name: holds the control character U+{ord(char):04X}; "
        "a name, title or label is one line of text"
    ]
    assert "bulk-fine" in c.actors
    assert "bulk-envoy" not in c.actors


def test_a_bulk_events_attribution_holding_a_line_break_is_named_and_never_stored(tmp_path: Path) -> None:
    """Checked by the loader's rule, and by the SQL that lets a bulk store be written without it."""
    shutil.copytree(DATA, tmp_path / "data")
    root = tmp_path / "data"
    ev = {**BULK_EVENT, "id": "bulk-fine"}
    rows = [ev, {**ev, "id": "bulk-broken", "attribution": "the\narticle"}]
    write_table(root / "extra.events.parquet", rows, synth.SCHEMAS["events"])
    parts = [{"event": e["id"], "actor": "keith-kellogg", "role": None} for e in rows]
    write_table(root / "extra.participants.parquet", parts, synth.SCHEMAS["participants"])
    srcs = [{"event": e["id"], "article": "kellogg-lukashenko-minsk", "start": 0, "end": 10} for e in rows]
    write_table(root / "extra.sources.parquet", srcs, synth.SCHEMAS["sources"])
    c = corpus.load(root)
    named = [str(p) for p in c.errors]
    assert named[0] == (
        "extra.events.parquet:2: record bulk-broken: attribution: holds the control character U+000A; "
        "a name, title or label is one line of text"
    )
    assert all("bulk-broken" in m for m in named), named  # (its participant row goes with it, named)
    s = atlas.ensure_store(root)
    stored = set(pq.read_table(s.path / "events.parquet", columns=["id"])["id"].to_pylist())
    assert "bulk-fine" in stored
    assert "bulk-broken" not in stored


def test_a_misnamed_bulk_file_is_reported(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1]}), tmp_path / "stuff.parquet")
    c = corpus.load(tmp_path)
    assert "named NAME.SECTION.parquet" in str(c.errors[0])


def test_the_store_is_built_in_a_child_process_and_rebuilt_after_an_edit(tmp_path: Path) -> None:
    root = tmp_path / "data"
    synth.write(1200, root, seed=3)
    fresh = corpus.load(root)
    opened = atlas.open_atlas(root)
    stores = [p for p in (root / folder.DIR_NAME).iterdir() if p.name.startswith("store-")]
    assert len(stores) == 1
    assert opened.events == len(fresh.events) == 1200
    assert opened.places == fresh.places
    assert opened.coords == fresh.coords
    assert opened.text("art-00000") == fresh.texts["art-00000"]
    f = filters.Filters.of(countries=["CHN"], kinds=["meeting"])
    assert query.event_ids(opened.engine, f) == list(filters.apply(fresh, f)["id"])
    # Opening again reads the same store; rewriting the events without their first row makes it stale.
    assert atlas.open_atlas(root).store.path == opened.store.path
    events = pq.read_table(root / "synth.events.parquet").slice(1)
    pq.write_table(events, root / "synth.events.parquet")
    changed = atlas.open_atlas(root)
    assert changed.events == 1199
    assert changed.store.path != opened.store.path
    assert not opened.store.path.exists()  # the data folder's older store is swept
    assert not list((root / folder.DIR_NAME).glob(".partial-*"))


def test_filters_on_bulk_data_agree_with_a_plain_reading(small: Path) -> None:
    c = corpus.load(small)
    actor = c.participants["actor"].value_counts().index[3]
    country = c.actors[actor].country
    got = set(filters.apply(c, filters.Filters.of(actors=[actor]))["id"])
    want = set(c.participants.loc[c.participants["actor"] == actor, "event"])
    assert got == want
    got = set(filters.apply(c, filters.Filters.of(countries=[country]))["id"])
    via_actor = {e for e, a in zip(c.participants["event"], c.participants["actor"], strict=True)
                 if c.actors[a].country == country}  # fmt: skip
    via_place = {e for e, p, o in zip(c.events["id"], c.events["place"], c.events["origin"], strict=True)
                 if (isinstance(p, str) and c.places[p].country == country)
                 or (isinstance(o, str) and c.places[o].country == country)}  # fmt: skip
    assert got == via_actor | via_place


def test_at_scale_the_timeline_bins_and_a_bin_steps_through_its_events(small: Path) -> None:
    from dashboard.views import timeline  # noqa: PLC0415

    c = corpus.load(small)
    a = atlas.open_atlas(small)
    every = filters.Filters()
    data = timeline.timeline_data(a, every, 0)
    assert data.binned == "quarter"
    assert len(data.marks) <= 10 * 40
    assert int(data.marks["count"].sum()) == int(c.events["end"].notna().sum())
    busiest = data.marks.sort_values("count").iloc[-1]
    start, end = busiest["x0"].date().isoformat(), busiest["x1"].date().isoformat()
    first = timeline.step_bin(a, every, busiest["lane"], start, end, None)
    second = timeline.step_bin(a, every, busiest["lane"], start, end, first)
    assert first != second
    for eid in (first, second):
        ev = c.events[c.events["id"] == eid].iloc[0]
        when = ev["start"] if pd.notna(ev["start"]) else ev["end"]
        assert (ev["kind"], start <= when.date().isoformat() < end) == (busiest["lane"], True)
    chosen = timeline.timeline_selection(a, data, "kind", first).selected
    assert chosen == [
        int(
            data.marks.index[(data.marks["x0"] == busiest["x0"]) & (data.marks["lane"] == busiest["lane"])][0]
        )
    ]


def test_at_scale_the_map_aggregates_and_stays_small(small: Path, monkeypatch) -> None:
    from dashboard import figures  # noqa: PLC0415
    from dashboard.views import map as map_view  # noqa: PLC0415

    c = corpus.load(small)
    a = atlas.open_atlas(small)
    every = filters.Filters()
    monkeypatch.setattr(map_view, "MAX_ROUTES", 20)
    data = map_view.map_data(a, every, a.events)
    assert data.aggregated
    assert set(data.routes["kind"]) == {map_view.ANY}
    assert len(data.routes) == 20
    assert data.routes_dropped > 0
    placed = int(c.events["place"].notna().sum())
    # Every placed event is counted at its place; only quieter routes go undrawn.
    assert int(data.points["events"].sum()) + int(data.countries["events"].sum()) == placed
    top = data.points.iloc[0]
    picked = map_view.step(a, every, (map_view.ANY, top["place"], map_view.ANY), None)
    assert c.events.loc[c.events["id"] == picked, "place"].iloc[0] == top["place"]
    route = data.routes.iloc[0]
    picked = map_view.step(a, every, (map_view.ANY, route["place"], route["origin"]), None)
    assert tuple(c.events.loc[c.events["id"] == picked, ["origin", "place"]].iloc[0]) == (
        route["origin"],
        route["place"],
    )
    fig = figures.map_figure(data)
    assert len(fig.to_json()) < 200_000
    assert (
        len([t for tr in fig.data if tr.name == figures.LABELS for t in tr.text]) <= figures.MAX_LABELS + 20
    )


def test_beyond_cluster_above_places_are_counted_per_hexagon_and_none_is_lost(
    small: Path, monkeypatch
) -> None:
    from dashboard import figures  # noqa: PLC0415
    from dashboard.views import map as map_view  # noqa: PLC0415

    a = atlas.open_atlas(small)
    every = filters.Filters()
    full = map_view.map_data(a, every, a.events)
    assert not full.dense
    monkeypatch.setattr(map_view, "CLUSTER_ABOVE", 10)
    monkeypatch.setattr(map_view, "KEEP_CURATED", 0)
    dense = map_view.map_data(a, every, a.events)
    assert dense.dense
    assert dense.layers[-1].label == "places"
    placed = int(full.points["events"].sum())
    # Every layer counts every placed event; each layer's clusters fewer than the next one's.
    sizes = dense.clusters.groupby("layer")["events"].agg(["sum", "count"])
    assert (sizes["sum"] == placed).all()
    assert sizes["count"].is_monotonic_increasing
    assert sizes["count"].iloc[-1] == len(full.points)
    assert dense.unplaced == full.unplaced
    # A click on a cluster selects one of its events; the text lists every place.
    top = dense.clusters.iloc[0]
    picked = map_view.step(
        a, every, (map_view.ANY, top["key"], map_view.ANY, "+".join(dense.clustered)), None
    )
    assert picked is not None
    text = map_view.map_text(dense, a)
    assert len(text) >= len(full.points)
    fig = figures.map_figure(dense)
    first = [t for t in fig.data if t.meta and t.visible]
    assert {t.meta["layer"] for t in first} == {figures._first_layer(dense)}


def test_a_corpus_of_several_chunks_is_whole_and_the_same_for_the_same_seed(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(synth, "CHUNK", 400)  # a hundred-million corpus is written a chunk at a time
    synth.write(1000, tmp_path / "a", seed=4)
    synth.write(1000, tmp_path / "b", seed=4)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    c = corpus.load(tmp_path / "a")
    assert not c.problems
    assert len(c.events) == 1000
    assert c.events["id"].is_unique
    assert len(c.articles) == 5  # 200 events an article (2 + 2 + 1), none split between chunks
    assert c.events["start"].min().year == 2016
