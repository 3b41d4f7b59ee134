"""Page-ready data and figures: what the reader sees, checked without a browser.

Every view runs its queries on the seed's store (DuckDB), as the dashboard does.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dashboard import atlas as atlas_mod
from dashboard import figures, filters, query
from dashboard.filters import Filters
from dashboard.model import CAMEO_ROOTS, TAXONOMY, quad_class
from dashboard.ui import html
from dashboard.views import article, details, table, timeline
from dashboard.views import map as map_view

ARTICLE = "kellogg-lukashenko-minsk"
VISIT = "kellogg-visits-belarus-2025"
ALL = Filters()


@pytest.fixture(scope="module")
def all_events(seed):
    return filters.apply(seed, ALL)


def _summary(atlas, f: Filters) -> str:
    return table.summary_line(atlas, query.summary(atlas.engine, f))


def _timeline(atlas, f: Filters = ALL, selected: str | None = None) -> timeline.TimelineData:
    undated = int(query.summary(atlas.engine, f)["undated"])
    data = timeline.timeline_data(atlas, f, undated)
    return timeline.timeline_selection(atlas, data, f.lanes, selected)


def _map(atlas, f: Filters = ALL, selected: str | None = None) -> map_view.MapData:
    data = map_view.map_data(atlas, f, query.count(atlas.engine, f))
    return map_view.map_selection(atlas, data, selected)


def test_summary_line(atlas) -> None:
    assert _summary(atlas, ALL) == "22 of 22 events · 2020–2025 · 6 without a place"
    assert _summary(atlas, Filters.of(kinds=["visit"])) == "4 of 22 events · 2020–2025"
    assert _summary(atlas, Filters.of(actors=["nobody"])) == "0 of 22 events"


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ("minsk", "kyiv", 433),
        ("minsk", "moscow", 677),
        ("kyiv", "moscow", 756),
        ("washington", "minsk", 7463),
    ],
)
def test_arc_lengths_are_geodesic(seed, a, b, km) -> None:
    assert details.distance_km(seed, a, b) == km


def test_article_marks_every_visible_span_and_emphasises_the_selection(atlas, all_events) -> None:
    out = html.article_html(article.article_text(atlas, ALL.with_event(VISIT), ARTICLE))
    selected = re.findall(r'<mark class="ev selected" data-events="([^"]+)"', out)
    assert selected
    assert all(VISIT in ids.split() for ids in selected)
    assert "Kellogg met with Belarusian President" in out
    marked = set(" ".join(re.findall(r'data-events="([^"]+)"', out)).split())
    assert marked == set(all_events["id"])
    # Overlapping spans (the invasion and the staging it needed) share their common text.
    assert 'data-events="belarus-allows-invasion-staging invasion-launched-from-belarus"' in out
    # Filtered-out events are not marked.
    visits = Filters.of(kinds=["visit"])
    fewer = html.article_html(article.article_text(atlas, visits, ARTICLE))
    kept = set(query.event_ids(atlas.engine, visits))
    assert set(" ".join(re.findall(r'data-events="([^"]+)"', fewer)).split()) == kept
    assert "selected" not in fewer


def test_article_text_is_always_escaped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        'Talks <script>alert("x")</script> & <b>more</b> in Minsk.', encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text(
        """
articles: [{id: a, title: "<i>T</i>", publisher: P, published: 2024-01-02, text: a.txt}]
actors: [{id: x, name: "<img src=x onerror=alert(1)>", kind: person}]
events:
  - {id: e, kind: meeting, summary: "<b>s</b>", date: 2024, participants: [{actor: x}],
     sources: [{article: a, quote: "<script>alert(\\"x\\")</script>"}], attribution: the article,
     certainty: confirmed}
""",
        encoding="utf-8",
    )
    c = atlas_mod.open_atlas(tmp_path)
    assert not c.errors
    out = html.article_html(article.article_text(c, ALL.with_event("e"), "a"))
    assert "<script>" not in out
    assert "<b>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "&amp;" in out
    hover = _timeline(c).marks["hover"].iloc[0]
    assert "<img" not in hover
    assert "&lt;img" in hover


def test_the_map_is_framed_on_the_events_with_far_origins_named_at_the_edge(seed, atlas) -> None:
    data = _map(atlas, ALL, VISIT)
    assert list(data.points["name"]) == ["Minsk", "Kyiv", "Moscow"]  # busiest first
    assert list(data.countries["iso3"]) == ["BLR"]  # events known only to Belarus shade it
    f = data.frame
    for city in ("minsk", "kyiv", "moscow"):
        assert f.contains(*seed.coords[city], inset=0.05), city
    assert not f.contains(*seed.coords["washington"])  # an origin, not where events happen
    assert f.lon[1] - f.lon[0] < 60  # a region, not Washington to Moscow
    assert data.extent.contains(*seed.coords["washington"])  # "Fit all" reaches it
    fig = figures.map_figure(data)
    labels = [t for tr in fig.data if tr.name == figures.LABELS for t in tr.text]
    assert labels == ["Minsk", "Kyiv", "Moscow", "from Washington"]
    assert not fig.layout.updatemenus  # "Fit events" and "Fit all" are buttons on the page
    assert fig.layout.geo.resolution == 110
    # "Fit all" frames the extent; a link's box frames itself.
    frozen = figures.freeze(fig)
    whole = figures.zoomed_map(frozen, map_view.view_frame(data, "all"), "all").to_dict()["layout"]["geo"]
    assert whole["lonaxis"]["range"] == list(data.extent.lon)
    boxed = map_view.view_frame(data, "26.5,52,29.5,55.5")
    assert boxed.lon == (26.5, 29.5)
    assert boxed.lat == (52.0, 55.5)
    assert map_view.view_frame(data, None) is None


def test_a_contact_is_drawn_at_its_destination_with_an_arrow(seed, atlas) -> None:
    data = _map(atlas, ALL, VISIT)
    routes = data.routes.set_index(["origin", "place", "kind"])
    visit = routes.loc[("washington", "minsk", "visit")]
    assert visit["km"] == 7463
    assert "Washington → Minsk" in visit["hover"]
    force = routes.loc[("belarus", "kyiv", "use_of_force")]
    assert force["count"] == 1
    fig = figures.map_figure(data)
    arrows = next(tr for tr in fig.data if tr.name == "Use of force (route)")
    assert arrows.marker.symbol == "arrow"
    (lat, lon), kyiv, minsk = (arrows.lat[0], arrows.lon[0]), seed.coords["kyiv"], seed.coords["minsk"]
    # Near Kyiv, on the Belarus side, pointing roughly south (Kyiv lies south of Belarus).
    assert abs(lat - kyiv.lat) + abs(lon - kyiv.lon) < abs(lat - minsk.lat) + abs(lon - minsk.lon)
    assert 120 < arrows.marker.angle[0] < 220
    # The event's own marker is Kyiv's, not one displaced to the arc's middle or another city.
    kyiv_marker = data.points.set_index("place").loc["kyiv"]
    assert (kyiv_marker["lat"], kyiv_marker["lon"]) == (kyiv.lat, kyiv.lon)
    assert kyiv_marker["kind"] == "use_of_force"
    # The selection: Minsk ringed, the route drawn bold.
    assert data.selected == ("minsk", "washington")
    assert [tr.type for tr in fig.data if tr.name == "Selected"] == ["scattergeo", "scattergeo"]


def test_a_site_is_drawn_at_its_city(atlas, all_events) -> None:
    data = _map(atlas)
    minsk = data.points.set_index("place").loc["minsk"]
    palace = int((all_events["place"] == "palace-of-independence").sum())
    in_minsk = int((all_events["place"] == "minsk").sum())
    assert minsk["events"] == palace + in_minsk
    assert minsk["kind"] == map_view.ANY  # several kinds: one neutral marker with its count
    assert "palace-of-independence" not in set(data.points["place"])
    text = map_view.map_text(data, atlas)
    assert f"Minsk: {palace + in_minsk} events" in text
    assert "Washington → Minsk, 7,463 km: 1 × visit" in text


def test_every_kind_has_its_own_symbol_and_shares_a_colour_only_within_its_quad_class() -> None:
    assert set(figures.STYLE) == set(TAXONOMY)
    assert len({s for _, s in figures.STYLE.values()}) == len(TAXONOMY)
    # The ten curated kinds keep a colour each; a colour shared is shared within one CAMEO quad class.
    curated = list(TAXONOMY)[:10]
    assert len({figures.STYLE[k][0] for k in curated}) == 10
    by_colour: dict[str, set[int]] = {}
    for k, (colour, _) in figures.STYLE.items():
        by_colour.setdefault(colour, set()).add(quad_class(TAXONOMY[k].cameo))
    assert all(len(q) == 1 for q in by_colour.values()), by_colour
    # Every root of CAMEO has a kind, and every kind's root is a CAMEO root.
    assert {k.cameo for k in TAXONOMY.values()} == set(CAMEO_ROOTS)


def test_clicking_a_marker_steps_through_its_events(atlas, all_events) -> None:
    group = (map_view.ANY, "minsk", map_view.ANY)  # Minsk's marker: its own events and the palace's
    at_minsk = set(all_events.loc[all_events["place"].isin(["minsk", "palace-of-independence"]), "id"])
    seen = []
    current = None
    for _ in range(len(at_minsk) + 1):
        current = map_view.step(atlas, ALL, group, current)
        seen.append(current)
    assert set(seen[:-1]) == at_minsk
    assert seen[-1] == seen[0]  # wraps round
    # A route's arrow: only its contacts.
    assert map_view.step(atlas, ALL, ("visit", "minsk", "washington"), None) == VISIT
    # A shaded country: the events known only to it.
    picked = map_view.step(atlas, ALL, (map_view.ANY, "belarus", map_view.ANY), None)
    assert all_events.loc[all_events["id"] == picked, "place"].iloc[0] == "belarus"
    assert map_view.step(atlas, ALL, (map_view.ANY, "nowhere", map_view.ANY), None) is None


def test_timeline_draws_precision(atlas, all_events) -> None:
    marks = _timeline(atlas).marks.set_index("event")
    assert marks.loc[VISIT, "shape"] == "point"
    feb = marks.loc["us-prisoner-release-visit-2025-02"]
    assert feb["shape"] == "bar"
    assert (feb["x0"].date().isoformat(), feb["x1"].date().isoformat()) == (
        "2025-02-01",
        "2025-03-01",
    )
    year = marks.loc["pompeo-visits-belarus-2020"]
    assert year["shape"] == "bar"
    assert (year["x1"] - year["x0"]).days == 366
    assert marks.loc["kellogg-sees-step-to-talks", "shape"] == "before"
    fig = figures.timeline_figure(_timeline(atlas, ALL, VISIT))
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert bars
    assert all(tr.orientation == "h" for tr in bars)
    ids = {row[0] for tr in fig.data for row in (tr.customdata if tr.customdata is not None else [])}
    assert set(all_events["id"]) <= ids


def test_timeline_lanes_by_actor(atlas) -> None:
    data = _timeline(atlas, Filters.of(lanes="actor"))
    assert "Keith Kellogg" in set(data.lanes["label"])
    kellogg = data.marks[data.marks["lane"] == "keith-kellogg"]
    assert VISIT in set(kellogg["event"])
    # Bounded: a few rows per actor, a capped height, and a legend of the kinds in their own symbols.
    assert data.lanes["rows"].max() <= timeline.MAX_ACTOR_ROWS
    fig = figures.timeline_figure(data)
    assert fig.layout.height <= figures.MAX_TIMELINE_HEIGHT
    legend = {tr.name: tr.marker.symbol for tr in fig.data if tr.showlegend}
    shown = set(data.marks["kind"])
    assert legend == {TAXONOMY[k].label: figures.STYLE[k][1] for k in shown}
    # Lanes by kind name their kinds: no legend needed.
    assert not any(tr.showlegend for tr in figures.timeline_figure(_timeline(atlas)).data)


def test_details_card(atlas) -> None:
    d = details.details(atlas, VISIT)
    assert d is not None
    assert (d.date, d.kind, d.certainty, d.distance_km) == ("21 June 2025", "Visit", "confirmed", 7463)
    assert d.place.startswith("Washington → Minsk")
    assert "Keith Kellogg (visitor)" in d.participants
    assert details.details(atlas, "nope") is None


def test_links_whose_dates_exclude_nothing_share_their_views(atlas) -> None:
    # The seed runs from 2020 to 21 June 2025: `from=2016-…` or `to=2030-…` keeps every event, so
    # such links are one view (and one cache entry); a date inside the range is a different view.
    first_end, last_start = atlas.date_bounds
    assert (first_end.isoformat(), last_start.isoformat()) == ("2020-12-31", "2025-06-21")
    wide = [Filters.of(start=dt.date(2016, 1, 1) + dt.timedelta(days=i)) for i in range(0, 1500, 300)]
    wide.append(Filters.of(end=dt.date(2030, 1, 1), kinds=["visit"]))
    assert {filters.without_no_ops(f, *atlas.date_bounds) for f in wide[:-1]} == {Filters()}
    assert filters.without_no_ops(wide[-1], *atlas.date_bounds) == Filters.of(kinds=["visit"])
    for f in wide:
        same = filters.without_no_ops(f, *atlas.date_bounds)
        assert query.event_ids(atlas.engine, f) == query.event_ids(atlas.engine, same)
    narrow = Filters.of(start=dt.date(2025, 1, 1))
    assert filters.without_no_ops(narrow, *atlas.date_bounds) == narrow
    assert query.count(atlas.engine, narrow) < atlas.events


def test_a_frozen_figure_is_what_plotly_itself_would_send(atlas) -> None:
    """`freeze` serialises a figure from its plain dicts, never making Plotly's figure; the spec a
    reader's browser gets must be what Plotly's own figure of those dicts would send."""
    from dashboard import network_figure  # noqa: PLC0415
    from dashboard.views import network as network_view  # noqa: PLC0415

    pair = Filters.of(between=("keith-kellogg", "alexander-lukashenko"))
    figs = {
        "map": figures.map_figure(_map(atlas, ALL, VISIT)),
        "map narrowed": figures.map_figure(_map(atlas, Filters.of(kinds={"visit", "meeting"}))),
        "timeline": figures.timeline_figure(_timeline(atlas, ALL, VISIT)),
        "network": network_figure.network_figure(network_view.network_data(atlas, ALL)),
        "network, a pair chosen": network_figure.network_figure(
            network_view.network_data(atlas, pair), network_view.chosen(pair, "actor")
        ),
    }
    import json  # noqa: PLC0415

    from plotly.utils import PlotlyJSONEncoder  # noqa: PLC0415

    def sent(spec: dict) -> str:  # what goes over the wire, as text
        return json.dumps(spec, cls=PlotlyJSONEncoder, sort_keys=True)

    for name, fig in figs.items():
        frozen = sent(figures.freeze(fig).to_dict())
        want = sent(fig.plotly.to_dict())  # Plotly's figure, made now, after the freeze
        assert frozen == want, name
        assert sent(figures.freeze(fig).to_dict()) == want, name  # and the dicts are left as they were
        assert sent(fig.to_dict()) == want, name  # and the figure itself is left as it was
