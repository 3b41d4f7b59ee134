"""The people, states and places the drafting tests write their sentences about (one table for
tests/test_draft_dates.py, tests/test_draft_kinds.py and tests/test_draft_score.py)."""

from __future__ import annotations

from dashboard.model import Actor, Place

ACTORS = {
    a.id: a
    for a in [
        Actor(id="maia-sandu", name="Maia Sandu", kind="person", country="MDA"),
        Actor(id="ilie-bolojan", name="Ilie Bolojan", kind="person", country="ROU"),
        Actor(id="moldova", name="Moldova", kind="state", country="MDA"),
        Actor(id="romania", name="Romania", kind="state", country="ROU"),
        Actor(id="moldpres", name="Moldpres", kind="media", country="MDA"),
    ]
}
PLACES = {p.id: p for p in [Place(id="chisinau", name="Chisinau", kind="city", country="MDA")]}
