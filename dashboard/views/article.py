"""The reading pane: which article to show, its text and the spans its filtered events cite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dashboard import query
from dashboard.filters import Filters

if TYPE_CHECKING:
    from dashboard.atlas import Atlas


@dataclass(frozen=True)
class Span:
    """A source span to mark: the event citing it, and where it is in the article's text."""

    event: str
    start: int
    end: int


@dataclass(frozen=True)
class ArticleText:
    """An article's text as stored, with the spans to mark; `dashboard.ui.html` renders it."""

    text: str
    spans: tuple[Span, ...]
    titles: dict[str, str]  # event → summary: each mark's tooltip
    selected: str | None  # the selected event: its spans are emphasised
    language: str


def reading_article(atlas: Atlas, f: Filters) -> str | None:
    """The article to show: the selected event's, else the first filtered event's, else the first."""
    if f.event:
        ev = atlas.event(f.event)
        if ev is not None and ev["article"] is not None:
            return str(ev["article"])
    return query.first_article(atlas.engine, f) or next(iter(atlas.articles), None)


def article_text(atlas: Atlas, f: Filters, article_id: str) -> ArticleText:
    """The article's text and the spans the filtered events cite in it, the selection among them.

    Only this article's spans are asked for, whatever the corpus size.
    """
    rows = query.article_spans(atlas.engine, f, article_id)
    return ArticleText(
        text=atlas.text(article_id),
        spans=tuple(Span(e, s, t) for e, s, t, _ in rows),
        titles={e: text for e, _, _, text in rows},
        selected=f.event,
        language=atlas.articles[article_id].language,
    )


def article_meta(atlas: Atlas, article_id: str) -> str:
    a = atlas.articles[article_id]
    return f"{a.publisher} · {a.published:%-d %B %Y}" + (f" · {a.url}" if a.url else "")
