"""Where untrusted text is escaped: the bottom layer, once, for each target it reaches.

Everything a reader sees that came from data or from a link — article text,
names, roles, summaries, notes, attributions, imported rows, the notices that
quote a URL's parameters, an uploaded file's name — reaches a renderer through
one of these functions, and nothing else escapes it. This module imports
nothing of the project; the HTML built from escaped pieces (the article, the
details card) is `dashboard.ui.html`'s.

- `html_text` for the page's HTML (the article, the details card);
- `markdown_text` for everything Streamlit reads as Markdown: widget labels,
  notices, captions and messages (`html.escape` cannot make Markdown safe:
  `[x](…)` links, `![](…)` images, `**` bold, `:red[…]` colours, `$…$` LaTeX);
- `plotly_text` for Plotly's labels and hover text, a pseudo-HTML of its own;
- `csv_cell` for spreadsheets, which run a cell that starts with `=`, `+`,
  `-` or `@` as a formula;
- `safe_url` for an address that may become a link (http or https only).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_FORMULA = re.compile(r"^[=+\-@\t\r]")
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$")


def html_text(text: str) -> str:
    """Text shown as itself inside HTML, in element content or in a quoted attribute."""
    return html.escape(text, quote=True)


# Every ASCII punctuation mark may be backslash-escaped in CommonMark; these start Markdown,
# Streamlit's own `:colour[…]` and `:material/…:` directives, LaTeX, or an e-mail autolink (`@`).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&@])")


# GitHub's autolinks (`http://…`, `www.…`, `a@b.example`) and Streamlit's icons and emoji
# (`:material/home:`, `:smile:`) are found in the text after its escapes are read, so no escape
# stops them: an invisible word joiner after every `:`, `@` and `www` does.
_AUTOLINK = re.compile(r"(:|\bwww(?=\.)|@)", re.IGNORECASE)
_JOINER = "\u2060"


def markdown_text(text: str) -> str:
    """Text shown as itself where Streamlit reads Markdown (a label, a notice, a caption), on one line."""
    joined = _AUTOLINK.sub(lambda m: m.group(0) + _JOINER, " ".join(text.split()))
    return _MARKDOWN.sub(r"\\\1", joined)


def plotly_text(text: str) -> str:
    """Text shown as itself in a Plotly label or hover (Plotly reads `<b>`, `<br>`, `<a>` and entities)."""
    return html.escape(text, quote=False)


def plotly_lines(lines: Iterable[str]) -> str:
    """Several lines of untrusted text, escaped, joined with Plotly's line break."""
    return "<br>".join(plotly_text(line) for line in lines)


def csv_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text: one that starts like a formula gets a leading '.

    Numbers are left alone (a longitude of -77.0 is a number, not a formula).
    """
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def safe_url(url: str) -> bool:
    """Whether an address may become a link: http(s) only, and nothing that ends the attribute."""
    return bool(_SAFE_URL.match(url))
