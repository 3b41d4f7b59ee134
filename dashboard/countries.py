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
