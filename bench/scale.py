"""News scale at interactive speed: new views on one server at 1, 10 and 100 million events.

    .venv/bin/python bench/scale.py                          # what `make bench` runs
    .venv/bin/python bench/scale.py --sizes 1000000 --links 40

Not part of the test suite. For each size (skipped, with the reason, when the disk lacks room for
it, estimated from the largest corpus and store measured before it in the run):

- the synthetic corpus (`python -m dashboard synth`, kept in bench/out/synth-N between runs);
- the store build: `python -m dashboard build`, wall time and the process's peak memory (stopped,
  and reported as such, past a time limit or when it would take the machine's memory);
- one server (`streamlit run`, the repository's configuration, as bench/load.py starts it), then,
  over Streamlit's websocket protocol (bench/load.py's reader): (a) one reader opening new links
  one after another — one to three event kinds, sometimes a country, sometimes a start date, each
  link different from every other, so no cache answers — with the whole server process's CPU per
  page run from /proc; (b) 100 readers arriving over 30 s, each opening a link no one opened
  before; (c) the server's peak memory (VmHWM);
- in Chromium (bench/run.py's harness): cold starts beside the one-chart floor, interleaved, and
  at every size the repaint after a filter change;
- at --day-size: a day of GDELT (bench/imports.py's generated files, 115,200 rows) imported into
  the corpus's folder, then appended to its store: `python -m dashboard append --data DIR` or
  `python -m dashboard build --data DIR --append`, whichever the command line offers; when it
  offers neither, "not available", and what the day costs without it (the whole store rebuilt).

Everything is one run, on 127.0.0.1 only; every loop is bounded in count and time; servers are
stopped by their process id. Writes the "news-scale" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

import load  # noqa: E402 - bench/load.py: the websocket reader, /proc, the server start
import results  # noqa: E402 - bench/results.py

OUT = ROOT / "bench" / "out"
SECTION = "news-scale"
# One-to-three kinds from the synthetic corpus's taxonomy (dashboard/synth.py's KIND_WEIGHTS).
KINDS = ("meeting", "visit", "statement", "report", "intent", "mediation", "military_support",
         "intelligence_sharing", "military_exercise", "use_of_force")  # fmt: skip
# Kinds the server's warm-up reader (bench/load.py's `dashboard`) may choose, with no other filter.
WARMED = {k.lower() for k in load.KIND_CHOICES}
FIRST_DAY, DAYS = date(2016, 1, 1), 3650  # start dates a link may ask for: the synthetic corpus's years
CROWD, CROWD_OVER = 100, 30.0  # readers, and the seconds over which they arrive (the issue's)
DEFAULT_SIZES = "1000000,10000000,100000000"
# Bytes of corpus plus store per event when nothing was measured yet in the run (synth-1000000 and
# its store here: 38 MB and 139 MB); the store is written beside the old one, hence twice.
BYTES_PER_EVENT = 40 + 2 * 140
NOW_1M = {  # the "now" column: 1,000,000 synthetic events, one server, this machine
    "cpu": "461 ms",
    "one": "233 / 727 ms",
    "crowd": "271 / 1,437 ms, 0 failed",
    "peak": "595 MB",
}


# --- links no one opened before ----------------------------------------------------------------


def links(n: int, countries: Sequence[str], seed: int = 0) -> list[str]:
    """`n` different query strings: one to three event kinds, sometimes a country, sometimes a start
    date. The same seed gives the same links; none repeats, so no cache on the server answers one."""
    rng = random.Random(seed)
    countries = sorted(countries)
    seen: set[str] = set()
    out: list[str] = []
    for _ in range(20 * n + 100):  # bounded: the space (175 kind sets × countries × days) is far larger
        if len(out) == n:
            break
        params: dict[str, list[str]] = {"kind": sorted(rng.sample(KINDS, rng.randint(1, 3)))}
        if countries and rng.random() < 0.4:
            params["country"] = [rng.choice(countries)]
        if rng.random() < 0.5:  # never the first day: a start there excludes nothing, the same view as none
            params["from"] = [(FIRST_DAY + timedelta(days=rng.randrange(1, DAYS))).isoformat()]
        if len(params) == 1 and set(params["kind"]) <= WARMED:
            continue  # a view the server's warm-up may have opened
        query = urllib.parse.urlencode(params, doseq=True)
        if query not in seen:
            seen.add(query)
            out.append(query)
    if len(out) < n:
        raise RuntimeError(f"only {len(out)} different links of {n}")
    return out


def corpus_countries(data: Path) -> list[str]:
    """Countries a link may name: those of the corpus's places (the synthetic actors' come from them;
    in another folder, those of its bulk places files, a news-scale one's say)."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    files = [data / "synth.places.parquet"] if (data / "synth.places.parquet").is_file() else []
    return sorted(
        {
            c
            for f in files or sorted(data.glob("**/*.places.parquet"))
            for c in pq.read_table(f, columns=["country"])[0].to_pylist()
            if c
        }
    )


# --- processes, measured -------------------------------------------------------------------------


@dataclass
class Measured:
    wall: float
    peak_mb: float
    ok: bool
    why: str = ""
    output: str = ""


def measured(cmd: list[str], log: Path, timeout: float, max_mb: float) -> Measured:
    """Run `cmd`, sampling its memory; stop it (by pid) past `timeout` seconds or `max_mb` resident."""
    t0 = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        peak, why = 0.0, ""
        while proc.poll() is None:
            try:
                rss = load.proc_rss_mb(proc.pid)
                peak = max(peak, load.proc_rss_mb(proc.pid, "VmHWM"))
            except OSError:
                rss = 0.0
            if time.perf_counter() - t0 > timeout:
                why = f"stopped after {timeout:.0f} s (the time limit)"
            elif rss > max_mb:
                why = f"stopped at {rss:,.0f} MB resident (the limit: {max_mb:,.0f} MB, the machine's free memory)"
            if why:
                proc.kill()
                proc.wait(timeout=30)
                break
            time.sleep(0.2)
    wall = time.perf_counter() - t0
    text = log.read_text(errors="replace")
    if not why and proc.returncode != 0:
        why = f"exit {proc.returncode}: {text.strip().splitlines()[-1] if text.strip() else ''}"[:300]
    return Measured(wall, peak, not why, why, text)


def mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", *args]


# --- one server: new views, one reader and a crowd -------------------------------------------------


@dataclass
class Views:
    seconds: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cpu_ms: float = float("nan")  # whole-process server CPU per page run
    script_cpu_ms: float = float("nan")  # of which the script's own thread (the app's timing log)
    busy: float = float("nan")  # server CPU over wall time, in cores
    wall: float = 0.0


def one_reader(url: str, pid: int, queries: list[str], log: Path, budget: float) -> Views:
    """One reader opens each link in turn (a new tab each time) and reads its first run."""
    import run  # noqa: PLC0415 - bench/run.py: the app's own timing lines

    v = Views()
    before = len(run.reruns(log, cpu=True))
    cpu0, t0 = load.proc_cpu(pid), time.perf_counter()
    for q in queries:  # bounded by the count and by `budget` seconds
        if time.perf_counter() - t0 > budget:
            v.failed.append(
                f"time budget ({budget:.0f} s) reached after {len(v.seconds) + len(v.failed)} links"
            )
            break
        r, _ = load.first_page(url, q, empty_ok=True)
        (v.seconds.append(r.seconds) if r.ok else v.failed.append(f"{q}: {r.why}"))
    time.sleep(0.5)  # the last session's teardown and timing line
    runs = len(v.seconds) + len(v.failed)
    v.wall = time.perf_counter() - t0
    v.cpu_ms = 1000 * (load.proc_cpu(pid) - cpu0) / max(runs, 1)
    script = run.reruns(log, cpu=True)[before:]
    v.script_cpu_ms = statistics.mean(script) if script else float("nan")
    return v


def crowd(url: str, pid: int, queries: list[str], over: float, seed: int = 0) -> Views:
    """`len(queries)` readers arrive at random over `over` seconds, each opening its own link once."""
    rng = random.Random(seed)
    delays = sorted(rng.uniform(0, over) for _ in queries)

    async def arrive(delay: float, q: str, runs: list[load.Run]) -> None:
        await asyncio.sleep(delay)
        await load.one_reader(url, q, load.THINK["impatient"], 0, random.Random(0), runs, empty_ok=True)

    async def everyone() -> list[load.Run]:
        runs: list[load.Run] = []
        await asyncio.gather(*(arrive(d, q, runs) for d, q in zip(delays, queries, strict=True)))
        return runs

    cpu0, t0 = load.proc_cpu(pid), time.perf_counter()
    runs = load.run_async(everyone())  # each run is bounded by load.RUN_TIMEOUT
    v = Views(wall=time.perf_counter() - t0)
    v.cpu_ms = 1000 * (load.proc_cpu(pid) - cpu0) / max(len(runs), 1)
    v.busy = (load.proc_cpu(pid) - cpu0) / v.wall
    v.seconds = [r.seconds for r in runs if r.ok]
    v.failed = [r.why for r in runs if not r.ok] + [f"{len(queries) - len(runs)} readers never ran"] * (
        len(runs) < len(queries)
    )
    return v


def pct(xs: list[float], p: float) -> float:
    return load.percentile(sorted(xs), p) if xs else float("nan")


# --- one size ---------------------------------------------------------------------------------------


@dataclass
class Size:
    events: int
    skipped: str = ""
    corpus: str = ""  # how the corpus came to be: generated (time, memory) or reused
    corpus_bytes: int = 0
    build: Measured | None = None
    store_bytes: int = 0
    one: Views | None = None
    many: Views | None = None
    peak_mb: float = float("nan")
    starts: list[float] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    first_run: list[float] = field(default_factory=list)
    repaints: list[float] = field(default_factory=list)
    rerun: list[float] = field(default_factory=list)
    day: str = ""  # the incremental day, as a sentence
    day_s: float = float("nan")
    day_ok: bool | None = None
    load: list[float] = field(default_factory=list)  # the machine's 1-minute load average, at each step


def corpus_for(n: int, s: Size, max_mb: float) -> Path:
    data = OUT / f"synth-{n}"
    if (data / "synth.events.parquet").exists():
        s.corpus = "reused from an earlier run"
    else:
        shutil.rmtree(data, ignore_errors=True)
        print(f"generating {n:,} events …", flush=True)
        m = measured(
            cli("synth", "--events", str(n), "--out", str(data)), OUT / f"synth-{n}.log", 6 * 3600, max_mb
        )
        if not m.ok:
            raise RuntimeError(f"synth {n:,}: {m.why}")
        s.corpus = f"generated in {m.wall:.0f} s, peak {m.peak_mb:,.0f} MB"
    s.corpus_bytes = sum(p.stat().st_size for p in data.glob("*.parquet"))
    return data


def build(data: Path, s: Size, timeout: float, max_mb: float) -> bool:
    import run  # noqa: PLC0415 - bench/run.py

    from dashboard import folder  # noqa: PLC0415

    run.drop_stores(data)
    print(f"building the store of {s.events:,} events …", flush=True)
    s.build = measured(cli("build", "--data", str(data)), OUT / f"build-{s.events}.log", timeout, max_mb)
    s.store_bytes = du(folder.cache_dir(data))
    print(f"  {s.build.wall:.1f} s, peak {s.build.peak_mb:,.0f} MB {s.build.why}", flush=True)
    return s.build.ok


def serve(data: Path, s: Size, n_links: int, budget: float) -> None:
    """One server: new views one after another, then a crowd of new views; its peak memory."""
    every = links(n_links + CROWD, corpus_countries(data), seed=s.events)
    log = OUT / "load-server.log"  # where load.dashboard's server writes
    with load.dashboard(data, env={"CONTACT_ATLAS_TIMING": "1"}) as (url, pid):
        print(f"one reader, {n_links} new links …", flush=True)
        s.one = one_reader(url, pid, every[:n_links], log, budget)
        print(
            f"  p50 {pct(s.one.seconds, 50):.3f} s, CPU {s.one.cpu_ms:.0f} ms/run, {len(s.one.failed)} failed",
            flush=True,
        )
        print(f"{CROWD} readers over {CROWD_OVER:.0f} s …", flush=True)
        s.many = crowd(url, pid, every[n_links:], CROWD_OVER, seed=s.events)
        print(
            f"  p50/p95 {pct(s.many.seconds, 50):.2f} / {pct(s.many.seconds, 95):.2f} s, {len(s.many.failed)} failed",
            flush=True,
        )
        s.peak_mb = load.proc_rss_mb(pid, "VmHWM")


def compare_gate(data: Path, n: int = CROWD, over: float = CROWD_OVER, seed: int = 7) -> list[str]:
    """The same crowd of new links on a server that runs every page at once (CONTACT_ATLAS_RUNS=1024)
    and on one that queues them beyond one a core (the default, dashboard/gate.py), one after the other."""
    qs = links(n, corpus_countries(data), seed=seed)
    out = []
    for label, env in (("every run at once (CONTACT_ATLAS_RUNS=1024)", {"CONTACT_ATLAS_RUNS": "1024"}),
                       ("one run a core, the rest queued (the default)", {})):  # fmt: skip
        with load.dashboard(data, env=env) as (url, pid):
            v = crowd(url, pid, qs, over, seed=1)
        out.append(
            f"| {label} | {pct(v.seconds, 50) * 1000:,.0f} / {pct(v.seconds, 95) * 1000:,.0f} ms | {len(v.failed)} "
            f"| {v.cpu_ms:,.0f} ms | {v.busy:.2f} | {os.getloadavg()[0]:.1f} |"
        )
        print(out[-1], flush=True)
    return [
        f"{n} readers over {over:.0f} s, each opening its own new link once, on {data.name}'s store "
        f"(`bench/scale.py --compare-gate`):",
        "",
        "| server | p50 / p95 | failed | CPU a view | cores busy | load (1 min) after |",
        "|---|---:|---:|---:|---:|---:|",
        *out,
    ]


def browser_runs(data: Path, s: Size, browser: object, repeats: int, changes: int, work: Path) -> None:
    """Cold starts of the dashboard and of the one-chart floor, interleaved; filter changes repainted."""
    import run  # noqa: PLC0415 - bench/run.py

    floor = run.floor_targets(work)[1]
    dash = run.Target(f"synthetic {s.events:,}", ROOT / "dashboard" / "app.py", "dashboard",
                      {"DASHBOARD_DATA": str(data)}, s.events)  # fmt: skip
    for r in range(repeats):  # interleaved, so drift on a shared machine hits both alike
        print(f"cold starts {r + 1}/{repeats} …", flush=True)
        run.cold_start(browser, floor, work / f"floor-{r}.log", filter_changes=0)
        run.cold_start(browser, dash, work / f"dash-{s.events}-{r}.log", filter_changes=changes)
    s.floors, s.starts, s.first_run = floor.starts, dash.starts, dash.first_run
    s.repaints, s.rerun = dash.repaints, dash.reruns


def append_command(data: Path) -> list[str] | None:
    """How this command line appends to a store, if it does."""
    top = subprocess.run(cli("--help"), cwd=ROOT, capture_output=True, text=True, check=False).stdout
    if "append" in top.split("{", 1)[-1].split("}", 1)[0].split(","):
        return cli("append", "--data", str(data))
    b = subprocess.run(cli("build", "--help"), cwd=ROOT, capture_output=True, text=True, check=False).stdout
    if "--append" in b:
        return cli("build", "--data", str(data), "--append")
    return None


def day(data: Path, s: Size, timeout: float, max_mb: float) -> None:
    """A day of GDELT into the corpus's folder, then into its store: appended, or (without append) rebuilt."""
    import imports  # noqa: PLC0415 - bench/imports.py: GDELT-shaped files, the import measured
    import run  # noqa: PLC0415

    # The loader reads bulk runs in path order and an append takes only runs that sort after the
    # store's (docs/DATA.md, `build --append`); the synthetic corpus's files are `synth.*` at the
    # top of the folder, so the day goes under `updates/`, which sorts after them, as a later run would.
    into = data / "updates" / "gdelt-day"
    try:
        files = imports.generate(0, 1200)
        imp = imports.import_days(files, into)
        command = append_command(data)
        if command is None:
            m = measured(cli("build", "--data", str(data)), OUT / f"day-{s.events}.log", timeout, max_mb)
            s.day_ok = False
            s.day = (f"not available (the command line has no `append`); the day's import took {imp['wall']:.1f} s "
                     f"({imp['rows']:,} rows, {imp['imported']:,} events), and without append the store is rebuilt "
                     f"with it: " + (f"{m.wall:.0f} s, peak {m.peak_mb:,.0f} MB" if m.ok else m.why))  # fmt: skip
            s.day_s = m.wall if m.ok else float("nan")
            return
        m = measured(command, OUT / f"day-{s.events}.log", timeout, max_mb)
        s.day_s, s.day_ok = (m.wall if m.ok else float("nan")), m.ok
        shown = " ".join(["python", *(str(Path(x).relative_to(ROOT)) if x.startswith(str(ROOT)) else x
                                      for x in command[1:])])  # fmt: skip
        s.day = (f"`{shown}`: " + (f"{m.wall:.1f} s, peak {m.peak_mb:,.0f} MB" if m.ok else m.why)
                 + f" (the day's import before it: {imp['wall']:.1f} s, {imp['rows']:,} rows, {imp['imported']:,} events)")  # fmt: skip
    finally:
        shutil.rmtree(into.parent, ignore_errors=True)
        run.drop_stores(data)  # the store with the day in it is not the corpus the next run measures


# --- the report ---------------------------------------------------------------------------------------


def ms(x: float) -> str:
    return "–" if x != x else f"{1000 * x:,.0f}"  # noqa: PLR0124 - NaN


def verdict(value: float, limit: float, unit: str, fmt: str = "{:,.0f}") -> str:
    if value != value:  # noqa: PLR0124 - NaN: not measured
        return "not measured"
    shown = fmt.format(value) + f" {unit}"
    if value <= limit:
        return f"met ({shown})"
    return f"**missed** by {fmt.format(value - limit)} {unit} ({shown}, {value / limit:.1f}× the limit)"


def report(sizes: list[Size], took: float, command: str) -> list[str]:

    def row(label: str, now: str, cell) -> str:
        return (
            f"| {label} | {now} | "
            + " | ".join(cell(s) if not s.skipped else "skipped" for s in sizes)
            + " |"
        )

    def q(v: Views | None) -> str:
        return "–" if not v or not v.seconds else f"{ms(pct(v.seconds, 50))} / {ms(pct(v.seconds, 95))} ms"

    def build_cell(s: Size) -> str:
        b = s.build
        return "–" if not b else (f"{b.wall:,.1f} s, {b.peak_mb:,.0f} MB" if b.ok else f"failed: {b.why}")

    def start_cell(s: Size) -> str:
        if not s.starts or not s.floors:
            return "–"
        return f"{statistics.median(s.starts):.2f} s ({statistics.median(s.starts) / statistics.median(s.floors):.2f}× the floor's {statistics.median(s.floors):.2f} s)"

    lines = [
        f"## Scale: news at interactive speed (`{command}`)",
        "",
        f"One run, {time.strftime('%Y-%m-%d')}, {took / 60:.0f} minutes, this two-core machine. Per size: the "
        "synthetic corpus, its store built by `python -m dashboard build`, then one server (`streamlit run`, "
        "the repository's configuration) read over Streamlit's websocket protocol with links no one opened "
        "before (one to three event kinds, sometimes a country, sometimes a start date; each link different, so "
        "no cache answers). CPU is the whole server process's (every thread) from /proc, per page run; the "
        "script's own thread in brackets (the app's timing log). The 100 readers arrive at random over 30 s, "
        "each opening its own link once. Then Chromium: cold starts beside the one-chart floor, interleaved, "
        "and filter changes repainted (bench/run.py's harness). The \"now\" column is the issue's, at "
        "1,000,000 events.",
        "",
        "| | now (1,000,000) | " + " | ".join(f"{s.events:,}" for s in sizes) + " |",
        "|---|---:|" + "---:|" * len(sizes),
        row("one reader: server CPU per new view (script thread)", NOW_1M["cpu"],
            lambda s: f"{s.one.cpu_ms:,.0f} ms ({s.one.script_cpu_ms:,.0f})" if s.one else "–"),
        row("one reader: page run p50 / p95", NOW_1M["one"], lambda s: q(s.one)),
        row(f"{CROWD} readers over {CROWD_OVER:.0f} s: p50 / p95, failed", NOW_1M["crowd"],
            lambda s: f"{q(s.many)}, {len(s.many.failed)} failed" if s.many else "–"),
        row("server peak memory", NOW_1M["peak"], lambda s: f"{s.peak_mb:,.0f} MB" if s.peak_mb == s.peak_mb else "–"),
        row("store build: wall, peak memory", "", build_cell),
        row("corpus / store on disk", "", lambda s: f"{s.corpus_bytes / 1e6:,.0f} / {s.store_bytes / 1e6:,.0f} MB"),
        row("cold start in Chromium", "", start_cell),
        row("filter change repainted (server rerun)", "",
            lambda s: f"{statistics.median(s.repaints):.2f} s ({ms(statistics.median(s.rerun) / 1000) if s.rerun else '–'} ms)" if s.repaints else "–"),
        row("a day of GDELT appended", "", lambda s: s.day or "–"),
        "",
    ]  # fmt: skip
    for s in sizes:
        if s.skipped:
            lines.append(f"- {s.events:,}: skipped — {s.skipped}.")
        else:
            fails = (s.one.failed if s.one else []) + (s.many.failed if s.many else [])
            shared = ", ".join(f"{x:.1f}" for x in s.load)
            lines.append(
                f"- {s.events:,}: corpus {s.corpus}."
                + (
                    f" The machine's load average (1 min) at each step: {shared}, on 2 cores."
                    if shared
                    else ""
                )
                + (f" Failures: {'; '.join(sorted(set(fails))[:3])}." if fails else "")
            )
    lines += ["", "**Targets**", "", "| target | size | verdict | what the run shows |", "|---|---:|---|---|"]
    for s in sizes:
        if s.skipped:
            lines.append(f"| every target | {s.events:,} | not measured | {s.skipped} |")
            continue
        lines += targets(s)
    lines += ["", f"Took {took / 60:.0f} min."]
    return lines


def targets(s: Size) -> list[str]:
    n = s.events
    rows: list[tuple[str, str, str]] = []
    if s.one:
        cpu_limit = 50 if n <= 1_000_000 else 100
        rest = s.one.cpu_ms - s.one.script_cpu_ms
        rows.append((f"server CPU per new view ≤ {cpu_limit} ms", verdict(s.one.cpu_ms, cpu_limit, "ms"),
                     f"the script's own thread {s.one.script_cpu_ms:,.0f} ms; the rest ({rest:,.0f} ms) is the "
                     "engine's threads and Streamlit's session work"))  # fmt: skip
    if s.one and s.many:
        p95_one, p95_many = pct(s.one.seconds, 95), pct(s.many.seconds, 95)
        limit = min(2 * p95_one, 1.0)
        rows.append((f"{CROWD} readers: 0 failed", "met" if not s.many.failed else f"**missed**: {len(s.many.failed)} failed",
                     "; ".join(sorted(set(s.many.failed))[:2]) or ""))  # fmt: skip
        rows.append(("100 readers: p95 ≤ 2× one reader's p95 and ≤ 1 s",
                     verdict(1000 * p95_many, 1000 * limit, "ms") if s.many.seconds else "**missed**: no page finished",
                     f"limit {1000 * limit:,.0f} ms (one reader's p95 {1000 * p95_one:,.0f} ms); the server was busy "
                     f"{s.many.busy:.2f} of 2 cores while they came, {s.many.cpu_ms:,.0f} ms CPU a view"))  # fmt: skip
    if s.peak_mb == s.peak_mb:
        limit = 500 if n <= 1_000_000 else 1024
        rows.append(
            (f"server peak memory ≤ {limit:,} MB", verdict(s.peak_mb, limit, "MB"), "VmHWM after both")
        )
    if s.build:
        limit = 10 if n <= 1_000_000 else 90 if n <= 10_000_000 else 900
        value = s.build.wall if s.build.ok else float("nan")
        rows.append((f"store built ≤ {limit} s", verdict(value, limit, "s", "{:,.1f}") if s.build.ok else f"**missed**: {s.build.why}",
                     f"peak {s.build.peak_mb:,.0f} MB; corpus {s.corpus_bytes / 1e6:,.0f} MB → store {s.store_bytes / 1e6:,.0f} MB"))  # fmt: skip
    if s.day:
        if s.day.startswith("not available"):
            v = "**missed**: no append"
        elif s.day_s != s.day_s:
            v = "**missed**: failed"
        else:
            v = verdict(s.day_s, 10, "s", "{:,.1f}")
        rows.append(("a day of GDELT appended ≤ 10 s", v, s.day))
    if s.repaints and n == 1_000_000:
        rep, rerun = (
            statistics.median(s.repaints),
            statistics.median(s.rerun) / 1000 if s.rerun else float("nan"),
        )
        rows.append(("repaint after a filter change ≤ 0.5 s", verdict(1000 * rep, 500, "ms"),
                     f"the server's rerun {ms(rerun)} ms of it; the browser's part {ms(rep - rerun)} ms"))  # fmt: skip
    if s.starts and s.floors:
        floor, start = statistics.median(s.floors), statistics.median(s.starts)
        first = statistics.median(s.first_run) / 1000 if s.first_run else float("nan")
        rows.append(("cold start ≤ 1.25× the one-chart floor", verdict(start / floor, 1.25, "×", "{:.2f}"),
                     f"{start:.2f} s against {floor:.2f} s; the first script run {ms(first)} ms of it"))  # fmt: skip
    return [f"| {name} | {n:,} | {v} | {why} |" for name, v, why in rows]


# --- main ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="event counts, comma-separated")
    ap.add_argument("--links", type=int, default=40, help="new links the one reader opens (bounded)")
    ap.add_argument(
        "--cold-repeats", type=int, default=3, help="cold starts of the dashboard and of the floor"
    )
    ap.add_argument("--changes", type=int, default=4, help="filter changes repainted per cold start")
    ap.add_argument("--day-size", type=int, default=10_000_000, help="the size a day of GDELT is appended to")
    ap.add_argument("--no-browser", action="store_true", help="skip Chromium (cold start, repaint)")
    ap.add_argument("--compare-gate", action="store_true",
                    help="only the crowd at the first size, every run at once beside one a core (its store built)")  # fmt: skip
    args = ap.parse_args(argv)
    if args.compare_gate:
        print("\n".join(compare_gate(OUT / f"synth-{int(args.sizes.split(',')[0])}")))
        return 0
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [Size(int(x)) for x in args.sizes.split(",") if x]
    per_event = float(BYTES_PER_EVENT)
    work = Path(tempfile.mkdtemp(prefix="contact-atlas-scale-"))
    pw = browser = None
    if not args.no_browser:
        from browser import CHROMIUM_ARGS, chromium_path  # noqa: PLC0415 - tests/browser.py
        from playwright.sync_api import sync_playwright  # noqa: PLC0415

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    try:
        for s in sizes:
            n = s.events
            data = OUT / f"synth-{n}"
            have = (data / "synth.events.parquet").exists()
            need = per_event * n * (0.8 if have else 1.0)  # the corpus is there already: only the store
            free = shutil.disk_usage(OUT).free
            if need > 0.9 * free:
                s.skipped = (f"the disk has {free / 1e9:,.0f} GB free; this size needs about {need / 1e9:,.0f} GB "
                             f"(corpus and store, twice the store while it is rebuilt: {per_event:,.0f} bytes an event)")  # fmt: skip
                print(f"{n:,}: {s.skipped}", flush=True)
                continue
            max_mb = 0.9 * mem_available_mb()
            data = corpus_for(n, s, max_mb)
            limit = 900 if n > 10_000_000 else 600
            s.load.append(os.getloadavg()[0])
            if not build(data, s, timeout=4 * limit, max_mb=max_mb):
                continue
            per_event = (
                max(per_event, (s.corpus_bytes + 2 * s.store_bytes) / n) if n >= 1_000_000 else per_event
            )
            s.load.append(os.getloadavg()[0])
            serve(data, s, args.links, budget=max(120.0, 10.0 * args.links))
            s.load.append(os.getloadavg()[0])
            if browser is not None:
                browser_runs(data, s, browser, args.cold_repeats, args.changes, work)
                s.load.append(os.getloadavg()[0])
            if n == args.day_size:
                print("a day of GDELT …", flush=True)
                day(data, s, timeout=1800, max_mb=max_mb)
                s.load.append(os.getloadavg()[0])
                print(f"  {s.day}", flush=True)
    finally:
        if browser is not None:
            browser.close()
            pw.stop()
        shutil.rmtree(work, ignore_errors=True)
    command = "bench/scale.py" + ("" if args.sizes == DEFAULT_SIZES else f" --sizes {args.sizes}")
    lines = report(sizes, time.perf_counter() - started, command)
    results.write_section(SECTION, lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
