"""How much of a proposal came from explicit words: a score in [0, 1] for every proposal, whatever
extractor proposed it.

It reads only the proposal (kind, date, participants, place, quotes) against the article's text,
so a second extractor gets the same score for the same proposal. Four pieces of evidence, each
from the quoted text itself:

- **date**: a date written in the quote that reads as the proposal's date ("on 21 June", "on
  Friday") is explicit; a date the quote does not give (carried from an earlier sentence, an
  anaphora such as "the same day") is inferred; `unknown` is neither;
- **verb**: the longest of the lexicon's phrases for the proposal's kind found in the quote — a
  phrase ("held talks", "paid a state visit") is stronger than one word ("said"), and no phrase
  of that kind at all is weakest;
- **participants**: the share of them named in the quote (the rest were inferred: the scene's
  people, the last actor named);
- **place**: named in the quote, inferred (carried from the scene), or none.

The score is a logistic function of these (`WEIGHTS`), fitted on the development set
(`eval/dev`) by `bench/drafts.py --calibrate` so that a score reads as the share of such
proposals that were right (same CAMEO root and same date as a hand-coded event on their
sentence). `THRESHOLD` is where the Add article page starts pre-selecting; it was chosen on the
development set too. Neither was looked at on the held-out set.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from dashboard.drafting import dates as dt
from dashboard.drafting import lexicon as lx

if TYPE_CHECKING:
    from dashboard.drafting.entities import Known


class Proposal(Protocol):
    """What the score reads of a proposal (`drafting.Proposal`), whichever extractor made it."""

    kind: str
    date: str
    participants: list[dict[str, str]]
    place: str | None
    sources: list[dict[str, Any]]
    confidence: float | None


# Fitted on eval/dev by `bench/drafts.py --calibrate` (logistic regression; see bench/RESULTS.md).
FEATURES = ("date_explicit", "date_inferred", "verb", "named", "place_named", "place_inferred")
WEIGHTS: dict[str, float] = {
    "bias": 0.23,
    "date_explicit": 0.68,
    "date_inferred": 0.17,
    "verb": 1.07,
    "named": -0.04,
    "place_named": 0.57,
    "place_inferred": -0.07,
}
# The Add article page pre-selects proposals scoring at least this (chosen on eval/dev).
THRESHOLD = 0.7


@dataclass(frozen=True)
class Evidence:
    """What in the quote supports a proposal, each piece in [0, 1]."""

    date_explicit: float
    date_inferred: float
    verb: float
    named: float
    place_named: float
    place_inferred: float

    def vector(self) -> list[float]:
        return [getattr(self, f) for f in FEATURES]


@cache
def _verbs(kind: str) -> re.Pattern[str] | None:
    pats = [t.pattern for t in lx.TRIGGERS if t.kind == kind]
    if not pats:
        return None
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in pats) + r")\b", re.IGNORECASE)


def _verb_strength(kind: str, quoted: str) -> float:
    """1 for a phrase of three words or more, 0.75 for two, 0.5 for one, 0 for none of the kind."""
    pattern = _verbs(kind)
    if pattern is None:
        return 0.0
    words = max((len(m.group(0).split()) for m in pattern.finditer(quoted)), default=0)
    return {0: 0.0, 1: 0.5, 2: 0.75}.get(words, 1.0)


def _spans(p: Proposal) -> list[tuple[int, int]]:
    return [(s["start"], s["end"]) for s in p.sources]


def _read(
    quote: str, published: date, known: Known, seen: dict[str, tuple[set[str], set[str]]]
) -> tuple[set[str], set[str]]:
    """The dates (values) and actors (ids) a quote names, read once for each distinct quote: a long
    text telling one event in many sentences quotes the same words again and again. Neither reading
    depends on where the quote stands (dates are read against publication only)."""
    got = seen.get(quote)
    if got is None:
        got = seen[quote] = (
            {f.value for f in dt.find(quote, published)},
            {m.id for m in known.actors_in(quote)},
        )
    return got


def evidence(
    p: Proposal, text: str, published: date, known: Known,
    seen: dict[str, tuple[set[str], set[str]]] | None = None,
) -> Evidence:  # fmt: skip
    """The evidence for one proposal, read from its quotes in `text` (`seen`: the quotes read so far)."""
    spans = _spans(p)
    quoted = " ".join(text[a:b] for a, b in spans)
    seen = {} if seen is None else seen
    reads = [_read(text[a:b], published, known, seen) for a, b in spans]
    if p.date == "unknown":
        explicit = inferred = 0.0
    else:
        explicit = 1.0 if any(p.date in days for days, _ in reads) else 0.0
        inferred = 1.0 - explicit
    named_ids = {x for _, ids in reads for x in ids}
    people = [x["actor"] for x in p.participants]
    named = sum(1 for x in people if x in named_ids) / len(people) if people else 0.0
    place_named = place_inferred = 0.0
    if p.place:
        names = [_place_name(known, p.place)]
        rec = known.places.get(p.place)
        if rec is not None:
            names += list(getattr(rec, "aliases", []) or [])
        low = quoted.casefold()
        if any(n and n.casefold() in low for n in names):
            place_named = 1.0
        else:
            place_inferred = 1.0
    return Evidence(explicit, inferred, _verb_strength(p.kind, quoted), named, place_named, place_inferred)


def _place_name(known: Known, pid: str) -> str:
    if pid in known.places:
        return known.places[pid].name
    return str(known.new_places.get(pid, {}).get("name", ""))


def combine(ev: Evidence, weights: dict[str, float] | None = None) -> float:
    """The score of a piece of evidence: a logistic function of the weighted evidence, rounded to
    two places."""
    w = WEIGHTS if weights is None else weights
    z = w["bias"] + sum(w[f] * v for f, v in zip(FEATURES, ev.vector(), strict=True))
    return round(1.0 / (1.0 + math.exp(-z)), 2)


def score_all(events: Sequence[Proposal], text: str, published: date, known: Known) -> None:
    """Give every proposal its `confidence`."""
    seen: dict[str, tuple[set[str], set[str]]] = {}
    for p in events:
        p.confidence = combine(evidence(p, text, published, known, seen))


def fit(rows: Sequence[tuple[Evidence, bool]], *, steps: int = 2000, rate: float = 0.5) -> dict[str, float]:
    """Logistic regression of correctness on the evidence (gradient descent with a small ridge
    penalty, so a feature no proposal varies on keeps a weight near zero); weights rounded to
    two places."""
    import numpy as np  # noqa: PLC0415

    x = np.array([[1.0, *ev.vector()] for ev, _ in rows])
    y = np.array([1.0 if ok else 0.0 for _, ok in rows])
    w = np.zeros(x.shape[1])
    ridge = 0.01
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - y) / len(y) + ridge * np.r_[0.0, w[1:]]
        w -= rate * grad
    return {k: round(float(v), 2) for k, v in zip(("bias", *FEATURES), w, strict=True)}


def reliability(scored: Sequence[tuple[float, bool]], bins: int = 5) -> list[tuple[str, int, int]]:
    """(score range, proposals in it, of them correct), in `bins` equal ranges over [0, 1]."""
    out = []
    for i in range(bins):
        lo, hi = i / bins, (i + 1) / bins
        inside = [ok for s, ok in scored if lo <= s < hi or (i == bins - 1 and s == 1.0)]
        out.append((f"{lo:.1f}–{hi:.1f}", len(inside), sum(inside)))
    return out


def best_threshold(scored: Sequence[tuple[float, bool]]) -> float:
    """The pre-selection threshold (a multiple of 0.05) that best separates right from wrong
    proposals: the highest F1 of "pre-selected" against "correct"; ties go to the lower one."""
    best, at = -1.0, 0.5
    for step in range(1, 20):
        t = step / 20
        picked = [ok for s, ok in scored if s >= t]
        tp = sum(picked)
        right = sum(ok for _, ok in scored)
        f1 = 2 * tp / (len(picked) + right) if picked or right else 0.0
        if f1 > best + 1e-9:
            best, at = f1, t
    return at
