"""Hand-written records are capped in length as imported ones are, and an over-long value is named.

A name, title or label holds at most 200 characters, a link 2,048, a summary,
note or quote 2,000 (`dashboard/model.py`). An editor's file with one value
over its cap loses that record alone, with a problem naming the file, the
record and the field; every other article, actor and event still loads.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from dashboard import drafting
from dashboard.drafting.proposal import Meta
from dashboard.model import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, URL_MAX_LENGTH
from dashboard.readers import corpus

BALTIC = ROOT / "tests" / "corpora" / "baltic"
FILE = "baltic/baltic.yaml"
KYIV = "places:\n  - {id: kyiv, name: Kyiv, kind: city, country: UKR, lat: 50.45466, lon: 30.5238}\n"
NAME = "a name, title or label"
NOTE = "a summary, note or quote"


@pytest.fixture
def baltic_data(tmp_path: Path) -> Path:
    """The Baltic corpus (three articles, five events) and, in another file, the place it travels from."""
    data = tmp_path / "data"
    shutil.copytree(BALTIC, data / "baltic")
    (data / "kyiv.yaml").write_text(KYIV, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> corpus.Corpus:
    data = tmp_path_factory.mktemp("whole") / "data"
    shutil.copytree(BALTIC, data / "baltic")
    (data / "kyiv.yaml").write_text(KYIV, encoding="utf-8")
    return corpus.load(data)


def rewrite(data: Path, change) -> None:
    path = data / FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10**6), encoding="utf-8")


def record(doc: dict, section: str, rid: str) -> dict:
    return next(r for r in doc[section] if r["id"] == rid)


# (section, record, field as a problem names it, how to set it, its cap, what the cap is for)
CASES = [
    ("articles", "vilnius-talks", "title", lambda r, v: r.update(title=v), NAME_MAX_LENGTH, NAME),
    ("articles", "vilnius-talks", "publisher", lambda r, v: r.update(publisher=v), NAME_MAX_LENGTH, NAME),
    ("articles", "riga-visit", "url", lambda r, v: r.update(url="https://example.org/" + v[20:]),
     URL_MAX_LENGTH, "a link"),
    ("actors", "andrzej-duda", "name", lambda r, v: r.update(name=v), NAME_MAX_LENGTH, NAME),
    ("actors", "andrzej-duda", "aliases[0]", lambda r, v: r.update(aliases=[v]), NAME_MAX_LENGTH, NAME),
    ("places", "tallinn", "name", lambda r, v: r.update(name=v), NAME_MAX_LENGTH, NAME),
    ("events", "duda-logistics-hub", "summary", lambda r, v: r.update(summary=v), NOTE_MAX_LENGTH, NOTE),
    ("events", "duda-logistics-hub", "note", lambda r, v: r.update(note=v), NOTE_MAX_LENGTH, NOTE),
    ("events", "duda-logistics-hub", "attribution", lambda r, v: r.update(attribution=v), NAME_MAX_LENGTH, NAME),
    ("events", "duda-logistics-hub", "sources[0].quote", lambda r, v: r["sources"][0].update(quote=v),
     NOTE_MAX_LENGTH, NOTE),
    ("events", "duda-logistics-hub", "participants[0].role", lambda r, v: r["participants"][0].update(role=v),
     NAME_MAX_LENGTH, NAME),
]  # fmt: skip
IDS = [f"{c[0]}-{c[2]}" for c in CASES]


@pytest.mark.parametrize(("section", "rid", "fld", "put", "cap", "what"), CASES, ids=IDS)
def test_an_over_long_value_is_named_and_costs_its_record_alone(
    baltic_data, whole, section, rid, fld, put, cap, what
) -> None:
    assert not whole.problems
    rewrite(baltic_data, lambda doc: put(record(doc, section, rid), "x" * (cap + 1)))
    c = corpus.load(baltic_data)
    over = [p for p in c.errors if p.field == fld]
    assert len(over) == 1, [str(p) for p in c.errors]
    p = over[0]
    assert (p.file, p.record) == (FILE, rid)
    assert p.message == f"{cap + 1:,} characters; {what} holds at most {cap:,}: shorten it"
    # Nothing else is lost: every other record of its section, and the other articles' events.
    kept = getattr(c, section) if section != "events" else set(c.events["id"])
    assert set(kept) == set(getattr(whole, section) if section != "events" else whole.events["id"]) - {rid}
    assert c.places["kyiv"] == whole.places["kyiv"]  # and the other file's records
    if section == "events":
        assert len(c.articles) == len(whole.articles)


# One field of each cap (a quote is the article's own words: none of 2,000 characters is in these texts).
AT_CAP = [c for c in CASES if c[2] in ("title", "url", "summary")]


@pytest.mark.parametrize(
    ("section", "rid", "fld", "put", "cap", "what"), AT_CAP, ids=[f"{c[0]}-{c[2]}" for c in AT_CAP]
)
def test_a_value_at_its_cap_loads(baltic_data, section, rid, fld, put, cap, what) -> None:
    rewrite(baltic_data, lambda doc: put(record(doc, section, rid), "x" * cap))
    c = corpus.load(baltic_data)
    assert [str(p) for p in c.errors if p.record == rid] == []


# The one-line fields: names, titles, labels and links (a summary or quote may run over lines).
ONE_LINE = [c for c in CASES if c[5] != NOTE]


@pytest.mark.parametrize(
    "char",
    ["\n", "\t", "\x00", "\u2028", "\u202e"],
    ids=["newline", "tab", "nul", "line-sep", "rtl-override"],
)
@pytest.mark.parametrize(
    ("section", "rid", "fld", "put", "cap", "what"), ONE_LINE, ids=[f"{c[0]}-{c[2]}" for c in ONE_LINE]
)
def test_a_name_or_link_holding_a_line_break_is_named_and_costs_its_record_alone(
    baltic_data, whole, section, rid, fld, put, cap, what, char
) -> None:
    """A line break in a name would split its label on the map and its cell's line in a spreadsheet."""
    rewrite(baltic_data, lambda doc: put(record(doc, section, rid), "x" * 20 + "Two" + char + "lines"))
    c = corpus.load(baltic_data)
    bad = [p for p in c.errors if p.field == fld]
    assert len(bad) == 1, [str(p) for p in c.errors]
    assert (bad[0].file, bad[0].record) == (FILE, rid)
    assert bad[0].message == f"holds the control character U+{ord(char):04X}; {what} is one line of text"
    # The record alone is refused (what refers to it is then named too, as the over-long test checks).
    assert {p.record for p in c.errors if p.file == FILE and p.field == fld} == {rid}


def test_a_summary_may_run_over_lines(baltic_data) -> None:
    rewrite(baltic_data, lambda doc: record(doc, "events", "duda-logistics-hub").update(summary="One.\nTwo."))
    c = corpus.load(baltic_data)
    assert c.errors == []
    assert "duda-logistics-hub" in set(c.events["id"])


def test_validate_names_the_file_the_record_and_the_field(baltic_data, whole, cli) -> None:
    events = len(whole.events)
    rewrite(baltic_data, lambda doc: record(doc, "events", "duda-logistics-hub").update(summary="y" * 5000))
    r = cli("validate", "--data", str(baltic_data))
    assert r.code == 1
    line = next(x for x in r.out.splitlines() if "summary" in x)
    assert line.startswith(f"{FILE}:")
    assert line.endswith(
        ": record duda-logistics-hub: summary: 5,000 characters; a summary, note or quote holds at most 2,000:"
        " shorten it"
    )
    assert "Traceback" not in r.out + r.err
    assert f"{events - 1} events" in r.out.splitlines()[-1]  # the valid records, all the others


@pytest.mark.parametrize(
    ("meta", "why"),
    [
        ({"title": "t" * 201}, "the title is 201 characters; it may hold at most 200"),
        ({"publisher": "p" * 201}, "the publisher is 201 characters; it may hold at most 200"),
        (
            {"url": "https://example.org/" + "u" * 2100},
            "the address is 2,120 characters; it may hold at most 2,048",
        ),
        ({"title": "Talks\nin Minsk"}, "the title holds the control character U\\+000A; give it on one line"),
        (
            {"publisher": "Test\tWire"},
            "the publisher holds the control character U\\+0009; give it on one line",
        ),
        (
            {"url": "https://example.org/a\u2028b"},
            "the address holds the control character U\\+2028; give it on one line",
        ),
    ],
)
def test_a_draft_with_an_over_long_title_publisher_or_address_is_refused_before_saving(meta, why) -> None:
    given = {"title": "Talks in Minsk", "publisher": "Test Wire", "published": dt.date(2025, 6, 21)} | meta
    with pytest.raises(drafting.DraftError, match=f"^{why}$"):
        drafting.draft("Kellogg met Lukashenko in Minsk on Saturday.", Meta(**given), {}, {})
