"""The page's HTML, built from escaped pieces: the article with its marks, the details card, their CSS.

Every piece of data goes through `dashboard.escape` here, once; nothing here is
read as Markdown. Pages hand the result to `st.html`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from dashboard.escape import html_text, safe_url
from dashboard.views.article import ArticleText
from dashboard.views.details import Details

ARTICLE_CSS = """<style>
.article-text { font-size: 1.02rem; line-height: 1.65; }
.article-text p { margin: 0 0 0.9em; }
.article-text mark.ev { background: #fbf3d5; color: inherit; border-bottom: 1px solid #d9c27a;
  padding: 0 1px; border-radius: 2px; }
.article-text mark.ev.selected { background: #ffd166; border-bottom: 3px solid #111;
  outline: 2px solid #111; outline-offset: 1px; }
</style>"""


def article_html(article: ArticleText) -> str:
    """The article as paragraphs of escaped text, each cited piece marked with the events citing it.

    The text is cut at every span boundary and at every line break, so overlapping
    spans mark each piece once with all their events, and a quote that runs over a
    paragraph break stays marked on both sides of it. `titles` (event → summary)
    become each mark's tooltip; the selected event's pieces get the class `selected`.
    Every character of the article is escaped.
    """
    text, spans, titles, selected = article.text, article.spans, article.titles, article.selected
    breaks = [m.start() for m in re.finditer("\n", text)]
    cuts = sorted(
        {0, len(text), *breaks, *(b + 1 for b in breaks), *(s.start for s in spans), *(s.end for s in spans)}
    )
    # One sweep over the cuts: the spans open at a piece are those started and not yet ended there.
    opens: dict[int, list[str]] = defaultdict(list)
    closes: dict[int, list[str]] = defaultdict(list)
    for s in spans:
        opens[s.start].append(s.event)
        closes[s.end].append(s.event)
    active: Counter[str] = Counter()
    paragraphs: list[list[str]] = [[]]
    for a, b in itertools.pairwise(cuts):
        active.update(opens.get(a, ()))
        for e in closes.get(a, ()):
            active[e] -= 1
            if not active[e]:
                del active[e]
        piece = text[a:b]
        if piece == "\n":
            paragraphs.append([])
            continue
        cover = sorted(active)
        if not cover:
            paragraphs[-1].append(html_text(piece))
            continue
        cls = "ev selected" if selected in cover else "ev"
        title = "\n".join(titles[e] for e in cover if e in titles)
        paragraphs[-1].append(
            f'<mark class="{cls}" data-events="{html_text(" ".join(cover))}" '
            f'title="{html_text(title)}">{html_text(piece)}</mark>'
        )
    body = "".join(f"<p>{''.join(p)}</p>" for p in paragraphs if "".join(p).strip())
    return f'<div class="article-text" lang="{html_text(article.language)}">{body}</div>'


# --- the details card and the article's heading ---------------------------------------------

CARD_CSS = """<style>
.details-card h4 { margin: 0 0 .3rem 0; font-size: 1.02rem; line-height: 1.3; }
.details-card p { margin: 0 0 .25rem 0; line-height: 1.45; font-size: .92rem; }
.details-card .note, .details-card .cameo, .article-meta { color: #555; font-size: .85rem; }
.details-card abbr { text-decoration: underline dotted; cursor: help; }
.details-card .dataset { font-size: .85rem; font-weight: 600; color: #333; }
.details-card .dataset.gdelt { color: #8a4b00; }
.details-card .dataset.draft { color: #5b2a86; background: #f1eaf8; padding: 0 .3rem; border-radius: 3px; }
.details-card .suspect { color: #8a1c1c; font-size: .88rem; }
.source-links ul { margin: .2rem 0 0 1.1rem; padding: 0; } .source-links li { margin: .2rem 0; }
.details-card .stories { margin-top: .35rem; font-size: .9rem; }
.details-card .stories ul { margin: .1rem 0 0 1.1rem; padding: 0; }
.details-card .stories li { margin: .1rem 0; }
.article-heading h3 { margin: .25rem 0 .1rem 0; font-size: 1.1rem; line-height: 1.3; }
</style>"""


def details_card(d: Details) -> str:
    """The selected event's card: every field from data escaped here, nothing read as Markdown."""
    where = html_text(d.place) + (f" · {d.distance_km:,} km" if d.distance_km else "")
    lines = [
        f"<b>{html_text(d.kind)}</b> · {html_text(d.date)} <i>({html_text(d.precision)} precision)</i>"
        f' · <span class="cameo">{html_text(d.cameo)}</span>',
        f"<b>Who:</b> {html_text(d.participants)}",
        f"<b>Where:</b> {where}",
        f"<b>Says who:</b> {html_text(d.attribution)} · "
        f'<abbr title="{html_text(d.certainty_help)}"><b>{html_text(d.certainty)}</b></abbr>',
    ]
    if d.origin_line:
        style = "draft" if d.coding == "draft" else d.dataset
        lines.insert(0, f'<span class="dataset {html_text(style)}">{html_text(d.origin_line)}</span>')
    if d.measures:
        lines.append(f'<span class="cameo">{html_text(d.measures)}</span>')
    if d.suspect:
        lines.append(f'<span class="suspect"><b>Suspect place:</b> {html_text(d.suspect)}</span>')
    note = f'<p class="note">{html_text(d.note)}</p>' if d.note else ""
    return (
        f'{CARD_CSS}<div class="details-card" data-event="{html_text(d.id)}">'
        f"<h4>{html_text(d.title)}</h4><p>{'<br>'.join(lines)}</p>{note}{stories_html(d)}</div>"
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def link_items(links: Sequence[dict], more: int) -> str:
    """A short list of links (url, outlet, records), opened safely; then "and K more"."""
    items = []
    for x in links:
        url, outlet = x.get("url") or "", x.get("outlet") or ""
        label = html_text(outlet or url or "a source with no address")
        if safe_url(url):
            label = (f'<a href="{html_text(url)}" target="_blank" rel="noopener noreferrer nofollow" '
                     f'title="{html_text(url)}">{label}</a>')  # fmt: skip
        n = int(x.get("records") or 0)
        count = f" · {n:,} records" if n > 1 else ""
        items.append(f"<li>{label}{count}</li>")
    tail = f"<li>and {more:,} more</li>" if more else ""
    return f"<ul>{''.join(items)}{tail}</ul>"


def stories_html(d: Details) -> str:
    """What ties the event to the other world: a curated event's corroborating reports, or an
    imported record's story and the curated events it corroborates."""
    if d.corroboration is not None:
        c = d.corroboration
        return (
            f'<div class="stories corroborated"><b>Corroborated by '
            f"{_plural(c.records, 'machine-coded report', 'machine-coded reports')} from "
            f"{_plural(c.outlets, 'outlet', 'outlets')}</b>{link_items(c.links, c.more)}</div>"
        )
    if d.story is None:
        return ""
    s = d.story
    when = str(s.first) if s.first == s.last else f"{s.first} – {s.last}"
    head = (
        f"<b>Story {html_text(s.id)}</b>: {_plural(s.records, 'record', 'records')} from "
        f"{_plural(s.outlets, 'outlet', 'outlets')}, {html_text(when)}"
    )
    ties = (
        "<br>Corroborates the curated event"
        + ("s " if len(s.corroborates) > 1 else " ")
        + "; ".join(
            f'<span class="corroborates" data-event="{html_text(i)}">“{html_text(t)}”</span>'
            for i, t in s.corroborates
        )
        if s.corroborates
        else "<br>Corroborates no curated event."
    )
    return f'<div class="stories story">{head}{ties}{link_items(s.links, s.more)}</div>'


def source_links(links: Sequence[dict]) -> str:
    """An event's sources that are links, listed with the record's own fields (nothing fetched).

    Only http(s) addresses become links; anything else is shown as text.
    """
    items = []
    for s in links:
        url = s.get("url") or ""
        label = s.get("title") or url or s.get("outlet") or "a source with no address"
        bits = [f'<a href="{html_text(url)}" target="_blank" rel="noopener noreferrer nofollow">'
                f"{html_text(label)}</a>" if safe_url(url) else html_text(label)]  # fmt: skip
        meta = [x for x in (s.get("outlet") if s.get("title") or url else None, s.get("date")) if x]
        if meta:
            bits.append(f'<span class="article-meta">{html_text(" · ".join(str(x) for x in meta))}</span>')
        items.append(f"<li>{' '.join(bits)}</li>")
    return (
        f'{CARD_CSS}<div class="source-links"><p>No text of this event\'s source is stored here. '
        f"Its sources, as the record gives them:</p><ul>{''.join(items)}</ul></div>"
    )


def article_heading(title: str, meta: str) -> str:
    """The article's title and its publisher, date and address, as text."""
    return (
        f'{CARD_CSS}<div class="article-heading"><h3>{html_text(title)}</h3>'
        f'<div class="article-meta">{html_text(meta)}</div></div>'
    )


# --- the Events page on a phone: one card an event ---------------------------------------------

# Shown instead of the wide table below PHONE_PX (the page's CSS switches between the two).
EVENT_CARDS_CSS = """<style>
.event-cards { list-style: none; margin: 0 !important; padding: 0 !important; }
.event-cards li { border: 1px solid #d6d6d6; border-radius: 6px; padding: .5rem .7rem;
  margin: 0 0 .5rem 0 !important; overflow-wrap: anywhere; }
.event-cards li.selected { border: 2px solid #111; }
.event-cards .head { font-size: .88rem; color: #333; margin: 0 0 .15rem 0; }
.event-cards .head b { color: #111; }
.event-cards .who { font-size: .92rem; margin: 0 0 .15rem 0; }
.event-cards .summary { font-size: .98rem; line-height: 1.4; margin: 0 0 .2rem 0; }
.event-cards .meta { font-size: .82rem; color: #555; margin: 0; }
.event-cards a { font-size: .88rem; }
</style>"""


def event_cards(rows: Sequence[dict], selected: str | None = None) -> str:
    """The events as a list of cards: date and kind, participants, summary, then place and trust.

    Each row is a dict with those fields, `id`, and `href` (a link to the event in the Explorer,
    or ""). Every field is escaped here.
    """
    items = []
    for r in rows:
        cls = ' class="selected"' if r["id"] == selected else ""
        meta = " · ".join(str(r[k]) for k in ("place", "trust") if r.get(k))
        href = r.get("href")
        link = f' <a href="{html_text(href)}" target="_self">Show in the Explorer</a>' if href else ""
        items.append(
            f'<li data-event="{html_text(r["id"])}"{cls}>'
            f'<p class="head"><b class="date">{html_text(r["date"])}</b> · '
            f'<span class="kind">{html_text(r["kind"])}</span></p>'
            f'<p class="who">{html_text(r["participants"]) or "—"}</p>'
            f'<p class="summary">{html_text(r["summary"])}</p>'
            f'<p class="meta">{html_text(meta)}{link}</p></li>'
        )
    return f'{EVENT_CARDS_CSS}<ul class="event-cards">{"".join(items)}</ul>'
