"""One range of dates, 1800-01-01 to 2100-12-31: outside it a date is a named problem, inside it no page raises."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SEED_EVENTS, edit, editing
from streamlit.testing.v1 import AppTest

from dashboard import daterange
from dashboard.readers import bulk, corpus

EVENTS_FILE = SEED_EVENTS.relative_to(SEED_EVENTS.parents[1]).as_posix()
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["ui/explorer.py", "ui/events.py", "ui/add_article.py", "ui/about.py"]
VISIT = "kellogg-visits-belarus-2025"
QUOTE = "The meeting took place at the Palace of Independence"
RANGE = "outside the dates the data may hold, 1800-01-01 to 2100-12-31"


def test_the_range_is_the_documented_one() -> None:
    assert dt.date(1800, 1, 1) == daterange.EARLIEST
    assert dt.date(2100, 12, 31) == daterange.LATEST
    assert [
        daterange.in_range(dt.date(*d)) for d in ((1799, 12, 31), (1800, 1, 1), (2100, 12, 31), (2101, 1, 1))
    ] == [False, True, True, False]
    doc = (ROOT / "docs" / "DATA.md").read_text(encoding="utf-8")
    assert "1800-01-01 to 2100-12-31" in doc


def errors(c: corpus.Corpus) -> list[str]:
    return [str(p) for p in c.errors]


# --- curated YAML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fld", "shown"),
    [
        ("date: 2025-06-21\n", "date: 0999-06-21\n", "date", "0999-06-21"),
        ("date: 2025-06-21\n", "date: 1799-12-31\n", "date", "1799-12-31"),
        ("date: 2025-06-21\n", "date: 2101\n", "date", "2101"),
        ("date: 2025-06-21\n", "date: 9999-12\n", "date", "9999-12"),
        ("date: 2025-06-21\n", "date: 2025-06-21\n    until: 2101-01-01\n", "until", "2101-01-01"),
    ],
)
def test_an_event_dated_outside_the_range_is_named_and_skipped(
    data_copy: Path, cli, old: str, new: str, fld: str, shown: str
) -> None:
    edit(data_copy / EVENTS_FILE, old, new)
    c = corpus.load(data_copy)
    assert errors(c) == [
        next(
            m
            for m in errors(c)
            if re.fullmatch(rf"{re.escape(EVENTS_FILE)}:\d+: record {VISIT}: {fld}: {shown} is {RANGE}", m)
        )
    ], errors(c)
    line = c.errors[0].line
    assert (
        (data_copy / EVENTS_FILE).read_text(encoding="utf-8").splitlines()[line - 1].strip().startswith(fld)
    )
    assert VISIT not in set(c.events["id"])
    assert len(c.events) == 21  # the rest kept
    result = cli("validate", "--data", str(data_copy))
    assert result.code == 1
    assert f"record {VISIT}: {fld}: {shown} is {RANGE}" in result.out


def test_an_article_published_outside_the_range_is_named(data_copy: Path) -> None:
    edit(data_copy / EVENTS_FILE, "published: 2025-06-21", "published: 1799-06-21")
    c = corpus.load(data_copy)
    assert any(
        re.fullmatch(
            rf"{re.escape(EVENTS_FILE)}:\d+: record kellogg-lukashenko-minsk: published: 1799-06-21 is {RANGE}",
            m,
        )
        for m in errors(c)
    ), errors(c)
    assert "kellogg-lukashenko-minsk" not in c.articles


def test_a_role_dated_outside_the_range_is_named(data_copy: Path) -> None:
    edit(data_copy / "actors.yaml", "as_of: 2025-06-21", "as_of: 1066-10-14")
    c = corpus.load(data_copy)
    assert any(
        re.fullmatch(rf"actors\.yaml:\d+: record [a-z-]+: roles\[0\]\.as_of: 1066-10-14 is {RANGE}", m)
        for m in errors(c)
    ), errors(c)


def test_with_an_event_from_the_year_999_every_page_still_renders(data_copy: Path, monkeypatch) -> None:
    # Before: `validate` said ok, and every page raised on formatting the year.
    edit(data_copy / EVENTS_FILE, "date: 2025-06-21\n", "date: 0999-06-21\n")
    monkeypatch.setenv("DASHBOARD_DATA", str(data_copy))
    at = editing(monkeypatch, AppTest.from_file(APP, default_timeout=120))  # every page, Add article too
    at.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at.switch_page(PAGES[0]).run()
    assert any(" of 21 events" in m.value for m in at.markdown)
    assert any("1 record skipped" in e.label for e in at.expander)


# --- bulk Parquet -------------------------------------------------------------------------------


def bulk_event(eid: str, start: dt.date | None, end: dt.date, precision: str = "day") -> dict:
    return {"id": eid, "kind": "meeting", "summary": f"Meeting {eid}", "precision": precision, "start": start,
            "end": end, "place": "minsk", "attribution": "the article", "certainty": "confirmed"}  # fmt: skip


def write_bulk(root: Path, events: list[dict], link_dates: dict[str, dt.date] | None = None) -> None:
    def write(section: str, rows: list[dict]) -> None:
        sch = bulk.schema(section)
        table = pa.Table.from_pylist([{k: r.get(k) for k in sch.names} for r in rows], schema=sch)
        pq.write_table(table, root / f"x.{section}.parquet")

    write("events", events)
    write("participants", [{"event": e["id"], "actor": "keith-kellogg"} for e in events])
    srcs = [{"event": e["id"], "article": "kellogg-lukashenko-minsk", "start": 0, "end": 10} for e in events]
    for eid, d in (link_dates or {}).items():
        srcs.append({"event": eid, "url": "https://example.org/a", "outlet": "Example", "date": d})
    write("sources", srcs)


def test_bulk_dates_outside_the_range_are_named_by_file_row_and_field(data_copy: Path) -> None:
    day = dt.date(2025, 6, 21)
    write_bulk(
        data_copy,
        [
            bulk_event("b-ok", day, day),
            bulk_event("b-year-1", dt.date(1, 1, 1), day),  # GDELT's 00010101
            bulk_event("b-year-9999", day, dt.date(9999, 12, 31)),  # and 99991231
            bulk_event("b-unknown-1799", None, dt.date(1799, 12, 31), "unknown"),
            bulk_event("b-edge", dt.date(1800, 1, 1), dt.date(2100, 12, 31)),
            bulk_event("b-link", day, day),
        ],
        link_dates={"b-link": dt.date(2101, 1, 1), "b-ok": day},
    )
    pq.write_table(
        pa.table({"id": ["old-art"], "title": ["Old"], "publisher": ["P"], "published": [dt.date(1700, 1, 1)],
                  "text": ["Old text."]}),
        data_copy / "x.articles.parquet",
    )  # fmt: skip
    c = corpus.load(data_copy)
    got = errors(c)
    for want in (
        f"x.events.parquet:2: record b-year-1: start: 0001-01-01 is {RANGE}",
        f"x.events.parquet:3: record b-year-9999: end: 9999-12-31 is {RANGE}",
        f"x.events.parquet:4: record b-unknown-1799: end: 1799-12-31 is {RANGE}",
        f"x.sources.parquet:7: record b-link: date: 2101-01-01 is {RANGE}",
        f"x.articles.parquet:1: record old-art: published: 1700-01-01 is {RANGE}",
    ):
        assert want in got, got
    ids = set(c.events["id"])
    assert {"b-ok", "b-edge", "b-link"} <= ids  # b-link keeps its span source; the bad link row goes
    assert not {"b-year-1", "b-year-9999", "b-unknown-1799"} & ids
    assert len(c.events) == 22 + 3
    assert "old-art" not in c.articles


# --- inside the range, at its ends: no page raises --------------------------------------------

EXTREMES = """\
article: kellogg-lukashenko-minsk
events:
"""
EXTREME_DATES = {
    "at-1800-01-01": "date: 1800-01-01",
    "at-2100-12-31": "date: 2100-12-31",
    "same-day-span": "date: 2100-12-31\n    until: 2100-12-31",
    "until-equals-date": "date: 1800-01-01\n    until: 1800-01-01",
    "year-1800": "date: 1800",
    "month-2100-12": "date: 2100-12",
    "whole-range": "date: 1800\n    until: 2100",
    "unknown-by-1800": "date: unknown\n    until: 1800-01-01",
}


@pytest.fixture(scope="module")
def extreme_data(tmp_path_factory) -> Path:
    """The seed, with curated events and bulk rows at the ends of the range, and an article of 1800."""
    import shutil  # noqa: PLC0415

    from conftest import DATA  # noqa: PLC0415

    root = tmp_path_factory.mktemp("extremes") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    text = EXTREMES + "".join(
        f"  - id: {eid}\n    kind: meeting\n    summary: Meeting {eid}\n    {when}\n"
        f"    participants: [{{actor: keith-kellogg}}, {{actor: alexander-lukashenko}}]\n"
        f"    place: minsk\n    origin: washington\n    sources: [{{quote: '{QUOTE}'}}]\n"
        f"    attribution: the article\n    certainty: confirmed\n"
        for eid, when in EXTREME_DATES.items()
    )
    text += (
        "articles:\n  - {id: old-article, title: An old article, publisher: Old, published: 1800-01-01, "
        "text: old.txt}\n"
    )
    (root / "articles" / "extremes.yaml").write_text(text, encoding="utf-8")
    (root / "articles" / "old.txt").write_text("An old text.", encoding="utf-8")
    lo, hi = daterange.EARLIEST, daterange.LATEST
    write_bulk(
        root,
        [
            bulk_event("bulk-first-day", lo, lo),
            bulk_event("bulk-last-day", hi, hi),
            bulk_event("bulk-whole-range", lo, hi, "year"),
            bulk_event("bulk-unknown", None, lo, "unknown"),
        ],
        link_dates={"bulk-first-day": lo, "bulk-last-day": hi},
    )
    c = corpus.load(root)
    assert not c.errors, errors(c)
    assert len(c.events) == 22 + len(EXTREME_DATES) + 4
    return root


LINKS = [
    {},
    {"from": "1800-01-01", "to": "2100-12-31"},
    {"from": "2100-12-31"},
    {"to": "1800-01-01"},
    {"from": "1799-12-31", "to": "2101-01-01"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    {"from": "2100-12-31", "to": "1800-01-01"},
    {"event": "at-1800-01-01", "lanes": "actor"},
    {"event": "bulk-whole-range", "from": "1800-01-01"},
    {"event": "same-day-span", "to": "2100-12-31"},
]


@pytest.mark.parametrize("link", LINKS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "none")
def test_no_page_raises_on_the_ends_of_the_range(
    extreme_data: Path, monkeypatch, link: dict[str, str]
) -> None:
    monkeypatch.setenv("DASHBOARD_DATA", str(extreme_data))
    at = editing(monkeypatch, AppTest.from_file(APP, default_timeout=120))  # every page, Add article too
    for k, v in link.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    said = " ".join(m.value for m in at.markdown)
    assert re.search(r"\d+ of 34 events", said), said
    beyond = [
        v for k, v in link.items() if k in ("from", "to") and not daterange.in_range(dt.date.fromisoformat(v))
    ]
    if beyond:  # a link beyond the range says so and opens without that date
        assert any("outside 1800–2100" in w.value for w in at.warning), [w.value for w in at.warning]
    else:  # a link at the ends of the range keeps its dates
        assert not any("outside" in w.value for w in at.warning), [w.value for w in at.warning]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert len(at.sidebar.multiselect) >= 5


def test_bulk_dates_written_as_timestamps_with_a_time_zone_are_read_and_checked(data_copy: Path) -> None:
    day = dt.date(2025, 6, 21)
    write_bulk(data_copy, [bulk_event("b-tz", day, day), bulk_event("b-tz-far", day, day)])
    events = pq.read_table(data_copy / "x.events.parquet")
    ts = pa.timestamp("us", tz="Europe/Minsk")
    far = pa.array([dt.datetime(2025, 6, 21, 12), dt.datetime(2200, 1, 1, 12)], ts)
    events = events.set_column(events.schema.get_field_index("end"), "end", far)
    midnight = pa.array([dt.datetime(2025, 6, 21, tzinfo=ZoneInfo("Europe/Minsk"))] * 2, ts)
    events = events.set_column(events.schema.get_field_index("start"), "start", midnight)
    pq.write_table(events, data_copy / "x.events.parquet")
    c = corpus.load(data_copy)  # before: the loader raised on a time zone
    assert errors(c) == [f"x.events.parquet:2: record b-tz-far: end: 2200-01-01 is {RANGE}"] + [
        m for m in errors(c) if "unknown event 'b-tz-far'" in m
    ], errors(c)
    assert "b-tz" in set(c.events["id"])
    # Midnight of 21 June in Minsk is 21 June, not the UTC day before.
    assert str(c.events.loc[c.events["id"] == "b-tz", "start"].iloc[0].date()) == "2025-06-21"


@pytest.fixture(scope="module")
def spread_data(tmp_path_factory) -> Path:
    """Past the timeline's MAX_MARKS, dated from the first day of the range to its last: binned by year."""
    import shutil  # noqa: PLC0415

    from conftest import DATA  # noqa: PLC0415

    root = tmp_path_factory.mktemp("spread") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    lo, hi, n = daterange.EARLIEST, daterange.LATEST, 700
    days = [lo + dt.timedelta(days=round(i * (hi - lo).days / (n - 1))) for i in range(n)]
    write_bulk(root, [bulk_event(f"spread-{i}", d, d) for i, d in enumerate(days)])
    return root


@pytest.mark.parametrize("link", [{}, {"from": "1800-01-01", "to": "1800-12-31"}, {"from": "2100-12-31"}])
def test_no_page_raises_when_the_timeline_bins_the_whole_range(spread_data: Path, monkeypatch, link) -> None:
    from dashboard import atlas, filters  # noqa: PLC0415
    from dashboard.views import timeline  # noqa: PLC0415

    a = atlas.open_atlas(spread_data)
    assert timeline.timeline_data(a, filters.Filters(), 0).binned == "year"
    monkeypatch.setenv("DASHBOARD_DATA", str(spread_data))
    at = editing(monkeypatch, AppTest.from_file(APP, default_timeout=120))  # every page, Add article too
    for k, v in link.items():
        at.query_params[k] = v
    at.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at.switch_page(PAGES[0]).run()
    assert any(re.search(r"\d+ of 722 events", m.value) for m in at.markdown)


# --- bulk dates, whatever type each file stores them as -----------------------------------------

D = dt.date
# One events file per type `start` and `end` may be stored as: each row's date, and what validate says.
TYPED: dict[str, tuple[pa.DataType, list[tuple[object, str | None]]]] = {
    "tss": (pa.timestamp("s"), [(dt.datetime(1, 1, 1), f"start: 0001-01-01 is {RANGE}"),
                                (dt.datetime(9999, 12, 30), f"start: 9999-12-30 is {RANGE}"),
                                (dt.datetime(1970, 1, 1), None)]),
    # 10:00 UTC on 30 December is already 31 December on Kiritimati (UTC+14): inside the range.
    "tz": (pa.timestamp("ms", tz="Pacific/Kiritimati"),
           [(dt.datetime(2099, 12, 30, 10, tzinfo=dt.UTC), None)]),
    "str": (pa.string(), [("2025-06-21", None), ("2025-02-30", "start: missing or not a date"),
                          ("2025-6-21", "start: missing or not a date"),
                          ("1799-12-31", f"start: 1799-12-31 is {RANGE}"), ("21/06/2025", "start: missing or not a date")]),
    "d64": (pa.date64(), [(D(2025, 6, 21), None), (D(1700, 1, 1), f"start: 1700-01-01 is {RANGE}")]),
    # Noon of 21 June 2025, as milliseconds: its day; and milliseconds no date can count to.
    "d64ms": (pa.date64(), [(1_750_507_200_000, None)]),
    "tsfar": (pa.timestamp("ms"), [(10**18, "start: missing or not a date"),
                                  (-(2**63), "start: missing or not a date")]),
    "int": (pa.int64(), [(20250621, None)]),  # the whole file is refused: a number is no date
}  # fmt: skip
REFUSED = [
    f"int.events.parquet: {f}: must hold dates ({bulk.DATE_TYPES}), not int64" for f in ("end", "start")
]


def write_typed(root: Path, name: str) -> None:
    typ, rows = TYPED[name]
    ids = [f"{name}-{i}" for i in range(1, len(rows) + 1)]
    values = pa.array([r[0] for r in rows], typ)
    base = [bulk_event(i, None, None) for i in ids]
    sch = bulk.schema("events")
    events = pa.Table.from_pylist([{k: r.get(k) for k in sch.names} for r in base], schema=sch)
    for col in ("start", "end"):
        events = events.set_column(sch.get_field_index(col), col, values)
    pq.write_table(events, root / f"{name}.events.parquet")
    for section, recs in (
        ("participants", [{"event": i, "actor": "keith-kellogg"} for i in ids]),
        (
            "sources",
            [{"event": i, "article": "kellogg-lukashenko-minsk", "start": 0, "end": 10} for i in ids],
        ),
    ):
        pq.write_table(
            pa.Table.from_pylist(recs, schema=bulk.schema(section, recs[0])),
            root / f"{name}.{section}.parquet",
        )


def typed_results(c: corpus.Corpus, name: str) -> tuple[list[str], set[str]]:
    return sorted(e for e in errors(c) if e.startswith(f"{name}.events.")), {
        i for i in c.events["id"] if i.startswith(f"{name}-")
    }


def test_bulk_dates_of_every_type_are_read_per_file_alone_or_together(data_copy: Path, cli) -> None:
    together = data_copy
    alone = {}
    for name in TYPED:
        root = data_copy.parent / f"only-{name}"
        shutil.copytree(data_copy, root)
        write_typed(root, name)
        alone[name] = typed_results(corpus.load(root), name)
    for name in TYPED:
        write_typed(together, name)
    c = corpus.load(together)
    for name, (_, rows) in TYPED.items():
        got = typed_results(c, name)
        assert got == alone[name], name  # the same, whatever other files are there
        if name == "int":
            assert got == (REFUSED, set()), got
            continue
        want = sorted(
            f"{name}.events.parquet:{n}: record {name}-{n}: {m}" for n, (_, m) in enumerate(rows, 1) if m
        )
        assert got == (want, {f"{name}-{n}" for n, (_, m) in enumerate(rows, 1) if not m}), name
    starts = dict(zip(c.events["id"], c.events["start"].dt.date, strict=True))
    assert (starts["tss-3"], starts["tz-1"], starts["d64-1"]) == (
        D(1970, 1, 1),
        D(2099, 12, 31),
        D(2025, 6, 21),
    )
    r = cli("validate", "--data", str(together))
    assert r.code == 1
    assert "tss.events.parquet:3: record tss-3" not in r.out
    assert set(REFUSED) <= set(r.out.splitlines())
