"""ISO 3166-1 country codes, from the maintained `pycountry` database rather than a shape check."""

from __future__ import annotations

import functools


@functools.cache
def iso3_codes() -> frozenset[str]:
    """Every assigned ISO 3166-1 alpha-3 code (BLR, UKR, USA …)."""
    import pycountry  # noqa: PLC0415 - its database loads on first use only

    return frozenset(c.alpha_3 for c in pycountry.countries)


def check_iso3(code: str) -> str:
    """The code itself when ISO 3166-1 assigns it; otherwise a ValueError that says what would."""
    if code not in iso3_codes():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 country code (e.g. BLR, UKR, USA)")
    return code


# Short common names, as CAMEO's country codebook and news style write them, for the countries whose
# ISO 3166 name is an official or inverted one ("Russian Federation", "Iran, Islamic Republic of").
# They win over pycountry's `common_name`, which some of its releases lack; every other country is
# named by `common_name`, else its ISO name. Türkiye is "Turkey", as CAMEO names it.
COMMON_NAMES = {
    "BOL": "Bolivia", "BRN": "Brunei", "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo", "CZE": "Czechia", "FSM": "Micronesia", "IRN": "Iran",
    "KOR": "South Korea", "LAO": "Laos", "MDA": "Moldova", "PRK": "North Korea", "PSE": "Palestine",
    "RUS": "Russia", "SYR": "Syria", "TUR": "Turkey", "TWN": "Taiwan", "TZA": "Tanzania",
    "VAT": "Vatican City", "VEN": "Venezuela", "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands", "VNM": "Vietnam",
}  # fmt: skip


@functools.cache
def country_name(code: str) -> str:
    """'Belarus' for BLR, 'Russia' for RUS: `COMMON_NAMES`, else pycountry's common name, else its
    name; the code when ISO 3166 lacks it."""
    if code in COMMON_NAMES:
        return COMMON_NAMES[code]
    import pycountry  # noqa: PLC0415 - its database loads on first use only

    c = pycountry.countries.get(alpha_3=code)
    return (getattr(c, "common_name", None) or c.name) if c is not None else code


# Country names English writes with "the" in a sentence ("between the United States and Belarus").
_WITH_THE = ("United ", "Republic", "Federation", "Kingdom", "Islands", "Emirates", "Netherlands",
             "Philippines", "Bahamas", "Gambia", "Maldives", "Comoros", "Seychelles", "Holy See")  # fmt: skip


def country_in_prose(code: str) -> str:
    """A country's name as a sentence says it: 'the United States', 'Belarus'."""
    name = country_name(code)
    if "," in name or name == code:  # an inverted official name, or no name at all: as it is
        return name
    return f"the {name}" if any(w in name for w in _WITH_THE) else name
