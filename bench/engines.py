"""The same filter changes on the pandas path the dashboard runs today, on DuckDB and on local Spark.

    .venv/bin/python bench/engines.py [--sizes seed,1000000] [--changes 15] [--spark-changes 5]

For each corpus: the first build of its store (validated corpus → Parquet
tables), then a sequence of filter changes (event kinds, as a reader toggles
them), each answered with what the Explorer draws: the count, the map's
groups, the timeline's monthly bins and the select box's latest 300 ids. The
pandas column runs the dashboard's own functions (`filters.apply`,
`view.map_data`, `view.timeline_data`) for the same changes. Wall time and
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

from dashboard import corpus, filters, query, store, synth, view  # noqa: E402

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


def draw(eng: query.Engine) -> Callable[[filters.Filters], object]:
    def run(f: filters.Filters) -> object:
        return (
            query.count(eng, f),
            query.map_groups(eng, f),
            query.timeline_bins(eng, f, "month"),
            query.event_ids(eng, f, limit=300),
        )

    return run


def pandas_draw(c: corpus.Corpus) -> Callable[[filters.Filters], object]:
    def run(f: filters.Filters) -> object:
        events = filters.apply(c, f)
        return view.map_data(c, events), view.timeline_data(c, events)

    return run


def measure(size: str, n: int, n_spark: int, spark: bool) -> list[str]:
    data = data_for(size)
    t0 = time.perf_counter()
    c = corpus.load(data)
    load_s = time.perf_counter() - t0
    where = store.location(c, c.fingerprint or store.compiled.fingerprint(c.root))
    shutil.rmtree(where, ignore_errors=True)
    t0 = time.perf_counter()
    s = store.build(c)
    build_s = time.perf_counter() - t0
    steps = changes(n)
    label = "bundled corpus" if size == "seed" else f"{len(c.events):,} events"
    rows = [
        f"| {label} | first store build | {build_s * 1000:,.0f} ms (corpus load before it: {load_s:.1f} s) | | |"
    ]
    duck = query.engine(s, "duckdb")
    draw(duck)(steps[0])  # the first query reads the Parquet footers
    wall, cpu = timed(draw(duck), steps)
    rows.append(f"| {label} | DuckDB | {wall:,.0f} | {cpu:,.0f} | {vm_hwm_mb():,.0f} |")
    parts = {
        "count": lambda f: query.count(duck, f),
        "map groups": lambda f: query.map_groups(duck, f),
        "monthly bins": lambda f: query.timeline_bins(duck, f, "month"),
        "latest 300 ids": lambda f: query.event_ids(duck, f, limit=300),
    }
    each = ", ".join(f"{name} {timed(work, steps)[0]:,.0f}" for name, work in parts.items())
    rows.append(f"| {label} | DuckDB, each query (ms) | {each} | | |")
    wall, cpu = timed(pandas_draw(c), steps)
    rows.append(
        f"| {label} | pandas (today's dashboard path) | {wall:,.0f} | {cpu:,.0f} | {vm_hwm_mb():,.0f} |"
    )
    if spark:
        t0 = time.perf_counter()
        sp = query.engine(s, "spark")
        up = time.perf_counter() - t0
        draw(sp)(steps[0])
        wall, _ = timed(draw(sp), steps[:n_spark])
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
        "## Engines: the same filter changes on pandas, DuckDB and Spark",
        "",
        f"`bench/engines.py --sizes {args.sizes} --changes {args.changes} --spark-changes {args.spark_changes}`: "
        "per filter change (event kinds, as a reader toggles them), the count, the map's groups, the timeline's "
        "monthly bins and the latest 300 ids; medians. The pandas row runs the dashboard's own view functions "
        "for the same changes (it also builds hover text, which the queries do not yet). Memory is this "
        "process's peak (VmHWM) so far, not a server's.",
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
