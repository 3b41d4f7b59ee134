"""When: the dates a sentence gives, resolved the way news English is read.

`find(text, published)` reads the explicit dates of a text ("on 21 June", "June 21, 2025", "in
February 2025", "in 2020") and the words that count from publication ("yesterday", "on Monday").
`Resolver` reads an article sentence by sentence and adds the discourse:

- each sentence has a **reference date**: the last day the article has named (outside a quote and
  outside an aside such as "who last visited in 2019"), else the publication date;
- **anaphora** count from it: "that day", "the same day", "later that day", "the next day",
  "the following day", "a day later", "two days later", "the day before", "three days earlier";
- a **weekday** ("on Saturday") is the nearest such day to the reference, never after
  publication (in a clause about the future, "will", "due", the first one on or after it); a
  reference more than a week before publication and more than two sentences back is background,
  and the weekday counts from publication instead;
- a **bare ordinal** ("on the 29th", "due in Riga on the 3rd") is that day of the month nearest
  the reference, not after publication (in a clause about the future, the first one on or after
  the reference);
- **spans**: "on 3 and 4 May" (consecutive days), "3-5 May", "May 3 to 5", "from 30 May to 2 June",
  "between … and …", and "until 5 May"; a span that runs backwards ("from 5 May to 3 May") is
  not one: its first day is taken, and its `how` says so;
- **lists**: months coordinated by "and" with their year ("in August and November that year") are
  each a date of their own (`listed`); the drafter proposes the event once a month. So are days
  listed with commas and a last "and": "on 3 and 9 May", "on 3, 5 and 9 May", "on May 3rd and 9th",
  "the 3rd and 9th of May" (one year for them all), "on 3 May and 9 June", "on Monday and
  Thursday", "on the 3rd and 9th"; and dates of one precision so listed: "in 2019 and 2021",
  "in May 2019 and June 2020" ("from 2019 to 2021", "between 2019 and 2021" are spans). A run of
  consecutive days in a list is a span ("3, 4 and 9 May": 3-4 May, 9 May), and a list that is one
  run is no list but a span ("3, 4 and 5 May", "on Monday and Tuesday"), as is "between 3 and 9
  May"; consecutive years stay two dates (a year is not a stretch one event fills);
- **weekdays listed** are one stretch of under a week in the list's order: in the past, the
  placement of the list nearest the reference and not after publication ("on Monday and
  Thursday" in an article of Tuesday 7 January: 30 December and 2 January, not 6 January and the
  Thursday before it); about the future, the first on or after the reference and each next one
  after the one before;
- **impossible days**: "30 February 2025", "31 April" are no date: `unknown`, and the `how` says
  why ("30 February is not a date: February 2025 has 28 days"), so the event gets no month or
  year from the same words; a day no month has ("on 0 May", "0-9 May", "on 0 and 9 May") makes
  the words no date, the list refused whole rather than read as its valid days, and the `how`
  says so ("0 is not a day of any month: the list gives no date"); after a month, a number past
  31 is a count ("May 3 and 40 others");
- **quoted speech**: "today", "yesterday", "this morning" inside quotation marks count from the
  day of the speech (a date the sentence gives outside the quote, else the reference), not from
  publication;
- "last month", "earlier this month", "this year", "earlier this year", "last year" count from
  publication (from the day of the speech inside a quote).

Every date's `how` names the words that gave it and, when they came from another sentence, which.
The explicit dates are read by this module's patterns rather than by a general date parser:
`dateparser` 1.5 took 1.6 ms a date and 5 ms a sentence to search (40,000 sentences of a 5 MB
text would take minutes, against a 10 s aim), gave "in 2019" the day and month of its base date
(no precision), and did not read "3 and 4 May". Nothing sharpens a date but the text and its
publication date.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dashboard.drafting import lexicon as lx

WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10}  # fmt: skip


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    value: str  # YYYY-MM-DD, YYYY-MM, YYYY, or "unknown" (with `until`)
    how: str  # what the note says about it: the words, and where they came from
    until: str | None = None  # the last day of a span ("on 3 and 4 May", "until 5 May")
    quoted: bool = False  # inside quotation marks
    aside: bool = False  # in an aside that dates something else ("who last visited in 2019")
    backwards: bool = False  # two days joined as a span that runs backwards: the first one is taken
    listed: int = -1  # one of dates coordinated by "and" ("in August and November that year"): where
    # the list starts; an event told with a list happened once a date, as an itinerary's visits do
    horizon: bool = False  # "a plan … until 2030": how long what was agreed runs, the date of no event

    @property
    def day(self) -> date | None:
        return date.fromisoformat(self.value) if len(self.value) == 10 else None


def _month(word: str) -> int:
    return lx.MONTHS[word.lower().rstrip(".")]


def _day_value(y: int | None, m: int, d: int, published: date, ahead: bool = False) -> tuple[str, str] | None:
    """The day `d` of month `m`: in year `y`, else in the article's year, else (a day after
    publication, in a clause not about the future) in the year before. A day no month has (0, 32)
    is None: the words are not a day. A day that month lacks that year ("30 February", "31 April")
    is "unknown", and the words say why it is not a date."""
    if not 1 <= d <= 31:
        return None
    year = y if y is not None else published.year
    if y is None and (m, d) > (published.month, published.day) and not ahead:
        year, how = year - 1, "the year before the article's (the day is after publication)"
    else:
        how = "as written" if y is not None else "in the article's year"
    try:
        return date(year, m, d).isoformat(), how
    except ValueError:
        return "unknown", not_a_date(year, m, d)


def not_a_date(year: int, m: int, d: int) -> str:
    """Why day `d` of month `m` is no date: "30 February is not a date: February 2025 has 28 days",
    "31 April is not a date: April has 30 days"."""
    name = calendar.month_name[m]
    month = f"{name} {year}" if m == 2 else name
    return f"{d} {name} is not a date: {month} has {calendar.monthrange(year, m)[1]} days"


def no_day(n: int, what: str) -> str:
    """Why words with day `n` (0, 32) give no date: "0 is not a day of any month: the list gives
    no date"."""
    return f"{n} is not a day of any month: the {what} gives no date" + (
        " (none of its days is taken)" if what == "list" else ""
    )


def _long(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


# --- patterns (each linear in its input; see tests/test_adversarial.py) ----------------------
_M = lx.MONTH_PATTERN
_Y = lx.YEAR_PATTERN
_ORD = r"(?:st|nd|rd|th)?"
_JOIN = r"\s*+(?:and|to|until|till|through|[-–])\s*+"
# "3 and 4 May", "3-5 May 2025", "3 to 5 May"
DAY_SPAN = re.compile(rf"\b(\d{{1,2}}){_ORD}({_JOIN})(\d{{1,2}}){_ORD} (?:of )?({_M})(?:,? ({_Y}))?\b", re.I)
# "May 3 and 4", "May 3-5, 2025"
MONTH_DAY_SPAN = re.compile(rf"\b({_M}) (\d{{1,2}}){_ORD}({_JOIN})(\d{{1,2}}){_ORD}\b(?:,? ({_Y})\b)?", re.I)
DAY_OF_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORD} of ({_M})(?:,? ({_Y}))?\b", re.I)
# Days of one month listed with commas or "and" and a last "and": "3 and 9 May", "3, 5 and 9 May",
# "the 3rd and 9th of May", "May 3 and 9", "May 3rd, 5th and 9th, 2025". Each day is read from the
# list's words.
_LDAY = rf"(?:the\s++)?\d{{1,2}}{_ORD}\b"
# An inner "and" joins too when another day follows ("3 and 9 and 12 May"); the last join has "and".
# At most 40 days (a month has 31): each try is bounded, so a sentence of thousands of numbers is
# read in linear time.
_NEXT = rf"(?=\s*+,\s*+(?:and\s++)?{_LDAY}|\s++and\s++{_LDAY})"
_LIST = (
    rf"{_LDAY}(?:\s*+,\s*+{_LDAY}|\s++and\s++{_LDAY}{_NEXT}){{0,40}}+"
    rf"(?:\s*+,)?\s++and\s++{_LDAY}"
)
DAY_LIST = re.compile(rf"\b({_LIST}) (?:of )?({_M})(?:,? ({_Y}))?\b", re.I)
# not "in May 3 and 9 others were hurt": a count after the last number is no day
MONTH_DAY_LIST = re.compile(
    rf"\b({_M}) ({_LIST})(?!\s++(?:others?|more|people|persons|men|women|children|percent|per\b))"
    rf"(?:,? ({_Y})\b)?",
    re.I,
)
_LIST_DAY = re.compile(rf"(?:the\s++)?(\d{{1,2}}){_ORD}", re.I)  # _LDAY, its number a group
# What joins two listed dates ("3 May and 9 June", "3 May, 9 June and 1 July") or weekdays.
LIST_JOIN = re.compile(r"\s*+(?:,\s*+(?:and\s++)?|and\s++)\Z", re.I)
# The explicit-date patterns, each with the numbers of its groups: spans (first day, last day, month,
# year, the joining word) and single days (day, month, year). One loop reads them all.
_SPANS = ((DAY_SPAN, (1, 3, 4, 5, 2)), (MONTH_DAY_SPAN, (2, 4, 1, 5, 3)))
_LISTS = ((DAY_LIST, (1, 2, 3)), (MONTH_DAY_LIST, (2, 1, 3)))  # the days, the month, the year
_DAYS = ((DAY_OF_MONTH, (1, 2, 3)), (lx.DAY_MONTH, (1, 2, 3)), (lx.MONTH_DAY, (2, 1, 3)))
# A month tied to a year by words: "in May last year", "in August and November that year"
MONTH_REL_YEAR = re.compile(
    rf"\b({_M})(?: and ({_M}))? (?:of )?(last|this|that|the same|the previous|the following|the next) year\b",
    re.I,
)
# The day something takes effect is not the day it was decided: "decided on the 16th to close four
# crossings from the 18th", "effective 1 March", "as of Monday".
EFFECT = re.compile(r"\b(?:from|effective|as of|starting|beginning)\s++(?:the\s++|on\s++)?\Z", re.I)
# A speech verb right before an anaphor: "said the next day that …" (the "that" opens what was said)
_SAID_BEFORE = re.compile(
    r"\b(?:said|told (?:[\w-]+ ){0,2}?|announced|wrote|stated|added|declared|reported)\s++\Z", re.I
)
# "on the 29th", "on the 29th and 30th"; not "the 21st of June" (a full date)
ORDINAL = re.compile(
    r"\b(?:on )?the (\d{1,2})(?:st|nd|rd|th)\b"
    r"(?:(\s*+(?:and|to|[-–])\s*+)(?:the )?(\d{1,2})(?:st|nd|rd|th)\b)?"
    rf"(?! (?:of )?{_M})",
    re.I,
)
# Two dates joined into one span: "from 30 May to 2 June", "between 3 May and 5 May", "30 May - 2 June".
SPAN_JOIN = re.compile(r"\s*+(?:to|until|till|through|and|[-–])\s*+(?:on\s++)?\Z", re.I)
SPAN_OPEN = re.compile(r"\b(?:from|between)\s*+\Z", re.I)
UNTIL = re.compile(r"\b(?:until|till|through)\s*+(?:the\s++)?\Z", re.I)
ANAPHOR = re.compile(
    r"\b(?:(?:later |earlier )?(?:that|the same) (?:day|morning|afternoon|evening|night)"
    r"|(?:later|earlier) in the day"
    r"|(?P<next>the (?:next|following) day|the day after|(?:a|one) day later)"
    r"|(?P<before>the (?:previous|preceding) day|the day before|(?:a|one) day earlier)"
    r"|(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten) days (?P<dir>later|earlier|before|after))\b"
    r"(?P<rel> (?:that|the|his|her|their|its) )?",
    re.I,
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# "on Monday and Thursday", "on Monday, Wednesday and Friday": more weekdays after the first (not "and
# on Thursday", which may open a clause of its own)
WEEKDAY_MORE = re.compile(rf"(\s*+,\s*+(?:and\s++)?|\s++and\s++)({_WEEKDAYS})\b", re.I)
# "on Friday", "last Friday", "late Thursday", "Friday morning", and a live blog's "Friday, 19:00"
WEEKDAY = re.compile(
    rf"\b(?:(?P<last>last|this past) |on |this |(?:late|early) |(?:until|till|through|from) |(?<=, ))"
    rf"({_WEEKDAYS})\b"
    rf"|\b({_WEEKDAYS})(?= (?:morning|afternoon|evening|night)\b|,? \d{{1,2}}[:.]\d\d\b)",
    re.I,
)
DEICTIC = re.compile(
    r"\b(yesterday|today|tomorrow|tonight|this (?:morning|afternoon|evening)|last night|last year|this year|"
    r"earlier this year|last month|this month|earlier this month|this week)\b",
    re.I,
)
FUTURE = re.compile(
    r"\b(?:will|would|shall|is due|are due|due to|due in|due at|is expected|are expected|is scheduled|"
    r"are scheduled|is set to|are set to|plans? to|intends? to|next)\b|'ll\b",
    re.I,
)
# "two days after his envoy met Putin": the event after "after" is that many days before the day named
DAYS_AFTER = re.compile(
    r"\b(?P<n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten) days? (?P<dir>after|before) "
    r"(?=(?:the|his|her|their|its|an?) |(?-i:[A-Z]))",
    re.I,
)
# A flashback in the past perfect ("had announced the summit on Aug. 8") leaves the story's now.
PLUPERFECT = re.compile(
    r"\bhad\s++(?:\w+ly\s++|already\s++|also\s++)?(?:been\s++)?(?:\w+(?:ed|en|wn|ne|lt|ght|id|de|ung)|"
    r"met|held|led|left|sent|spent|won|lost|fled|made|paid|told|said|had|got|kept|run|come|become|seen)\b",
    re.I,
)
# Where an aside starts: a relative clause, an apposition about another time, a parenthesis.
ASIDE = re.compile(
    r"\W*+(?:who|whom|whose|which|where|when|since|the first|the last|its first|his first|her first|"
    r"their first|first|last|in power|a (?:\w+ )?(?:that|which)|an? (?:[\w-]+ ){1,2}\w+ing)\b",
    re.I,
)
_BREAKS = ",;()—–"
_SEGMENT_BREAK = re.compile(f"[{_BREAKS}]")
_FIRST_SINCE = re.compile(r"\bfirst\b[^,;.]*?\bsince\s*+\Z", re.I)
_EVENT_NOUNS = (
    r"earthquake|attacks?|elections?|declaration|agreement|accords?|treaty|war|revolution|coup|bombing|"
    r"disaster|floods?|massacre|invasion|crisis|referendum|ceasefire|armistice|tsunami|explosion|uprising"
)
# A date that names a thing, not the clause's act: "support for the recovery from the earthquake of 6th
# February", "the accords of 2020" (an event noun, then "of", then its date)
_NOUN_OF = re.compile(
    r"\b(?:the|its|their|his|her|this|that) (?:[\w-]+ ){0,2}?(?P<noun>" + _EVENT_NOUNS + r") of\s*+\Z",
    re.I,
)


def names_a_thing(text: str, at: int) -> bool:
    """Is the date at `at` a thing's ("the earthquake of 6th February"), not the act's of its clause?"""
    return _NOUN_OF.search(text, max(0, at - 60), at) is not None


# That thing's day named again by its noun: "On the day of the earthquake", "the day after the coup"
_DAY_OF_NAMED = re.compile(r"\bthe day (?P<rel>of|after|before) the (?P<noun>" + _EVENT_NOUNS + r")\b", re.I)
_DIGIT = re.compile(r"\d")
_DEICTIC_HINT = re.compile(r"yesterday|today|tomorrow|tonight|this |last ")
# Every pattern that reads a month needs one of these, as written (`lx.MONTH_PATTERN` is case-sensitive);
# a pattern of literals is scanned for by its first letters, a case-insensitive one at every character.
_MONTH_WORD = re.compile("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")


def _other_hint_words(folded: str) -> bool:
    """Whether a folded sentence with no digit, month or "day" holds one of `lx.DATE_HINT`'s other
    words ("last year", "this morning", "tonight", "tomorrow"): looked for before the case-insensitive
    pattern, which tries every character of a sentence that names no date."""
    return "last " in folded or "this " in folded or "tomorrow" in folded or "tonight" in folded


# A sentence that opens by naming its year frames every day-and-month in it that gives none: "Last
# year, on September 18, …", "In 2023, on 3 May and on 9 June, …" (news copy's framing adverbial)
FRAME_YEAR = re.compile(rf"^\W*+(?:(?P<rel>last|this) year|in (?P<year>{_Y})|earlier this year)\s*+,", re.I)
# A date after a relative clause in the past perfect is that clause's: "signed at the end of talks that
# had opened on 25 October" (the talks opened then; the signing did not)
REL_PLUPERFECT = re.compile(
    r"\b(?:that|which|who|when)\s++had\s++(?:\w+ly\s++|already\s++)?(?:been\s++)?\w+", re.I
)
# Days written out, as a transcript gives them: "the twenty-second of July", "July the first"
_ORD_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
              "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
              "eighteenth", "nineteenth", "twentieth"]  # fmt: skip
ORDINAL_WORDS = {w: i for i, w in enumerate(_ORD_WORDS, start=1)}
ORDINAL_WORDS |= {f"twenty-{w}": 20 + i for i, w in enumerate(_ORD_WORDS[:9], start=1)}
ORDINAL_WORDS |= {"thirtieth": 30, "thirty-first": 31}
_ORD_WORD = r"(?:twenty-|thirty-)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|" \
            r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth)" \
            r"|twentieth|thirtieth"  # fmt: skip
SPELLED_DAY = re.compile(
    rf"\bthe ({_ORD_WORD}) of ({_M})(?:,? ({_Y}))?\b|\b({_M}) (?:the )?({_ORD_WORD})\b", re.I
)
_QUOTE = re.compile(r"“[^”]*+”?|\"[^\"]*+\"?")


def quotes(text: str) -> list[tuple[int, int]]:
    """Spans of quoted speech in a sentence: “…” or "…" (an unclosed quote runs to the end)."""
    return [m.span() for m in _QUOTE.finditer(text) if m.end() - m.start() > 2]


def segment(text: str, at: int) -> tuple[int, int]:
    """The comma-, dash- or parenthesis-delimited stretch of `text` holding position `at`."""
    # one C-speed scan a break character, unrolled: a generator here was a tenth of a long draft
    a = max(text.rfind(",", 0, at), text.rfind(";", 0, at), text.rfind("(", 0, at), text.rfind(")", 0, at),
            text.rfind("—", 0, at), text.rfind("–", 0, at)) + 1  # fmt: skip
    m = _SEGMENT_BREAK.search(text, at)
    return a, m.start() if m else len(text)


def find(text: str, published: date, offset: int = 0) -> list[Found]:
    """Every explicit or publication-relative date in `text`, in order, not overlapping; positions are
    offset into the article. Each is read against publication only (no discourse)."""
    return Resolver(published).sentence(text, offset, 0, commit=False)


@dataclass
class Reference:
    day: date
    words: str  # the words that gave it
    sentence: int  # 0: the publication date
    background: bool = False  # named in a flashback (past perfect): a weekday does not count from it

    def said(self) -> str:
        if self.sentence == 0:
            return f"publication ({_long(self.day)})"
        return f"{_long(self.day)} (“{self.words}”, sentence {self.sentence})"


class Resolver:
    """Dates sentence by sentence, each read against what the article has said so far."""

    def __init__(self, published: date) -> None:
        self.published = published
        self.reference = Reference(published, "publication", 0)
        self.named: dict[str, tuple[date, str]] = {}  # "the earthquake" → the day "of 6th February" gave it

    def sentence(self, text: str, offset: int, no: int, *, commit: bool = True) -> list[Found]:
        """The dates of one sentence (`text`, at `offset` in the article, number `no`), in order.
        With `commit`, the sentence's last day outside quotes and asides becomes the reference."""
        # Cheap tests first: most sentences of a long text name no date at all.
        low = text.lower()
        dayish = "day" in low or "that " in low or "same " in low
        digits = _DIGIT.search(text) is not None
        months = _MONTH_WORD.search(text) is not None
        hinted = dayish or digits or months
        if not hinted and not (_other_hint_words(lx.fold(text)) and lx.DATE_HINT.search(text)):
            return []
        numbered = digits and months  # a day or a year with its month: "21 June", "June 2025"
        pub = self.published
        qs = quotes(text)
        out: list[Found] = []
        taken = bytearray(len(text))  # 1 where a date was read: a byte scan, not a loop over dates
        where = f", sentence {no}" if no else ""

        def free(a: int, b: int) -> bool:
            return taken.find(1, a, b) < 0

        q_starts = [x for x, _ in qs]

        def quoted(a: int) -> bool:
            i = bisect.bisect_right(q_starts, a) - 1
            return i >= 0 and a < qs[i][1]

        def aside(a: int) -> bool:
            sa, _ = segment(text, a)
            return bool(
                (sa > 0 and ASIDE.match(text, sa)) or text.rfind("(", 0, a) > text.rfind(")", 0, a)
            ) or bool(
                _FIRST_SINCE.search(text, max(0, a - 60), a)
                or _NOUN_OF.search(text, max(0, a - 60), a)
                or REL_PLUPERFECT.search(text, sa, a)
                or _in_appositive(text, sa, a)
            )

        def add(
            a: int, b: int, value: str, how: str, until: str | None = None, backwards: bool = False,
            *, words: str | None = None, listed: int = -1,
        ) -> None:  # fmt: skip
            taken[a:b] = b"\x01" * (b - a)
            how = f"“{words or text[a:b]}”{where}, {how}"
            out.append(
                Found(offset + a, offset + b, value, how, until, quoted(a), aside(a), backwards, listed)
            )

        def future(a: int) -> bool:
            sa, _ = segment(text, a)
            return bool(FUTURE.search(text, max(0, sa - 80), a))

        # days of one month listed ("3 and 9 May", "May 3, 5 and 9"), spans of days in one month, then
        # single days: "3 and 4 May", "May 3-5", "21st of June", "21 June 2025", "June 21"
        for pattern, (g, mon, yr) in _LISTS if numbered else ():
            for m in pattern.finditer(text):
                if not free(m.start(), m.end()):
                    continue
                days = [
                    (int(x[1]), x.start(), x.end()) for x in _LIST_DAY.finditer(text, m.start(g), m.end(g))
                ]
                bad = [d for d, _, _ in days if not 1 <= d <= 31]
                if bad and (pattern is DAY_LIST or 0 in bad):
                    # "on 0 and 9 May": a list with a day no month has is refused whole, not read as
                    # its valid days; after the month, a number past 31 is a count ("May 3 and 40").
                    add(m.start(), m.end(), "unknown", no_day(bad[0], "list"))
                    continue
                # "on 1 and 30 February": a day that month lacks refuses the list whole too, whichever
                # place it has in it
                month_no, year_no = _month(m[mon]), int(m[yr]) if m[yr] else None
                lacking = [
                    got[1] for d, _, _ in days if 1 <= d <= 31
                    for got in [_day_value(year_no, month_no, d, pub, future(m.start()))]
                    if got and got[0] == "unknown"
                ]  # fmt: skip
                if lacking:
                    add(
                        m.start(),
                        m.end(),
                        "unknown",
                        f"{lacking[0]}: the list gives no date (none of its days is taken)",
                    )
                    continue
                runs = _runs(days, lambda x, y: y[0] == x[0] + 1)
                if len(runs) == 1 or (
                    len(days) == 2 and _BETWEEN.search(text, max(0, m.start() - 12), m.start())
                ):
                    # "3, 4 and 5 May": consecutive days are one span; "between 3 and 9 May" is one too
                    self._span(m, days[0][0], days[-1][0], _month(m[mon]), m[yr], "-", free, add)
                    continue
                for a, b, value, how, until in self._days_listed(m, runs, _month(m[mon]), m[yr],
                                                                 future(m.start())):  # fmt: skip
                    add(a, b, value, how, until, words=m[0], listed=offset + m.start())
        for pattern, (d1, d2, mon, yr, join) in _SPANS if numbered else ():
            for m in pattern.finditer(text):
                n1, n2 = int(m[d1]), int(m[d2])
                bad = [d for d in (n1, n2) if not 1 <= d <= 31]
                if bad and (pattern is DAY_SPAN or 0 in bad) and free(m.start(), m.end()):
                    add(m.start(), m.end(), "unknown", no_day(bad[0], "span"))  # "0-9 May"
                    continue
                self._span(m, n1, n2, _month(m[mon]), m[yr], m[join], free, add)
        frame = FRAME_YEAR.match(text)
        framed: int | None = None
        if frame:
            framed = int(frame["year"]) if frame["year"] else pub.year - (
                1 if (frame["rel"] or "").lower() == "last" else 0)  # fmt: skip
        for pattern, (d, mon, yr) in _DAYS if numbered else ():
            for m in pattern.finditer(text):
                got = _day_value(int(m[yr]) if m[yr] else framed, _month(m[mon]), int(m[d]), pub,
                                 future(m.start()))  # fmt: skip
                if got and not m[yr] and framed is not None:
                    got = (
                        got[0],
                        f"in {framed}, the year the sentence opens with (“{frame[0].strip(' ,')}”)",
                    )
                if not free(m.start(), m.end()):
                    continue
                if got:
                    add(m.start(), m.end(), *got)
                elif pattern is not lx.MONTH_DAY and _DAY_PLACE.search(text, max(0, m.start() - 10),
                                                                       m.start()):  # fmt: skip
                    # "on 0 May", "on 32 May 2024": a day no month has, where a day is written
                    add(m.start(), m.end(), "unknown", no_day(int(m[d]), "day"))
        for m in SPELLED_DAY.finditer(text) if months else ():
            if not free(m.start(), m.end()):
                continue
            word, mon, yr = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], None)
            got = _day_value(int(yr) if yr else framed, _month(mon), ORDINAL_WORDS[word.lower()], pub,
                             future(m.start()))  # fmt: skip
            if got:
                add(m.start(), m.end(), got[0], f"a day written out, {got[1]}")
        for m in MONTH_REL_YEAR.finditer(text) if months else ():
            if not free(m.start(), m.end()):
                continue
            rel = m[3].lower()
            years = [int(f.value[:4]) for f in out if f.end - offset <= m.start() and f.value[:1].isdigit()]
            if rel in ("last", "this"):
                base_year, base_how = pub.year - (rel == "last"), f"“{m[3]} year”, from publication"
            else:  # "that year": the year last named in the sentence, else the reference's
                base_year = years[-1] if years else self.reference.day.year
                base_how = f"“{m[3]} year”, the year " + (
                    "named before it" if years else f"of {self.reference.said()}")  # fmt: skip
                base_year += {"the previous": -1, "the following": 1, "the next": 1}.get(rel, 0)
            for g in (1, 2) if m[2] else (1,):
                # "in August and November that year": two months, the year words with the second
                a, b = (m.start(2), m.end()) if g == 2 else (m.start(), m.end(1) if m[2] else m.end())
                add(a, b, f"{base_year:04d}-{_month(m[g]):02d}", f"a month of {base_year} ({base_how})")
                if m[2]:
                    out[-1] = replace(out[-1], listed=offset + m.start())
        for m in lx.MONTH_YEAR.finditer(text) if numbered else ():
            if free(m.start(), m.end()):
                add(m.start(), m.end(), f"{int(m[2]):04d}-{_month(m[1]):02d}", "a month")
        for m in lx.MONTH_ALONE.finditer(text) if months else ():
            if free(m.start(1), m.end(1)):
                mon = _month(m[1])
                year = pub.year - (1 if mon > pub.month else 0)
                how = "a month in the article's year" if year == pub.year else "a month of the year before"
                add(m.start(1), m.end(1), f"{year:04d}-{mon:02d}", how)
        for m in lx.YEAR.finditer(text) if digits else ():
            if free(m.start(), m.end()):
                add(m.start(), m.end(), m[1], "a year")
        out.sort(key=lambda f: f.start)
        out = _chained(text, offset, self._join(text, offset, out))

        # The days named outside quotes and asides, in order: what later words count from.
        anchors = [f for f in out if f.day and not f.quoted and not f.aside]
        anchor_ends = [f.end for f in anchors]

        def anchor_before(a: int) -> Found | None:
            i = bisect.bisect_right(anchor_ends, offset + a) - 1
            return anchors[i] if i >= 0 else None

        # Words that count from a day: the day of the speech inside a quote, else publication.
        def speech_day(a: int) -> tuple[date, str]:
            if anchors:
                f = anchors[-1]
                return (
                    f.day,
                    f"the day of the speech, {_long(f.day)} (“{text[f.start - offset : f.end - offset]}”)",
                )  # type: ignore[return-value]
            return self.reference.day, f"the day of the speech, the scene's: {self.reference.said()}"

        for m in DEICTIC.finditer(text) if _DEICTIC_HINT.search(low) else ():
            if not free(m.start(), m.end()):
                continue
            word = m[1].lower()
            inside = quoted(m.start())
            base, base_how = speech_day(m.start()) if inside else (pub, f"publication ({_long(pub)})")
            lead = "inside a quote, from " if inside else "from "
            if word.endswith("year"):
                y = base.year - (1 if word == "last year" else 0)
                add(m.start(), m.end(), str(y), f"{lead}{base_how}")
            elif word == "this week":
                # "approved the sale this week": from the week's Monday to the day it counts from
                monday = base - timedelta(days=base.weekday())
                add(m.start(), m.end(), monday.isoformat(), f"{lead}{base_how}, from its week's Monday",
                    until=base.isoformat() if monday < base else None)  # fmt: skip
            elif word.endswith("month"):
                first = base.replace(day=1)
                if word == "last month":
                    first = (first - timedelta(days=1)).replace(day=1)
                add(m.start(), m.end(), f"{first.year:04d}-{first.month:02d}", f"{lead}{base_how}")
            else:
                back = 1 if word in {"yesterday", "last night"} else -1 if word == "tomorrow" else 0
                add(m.start(), m.end(), (base - timedelta(days=back)).isoformat(), f"{lead}{base_how}")
        for m in WEEKDAY.finditer(text) if dayish else ():
            if not free(m.start(), m.end()):
                continue
            inside = quoted(m.start())
            here = anchor_before(m.start())
            if inside:
                base, base_how = speech_day(m.start())
            elif m["last"]:  # "last Tuesday": the week before publication, whatever the story's day
                base, base_how = pub, f"publication ({_long(pub)})"
            elif here:  # "arrived on 6 January and met Bolojan on Wednesday"
                f = here
                base = f.day  # type: ignore[assignment]
                base_how = f"{_long(base)} (“{text[f.start - offset : f.end - offset]}”{where})"
            elif (
                not self.reference.background
                and ((pub - self.reference.day).days <= 7 or no - self.reference.sentence <= 2)
                and not self._same_day_far_back(m[2] or m[3])
            ):
                base, base_how = self.reference.day, self.reference.said()
            else:  # a background date far back: a weekday in news copy is of the week before publication
                base, base_how = (
                    pub,
                    f"publication ({_long(pub)}; the last day named, {self.reference.said()}, is far back)",
                )
            ahead = future(m.start()) and not m["last"]
            # "on Monday and Thursday", "on Monday, Wednesday and Friday": each from the same day
            more = [] if m["last"] or m[3] else _listed_weekdays(text, m.end(), free)
            names = [(m[2] or m[3], m.start(), m.end())] + [(x[2], x.start(2), x.end(2)) for x in more]
            # each: (day, its note, where its words start and end, its name)
            if len(names) == 1:
                resolved = [_weekday(names[0][0], base, base_how, pub, ahead, bool(m["last"]))]
            else:  # "on Monday and Thursday": one week, in the list's order
                resolved = _weekday_list([n for n, _, _ in names], base, base_how, pub, ahead)
            days = [(*x, a, b, name) for x, (name, a, b) in zip(resolved, names, strict=True)]
            n_before = len(out)
            if len(days) == 1:
                add(m.start(), m.end(), days[0][0].isoformat(), days[0][1])
            else:
                runs = _runs(days, lambda x, y: y[0] == x[0] + timedelta(days=1))
                words = text[m.start() : more[-1].end()]
                for run in runs:
                    (d1, how1, a, _, name1), (d2, _, _, b, name2) = run[0], run[-1]
                    if len(runs) == 1:  # "on Monday and Tuesday": consecutive days are one span
                        how = f"a span of days, {name1} to {name2}: {how1}"
                    elif len(run) > 1:
                        how = f"{name1} to {name2}, a span of days, one of those listed: {how1}"
                    else:
                        how = f"{name1}, one of the days listed: {how1}"
                    add(a, b, d1.isoformat(), how, d2.isoformat() if len(run) > 1 else None,
                        words=words, listed=-1 if len(runs) == 1 else offset + m.start())  # fmt: skip
            if not inside:  # "said on Saturday he would travel on Monday": Monday counts from Saturday
                for f in out[n_before:]:
                    i = bisect.bisect_right(anchor_ends, f.end)
                    anchors.insert(i, f)
                    anchor_ends.insert(i, f.end)
        for m in ORDINAL.finditer(text) if digits else ():
            if not free(m.start(), m.end()):
                continue
            base, base_how = speech_day(m.start()) if quoted(m.start()) else (
                self.reference.day, self.reference.said())  # fmt: skip
            first = self._ordinal(int(m[1]), base, future(m.start()))
            if first is None:
                continue
            last = self._ordinal(int(m[3]), first, True) if m[3] else None
            how = f"that day of the month nearest {base_how}" + (
                ", ahead (a clause about the future)" if future(m.start()) else ", not after publication"
            )
            if last is not None and m[2].strip().lower() == "and" and (last - first).days != 1:
                # "on the 3rd and the 9th": two days, each a date of its own
                one, two = text[m.start(1) : m.start(2)], text[m.start(3) : m.end()]
                listed = offset + m.start()
                add(m.start(), m.start(2), first.isoformat(), f"the {one}, one of the days listed: {how}",
                    words=m[0], listed=listed)  # fmt: skip
                add(m.end(2), m.end(), last.isoformat(), f"the {two}, one of the days listed: the first "
                    f"such day after the {one} ({_long(first)})", words=m[0], listed=listed)  # fmt: skip
                continue
            add(m.start(), m.end(), first.isoformat(), how, last.isoformat() if last else None)
        for m in DAYS_AFTER.finditer(text) if dayish else ():
            f_before = anchor_before(m.start())
            if not f_before or not free(m.start(), m.end()):
                continue
            n = int(m["n"]) if m["n"].isdigit() else NUMBERS[m["n"].lower()]
            shift = -n if m["dir"].lower() == "after" else n
            day = f_before.day + timedelta(days=shift)  # type: ignore[operator]
            words = text[f_before.start - offset : f_before.end - offset]
            add(m.start(), m.end(), day.isoformat(), f"what follows it, counted from {_long(f_before.day)} "
                f"(“{words}”{where})")  # type: ignore[arg-type]  # fmt: skip
            out[-1] = replace(out[-1], aside=True)  # the day of what follows, not the sentence's
        for f in out:
            named = _NOUN_OF.search(text, max(0, f.start - offset - 60), f.start - offset) if f.day else None
            if named and f.until is None:
                self.named[named["noun"].lower()] = (f.day, text[f.start - offset : f.end - offset])  # type: ignore[assignment]
        for m in _DAY_OF_NAMED.finditer(text) if dayish and self.named else ():
            got = self.named.get(m["noun"].lower())
            if not got or not free(m.start(), m.end()):
                continue
            shift = {"of": 0, "after": 1, "before": -1}[m["rel"].lower()]
            add(m.start(), m.end(), (got[0] + timedelta(days=shift)).isoformat(),
                f"the day of the {m['noun']} named earlier (“{got[1]}”)")  # fmt: skip
        # Anaphora: from the last day named before them in this sentence, else the reference.
        anchors = sorted((f for f in out if f.day and not f.quoted and not f.aside), key=lambda f: f.end)
        anchor_ends = [f.end for f in anchors]
        for m in ANAPHOR.finditer(text) if dayish else ():
            if not free(m.start(), m.end()):
                continue
            if m["rel"] and not _SAID_BEFORE.search(text, max(0, m.start() - 40), m.start()):
                continue  # "the same day that he arrived": the day of something else
            f_before = anchor_before(m.start())
            if f_before:
                f = f_before
                base = f.day
                base_how = f"{_long(base)} (“{text[f.start - offset : f.end - offset]}”{where})"  # type: ignore[arg-type]
            else:
                base, base_how = self.reference.day, self.reference.said()
            shift = 0
            if m["next"]:
                shift = 1
            elif m["before"]:
                shift = -1
            elif m["n"]:
                n = int(m["n"]) if m["n"].isdigit() else NUMBERS[m["n"].lower()]
                shift = n if m["dir"].lower() in ("later", "after") else -n
            day = base + timedelta(days=shift)  # type: ignore[operator]
            add(m.start(), m.end() - len(m["rel"] or ""), day.isoformat(), f"counted from {base_how}")
        out.sort(key=lambda f: f.start)
        out = self._day_spans(text, offset, out)
        # "decided on the 16th to close four crossings from the 18th": the day it takes effect dates
        # no event of the sentence (an aside), unless it opens a span ("from 3 to 5 May")
        out = [
            replace(f, aside=True)
            if f.until is None
            and not f.backwards
            and f.day
            and EFFECT.search(text, max(0, f.start - offset - 16), f.start - offset)
            else f
            for f in out
        ]
        if commit:
            days = [f for f in out if f.day and not f.quoted and not f.aside and f.day <= pub]
            if days:
                f = days[-1]
                sa, _ = segment(text, f.start - offset)
                back = PLUPERFECT.search(text, sa, f.start - offset) is not None
                self.reference = Reference(f.day, text[f.start - offset : f.end - offset], no, back)  # type: ignore[arg-type]
        return out

    def _day_spans(self, text: str, offset: int, out: list[Found]) -> list[Found]:
        """ "from tomorrow until Sunday", "from Monday to Wednesday": two days named by words (a
        deictic, a weekday) joined into one span, as two dates written out are (`_join`)."""
        joined: list[Found] = []
        for f in out:
            prev = joined[-1] if joined else None
            if (
                prev is not None
                and prev.day and f.day and prev.until is None and f.until is None
                and f.day > prev.day
                and (
                    SPAN_JOIN.fullmatch(text, prev.end - offset, f.start - offset)
                    or (
                        not text[prev.end - offset : f.start - offset].strip()
                        and _UNTIL_WORD.match(text, f.start - offset)
                    )
                )
                and (
                    SPAN_OPEN.search(text, max(0, prev.start - offset - 12), prev.start - offset)
                    or _FROM_WORD.match(text, prev.start - offset)
                )
            ):  # fmt: skip
                joined[-1] = replace(prev, end=f.end, until=f.value,
                                     how=f"{prev.how}, to {f.how.split(',')[0]} (a span)")  # fmt: skip
                continue
            joined.append(f)
        return joined

    def _same_day_far_back(self, name: str) -> bool:
        """Would weekday `name` be the very day the reference named by its date, more than a week before
        publication? A day already named is "that day" or "the same day" in news English, not its
        weekday: "Trump called Lukashenko on August 15 (a Friday) … Lukashenko said on Friday" is the
        Friday of the week of publication."""
        ref = self.reference
        return (
            ref.sentence > 0
            and WEEKDAYS[name.lower()] == ref.day.weekday()
            and (self.published - ref.day).days > 7
            and not WEEKDAY.search(ref.words)
        )

    def _span(
        self, m: re.Match[str], d1: int, d2: int, mon: int, year: str | None, join: str, free, add
    ) -> None:  # type: ignore[no-untyped-def]
        if not free(m.start(), m.end()):
            return
        y = int(year) if year else None
        first = _day_value(y, mon, d1, self.published)
        last = _day_value(y, mon, d2, self.published)
        if not first or not last or d2 == d1:
            return
        if join.strip() == "and" and d2 != d1 + 1:
            return  # "on 3 and 9 May": two days, read one by one
        wrong = next((x for x in (first, last) if x[0] == "unknown"), None)
        if wrong:  # "30-31 April": the words are no span of days
            add(m.start(), m.end(), *wrong)
        elif d2 < d1:  # "from 5 to 3 May": no span runs backwards; its first day is taken
            add(m.start(), m.end(), first[0], f"{first[1]}; not a span: the {d2} is before the {d1}, "
                "the first day taken", backwards=True)  # fmt: skip
        else:
            add(m.start(), m.end(), first[0], f"a span of days, {first[1]}", last[0])

    def _days_listed(
        self,
        m: re.Match[str],
        runs: list[list[tuple[int, int, int]]],
        mon: int,
        year: str | None,
        ahead: bool,
    ) -> list[tuple[int, int, str, str, str | None]]:
        """The dates of "3 and 9 May", "May 3, 4 and 9": one a run of consecutive days (a span when
        it is two or more), in one year; each with where its words start and end and what its note
        says. A number no month has ("3 and 40 May") makes the words no list."""
        if any(not 1 <= d <= 31 for run in runs for d, _, _ in run):
            return []
        last_day = max(d for run in runs for d, _, _ in run)
        # one year for the list: the article's, or the year before when a day is after publication
        if year:
            y, y_how = int(year), "as written"
        elif (mon, last_day) > (self.published.month, self.published.day) and not ahead:
            y, y_how = self.published.year - 1, "the year before the article's (a day listed is after it)"
        else:
            y, y_how = self.published.year, "in the article's year"
        name = calendar.month_name[mon]
        got = []
        for n, run in enumerate(runs):
            (d1, a, _), (d2, _, b) = run[0], run[-1]
            a = m.start() if n == 0 else a
            b = m.end() if n == len(runs) - 1 else b
            bad = next((d for d, _, _ in run if d > calendar.monthrange(y, mon)[1]), None)
            if bad is not None:  # "3 and 31 April": the 31st is no date, and the note says why
                got.append((a, b, "unknown", not_a_date(y, mon, bad), None))
            elif d1 == d2:
                got.append(
                    (
                        a,
                        b,
                        date(y, mon, d1).isoformat(),
                        f"{d1} {name}, one of the days listed, {y_how}",
                        None,
                    )
                )
            else:
                got.append((a, b, date(y, mon, d1).isoformat(),
                            f"{d1}-{d2} {name}, a span of days, one of those listed, {y_how}",
                            date(y, mon, d2).isoformat()))  # fmt: skip
        return got

    def _ordinal(self, day: int, base: date, ahead: bool) -> date | None:
        """`day` of the month nearest `base`: the first on or after it (`ahead`), else the nearest to
        it that is not after publication."""
        months = []
        for shift in (-1, 0, 1):
            y, mo = base.year, base.month + shift
            if mo == 0:
                y, mo = y - 1, 12
            elif mo == 13:
                y, mo = y + 1, 1
            try:
                months.append(date(y, mo, day))
            except ValueError:
                continue
        if ahead:
            later = [d for d in months if d >= base]
            return later[0] if later else None
        past = [d for d in months if d <= self.published]
        return min(past, key=lambda d: (abs((d - base).days), d > base)) if past else None

    def _join(self, text: str, offset: int, out: list[Found]) -> list[Found]:
        """Two dates joined into a span ("from 30 May to 2 June"), and "until 5 May" alone."""
        joined: list[Found] = []
        for f in out:
            prev = joined[-1] if joined else None
            between = text[prev.end - offset : f.start - offset] if prev else ""
            if (
                prev
                and _alike(prev, f)
                and prev.until is None
                and SPAN_JOIN.match(between)
                and f.value != prev.value
                and (
                    SPAN_OPEN.search(text, max(0, prev.start - offset - 12), prev.start - offset)
                    or between.strip() in ("-", "–", "to", "until")
                )
            ):
                if f.value > prev.value:  # ISO dates of one precision sort as text
                    joined[-1] = replace(prev, end=f.end, until=f.value,
                                         how=f"{prev.how}, to {f.how.split(',')[0]} (a span)")  # fmt: skip
                else:  # "from 5 May to 3 May": no span runs backwards; its first day is taken
                    words = text[f.start - offset : f.end - offset]
                    first = "the first day taken" if prev.day else "the first taken"
                    joined[-1] = replace(prev, end=f.end, backwards=True, how=f"{prev.how}; not a span: "
                                         f"“{words}” is before it, {first}")  # fmt: skip
                continue
            if f.value != "unknown" and UNTIL.search(text, max(0, f.start - offset - 12), f.start - offset):
                if f.until is None and f.value[:4] > str(self.published.year):
                    # "signed a plan to develop economic cooperation until 2030": a year after publication's
                    # is the horizon of what was agreed or said, the date of no event the sentence tells
                    how = f"“until” {f.how}, after publication: the horizon of a plan"
                    joined.append(
                        replace(f, value="unknown", until=f.value, aside=True, horizon=True, how=how)
                    )
                else:
                    joined.append(replace(f, value="unknown", until=f.value, how=f"“until” {f.how}"))
            else:
                joined.append(f)
        return joined


_BETWEEN = re.compile(r"\bbetween\s*+\Z", re.I)
_UNTIL_WORD = re.compile(r"(?:until|till|through)\b", re.I)
_FROM_WORD = re.compile(r"from\b", re.I)
# where a day of the month is written: "on 0 May", "from 32 May"
_DAY_PLACE = re.compile(r"\b(?:on|from|until|till|since|by|between)\s++(?:the\s++)?\Z", re.I)


# A person described after a comma by what was done to them: "Nijjar, a Canadian citizen shot dead in
# Surrey, British Columbia, on June 18" (the date is the shooting's, not the sentence's)
APPOSITIVE = re.compile(
    r"\W*+an? (?:[\w-]+ ){1,3}?(?:shot|killed|born|jailed|arrested|detained|elected|appointed|sentenced|"
    r"freed|kidnapped|abducted|wounded|injured|murdered|assassinated)\b",
    re.I,
)
_BARE_DATE = re.compile(r"\W*+(?:on|in)\s", re.I)  # a stretch that opens with its date: ", on June 18"
_PLACE_ONLY = re.compile(r"\s*+(?-i:[A-Z][\w'’.-]*+)(?: (?-i:[A-Z][\w'’.-]*+)){0,3}\s*+")


def _in_appositive(text: str, sa: int, a: int) -> bool:
    """Is the date at `a`, alone in the stretch that starts at `sa` (", on June 18"), the end of an
    appositive that describes someone by what was done to them, across the names of a place's region
    (", British Columbia")?"""
    if sa == 0 or not _BARE_DATE.match(text, sa) or a - sa > 12:
        return False
    k = sa - 1  # the comma before the stretch
    for _ in range(3):
        pa = (
            max(text.rfind(",", 0, k), text.rfind(";", 0, k), text.rfind("(", 0, k), text.rfind(")", 0, k))
            + 1
        )
        if pa <= 0:
            return False
        if APPOSITIVE.match(text, pa):
            return True
        if not _PLACE_ONLY.fullmatch(text, pa, k):
            return False
        k = pa - 1
    return False


def _alike(a: Found, b: Found) -> bool:
    """Two dates of one precision (days, months or years) that can be joined into a span or a list:
    "from 2019 to 2021", "in 2019 and 2021", "on 3 May and 9 June"."""
    return a.value != "unknown" and b.value != "unknown" and len(a.value) == len(b.value)


def _runs(items: list, follows) -> list[list]:  # type: ignore[type-arg,no-untyped-def]
    """`items` cut into runs of consecutive ones (`follows(x, y)`: y is the one after x)."""
    runs: list[list] = []  # type: ignore[type-arg]
    for x in items:
        if runs and follows(runs[-1][-1], x):
            runs[-1].append(x)
        else:
            runs.append([x])
    return runs


def _weekday(name: str, base: date, base_how: str, pub: date, ahead: bool, last: bool) -> tuple[date, str]:
    """The weekday `name` nearest `base` and not after publication ("last": the one before `base`);
    in a clause about the future (`ahead`), the first on or after it. With the words of the note."""
    want = WEEKDAYS[name.lower()]
    if ahead:
        day = base + timedelta(days=(want - base.weekday()) % 7)
        return day, f"the first {name} on or after {base_how} (a clause about the future)"
    back = base - timedelta(days=(base.weekday() - want) % 7)
    later = back + timedelta(days=7)
    day = later if (later - base) < (base - back) and later <= pub and not last else back
    if last and day == base:
        day -= timedelta(days=7)
    return day, f"the nearest {name} to {base_how}, not after publication"


def _weekday_list(
    names: list[str], base: date, base_how: str, pub: date, ahead: bool
) -> list[tuple[date, str]]:
    """ "on Monday and Thursday", "on Thursday and Monday": weekdays listed are days of one stretch of
    under a week, in the list's order. In the past, the placement of the list nearest `base` whose
    last day is not after publication; about the future, the first is the first on or after
    `base`, and each after it the first such day after the one before. With the words of each
    note."""
    if ahead:
        first, how = _weekday(names[0], base, base_how, pub, True, False)
        got = [first]
        for name in names[1:]:
            want = WEEKDAYS[name.lower()]
            got.append(got[-1] + timedelta(days=(want - got[-1].weekday() - 1) % 7 + 1))
        return [(d, f"the first day listed is {how}; each one after it the next such day, in the list's "
                 "order") for d in got]  # fmt: skip

    def placed(last: date) -> list[date]:
        got = [last]
        for name in reversed(names[:-1]):
            want = WEEKDAYS[name.lower()]
            got.insert(0, got[0] - timedelta(days=(got[0].weekday() - want - 1) % 7 + 1))
        return got

    # the latest placement not after publication, and the weeks before it back to `base`'s
    end = pub - timedelta(days=(pub.weekday() - WEEKDAYS[names[-1].lower()]) % 7)
    weeks = [placed(end - timedelta(days=7 * k)) for k in range(max(1, (pub - base).days // 7 + 2))]
    got = min(weeks, key=lambda w: (max((w[0] - base).days, (base - w[-1]).days, 0), w[-1] > base))
    if (got[-1] - got[0]).days >= 7:  # a day named twice: the list's order is no week's, each its own
        return [_weekday(n, base, base_how, pub, False, False) for n in names]
    return [
        (d, f"the week, in the list's order, nearest {base_how} and not after publication ({names[0]} "
         f"{_long(got[0])} to {names[-1]} {_long(got[-1])})")
        for d in got
    ]  # fmt: skip


def _listed_weekdays(text: str, at: int, free) -> list[re.Match[str]]:  # type: ignore[no-untyped-def]
    """The weekdays listed after one that ends at `at`: "(on Monday)(, Wednesday and Friday)"; a list
    ends with "and", so "on Monday, Tuesday's talks" lists nothing."""
    more = []
    while (x := WEEKDAY_MORE.match(text, at)) and free(x.start(2), x.end(2)):
        more.append(x)
        at = x.end()
    ands = [i for i, x in enumerate(more) if "and" in x[1].lower()]
    return more[: ands[-1] + 1] if ands else []


def _chained(text: str, offset: int, out: list[Found]) -> list[Found]:
    """ "on 3 May and 9 June", "on May 3, June 9 and July 1": days joined by commas and a last "and"
    are each a date of their own (`listed`), as months listed with "and" are."""
    groups: list[list[int]] = []
    for i, f in enumerate(out):
        prev = out[i - 1] if i else None
        if (
            prev is not None
            and _alike(prev, f)
            and not prev.backwards
            and not f.backwards
            and prev.quoted == f.quoted
            and LIST_JOIN.match(text, prev.end - offset, f.start - offset)
        ):
            groups[-1].append(i)
        else:
            groups.append([i])
    for g in groups:
        joins = [text[out[i - 1].end - offset : out[i].start - offset] for i in g[1:]]
        if not any("and" in j.lower() for j in joins):
            continue
        first = out[g[0]].listed if out[g[0]].listed >= 0 else out[g[0]].start
        old = {out[i].listed for i in g if out[i].listed >= 0}
        out = [replace(f, listed=first) if i in g or f.listed in old else f for i, f in enumerate(out)]
    return out
