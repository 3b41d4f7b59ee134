"""The views' zoom as data: the link's `span` and `map` read and written, the first time axis framed
by the engine where the events are dense, same-day marks side by side, a marker's events listed."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import engines, filters, query, zoom
from dashboard.filters import Filters
from dashboard.views import map as map_view
from dashboard.views import timeline as timeline_view

F = Filters.of


@pytest.mark.parametrize(
    ("raw", "span", "view"),
    [
        ({}, None, None),
        ({"span": "2025-01-01~2025-07-01"}, "2025-01-01~2025-07-01", None),
        ({"span": [" 2025-01-01 ~ 2025-07-01 "]}, "2025-01-01~2025-07-01", None),
        ({"span": "year", "map": "all"}, "year", "all"),
        ({"map": "26.5,52.0,29.50,55.5"}, None, "26.5,52,29.5,55.5"),
        ({"map": "170,-10,190,10"}, None, "170,-10,190,10"),  # across the date line
    ],
)
def test_a_link_s_zoom_is_read_and_written_canonically(raw, span, view) -> None:
    z, notices = zoom.from_query(raw)
    assert (z.span, z.map) == (span, view)
    assert notices == []
    again, _ = zoom.from_query(zoom.to_query(z))
    assert again == z


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"span": "2025-07-01~2025-01-01"}, "is not before"),
        ({"span": "2025-01-01"}, "two dates"),
        ({"span": "2025-13-01~2025-14-01"}, "not two dates"),
        ({"span": "0001-01-01~2025-01-01"}, "outside 1800–2100"),
        ({"span": "week"}, "month, year or all"),
        ({"map": "1,2,3"}, "four numbers"),
        ({"map": "a,b,c,d"}, "not four numbers"),
        ({"map": "0,80,10,95"}, "latitudes"),
        ({"map": "10,0,5,5"}, "west first"),
        ({"map": "nan,0,5,5"}, "not four numbers"),
        ({"map": "1e999,0,5,5"}, "finite"),
        # Digits that only look like ASCII ones (fullwidth, Arabic-Indic) and Python's "1_0".
        ({"map": "\uff11\uff10,20,30,40"}, "not four numbers"),
        ({"map": "\u0661\u0660,20,30,40"}, "not four numbers"),
        ({"map": "1_0,20,30,40"}, "not four numbers"),
        ({"span": "x" * 5000}, "…"),  # quoted back short
    ],
)
def test_a_bad_zoom_in_a_link_is_dropped_with_a_notice(raw, why) -> None:
    z, notices = zoom.from_query(raw)
    assert z == zoom.Zoom()
    assert len(notices) == 1
    assert why in notices[0]
    assert len(notices[0]) < 200


def test_the_zoom_is_a_known_parameter_of_a_link(atlas) -> None:
    f, notices = filters.from_query(atlas, {"span": "all", "map": "all", "actor": "keith-kellogg"})
    assert notices == []
    assert f.actors == {"keith-kellogg"}
    assert not f.narrows or f.actors  # the zoom narrows nothing


def test_a_dragged_range_becomes_whole_days_that_hold_it() -> None:
    assert zoom.span_of("2025-01-03 12:34:56.789", "2025-02-10 00:00") == "2025-01-03~2025-02-10"
    assert zoom.span_of("2025-01-03", "2025-02-10 00:00:01") == "2025-01-03~2025-02-11"
    assert zoom.span_of("2025-06-21 02:00", "2025-06-21 05:00") == "2025-06-21~2025-06-22"
    # A drag past the last day the data may hold ends at that day, not in an overflow.
    assert zoom.span_of("2100-06-01", "9999-12-31 12:00") == "2100-06-01~2100-12-31"


def test_a_thin_map_view_is_widened_to_the_link_s_grid_not_emptied() -> None:
    z, notices = zoom.from_query({"map": "27.5,53.9001,27.6,53.9002"})
    assert (z.map, notices) == ("27.5,53.9,27.6,53.901", [])
    west, east = 27.5004, 27.5006
    w, s, e, n = zoom.map_box(zoom.box_of(west, 55.3, east, 55.3))
    assert w <= west < east <= e
    assert s < n
    assert zoom.box_of(*zoom.map_box("26.5,52,29.5,55.3")) == "26.5,52,29.5,55.3"  # stable in a link


def test_a_link_s_zoom_that_holds_no_event_says_so() -> None:
    from conftest import ROOT  # noqa: PLC0415
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415, TID251 - Streamlit's own test harness

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["map"] = "170,-10,190,10"
    at.query_params["span"] = "1900-01-01~1900-02-01"
    at.run()
    assert not at.exception, at.exception
    said = " ".join(c.value for c in at.caption).replace("\\", "")  # as read, Markdown's escapes gone
    assert "holds none of these events" in said
    assert "170,-10,190,10" in said
    assert "1900-01-01~1900-02-01" in said
    assert "map" not in at.query_params
    assert "span" not in at.query_params


def test_the_busiest_span_comes_from_the_engine_on_rows_and_aggregates(atlas) -> None:
    eng = atlas.engine
    # 17 of the 22 dated events fall between 1 February and 21 June 2025 (the aggregates: whole months).
    assert query.dense_span(eng, Filters()) == (dt.date(2025, 2, 1), dt.date(2025, 6, 30))
    assert query.dense_span(eng, F(actors=["keith-kellogg"])) == (dt.date(2025, 6, 21), dt.date(2025, 6, 21))
    assert query.dense_span(eng, F(actors=["mike-pompeo"], kinds=["meeting"])) is None
    rows = engines.open(atlas.store, "duckdb")
    rows.rows_only = True
    assert query.dense_span(rows, Filters()) == (dt.date(2025, 2, 1), dt.date(2025, 6, 21))


def test_the_first_time_axis_frames_where_events_are_and_all_shows_everything(atlas) -> None:
    data = timeline_view.timeline_data(atlas, Filters(), 0)
    lo, hi = timeline_view.time_range(data, None)
    assert "2024-12-01" < lo < "2025-02-01"  # February 2025 to 21 June, with a margin
    assert "2025-06-21" < hi <= "2025-08-01"
    assert data.outside == 3  # Pompeo's 2020 visit and two 2022 events: "All" shows them
    # The page passes the count of events it already has; the same axis and the same events outside it.
    counted = timeline_view.timeline_data(atlas, Filters(), 0, query.count(atlas.engine, Filters()))
    assert (counted.dense, counted.outside) == (data.dense, 3)
    assert timeline_view.time_range(data, "all") is None  # autorange: every mark
    assert timeline_view.time_range(data, "2024-01-01~2024-03-01") == ["2024-01-01", "2024-03-01"]
    month = timeline_view.time_range(data, "month")
    assert month[0] < "2025-06-21" < month[1]
    assert not timeline_view.shows_any(data, "1990-01-01~1991-03-01")  # nothing there: back to the default
    assert timeline_view.shows_any(data, "2025-06-01~2025-07-01")


def test_same_day_marks_in_an_actor_lane_sit_apart(atlas) -> None:
    data = timeline_view.timeline_data(atlas, Filters(lanes="actor"), 0)
    kellogg = data.marks[(data.marks["lane"] == "keith-kellogg") & (data.marks["shape"] != "bar")]
    assert len(kellogg) >= 7
    spots = set(zip(kellogg["x"], kellogg["y"], strict=True))
    assert len(spots) == len(kellogg)  # no two on one spot
    # Each stays within a few days of its own day (the hover says the date).
    assert ((kellogg["x"] - kellogg["x0"]).abs() < dt.timedelta(days=10)).all()


def test_a_marker_s_events_are_listed_latest_first(atlas) -> None:
    group = (map_view.ANY, "minsk", map_view.ANY)
    listed = [r["id"] for r in map_view.members(atlas, Filters(), group, 50)]
    assert len(listed) == 7
    assert listed[0] == map_view.step(atlas, Filters(), group, None)  # the one a click selects
    assert map_view.mark_title(atlas, group) == "Minsk"
    assert map_view.mark_title(atlas, ("visit", "minsk", "washington")) == "Washington → Minsk"


@pytest.mark.parametrize(
    ("params", "kept", "ignored"),
    [
        ({"lanes": ["actor", "kind"]}, ("lanes", "kind"), "'actor'"),
        ({"from": ["2025-06-01", "2025-06-20"]}, ("start", dt.date(2025, 6, 20)), "'2025-06-01'"),
        ({"network": ["group", "country"]}, ("network", "country"), "'group'"),
        ({"records": ["raw", "stories"]}, ("records", "stories"), "'raw'"),
        ({"event": ["no-such", "kellogg-meets-lukashenko"]}, None, "'no-such'"),
    ],
)
def test_a_one_value_parameter_given_twice_keeps_the_last_and_says_so(atlas, params, kept, ignored) -> None:
    f, notices = filters.from_query(atlas, params)
    key = next(iter(params))
    assert any(n.startswith(f"Ignored {key} {ignored}: a link holds one {key}") for n in notices), notices
    if kept:
        assert getattr(f, kept[0]) == kept[1]
    # The same value twice is no conflict.
    _, same = filters.from_query(atlas, {key: [params[key][-1]] * 2})
    assert not any("a link holds one" in n for n in same)


def test_a_span_given_twice_keeps_the_last_and_says_so() -> None:
    z, notices = zoom.from_query({"span": ["2025-01-01~2025-02-01", "all"]})
    assert z.span == "all"
    assert notices == [
        "Ignored span '2025-01-01~2025-02-01': a link holds one span; only the last one given is read"
    ]


def test_a_map_given_many_times_is_one_notice_and_a_bad_last_one_is_named() -> None:
    boxes = [f"{i},0,{i + 1},1" for i in range(900)]
    z, notices = zoom.from_query({"map": [*boxes, "26.5,52,29.5,55.5"]})
    assert z.map == "26.5,52,29.5,55.5"
    assert notices == [
        "Ignored 900 earlier map values ('0,0,1,1', …): a link holds one map; only the last one given is read"
    ]
    z, notices = zoom.from_query({"map": ["26.5,52,29.5,55.5", "nowhere"]})
    assert z.map is None  # the last one is read, and it is no map
    assert len(notices) == 2
    assert notices[0].endswith("only the last one given is read")
    assert notices[1].startswith("Ignored map 'nowhere':")
