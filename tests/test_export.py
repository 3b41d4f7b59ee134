"""Export's three formats, its filters, and the validate command as an editor meets it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from conftest import SEED_EVENTS, edit

from dashboard import export, filters

EVENT_KEYS = {"id", "dataset", "coding", "external_id", "kind", "cameo", "summary", "date", "participants",
              "place", "origin", "sources", "attribution", "certainty", "measures",
              "trust", "cautions", "note", "articles", "story", "corroborated_by"}  # fmt: skip
PLACE_KEYS = {"id", "name", "country", "lat", "lon", "precision"}
SOURCE_KEYS = {"article", "start", "end", "quote", "url", "title", "outlet", "date"}


@pytest.fixture(scope="module")
def outputs(seed):
    events = filters.apply(seed, filters.Filters())
    return {fmt: export.render(seed, events, fmt) for fmt in export.FORMATS}


def test_json_has_the_documented_shape(outputs) -> None:
    events = json.loads(outputs["json"])["events"]
    assert len(events) == 22
    for e in events:
        assert set(e) == EVENT_KEYS
        # The bundled article's events are curated, coded by hand, with no stream measures.
        assert (e["dataset"], e["coding"], e["external_id"], e["measures"]) == ("curated", "human", None, {})
        assert (e["trust"], e["cautions"]) == ("curated", [])
        assert [a["publisher"] for a in e["articles"]] == ["Euromaidan Press"]
        assert set(e["date"]) == {"start", "end", "precision"}
        for p in e["participants"]:
            assert set(p) == {"id", "name", "kind", "country", "role"}
        assert e["place"] is None or set(e["place"]) == PLACE_KEYS | {"suspect"}
        assert e["origin"] is None or set(e["origin"]) == PLACE_KEYS
        for s in e["sources"]:
            assert set(s) == SOURCE_KEYS
            assert s["url"] is None
            assert s["quote"]


def test_three_formats_agree(outputs) -> None:
    js = json.loads(outputs["json"])["events"]
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    geo = json.loads(outputs["geojson"])
    assert sorted(r["id"] for r in rows) == sorted(e["id"] for e in js)
    by_id = {r["id"]: r for r in rows}
    for e in js:
        r = by_id[e["id"]]
        assert (r["date"] or None, r["date_end"], r["date_precision"]) == (
            e["date"]["start"], e["date"]["end"], e["date"]["precision"],
        )  # fmt: skip
        assert r["participants"] == ", ".join(
            f"{p['name']} ({p['role']})" if p["role"] else p["name"] for p in e["participants"]
        )
        assert r["sources"].count("\n") == len(e["sources"]) - 1
        for s in e["sources"]:
            assert f"“{s['quote']}”" in r["sources"]
        if e["place"]:
            assert float(r["place_lat"]) == e["place"]["lat"]
            assert float(r["place_lon"]) == e["place"]["lon"]
    assert geo["type"] == "FeatureCollection"
    points = {f["id"]: f for f in geo["features"] if f["geometry"]["type"] == "Point"}
    lines = {f["id"]: f for f in geo["features"] if f["geometry"]["type"] == "LineString"}
    placed = {e["id"]: e for e in js if e["place"] and e["place"]["lat"] is not None}
    assert set(points) == set(placed)
    for eid, e in placed.items():
        # RFC 7946: longitude first.
        assert points[eid]["geometry"]["coordinates"] == [e["place"]["lon"], e["place"]["lat"]]
    travelled = {f"{e['id']}/contact": e for e in placed.values() if e["origin"]}
    assert set(lines) == set(travelled)
    washington_minsk = lines["kellogg-visits-belarus-2025/contact"]["geometry"]["coordinates"]
    assert washington_minsk == [[-77.03637, 38.89511], [27.56653, 53.90019]]


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--actor", "keith-kellogg"], lambda e: "keith-kellogg" in {p["id"] for p in e["participants"]}),
        (["--kind", "visit", "--kind", "meeting"], lambda e: e["kind"] in {"visit", "meeting"}),
        (["--certainty", "reported"], lambda e: e["certainty"] == "reported"),
        (["--from", "2025-01-01", "--to", "2025-03-31"],
         lambda e: e["date"]["end"] >= "2025-01-01" and (e["date"]["start"] or "") <= "2025-03-31"),
        (["--country", "RUS"], lambda e: "RUS" in {p["country"] for p in e["participants"]}
         | {(e["place"] or {}).get("country"), (e["origin"] or {}).get("country")}),
        (["--place", "minsk"], lambda e: (e["place"] or {}).get("id") in {"minsk", "palace-of-independence"}),
    ],
)  # fmt: skip
def test_export_filters(cli, args, check) -> None:
    result = cli("export", "--format", "json", *args)
    assert result.code == 0, result.err
    events = json.loads(result.out)["events"]
    assert 0 < len(events) < 22
    assert all(check(e) for e in events)


def test_export_filters_match_the_filter_code(cli, seed) -> None:
    result = cli("export", "--actor", "alexander-lukashenko", "--from", "2025-06-21")
    ids = [e["id"] for e in json.loads(result.out)["events"]]
    f = filters.Filters.of(actors=["alexander-lukashenko"], start="2025-06-21")
    assert ids == list(filters.apply(seed, f)["id"])


def test_export_rejects_an_unknown_filter_value(cli) -> None:
    result = cli("export", "--actor", "vladimir-putin")
    assert result.code == 2
    assert "Ignored actor 'vladimir-putin': not in this corpus" in result.err
    assert result.out == ""


def test_validate_prints_ok_on_the_bundled_data(cli) -> None:
    result = cli("validate")
    assert result.code == 0
    (line,) = result.out.splitlines()
    assert line.startswith("ok: 1 article, 16 actors, 7 places (7 geocoded), 22 events")


def test_corrupted_date_fails_validate_but_export_keeps_the_rest(data_copy, cli) -> None:
    edit(data_copy / SEED_EVENTS.relative_to(SEED_EVENTS.parents[1]), "date: 2020\n", "date: 2020-13-01\n")
    result = cli("validate", "--data", str(data_copy))
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first.startswith("articles/kellogg-lukashenko-minsk.yaml:")
    assert ": record pompeo-visits-belarus-2020: date: '2020-13-01' is not a real date" in first
    exported = cli("export", "--data", str(data_copy), "--format", "csv")
    assert exported.code == 0
    assert "1 record skipped (1 problem)" in exported.err
    assert len(list(csv.DictReader(io.StringIO(exported.out)))) == 21


def test_data_folder_from_the_environment(data_copy, tmp_path) -> None:
    env = dict(os.environ, DASHBOARD_DATA=str(data_copy))
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "validate"], cwd=tmp_path, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0
    assert f"in {data_copy}" in out.stdout


def test_missing_data_folder_is_a_clear_error(cli, tmp_path) -> None:
    result = cli("validate", "--data", str(tmp_path / "nope"))
    assert result.code == 2
    assert "no such data folder" in result.err
