"""Untrusted text reaches every renderer escaped, once, by dashboard.escape — and never as Markdown."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from conftest import ROOT, SEED_EVENTS, edit
from streamlit.testing.v1 import AppTest

from dashboard import atlas, escape, export, figures, filters
from dashboard.readers import corpus
from dashboard.ui import html
from dashboard.views import article, timeline
from dashboard.views import map as map_view

APP = str(ROOT / "dashboard" / "app.py")
ALL = filters.Filters()
VISIT = "kellogg-visits-belarus-2025"
EVENTS_FILE = SEED_EVENTS.relative_to(SEED_EVENTS.parents[1])
# Each of these renders as something other than itself when it reaches Markdown, HTML or Plotly.
HOSTILE_NAME = "Keith [x](https://evil.example) **Kellogg** :red[alarm] <b>&amp;</b>"
HOSTILE_SUMMARY = 'Talks on $1 billion and $2 billion in aid; =HYPERLINK("https://evil.example")'


def hostile_corpus(data: Path) -> corpus.Corpus:
    edit(data / "actors.yaml", "name: Keith Kellogg", f"name: '{HOSTILE_NAME}'")
    edit(
        data / EVENTS_FILE,
        "summary: US envoy Keith Kellogg visits Belarus, the most senior US engagement with it in years.",
        f"summary: '{HOSTILE_SUMMARY}'",
    )
    c = corpus.load(data)
    assert not c.errors, c.errors
    return c


def test_the_details_card_never_reads_untrusted_text_as_markdown(data_copy: Path, monkeypatch) -> None:
    hostile_corpus(data_copy)
    monkeypatch.setenv("DASHBOARD_DATA", str(data_copy))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["event"] = VISIT
    at.run(timeout=60)
    assert not at.exception
    # Rendered by the app, the hostile strings appear nowhere as Markdown source …
    for m in [*at.markdown, *at.caption]:
        assert "evil.example" not in m.value
        assert "$1 billion" not in m.value
    # … and in the card's HTML only as escaped text: no link, no bold, no colour, no maths.
    card = next(h.proto.body for h in at.html if "details-card" in h.proto.body)
    assert escape.html_text(HOSTILE_SUMMARY) in card
    assert escape.html_text("Keith [x](https://evil.example) **Kellogg** :red[alarm] <b>&amp;</b>") in card
    assert "<a " not in card
    assert "<b>&amp;</b>" not in card
    # The keyboard list's buttons (Streamlit reads a label as Markdown) escape it for Markdown.
    listed = next(b for b in at.button if b.key == f"list-{VISIT}")
    assert "\\$1 billion and \\$2 billion" in listed.label
    assert "$1" not in listed.label.replace("\\$1", "")
    assert 'HYPERLINK\\("https\\:\u2060//evil\\.example"\\)' in listed.label  # a word joiner: no autolink


def test_markdown_text_escapes_everything_markdown_or_streamlit_would_read() -> None:
    out = escape.markdown_text(HOSTILE_NAME + " $x$ `c` # h")
    unescaped = re.findall(r"(?<!\\)[\[\]()*:$`#<>&]", out)
    assert unescaped == []
    assert escape.markdown_text("two\nlines  and   spaces") == "two lines and spaces"


def two_paragraphs(tmp: Path) -> atlas.Atlas:
    """A two-paragraph article: one quote runs over the break, two others overlap."""
    (tmp / "story.txt").write_text(
        "Leaders met in Kyiv. The talks ended late.\nThey agreed to meet again. Nothing else.",
        encoding="utf-8",
    )
    (tmp / "story.yaml").write_text(
        """
articles:
  - {id: story, title: A story, publisher: Example Times, published: 2024-03-02, text: story.txt}
actors:
  - {id: leader-a, name: Leader A, kind: person, country: UKR}
article: story
events:
  - {id: across, kind: meeting, summary: "Talks <i>across</i> the break", date: 2024-03, participants: [{actor: leader-a}],
     sources: [{quote: "The talks ended late.\\nThey agreed"}], attribution: the article, certainty: confirmed}
  - {id: first, kind: meeting, summary: First, date: 2024-03, participants: [{actor: leader-a}],
     sources: [{quote: "Leaders met in Kyiv. The talks"}], attribution: the article, certainty: confirmed}
""",
        encoding="utf-8",
    )
    c = atlas.open_atlas(tmp)
    assert not c.problems, c.problems
    return c


def test_a_quote_across_a_paragraph_break_stays_marked_after_the_break(tmp_path: Path) -> None:
    c = two_paragraphs(tmp_path)
    out = html.article_html(article.article_text(c, filters.Filters(event="across"), "story"))
    paragraphs = re.findall(r"<p>(.*?)</p>", out, re.S)
    assert len(paragraphs) == 2
    assert re.search(r'<mark class="ev selected"[^>]*> ended late\.</mark>', paragraphs[0])
    assert re.search(r'<mark class="ev selected"[^>]*>They agreed</mark>', paragraphs[1])  # after the break


def test_overlapping_spans_tooltips_hold_no_markup(tmp_path: Path) -> None:
    c = two_paragraphs(tmp_path)
    out = html.article_html(article.article_text(c, filters.Filters(), "story"))
    titles = re.findall(r'title="([^"]*)"', out)
    assert "Talks &lt;i&gt;across&lt;/i&gt; the break\nFirst" in titles  # " The talks" is cited by both
    assert all("<p>" not in t and "</p>" not in t and "&lt;/p&gt;" not in t for t in titles)
    assert out.count("<p>") == 2


def test_plotly_labels_and_hovers_show_names_as_written(data_copy: Path) -> None:
    c = hostile_corpus(data_copy)
    # Renamed, so pinned: the geocode cache would call the new name stale.
    edit(
        data_copy / "places.yaml",
        "name: Minsk\n",
        "name: 'Minsk <i>x</i> & co'\n    lat: 53.9\n    lon: 27.57\n",
    )
    c = atlas.open_atlas(data_copy)
    f = filters.Filters(lanes="actor")
    tdata = timeline.timeline_data(c, f, 0)
    spec = figures.timeline_figure(tdata).to_dict()
    ticks = spec["layout"]["yaxis"]["ticktext"]
    assert escape.plotly_text(HOSTILE_NAME) in ticks
    assert HOSTILE_NAME not in ticks
    mspec = figures.map_figure(map_view.map_data(c, f, c.events)).to_dict()
    labels = [
        t for tr in mspec["data"] for t in (tr.get("text") or []) if isinstance(t, str) and "Minsk" in t
    ]
    assert labels == ["Minsk &lt;i&gt;x&lt;/i&gt; &amp; co"]
    hovers = [h for tr in mspec["data"] for h in list(tr.get("hovertext", [])) if isinstance(h, str)]
    assert any("Minsk &lt;i&gt;x&lt;/i&gt; &amp; co" in h for h in hovers)
    assert not any("<i>x</i>" in h for h in hovers)


def test_csv_cells_that_look_like_formulas_are_text(data_copy: Path) -> None:
    hostile_corpus(data_copy)
    rows = list(
        csv.DictReader(io.StringIO(export.export_text(atlas.open_atlas(data_copy).engine, ALL, "csv")))
    )
    visit = next(r for r in rows if r["id"] == VISIT)
    assert visit["summary"] == HOSTILE_SUMMARY  # starts with "T": unchanged
    edit(
        data_copy / EVENTS_FILE,
        f"summary: '{HOSTILE_SUMMARY}'",
        "summary: '=HYPERLINK(\"https://evil.example\")'",
    )
    edit(data_copy / EVENTS_FILE, "attribution: the article", "attribution: '@SUM(A1:A9)'")
    rows = list(
        csv.DictReader(io.StringIO(export.export_text(atlas.open_atlas(data_copy).engine, ALL, "csv")))
    )
    visit = next(r for r in rows if r["id"] == VISIT)
    assert visit["summary"] == '\'=HYPERLINK("https://evil.example")'
    assert visit["attribution"] == "'@SUM(A1:A9)"
    washington = next(r for r in rows if r["origin_id"] == "washington")
    assert float(washington["origin_lon"]) < 0  # a negative longitude stays a number
    assert not washington["origin_lon"].startswith("'")


# --- problems in view ------------------------------------------------------------------------------


def test_skipped_records_are_announced_at_the_top_of_the_page(data_copy: Path, monkeypatch) -> None:
    edit(data_copy / EVENTS_FILE, "date: 2025-02\n", "date: 2025-02-30\n")
    monkeypatch.setenv("DASHBOARD_DATA", str(data_copy))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run(timeout=60)
    assert not at.exception
    top = [e for e in at.main.expander if "The data has problems" in e.label]
    assert len(top) == 1
    assert top[0].label == "The data has problems: 1 record skipped (1 problem)"
    assert "record us-prisoner-release-visit-2025-02: date:" in top[0].text[0].value
    assert not [e for e in at.sidebar.expander if "problem" in e.label]


def test_an_empty_corpus_says_so_instead_of_no_events_match(data_copy: Path, monkeypatch) -> None:
    edit(data_copy / "actors.yaml", "\n", "\n  - [unclosed\n")  # every event loses its actors
    monkeypatch.setenv("DASHBOARD_DATA", str(data_copy))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run(timeout=60)
    assert not at.exception
    said = " ".join(i.value for i in at.info)
    assert "This corpus holds no events: every record was skipped" in said
    assert "No events match" not in said


# --- the boundary's place in the layers ------------------------------------------------------------


def test_escaping_sits_at_the_bottom_and_html_is_built_only_in_ui() -> None:
    project_import = re.compile(r"^\s*(?:from|import)\s+dashboard\b", re.M)
    escape_source = (ROOT / "dashboard" / "escape.py").read_text(encoding="utf-8")
    assert not project_import.search(escape_source), "escape.py imports the project"
    assert not (ROOT / "dashboard" / "markup.py").exists()
    below_ui = [p for p in (ROOT / "dashboard").rglob("*.py") if "ui" not in p.parts and p.name != "app.py"]
    for path in below_ui:
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"^\s*(?:from|import)\s+dashboard\.ui\b|from dashboard import .*\bui\b", text, re.M
        ), path
        # Views return data: no view writes the page's HTML (a hover's <b> is Plotly's own markup).
        if "views" in path.parts:
            assert not re.search(r"<(p|div|mark|span|style|a)[ >]", text), path
