"""Server CPU per view for new filter states: what each of the Explorer's views costs the process.

    .venv/bin/python bench/views.py --data bench/out/synth-1000000            # the table
    .venv/bin/python bench/views.py --data bench/out/synth-1000000 --profile map   # cProfile of one view
    .venv/bin/python bench/views.py --data bench/out/synth-1000000 --page     # whole page runs (AppTest)

Not part of the test suite. Opens the data folder's store as the dashboard does, then for each of
`--states` filter states (bench/scale.py's links: one to three kinds, sometimes a country,
sometimes a start date; none repeats, so no cache answers) calls what the Explorer's page calls for
each view — its data, its figure and the figure's serialisation — and measures this process's CPU
time (`time.process_time`: the engine's threads included). Prints each view's median, min and max.
`--page` runs the whole Explorer page instead, through Streamlit's AppTest, one new link per run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import scale  # noqa: E402 - bench/scale.py: the links

from dashboard import atlas as atlas_mod  # noqa: E402
from dashboard import figures, filters, network_figure, query  # noqa: E402
from dashboard.views import map as map_view  # noqa: E402
from dashboard.views import network as network_view  # noqa: E402
from dashboard.views import table as table_view  # noqa: E402
from dashboard.views import timeline as timeline_view  # noqa: E402


def views(a: atlas_mod.Atlas, f: filters.Filters) -> dict[str, Callable[[], object]]:
    """Each view as the Explorer's page builds it for a new filter state (no cache answers)."""

    def summary() -> object:
        s = query.summary(a.engine, f)
        n = int(s["n"])
        rows = table_view.few_rows(a, f, n)
        return table_view.summary_line(a, s), table_view.select_choices(a, f, rows)

    def map_() -> object:
        n = int(query.summary(a.engine, f)["n"])
        data = map_view.map_selection(a, map_view.map_data(a, f, n), f.event)
        return figures.freeze(figures.map_figure(data)), map_view.map_text(data, a)

    def timeline() -> object:
        undated = int(query.summary(a.engine, f)["undated"])
        data = timeline_view.timeline_data(a, f, undated)
        return figures.freeze(figures.timeline_figure(data))

    def list_() -> object:
        n = int(query.summary(a.engine, f)["n"])
        return table_view.event_list(a, f, table_view.few_rows(a, f, n))

    def network() -> object:
        data = network_view.network_data(a, f, "actor")
        return figures.freeze(network_figure.network_figure(data, network_view.chosen(f, "actor")))

    return {"summary": summary, "map": map_, "timeline": timeline, "list": list_, "network": network}


def states(
    a: atlas_mod.Atlas, data: Path, n: int, seed: int, records: str = "stories"
) -> list[tuple[str, filters.Filters]]:
    out = []
    for q in scale.links(n, scale.corpus_countries(data), seed):
        params = urllib.parse.parse_qs(q)
        if records != "stories":
            params["records"] = [records]
        f, _ = filters.from_query(a, params)
        out.append((q, f))
    return out


def page_runs(data: Path, links: list[str]) -> list[float]:
    """CPU per whole Explorer page run through AppTest, one new link each (the first opens the store)."""
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    os.environ["DASHBOARD_DATA"] = str(data)
    out = []
    for i, q in enumerate(["", *links]):
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
        for k, v in urllib.parse.parse_qs(q).items():
            at.query_params[k] = v
        cpu = time.process_time()
        at.run()
        if i:
            out.append(1000 * (time.process_time() - cpu))
        if at.exception:
            raise RuntimeError(f"{q}: {at.exception}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--states", type=int, default=7)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--profile", help="a view's name: its cProfile over every state, by own time")
    p.add_argument("--page", action="store_true", help="whole Explorer page runs through AppTest")
    p.add_argument(
        "--records", default="stories",
        help="stories (the default view), raw, or both: the same states one mark a story and one a record",
    )  # fmt: skip
    args = p.parse_args(argv)
    if args.page:
        links = scale.links(args.states, scale.corpus_countries(args.data), args.seed)
        ms = page_runs(args.data, links)
        print(
            f"page run: median {statistics.median(ms):,.0f} ms CPU (min {min(ms):,.0f}, max {max(ms):,.0f})"
        )
        return 0
    a = atlas_mod.open_atlas(args.data, "duckdb")
    modes = ["stories", "raw"] if args.records == "both" else [args.records]
    chosen = states(a, args.data, args.states, args.seed, modes[0])
    query.summary(a.engine, filters.Filters())  # the engine's first query pays its own set-up
    if args.profile:
        prof = cProfile.Profile(time.process_time)  # CPU, not wall: the machine may be shared
        for _, f in chosen:
            run = views(a, f)[args.profile]
            prof.enable()
            run()
            prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return 0
    # Each state in every mode in turn, so the modes share the machine's moments (it may be shared).
    each = {m: states(a, args.data, args.states, args.seed, m) for m in modes}
    cpu: dict[str, dict[str, list[float]]] = {m: {} for m in modes}
    for i in range(len(chosen)):
        for m in modes:
            for name, run in views(a, each[m][i][1]).items():
                t = time.process_time()
                run()
                cpu[m].setdefault(name, []).append(1000 * (time.process_time() - t))
    for m in modes:
        print(
            f"{len(chosen)} filter states, {a.events:,} events, records={m}; CPU ms per view: median (min–max)"
        )
        for name, ms in cpu[m].items():
            print(f"  {name:9} {statistics.median(ms):8,.0f}  ({min(ms):,.0f}–{max(ms):,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
