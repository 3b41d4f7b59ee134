"""An append's aggregates, merged from the base store's and the new events' groups
(`aggregates.grow`), are the tables a build from every event writes, file for file.

Hypothesis draws small stores: events dated or not (a new one may sort before old ones and move
their `ord`), in months and at places the base has or not, with actors of a few countries, and
story heads and outlets that the new events may change on old records (a new record joining an
old story and becoming its head)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import aggregates, store, stories

ACTORS = {
    "a1": ("BLR", "person"),
    "a2": ("RUS", "person"),
    "a3": ("BLR", "organization"),
    "a4": (None, "person"),
}
PLACES = {"minsk": "BLR", "moscow": "RUS", "vilnius": "LTU", "nowhere": None}
DAY0 = dt.date(2025, 1, 20)

event = st.fixed_dictionaries(
    {
        "day": st.one_of(st.none(), st.integers(0, 75)),  # three months, or undated
        "kind": st.sampled_from(["meeting", "call"]),
        "dataset": st.sampled_from(["gdelt", "curated"]),
        "certainty": st.sampled_from(["reported", "confirmed"]),
        "place": st.sampled_from([None, *PLACES]),
        "origin": st.sampled_from([None, *PLACES]),
        "cameo": st.sampled_from([None, "040", "112", "190"]),
        "suspect": st.booleans(),
        "actors": st.lists(st.sampled_from(sorted(ACTORS)), max_size=3, unique=True),
        "story": st.sampled_from([None, "s1", "s2", "s3"]),
        "head": st.integers(0, 1),
        "outlets": st.integers(0, 3),
    }
)


def _write(folder: Path, rows: list[dict], ids: list[str]) -> None:
    """A store's tables the aggregates read, of these events (`ord` in the store's order)."""
    folder.mkdir(parents=True)
    evs = sorted(zip(ids, rows, strict=True), key=lambda x: (x[1]["day"] is None, x[1]["day"] or 0, x[0]))
    n = len(evs)
    cols: dict[str, list] = {f.name: [None] * n for f in store.SCHEMAS["events"]}
    for i, (eid, r) in enumerate(evs):
        start = DAY0 + dt.timedelta(days=r["day"]) if r["day"] is not None else None
        cols["ord"][i], cols["id"][i], cols["kind"][i] = i, eid, r["kind"]
        cols["start"][i] = cols["end"][i] = start
        cols["dataset"][i], cols["certainty"][i], cols["cameo"][i] = r["dataset"], r["certainty"], r["cameo"]
        cols["coding"][i] = "machine" if r["dataset"] == "gdelt" else "human"
        cols["place"][i] = cols["point"][i] = r["place"]
        cols["origin"][i] = cols["origin_point"][i] = r["origin"]
        cols["route_from"][i] = r["origin"] if r["origin"] and r["origin"] != r["place"] else None
        cols["suspect"][i] = "named like an actor" if r["suspect"] else None
        cols["sk"][i] = i if start is None else -1 - i
        cols["eid"][i] = ids.index(
            eid
        )  # numbered as they came: a base's events first, as an append keeps them
    tables = {"events": pa.table(cols, schema=store.SCHEMAS["events"])}
    parts = [(eid, a) for eid, r in evs for a in r["actors"]]
    tables["participants"] = pa.table(
        {"ord": list(range(len(parts))), "event": [p[0] for p in parts], "actor": [p[1] for p in parts],
         "role": [None] * len(parts), "eid": [ids.index(p[0]) for p in parts]},
        schema=store.SCHEMAS["participants"])  # fmt: skip
    tables["actors"] = pa.table(
        {"id": list(ACTORS), "name": list(ACTORS), "kind": [k for _, k in ACTORS.values()],
         "country": [c for c, _ in ACTORS.values()]}, schema=store.SCHEMAS["actors"])  # fmt: skip
    tables["places"] = pa.table(
        {"id": list(PLACES), "name": list(PLACES), "kind": ["city"] * len(PLACES), "country": list(PLACES.values()),
         "parent": [None] * len(PLACES), "lat": [None] * len(PLACES), "lon": [None] * len(PLACES)},
        schema=store.SCHEMAS["places"])  # fmt: skip
    tables["sources"] = store.SCHEMAS["sources"].empty_table()
    told = [(eid, r) for eid, r in evs if r["story"] is not None]
    tables["story_events"] = pa.table(
        {"event": [e for e, _ in told], "story": [r["story"] for _, r in told], "head": [r["head"] for _, r in told],
         "outlets": [r["outlets"] for _, r in told]}, schema=stories.SCHEMAS["story_events"])  # fmt: skip
    for name, t in tables.items():
        pq.write_table(t, folder / f"{name}.parquet")


def _grown_equals_built(tmp: Path, old: list[dict], new: list[dict], changed: dict[int, dict],
                        ids: list[str]) -> None:  # fmt: skip
    """Build the base, then the base with `new` events (and `changed` old stories) both ways."""
    base, full, grown = tmp / "base", tmp / "full", tmp / "grown"
    _write(base, old, ids[: len(old)])
    aggregates.build(base)
    after = [dict(r, **changed.get(i, {})) for i, r in enumerate(old)] + new
    _write(full, after, ids[: len(after)])
    aggregates.build(full)
    shutil.copytree(full, grown, ignore=shutil.ignore_patterns("agg_*", "event_countries*"))
    assert aggregates.grow(grown, base) == {
        n: pq.read_metadata(full / f"{n}.parquet").num_rows for n in aggregates.NAMES
    }
    for name in aggregates.NAMES:
        assert pq.read_table(grown / f"{name}.parquet").equals(pq.read_table(full / f"{name}.parquet")), name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    old=st.lists(event, min_size=1, max_size=12),
    new=st.lists(event, max_size=8),
    changes=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 1), st.integers(0, 3)), max_size=4),
    ids=st.lists(st.integers(0, 999), min_size=20, max_size=20, unique=True),
)
def test_an_append_merges_its_groups_into_the_tables_a_full_build_writes(tmp_path_factory, old, new, changes,
                                                                        ids) -> None:  # fmt: skip
    # Only a record in a story has a head to change (the others count as their own story).
    changed = {i: {"head": h, "outlets": o} for i, h, o in changes if i < len(old) and old[i]["story"]}
    _grown_equals_built(tmp_path_factory.mktemp("grow"), old, new, changed, [f"ev-{i:03d}" for i in ids])


def _ev(day: int | None, place: str | None = "minsk", **kw) -> dict:
    return {"day": day, "kind": "meeting", "dataset": "gdelt", "certainty": "reported", "place": place,
            "origin": None, "cameo": "040", "suspect": False, "actors": ["a1", "a2"], "story": None, "head": 1,
            "outlets": 0, **kw}  # fmt: skip


OLD = [_ev(0, story="s1", head=1, outlets=2), _ev(5, story="s1", head=0), _ev(None, place=None), _ev(30)]
IDS = [f"ev-{i:02d}" for i in range(10)]


@pytest.mark.parametrize(
    ("new", "changed"),
    [
        ([], {}),  # an empty day: the tables as they were
        (
            [_ev(1, story="s1", head=1, outlets=3)],
            {0: {"head": 0, "outlets": 0}},
        ),  # a new head for an old story
        ([_ev(2, place="vilnius", origin="moscow")], {}),  # a place and a route the base does not have
        ([_ev(70, actors=["a3", "a4"])], {}),  # a new month, actors in no pair before
        ([_ev(0), _ev(None)], {}),  # before every old event, and undated among the undated
    ],
    ids=["empty day", "new head of an old story", "new place", "new month", "moves every ord"],
)
def test_an_append_at_each_edge_merges_as_a_build_writes(tmp_path: Path, new, changed) -> None:
    # The old events' ids, then the new ones': the first sorts before every old event of its day.
    _grown_equals_built(tmp_path, OLD, new, changed, ["ev-50", "ev-60", "ev-70", "ev-80", "ev-00", "ev-99"])


def test_keys_too_wide_to_pack_are_merged_in_sql(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(aggregates, "KEY_BITS", 4)
    regrouped = []
    sql = aggregates._regroup
    monkeypatch.setattr(aggregates, "_regroup", lambda *a: regrouped.append(a) or sql(*a))
    _grown_equals_built(tmp_path, OLD, [_ev(1, place="vilnius", story="s1", head=1)], {0: {"head": 0}}, IDS)
    assert len(regrouped) == len(aggregates.NAMES)  # no table's keys fit in 4 bits
