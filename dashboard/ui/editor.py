"""Who the signed-in editor is, for any page or helper that records it (e.g. as `saved_by`).

The editors' pages run only for an allowed editor (dashboard/app.py decides); this only reads
the identity the provider's ID token gave. Without sign-in (`make edit` on this machine) there
is none.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

MAX_IDENTITY = 254  # the longest email address (RFC 5321 path limit)


def identity_of(user: Mapping[str, object] | None) -> str | None:
    """The email address (else the name, else the subject) of a signed-in `user`; None otherwise.

    One line, at most MAX_IDENTITY characters: plain text, not escaped for any output.
    """
    if not user or not user.get("is_logged_in"):
        return None
    for key in ("email", "name", "sub"):
        value = " ".join(str(user.get(key) or "").split())[:MAX_IDENTITY]
        if value:
            return value
    return None


def identity() -> str | None:
    """The signed-in editor of this session (see `identity_of`); None when no one is signed in."""
    return identity_of(st.user.to_dict())
