"""One way among others of finding events in a text, and the one pipeline after it.

An `Extractor` reads an article's text with the data folder's actors and places (`Known`) and
returns `Candidate`s: a kind and CAMEO code, the character spans it quotes, a date, participants,
a place, attribution and a note saying why. The lexicon's rules (`drafting.Rules`) are one
extractor; another (a statistical tagger, a language model) is one new module with an `extract`
method. Whatever proposed them, the candidates then go through the same steps (`finish`): two
candidates for one event become one carrying both quotes, and each gets its id and summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dashboard.model import TAXONOMY

if TYPE_CHECKING:
    from dashboard.drafting.entities import Known
    from dashboard.drafting.proposal import Meta, Proposal

# Kinds whose candidates are distinct acts even with one scene and one cast: each thing said is
# its own statement.
_DISTINCT = frozenset({"statement", "report"})


@dataclass
class Candidate:
    kind: str
    cameo: str
    spans: list[tuple[int, int]]  # the exact text it quotes, as character offsets
    date: str  # YYYY-MM-DD, YYYY-MM, YYYY or "unknown"
    until: str | None
    participants: list[dict[str, str]]
    place: str | None
    origin: str | None
    attribution: str
    certainty: str
    note: str
    sentence: int = 0  # the sentence it came from (1-based), for notes that refer back
    merged: list[int] = field(default_factory=list)  # sentences of candidates folded into this one
    another: bool = False  # told as another act ("They also signed", "a second"): never folded into one


class Extractor(Protocol):
    """Text and known entities in, candidate events with spans out."""

    name: str
    skipped: list[str]  # what it read but could not propose, for the editor

    def extract(self, text: str, meta: Meta, known: Known) -> list[Candidate]: ...


def merge(cands: list[Candidate]) -> list[Candidate]:
    """Two candidates of one kind with the same participants, date and place (one scene) are one
    event told twice ("The meeting took place at the palace … The delegations met at the palace"):
    one candidate, both quotes. A date that is unknown never makes a scene, what is said twice is
    two statements, and what is told as another act ("They also signed a statement on …") is one."""
    out: list[Candidate] = []
    seen: dict[tuple[Any, ...], Candidate] = {}
    quoted: dict[int, set[tuple[int, int]]] = {}
    for c in cands:
        if c.kind in _DISTINCT or c.date == "unknown" or c.until:
            out.append(c)
            continue
        key = (c.kind, TAXONOMY[c.kind].cameo[:2], frozenset(p["actor"] for p in c.participants), c.date,
               c.place)  # fmt: skip
        first = seen.get(key)
        if first is None or c.another:
            seen[key] = c
            out.append(c)
            continue
        have = quoted.get(id(first))
        if have is None:  # built once: a default built on every call would make repeats quadratic
            have = quoted[id(first)] = set(first.spans)
        first.spans += [s for s in c.spans if s not in have]
        have.update(c.spans)
        first.merged.append(c.sentence)
    for c in out:
        if c.merged:
            shown = ", ".join(str(n) for n in c.merged[:10])
            more = f" and {len(c.merged) - 10} more" if len(c.merged) > 10 else ""
            c.note += f" Told again in sentence {shown}{more} (same kind, participants, day and place)."
    return out


def finish(cands: list[Candidate], text: str, known: Known, taken: set[str]) -> list[Proposal]:
    """Ids (unique against `taken`) and summaries for the merged candidates."""
    from dashboard.drafting.entities import slug  # noqa: PLC0415
    from dashboard.drafting.proposal import Proposal  # noqa: PLC0415

    suffix: dict[str, int] = {}
    taken = set(taken)
    out = []
    for c in merge(cands):
        first = c.participants[0]["actor"]
        stem = known.name_of(first).split()[-1] if known.is_person(first) else first
        base = slug(f"{stem} {c.kind.replace('_', ' ')} {c.date if c.date != 'unknown' else ''}")
        eid, n = base, suffix.get(base, 1)
        while eid in taken:
            n += 1
            eid = f"{base}-{n}"
        suffix[base] = n
        taken.add(eid)
        names = [known.name_of(p["actor"]) for p in c.participants[:3]]
        where = _place_name(known, c.place)
        summary = f"{TAXONOMY[c.kind].label}: {', '.join(names)}" + (f" in {where}" if where else "")
        sources = [{"quote": text[a:b], "start": a, "end": b} for a, b in c.spans]
        out.append(
            Proposal(
                id=eid, kind=c.kind, cameo=c.cameo, summary=summary, date=c.date, until=c.until,
                participants=c.participants, place=c.place, origin=c.origin, sources=sources,
                attribution=c.attribution, certainty=c.certainty, note=c.note, sentence=c.sentence,
            )
        )  # fmt: skip
    return out


def _place_name(known: Known, pid: str | None) -> str | None:
    if pid is None:
        return None
    if pid in known.places:
        return known.places[pid].name
    return known.new_places[pid]["name"]
