"""Words shared by every view: dates, event labels, participants and places."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from dashboard import escape, query
from dashboard.catalog import Catalog
from dashboard.countries import country_in_prose, country_name
from dashboard.engines import Engine
from dashboard.filters import side_kind
from dashboard.model import TAXONOMY, TRUST_LABELS, EventDate, Precision, Trust, cautions, trust

# A group is a country's actors of one kind: "United States · people".
GROUP_KINDS = {"person": "people", "organization": "organisations", "state": "state", "media": "media"}
# The same group in a sentence: "Contacts between people of the United States and the state of Belarus".
GROUP_PROSE = {
    "person": "people of {}",
    "organization": "organisations of {}",
    "state": "the state of {}",
    "media": "the media of {}",
}


def side_name(c: Catalog, side: str, prose: bool = False) -> str:
    """What a reader calls a country (by its code), a group ('USA:person') or an actor (by its id):
    'United States' ('the United States' in a sentence, `prose`), 'United States · people'
    ('people of the United States' in a sentence), 'Keith Kellogg'. Anything else is shown as it is."""
    kind = side_kind(side)
    if kind == "country":
        return country_in_prose(side) if prose else country_name(side)
    if kind == "group":
        country, _, group = side.partition(":")
        if prose:
            return GROUP_PROSE.get(group, f"{group} of {{}}").format(country_in_prose(country))
        return f"{country_name(country)} · {GROUP_KINDS.get(group, group)}"
    actor = c.actors.get(side)
    return actor.name if actor is not None else side


CERTAINTY_HELP = {
    "confirmed": "stated in the article's own voice, or quoted or shown directly",
    "reported": "relayed from others: “reportedly”, “Reuters reported, citing sources”",
    "claimed": "one party's own account, not independently confirmed",
}


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def date_label(ev: dict[str, Any]) -> str:
    """'21 June 2025', 'February 2025', '2020 – 21 June 2025', 'date unknown (by …)'."""
    return _date_label(ev["precision"], _day(ev["start"]), _day(ev["end"]))


@functools.lru_cache(maxsize=16384)
def _date_label(precision: str, start: dt.date | None, end: dt.date | None) -> str:
    # Dates repeat across events and hovers; the validated model builds the words once per date.
    return EventDate(precision=Precision(precision), start=start, end=end).label()


def event_label(ev: dict[str, Any]) -> str:
    """One line for a select box: date · kind — summary."""
    return f"{date_label(ev)} · {TAXONOMY[ev['kind']].label} — {ev['summary']}"


DATASET_NAMES = {"curated": "curated", "gdelt": "GDELT", "acled": "ACLED"}


def trust_text(ev: dict[str, Any], reasons: bool = True) -> str:
    """'GDELT · machine-coded · single source · suspect place: …' — where an event comes from and
    how far to trust it; `reasons=False` names a suspect place without saying why."""
    level = trust(ev["dataset"], ev["coding"])
    parts = [] if level in (Trust.CURATED, Trust.DRAFT) else [DATASET_NAMES.get(ev["dataset"], ev["dataset"])]
    parts.append(TRUST_LABELS[level])
    for c in cautions(ev["coding"], ev["suspect"], ev.get("num_sources"), ev.get("num_articles")):
        parts.append(c if reasons else c.split(":", 1)[0])
    return " · ".join(parts)


def list_label(ev: dict[str, Any]) -> str:
    """One line of the Explorer's list: the select box's line and, in brackets, its trust."""
    return f"{event_label(ev)} [{trust_text(ev, reasons=False)}]"


def participant_names(c: Catalog, eng: Engine, event_ids: Sequence[str]) -> dict[str, str]:
    """'Keith Kellogg (visitor), Alexander Lukashenko (host)' for each event."""
    out: dict[str, list[str]] = {}
    for p in query.participants_of(eng, list(event_ids)):
        name = c.actors[p["actor"]].name
        out.setdefault(p["event"], []).append(f"{name} ({p['role']})" if p["role"] else name)
    return {k: ", ".join(v) for k, v in out.items()}


def where_text(c: Catalog, origin: str | None, place: str) -> str:
    """'Washington → Minsk', or the place's name."""
    there = c.places[place].name
    return f"{c.places[origin].name} → {there}" if origin in c.places else there


def wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join([*lines, line])


def wrap_html(text: str) -> str:
    """Escaped, with line breaks Plotly's hover understands."""
    return escape.plotly_lines(wrap(text).split("\n"))


def event_line(ev: dict[str, Any]) -> str:
    """'21 June 2025 · Kellogg and Lukashenko meet …', escaped for a hover."""
    return f"{escape.plotly_text(date_label(ev))} · " + wrap_html(ev["summary"])
