"""The words a link chooses from, read by one rule for every parameter.

A parameter with a fixed set of choices (`lanes`, `records`, `kind`, `span=all`
…) is read without regard to case or surrounding spaces and written back in its
canonical spelling: `lanes=Actor` opens the actor lanes and the address bar then
says `lanes=actor`. Anything else is dropped with one short notice that names
the parameter and the accepted values. This module knows nothing of HTTP or
Streamlit; `dashboard.filters` and `dashboard.zoom` both read through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Case is folded in ASCII only: every choice, id and country code is ASCII, and Unicode's folding
# would read lookalikes as them ("ſ" as "s", the Kelvin sign as "k", a dotless "ı" upper-cased as "I").
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

MAX_SHOWN = 40  # characters of an ignored value quoted back in a notice
MAX_LISTED = 6  # accepted values a notice lists; a longer list is cut, and says how many there are


def shown(value: str) -> str:
    """An ignored value as a notice quotes it: repr (control characters escaped), and short."""
    text = repr(value)
    return (
        text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 2]}…{text[-1]} ({len(value):,} characters)"
    )


def lower(value: str) -> str:
    """`value` with its ASCII letters in lower case, spaces around it dropped; other characters kept."""
    return value.strip().translate(_LOWER)


def upper(value: str) -> str:
    """`value` with its ASCII letters in upper case, spaces around it dropped; other characters kept."""
    return value.strip().translate(_UPPER)


def pick(value: str, allowed: Sequence[str], aliases: Mapping[str, str] | None = None) -> str | None:
    """The canonical spelling of `value` among `allowed` (any case, spaces around it ignored; an
    alias, such as a plural, reads as the choice it names), or None when it is none of them."""
    wanted = lower(value)
    for choice in allowed:
        if lower(choice) == wanted:
            return choice
    named = {lower(k): v for k, v in (aliases or {}).items()}.get(wanted)
    return named if named in allowed else None


def one_of(allowed: Sequence[str], more: str = "") -> str:
    """The accepted values as a notice lists them: 'a, b or c'; a long list is cut ('a, b, c, … (28
    in all; MORE)')."""
    if len(allowed) > MAX_LISTED:
        tail = f"; {more}" if more else ""
        return f"{', '.join(allowed[: MAX_LISTED - 2])}, … ({len(allowed)} in all{tail})"
    if len(allowed) == 1:
        return allowed[0]
    return f"{', '.join(allowed[:-1])} or {allowed[-1]}"


def refused(key: str, value: str, allowed: Sequence[str], more: str = "") -> str:
    """The notice for a value that is none of a parameter's choices."""
    return f"Ignored {key} {shown(value)}: use {one_of(allowed, more)}"
