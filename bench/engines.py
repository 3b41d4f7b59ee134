"""The dashboard's views for the same filter changes on DuckDB and on local Spark.

    .venv/bin/python bench/engines.py [--sizes seed,1000000] [--changes 15] [--spark-changes 5]

For each corpus: the first build of its store (validated corpus → Parquet
tables), then a sequence of filter changes (event kinds, as a reader toggles
them), each answered with everything the Explorer draws, by the dashboard's
own view functions (`dashboard.views`): the summary line, the map, the
timeline, the select box, the list of events, the network of who met whom
(laid out and drawn) and the reading pane's marked article; and the network alone for each of
its nodes (actors, countries, groups), which past 20,000 events a reader draws by hand. Wall time and
this process's CPU per change, medians; Spark's work happens in its JVM, so
only its wall time is comparable. Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import results  # noqa: E402 - bench/results.py

from dashboard import atlas, filters, folder, network_figure, query, store, synth  # noqa: E402
from dashboard.readers import corpus  # noqa: E402
from dashboard.ui import html  # noqa: E402
from dashboard.views import article, table, timeline  # noqa: E402
from dashboard.views import map as map_view  # noqa: E402
from dashboard.views import network as network_view  # noqa: E402

OUT = ROOT / "bench" / "out"
KIND_STEPS = [
    [],
    ["meeting"],
    ["meeting", "visit"],
    ["statement"],
    ["visit", "report", "statement"],
    ["use_of_force"],
]


def changes(n: int) -> list[filters.Filters]:
    return [filters.Filters.of(kinds=KIND_STEPS[i % len(KIND_STEPS)]) for i in range(n)]


def data_for(size: str) -> Path:
    if size == "seed":
        return ROOT / "data"
    folder = OUT / f"synth-{int(size)}"
    if not folder.exists():
        synth.write(int(size), folder, seed=0)
    return folder


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(work: Callable[[filters.Filters], object], steps: list[filters.Filters]) -> tuple[float, float]:
    """Median wall and CPU (ms) of `work` per filter change."""
    wall, cpu = [], []
    for f in steps:
        w0, c0 = time.perf_counter(), time.process_time()
        work(f)
        wall.append(1000 * (time.perf_counter() - w0))
        cpu.append(1000 * (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu)


def network(a: atlas.Atlas, f: filters.Filters, mode: str = "actor") -> object:
    """The network of who met whom, laid out and drawn (its figure serialised, as a page sends it)."""
    return network_figure.network_figure(network_view.network_data(a, f, mode)).to_dict()


def explorer(a: atlas.Atlas) -> Callable[[filters.Filters], object]:
    """Everything the Explorer draws for a filter change, by the dashboard's own view functions."""

    def run(f: filters.Filters) -> object:
        s = query.summary(a.engine, f)
        n = int(s["n"])
        reading = article.reading_article(a, f)
        return (
            table.summary_line(a, s),
            map_view.map_data(a, f, n),
            timeline.timeline_data(a, f, int(s["undated"])),
            table.select_choices(a, f, rows := table.few_rows(a, f, n)),
            table.event_list(a, f, rows),
            network(a, f) if n <= network_view.AUTO_EVENTS else None,  # past it, drawn on request
            html.article_html(article.article_text(a, f, reading)) if reading else "",
        )

    return run


def measure(size: str, n: int, n_spark: int, spark: bool) -> list[str]:
    data = data_for(size)
    t0 = time.perf_counter()
    c = corpus.load(data)
    load_s = time.perf_counter() - t0
    shutil.rmtree(store.location(c.root, c.fingerprint or folder.fingerprint(c.root)), ignore_errors=True)
    t0 = time.perf_counter()
    store.build(c)
    build_s = time.perf_counter() - t0
    events = len(c.events)
    del c
    steps = changes(n)
    label = "bundled corpus" if size == "seed" else f"{events:,} events"
    rows = [
        f"| {label} | first store build | {build_s * 1000:,.0f} ms (corpus load before it: {load_s:.1f} s) | | |"
    ]
    duck = atlas.open_atlas(data, "duckdb")
    explorer(duck)(steps[0])  # the first query reads the Parquet footers
    wall, cpu = timed(explorer(duck), steps)
    rows.append(f"| {label} | DuckDB | {wall:,.0f} | {cpu:,.0f} | {vm_hwm_mb():,.0f} |")
    eng = duck.engine
    parts = {
        "summary": lambda f: query.summary(eng, f),
        "map": lambda f: map_view.map_data(duck, f, 0),
        "timeline": lambda f: timeline.timeline_data(duck, f, 0),
        "select box": lambda f: table.select_choices(duck, f, None),
        "list": lambda f: table.event_list(duck, f, None),
    }
    each = ", ".join(f"{name} {timed(work, steps)[0]:,.0f}" for name, work in parts.items())
    rows.append(f"| {label} | DuckDB, each view (ms) | {each} | | |")
    # The network by each of its switch's settings (?network=): past AUTO_EVENTS a reader draws it
    # by hand, and this is what that click costs, pairs counted, laid out and the figure serialised.
    wall_cpu = {mode: timed(lambda f, m=mode: network(duck, f, m), steps) for mode in network_view.MODES}
    nets = ", ".join(f"{network_view.MODES[m].lower()} {w:,.0f}" for m, (w, _) in wall_cpu.items())
    cpus = ", ".join(f"{network_view.MODES[m].lower()} {c:,.0f}" for m, (_, c) in wall_cpu.items())
    drawn = "drawn on every run" if events <= network_view.AUTO_EVENTS else "drawn when a reader asks"
    rows.append(f"| {label} | DuckDB, the network by nodes ({drawn}) (ms) | {nets} | {cpus} | |")
    if spark:
        t0 = time.perf_counter()
        sp = atlas.open_atlas(data, "spark")
        up = time.perf_counter() - t0
        explorer(sp)(steps[0])
        wall, _ = timed(explorer(sp), steps[:n_spark])
        rows.append(f"| {label} | Spark local[2] (session start {up:.1f} s) | {wall:,.0f} | (in the JVM) | |")
    for r in rows:
        print(r, flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="seed,1000000")
    ap.add_argument("--changes", type=int, default=15)
    ap.add_argument("--spark-changes", type=int, default=5)
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    lines = [
        "## Engines: the Explorer's views for the same filter changes on DuckDB and Spark",
        "",
        f"`bench/engines.py --sizes {args.sizes} --changes {args.changes} --spark-changes {args.spark_changes}`: "
        "per filter change (event kinds, as a reader toggles them), everything the Explorer draws, by the "
        "dashboard's own view functions (summary line, map with hovers, timeline, select box, list of events, "
        "network of who met whom with its figure up to 20,000 events, marked article), with no cache; medians; "
        "then the network alone by its nodes (actors, countries, groups; past 20,000 events a reader switches "
        "it on). Memory is this process's peak (VmHWM) so far, including "
        "the corpus load that builds the store, not a server's.",
        "",
        "| corpus | engine | wall per change (ms) | CPU per change (ms) | peak memory (MB) |",
        "|---|---|---:|---:|---:|",
    ]
    for size in args.sizes.split(","):
        lines += measure(size.strip(), args.changes, args.spark_changes, not args.no_spark)
    lines += ["", f"Took {time.perf_counter() - started:.0f} s."]
    results.write_section("engines", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
