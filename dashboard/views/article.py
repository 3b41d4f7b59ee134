"""The reading pane: which article to show, and its text with the cited sentences marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard import markup, query
from dashboard.filters import Filters

if TYPE_CHECKING:
    from dashboard.atlas import Atlas

ARTICLE_CSS = """<style>
.article-text { font-size: 1.02rem; line-height: 1.65; }
.article-text p { margin: 0 0 0.9em; }
.article-text mark.ev { background: #fbf3d5; color: inherit; border-bottom: 1px solid #d9c27a;
  padding: 0 1px; border-radius: 2px; }
.article-text mark.ev.selected { background: #ffd166; border-bottom: 3px solid #111;
  outline: 2px solid #111; outline-offset: 1px; }
</style>"""


def reading_article(atlas: Atlas, f: Filters) -> str | None:
    """The article to show: the selected event's, else the first filtered event's, else the first."""
    if f.event:
        ev = atlas.event(f.event)
        if ev is not None and ev["article"] is not None:
            return str(ev["article"])
    return query.first_article(atlas.engine, f) or next(iter(atlas.articles), None)


def article_html(atlas: Atlas, f: Filters, article_id: str) -> str:
    """The article as escaped HTML with the spans the filtered events cite marked.

    Overlapping spans are split at every boundary, so each piece of text is
    marked once with all the events that cite it; the selected event's pieces
    get the class `selected`. Every character of the article is escaped.
    Only this article's spans are asked for, whatever the corpus size.
    """
    rows = query.article_spans(atlas.engine, f, article_id)
    spans = [markup.Span(e, s, t) for e, s, t, _ in rows]
    summary = {e: text for e, _, _, text in rows}
    language = atlas.articles[article_id].language
    return markup.article_html(atlas.text(article_id), spans, summary, f.event, language)


def article_meta(atlas: Atlas, article_id: str) -> str:
    a = atlas.articles[article_id]
    return f"{a.publisher} · {a.published:%-d %B %Y}" + (f" · {a.url}" if a.url else "")
