"""How close a draft comes to hand-coded events: the measures `bench/drafts.py` reports and
`python -m dashboard draft … --score GOLD.yaml` prints.

For each hand-coded event (its quotes, kind, date and place):

- **on the sentence**: a proposal quotes text in a sentence one of its quotes is in;
- **same root**: one of those proposals has a kind of the same CAMEO root;
- **same root and date**: … and the same date, at the same precision, with the same `until`;
- **recovered**: a proposal of the same root whose quote overlaps one of its quotes, with the
  same date and the same place (the stricter measure the bundled article has been scored by).

And for the proposals: **spurious** when they quote no sentence that holds a hand-coded quote.

The hand-coded events come from an article YAML in the corpus format (`data/articles/*.yaml`:
`articles`, a default `article`, `events` whose `sources` quote the text), or a folder of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.model import TAXONOMY, PartialDate


class GoldError(ValueError):
    """A gold file the scorer cannot read; the message names the file, record and field."""


@dataclass(frozen=True)
class Coded:
    """One event, hand-coded or proposed, as the scorer compares it."""

    id: str
    kind: str
    date: str  # YYYY-MM-DD, YYYY-MM, YYYY or "unknown"
    until: str | None
    place: str | None
    spans: tuple[tuple[int, int], ...]

    @property
    def root(self) -> str:
        return TAXONOMY[self.kind].cameo[:2] if self.kind in TAXONOMY else "??"

    @property
    def when(self) -> tuple[str, date | None, date | None]:
        """(precision, first day, last day): "2025-06-21" and "2025-06-21 until 2025-06-21" agree."""
        first = None if self.date == "unknown" else PartialDate.parse(self.date)
        last = None if self.until is None else PartialDate.parse(self.until)
        precision = "unknown" if first is None else first.precision.value
        end = last.last if last else (first.last if first else None)
        return precision, first.first if first else None, end


@dataclass
class GoldArticle:
    id: str
    title: str
    publisher: str
    published: date
    text: str
    events: list[Coded]
    file: Path


@dataclass
class Score:
    hand: int = 0
    proposals: int = 0
    on_sentence: list[str] = field(default_factory=list)
    same_root: list[str] = field(default_factory=list)
    same_date: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # what each hand-coded event lacked, for the details

    def __add__(self, other: Score) -> Score:
        return Score(
            self.hand + other.hand, self.proposals + other.proposals,
            self.on_sentence + other.on_sentence, self.same_root + other.same_root,
            self.same_date + other.same_date, self.recovered + other.recovered,
            self.spurious + other.spurious, self.misses + other.misses,
        )  # fmt: skip


def _text_date(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    at = -1
    for _ in range(max(1, occurrence)):
        at = text.find(quote, at + 1)
        if at < 0:
            return None
    return at, at + len(quote)


def coded(
    records: Iterable[dict[str, Any]], text: str, article: str | None = None, name: str = ""
) -> list[Coded]:
    """Events from their YAML records (hand-coded or drafted), their quotes found in `text`; with
    `article`, only the sources of that article (a source's `article`, else the document's)."""
    out = []
    for i, e in enumerate(records):
        where = f"{name}: event {e.get('id', i + 1)}"
        if "kind" not in e or e["kind"] not in TAXONOMY:
            raise GoldError(f"{where}: kind {e.get('kind')!r} is not one of the 28 kinds")
        spans = []
        for s in e.get("sources") or []:
            if article is not None and s.get("article", article) != article:
                continue
            got = _locate(text, str(s.get("quote", "")), int(s.get("occurrence", 1)))
            if got is None:
                raise GoldError(
                    f"{where}: sources: quote not found in the text: {str(s.get('quote'))[:60]!r}"
                )
            spans.append(got)
        if not spans:
            continue
        try:
            rec = Coded(str(e.get("id", i + 1)), e["kind"], _text_date(e.get("date")),
                        None if e.get("until") is None else _text_date(e["until"]), e.get("place"),
                        tuple(spans))  # fmt: skip
            rec.when  # noqa: B018 - the dates must parse
        except ValueError as exc:
            raise GoldError(f"{where}: date: {exc}") from None
        out.append(rec)
    return out


def load_gold(path: Path) -> list[GoldArticle]:
    """The hand-coded articles of a corpus-format YAML file, or of every such file under a folder."""
    from dashboard.readers import yamlio  # noqa: PLC0415

    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            doc = yamlio.load(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise GoldError(f"{f}: cannot be read ({exc})") from None
        if not isinstance(doc, dict) or not doc.get("articles"):
            continue
        for art in doc["articles"]:
            name = f"{f}: article {art.get('id')}"
            for key in ("id", "title", "publisher", "published", "text"):
                if not art.get(key):
                    raise GoldError(f"{name}: {key} is missing")
            try:
                text = (f.parent / art["text"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise GoldError(f"{name}: text: {exc.strerror}: {art['text']}") from None
            default = doc.get("article") or (doc["articles"][0]["id"] if len(doc["articles"]) == 1 else None)
            events = [
                e for e in doc.get("events") or []
                if any(s.get("article", default) == art["id"] for s in e.get("sources") or [])
            ]  # fmt: skip
            published = art["published"]
            if not isinstance(published, date):
                try:
                    published = date.fromisoformat(str(published))
                except ValueError:
                    raise GoldError(f"{name}: published: {published!r} is not YYYY-MM-DD") from None
            out.append(GoldArticle(art["id"], str(art["title"]), str(art["publisher"]), published, text,
                                   coded(events, text, art["id"], str(f)), f))  # fmt: skip
    return out


def score(gold: Sequence[Coded], proposed: Sequence[Coded], sentences: Sequence[tuple[int, int]]) -> Score:
    """Compare the proposals with the hand-coded events of one text split into `sentences`."""
    starts = [a for a, _ in sentences]

    def where(spans: Iterable[tuple[int, int]]) -> set[int]:
        out = set()
        for a, b in spans:
            i = max(0, bisect.bisect_right(starts, a) - 1)
            while i < len(sentences) and sentences[i][0] < max(b, a + 1):
                if sentences[i][1] > a:
                    out.add(i)
                i += 1
        return out

    p_at = [where(p.spans) for p in proposed]
    g_at = [where(g.spans) for g in gold]
    coded_sentences = set().union(*g_at) if g_at else set()
    out = Score(hand=len(gold), proposals=len(proposed))
    for g, at in zip(gold, g_at, strict=True):
        near = [p for p, pa in zip(proposed, p_at, strict=True) if pa & at]
        root = [p for p in near if p.root == g.root]
        dated = [p for p in root if p.when == g.when]
        overlap = [p for p in root if any(a < d and c < b for a, b in p.spans for c, d in g.spans)]
        full = [p for p in overlap if p.when == g.when and p.place == g.place]
        for bucket, ok in ((out.on_sentence, near), (out.same_root, root), (out.same_date, dated),
                           (out.recovered, full)):  # fmt: skip
            if ok:
                bucket.append(g.id)
        if not near:
            out.misses.append(f"`{g.id}` ({g.kind}): no proposal on its sentence")
        elif not root:
            out.misses.append(f"`{g.id}` ({g.kind}): proposed as {', '.join(sorted({p.kind for p in near}))}")
        elif not dated:
            out.misses.append(f"`{g.id}` ({g.kind}): dated {_said(root[0])}, hand-coded {_said(g)}")
    out.spurious = [
        f"`{p.id}` ({p.kind})" for p, pa in zip(proposed, p_at, strict=True) if not pa & coded_sentences
    ]
    return out


def _said(e: Coded) -> str:
    return e.date + (f" until {e.until}" if e.until else "")


def _pct(n: int, d: int) -> str:
    return f"{n} ({n / d:.0%})" if d else "0"


def table(columns: Sequence[tuple[str, Score]]) -> list[str]:
    """The issue's table, one column a set of articles."""
    head = "| measure | " + " | ".join(
        f"{name} ({s.hand} hand-coded, {s.proposals} proposed)" for name, s in columns
    )
    lines = [head + " |", "|---|" + "---:|" * len(columns)]
    measures = [
        ("hand-coded events with a proposal on their sentence", lambda s: _pct(len(s.on_sentence), s.hand)),
        ("… with the same CAMEO root", lambda s: _pct(len(s.same_root), s.hand)),
        ("… with the same root and the same date", lambda s: f"**{_pct(len(s.same_date), s.hand)}**"),
        ("recovered (root, overlapping quote, date and place)", lambda s: _pct(len(s.recovered), s.hand)),
        ("proposals on no hand-coded sentence", lambda s: _pct(len(s.spurious), s.proposals)),
    ]
    for label, f in measures:
        lines.append(f"| {label} | " + " | ".join(f(s) for _, s in columns) + " |")
    return lines


def draft_of(events: Iterable[Any], text: str) -> list[Coded]:
    """A draft's proposals (`Proposal`s or their YAML records) as the scorer compares them."""
    out = []
    for e in events:
        rec = e if isinstance(e, dict) else {"id": e.id, "kind": e.kind, "date": e.date, "until": e.until,
                                             "place": e.place, "sources": e.sources}  # fmt: skip
        out.extend(coded([rec], text))
    return out


def correct(
    gold: Sequence[Coded], proposed: Sequence[Coded], sentences: Sequence[tuple[int, int]]
) -> list[bool]:
    """For each proposal, whether it is right: a hand-coded event on one of its sentences has the
    same CAMEO root and the same date (what the confidence score is calibrated against)."""
    out = []
    for p in proposed:
        s = score(gold, [p], sentences)
        out.append(bool(s.same_date))
    return out
