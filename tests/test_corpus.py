"""The seed corpus as coded, and the loader's validation of broken records."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from conftest import DATA, SEED_EVENTS, edit

from dashboard.model import TAXONOMY, EventDate, PartialDate, Precision
from dashboard.readers import corpus

ARTICLE = "kellogg-lukashenko-minsk"
SEED_SHA256 = "d0182b0fe4a31f61d6b723f27afaeb0a2fce30d367ae3400e1070906758544b0"


def event(c: corpus.Corpus, eid: str) -> dict:
    rows = c.events[c.events["id"] == eid].to_dict("records")
    assert rows, f"no event {eid}"
    return rows[0]


# --- the seed corpus -----------------------------------------------------------------


def test_seed_article_is_stored_byte_for_byte() -> None:
    raw = (DATA / "articles" / f"{ARTICLE}.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SEED_SHA256


def test_seed_loads_without_problems(seed: corpus.Corpus) -> None:
    assert [str(p) for p in seed.problems] == []
    assert len(seed.events) == 22
    assert set(seed.places) >= {"minsk", "kyiv", "moscow", "washington"}
    assert seed.articles[ARTICLE].url is None  # none came with the article


def test_every_quote_equals_the_article_at_its_span(seed: corpus.Corpus) -> None:
    assert len(seed.sources) >= len(seed.events)
    # The loader located every quote from the data file; re-read them and compare with the spans.
    written = {}
    for ev in yaml.safe_load(SEED_EVENTS.read_text(encoding="utf-8"))["events"]:
        written[ev["id"]] = [src["quote"] for src in ev["sources"]]
    spans = {}
    for s in seed.sources.to_dict("records"):
        spans.setdefault(s["event"], []).append(seed.texts[s["article"]][s["start"] : s["end"]])
    assert spans == written


@pytest.mark.parametrize(
    ("eid", "precision", "start", "end"),
    [
        ("kellogg-visits-belarus-2025", "day", "2025-06-21", "2025-06-21"),
        ("us-prisoner-release-visit-2025-02", "month", "2025-02-01", "2025-02-28"),
        ("pompeo-visits-belarus-2020", "year", "2020-01-01", "2020-12-31"),
        ("invasion-launched-from-belarus", "year", "2022-01-01", "2022-12-31"),
        ("lower-level-us-visits-since-2020", "year", "2020-01-01", "2025-06-21"),
        ("kellogg-sees-step-to-talks", "unknown", None, "2025-06-21"),
    ],
)
def test_dates_keep_the_articles_precision(seed, eid, precision, start, end) -> None:
    ev = event(seed, eid)
    assert ev["precision"] == precision
    got_start = None if ev["start"] is None or str(ev["start"]) == "NaT" else str(ev["start"].date())
    assert (got_start, str(ev["end"].date())) == (start, end)


def test_hedged_events_are_never_confirmed(seed: corpus.Corpus) -> None:
    hedges = re.compile(r"reportedly|citing sources|told Reuters|according to", re.I)
    quotes = seed.sources.assign(quote=seed.quotes(seed.sources))
    hedged = set(quotes.loc[quotes["quote"].str.contains(hedges), "event"])
    assert hedged >= {"kellogg-thanks-and-warns", "kellogg-sees-step-to-talks", "lukashenko-notes-attention"}
    certainty = dict(zip(seed.events["id"], seed.events["certainty"], strict=True))
    assert {certainty[e] for e in hedged} <= {"reported", "claimed"}
    assert set(seed.events["certainty"]) == {"confirmed", "reported", "claimed"}


def test_the_visit_travels_from_washington_to_minsk(seed: corpus.Corpus) -> None:
    ev = event(seed, "kellogg-visits-belarus-2025")
    assert (ev["origin"], ev["place"], ev["kind"], ev["cameo"]) == ("washington", "minsk", "visit", "04")
    parts = seed.participants[seed.participants["event"] == ev["id"]]
    assert set(parts["actor"]) == {"keith-kellogg", "alexander-lukashenko"}


def test_every_kind_has_a_cameo_root_code() -> None:
    for kind in TAXONOMY.values():
        assert re.fullmatch(r"(0[1-9]|1\d|20)", kind.cameo), kind


@pytest.mark.parametrize(
    ("text", "label"),
    [("2025-06-21", "21 June 2025"), ("2025-02", "February 2025"), ("2020", "2020")],
)
def test_date_labels_read_as_the_article_wrote_them(text: str, label: str) -> None:
    p = PartialDate.parse(text)
    assert EventDate(precision=p.precision, start=p.first, end=p.last).label() == label
    assert EventDate(precision=Precision.UNKNOWN, start=None, end=None).label() == "date unknown"


# --- validation: every error names file, record and field ------------------------------

VISIT = "kellogg-visits-belarus-2025"
VISIT_QUOTE = "US Special Envoy for Ukraine Keith Kellogg met with Belarusian President"
EVENTS_FILE = "articles/kellogg-lukashenko-minsk.yaml"

CASES = [
    # (name, file, old, new, record, field, message fragment)
    ("impossible date", EVENTS_FILE, "date: 2025-02\n", "date: 2025-02-30\n",
     "us-prisoner-release-visit-2025-02", "date", "not a real date"),
    ("malformed date", EVENTS_FILE, "date: 2020\n", "date: spring 2020\n",
     "pompeo-visits-belarus-2020", "date", "is not a date"),
    ("until before date", EVENTS_FILE, "date: 2020\n    until: 2025-06-21", "date: 2020\n    until: 2019",
     "lower-level-us-visits-since-2020", "until", "before the event's date"),
    ("precision disagrees", EVENTS_FILE, "date: 2025-02\n", "date: 2025-02\n    precision: day\n",
     "us-prisoner-release-visit-2025-02", "precision", "written at month precision"),
    ("unknown geo precision", EVENTS_FILE, "place: minsk\n", "place: minsk\n    geo_precision: street\n",
     VISIT, "geo_precision", "'site', 'city', 'region' or 'country'"),
    ("unknown kind", EVENTS_FILE, "kind: visit\n", "kind: summit\n", VISIT, "kind", "'meeting'"),
    ("unknown certainty", EVENTS_FILE, "certainty: claimed\n", "certainty: likely\n",
     "lukashenko-notes-attention", "certainty", "'confirmed', 'reported' or 'claimed'"),
    ("unknown actor", EVENTS_FILE, "{actor: mike-pompeo, role: visitor}", "{actor: mike-pompeo-x, role: visitor}",
     "pompeo-visits-belarus-2020", "participants[0].actor", "unknown actor 'mike-pompeo-x'"),
    ("unknown place", EVENTS_FILE, "place: minsk\n", "place: minks\n", VISIT, "place", "unknown place 'minks'"),
    ("unknown origin", EVENTS_FILE, "origin: washington\n", "origin: washingtom\n", VISIT, "origin",
     "unknown place 'washingtom'"),
    ("unknown article", EVENTS_FILE, f'quote: "{VISIT_QUOTE}',
     f'article: no-such-article\n        quote: "{VISIT_QUOTE}', VISIT, "sources[0].article",
     "unknown article 'no-such-article'"),
    ("duplicate id", EVENTS_FILE, "id: pompeo-visits-belarus-2020", f"id: {VISIT}", VISIT, "id", "duplicate id"),
    ("span outside article", EVENTS_FILE, f'quote: "{VISIT_QUOTE}',
     f'start: 5000\n        end: 5010\n        quote: "{VISIT_QUOTE}', VISIT, "sources[0].quote",
     "outside article"),
    ("quote not at its span", EVENTS_FILE, f'quote: "{VISIT_QUOTE}',
     f'start: 0\n        end: 10\n        quote: "{VISIT_QUOTE}', VISIT, "sources[0].quote",
     "does not equal the article's text at 0–10"),
    ("quote not found", EVENTS_FILE, "Keith Kellogg met with", "Keith Kellogg dined with", VISIT,
     "sources[0].quote", "quote not found"),
    ("quote ambiguous", EVENTS_FILE, '"served as a logistics hub"', '"Belarus"', "belarus-logistics-hub",
     "sources[0].quote", "ambiguous: it occurs"),
    ("occurrence past the last", EVENTS_FILE, '"served as a logistics hub"',
     '"served as a logistics hub"\n        occurrence: 2', "belarus-logistics-hub", "sources[0].quote",
     "occurs 1 time"),
    ("misspelt field", EVENTS_FILE, "attribution: Euromaidan Press", "atribution: Euromaidan Press",
     "euromaidan-reports-meeting", "atribution", "unknown field"),
    # an unknown field inside a source lists the source's fields, not its event's
    ("misspelt field in a source", EVENTS_FILE, f'quote: "{VISIT_QUOTE}', f'url: https://example.org\n        quote: "{VISIT_QUOTE}',
     VISIT, "sources[0].url", "unknown field; expected one of quote, article, occurrence, start, end"),
    ("missing field", "actors.yaml", "    kind: media\n    country: GBR\n", "    country: GBR\n",
     "reuters", "kind", "Field required"),
    ("bad country code", "places.yaml", "country: UKR\n", "country: Ukraine\n", "kyiv", "country", "pattern"),
    ("unknown parent", "places.yaml", "parent: minsk", "parent: minks", "palace-of-independence", "parent",
     "unknown place 'minks'"),
    ("missing text file", EVENTS_FILE, "text: kellogg-lukashenko-minsk.txt", "text: missing.txt",
     ARTICLE, "text", "not found"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "old", "new", "record", "field", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_a_broken_record_is_named_and_skipped(data_copy, file, old, new, record, field, fragment) -> None:
    edit(data_copy / file, old, new)
    c = corpus.load(data_copy)
    messages = [str(p) for p in c.errors]
    expected = re.compile(rf"^{re.escape(file)}:\d+: record {re.escape(record)}: {re.escape(field)}")
    hits = [m for m in messages if expected.match(m) and fragment in m]
    assert hits, f"no error like {file}: record {record}: {field}: …{fragment}… in {messages}"


def test_one_broken_event_leaves_every_other_event(data_copy: Path) -> None:
    edit(data_copy / EVENTS_FILE, "date: 2025-02\n", "date: 2025-02-30\n")
    c = corpus.load(data_copy)
    assert len(c.errors) == 1
    assert len(c.events) == 21
    assert "us-prisoner-release-visit-2025-02" not in set(c.events["id"])


def test_malformed_yaml_names_the_line(data_copy: Path) -> None:
    path = data_copy / "actors.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5] + " ]: oops"  # line 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    c = corpus.load(data_copy)
    yaml_errors = [str(e) for e in c.errors if e.file == "actors.yaml"]
    assert len(yaml_errors) == 1
    assert re.match(r"actors\.yaml:6: not valid YAML", yaml_errors[0]), yaml_errors
    # The actors are gone, so events naming them are reported, not silently kept.
    assert len(c.events) == 0
    assert all(re.fullmatch(r"participants\[\d\]\.actor", e.field or "") for e in c.errors if e.record)


def test_ambiguous_quote_resolves_with_occurrence(data_copy: Path) -> None:
    edit(data_copy / EVENTS_FILE, '"served as a logistics hub"', '"Belarus"\n        occurrence: 3')
    c = corpus.load(data_copy)
    assert not c.errors
    src = c.sources[c.sources["event"] == "belarus-logistics-hub"].iloc[0]
    text = c.texts[ARTICLE]
    third = [m.start() for m in re.finditer("Belarus", text)][2]
    assert (src["start"], src["end"]) == (third, third + len("Belarus"))


def test_a_second_corpus_loads_from_the_documented_format(tmp_path: Path) -> None:
    """Written only from docs/DATA.md: one file with everything, and a text file."""
    (tmp_path / "story.txt").write_text("Leaders met in Kiev in March 2024. They spoke.", encoding="utf-8")
    (tmp_path / "story.yaml").write_text(
        """
articles:
  - {id: story, title: A story, publisher: Example Times, published: 2024-03-02, text: story.txt}
actors:
  - {id: leader-a, name: Leader A, kind: person, country: UKR}
places:
  - {id: kyiv, name: Kyiv, aliases: [Kiev], kind: city, country: UKR, lat: 50.45, lon: 30.52}
article: story
events:
  - id: leaders-meet
    kind: meeting
    summary: Leaders meet in Kyiv.
    date: 2024-03
    participants: [{actor: leader-a}]
    place: kyiv
    sources: [{quote: Leaders met in Kiev in March 2024.}]
    attribution: the article
    certainty: confirmed
""",
        encoding="utf-8",
    )
    c = corpus.load(tmp_path)
    assert not c.problems
    assert list(c.events["id"]) == ["leaders-meet"]
    assert c.coords["kyiv"].lat == 50.45
