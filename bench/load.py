"""Load harness: many readers of one hosted link, speaking Streamlit's own websocket protocol.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8501 --pid 1234 --readers 25
    .venv/bin/python bench/load.py --matrix          # what `make bench` runs; updates bench/RESULTS.md

A reader is what a browser tab does on the wire, without the browser: it opens
`/_stcore/stream`, asks for the first run of a link (a `rerun_script` BackMsg
whose ClientState holds the query string), waits for `script_finished`, then
changes the "Event kinds" filter (the widget's id is read from the page the
server sent) after some think time, a few times, and leaves. Every run is
checked: no exception element, and the Explorer's views present (the map and
the timeline charts and the article text). A run that takes longer than
`RUN_TIMEOUT` fails.

Only 127.0.0.1 is ever contacted; every loop is bounded in count and in time;
the harness stops by itself. The server's CPU (utime + stime of the whole
process, every thread) and resident memory are sampled from /proc.

Not part of the test suite: `make bench` runs the matrix (about 25 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import results  # bench/results.py: this script's section of RESULTS.md
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
OUT = ROOT / "bench" / "out"
RUN_TIMEOUT = 30.0  # seconds: a run slower than this counts as failed
KINDS_LABEL = "Event kinds"
EMPTY = (
    "No events match these filters"  # what the Explorer shows instead of its views (dashboard/ui/explorer.py)
)
# Kinds every benchmark corpus has (the seed article and the synthetic ones), so a change never empties the view.
KIND_CHOICES = ("Visit", "Meeting", "Statement")
THINK = {"people": (2.0, 10.0), "impatient": (0.2, 1.0)}
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end in its own thread and event loop (a caller may already run one)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="load-readers")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def loopback_only(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"the load harness talks only to this machine, not to {host!r}")
    return url.rstrip("/")


# --- the server, seen from /proc --------------------------------------------------------


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS), or its peak (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sampler:
    """Samples the servers' CPU and memory from /proc every `every` seconds, in a thread."""

    def __init__(self, pids: Sequence[int], every: float = 0.25) -> None:
        self.pids, self.every = list(pids), every
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def cpu(self) -> float:
        return sum(proc_cpu(p) for p in self.pids)

    def rss_mb(self) -> float:
        return sum(proc_rss_mb(p) for p in self.pids)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            with contextlib.suppress(OSError):
                self.peak_mb = max(self.peak_mb, self.rss_mb())

    def __enter__(self) -> Sampler:
        self.peak_mb = self.rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# --- one reader ----------------------------------------------------------------------------


@dataclass
class Run:
    kind: str  # first | change
    seconds: float
    ok: bool
    why: str = ""


@dataclass
class Page:
    """What one run sent: enough to check it rendered and to find the filter widget."""

    status: int | None = None
    elements: dict[str, int] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)
    article: bool = False
    kinds_id: str | None = None
    kinds_options: list[str] = field(default_factory=list)
    page_hash: str = ""
    query: str | None = None
    config: Any = None  # the server's client-side configuration, from new_session
    texts: list[str] = field(default_factory=list)  # what the page says: markdown, headings, alerts

    def problem(self, empty_ok: bool = False) -> str:
        """What is wrong with the run ("" when nothing); with `empty_ok`, a view with no events is a page."""
        if self.exceptions:
            return "exception: " + self.exceptions[0][:200]
        if self.status != ForwardMsg.FINISHED_SUCCESSFULLY:
            return f"finished with status {self.status}"
        if empty_ok and any(EMPTY in t for t in self.texts):
            return ""  # a view with no events says so instead of drawing: a page run like any other
        if self.elements.get("plotly_chart", 0) < 2 or not self.article:
            return f"views missing: {self.elements.get('plotly_chart', 0)} charts, article {self.article}"
        return ""


class Reader:
    """One browser tab's worth of protocol."""

    def __init__(
        self, ws: websockets.ClientConnection, query: str, page_name: str = "", empty_ok: bool = False
    ) -> None:
        self.ws, self.query, self.page_name, self.empty_ok = ws, query, page_name, empty_ok
        self.page_hash = ""
        self.widgets: dict[str, WidgetState] = {}
        self.kinds_id: str | None = None
        self.kinds_options: list[str] = []
        self.last = Page()

    async def run(self, kind: str) -> Run:
        """One script run, from sending the request to `script_finished`; `self.last` keeps what it sent."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        if not self.page_hash:
            cs.page_name = self.page_name  # the path of the link, as a browser sends it
        cs.widget_states.widgets.extend(self.widgets.values())
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            page = await asyncio.wait_for(self._until_finished(), RUN_TIMEOUT)
        except TimeoutError:
            return Run(
                kind, time.perf_counter() - started, False, f"no script_finished in {RUN_TIMEOUT:.0f} s"
            )
        took = time.perf_counter() - started
        self.last = page
        if page.page_hash:
            self.page_hash = page.page_hash
        if page.query is not None:
            self.query = page.query
        if page.kinds_id:
            self.kinds_id, self.kinds_options = page.kinds_id, page.kinds_options
        why = page.problem(self.empty_ok)
        return Run(kind, took, not why, why)

    async def _until_finished(self) -> Page:
        page = Page()
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await self.ws.recv())
            which = fm.WhichOneof("type")
            if which == "new_session":
                page.page_hash = fm.new_session.page_script_hash
                page.config = fm.new_session.config
            elif which == "page_info_changed":
                page.query = fm.page_info_changed.query_string
            elif which == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                t = el.WhichOneof("type")
                page.elements[t] = page.elements.get(t, 0) + 1
                if t == "exception":
                    page.exceptions.append(f"{el.exception.type}: {el.exception.message}")
                elif t == "html":
                    page.article = page.article or "article-text" in el.html.body
                    page.texts.append(el.html.body)
                elif t in ("markdown", "heading", "alert", "toast"):
                    page.texts.append(getattr(el, t).body)
                elif t == "multiselect" and el.multiselect.label == KINDS_LABEL:
                    page.kinds_id, page.kinds_options = el.multiselect.id, list(el.multiselect.options)
            elif which == "script_finished":
                page.status = fm.script_finished
                if page.status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return page

    def choose_kinds(self, rng: random.Random) -> None:
        options = [k for k in KIND_CHOICES if k in self.kinds_options] or self.kinds_options[:1]
        picked = rng.sample(options, rng.randint(1, len(options)))
        state = WidgetState(id=self.kinds_id)
        state.string_array_value.data.extend(sorted(picked))
        self.widgets[self.kinds_id] = state


def connect(base: str) -> websockets.connect:
    """A reader's websocket to a dashboard at `base` (http://127.0.0.1:PORT), as its page opens it."""
    ws_url = loopback_only(base).replace("http://", "ws://", 1) + "/_stcore/stream"
    return websockets.connect(
        ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=RUN_TIMEOUT, ping_interval=None
    )


def first_page(base: str, query: str = "", page_name: str = "", empty_ok: bool = False) -> tuple[Run, Page]:
    """One reader opens a link (a page and a query string) and reads its first run; then leaves."""

    async def go() -> tuple[Run, Page]:
        async with connect(base) as ws:
            reader = Reader(ws, query, page_name, empty_ok)
            run = await reader.run("first")
            return run, reader.last

    return run_async(go())


async def one_reader(
    base: str, query: str, think: tuple[float, float], changes: int, rng: random.Random, runs: list[Run],
    empty_ok: bool = False,
) -> None:  # fmt: skip
    started = time.perf_counter()
    try:
        async with connect(base) as ws:
            reader = Reader(ws, query, empty_ok=empty_ok)
            first = await reader.run("first")
            runs.append(first)
            if not first.ok or reader.kinds_id is None:
                return
            for _ in range(changes):  # bounded: a few changes, then the reader leaves
                await asyncio.sleep(rng.uniform(*think))
                reader.choose_kinds(rng)
                change = await reader.run("change")
                runs.append(change)
                if not change.ok:
                    return
    except (OSError, websockets.WebSocketException, TimeoutError) as exc:
        runs.append(Run("first", time.perf_counter() - started, False, f"{type(exc).__name__}: {exc}"))


def link(i: int, distinct: bool) -> str:
    """One shared link for everyone, or a different one per reader (a different cache entry each)."""
    start = date(2016, 1, 1) + timedelta(days=i % 900 if distinct else 0)
    return urllib.parse.urlencode({"from": start.isoformat()})


@dataclass
class Result:
    readers: int
    links: str
    think: str
    first: list[float]
    changes: list[float]
    failed: int
    failures: list[str]
    cpu_per_run_ms: float
    peak_mb: float
    after_mb: float
    wall: float

    def row(self) -> str:
        def q(xs: list[float], p: float) -> str:
            return f"{percentile(xs, p):.2f}" if xs else "–"

        return (
            f"| {self.readers} | {self.links} | {self.think} | {q(self.first, 50)} / {q(self.first, 95)} | "
            f"{q(self.changes, 50)} / {q(self.changes, 95)} | {len(self.first) + len(self.changes)} | "
            f"{self.failed} | {self.cpu_per_run_ms:.0f} | {self.peak_mb:.0f} | {self.after_mb:.0f} |"
        )


def percentile(xs: list[float], p: float) -> float:
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1] if p < 100 else max(xs)


async def _crowd(
    base: str, readers: int, distinct: bool, think: tuple[float, float], changes: int, seed: int
) -> list[Run]:
    runs: list[Run] = []
    rng = random.Random(seed)
    ramp = min(0.05 * readers, 5.0)  # readers arrive over a few seconds, as a shared link spreads
    tasks = []
    for i in range(readers):
        tasks.append(
            asyncio.create_task(
                _delayed(
                    rng.uniform(0, ramp),
                    base,
                    link(i, distinct),
                    think,
                    changes,
                    random.Random(seed + i),
                    runs,
                )
            )
        )
    await asyncio.gather(*tasks)
    return runs


async def _delayed(delay: float, *args: object) -> None:
    await asyncio.sleep(delay)
    await one_reader(*args)  # type: ignore[arg-type]


def crowd(
    base: str, pids: Sequence[int], readers: int, *, distinct: bool = False, think: str = "people",
    changes: int = 3, seed: int = 0, settle: float = 2.0,
) -> Result:  # fmt: skip
    """`readers` readers open a link, change filters `changes` times with think time, and leave."""
    base = loopback_only(base)
    with Sampler(pids) as sampler:
        cpu0, t0 = sampler.cpu(), time.perf_counter()
        runs = run_async(_crowd(base, readers, distinct, THINK[think], changes, seed))
        wall = time.perf_counter() - t0
        cpu = sampler.cpu() - cpu0
        # Memory once everyone has left and the server had a moment to drop their sessions.
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            time.sleep(0.1)
        after = sampler.rss_mb()
    done = [r for r in runs if r.ok]
    failed = [r for r in runs if not r.ok]
    return Result(
        readers, "distinct" if distinct else "one", think,
        [r.seconds for r in done if r.kind == "first"], [r.seconds for r in done if r.kind == "change"],
        len(failed), sorted({r.why for r in failed})[:3], 1000 * cpu / max(len(runs), 1),
        sampler.peak_mb, after, wall,
    )  # fmt: skip


def churn(
    base: str, pids: Sequence[int], total: int = 200, wave: int = 10, seed: int = 0
) -> tuple[float, float]:
    """Readers come and go in waves: memory after the first wave, and after all `total`."""
    first = last = 0.0
    for w in range(total // wave):
        crowd(base, pids, wave, distinct=True, think="impatient", changes=2, seed=seed + 1000 * w, settle=0.5)
        rss = sum(proc_rss_mb(p) for p in pids)
        if w == 0:
            first = rss
        last = rss
    return first, last


# --- servers -----------------------------------------------------------------------------------


@contextlib.contextmanager
def dashboard(
    data: Path | None = None, args: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """One `streamlit run` of the dashboard on a free loopback port, with the repository's configuration."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import streamlit_server  # noqa: PLC0415 - the tests' own server start

    OUT.mkdir(parents=True, exist_ok=True)
    extra = {"DASHBOARD_DATA": str(data)} if data else {}
    with streamlit_server(
        ROOT / "dashboard" / "app.py", {**extra, **(env or {})}, OUT / "load-server.log", args, timeout=600
    ) as srv:
        warm = crowd(srv.url, [srv.proc.pid], 1, think="impatient", changes=1)  # first load of the corpus
        if warm.failed:
            raise RuntimeError(f"the dashboard did not render: {warm.failures}")
        yield srv.url, srv.proc.pid


# --- the matrix that `make bench` runs ----------------------------------------------------------


HEADER = (
    "| readers | links | think time | first run p50 / p95 (s) | filter change p50 / p95 (s) | runs | failed "
    "| server CPU per run (ms) | peak memory (MB) | after all left (MB) |\n"
    "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def cpu_per_change(url: str, pid: int, changes: int = 25) -> float:
    """Whole-process server CPU per filter change: one reader, changes back to back (median of 3 rounds)."""
    per = []
    for seed in range(3):
        r = crowd(url, [pid], 1, think="impatient", changes=changes, seed=seed, settle=0)
        per.append(r.cpu_per_run_ms)
    return statistics.median(per)


STEPS = [
    ("Streamlit's defaults (file watcher, forced full collection after every run)",
     ["--server.fileWatcherType", "auto", "--runner.postScriptGC", "true"], {"CONTACT_ATLAS_GC_FREEZE": "0"}),
    ("+ no file watcher", ["--server.fileWatcherType", "none", "--runner.postScriptGC", "true"], {"CONTACT_ATLAS_GC_FREEZE": "0"}),
    ("+ the loaded catalog frozen out of the collector (gc.freeze)", ["--server.fileWatcherType", "none", "--runner.postScriptGC", "true"], {}),
    ("+ no forced collection after each run (the repository's configuration)", [], {}),
]  # fmt: skip


def steps_table(data: Path | None, label: str) -> list[str]:
    lines = [f"**{label}** — whole-process server CPU per filter change, one reader, 3 × 25 changes back to back "
             "(impatient think time), median of the three:", "",
             "| configuration | CPU per change (ms) | memory after (MB) |", "|---|---:|---:|"]  # fmt: skip
    for name, args, env in STEPS:
        with dashboard(data, args, env) as (url, pid):
            ms = cpu_per_change(url, pid)
            lines.append(f"| {name} | {ms:.0f} | {proc_rss_mb(pid):.0f} |")
            print(lines[-1], flush=True)
    return [*lines, ""]


def readers_table(
    url: str, pids: list[int], readers: list[int], links: Sequence[bool], changes: int,
    max_distinct: int | None = None, thinks: Sequence[str] = ("people", "impatient"),
) -> list[str]:  # fmt: skip
    out = [HEADER]
    for think in thinks:
        for distinct in links:
            for n in readers:
                if distinct and max_distinct is not None and n > max_distinct:
                    continue
                r = crowd(url, pids, n, distinct=distinct, think=think, changes=changes, seed=n)
                out.append(r.row())
                print(out[-1], r.failures, flush=True)
                out += [f"<!-- failures: {'; '.join(r.failures)} -->"] if r.failures else []
    return out


# Distinct links on a large corpus: each reader's first run is a new filter state, answered by new
# queries (0.3-0.5 s of CPU each at 1,000,000 events). Before the views were queries, 50 readers there
# took the server past 10 GB; the matrix still stops at 25 readers on a large corpus.
MAX_DISTINCT_LARGE = 25


def matrix(corpora: list[tuple[str, Path | None]], readers: list[int], quick: bool) -> list[str]:
    out: list[str] = []
    changes = 2
    churn_total = 60 if quick else 200
    for label, data in corpora:
        large = data is not None
        cap = MAX_DISTINCT_LARGE if large else None
        out += steps_table(data, label)
        out += [f"**{label}** — readers on one server (`streamlit run`, the repository's configuration), "
                f"{changes} filter changes each" + (f"; distinct links up to {cap} readers" if cap else "") + ":", ""]  # fmt: skip
        with dashboard(data) as (url, pid):
            out += readers_table(url, [pid], readers, (False, True), changes, cap)
            first, last = churn(url, [pid], total=churn_total)
            out += ["", f"Memory after the first 10 of {churn_total} readers came and went (waves of 10, distinct "
                    f"links): {first:.0f} MB; after all of them: {last:.0f} MB ({100 * (last - first) / first:+.1f} %).", ""]  # fmt: skip
            print(out[-2], flush=True)
    sys.path.insert(0, str(ROOT / "deploy"))
    import serve  # noqa: PLC0415 - deploy/serve.py, the documented command's own code

    label = corpora[0][0]
    out += [f"**{label}** — the same readers through nginx and two replicas (`make serve`), one link:", ""]
    with serve.cluster(2, data=str(corpora[0][1]) if corpora[0][1] else None) as (proxy, replicas):
        pids = [r.proc.pid for r in replicas]
        for r in replicas:  # each replica loads the corpus once before the readers come
            crowd(r.url, [r.proc.pid], 1, think="impatient", changes=1)
        out += readers_table(proxy.url, pids, readers, (False,), changes)
    return [*out, ""]


def write_results(lines: list[str]) -> None:
    results.write_section("load", lines)


def scale(corpora: list[tuple[str, Path | None]]) -> list[str]:
    """Per corpus: whole-process server CPU per filter change and the server's peak memory."""
    lines = [
        "## Scale: server CPU per filter change and peak memory (bench/load.py --scale)",
        "",
        "One server per corpus (`streamlit run`, the repository's configuration, its store already built); "
        "one reader changes the event kinds 3 × 25 times back to back (impatient think time); CPU is the "
        "whole server process's (every thread, DuckDB's included) per change, median of the three rounds; "
        "peak memory is the server's VmHWM after them, from its start.",
        "",
        "| corpus | CPU per filter change (ms) | peak memory (MB) | memory after (MB) |",
        "|---|---:|---:|---:|",
    ]
    for label, data in corpora:
        with dashboard(data) as (url, pid):
            ms = cpu_per_change(url, pid)
            lines.append(
                f"| {label} | {ms:.0f} | {proc_rss_mb(pid, 'VmHWM'):,.0f} | {proc_rss_mb(pid):,.0f} |"
            )
            print(lines[-1], flush=True)
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="a running dashboard on this machine (http://127.0.0.1:PORT)")
    ap.add_argument(
        "--pid", type=int, action="append", default=[], help="its server process id(s), for /proc"
    )
    ap.add_argument("--readers", type=int, default=10)
    ap.add_argument("--links", choices=["one", "distinct"], default="one")
    ap.add_argument("--think", choices=list(THINK), default="people")
    ap.add_argument("--changes", type=int, default=3, help="filter changes per reader (bounded)")
    ap.add_argument(
        "--matrix", action="store_true", help="run the benchmark matrix and update bench/RESULTS.md"
    )
    ap.add_argument("--quick", action="store_true", help="with --matrix: fewer readers and changes")
    ap.add_argument(
        "--big", default=str(OUT / "synth-1000000"), help="with --matrix: the 1,000,000-event corpus"
    )
    ap.add_argument(
        "--scale", nargs="*", metavar="N", type=int,
        help="server CPU per change and peak memory on the seed and synthetic corpora of these sizes "
        "(generated when missing); updates bench/RESULTS.md",
    )  # fmt: skip
    args = ap.parse_args(argv)
    if args.scale is not None:
        scaled: list[tuple[str, Path | None]] = [("bundled corpus (22 events)", None)]
        for n in args.scale:
            folder = OUT / f"synth-{n}"
            if not (folder / "synth.events.parquet").exists():
                subprocess.run(
                    [sys.executable, "-m", "dashboard", "synth", "--events", str(n), "--out", str(folder)],
                    check=True,
                    cwd=ROOT,
                )
            scaled.append((f"synthetic, {n:,} events", folder))
        results.write_section("scale", scale(scaled))
        return 0
    if args.matrix:
        corpora: list[tuple[str, Path | None]] = [("Bundled corpus (22 events)", None)]
        big = Path(args.big)
        if not (big / "synth.events.parquet").exists():
            subprocess.run(
                [sys.executable, "-m", "dashboard", "synth", "--events", "1000000", "--out", str(big)],
                check=True,
                cwd=ROOT,
            )
        corpora.append(("Synthetic corpus (1,000,000 events)", big))
        readers = [1, 10, 25] if args.quick else [1, 10, 25, 50, 100]
        lines = matrix(corpora, readers, args.quick)
        command = "bench/load.py --matrix" + (" --quick" if args.quick else "")
        write_results([f"## Many readers (`{command}`)", "", *lines])
        return 0
    if not args.url or not args.pid:
        ap.error("give --url and --pid, or --matrix")
    r = crowd(
        args.url,
        args.pid,
        args.readers,
        distinct=args.links == "distinct",
        think=args.think,
        changes=args.changes,
    )
    print(HEADER)
    print(r.row())
    for why in r.failures:
        print(f"failed: {why}")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
