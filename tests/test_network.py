"""Who met whom: the contact network's data from the engine, its layout, and its geometry in a browser.

The pairs and their counts come from one query on either engine (DuckDB and
Spark agree); on the bundled corpus Kellogg and Lukashenko are a pair of 8
events. In Chromium at 1440×900 the names stay clear of each other and of
every marker, every edge's marker is inside the plot and is what a pointer at
its centre picks, and a click on an edge or a node narrows the link to it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from browser import ARTIFACTS, DASHBOARD_PAINTED, ROOT
from test_query import F, spark_available

from dashboard import engines, filters, query, store, synth
from dashboard.readers import corpus
from dashboard.views import network as network_view

KELLOGG, LUKASHENKO = "keith-kellogg", "alexander-lukashenko"


def test_kellogg_and_lukashenko_are_a_pair_of_eight_events(atlas) -> None:
    data = network_view.network_data(atlas, filters.Filters())
    edges = {(r.a, r.b): r for r in data.edges.itertuples(index=False)}
    pair = edges[(LUKASHENKO, KELLOGG)]
    assert pair.events == 8
    assert pair.kind == "statement"  # their commonest kind
    assert (pair.name_a, pair.name_b) == ("Alexander Lukashenko", "Keith Kellogg")
    assert data.edges.iloc[0]["a"] == LUKASHENKO  # the busiest pair comes first
    nodes = dict(zip(data.nodes["node"], data.nodes["events"], strict=True))
    assert nodes[KELLOGG] == 9
    assert nodes[LUKASHENKO] == 8
    assert nodes["belarus"] == 10
    assert data.dropped_pairs == 0
    text = network_view.network_text(data)
    assert text[0] == "Alexander Lukashenko — Keith Kellogg: 8 events, mostly statement"
    assert "Keith Kellogg: 9 events" in text
    # Its events: the contacts between the two, which a click on the edge filters to.
    both = query.event_ids(atlas.engine, F(between=(LUKASHENKO, KELLOGG)))
    assert len(both) == 8
    assert "kellogg-meets-lukashenko" in both


def test_countries_and_groups_merge_their_actors(atlas) -> None:
    by_country = network_view.network_data(atlas, filters.Filters(), "country")
    first = by_country.edges.iloc[0]
    assert (first["name_a"], first["name_b"], first["events"]) == ("Belarus", "United States", 12)
    groups = network_view.network_data(atlas, filters.Filters(), "group")
    first = groups.edges.iloc[0]
    assert (first["name_a"], first["name_b"], first["events"]) == (
        "Belarus · people",
        "United States · people",
        8,
    )
    assert network_view.filters_for(atlas, "group", ["USA:person"]) == {"actor": [KELLOGG, "mike-pompeo"]}
    assert network_view.filters_for(atlas, "country", ["USA", "BLR"]) == {"country": ["BLR", "USA"]}


def test_the_network_follows_the_filters_and_counts_what_it_leaves_out(atlas) -> None:
    visits = network_view.network_data(atlas, F(kinds=["visit"]))
    assert set(visits.edges["kind"]) == {"visit"}
    assert KELLOGG in set(visits.nodes["node"])
    small = query.network(atlas.engine, filters.Filters(), "actor", limit=3)
    every = query.network(atlas.engine, filters.Filters(), "actor", limit=100)
    assert len(small.pairs) == 3
    assert small.all_pairs == every.all_pairs == len(every.pairs)
    assert small.dropped_contacts == sum(p["events"] for p in every.pairs[3:])
    # The same data lays out the same way every time (a link shows the same picture).
    again = network_view.network_data(atlas, F(kinds=["visit"]))
    assert visits.nodes[["x", "y"]].equals(again.nodes[["x", "y"]])


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory) -> tuple[corpus.Corpus, store.Store]:
    data = tmp_path_factory.mktemp("synth") / "data"
    synth.write(2_000, data, seed=5)
    c = corpus.load(data)
    return c, store.build(c, tmp_path_factory.mktemp("stores") / "synth")


def test_names_in_the_network_show_as_written(data_copy) -> None:
    from conftest import edit  # noqa: PLC0415

    from dashboard import atlas as atlas_mod  # noqa: PLC0415
    from dashboard import network_figure  # noqa: PLC0415

    hostile = "Keith <b>K</b> & co"
    edit(data_copy / "actors.yaml", "name: Keith Kellogg", f"name: '{hostile}'")
    a = atlas_mod.open_atlas(data_copy)
    spec = network_figure.network_figure(network_view.network_data(a, filters.Filters())).to_dict()
    texts = [t for tr in spec["data"] for t in (tr.get("text") or []) if "Keith" in str(t)]
    assert texts == ["Keith &lt;b&gt;K&lt;/b&gt; &amp; co"]
    hovers = [str(h) for tr in spec["data"] for h in list(tr.get("hovertext", [])) if "Keith" in str(h)]
    assert hovers
    assert all("<b>K</b>" not in h and "&lt;b&gt;K&lt;/b&gt;" in h for h in hovers)


def test_a_link_to_a_pairs_contacts_lists_their_events_and_the_network_as_text() -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["between"] = f"{LUKASHENKO},{KELLOGG}"
    at.run()
    assert not at.exception, at.exception
    assert any(
        "Showing the contacts between Alexander Lukashenko and Keith Kellogg" in c.value for c in at.caption
    )
    assert len([b for b in at.button if str(b.key).startswith("list-")]) == 8
    text = next(e for e in at.expander if e.label == "The network as text").text[0].value
    assert text.splitlines()[0] == "Alexander Lukashenko — Keith Kellogg: 8 events, mostly statement"
    at.button(key="every-pair").click().run()  # back to every pair: the filter is gone
    assert "between" not in at.query_params


def test_past_its_threshold_the_network_is_drawn_when_a_reader_asks(monkeypatch) -> None:
    """Counting every pair of a million events takes a second: past AUTO_EVENTS the Explorer offers
    the network instead of counting it on every run; switched on, it draws it."""
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    from dashboard.views import network as network_view  # noqa: PLC0415

    monkeypatch.setattr(network_view, "AUTO_EVENTS", 5)  # the bundled corpus's 22 events are "many"
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert not [e for e in at.expander if e.label == "The network as text"]
    draw = at.toggle(key="network-draw")
    assert "22 events" in draw.label
    draw.set_value(True).run()
    assert not at.exception, at.exception
    text = next(e for e in at.expander if e.label == "The network as text").text[0].value
    assert "Alexander Lukashenko — Keith Kellogg: 8 events" in text


def network_switch(at):
    return next(e for e in at.get("button_group") if e.key == "network-mode")


def network_text(at) -> list[str]:
    return next(e for e in at.expander if e.label == "The network as text").text[0].value.splitlines()


def test_the_network_switch_is_in_the_link_and_a_fresh_reader_of_it_sees_countries() -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["network"] = "countries"  # as a reader would write it
    at.run()
    assert not at.exception, at.exception
    assert network_switch(at).value == "country"
    assert network_text(at)[0] == "Belarus — United States: 12 events, mostly statement"
    assert dict(at.query_params) == {"network": "country"}  # the canonical link
    network_switch(at).set_value("group").run()
    assert dict(at.query_params) == {"network": "group"}
    assert network_text(at)[0].startswith("Belarus · people — United States · people")
    # The link as written, opened afresh: the same switch, the same network.
    fresh = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    fresh.query_params["network"] = "group"
    fresh.run()
    assert network_switch(fresh).value == "group"
    assert network_text(fresh) == network_text(at)
    network_switch(at).set_value("actor").run()
    assert "network" not in at.query_params  # the default leaves the link clean


def test_a_bad_network_value_in_the_link_is_named_and_dropped() -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["network"] = "galaxies"
    at.run()
    assert not at.exception, at.exception
    notices = [w.value for w in at.warning if "Ignored network 'galaxies'" in w.value]
    assert len(notices) == 1, notices
    assert "use actor, country or group" in notices[0]
    assert network_switch(at).value == "actor"
    assert "network" not in at.query_params


@pytest.mark.parametrize(
    ("given", "kept"), [("country", "country"), ("Groups", "group"), ("actors", "actor"), ("", "actor")]
)
def test_the_network_parameter_reads_plurals_and_is_written_only_when_not_the_default(
    atlas, given, kept
) -> None:
    f, notices = filters.from_query(atlas, {"network": given, "kind": "visit"})
    assert (f.network, notices) == (kept, [])
    assert not filters.Filters(network="country").narrows
    assert filters.to_query(f) == ({"kind": ["visit"]} | ({"network": [kept]} if kept != "actor" else {}))
    assert set(network_view.MODES) == set(filters.NETWORK)


def test_both_engines_count_the_same_network(synth_store) -> None:
    spark_available()
    _c, s = synth_store
    duck, spark = engines.open(s, "duckdb"), engines.open(s, "spark")
    f = F(kinds=["meeting", "visit", "statement"])
    for mode in ("actor", "country"):
        a = query.network(duck, f, mode, 40)
        assert len(a.pairs) == 40
        assert a.dropped_pairs > 0
        assert a.nodes
        assert a == query.network(spark, f, mode, 40)
    top = a.pairs[0]  # its contacts: as many as the network counts, the same on both engines
    between = F(kinds=sorted(f.kinds), between=(top["a"], top["b"]))
    assert len(query.event_ids(duck, between)) == top["events"]
    assert query.latest(duck, between, 20) == query.latest(spark, between, 20)


# --- in a browser -------------------------------------------------------------------------------

NETWORK = (
    "Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".find((p) => p._fullLayout && p._fullLayout.meta && p._fullLayout.meta.network)"
)
# The network's shown names, every marker, the plot area, and each edge marker's centre.
NETWORK_BOXES = f"""() => {{
  const gd = {NETWORK};
  const box = (e) => e.getBoundingClientRect().toJSON();
  const groups = gd.querySelectorAll('g.trace.scatter');
  const edges = [];
  gd._fullData.forEach((t, k) => {{
    if (!t.customdata || !t.customdata.length || t.customdata[0][0] !== 'edge') return;
    groups[k].querySelectorAll('path.point').forEach((el, i) => {{
      const b = box(el);
      edges.push({{pair: [t.customdata[i][1], t.customdata[i][2]], x: b.x + b.width / 2, y: b.y + b.height / 2}});
    }});
  }});
  return {{
    labels: Array.from(gd.querySelectorAll('text[data-placed=shown]')).map((e) => ({{text: e.textContent, box: box(e)}})),
    marks: Array.from(gd.querySelectorAll('g.trace.scatter path.point')).map(box).filter((b) => b.width > 0),
    area: box(gd.querySelector('.draglayer .nsewdrag')),
    edges,
  }};
}}"""
NODE_CENTRE = f"""(id) => {{
  const gd = {NETWORK};
  const groups = gd.querySelectorAll('g.trace.scatter');
  for (let k = 0; k < gd._fullData.length; k++) {{
    const rows = gd._fullData[k].customdata || [];
    const i = rows.findIndex((r) => r && r[0] === 'node' && r[1] === id);
    if (i < 0) continue;
    const b = groups[k].querySelectorAll('path.point')[i].getBoundingClientRect();
    return {{x: b.x + b.width / 2, y: b.y + b.height / 2}};
  }}
  return null;
}}"""
# What Plotly's hover picks under the pointer (what a click there selects).
PICKED = f"() => (({NETWORK})._hoverdata || []).map((p) => p.customdata)"


def point_at(page, x: float, y: float, wanted: list[str]) -> None:
    """Move the pointer there and wait until Plotly picks that mark (a click selects what is picked)."""
    page.mouse.move(x, y)
    page.wait_for_function(
        f"(w) => ({PICKED})().some((c) => c && c.length === w.length && w.every((x, k) => c[k] === x))",
        arg=wanted,
        timeout=5_000,
    )


def intersect(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.fixture
def page(browser, request):
    """A 1440×900 page; its last view is kept as a screenshot, pass or fail."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    pg.screenshot(path=ARTIFACTS / f"{request.node.name}.png")
    ctx.close()


@pytest.mark.browser
def test_the_network_names_stay_apart_and_every_edge_is_clickable(page, server, atlas) -> None:
    page.goto(server)
    page.wait_for_function(DASHBOARD_PAINTED, timeout=60_000)  # the first page of a fresh server
    page.wait_for_function(f"() => ({NETWORK})?.dataset.labelsPlaced")
    page.evaluate(f"() => ({NETWORK}).scrollIntoView({{block: 'center'}})")
    page.wait_for_function(f"() => ({NETWORK})?.dataset.labelsPlaced")
    boxes = page.evaluate(NETWORK_BOXES)
    labels = boxes["labels"]
    shown = [x["text"] for x in labels]
    assert {"Keith Kellogg", "Alexander Lukashenko", "Belarus"} <= set(shown), shown
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not intersect(a["box"], b["box"]), f"{a['text']} overlaps {b['text']}"
        for m in boxes["marks"]:
            assert not intersect(a["box"], m), f"{a['text']} covers a marker at {m}"
    area = boxes["area"]
    assert len(boxes["edges"]) == 16  # every pair of the bundled corpus is drawn
    for e in boxes["edges"]:
        assert area["left"] < e["x"] < area["right"], e
        assert area["top"] < e["y"] < area["bottom"], e
        point_at(page, e["x"], e["y"], ["edge", *e["pair"]])
    # A click on Kellogg and Lukashenko's edge: the link asks for the contacts between them, their eight.
    edge = next(e for e in boxes["edges"] if e["pair"] == [LUKASHENKO, KELLOGG])
    point_at(page, edge["x"], edge["y"], ["edge", LUKASHENKO, KELLOGG])
    page.mouse.click(edge["x"], edge["y"])
    page.wait_for_function("() => location.search.includes('between=')")
    assert parse_qs(urlparse(page.url).query)["between"] == [f"{LUKASHENKO},{KELLOGG}"]
    page.wait_for_function(
        "() => document.body.innerText.includes('Showing the contacts between Alexander Lukashenko and Keith "
        "Kellogg')"
    )
    page.wait_for_function("() => document.body.innerText.includes('8 of 22 events')")
    # A click on Kellogg's node: the link names him alone.
    page.evaluate(f"() => ({NETWORK}).scrollIntoView({{block: 'center'}})")
    node = page.evaluate(NODE_CENTRE, KELLOGG)
    assert node, "no node for Kellogg"
    point_at(page, node["x"], node["y"], ["node", KELLOGG])
    page.mouse.click(node["x"], node["y"])
    page.wait_for_function("() => !location.search.includes('alexander-lukashenko')")
    assert parse_qs(urlparse(page.url).query)["actor"] == [KELLOGG]
    alone = query.count(atlas.engine, F(actors=[KELLOGG]))
    page.wait_for_function(f"() => document.body.innerText.includes('{alone} of 22 events')")
