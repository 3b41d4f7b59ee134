"""A data rule applied when the data folder is read: an imported event's place named like an actor.

Machine geocoders read names as places: GDELT placed half of one month's Belarus events in
"Makei, Pskovskaya Oblast', Russia", a village that shares the foreign minister Vladimir Makei's
surname. A place whose name (the part before the first comma) is a person's or an organisation's
name or alias, or a person's surname, anywhere in the data folder, makes every imported event placed
there suspect, with the reason. States are left out: a place named "Belarus" is the country; so are
the actors GDELT's import makes from its own actor names (ids `gdelt-…`), which are often places
themselves ("MOSCOW", "MINSK") and would make every event there suspect. Events
coded here (dataset curated) are left alone: an editor chose their place. A reason the importer
already gave (GDELT's own checks) is kept.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashboard.model import Actor, ActorKind, Place

MACHINE_ACTORS = "gdelt-"  # actors named by GDELT's coder, not by a person
MIN_SURNAME = 4  # letters: shorter surnames ("Li", "Ng") are also common words in place names


def fold(text: str) -> str:
    """A name compared without case, accents or surrounding space."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def _head(place_name: str) -> str:
    return place_name.split(",", 1)[0]


def actor_names(actors: Mapping[str, Actor]) -> dict[str, Actor]:
    """Each folded name an actor goes by (name, aliases, a person's surname) → the actor."""
    out: dict[str, Actor] = {}
    for a in actors.values():
        if a.kind == ActorKind.STATE or a.id.startswith(MACHINE_ACTORS):
            continue
        names = [a.name, *a.aliases]
        if a.kind == ActorKind.PERSON:
            names += [
                n.split()[-1] for n in names if len(n.split()) > 1 and len(n.split()[-1]) >= MIN_SURNAME
            ]
        for n in names:
            out.setdefault(fold(n), a)
    return out


def reason(place_name: str, actor: Actor) -> str:
    return f"place name “{_head(place_name).strip()}” is the name of actor {actor.name}"


def place_reasons(places: Mapping[str, Place], actors: Mapping[str, Actor]) -> dict[str, str]:
    """Place id → why its name is doubtful, for the places named like an actor."""
    names = actor_names(actors)
    out = {}
    for pid, p in places.items():
        hit = names.get(fold(_head(p.name)))
        if hit is not None:
            out[pid] = reason(p.name, hit)
    return out


def mark(events: pd.DataFrame, places: Mapping[str, Place], actors: Mapping[str, Actor]) -> pd.DataFrame:
    """The events with `suspect` set where an imported event's place is named like an actor."""
    if not len(events) or events["place"].isna().all():
        return events
    reasons = place_reasons(places, actors)
    if not reasons:
        return events
    place = events["place"].astype("category")
    cats = place.cat.categories
    lookup = np.asarray([reasons.get(str(c)) for c in cats] + [None], dtype=object)
    codes = place.cat.codes.to_numpy()
    found = lookup[np.where(codes < 0, len(cats), codes)]
    imported = (events["dataset"].astype(object) != "curated").to_numpy()
    given = events["suspect"].astype(object).to_numpy()
    fill = imported & pd.isna(given) & pd.notna(found)
    if not fill.any():
        return events
    new = np.where(fill, found, given)
    return events.assign(suspect=pd.Series(new, index=events.index, dtype=object).astype("category"))
