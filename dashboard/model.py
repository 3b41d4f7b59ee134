"""The data model: articles, actors, places and sourced events.

Hand-written records are validated by these pydantic models; the loader
(`dashboard.readers.corpus`) turns validated records into the frames the app reads.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dashboard import daterange
from dashboard.countries import check_iso3

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
ID_MAX_LENGTH = 80
# Lengths of imported text (docs/DATA.md, "Imports"): a name (an actor's, a place's, an outlet's) is one
# line of at most NAME_MAX_LENGTH characters, a link at most URL_MAX_LENGTH (what browsers and servers
# reliably take), a note or cited text at most NOTE_MAX_LENGTH.
NAME_MAX_LENGTH = 200
URL_MAX_LENGTH = 2_048
NOTE_MAX_LENGTH = 2_000
Id = Annotated[
    str,
    Field(
        pattern=f"^{ID_PATTERN.pattern}$",
        max_length=ID_MAX_LENGTH,
        description="lower-case letters, digits and hyphens",
    ),
]


def is_id(value: str) -> bool:
    """Whether `value` could name a record (the rule `Id` checks), decided without looking it up."""
    return len(value) <= ID_MAX_LENGTH and ID_PATTERN.fullmatch(value) is not None


Iso3 = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3"),
    AfterValidator(check_iso3),
]


def _at_most(limit: int, what: str) -> AfterValidator:
    """A cap on a text's length, with an error that says how long it is and what to do."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"{len(value):,} characters; {what} holds at most {limit:,}: shorten it")
        return value

    return AfterValidator(check)


# Unicode's bidirectional embeddings, overrides and isolates: in a name they turn the text that
# follows backwards on the screen (a label reading other than it is). Joiners (U+200C, U+200D),
# which some scripts' names need, are not among them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# The same characters as an RE2 (pyarrow) pattern, for checks made on whole columns.
CONTROL_RE2 = r"[\x{00}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}\x{202a}-\x{202e}\x{2066}-\x{2069}]"


def control_character(value: str) -> str | None:
    """The first line break, tab, bidirectional override or other control character in `value`, or
    None: a name, label or link is one line of text shown as written (a break would split a label,
    a legend entry or a spreadsheet cell's line)."""
    return next(
        (c for c in value if c in _BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Zl", "Zp")), None
    )


def _one_line(what: str) -> AfterValidator:
    """A text of one line (`control_character`), with an error that names the character."""

    def check(value: str) -> str:
        if (bad := control_character(value)) is not None:
            raise ValueError(f"holds the control character U+{ord(bad):04X}; {what} is one line of text")
        return value

    return AfterValidator(check)


# Hand-written text is capped as imported text is (docs/DATA.md, "Lengths"), but refused, not cut:
# an editor can shorten it, and a cut summary or quote would say less than they wrote.
Name = Annotated[
    str,
    Field(min_length=1),
    _at_most(NAME_MAX_LENGTH, "a name, title or label"),
    _one_line("a name, title or label"),
]
Note = Annotated[str, Field(min_length=1), _at_most(NOTE_MAX_LENGTH, "a summary, note or quote")]
Url = Annotated[str, _at_most(URL_MAX_LENGTH, "a link"), _one_line("a link")]
# The same caps on optional text that may be written empty.
Label = Annotated[
    str, _at_most(NAME_MAX_LENGTH, "a name, title or label"), _one_line("a name, title or label")
]
Remark = Annotated[str, _at_most(NOTE_MAX_LENGTH, "a summary, note or quote")]


class Precision(StrEnum):
    """How exactly the article dates an event."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class Certainty(StrEnum):
    """How firmly the article asserts an event (see docs/DATA.md)."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    CLAIMED = "claimed"


class ActorKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    STATE = "state"
    MEDIA = "media"


class PlaceKind(StrEnum):
    COUNTRY = "country"
    REGION = "region"  # a first-level division (a state, an oblast): what event streams geocode to
    CITY = "city"
    SITE = "site"


class GeoPrecision(StrEnum):
    """How exactly the source places an event, finest first."""

    SITE = "site"
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"


class Dataset(StrEnum):
    """Where an event comes from: coded here from an article's sentences, or imported from a stream."""

    CURATED = "curated"
    GDELT = "gdelt"
    ACLED = "acled"


class Coding(StrEnum):
    """Who coded an event: a person (curated events, ACLED), a machine (GDELT), or the drafter,
    whose proposal (`status: draft`) an editor has not yet reviewed."""

    HUMAN = "human"
    MACHINE = "machine"
    DRAFT = "draft"


class Status(StrEnum):
    """A curated event's review status: a draft is a proposal awaiting an editor."""

    FINAL = "final"
    DRAFT = "draft"


class Trust(StrEnum):
    """How far a reader may trust an event, shown on every list row, table row and export row.

    Curated: coded here by an editor from an article's sentences. Draft: the drafter's proposal,
    not yet reviewed. Machine: coded by a machine (GDELT). Imported: coded by people elsewhere
    (ACLED). Corroborated: an imported event whose story corroborates a curated event
    (`dashboard.stories`); `trust` says it when its caller passes `corroborated=True`
    (docs/DATA.md, "Trust").
    """

    CURATED = "curated"
    CORROBORATED = "corroborated"
    IMPORTED = "imported"
    MACHINE = "machine"
    DRAFT = "draft"


TRUST_LABELS = {
    Trust.CURATED: "curated",
    Trust.CORROBORATED: "corroborated",
    Trust.IMPORTED: "coded by its source",
    Trust.MACHINE: "machine-coded",
    Trust.DRAFT: "draft",
}
SINGLE_SOURCE = "single source"


def trust(dataset: str, coding: str, corroborated: bool = False) -> Trust:
    """An event's trust from its dataset and coding (and whether its story corroborates a curated event)."""
    if coding == Coding.DRAFT:
        return Trust.DRAFT
    if dataset == Dataset.CURATED:
        return Trust.CURATED
    if corroborated:
        return Trust.CORROBORATED
    return Trust.MACHINE if coding == Coding.MACHINE else Trust.IMPORTED


def cautions(coding: str, suspect: str | None, num_sources: object, num_articles: object) -> list[str]:
    """What a reader should know before trusting an event: a machine event from one source, a
    doubtful place (with its reason)."""
    out = []
    if coding == Coding.MACHINE and (num_sources == 1 or num_articles == 1):
        out.append(SINGLE_SOURCE)
    if suspect:
        out.append(f"suspect place: {suspect}")
    return out


# The coding a dataset implies, where a record does not say.
DEFAULT_CODING = {Dataset.CURATED: Coding.HUMAN, Dataset.GDELT: Coding.MACHINE, Dataset.ACLED: Coding.HUMAN}
# Each dataset's measures: the columns an event of it may carry, and what they mean.
MEASURES: dict[str, str] = {
    "mentions": "GDELT NumMentions: mentions of the event in the first 15 minutes",
    "num_sources": "GDELT NumSources: sources that mentioned it",
    "num_articles": "GDELT NumArticles: articles that mentioned it",
    "goldstein": "GDELT GoldsteinScale: the event type's impact on stability, -10 to +10",
    "tone": "GDELT AvgTone: the average tone of those articles, -100 to +100",
    "fatalities": "ACLED fatalities: reported deaths",
}
INT_MEASURES = ("mentions", "num_sources", "num_articles", "fatalities")
# Each measure's documented range: GDELT 2.0's codebook types the counts INTEGER (32-bit) and bounds
# GoldsteinScale to -10..+10 and AvgTone to -100..+100; ACLED's fatalities is a count. A value outside
# is a damaged row, refused like any bad field (it would also overflow a story's sums).
COUNT_MAX = 2**31 - 1
MEASURE_RANGES: dict[str, tuple[float, float]] = {
    **dict.fromkeys(INT_MEASURES, (0, COUNT_MAX)),
    "goldstein": (-10.0, 10.0),
    "tone": (-100.0, 100.0),
}


def measure_range(m: str) -> str:
    """A measure's range as a message says it: "0 to 2,147,483,647", "-10 to 10"."""
    lo, hi = MEASURE_RANGES[m]
    return f"{lo:,g} to {hi:,g}" if m not in INT_MEASURES else f"{int(lo):,} to {int(hi):,}"


class Kind(NamedTuple):
    label: str
    cameo: str
    cameo_name: str
    description: str


# The event taxonomy. Each kind maps to one CAMEO root code; several kinds may
# share a root where analysts want to tell them apart (a visit and a meeting
# are both CAMEO 04 "Consult").
TAXONOMY: dict[str, Kind] = {
    "meeting": Kind("Meeting", "04", "Consult", "Actors meet in person or talk directly."),
    "visit": Kind("Visit", "04", "Consult", "An actor travels to another's country (CAMEO 042/043)."),
    "statement": Kind("Statement", "01", "Make public statement", "An actor says something on the record."),
    "report": Kind(
        "Media report", "01", "Make public statement", "A media outlet publishes or shows an account."
    ),
    "intent": Kind(
        "Intent or policy aim",
        "03",
        "Express intent to cooperate",
        "An actor explores or announces a course of action toward another.",
    ),
    "mediation": Kind(
        "Mediation", "04", "Consult", "An actor tries to broker talks or a ceasefire (CAMEO 045)."
    ),
    "military_support": Kind(
        "Military or logistical support",
        "06",
        "Engage in material cooperation",
        "Basing, transit, logistics or weapons support (CAMEO 062).",
    ),
    "intelligence_sharing": Kind(
        "Intelligence sharing",
        "06",
        "Engage in material cooperation",
        "Reconnaissance or targeting data shared (CAMEO 064).",
    ),
    "military_exercise": Kind(
        "Joint military exercise",
        "06",
        "Engage in material cooperation",
        "Armed forces train together (CAMEO 062).",
    ),
    "use_of_force": Kind("Use of force", "19", "Fight", "Armed attack or invasion (CAMEO 190)."),
    # The rest of CAMEO's twenty roots, so every event a stream codes has a kind of its own.
    "appeal": Kind("Appeal", "02", "Appeal", "An actor asks another for aid, talks, a change (CAMEO 02)."),
    "diplomatic_cooperation": Kind(
        "Diplomatic cooperation", "05", "Engage in diplomatic cooperation",
        "Praise, recognition, an apology, an agreement signed (CAMEO 05).",
    ),
    "material_cooperation": Kind(
        "Material cooperation", "06", "Engage in material cooperation",
        "Economic or judicial cooperation (CAMEO 061, 063).",
    ),
    "aid": Kind("Aid", "07", "Provide aid", "Economic, military, humanitarian aid or asylum (CAMEO 07)."),
    "concession": Kind(
        "Concession", "08", "Yield", "Easing sanctions or restrictions, a ceasefire, a retreat (CAMEO 08)."
    ),
    "release": Kind("Release", "08", "Yield", "Persons or property released (CAMEO 084)."),
    "investigation": Kind("Investigation", "09", "Investigate", "Inquiries into abuses (CAMEO 09)."),
    "demand": Kind("Demand", "10", "Demand", "Demands for aid, a change, a release, talks (CAMEO 10)."),
    "criticism": Kind("Criticism", "11", "Disapprove", "Criticism, accusations, lawsuits (CAMEO 11)."),
    "rejection": Kind("Rejection", "12", "Reject", "A proposal, demand or request refused (CAMEO 12)."),
    "threat": Kind("Threat", "13", "Threaten", "Threats of force, sanctions, an ultimatum (CAMEO 13)."),
    "protest": Kind("Protest", "14", "Protest", "Demonstrations, hunger strikes, blockades (CAMEO 14)."),
    "force_posture": Kind(
        "Force posture", "15", "Exhibit force posture", "Troops mobilised or on alert (CAMEO 15)."
    ),
    "reduced_relations": Kind(
        "Reduced relations", "16", "Reduce relations", "Relations cut, aid halted, envoys out (CAMEO 16)."
    ),
    "sanction": Kind(
        "Sanctions", "16", "Reduce relations", "An embargo, a boycott or sanctions imposed (CAMEO 163)."
    ),
    "coercion": Kind("Coercion", "17", "Coerce", "Arrests, seizures, repression, expulsions (CAMEO 17)."),
    "assault": Kind("Assault", "18", "Assault", "Abductions, bombings, killings outside battle (CAMEO 18)."),
    "mass_violence": Kind(
        "Mass violence", "20", "Use unconventional mass violence",
        "Mass killings, weapons of mass destruction (CAMEO 20).",
    ),
}  # fmt: skip

# CAMEO's twenty root codes and their names.
CAMEO_ROOTS: dict[str, str] = {
    "01": "Make public statement", "02": "Appeal", "03": "Express intent to cooperate", "04": "Consult",
    "05": "Engage in diplomatic cooperation", "06": "Engage in material cooperation", "07": "Provide aid",
    "08": "Yield", "09": "Investigate", "10": "Demand", "11": "Disapprove", "12": "Reject",
    "13": "Threaten", "14": "Protest", "15": "Exhibit force posture", "16": "Reduce relations",
    "17": "Coerce", "18": "Assault", "19": "Fight", "20": "Use unconventional mass violence",
}  # fmt: skip
# The kind of a CAMEO event code: its longest prefix here. A code's root is its first two digits.
CAMEO_KINDS: dict[str, str] = {
    "01": "statement", "02": "appeal", "03": "intent", "04": "meeting", "042": "visit", "043": "visit",
    "045": "mediation", "05": "diplomatic_cooperation", "06": "material_cooperation",
    "062": "military_support", "064": "intelligence_sharing", "07": "aid", "08": "concession",
    "084": "release", "09": "investigation", "10": "demand", "11": "criticism", "12": "rejection",
    "13": "threat", "14": "protest", "15": "force_posture", "16": "reduced_relations", "163": "sanction",
    "17": "coercion", "18": "assault", "19": "use_of_force", "20": "mass_violence",
}  # fmt: skip
CAMEO_CODE = re.compile(r"^(0[1-9]|1[0-9]|20)[0-9]{0,2}$")


def quad_class(root: str) -> int:
    """CAMEO's quad class of a root code: 1 verbal cooperation (01–05), 2 material cooperation
    (06–08), 3 verbal conflict (09–13), 4 material conflict (14–20)."""
    n = int(root[:2])
    return 1 if n <= 5 else 2 if n <= 8 else 3 if n <= 13 else 4


def kind_for_cameo(code: str) -> str | None:
    """The taxonomy's kind for a CAMEO event code ("0353" → intent), or None if it is not one."""
    if not CAMEO_CODE.match(code):
        return None
    for n in (4, 3, 2):
        kind = CAMEO_KINDS.get(code[:n])
        if kind is not None:
            return kind
    return None


def cameo_label(code: str) -> str:
    """'CAMEO 0353 · Express intent to cooperate' — the code and its root's name."""
    return f"CAMEO {code} · {CAMEO_ROOTS.get(code[:2], 'unknown root')}"


EventKind = StrEnum("EventKind", {k.upper(): k for k in TAXONOMY})  # type: ignore[misc]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class PartialDate(NamedTuple):
    """A date as an article states it: a day, a month or a year."""

    first: date
    last: date
    precision: Precision

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Parse `2025-06-21`, `2025-02` or `2020` (a YAML date or int is accepted too)."""
        if isinstance(value, date):
            return cls(value, value, Precision.DAY)
        text = str(value).strip()
        m = _PARTIAL_DATE.match(text)
        if not m:
            raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY, or 'unknown'")
        year, month, day = int(m[1]), m[2], m[3]
        try:
            if day is not None:
                d = date(year, int(month), int(day))
                return cls(d, d, Precision.DAY)
            if month is not None:
                mo = int(month)
                last = calendar.monthrange(year, mo)[1]
                return cls(date(year, mo, 1), date(year, mo, last), Precision.MONTH)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date ({exc})") from None
        return cls(date(year, 1, 1), date(year, 12, 31), Precision.YEAR)


class EventDate(BaseModel):
    """When an event happened, at the precision the article gives.

    `start` and `end` bound the interval the statement covers: "February 2025"
    is 2025-02-01 to 2025-02-28. An unknown date has no start and may have an
    end ("previously" in an article of 21 June 2025 ends on that day).
    """

    model_config = ConfigDict(frozen=True)

    precision: Precision
    start: date | None
    end: date | None

    def label(self) -> str:
        """The date as a reader would say it: '21 June 2025', 'February 2025', '2020'."""
        if self.start is None:
            return f"date unknown (by {self.end:%-d %B %Y})" if self.end else "date unknown"
        one = _label(self.start, self.precision)
        if self.end is None or self.end == PartialDate.parse(_iso(self.start, self.precision)).last:
            return one
        return f"{one} – {_label(self.end, _end_precision(self.end))}"


def _iso(d: date, precision: Precision) -> str:
    # Not strftime's %Y, which writes the year 999 as "999" here: four digits, as the data is written.
    year = f"{d.year:04d}"
    return {Precision.DAY: f"{year}-{d.month:02d}-{d.day:02d}", Precision.MONTH: f"{year}-{d.month:02d}"}.get(
        precision, year
    )


def _end_precision(d: date) -> Precision:
    # An interval's end is the last day of whatever the editor wrote in `until`.
    if (d.month, d.day) == (12, 31):
        return Precision.YEAR
    if d.day == calendar.monthrange(d.year, d.month)[1]:
        return Precision.MONTH
    return Precision.DAY


def _label(d: date, precision: Precision) -> str:
    return {Precision.DAY: f"{d:%-d %B %Y}", Precision.MONTH: f"{d:%B %Y}"}.get(precision, f"{d:%Y}")


# --- records as written by editors ------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Article(_Record):
    """A news article; its text lives in a UTF-8 file beside the record."""

    id: Id
    title: Name
    publisher: Name
    published: date
    url: Url | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", max_length=35)] = "en"
    text: Annotated[str, Field(min_length=1, description="path of the text file")]
    saved_by: Name | None = None  # who saved a draft from the Add article page
    saved_at: datetime | None = None  # when (UTC)

    @field_validator("published")
    @classmethod
    def _published(cls, v: date) -> date:
        if not daterange.in_range(v):
            raise ValueError(f"{v.isoformat()} is {daterange.OUTSIDE}")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v and not re.match(r"^https?://\S+$", v):
            raise ValueError("must start with http:// or https://, or be left out")
        return v or None


class Role(_Record):
    """A title an actor holds, as of the date the article gives."""

    title: Name
    as_of: str | None = None

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, v: object) -> str | None:
        if v is None:
            return None
        _check_range(PartialDate.parse(v))
        return str(v)


class Actor(_Record):
    """A person, organisation, state or media outlet that takes part in events."""

    id: Id
    name: Name
    aliases: list[Name] = []
    kind: ActorKind
    country: Iso3 | None = None
    roles: list[Role] = []


class Place(_Record):
    """A named place; coordinates come from the geocode cache unless pinned here."""

    id: Id
    name: Name
    aliases: list[Name] = []
    kind: PlaceKind
    country: Iso3
    parent: Id | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    geonames_id: Annotated[int, Field(gt=0)] | None = None
    feature_id: Label | None = None  # an event stream's own id for the place (GDELT's FeatureID)

    @model_validator(mode="after")
    def _pinned_pair(self) -> Place:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon: give both to pin coordinates, or neither")
        return self


class Participant(_Record):
    actor: Id
    role: Label | None = None


class SourceRef(_Record):
    """Where the article says it: a quote, located by the loader if no span is given."""

    quote: Note  # the article's own words, which the loader finds in its text
    article: Id | None = None
    occurrence: Annotated[int, Field(ge=1)] | None = None
    start: Annotated[int, Field(ge=0)] | None = None
    end: Annotated[int, Field(ge=0)] | None = None


def _parse_when(value: object) -> PartialDate | None:
    if value is None:
        raise ValueError("missing; write YYYY-MM-DD, YYYY-MM, YYYY or 'unknown'")
    if str(value).strip().lower() == "unknown":
        return None
    return _check_range(PartialDate.parse(value))


def _check_range(d: PartialDate) -> PartialDate:
    """A date inside the one range the data may hold (`dashboard.daterange`), wholly."""
    if not (daterange.in_range(d.first) and daterange.in_range(d.last)):
        raise ValueError(f"{_iso(d.first, d.precision)} is {daterange.OUTSIDE}")
    return d


When = Annotated[PartialDate | None, BeforeValidator(_parse_when)]


class Event(_Record):
    """One sourced event: who, what, when, where, and which sentence says so."""

    id: Id
    kind: EventKind  # type: ignore[valid-type]
    summary: Note
    date: When
    until: When = Field(default=None, validate_default=False)
    precision: Precision | None = None
    participants: Annotated[list[Participant], Field(min_length=1)]
    place: Id | None = None
    geo_precision: GeoPrecision | None = None
    origin: Id | None = None
    sources: Annotated[list[SourceRef], Field(min_length=1)]
    attribution: Name
    certainty: Certainty
    note: Remark | None = None
    # A draft's score from the drafter (docs/DATA.md): how much of it came from explicit words.
    confidence: Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)] | None = None
    status: Status = Status.FINAL

    @field_validator("until")
    @classmethod
    def _until_after_date(cls, v: PartialDate | None, info: ValidationInfo) -> PartialDate | None:
        first = info.data.get("date")
        if v is not None and first is not None and v.last < first.first:
            raise ValueError(f"{v.last} is before the event's date {first.first}")
        return v

    @field_validator("precision")
    @classmethod
    def _precision_matches(cls, v: Precision | None, info: ValidationInfo) -> Precision | None:
        # Optional, for editors who want it explicit: it must agree with the date's form.
        if v is None or "date" not in info.data:
            return v
        first = info.data["date"]
        implied = first.precision if first is not None else Precision.UNKNOWN
        if v is not implied:
            raise ValueError(f"{v.value}, but the date is written at {implied.value} precision")
        return v

    @property
    def when(self) -> EventDate:
        """The event's date interval and precision."""
        end = self.until.last if self.until else None
        if self.date is None:
            return EventDate(precision=Precision.UNKNOWN, start=None, end=end)
        return EventDate(precision=self.date.precision, start=self.date.first, end=end or self.date.last)
