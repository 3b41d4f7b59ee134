"""The map at news scale in a real browser: a month-of-GDELT-shaped corpus beside the curated article.

Thousands of places are drawn as clusters by zoom, not a scatter: at 1440×900
no two labels overlap and no label covers a mark, the clusters shown count
every placed machine-coded event, zooming in shows finer clusters, a click on
a cluster selects one of its events, and "The map as text" lists every place.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from browser import ARTIFACTS, DASHBOARD_PAINTED, ROOT, dashboard
from newsscale import write
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_reading import MAP, assert_labels_clear

from dashboard import atlas

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

# The clusters on screen: each visible cluster trace's events (customdata[4]) and the layer shown.
SHOWN = f"""() => {{
  const gd = {MAP};
  let events = 0, marks = 0;
  gd.querySelectorAll('.geo g.trace.scattergeo').forEach((g) => {{
    const t = g.__data__?.[0]?.trace;
    if (!t || !t.meta || t.name === 'Labels') return;
    for (const row of t.customdata) {{ events += Number(row[4]); marks += 1; }}
  }});
  return {{events, marks, layer: Number(gd.dataset.layer)}};
}}"""


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Iterator[tuple[str, pd.DataFrame]]:
    data = tmp_path_factory.mktemp("news") / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    write(data / "news")
    events = pd.read_parquet(data / "news" / "news.events.parquet")
    atlas.open_atlas(data)  # its store built, as `python -m dashboard build` does before serving
    with dashboard(data, log="streamlit-news.log") as url:
        yield url, events


def test_a_month_of_wires_reads_as_clusters_at_a_glance(browser, news) -> None:
    url, events = news
    placed = events[events["geo_precision"] == "city"]
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_function(DASHBOARD_PAINTED)
    page.wait_for_function(f"() => ({MAP})?.dataset.labelsPlaced && ({MAP})?.dataset.layer")
    assert f"{len(events) + 22:,} of {len(events) + 22:,} events" in page.inner_text("body")
    shown = page.evaluate(SHOWN)
    # A glance, not a scatter: a few dozen clusters hold every placed machine-coded event.
    assert shown["events"] == len(placed)
    assert shown["marks"] < placed["place"].nunique() / 10
    labels = assert_labels_clear(page)
    assert len(labels) >= 5, labels
    page.screenshot(path=ARTIFACTS / "news-scale-world.png")

    # Zoomed in on Europe: finer clusters, counted again, labels still clear.
    # A reader scrolls until the map zooms: on a busy machine a wheel that lands while the page is
    # still settling may be lost, so scroll again (bounded) rather than wait on one gesture.
    finer_layer = f"(first) => Number(({MAP})?.dataset.layer) > first"
    for _ in range(6):
        box = page.locator(".js-plotly-plot .geo .layer.bg rect").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.53, box["y"] + box["height"] * 0.28)
        for _ in range(6):
            page.mouse.wheel(0, -300)
        try:
            page.wait_for_function(finer_layer, arg=shown["layer"], timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    assert page.evaluate(finer_layer, shown["layer"]), "scrolling in never showed a finer layer"
    page.wait_for_function(f"() => ({MAP})?.dataset.labelsPlaced")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    finer = page.evaluate(SHOWN)
    assert finer["events"] == len(placed)
    assert finer["marks"] > shown["marks"]
    assert_labels_clear(page)
    page.screenshot(path=ARTIFACTS / "news-scale-zoomed.png")
    ctx.close()


def test_a_cluster_click_selects_its_events_and_the_text_lists_every_place(browser, news) -> None:
    url, events = news
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_function(DASHBOARD_PAINTED)
    page.wait_for_function(f"() => ({MAP})?.dataset.layer")
    centre = page.evaluate(
        f"""() => {{
      const gd = {MAP};
      for (const g of gd.querySelectorAll('.geo g.trace.scattergeo')) {{
        const t = g.__data__?.[0]?.trace;
        if (!t || !t.meta || t.name === 'Labels') continue;
        const b = g.querySelector('path.point').getBoundingClientRect();
        return {{x: b.x + b.width / 2, y: b.y + b.height / 2}};
      }}
      return null;
    }}"""
    )
    assert centre
    page.mouse.click(centre["x"], centre["y"])
    page.wait_for_function("() => /event=gdelt-news-/.test(location.search)")
    picked = parse_qs(urlparse(page.url).query)["event"][0]
    assert picked in set(events["id"])
    expander = page.locator("[data-testid=stExpander]", has_text="The map as text")
    # Its text is drawn once it opens. The click on the cluster reruns the page, and a click on the
    # expander during that rerun can be lost with the expander it hit: click again, a few times at most.
    for _ in range(4):
        page.get_by_text("The map as text").click()
        try:
            expander.get_by_text("(machine-coded)").first.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    expander.get_by_text("(machine-coded)").first.wait_for()
    text = expander.inner_text()
    cities = events.loc[events["geo_precision"] == "city", "place"].nunique()
    assert text.count("(machine-coded)") == cities
    ctx.close()
