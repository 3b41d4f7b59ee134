"""Contact Atlas, the Streamlit entrypoint: `streamlit run dashboard/app.py` from the repository root.

A router: it registers the pages, renders the filters every page shares, and
runs the chosen page. `pages()` can be imported without rendering anything.

Readers and editors apart. A deployment reads (the default) or edits, by
CONTACT_ATLAS_MODE (`read` or `edit`), read here and nowhere else. Only an
editing deployment registers the editors' pages (Add article: it runs the
drafter on the server and may write). There an editor page needs a signed-in
editor (`st.login`, OpenID Connect) whenever `[auth]` is configured in
secrets.toml, and that editor must be on the deployment's list of editors
(`[editors]` emails and domains; no list, no editor). Without `[auth]` it is
open only when served to this machine alone (bound to a loopback address,
requested by a loopback name, no proxy in front), and otherwise the
deployment refuses to serve any page and says why.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

if __name__ == "__main__":
    # `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository: a host
    # that runs the repository as cloned, without installing it (Streamlit Community Cloud),
    # would not find the package. This checkout's package comes first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from dashboard import escape, gate
from dashboard.ui import shell

# (file relative to this script, title, URL path, for editors only); the first is the default page.
# No icons: a page's icon becomes the favicon, fetched from a font CDN.
PAGES = [
    ("ui/explorer.py", "Explorer", "explorer", False),
    ("ui/events.py", "Events", "events", False),
    ("ui/add_article.py", "Add article", "add-article", True),
    ("ui/about.py", "About", "about", False),
]

MODE_VARIABLE = "CONTACT_ATLAS_MODE"
MODES = ("read", "edit")
# What `st.login()` needs in secrets.toml's [auth] to sign an editor in with one OpenID Connect provider.
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
# Set by a reverse proxy (nginx in `make serve` sets X-Forwarded-For): the reader is not on this machine.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
# The names a browser on this machine asks a loopback server by (the Host header, any port). Any
# other name could be DNS rebinding: a page elsewhere whose name now resolves to 127.0.0.1.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
HOST_HEADER = re.compile(r"(?P<name>\[[0-9a-f:.]*\]|[^\[\]:]*)(?::[0-9]{0,5})?")  # RFC 9110 host [":" port]
# secrets.toml's [editors]: who may edit once signed in (addresses, and domains whose every address may).
EDITOR_KEYS = ("emails", "domains")
SECRETS = ".streamlit/secrets.toml"


class ModeError(ValueError):
    """The deployment's settings do not say how to serve it safely."""


def mode(environ: Mapping[str, str] = os.environ) -> str:
    """`read` (the default) or `edit`: the one place the deployment's mode is read."""
    value = environ.get(MODE_VARIABLE, "").strip() or "read"
    if value not in MODES:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise ModeError(f"{MODE_VARIABLE}={shown!r} is not a mode: use `read` (the default) or `edit`.")
    return value


def page_specs(editing: bool) -> list[tuple[str, str, str]]:
    """The pages a deployment registers: a reading one has no editors' page, not even by its URL."""
    return [(path, title, url) for path, title, url, editors in PAGES if editing or not editors]


def pages(editing: bool = False) -> list[st.Page]:
    return [
        st.Page(path, title=title, url_path=url, default=i == 0)
        for i, (path, title, url) in enumerate(page_specs(editing))
    ]


def auth_missing(section: Mapping[str, object] | None) -> list[str] | None:
    """None when secrets.toml has no [auth]; else the settings it lacks for a sign-in ([] when complete)."""
    if not section:
        return None
    if not isinstance(section, Mapping):  # `auth = "…"`: not a section at all
        return list(AUTH_KEYS)
    return [key for key in AUTH_KEYS if not section.get(key)]


def served_locally(address: str | None, headers: Mapping[str, str]) -> bool:
    """Whether only this machine can reach the page: bound to loopback, asked for by a loopback
    name (the Host header: `localhost`, `127.0.0.1` or `[::1]`, any port) and not behind a proxy.

    An unset address binds every interface (as Streamlit Community Cloud runs the app).
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if set(lowered) & set(PROXY_HEADERS):
        return False
    if _host_name(lowered.get("host", "")) not in LOOPBACK_HOSTS:
        return False
    address = (address or "").strip().strip("[]")
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """The name in a Host header without its port (`localhost:8502` → `localhost`, `[::1]:80` → `[::1]`);
    "" for what is not a Host header."""
    match = HOST_HEADER.fullmatch(host.strip().lower())
    return match["name"] if match else ""


class Editors(NamedTuple):
    """secrets.toml's [editors]: addresses and domains, lower-cased."""

    emails: frozenset[str]
    domains: frozenset[str]


def editor_list(section: object) -> Editors | None:
    """The deployment's editors from secrets.toml's [editors]; None when it names no one.

    Raises ModeError, naming the setting, when the section is not a list of addresses and domains.
    """
    if section is None:
        return None
    where = f"[editors] in {SECRETS}"
    if not isinstance(section, Mapping):
        raise ModeError(f"{where} is not a section: give `emails = [...]` and/or `domains = [...]`.")
    unknown = sorted(str(k) for k in section if k not in EDITOR_KEYS)
    if unknown:
        named = escape.markdown_text(_shown(", ".join(unknown)))
        raise ModeError(f"{where} has unknown settings {named}: use emails, domains.")
    found: dict[str, frozenset[str]] = {}
    for key in EDITOR_KEYS:
        values = section.get(key, [])
        if isinstance(values, str) or not isinstance(values, list | tuple):
            raise ModeError(f'{where}: {key} must be a list of strings, e.g. {key} = ["…"].')
        cleaned = set()
        for n, value in enumerate(values, 1):
            text = value.strip().lower() if isinstance(value, str) else ""
            if key == "domains":
                text = text.removeprefix("@")
            bad = not text or any(c.isspace() for c in text) or text.count("@") != (key == "emails")
            if bad or text.startswith("@") or text.endswith("@"):
                what = "an email address" if key == "emails" else "a domain"
                # By position, not value: the page shows this to anyone, and an entry may be an address.
                raise ModeError(f"{where}: entry {n} of {key} is not {what}.")
            cleaned.add(text)
        found[key] = frozenset(cleaned)
    editors = Editors(found["emails"], found["domains"])
    return editors if editors.emails or editors.domains else None


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def who(user: Mapping[str, object]) -> str:
    """How the sidebar and messages name a signed-in user: `Name (email)`, plain text."""
    name, email = (" ".join(str(user.get(k) or "").split())[:120] for k in ("name", "email"))
    return f"{name} ({email})" if name and email and name != email else name or email or "an editor"


def not_an_editor(user: Mapping[str, object], editors: Editors | None) -> str | None:
    """Why a signed-in `user` may not edit (Markdown, the user's name escaped); None if they may."""
    named = escape.markdown_text(who(user))
    if editors is None:
        return (
            f"Signed in as {named}, but this deployment names no editors, so no one may add articles: "
            f'list them under [editors] in {SECRETS} (README, "Hosting").'
        )
    verified = user.get("email_verified")
    if verified is False or (isinstance(verified, str) and verified.strip().lower() == "false"):
        return f"Signed in as {named}, whose email address the sign-in provider has not verified."
    email = str(user.get("email") or "").strip().lower()
    domain = email.rpartition("@")[2] if "@" in email else ""
    if email in editors.emails or (domain and domain in editors.domains):
        return None
    return f"Signed in as {named}, who is not on this deployment's list of editors."


def editor_access(
    auth: Mapping[str, object] | None,
    *,
    local: bool,
    user: Mapping[str, object] | None = None,
    editors: object = None,
) -> tuple[str, str]:
    """Who may use the editors' pages of an editing deployment: (`open`, `sign-in`, `denied` or
    `refuse`, why). `user` is the session's st.user; `editors` secrets.toml's [editors] section.
    `denied` serves the reading pages but not the editors' ones; `refuse` serves no page."""
    missing = auth_missing(auth)
    if missing:
        return "refuse", (
            f"Editing mode ({MODE_VARIABLE}=edit) cannot sign editors in, so it serves no page: the [auth] "
            f'section of {SECRETS} lacks {", ".join(missing)} (README, "Hosting").'
        )
    if missing is not None:
        try:
            allowed = editor_list(editors)
        except ModeError as exc:
            return "refuse", f"Editing mode ({MODE_VARIABLE}=edit) serves no page: {exc}"
        if not (user and user.get("is_logged_in")):
            return "sign-in", "Adding articles is for editors: sign in first."
        why = not_an_editor(user, allowed)
        return ("denied", why) if why else ("open", "")
    if local:
        return "open", ""
    return "refuse", (
        f"Editing mode ({MODE_VARIABLE}=edit) is served beyond this machine with no sign-in, so it "
        "serves no page. Configure an OpenID Connect provider in the [auth] section of "
        '.streamlit/secrets.toml (README, "Hosting"), or edit on this machine with `make edit`.'
    )


def run() -> None:
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        st.set_page_config(page_title="Contact Atlas", layout="wide")
        try:
            turns = gate.shared()
        except ValueError as exc:  # a bad CONTACT_ATLAS_RUNS: the deployment says so, on every page
            _refuse(str(exc))
            return
        try:
            # More readers than cores: this run waits for its turn, in order of arrival (dashboard/gate.py).
            with turns.held(gate.PATIENCE, notice=_queued):
                _run()
        except gate.Busy:
            st.warning("The server is busy with many readers: reload this page in a minute.")
    finally:
        # The run's context must not outlive it: a later callback on this thread rebuilds its own.
        shell.set_context(None)
        if os.environ.get("CONTACT_ATLAS_TIMING"):
            # Read by bench/run.py: each script run's wall time, and the CPU time of its own thread
            # (the wall time also counts waiting for a core that a local browser is using).
            wall, own = 1000 * (time.perf_counter() - started), 1000 * (time.thread_time() - cpu)
            sys.stderr.write(f"contact-atlas rerun {wall:.1f} ms cpu {own:.1f} ms\n")
            sys.stderr.flush()


def _queued(ahead: int) -> None:
    """Said once to a reader whose run waits more than a second for its turn."""
    st.toast(
        "Many readers at once: this view is drawn "
        + (f"after {ahead:,} {'other' if ahead == 1 else 'others'}." if ahead else "next."),
        icon=":material/hourglass_top:",
    )


def _run() -> None:
    try:
        editing = mode() == "edit"
        access, why = _editor_access() if editing else ("open", "")
    except ModeError as exc:
        access, why = "refuse", str(exc)
    if access == "refuse":
        _refuse(why)
        return
    page = st.navigation(pages(editing))
    c = shell.load_atlas()
    with st.sidebar:
        st.markdown("### Contact Atlas")
        # Our code only, no data in it: on a phone a choice closes the sidebar that covers the page.
        st.html(f"<script>{shell.PHONE_JS}</script>", unsafe_allow_javascript=True)
        if editing:
            _signed_in_as()
    try:
        shell.set_context(shell.sidebar(c))
    except Exception as exc:  # the filters' counts are the first queries a run makes
        shell.page_failed(page.title, exc, c)
        return
    if c.errors:
        # At the top of every page, not tucked away: what a reader sees is missing something.
        with st.expander(f"The data has problems: {c.skipped_summary()}", icon=":material/error:"):
            st.caption(
                "Each line names the file, the record and the field; "
                "`python -m dashboard validate` lists them too."
            )
            st.text("\n".join(str(p) for p in c.errors[:200]))
            if len(c.errors) > 200:
                st.caption(f"… and {len(c.errors) - 200:,} more.")
    if access in ("sign-in", "denied") and page.url_path in {url for _, _, url, editors in PAGES if editors}:
        # The page itself never runs for an anonymous visitor, nor for one who is not an editor.
        (_sign_in if access == "sign-in" else _not_an_editor)(page.title, why)
        return
    try:
        page.run()
    except Exception as exc:  # st.rerun and st.stop raise BaseExceptions: they pass through
        shell.page_failed(page.title, exc, c)


def _editor_access() -> tuple[str, str]:
    auth = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    editors = st.secrets.get("editors") if auth else None
    local = served_locally(st.get_option("server.address"), st.context.headers or {})
    return editor_access(auth, local=local, user=st.user.to_dict(), editors=editors)


def _refuse(why: str) -> None:
    """Serve nothing but the reason (and log it once a session, for whoever runs the server)."""
    st.error(why, icon=":material/block:")
    if not st.session_state.get("_refusal_logged"):
        st.session_state["_refusal_logged"] = True
        sys.stderr.write(f"contact-atlas: {why}\n")
        sys.stderr.flush()


def _sign_in(title: str, why: str) -> None:
    st.header(title, anchor=False)
    st.info(why, icon=":material/lock:")
    st.button("Sign in", type="primary", on_click=st.login, key="sign-in")


def _not_an_editor(title: str, why: str) -> None:
    st.header(title, anchor=False)
    st.error(why, icon=":material/block:")  # signing out (in the sidebar) lets another account in


def _signed_in_as() -> None:
    """Who is signed in, from the provider's ID token, with a way out."""
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        return
    st.caption(f"Signed in as {escape.markdown_text(who(user))}")
    st.button("Sign out", on_click=st.logout, key="sign-out")


if __name__ == "__main__":  # under `streamlit run` and AppTest; importing only lists pages
    run()
