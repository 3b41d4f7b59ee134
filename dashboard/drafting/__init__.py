"""Draft events from an article's text, for an editor to review.

`draft(text, meta, actors, places)` reads the text sentence by sentence and proposes one event
per statement it recognises: the kind from the lexicon's verbs (`lexicon.TRIGGERS`), the
participants from the data folder's actors (names, aliases, surnames, role titles; a titled
person not yet known becomes a new actor), the place from the data folder's places and the
offline gazetteer, the date from the sentence relative to publication (`dates`), and the
attribution and certainty from its hedges. Each proposal quotes the exact text it came from and
says in its `note` what triggered it. Nothing here imports Streamlit or writes files.

A sentence with no date of its own that continues a scene — it opens with "The meeting",
"He", "The Belarusian leader", or names a person of the scene — takes the scene's date and
place; the note says so. A date is never sharpened by anything but the text and its
publication date.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from dashboard.drafting import confidence
from dashboard.drafting import dates as dt
from dashboard.drafting import lexicon as lx
from dashboard.drafting.entities import Known, Mention, country_name, country_of, slug
from dashboard.drafting.extract import Candidate, Extractor, finish
from dashboard.drafting.proposal import Meta, Proposal
from dashboard.model import NAME_MAX_LENGTH, TAXONOMY, URL_MAX_LENGTH, Actor, Place, control_character

MAX_BYTES = 20 * 1024 * 1024


class DraftError(ValueError):
    """Input the drafter cannot work from; the message says what to change."""


@dataclass
class Draft:
    meta: Meta
    article_id: str
    text: str
    events: list[Proposal]
    actors: list[dict[str, Any]]
    places: list[dict[str, Any]]
    skipped: list[str] = field(default_factory=list)

    def document(
        self, text_file: str, keep: set[str] | None = None, saved: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """The YAML document: the article, the new actors and places the kept events use, the events;
        `saved` is (who, when) for a draft saved into the data folder."""
        events = [e for e in self.events if keep is None or e.id in keep]
        used_actors = {p["actor"] for e in events for p in e.participants}
        used_places = {x for e in events for x in (e.place, e.origin) if x}
        art: dict[str, Any] = {"id": self.article_id, "title": self.meta.title,
                               "publisher": self.meta.publisher,
                               "published": self.meta.published.isoformat()}  # fmt: skip
        if self.meta.url:
            art["url"] = self.meta.url
        art |= {"language": self.meta.language, "text": text_file}
        if saved:
            art |= {"saved_by": saved[0], "saved_at": saved[1]}
        doc: dict[str, Any] = {"articles": [art], "article": self.article_id}
        actors = [a for a in self.actors if a["id"] in used_actors]
        places = [p for p in self.places if p["id"] in used_places]
        if actors:
            doc["actors"] = actors
        if places:
            doc["places"] = places
        doc["events"] = [_event_record(e) for e in events]
        return doc

    def to_yaml(
        self, text_file: str, keep: set[str] | None = None, saved: tuple[str, str] | None = None
    ) -> str:
        n = len(self.events if keep is None else [e for e in self.events if e.id in keep])
        head = (
            f"# Drafted by `python -m dashboard draft`: {n} proposed event(s) for an editor to review.\n"
            "# Each event is `status: draft` until an editor checks it against its quote and deletes that\n"
            "# line; its `note` says what in the sentence proposed it. New actors and places are proposals\n"
            "# too (run `python -m dashboard geocode` for the places).\n"
        )
        return head + "".join(_emit(self.document(text_file, keep, saved)))


# Characters PyYAML refuses to read raw (its reader's non-printable set) and the line breaks YAML
# folds inside quotes: written as escapes, so a quote reads back exactly as the text has it.
_UNSAFE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _scalar(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return {True: "true", False: "false", None: "null"}[v]
    if isinstance(v, int | float):
        return repr(v)
    # a JSON string is a YAML double-quoted scalar; `json.dumps(s, ensure_ascii=False)` returns this
    # function's result, after building an encoder each call (a fifth of writing a long draft)
    out = encode_basestring(str(v))
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}" if ord(m.group(0)) < 0x10000
                       else f"\\U{ord(m.group(0)):08x}", out)  # fmt: skip


def _emit(node: Any, indent: str = "") -> list[str]:
    """Block-style YAML for the draft's plain data (dicts, lists, strings, numbers), as lines.

    PyYAML's own representer took 6 s of a 5 MB text's 40,000 proposals; every string here is
    written double-quoted with JSON's escapes (which YAML reads the same), and tests read the
    output back with PyYAML."""
    out: list[str] = []
    _emit_into(out, node, indent, indent)
    return out


def _emit_into(out: list[str], node: dict[str, Any], indent: str, lead: str) -> None:
    """`node`'s lines appended to `out`, the first starting with `lead` in place of `indent` (a list
    item's "  - "): one list for the whole document, not a generator a nesting level."""
    for key, value in node.items():
        if isinstance(value, list):
            out.append(f"{lead}{key}:\n")
            for item in value:
                if (
                    isinstance(item, dict)
                    and all(not isinstance(v, dict | list) for v in item.values())
                    and (len(item) <= 2 and "quote" not in item)
                ):
                    inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in item.items())
                    out.append(f"{indent}  - {{{inner}}}\n")
                elif isinstance(item, dict):
                    _emit_into(out, item, indent + "    ", indent + "  - ")
                else:
                    out.append(f"{indent}  - {_scalar(item)}\n")
        elif isinstance(value, dict):
            out.append(f"{lead}{key}:\n")
            _emit_into(out, value, indent + "  ", indent + "  ")
        else:
            out.append(f"{lead}{key}: {_scalar(value)}\n")
        lead = indent


def _event_record(e: Proposal) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": e.id,
        "status": "draft",
        "kind": e.kind,
        "summary": e.summary,
        "date": e.date,
    }
    if e.until:
        rec["until"] = e.until
    rec["participants"] = e.participants
    if e.place:
        rec["place"] = e.place
    if e.origin:
        rec["origin"] = e.origin
    rec["sources"] = [{k: v for k, v in s.items() if k in ("quote", "occurrence")} for s in e.sources]
    rec |= {"attribution": e.attribution, "certainty": e.certainty}
    if e.confidence is not None:
        rec["confidence"] = e.confidence
    rec["note"] = e.note
    return rec


# --- reading the text --------------------------------------------------------------------

# Every pattern here and in the lexicon runs in time linear in its input (tests/test_adversarial.py):
# a run of spaces starts a match only at its first character (`(?<!\s)`), and a quantifier that
# cannot give back anything useful is possessive (`*+`, `++`), so no run of one character is
# re-scanned from each of its positions.
_CLAUSE_BREAK = re.compile(
    r",\s++(?=(?:with|while|whereas|though|although|offering|marking|including|adding|stating|which|but)\b)"
    r"|;\s++|(?<!\s)\s++[—–]\s++"
    r"|(?<!\s)\s++and\s++(?=(?:also\s++)?(?:\w+ed|met|held|sent|told|took|gave|made|flew|went)\b)",
)
# "— Outlet (@handle) June 21, 2025": the name holds no bracket, so the first "(" ends it; the
# parts are trimmed afterwards rather than by the pattern.
_EMBED_LINE = re.compile(r"\A[—–-](?P<who>[^()\n]*+)\((?P<handle>@\w++)\)(?P<when>[^\n]*+)\Z")
_EMBED_FRAGMENT = re.compile(r"pic\.twitter\.com/|https?://t\.co/")
_MEDIA_WORD = re.compile(r"\b(?:media|outlet|newspaper|agency|broadcaster|television|TV|channel|"
                         r"press|reporters?)\b", re.IGNORECASE)  # fmt: skip
# A subject in the first person ("we", "I"), right before its verb (up to two adverbs between).
_FIRST_PERSON = re.compile(
    r"\b(?:[Ww]e|I)\s++(?:(?:once again|again|also|today|hereby|strongly|firmly|"
    r"therefore|now|jointly)\s++){0,2}\Z"
)
# Verbs in the present that perform what they say: a call, a condemnation, a welcome, a demand.
_PERFORMATIVE = re.compile(
    r"(?:call|urge|appeal|ask|demand|condemn|denounce|reject|welcome|thank|"
    r"congratulate|commend|recogni[sz]e|express|reiterate|warn|protest)\b",
    re.IGNORECASE,
)
# In a transcript's answer, the spokesperson's present: "China firmly opposes", "welcomes the decision"
_PRESENT_PERFORMATIVE = re.compile(
    r"(?:(?:firmly|strongly|resolutely|categorically) )?(?:calls|urges|appeals|demands|condemns|denounces|"
    r"rejects|welcomes|thanks|congratulates|commends|opposes|hails|endorses)\b",
    re.IGNORECASE,
)
# A transcript's answer, by its label at the start of the line: "A: …", "Answer: …", "Spokesperson: …"
_ANSWER = re.compile(r"(?:A|Answer|Spokesperson(?: [A-Z][\w-]+){0,3}):[ \t]")
_HAS_BEFORE = re.compile(r"\b(?:has|have)\s++\Z", re.IGNORECASE)
# The present perfect of news just in: an arrival, a departure, a landing.
_HOT_NEWS = re.compile(r"\b(?:arrived|landed|left|departed|returned)\b", re.IGNORECASE)
# "since the Russian invasion", "before the 2022 offensive": a war named as a time
_SINCE_THE = re.compile(r"\b(?:since|before) (?:the |its |their )?(?:[\w'’-]+ ){0,2}\Z", re.IGNORECASE)
_PRESENT = re.compile(r"^(?:meets|says|tells|remains?|shows|reports|warns|hosts|visits)\b", re.IGNORECASE)
# Acts done once whose result lasts: "since" dates the act, not a span of it (CAMEO 08, 12, 16, 17)
_ONE_OFF_KINDS = frozenset(
    {"reduced_relations", "sanction", "concession", "release", "coercion", "rejection", "assault"}
)
_SINCE_DATE = re.compile(r"\b(?:ever )?since\s++(?:early |late |mid-)?$", re.IGNORECASE)
_SCENE_NOUNS = {
    **dict.fromkeys(["meeting", "meetings", "talks", "summit", "call", "encounter", "negotiations",
                     "consultations", "conversation", "discussions"], ("meeting",)),
    **dict.fromkeys(["visit", "trip", "tour"], ("visit",)),
}  # fmt: skip
_SCENE_LOOKBACK = 200  # proposals: how far back "after the talks" looks for the talks
_AFTER_SCENE = re.compile(
    r"\b(?:after|following|at the end of|during|at|in|later in|upon|on leaving|attended|joined) "
    r"(?:the|their|this|that|his|her|its)\s++(?:[\w-]++\s++){0,2}?"
    r"(?P<noun>" + "|".join(_SCENE_NOUNS) + r")\b",
    re.IGNORECASE,
)
# A place and the day one is there: "in Riga on the 30th", "to Tallinn on 3 July".
_LEG = re.compile(
    r"\b(?:in|to|at)\s++(?P<name>(?-i:[A-Z])[\w’'.-]*+(?:\s++(?-i:[A-Z])[\w’'.-]*+){0,3})\s*+,?\s*+"
    r"(?:on\s++|from\s++)?\Z"
)
_TRAVEL = re.compile(
    r"\b(?:tour\w*|trip|visit\w*|stops?|stopover|legs?|travel\w*|arriv\w*|due in|(?:was|were|is|are|be) in|"
    r"fl[eo]w|heads?|headed|itinerary)\b",
    re.IGNORECASE,
)
# What opens a clause before its subject: "the", a title ("President Yoon said", "Foreign Minister
# Park announced")
_LEAD = re.compile(rf"\s*+(?:the\s++)?(?P<the>)(?:(?-i:{lx.TITLE})\s++)?", re.IGNORECASE)
_OPENER = re.compile(r"(?:On|In|At|During|After|Later|Earlier|Meanwhile|Separately)\b[^,;.]{0,40},\s++")
_DENIED = re.compile(r"denied|denies", re.IGNORECASE)
_SELF_WILL = re.compile(r"(?:it|he|she|they|we) (?:too |also )?(?:would|will)", re.IGNORECASE)
_PLANNED = re.compile(r"(?:would|will)\b", re.IGNORECASE)
_ANNOUNCED_KINDS = frozenset({"sanction", "concession", "rejection"})
_IN_TURN = re.compile(r"\b(?:in turn|in return|in exchange)\b", re.IGNORECASE)
_LINE = 2_000  # how far back a line's start is looked for
# A live blog's entry stamped with a time alone, at the start of its line: "14:05 IST - ", "09:30 -"
_ENTRY_TIME = re.compile(r"\d{1,2}[:.]\d\d(?:[ \t][A-Z]{2,5})?[ \t]?[-–—][ \t]")
# What tells another act of the same kind, not the last one again: "They also signed", "a second round"
_ANOTHER = re.compile(r"\b(?:also|another|a second|a third|a further|again)\b", re.IGNORECASE)
# A quid pro quo: "in return", "in exchange (for …)"
_IN_RETURN = re.compile(r"\bin (?:return|exchange)\b", re.IGNORECASE)
# An invitation and what it invites to: "invited Putin to visit China this year", "accepted an invitation
# to visit Washington next month"
_INVITATION = re.compile(r"\binvit", re.IGNORECASE)
_INVITED_TO = re.compile(r"\bto\b", re.IGNORECASE)
# A verb of reporting in the past followed by what was said: "The Kremlin said (that) …", "told
# reporters after the session that …"
_REPORTING = re.compile(
    r"\b(?:said|told (?:[\w'’.-]+ ){0,4}?|added|noted|stated|announced|wrote|insisted|stressed|confirmed)"
    r"(?= (?:that )?\w)",
    re.IGNORECASE,
)
# "Trump announced that it too would normalise relations": an announced act of diplomatic cooperation
_WILL_BEFORE = re.compile(r"\b(?:would|will)\s++(?:\w++\s++)?\Z", re.IGNORECASE)
# "welcomed President Al Assad and his delegation, and the two sides exchanged views": a reception's
# greeting and the talks it opened, told after the reception itself
_SIDES_AFTER_GREETING = re.compile(
    r"\bwelcomed\b[^.;]*?,? and (?:the (?:two )?sides|both sides|the two (?:leaders|presidents|ministers|"
    r"delegations)) (?:also )?(?:discussed|exchanged views)\b",
    re.IGNORECASE,
)
# "The two sides discussed …" in a readout: what the talks just told covered, not another meeting
_SIDES_DISCUSSED = re.compile(
    r"(?:the (?:two )?sides|both sides|the two (?:leaders|ministers|delegations)|they) "
    r"(?:also )?(?:discussed|exchanged views)\b",
    re.IGNORECASE,
)
_SPEAKER_TRIM = re.compile(r"\b(?:also|previously|earlier|reportedly|later|then|now)\b\s*", re.IGNORECASE)


@dataclass
class _Sentence:
    no: int
    start: int
    end: int
    clauses: list[tuple[int, int]]
    vague: re.Match[str] | None = None  # "previously", "last week": the sentence's time is open
    according: re.Match[str] | None = None  # "according to X"


# `sentencex` reads a line in time that grows with the square of its unclosed opening quotes, so it
# is given a long line in pieces, cut where a sentence ends when one does, and a piece crowded with
# opening quotes (more than a text uses: `_CROWDED`) with those marks hidden from it. A sentence
# longer than `MAX_SENTENCE` characters is cut at its last space before the limit: every step after
# it works sentence by sentence, so no step's cost grows with more than one sentence.
LINE_PIECE = 5_000
MAX_SENTENCE = 1_000
_CROWDED = 20
_OPENING = re.compile("[“‘«»„‚「『‹›]")
_ENDS = re.compile(r"[.!?…][\"'”’»)\]]*+\s")
_SPACE = re.compile(r"\s")


def _cut(line: str, a: int, size: int, ends: re.Pattern[str] | None) -> int:
    """Where the piece of `line` from `a` ends: after the last sentence end (or else the last space)
    within `size` characters, or at `size` itself."""
    b = a + size
    if b >= len(line):
        return len(line)
    for pattern in (ends, _SPACE):
        if pattern is None:
            continue
        last = None
        for last in pattern.finditer(line, a + size // 2, b):  # noqa: B007 - the last one is wanted
            pass
        if last is not None:
            return last.end()
    return b


def sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Sentence spans: each line (paragraph) split by `sentencex`, with surrounding spaces trimmed."""
    from sentencex import segment  # noqa: PLC0415

    lang = language.split("-", maxsplit=1)[0]
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            start = 0
            while start < len(line):
                stop = _cut(line, start, LINE_PIECE, _ENDS)
                piece = line[start:stop]
                shown = piece if len(_OPENING.findall(piece)) <= _CROWDED else _OPENING.sub("#", piece)
                for seg_a, seg_b in _segments(segment, lang, shown):
                    a = seg_a
                    while seg_b - a > MAX_SENTENCE:
                        cut = _cut(shown, a, MAX_SENTENCE, None)
                        out.extend(_trimmed(piece, a, cut, pos + start))
                        a = cut
                    out.extend(_trimmed(piece, a, seg_b, pos + start))
                start = stop
        pos += len(line)
    return _rejoined(text, out)


_ABBREVIATED = re.compile(r"(?<![^\W\d_])(?:[A-Z]\.)++\Z")
_ABBREVIATION_GOES_ON = re.compile(r"(?:[A-Z]\.)++\s")


def _rejoined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """ "The two sides discussed the overall China-U.S. relationship": a cut inside an abbreviation
    of capitals ("U.|S."), or after one before a word in lower case, ends no sentence; the two spans
    are one."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            pa, pb = out[-1]
            if (
                (text[a : a + 1].islower() or _ABBREVIATION_GOES_ON.match(text, a, b))
                and b - pa <= MAX_SENTENCE
                and "\n" not in text[pb:a]
                and _ABBREVIATED.search(text, max(pa, pb - 12), pb)
            ):
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out


def _segments(segment: Any, lang: str, piece: str) -> Iterator[tuple[int, int]]:
    cursor = 0
    for sentence in segment(lang, piece):
        at = piece.find(sentence, cursor)
        size = len(sentence)
        if at < 0:  # the segmenter changed the text: fall back on the rest of the piece
            at, size = cursor, len(piece) - cursor
        yield at, at + size
        cursor = at + size


def _trimmed(piece: str, a: int, b: int, offset: int) -> list[tuple[int, int]]:
    while a < b and piece[a].isspace():
        a += 1
    while b > a and piece[b - 1].isspace():
        b -= 1
    return [(offset + a, offset + b)] if b > a else []


def _clauses(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out, at = [], a
    for m in _CLAUSE_BREAK.finditer(text, a, b):
        if m.start() > at:
            out.append((at, m.start()))
        at = m.end()
    out.append((at, b))
    return out


@dataclass
class _Hit:
    kind: str
    cameo: str
    start: int
    end: int
    words: str
    clause: int
    wrapper: bool = False


def _hits(
    text: str, s: _Sentence, known: Known, mentions: list[Mention], at: _Starts | None = None
) -> list[_Hit]:
    """The triggers of a sentence; `at` is `_trigger_starts(text)`, where one can start."""
    found: list[_Hit] = []
    starts = [a for a, _ in s.clauses]
    last = len(s.clauses) - 1
    for m in _trigger_matches(text, s.start, s.end, at):
        trig = lx.TRIGGERS[_which(text, m)]
        ci = bisect.bisect_right(starts, m.start()) - 1  # the clause holding it, else the last
        if ci < 0 or m.start() >= s.clauses[ci][1]:
            ci = last
        ca = s.clauses[ci][0]
        if lx.NEGATION.search(text[max(ca, m.start() - 40) : m.start()]):
            continue
        if trig.kind == "use_of_force" and _SINCE_THE.search(text, max(ca, m.start() - 40), m.start()):
            continue  # "the first ship since the Russian invasion": a time, not an event
        if trig.needs == "media":
            before = text[ca : m.start()]
            media = any(known.is_media(x.id) and ca <= x.start < m.start() for x in mentions)
            if not (media or _MEDIA_WORD.search(before)):
                continue
        found.append(_Hit(trig.kind, trig.cameo, m.start(), m.end(), m.group(0), ci))
    return found


def _trigger_order() -> list[int]:
    """Triggers longest-first (by the shortest text each can match), so where two phrases start at
    one place the more specific wins: "hosted Russian missile systems" over "hosted Russian …",
    "expressed willingness" over "expressed"."""
    from re import _parser  # noqa: PLC0415 - the standard library's own width of a pattern

    def shortest(i: int) -> int:
        return _parser.parse(lx.TRIGGERS[i].pattern).getwidth()[0]

    return sorted(range(len(lx.TRIGGERS)), key=shortest, reverse=True)


_ORDER = _trigger_order()
# Every trigger in one pattern, one scan a sentence (named groups would cost a third more).
_TRIGGERS_RE = re.compile(
    r"\b(?:" + "|".join(f"(?:{lx.TRIGGERS[i].pattern})" for i in _ORDER) + r")\b", re.IGNORECASE
)
_SINGLE = [re.compile(rf"\b(?:{t.pattern})\b", re.IGNORECASE) for t in lx.TRIGGERS]

# The combined pattern tries each of its hundred-odd alternatives at every character of a sentence;
# most characters start none. Where one can start is found first, for the whole text in one pass
# (Aho–Corasick), from the few letters every match of a trigger opens with ("met", "visi", "a ",
# "is “"), and the pattern is tried only there: the same matches, in a fraction of the time.
_PREFIX = 4


def _openings(pattern: str, size: int = _PREFIX) -> set[str]:
    """The texts, up to `size` characters, that every match of `pattern` opens with: in lower case,
    shorter where the pattern's next character could be one of many (a word character, any letter)."""
    from re import _constants as sre  # noqa: PLC0415 - the standard library's parsed patterns
    from re import _parser  # noqa: PLC0415

    def close(states: set[tuple[str, bool]]) -> set[tuple[str, bool]]:
        return {(t, False) for t, _ in states}

    def chars(op: object, av: Any) -> set[str] | None:
        """The characters one element matches, lower-cased; None when they are many, or when one of
        them has a case outside ASCII (the text is folded in ASCII only, `_FOLD`)."""
        got: set[str] = set()
        for o, v in [(op, av)] if op is sre.LITERAL else av if op is sre.IN else []:
            if o is sre.LITERAL:
                got.add(chr(v))
            elif o is sre.RANGE and v[1] - v[0] <= 30:
                got |= {chr(x) for x in range(v[0], v[1] + 1)}
            else:
                return None
        if not got or any(not c.isascii() and c.lower() != c.upper() for c in got):
            return None
        return {c.lower() for c in got}

    def walk(items: Any, states: set[tuple[str, bool]]) -> set[tuple[str, bool]]:
        for op, av in items:
            if not any(open_ and len(t) < size for t, open_ in states):
                break
            if op in (sre.LITERAL, sre.IN):
                cs = chars(op, av)
                states = close(states) if cs is None else {
                    (t + c, True) for t, open_ in states if open_ and len(t) < size for c in cs
                } | {(t, o) for t, o in states if not (o and len(t) < size)}  # fmt: skip
            elif op is sre.BRANCH:
                states = set().union(*(walk(b, states) for b in av[1]))
            elif op is sre.SUBPATTERN:
                states = walk(av[-1], states)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                once = close(walk(av[2], states))  # what follows one repetition is not followed
                states = states | once if av[0] == 0 else once
            elif op not in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero-width: nothing to read
                states = close(states)
            if len(states) > 2_000:
                states = close(states)
        return states

    return {t for t, _ in walk(_parser.parse(pattern), {("", True)})}


_FOLD = lx.FOLD
_OPENS = [_openings(t.pattern) for t in lx.TRIGGERS]
_OPENINGS = set().union(*_OPENS)
_AUTOMATON: list[Any] = []


@dataclass(frozen=True)
class _Starts:
    """Where in a text a trigger can start, in order, and the text folded as the openings are."""

    at: list[int]
    folded: str


def _trigger_starts(text: str) -> _Starts | None:
    """The positions of `text` where a trigger can start (None: every position)."""
    if "" in _OPENINGS:
        return None
    if not _AUTOMATON:
        import ahocorasick  # noqa: PLC0415

        auto = ahocorasick.Automaton()
        for t in _OPENINGS:
            auto.add_word(t, len(t))
        auto.make_automaton()
        _AUTOMATON.append(auto)
    folded = text.translate(_FOLD)
    return _Starts(sorted({end - n + 1 for end, n in _AUTOMATON[0].iter(folded)}), folded)


# At a place where a trigger can start, only the triggers that open with the letters there can match:
# the combined pattern narrowed to them, in the same order, finds the same match as the whole one
# (the alternatives left out fail there anyway) without trying a hundred alternatives that cannot.
_NARROWED: dict[str, re.Pattern[str]] = {}  # the first letters at a place (folded) → its pattern
_BY_OPENINGS: dict[frozenset[str], re.Pattern[str]] = {}


def _narrowed(head: str) -> re.Pattern[str]:
    """The combined pattern of the triggers that can open with `head`, `_PREFIX` folded letters."""
    got = _NARROWED.get(head)
    if got is None:
        opens = frozenset(head[:n] for n in range(1, len(head) + 1)) & _OPENINGS
        got = _BY_OPENINGS.get(opens)
        if got is None:
            alternatives = [f"(?:{lx.TRIGGERS[i].pattern})" for i in _ORDER if _OPENS[i] & opens]
            got = _BY_OPENINGS[opens] = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)
        if len(_NARROWED) >= 10_000:  # a bounded memo: a text can hold any letters
            _NARROWED.clear()
        _NARROWED[head] = got
    return got


def _trigger_matches(text: str, a: int, b: int, at: _Starts | None) -> Iterator[re.Match[str]]:
    """`_TRIGGERS_RE.finditer(text, a, b)`, tried only where `at` says a trigger can start, and only
    with the triggers that open with the letters there."""
    if at is None:
        yield from _TRIGGERS_RE.finditer(text, a, b)
        return
    pos = a
    starts, folded = at.at, at.folded
    for i in range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)):
        p = starts[i]
        if p < pos:
            continue
        m = _narrowed(folded[p : p + _PREFIX]).match(text, p, b)
        if m:
            yield m
            pos = max(m.end(), p + 1)


_WINNERS: dict[str, list[int]] = {}


def _which(text: str, m: re.Match[str]) -> int:
    """Which trigger the combined pattern matched: the first, in its order, that matches the same
    text at the same place (the last answer for the same words is tried first)."""
    key = m.group(0).lower()
    known = _WINNERS.get(key, [])
    for i in [*known, *_ORDER]:
        got = _SINGLE[i].match(text, m.start())
        if got and got.end() == m.end():
            if i not in known:
                if len(_WINNERS) >= 10_000:  # a bounded memo: "a … visit" holds any words
                    _WINNERS.clear()
                _WINNERS[key] = [i, *known]
            return i
    raise AssertionError(f"no trigger matches {key!r}")  # the combined pattern is their union


@dataclass
class _Scene:
    date: str
    how: str
    place: str | None
    persons: set[str]
    sentence: int
    last: int = 0  # the last sentence that told it (set it, or continued it)


class _Drafter:
    def __init__(self, text: str, meta: Meta, known: Known) -> None:
        self.text, self.meta, self.known = text, meta, known
        self.context: set[str] = set()
        self.events: list[Candidate] = []
        self.skipped: list[str] = []
        self.scene: _Scene | None = None
        self.previous_actors: list[str] = []
        self.dates = dt.Resolver(meta.published)
        self.sentence_no = 0
        self.trigger_starts: _Starts | None = None
        # the sentence's place names by stretch: each proposal of a sentence reads the whole sentence's
        self.locatives: dict[tuple[int, int], list[tuple[str, str, int]]] = {}
        # a live blog's day: that of its last heading ("Live updates, Sunday 10 September 2023.")
        self.blog_day: tuple[str, str] | None = None

    # --- the article ---------------------------------------------------------------------

    def run(self) -> None:
        text = self.text
        self.context = self._countries_named()
        spans = sentences(text, self.meta.language)
        embedded = self._embeds(spans)
        self.trigger_starts = _trigger_starts(text)
        title = self.meta.title.strip()
        for no, (a, b) in enumerate(spans, start=1):
            if (a, b) in embedded:
                continue
            if no <= 2 and text[a:b].strip() == title:
                continue  # the headline repeated as the text's first line
            self._sentence(_Sentence(no, a, b, _clauses(text, a, b)))

    def _countries_named(self) -> set[str]:
        words = set(re.findall(r"[A-Z][\w.]++(?: [A-Z]\w++)?", self.text[:2_000_000]))
        codes = {country_of(w) for w in words} | {
            c for w in words for c in [country_of(w.split()[0])] if " " in w
        }
        return {c for c in codes if c}

    def _embeds(self, spans: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """An embedded post ("— Outlet (@handle) June 21, 2025" under the post's text) is one
        report by its author, dated by its own line; its words propose nothing else."""
        skip: set[tuple[int, int]] = set()
        for i, (a, b) in enumerate(spans):
            line = self.text[a:b]
            if _EMBED_FRAGMENT.search(line):
                skip.add((a, b))
                continue
            m = _EMBED_LINE.match(line)
            if not m or not m["who"].strip():
                continue
            found = dt.find(m["when"].strip(), self.meta.published)
            if not found or i == 0:
                continue
            post = spans[i - 1]
            if post in skip:
                continue
            skip |= {(a, b), post}
            self._embed(post, (a, b), m, found[0])
        return skip

    def _embed(self, post: tuple[int, int], line: tuple[int, int], m: re.Match[str], when: dt.Found) -> None:
        who = m["who"].strip()
        aid = self.known.new_actor(who, "media")  # an actor of that name in any case, else a new one
        others = [x.id for x in self.known.actors_in(self.text[post[0] : post[1]], post[0]) if x.id != aid]
        parts = [{"actor": aid, "role": "publisher"}] + [
            {"actor": x, "role": "subject"} for x in dict.fromkeys(others)
        ]
        self._add(
            kind="report", cameo="010", spans=[post, line], when=(when.value, None), place=None, origin=None,
            participants=parts, attribution=who, certainty="confirmed",
            note=f"an embedded post by {who} ({m['handle']}), dated by its own line ({when.how})",
        )  # fmt: skip

    # --- one sentence --------------------------------------------------------------------

    def _sentence(self, s: _Sentence) -> None:
        text = self.text
        self.sentence_no = s.no
        self.locatives.clear()
        mentions = self.known.actors_in(text[s.start : s.end], s.start)
        hits = _hits(text, s, self.known, mentions, self.trigger_starts)
        stext = text[s.start : s.end]
        s.vague = lx.VAGUE.search(text, s.start, s.end)
        s.according = lx.ACCORDING_TO.search(text, s.start, s.end) if "ccording to" in stext else None
        sentence_dates = self.dates.sentence(stext, s.start, s.no)
        self._heading(s, hits, sentence_dates)
        own_dates = [f for f in sentence_dates if not f.aside]  # not "who last came in 2019"
        # nor the day of what an invitation invites to ("invited Putin to visit China this year")
        invited = [
            to.start()
            for h in hits
            if h.kind == "intent" and _INVITATION.search(h.words)
            for to in [_INVITED_TO.search(text, h.end, s.clauses[h.clause][1])]
            if to
        ]
        own_dates = [f for f in own_dates if not any(f.start > at for at in invited)]
        # a date inside what was said ("said that Japan upholds the declaration of 1998") is the content's:
        # it does not stop the saying from going on with the scene
        said = _REPORTING.search(stext)
        content = lx.COMPLEMENT.match(stext[said.end() : said.end() + 60]) if said else None
        told = [f for f in own_dates if not content or f.start - s.start < said.end() + content.end()]
        carried = self._carries(s, stext, mentions, bool(told), said)
        if not told and not s.vague:
            named = self._after_scene(s)
            if named:
                self.scene, carried = named, True
                if len(named.date) == 10:  # "the same day" after it counts from the scene's day
                    self.dates.reference = dt.Reference(date.fromisoformat(named.date), named.how, s.no)
        wrapper = self._wrapper(s, hits, mentions)
        for h in hits:
            # CAMEO 112: an accusation reported as what a speaker said ("Joly said the Government of India
            # had made a fundamental error", "told him there is no purgatory for war criminals") is that
            # criticism, not a plain statement
            if (
                h.kind == "statement"
                and not h.wrapper
                and not _DENIED.match(h.words)
                and lx.ACCUSATION.search(text, h.end, s.end)
            ):
                h.kind, h.cameo = "criticism", "112"
        groups: dict[tuple[str, int, bool], list[_Hit]] = {}
        for h in hits:
            if h.wrapper:
                continue
            if h.kind == "diplomatic_cooperation" and _IN_RETURN.search(text, *s.clauses[h.clause]):
                # "the United States recognised Moroccan sovereignty over Western Sahara in return": what
                # is given for what the other side did is yielded, CAMEO 08 (as a release in exchange is)
                h.kind, h.cameo = "concession", "080"
            # A trigger in an aside ("Bolojan, who last visited Moldova in 2019, arrived …") is an
            # event of its own, with the aside's date.
            key = (h.kind, -1 if h.kind in lx.TALK_KINDS else h.clause, self._aside(s, h))
            groups.setdefault(key, []).append(h)
        explicit_place: str | None = None
        scene_date: tuple[str, str] | None = None
        for (kind, _, _), hs in groups.items():
            if kind == "statement":  # what was said runs to the end of the sentence
                qa, qb = s.clauses[hs[0].clause][0], s.end
            else:
                qa, qb = s.clauses[hs[0].clause][0], s.clauses[hs[-1].clause][1]
            qa, qb = _trim(text, qa, qb)
            when, date_note = self._date(s, qa, qb, hs[0], sentence_dates, carried)
            if kind == "visit":
                when, date_note = _n_days(hs[0].words, when, date_note, text[qa:qb])
                when, date_note = _visit_until(when, date_note, text, qa, qb, sentence_dates)
            others = [s.clauses[h.clause] for h in hits if h.kind != kind and not h.wrapper]
            place, origin, place_note = self._place(s, kind, qa, qb, hs[0], mentions, carried, others)
            if explicit_place and kind in lx.SPEECH_KINDS and (place is None or "carried" in place_note):
                place, place_note = explicit_place, "named earlier in the sentence"
            if kind == "meeting" and carried and self._told_meeting(s, qa, qb):
                continue
            parts = self._participants(kind, qa, qb, hs[0], mentions, wrapper, carried)
            if not parts:
                self.skipped.append(
                    f"sentence {s.no}: “{hs[0].words}” ({TAXONOMY[kind].label}) names no actor: "
                    "nothing proposed"
                )
                continue
            attribution, certainty = self._attribution(s, qa, qb, hs[0], wrapper, mentions)
            words = ", ".join(f"“{h.words}”" for h in hs)
            names = ", ".join(f"{self.known.name_of(p['actor'])}" for p in parts)
            # "released prisoners on 3 and 8 January, her office said": the release happened once a day
            # listed; the saying that reports them all is one statement
            reports = kind in lx.SPEECH_KINDS and any(k not in lx.SPEECH_KINDS for k, _, _ in groups)
            for day, day_note in _listed(when, date_note, sentence_dates, text, one=reports):
                note = (
                    f"Drafted from {words} (CAMEO {hs[0].cameo}) in sentence {s.no}. Date: {day_note}. "
                    f"Place: {place_note}. Participants: {names}."
                )
                self._add(
                    kind=kind, cameo=hs[0].cameo, spans=[(qa, qb)], when=day, place=place, origin=origin,
                    participants=parts, attribution=attribution, certainty=certainty, note=note,
                )  # fmt: skip
            if place and "carried" not in place_note:
                explicit_place = explicit_place or place
            if when[0] != "unknown" and len(when[0]) >= 7 and not when[1] and "carried" not in date_note:
                scene_date = scene_date or (when[0], date_note)
        self._itinerary(s, stext, sentence_dates, mentions)
        persons = {m.id for m in mentions if self.known.is_person(m.id)}
        if scene_date and hits:
            self.scene = _Scene(scene_date[0], scene_date[1], explicit_place, persons, s.no, s.no)
        elif carried and self.scene:
            self.scene.last = s.no
            self.scene.persons |= persons
            self.scene.place = explicit_place or self.scene.place
        if mentions:
            self.previous_actors = list(dict.fromkeys(m.id for m in mentions))

    def _itinerary(self, s: _Sentence, stext: str, found: list[dt.Found], mentions: list[Mention]) -> None:
        """ "Sandu was in Vilnius on the 29th and 30th, in Riga on the 30th, and is due in Tallinn on
        the 3rd": a sentence of travel naming two or more places, each with its own day, is one visit
        a leg (in place of one visit for the sentence)."""
        if len(found) < 2 or not _TRAVEL.search(stext):
            return
        legs = []
        for f in found:
            if f.aside or f.quoted or not f.day:
                continue
            m = _LEG.search(self.text, max(s.start, f.start - 60), f.start)
            # a leg's city need not be in a country the text names ("due in Athens on the 12th")
            got = (
                (self.known.place(m["name"], self.context) or self.known.place(m["name"], set()))
                if m
                else None
            )
            if m and got:
                legs.append((m, f, got))
        if len({got[0] for _, _, got in legs}) < 2:
            return
        visits = [e for e in self.events if e.sentence == s.no and e.kind == "visit"]
        persons = [m.id for m in mentions if self.known.is_person(m.id)]
        # the visitor: the visit's, else the sentence's person, else the last named ("He was in …")
        named = persons or [m.id for m in mentions] or self.previous_actors[:1] or [None]
        who = visits[0].participants[0]["actor"] if visits else named[0]
        if who is None:
            return
        self.events = [e for e in self.events if e not in visits]
        for m, f, (pid, src) in legs:
            a, b = _trim(self.text, s.start, f.end)
            stretch = self.text[max(s.start, m.start() - 40) : m.start()]
            planned = " (planned: “due”, “will”)" if dt.FUTURE.search(stretch) or dt.FUTURE.search(
                self.text, m.start(), f.start) else ""  # fmt: skip
            self._add(
                kind="visit", cameo="042", spans=[(a, b)], when=(f.value, f.until), place=pid, origin=None,
                participants=[{"actor": who, "role": "visitor"}], attribution="the article",
                certainty="confirmed",
                note=f"Drafted from a leg of an itinerary, “{self.text[m.start() : f.end]}”, in sentence "
                f"{s.no}{planned}. Date: {f.how}. Place: “{m['name']}” ({src}). "
                f"Participants: {self.known.name_of(who)}.",
            )  # fmt: skip

    def _told_meeting(self, s: _Sentence, qa: int, qb: int) -> bool:
        """ "On 18 June, Qin Gang held talks with Blinken. The two sides discussed …": a readout's
        second sentence tells what the meeting just proposed covered; its quote joins that meeting. So does
        an agency's "His Highness welcomed the President, and the two sides exchanged views on …" after
        the sentence of the reception, or after one more of the same scene between them (the arrival)."""
        if self.scene is None:
            return False
        opens = _SIDES_DISCUSSED.match(self.text, s.start, s.end)
        if not opens and not _SIDES_AFTER_GREETING.search(self.text, s.start, s.end):
            return False
        told = [
            e
            for e in self.events
            if e.kind == "meeting"
            and (e.sentence == self.scene.sentence or (not opens and s.no - 2 <= e.sentence < s.no))
        ]
        if not told:
            return False
        told[-1].spans.append((qa, qb))
        told[-1].merged.append(s.no)
        return True

    def _in_other_aside(self, s: _Sentence, at: int, hit: _Hit) -> bool:
        stext = self.text[s.start : s.end]
        a, b = dt.segment(stext, at - s.start)
        return a > 0 and bool(dt.ASIDE.match(stext, a)) and not a <= hit.start - s.start < b

    def _aside(self, s: _Sentence, h: _Hit) -> bool:
        stext = self.text[s.start : s.end]
        a, _ = dt.segment(stext, h.start - s.start)
        return a > 0 and bool(dt.ASIDE.match(stext, a) or dt.APPOSITIVE.match(stext, a))

    def _carries(
        self, s: _Sentence, stext: str, mentions: list[Mention], dated: bool, said: re.Match[str] | None
    ) -> bool:
        """Does this sentence continue the scene the text has set (its date and place)? `said` is
        the sentence's verb of reporting (`_REPORTING`), if any."""
        if self.scene is None or dated:
            return False
        if s.vague or lx.PERFECT.search(stext):
            return False
        shares = any(m.id in self.scene.persons for m in mentions)
        # narrative continuity: the past tense right after a sentence of the scene goes on telling it
        # ("Biden greeted the Americans late Thursday. In Moscow, Putin met the returning Russians.")
        # (not a flashback in the past perfect, not the future)
        # the tense is the teller's, not that of what was said: "The Kremlin said no date had been set"
        # goes on in the past ("had been set" is the backshift of reported speech)
        own = stext[: said.end()] if said else stext
        goes_on = (
            self.scene.last == s.no - 1
            and not dt.FUTURE.search(own)
            and not lx.MODAL.search(own)
            # a relative clause's flashback ("talks that had opened on 25 October") leaves the main
            # clause's tense as it is
            and not dt.PLUPERFECT.search(dt.REL_PLUPERFECT.sub("", own))
        )
        return shares or goes_on or bool(lx.ANAPHORA.search(stext))

    def _wrapper(self, s: _Sentence, hits: list[_Hit], mentions: list[Mention]) -> dict[str, Any] | None:
        """ "X told Reuters that Y …": a verb of speech whose content holds another proposal is the
        attribution of what it reports, not an event of its own."""
        for h in hits:
            if h.kind not in lx.SPEECH_KINDS:
                continue
            after = self.text[h.end : min(s.end, h.end + 60)]  # what is said opens within 60 characters
            m = lx.COMPLEMENT.match(after)
            if not m:
                continue
            at = h.end + m.end()
            stop = next(b for a, b in s.clauses if a <= at < b or b == s.clauses[-1][1])
            inner = [x for x in hits if at <= x.start < stop]
            if not inner:
                continue
            ca = s.clauses[h.clause][0]
            # "Romania said on Monday that it had released two prisoners": a named actor, the
            # clause's subject, announcing an act makes two events, the act and the announcement.
            # An unnamed official or a news outlet only attributes what it reports.
            # the subject opens the clause, after "the", a title, or a time or place set off by a comma
            # ("On the same day, Japan's ministry announced that …")
            firsts = set()
            for at0 in (ca, *(o.end() for o in [_OPENER.match(self.text, ca, h.start)] if o)):
                lead = _LEAD.match(self.text, at0, h.start)
                firsts |= {lead.start("the"), lead.end()} if lead else {at0}
            subject = next((x for x in mentions if x.start in firsts), None)
            planned = [
                x
                for x in inner
                if (x.kind == "intent" and _PLANNED.match(x.words))
                or (
                    x.kind == "diplomatic_cooperation"
                    and _WILL_BEFORE.search(self.text, max(at, x.start - 12), x.start)
                )
                # what the speaker says it will itself yield ("announced that it would lift the
                # restrictions"), not what it says another will ("said that Washington would lift …")
                or (
                    x.kind in ("concession", "rejection") and _SELF_WILL.fullmatch(self.text, at, x.start + 5)
                )
                # what an organ of a state announces that state will do is the state's own act: "the
                # General Administration of Customs announced that China would suspend imports"
                or (
                    x.kind in _ANNOUNCED_KINDS and _PLANNED.match(x.words) and self._own_state(subject, at, x)
                )
            ]
            # "The Ministry said that Seoul, in turn, would withdraw the complaint": what one side gives in
            # return is its concession (CAMEO 08), whoever reports it
            reciprocal = [
                x for x in inner if x.kind == "concession" and _IN_TURN.search(self.text, at, x.start)
            ]
            planned += [x for x in reciprocal if x not in planned]
            if planned or lx.MODAL.search(self.text, at, inner[0].start) or lx.MODAL.match(inner[0].words):
                # "Duda told reporters that Poland would continue to serve as a logistics hub": what
                # would, will or could happen is what was said, not an event; the statement is the event.
                # What a named speaker says it will do for another is also its intent (CAMEO 03:
                # "Frontex said that it would send officers"), and relations it announces will be
                # established or normalised are that cooperation (05); an unnamed official's are not.
                keep = subject is not None and not self.known.is_media(subject.id) and subject.end <= h.start
                for x in inner:
                    if x in planned and (keep or x in reciprocal):
                        continue
                    x.wrapper = True  # folded into the statement
                    x.kind, x.cameo = h.kind, h.cameo
                continue
            h.wrapper = not (subject and not self.known.is_media(subject.id) and subject.end <= h.start)
            speaker = _SPEAKER_TRIM.sub("", self.text[ca : h.start]).strip(" ,")
            hearer = next((x for x in mentions if h.end <= x.start <= h.end + 2), None)
            said = speaker or "unnamed sources"
            if hearer and self.known.is_media(hearer.id):
                said = f"{said}, speaking to {self.known.name_of(hearer.id)}"
            citing = lx.CITING.search(after[: m.end()])
            if citing:
                said = f"{said}, citing {citing.group(1).strip()}"
            media = any(self.known.is_media(x.id) for x in mentions if ca <= x.start < h.start)
            who = {x.id for x in mentions if ca <= x.start < h.end + m.end()}
            if not h.wrapper and subject:  # "Romania said that it had released …": it is Romania
                who.discard(subject.id)
            return {"at": at, "stop": stop, "said": said, "reported": media or bool(citing), "who": who,
                    "words": h.words}  # fmt: skip
        return None

    # --- what a proposal holds -----------------------------------------------------------

    def _own_state(self, subject: Mention | None, at: int, x: _Hit) -> bool:
        """Does the speaker (the clause's subject) speak for the state its complement names first?"""
        if subject is None:
            return False
        after = list(self.known.actors_in(self.text[at : x.start], at))
        if not after:
            return False
        a, b = self.known.actors.get(subject.id), self.known.actors.get(after[0].id)
        return bool(a and b and a.country and a.country == b.country and b.kind == "state")

    def _date(
        self, s: _Sentence, qa: int, qb: int, hit: _Hit, found: list[dt.Found], carried: bool
    ) -> tuple[tuple[str, str | None], str]:
        pub = self.meta.published.isoformat()
        chosen = self._tied(s, qa, qb, hit, found)
        if chosen:
            if chosen.value == "unknown":
                return ("unknown", chosen.until), chosen.how
            if _SINCE_DATE.search(self.text, max(qa, chosen.start - 12), chosen.start):
                if hit.kind in _ONE_OFF_KINDS:
                    # "suspended from the bloc since December 2016": the act was done then; the state
                    # it began goes on, and the event is the act (the start alone)
                    return (
                        chosen.value,
                        chosen.until,
                    ), f"“since” {chosen.how}: the act's day, the state it began goes on"
                return (chosen.value, pub), f"“since” {chosen.how}, until publication"
            return (chosen.value, chosen.until), chosen.how
        # "said that relations are at their lowest since …": what was said does not date the saying
        said = (
            lx.COMPLEMENT.match(self.text[hit.end : min(qb, hit.end + 60)])
            if hit.kind in lx.SPEECH_KINDS
            else None
        )
        own_end = hit.end + said.end() if said else qb
        since = lx.SINCE.search(self.text, qa, own_end)
        if since:
            before = [f for f in found if f.end <= since.start()]
            if before:
                return (before[-1].value, pub), f"“since”, from {before[-1].how}, until publication"
            return ("unknown", pub), "“since”, with no date before it: unknown, until publication"
        quote = self.text[qa:own_end]
        vague = s.vague if s.vague and s.vague.start() < own_end else None
        if vague:
            return ("unknown", pub), f"“{vague.group(0)}”: unknown, until publication"
        entry = self._entry_day(s, found)
        if entry:
            return entry
        first_person = _FIRST_PERSON.search(
            self.text, max(s.clauses[hit.clause][0], hit.start - 40), hit.start
        )
        if first_person and _PERFORMATIVE.match(hit.words):
            # "We once again call on India to cooperate", "We condemn the attack": an act the text itself
            # performs, in the first person and the present, is done on publication
            return (pub, None), (
                f"the first person's present (“{first_person.group(0).strip()} {hit.words}”): "
                f"done in the text "
                f"itself, on publication"
            )
        line = self._line_start(hit.start)
        answer = _ANSWER.match(self.text, line) if line is not None else None
        if answer and (
            _PRESENT_PERFORMATIVE.match(hit.words)
            or _PLANNED.match(hit.words)
            or _HAS_BEFORE.search(self.text, max(qa, hit.start - 12), hit.start)
        ):
            # A transcript's answer ("A: China firmly opposes …", "China will take resolute measures", "China
            # has rejected the request"): what the spokesperson does in the present, the future or the
            # perfect is done by saying it, on the day of the briefing
            return (pub, None), (
                f"a transcript's answer (“{answer.group(0).strip()}”), “{hit.words}” in the present, "
                "the future or the perfect: done by saying it, on publication"
            )
        perfect = lx.PERFECT.search(quote)
        if perfect and _HOT_NEWS.search(perfect.group(0)) and 0 <= hit.start - qa - perfect.start() <= 12:
            # "Nancy Pelosi has arrived in Seoul": the perfect of an arrival or a departure in news copy
            # is the news of the day, not some time before it
            return (pub, None), f"the perfect of news just in (“{perfect.group(0)}”): publication"
        if perfect:
            return ("unknown", pub), f"present perfect (“{perfect.group(0)}”): unknown, until publication"
        if _PRESENT.match(hit.words):
            return ("unknown", pub), f"present tense (“{hit.words}”): unknown, until publication"
        before = [f for f in found if f.end <= qa and not f.aside and not f.quoted]
        if before:
            return (before[-1].value, before[-1].until), f"{before[-1].how}, earlier in the sentence"
        # "held talks in narrow and expanded formats in the Kremlin on Tuesday": a clause cut short
        # before its date; the next date of the sentence is the event's when no other verb comes first.
        after = next((f for f in found if f.start >= qb and not f.aside and not f.quoted), None)
        if after and after.start - qb <= 200 and not _TRIGGERS_RE.search(self.text, qb, after.start):
            return (after.value, after.until), f"{after.how}, later in the sentence, no other verb before it"
        if carried and self.scene:
            return (self.scene.date, None), f"carried from sentence {self.scene.sentence} ({self.scene.how})"
        return ("unknown", pub), "the sentence gives none: unknown, until publication"

    def _tied(self, s: _Sentence, qa: int, qb: int, hit: _Hit, found: list[dt.Found]) -> dt.Found | None:
        """The date of the clause that holds the trigger: one in the trigger's own stretch between
        commas first (the nearest), else the most precise one of the quote outside any aside ("who
        last visited in 2019", "the first since 2020"); a year elsewhere in the sentence is not the
        event's."""
        # "support for the recovery from the earthquake of 6th February": that date is the earthquake's
        inside = [f for f in found if qa <= f.start < qb and not dt.names_a_thing(self.text, f.start)]
        if hit.kind in lx.SPEECH_KINDS:
            # "told reporters after the session that the crossings would stay closed until the 13th":
            # a date in what was said is the content's, not the day of saying it
            said = lx.COMPLEMENT.match(self.text[hit.end : min(qb, hit.end + 60)])
            if said:
                inside = [f for f in inside if f.start < hit.end + said.end()]
        if hit.kind == "intent" and _INVITATION.search(hit.words):
            # "invited Putin to visit China this year": the day after "to" is the visit's, planned; the
            # invitation is dated by its own words or its scene
            to = _INVITED_TO.search(self.text, hit.end, qb)
            if to:
                inside = [f for f in inside if f.start < to.start()]
        if not inside:
            return None
        # "the strike, carried out on Sunday morning, had killed Zawahiri": a date inside the trigger's
        # own words is the event's
        within = [f for f in inside if hit.start <= f.start and f.end <= hit.end and not f.quoted]
        # "talks that had opened on 25 October, convened by the African Union": the relative clause's
        # flashback inside the trigger's words dates neither the trigger nor the scene
        flashback = [f for f in within if dt.REL_PLUPERFECT.search(self.text, hit.start, f.start)]
        within = [f for f in within if f not in flashback]
        inside = [f for f in inside if f not in flashback]
        if within:
            return within[0]
        if self._aside(s, hit):
            # "Nijjar, a Canadian citizen shot dead in Surrey, British Columbia, on June 18": what an aside
            # tells is dated by the aside's own date after it
            later = [f for f in inside if f.aside and f.start >= hit.end and not f.quoted]
            if later:
                return later[0]
        stext = self.text[s.start : s.end]
        sa, sb = dt.segment(stext, hit.start - s.start)
        own = [f for f in inside if sa <= f.start - s.start < sb]
        # "decided to close two crossings from the 8th": the day it takes effect is not the decision's
        own = [
            f
            for f in own
            if not (f.aside and (f.horizon or dt.EFFECT.search(self.text, max(0, f.start - 16), f.start)))
            # "signed at the end of talks that had opened on 25 October": the relative clause's day
            and not (f.aside and f.start > hit.end and dt.REL_PLUPERFECT.search(self.text, hit.end, f.start))
        ]
        if own and hit.kind == "intent" and _PLANNED.match(hit.words):
            # "he would travel to Washington on Monday": the day planned, not the day it was said
            ahead = [f for f in own if f.start >= hit.start]
            own = ahead or own
        if own:
            return min(own, key=lambda f: min(abs(f.start - hit.end), abs(hit.start - f.end)))
        outside = [f for f in inside if not f.aside]
        if not outside:
            return None
        return max(outside, key=lambda f: (len(f.value), -abs(f.start - hit.start)))

    def _line_start(self, at: int) -> int | None:
        """Where the line holding `at` starts; None when it starts more than `_LINE` characters back
        (no heading or entry stamp is that far: a text without newlines is not searched again and
        again)."""
        got = self.text.rfind("\n", max(0, at - _LINE), at)
        if got < 0:
            return 0 if at <= _LINE else None
        return got + 1

    def _heading(self, s: _Sentence, hits: list[_Hit], found: list[dt.Found]) -> None:
        """A line of one sentence that names a day and tells no event is a heading: a live blog's
        "Live updates, Sunday 10 September 2023." dates the entries under it."""
        if hits:
            return
        line_start = self._line_start(s.start)
        line_end = self.text.find("\n", s.end, s.end + _LINE)
        rest = self.text[s.end : line_end if line_end >= 0 else s.end + _LINE]
        if line_start is None or self.text[line_start : s.start].strip() or rest.strip():
            return
        days = [f for f in found if f.day and not f.quoted and not f.aside]
        if days:
            self.blog_day = (days[-1].value, f"{days[-1].how}, the heading above")

    def _entry_day(self, s: _Sentence, found: list[dt.Found]) -> tuple[tuple[str, None], str] | None:
        """ "14:05 IST - Modi has handed the gavel to Lula. Lula said …": a live blog's entry stamped
        with a time alone is of the day of its heading (else of publication); a sentence of it with no
        date of its own, in whatever tense, is of that day."""
        if any(not f.aside and not f.quoted for f in found):
            return None
        line_start = self._line_start(s.start)
        if line_start is not None:  # past the line's indent, a few characters at most
            while line_start < s.start and self.text[line_start] in " \t":
                line_start += 1
        m = _ENTRY_TIME.match(self.text, line_start) if line_start is not None else None
        if not m or m.end() > s.end:
            return None
        stamp = m.group(0).strip(" -–—")
        if self.blog_day:
            day, how = self.blog_day
            return (day, None), f"a live blog's entry stamped “{stamp}”, of the day of {how}"
        pub = self.meta.published
        return (
            pub.isoformat(),
            None,
        ), f"a live blog's entry stamped “{stamp}”, of publication ({pub.isoformat()})"

    def _after_scene(self, s: _Sentence) -> _Scene | None:
        """ "After the meeting, X said", "During their encounter, …": what the sentence tells is placed
        at the scene it names, the latest proposal of that kind with a date."""
        m = _AFTER_SCENE.search(self.text, s.start, s.end)
        if not m:
            return None
        kinds = _SCENE_NOUNS[m["noun"].lower()]
        after = m.group(0).split()[0].lower() in ("after", "following") or "end of" in m.group(0).lower()
        # "after the talks": the latest proposal told with that noun ("held talks"), else the latest of
        # its kind (an informal meeting told after the talks is not "the talks"); a scene is recent, so
        # the search looks a bounded way back and a long text stays linear
        noun = re.compile(rf"\b{re.escape(m['noun'])}\b", re.IGNORECASE)
        latest = told = None
        for e in self.events[: -_SCENE_LOOKBACK - 1 : -1]:
            if e.kind in kinds and e.date != "unknown":
                latest = latest or e
                if noun.search(self.text, *e.spans[0]):
                    told = e
                    break
        e = told or latest
        if e is None:
            return None
        # "After the talks" of 3 and 4 May: their last day; "During the talks": their first.
        day = e.until if after and e.until else e.date
        last = ", their last day" if day != e.date else ""
        how = f"“{m.group(0)}”: the {m['noun'].lower()} drafted from sentence {e.sentence}{last}"
        persons = {p["actor"] for p in e.participants if self.known.is_person(p["actor"])}
        return _Scene(day, how, e.place, persons, e.sentence)

    def _place(
        self, s: _Sentence, kind: str, qa: int, qb: int, hit: _Hit, mentions: list[Mention], carried: bool,
        others: list[tuple[int, int]],
    ) -> tuple[str | None, str | None, str]:  # fmt: skip
        place = origin = None
        how = ""
        spans = [(qa, qb)] if kind in lx.SPEECH_KINDS else [(qa, qb), (s.start, s.end)]
        for a, b in spans:
            # A statement is placed only by "In Minsk, X said", not by its content.
            for prep, name, at in self._locatives(a, hit.start if kind in lx.SPEECH_KINDS else b):
                # Not a place named in a clause that proposes an event of another kind.
                if not qa <= at < qb and any(ca <= at < cb for ca, cb in others):
                    continue
                # Nor one named in an aside about another time ("who last visited Moldova in 2019").
                if self._in_other_aside(s, at, hit):
                    continue
                got = self.known.place(name, self.context)
                if got is None:
                    continue
                pid, src = got
                if prep == "from" and kind in lx.ORIGIN_KINDS:
                    origin = origin or pid
                    continue
                if prep == "with" and self.known.place_kind(pid) != "city":
                    continue
                if place is None:
                    place, how = pid, f"“{prep} {name}” ({src})"
            if place:
                break
            if kind == "military_support":  # basing and logistics happen on the supporter's territory
                subject = (
                    next((m for m in mentions if qa <= m.start < qb), None) or (mentions[:1] or [None])[0]
                )
                home = self.known.state_place(subject.id) if subject else None
                if home:
                    place, how = home, f"the country of {self.known.name_of(subject.id)}, the supporter"
                    break
        there = lx.THERE.search(self.text, qa, qb)
        if place is None and there:
            earlier = [
                p for prep, n, at in self._locatives(s.start, there.start())
                for p in [self.known.place(n, self.context)] if p and prep not in ("from", "with")
            ]  # fmt: skip
            if earlier:
                place, how = earlier[-1][0], f"“{there.group(0)}”, the place named before it"
        if place is None and carried and self.scene and self.scene.place:
            place, how = self.scene.place, f"carried from sentence {self.scene.sentence}"
        return place, origin, how or "none named"

    def _locatives(self, a: int, b: int) -> list[tuple[str, str, int]]:
        got = self.locatives.get((a, b))
        if got is None:
            got = self.locatives[(a, b)] = self._read_locatives(a, b)
        return got

    def _read_locatives(self, a: int, b: int) -> list[tuple[str, str, int]]:
        out = []
        for m in lx.LOCATIVE.finditer(self.text, a, b):
            prep = m["prep"].lower()
            prep = "visit" if prep.startswith("visit") else prep
            name = m["name"].rstrip(".")
            for part in _place_candidates(name):
                out.append((prep, part, m.start()))
        for m in lx.TERRITORY.finditer(self.text, a, b):
            country = country_name(country_of(m["name"]))
            if country:
                out.append((m["prep"].lower(), country, m.start()))
        out.sort(key=lambda x: x[2])
        return out

    def _participants(
        self, kind: str, qa: int, qb: int, hit: _Hit, mentions: list[Mention], wrapper: dict[str, Any] | None,
        carried: bool,
    ) -> list[dict[str, str]]:  # fmt: skip
        skip = wrapper["who"] if wrapper and wrapper["at"] <= hit.start < wrapper["stop"] else set()
        inside = [m for m in mentions if qa <= m.start < qb and m.id not in skip]
        ids = list(dict.fromkeys(m.id for m in inside))
        if not ids:
            ids = [m.id for m in mentions if m.id not in skip][:1]
        if carried and self.scene and not any(m.start < hit.start for m in inside):
            # "The delegations met …", "He stated …": the scene's people, then whoever else is named.
            ids = list(dict.fromkeys([*sorted(self.scene.persons), *ids]))
        if not ids:
            ids = self.previous_actors[:2]
        subject = next((m.id for m in inside if m.start < hit.start), ids[0] if ids else None)
        told = re.match(r"\s*(\S+(?: \S+)?)", self.text[hit.end : hit.end + 40]) if hit.words.lower() in (
            "told", "tells", "assured") else None  # fmt: skip
        addressee = next((m.id for m in inside if told and hit.end <= m.start <= hit.end + 2), None)
        out = []
        for aid in ids:
            rec = {"actor": aid}
            if aid == subject and kind in lx.SUBJECT_ROLE:
                rec["role"] = lx.SUBJECT_ROLE[kind]
            elif aid == addressee:
                rec["role"] = "addressee"
            out.append(rec)
        return out

    def _attribution(
        self,
        s: _Sentence,
        qa: int,
        qb: int,
        hit: _Hit,
        wrapper: dict[str, Any] | None,
        mentions: list[Mention],
    ) -> tuple[str, str]:
        if wrapper and wrapper["at"] <= hit.start < wrapper["stop"]:
            return wrapper["said"], "reported" if wrapper["reported"] else "claimed"
        according = s.according
        if according:
            who = according.group(1).strip()
            media = any(self.known.is_media(m.id) for m in mentions if according.start() <= m.start < s.end)
            return who, "reported" if media else "claimed"
        hedge = lx.REPORTEDLY.search(self.text, qa, qb)
        if hedge:
            return f"unnamed sources (“{hedge.group(0)}”)", "reported"
        return "the article", "confirmed"

    def _add(
        self, *, kind: str, cameo: str, spans: list[tuple[int, int]], when: tuple[str, str | None],
        place: str | None, origin: str | None, participants: list[dict[str, str]], attribution: str,
        certainty: str, note: str,
    ) -> None:  # fmt: skip
        self.events.append(
            Candidate(
                kind=kind, cameo=cameo, spans=spans, date=when[0], until=when[1], participants=participants,
                place=place, origin=origin, attribution=attribution, certainty=certainty, note=note,
                sentence=self.sentence_no, another=bool(_ANOTHER.search(self.text, *spans[0])),
            )
        )  # fmt: skip


class Rules:
    """The lexicon's rules as an extractor: sentence by sentence, the verbs of `lexicon.TRIGGERS`,
    the dates of `dates.Resolver`, people and places from `Known`."""

    name = "rules"

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def extract(self, text: str, meta: Meta, known: Known) -> list[Candidate]:
        d = _Drafter(text, meta, known)
        d.run()
        self.skipped = d.skipped
        return d.events


# "arrived in Tokyo on the 16th for a two-day visit": the visit opens on the arrival's day
_N_DAY_FOR = re.compile(
    r"\b(?P<verb>arrived|arrives|arriving|landed)\b[^.;]{0,80}?\bfor an? "
    r"(?P<n>\d+|two|three|four|five|six|seven)-day (?:[\w-]+ ){0,2}?(?:visit|trip|tour|stay)\b",
    re.IGNORECASE,
)
# "a three-day visit", "a two-day state visit": how long a visit lasts, wherever it is told
_N_DAY_ANY = re.compile(
    r"\b(?P<n>\d+|two|three|four|five|six|seven)-day (?:[\w-]+ ){0,2}?(?:visit|trip|tour|stay)\b",
    re.IGNORECASE,
)
_UNTIL_AT = re.compile(r"(?:until|till)\s", re.IGNORECASE)
_N_DAY = re.compile(
    r"\b(?P<verb>concluded|ended|wrapped up|began|started) \w+ (?:[\w-]+ )?"
    r"(?P<n>\d+|two|three|four|five|six|seven)-day\b",
    re.IGNORECASE,
)


def _n_days(
    words: str, when: tuple[str, str | None], note: str, quote: str = ""
) -> tuple[tuple[str, str | None], str]:
    """ "concluded his three-day visit on Wednesday": Monday to Wednesday; "began a two-day visit on
    Monday", "arrived in Tokyo on Monday for a two-day visit": Monday and Tuesday."""
    m = _N_DAY.search(words) or _N_DAY_FOR.search(quote)
    if not m or len(when[0]) != 10 or when[1]:
        return when, note
    n = int(m["n"]) if m["n"].isdigit() else dt.NUMBERS[m["n"].lower()]
    day = date.fromisoformat(when[0])
    if m["verb"].lower() in ("began", "started", "arrived", "landed", "arrives", "arriving"):
        first, last = day, day + timedelta(days=n - 1)
    else:
        first, last = day - timedelta(days=n - 1), day
    return (first.isoformat(), last.isoformat()), f"{note}; “{m.group(0)}”: {n} days"


def _visit_until(
    when: tuple[str, str | None], note: str, text: str, qa: int, qb: int, found: list[dt.Found]
) -> tuple[tuple[str, str | None], str]:
    """ "arrived on 6 January for a visit until Thursday": the visit runs from its day to the day after
    "until"; "on a three-day visit until Thursday": the three days that end then."""
    if when[1] or len(when[0]) != 10:
        return when, note
    end = next(
        (f for f in found if qa <= f.start < qb and f.day and not f.until and _UNTIL_AT.match(text, f.start)),
        None,
    )
    if end is None:
        return when, note
    said = text[end.start : end.end]
    if end.value > when[0]:
        return (when[0], end.value), f"{note}; until {end.value} (“{said}”)"
    m = _N_DAY_ANY.search(text, qa, qb)
    if end.value == when[0] and m:
        n = int(m["n"]) if m["n"].isdigit() else dt.NUMBERS[m["n"].lower()]
        first = date.fromisoformat(end.value) - timedelta(days=n - 1)
        return (first.isoformat(), end.value), f"{n} days (“{m.group(0)}”) ending {end.value} (“{said}”)"
    return when, note


def _listed(
    when: tuple[str, str | None], note: str, found: list[dt.Found], text: str, *, one: bool = False
) -> list[tuple[tuple[str, str | None], str]]:
    """ "reimposed sanctions in two waves, in August and November that year": an event dated by one of
    dates coordinated by "and" happened once a date (as an itinerary is one visit a leg), so it is one
    proposal a date; any other date is the event's alone. With `one` (a statement reporting the
    events the list dates: "… on 3 and 8 January, her office said"), one proposal, dated by the last
    date listed: a report of every day listed is made on or after the last of them, and that is the
    day it is news."""
    chosen = next((f for f in found if f.listed >= 0 and f.value == when[0] and note.startswith(f.how)), None)
    if chosen is None:
        return [(when, note)]
    dates = [f for f in found if f.listed == chosen.listed]
    words = text[dates[0].start : dates[-1].end]
    if one:
        last = dates[-1]
        return [
            ((last.value, last.until), f"{last.how}; the last of {len(dates)} dates listed in “{words}”: "
             "the statement reports what happened on each of them, so it was made on or after the last, "
             "and is one statement")
        ]  # fmt: skip
    return [
        ((f.value, f.until), f"{f.how}; one of {len(dates)} dates listed in “{words}”, one event a date")
        for f in dates
    ]


def _place_candidates(name: str) -> list[str]:
    """The name after a locative, and its parts around a possessive ("Minsk’s Palace …")."""
    parts = re.split(r"[’']s\s+", name)
    return [name] if len(parts) == 1 else [name, *reversed(parts)]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in ",;"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;"):
        b -= 1
    return a, b


def _number_occurrences(text: str, events: list[Proposal]) -> None:
    """Give a quote that occurs more than once in the text its `occurrence`: one pass over the text
    for every quote at once (Aho–Corasick), not one search per quote."""
    import ahocorasick  # noqa: PLC0415

    quotes = {s["quote"] for e in events for s in e.sources}
    if not quotes:
        return
    auto = ahocorasick.Automaton()
    for q in quotes:
        auto.add_word(q, q)
    auto.make_automaton()
    starts: dict[str, list[int]] = {}
    for end, q in auto.iter(text):
        starts.setdefault(q, []).append(end - len(q) + 1)
    for e in events:
        for s in e.sources:
            at = starts[s["quote"]]
            if len(at) > 1:
                s["occurrence"] = bisect.bisect_left(at, s["start"]) + 1


# --- the entry point ----------------------------------------------------------------------


def check_text(raw: bytes, name: str = "the text") -> str:
    """The article's text from its bytes, or a DraftError saying what is wrong with it."""
    if len(raw) > MAX_BYTES:
        raise DraftError(
            f"{name}: {len(raw) / 1e6:.1f} MB; the drafter reads texts up to {MAX_BYTES // 2**20} MB"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftError(
            f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 and try again"
        ) from None
    if not text.strip():
        raise DraftError(f"{name}: the text is empty")
    return text


def draft(
    text: str,
    meta: Meta,
    actors: dict[str, Actor],
    places: dict[str, Place],
    *,
    taken_ids: set[str] | frozenset[str] = frozenset(),
    articles: set[str] | frozenset[str] = frozenset(),
    today: date | None = None,
    extractor: Extractor | None = None,
) -> Draft:
    """Propose events for `text` (by the lexicon's rules, or `extractor`); raises DraftError for
    input it cannot work from."""
    if not text.strip():
        raise DraftError("the text is empty")
    today = today or date.today()
    if meta.published > today:
        raise DraftError(
            f"published {meta.published.isoformat()} is in the future (today is {today.isoformat()}); "
            "dates are read relative to publication, so give the day it was published"
        )
    if not meta.title.strip() or not meta.publisher.strip():
        raise DraftError("give the article's title and publisher")
    capped = (("title", meta.title, NAME_MAX_LENGTH), ("publisher", meta.publisher, NAME_MAX_LENGTH),
              ("address", meta.url or "", URL_MAX_LENGTH))  # fmt: skip
    for what, value, cap in capped:
        if len(value.strip()) > cap:  # the saved record would not load (dashboard.model's caps)
            raise DraftError(f"the {what} is {len(value.strip()):,} characters; it may hold at most {cap:,}")
        if (bad := control_character(value.strip())) is not None:
            raise DraftError(f"the {what} holds the control character U+{ord(bad):04X}; give it on one line")
    aid = meta.id or slug(meta.title)[:60].strip("-")
    base, n = aid, 1
    while aid in articles:
        n += 1
        aid = f"{base}-{n}"
    known = Known(actors, places)
    ex = extractor or Rules()
    events = finish(ex.extract(text, meta, known), text, known, set(taken_ids))
    confidence.score_all(events, text, meta.published, known)
    _number_occurrences(text, events)
    if not events:
        why = "; ".join(ex.skipped[:3])
        raise DraftError(
            "no recognisable event in the text: no sentence holds a verb of contact, speech or action from "
            "the "
            "lexicon (met, visited, said, hosted, released, …)" + (f" with an actor ({why})" if why else "")
        )
    return Draft(meta, aid, text, events, list(known.new_actors.values()), list(known.new_places.values()),
                 ex.skipped)  # fmt: skip
