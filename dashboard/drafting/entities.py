"""Who and where, found in a sentence: the data folder's actors and places, role titles, and
GeoNames' cities and countries (the geocoder's offline gazetteer, every alternate name)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dashboard.drafting import lexicon as lx
from dashboard.model import Actor, Place


def slug(text: str) -> str:
    """An id from a name: accents folded ('Chișinău' → 'chisinau'), then the imports' own slug, so a
    name in another script still gives a valid id."""
    from dashboard.readers.imports import slug as id_slug  # noqa: PLC0415

    return id_slug(_fold(text))


@cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """Country names and nationality adjectives → ISO alpha-3 (pycountry's names, and the
    regular adjectives derived from them: Belarus → Belarusian, Russia → Russian)."""
    import pycountry  # noqa: PLC0415

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for n in {c.name, getattr(c, "common_name", c.name)}:
            if "," not in n and "(" not in n:
                names[n] = c.alpha_3
    names |= {"United States": "USA", "Russia": "RUS", "Britain": "GBR", "United Kingdom": "GBR",
              "Iran": "IRN", "Syria": "SYR", "Moldova": "MDA", "Vietnam": "VNM", "Taiwan": "TWN",
              "North Korea": "PRK", "South Korea": "KOR", "Venezuela": "VEN", "Bolivia": "BOL",
              "Tanzania": "TZA", "Laos": "LAO", "Kosovo": "XKX"}  # fmt: skip
    names.pop("Kosovo")  # not an ISO-assigned code; its places stay country-less
    adjectives = dict(lx.DEMONYMS)
    for n, code in names.items():
        if " " in n:
            continue
        for adj in (n + "n", n + "ian", n[:-1] + "ian", n[:-1] + "an", n + "i", n + "ese"):
            adjectives.setdefault(adj, code)
    return names, adjectives


def country_of(word: str) -> str | None:
    """ISO alpha-3 for a country name or nationality adjective ('Belarusian' → 'BLR')."""
    names, adjectives = _countries()
    return names.get(word) or adjectives.get(word)


_LEADER = re.compile(r"\b(?:the |The )((?-i:[A-Z]\w+)) (?:leader|president|head of state)\b")


@cache
def _names_of() -> dict[str, str]:
    return {code: name for name, code in reversed(_countries()[0].items())}


def country_name(iso3: str | None) -> str | None:
    """A country's name for its code, as the text would write it ('BLR' → 'Belarus')."""
    return _names_of().get(iso3) if iso3 else None


@dataclass
class Mention:
    start: int
    end: int
    id: str
    how: str  # what matched: "name", "alias", "surname", "title"


@dataclass
class Known:
    """The data folder's actors and places, as matchers; new records proposed along the way."""

    actors: dict[str, Actor]
    places: dict[str, Place]
    new_actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_places: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Names as matchers: automata of disjoint name sets, each at least twice the next one's size, so
    # a name proposed along the way costs a small rebuild, not the whole index's (Bentley–Saxe).
    _autos: list[tuple[Any, list[str]]] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)  # names added since the automata were built
    _actor_by: dict[str, tuple[str, str]] = field(default_factory=dict)
    _actor_folded: dict[str, str] = field(default_factory=dict)  # name or alias, case and accents folded → id
    _place_by: dict[str, str] = field(default_factory=dict)
    _cities: dict[tuple[str, frozenset[str]], tuple[str, str] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        by: dict[str, tuple[str, str]] = {}
        for a in [*self.actors.values()]:
            by.setdefault(a.name, (a.id, "name"))
            for al in a.aliases:
                by.setdefault(al, (a.id, "alias"))
            if a.kind == "person" and " " in a.name:
                by.setdefault(a.name.split()[-1], (a.id, "surname"))
        self._actor_by = by
        self._actor_folded = {}
        for a in self.actors.values():
            for n in (a.name, *a.aliases):
                self._actor_folded.setdefault(_casefold(n), a.id)
        self._autos, self._pending = [], [n for n in by if len(n) > 1]
        for rec in self.new_actors.values():
            self._add_names(rec)
        self._place_by = {}
        for p in self.places.values():
            for n in (p.name, *p.aliases):
                self._place_by.setdefault(_fold(n), p.id)

    def _add_names(self, rec: dict[str, Any]) -> None:
        """A proposed actor's name and surname into the index, unless an earlier actor has them."""
        for n, how in ((rec["name"], "name"), (rec["name"].split()[-1], "surname")):
            if n not in self._actor_by:
                self._actor_by[n] = (rec["id"], how)
                if len(n) > 1:
                    self._pending.append(n)
        self._actor_folded.setdefault(_casefold(rec["name"]), rec["id"])

    def _automata(self) -> list[Any]:
        """The matchers, the names added since the last call built into them: the new names become
        the smallest automaton, merged with the next larger one while that one is at most twice its
        size, so each name is built into an automaton O(log n) times in all."""
        if self._pending:
            names, self._pending = self._pending, []
            while self._autos and len(self._autos[-1][1]) <= 2 * len(names):
                names = self._autos.pop()[1] + names
            # Names match as written, on word boundaries, in one pass over a sentence (Aho–Corasick).
            import ahocorasick  # noqa: PLC0415

            auto = ahocorasick.Automaton()
            for n in names:
                auto.add_word(n, n)
            auto.make_automaton()
            self._autos.append((auto, names))
        return [auto for auto, _ in self._autos]

    def actors_in(self, text: str, offset: int = 0) -> list[Mention]:
        out = []
        for auto in self._automata():
            for end, name in auto.iter(text):
                start = end - len(name) + 1
                if (start and (text[start - 1].isalnum() or text[start - 1] in "_@")) or (
                    end + 1 < len(text) and (text[end + 1].isalnum() or text[end + 1] == "_")
                ):
                    continue
                aid, how = self._actor_by[name]
                out.append(Mention(offset + start, offset + end + 1, aid, how))
        if lx.TITLE_WORD.search(text):
            for m in lx.TITLED.finditer(text):
                aid = self._titled(m)
                if aid:  # the whole titled name: "US" in "US Special Envoy for Ukraine …" is not an actor
                    out.append(Mention(offset + m.start(), offset + m.end(), aid, "title"))
        if "leader" in text or "president" in text or "head of state" in text:
            for m in _LEADER.finditer(text):  # "the Belarusian leader": the data's leader of that country
                code = country_of(m.group(1))
                leader = self._leader(code) if code else None
                if leader:
                    out.append(Mention(offset + m.start(), offset + m.end(), leader, "title"))
        out.sort(key=lambda x: (x.start, -(x.end - x.start)))
        kept: list[Mention] = []
        for x in out:
            if kept and x.start < kept[-1].end:
                continue
            kept.append(x)
        return kept

    def actor_named(self, name: str) -> str | None:
        """The actor with this name or alias, in any case ("Euromaidan Press", "belarus"), if any."""
        return self._actor_folded.get(_casefold(name))

    def new_actor(self, name: str, kind: str, **fields: Any) -> str:
        """A new actor for a name no actor has: its id from the name, made free of every id taken."""
        aid = self.actor_named(name)
        if aid is not None:
            return aid
        aid = free_id(slug(name), lambda x: x in self.actors or x in self.new_actors)
        self.new_actors[aid] = {"id": aid, "name": name.strip(), "kind": kind, **fields}
        self._add_names(self.new_actors[aid])
        return aid

    def _leader(self, iso3: str) -> str | None:
        for a in self.actors.values():
            if (
                a.kind == "person"
                and a.country == iso3
                and any(re.search(r"\b(?:President|leader|Prime Minister|King)\b", r.title) for r in a.roles)
            ):
                return a.id
        return None

    def _titled(self, m: re.Match[str]) -> str | None:
        """The actor a titled name refers to; a person not in the data becomes a new actor."""
        name = m.group("name")
        if name in self._actor_by:
            return self._actor_by[name][0]
        if name.split()[-1] in self._actor_by:
            return self._actor_by[name.split()[-1]][0]
        if self.actor_named(name):
            return self.actor_named(name)
        prefix = (m.group("prefix") or "").strip()
        title = f"{prefix} {m.group('title')}".strip() if prefix else m.group("title")
        # "Belarusian Foreign Minister …" is of Belarus; an envoy *for* or *to* a country is not of it.
        country = country_of(prefix) if prefix else None
        return self.new_actor(
            name, "person", **({"country": country} if country else {}), roles=[{"title": title}]
        )

    def name_of(self, aid: str) -> str:
        if aid in self.actors:
            return self.actors[aid].name
        return self.new_actors[aid]["name"]

    def is_person(self, aid: str) -> bool:
        a = self.actors.get(aid)
        return (a.kind == "person") if a else self.new_actors.get(aid, {}).get("kind") == "person"

    def is_media(self, aid: str) -> bool:
        a = self.actors.get(aid)
        return bool(a and a.kind == "media")

    def place_kind(self, pid: str) -> str:
        """A known or newly proposed place's kind: country, region, city or site."""
        p = self.places.get(pid)
        return p.kind.value if p else self.new_places.get(pid, {}).get("kind", "")

    def state_place(self, aid: str) -> str | None:
        """The data folder's country place for a state actor ('belarus' → place 'belarus')."""
        a = self.actors.get(aid)
        if not a or a.kind != "state" or not a.country:
            return None
        for p in self.places.values():
            if p.kind == "country" and p.country == a.country:
                return p.id
        return None

    # --- places -------------------------------------------------------------------------

    def place(self, name: str, context: set[str]) -> tuple[str, str] | None:
        """(place id, how) for a name: the data folder's places first, then countries, then
        GeoNames' cities (restricted to the countries the text names, when it names any)."""
        key = (name, frozenset(context))
        if key not in self._cities:
            self._cities[key] = self._place(name, context)
        return self._cities[key]

    def _place(self, name: str, context: set[str]) -> tuple[str, str] | None:
        name = re.sub(r"[’']s$", "", name.strip())
        key = _fold(name)
        if key in self._place_by:
            return self._place_by[key], "data folder"
        code = country_of(name)
        if code and name not in _countries()[0]:
            return None  # a nationality ("from Belarusian territory" is read apart), not a place name
        if code:
            for p in self.places.values():
                if p.kind == "country" and p.country == code:
                    return p.id, "data folder"
            for pid, rec in self.new_places.items():
                if rec["kind"] == "country" and rec["country"] == code:
                    return pid, "country"
            pid = free_id(slug(name), lambda x: x in self.places or x in self.new_places)
            self.new_places[pid] = {"id": pid, "name": name, "kind": "country", "country": code}
            return pid, "country"
        return self._city(name, context)

    def _city(self, name: str, context: set[str]) -> tuple[str, str] | None:
        found = _gazetteer().geocode(name, exactly_one=False) or []
        if not found or not isinstance(found, list):
            return None
        cities = [f for f in found if f.raw["feature"] == "city"]
        inside = [f for f in cities if f.raw["iso3"] in context]
        if context and not inside:
            return None
        pick = max(inside or cities, key=lambda f: f.raw["population"], default=None)
        if pick is None:
            return None
        for p in self.places.values():
            if p.geonames_id == pick.raw["geonameid"]:
                return p.id, "data folder"
        pid = next(
            (k for k, r in self.new_places.items() if r.get("geonames_id") == pick.raw["geonameid"]), None
        )
        pid = pid or free_id(slug(pick.raw["name"]), lambda x: x in self.places or x in self.new_places)
        self.new_places.setdefault(
            pid,
            {"id": pid, "name": pick.raw["name"], "kind": "city", "country": pick.raw["iso3"],
             "geonames_id": pick.raw["geonameid"]},
        )  # fmt: skip
        others = len(cities) - 1
        how = f"GeoNames {pick.raw['geonameid']}" + (
            f", largest of {others + 1} of that name" if others else ""
        )
        return pid, how


@cache
def _gazetteer() -> Any:
    from dashboard.geocode import GeoNamesGazetteer  # noqa: PLC0415

    return GeoNamesGazetteer()


def free_id(base: str, taken: Any) -> str:
    """`base`, or `base-2`, `base-3` … : the first that `taken` says is free (ids stay 80 characters)."""
    base = base[:70].rstrip("-") or "x"
    aid, n = base, 1
    while taken(aid):
        n += 1
        aid = f"{base}-{n}"
    return aid


def _casefold(name: str) -> str:
    """A name as compared with another: case and accents folded ('Bélarus' → 'belarus'), spaces single."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _fold(name: str) -> str:
    from dashboard.geocode import normalise  # noqa: PLC0415

    return normalise(name)
