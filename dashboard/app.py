"""Contact Atlas, the Streamlit entrypoint: `streamlit run dashboard/app.py` from the repository root.

A router: it registers the pages, renders the filters every page shares, and
runs the chosen page. `pages()` can be imported without rendering anything.

Readers and editors apart. A deployment reads (the default) or edits, by
CONTACT_ATLAS_MODE (`read` or `edit`), read here and nowhere else. Only an
editing deployment registers the editors' pages (Add article: it runs the
drafter on the server and may write). There an editor page needs a signed-in
editor (`st.login`, OpenID Connect) whenever `[auth]` is configured in
secrets.toml; without `[auth]` it is open only when served to this machine
alone (bound to a loopback address, no proxy in front), and otherwise the
deployment refuses to serve any page and says why.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

if __name__ == "__main__":
    # `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository: a host
    # that runs the repository as cloned, without installing it (Streamlit Community Cloud),
    # would not find the package. This checkout's package comes first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from dashboard import escape
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
    """Whether only this machine can reach the page: bound to loopback and not behind a proxy.

    An unset address binds every interface (as Streamlit Community Cloud runs the app).
    """
    if {k.lower() for k in headers} & set(PROXY_HEADERS):
        return False
    address = (address or "").strip().strip("[]")
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def editor_access(auth: Mapping[str, object] | None, *, local: bool, signed_in: bool) -> tuple[str, str]:
    """Who may use the editors' pages of an editing deployment: (`open`, `sign-in` or `refuse`, why)."""
    missing = auth_missing(auth)
    if missing:
        return "refuse", (
            f"Editing mode ({MODE_VARIABLE}=edit) cannot sign editors in, so it serves no page: the [auth] "
            f'section of .streamlit/secrets.toml lacks {", ".join(missing)} (README, "Hosting").'
        )
    if missing is not None:
        return ("open", "") if signed_in else ("sign-in", "Adding articles is for editors: sign in first.")
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
        _run()
    finally:
        # The run's context must not outlive it: a later callback on this thread rebuilds its own.
        shell.set_context(None)
        if os.environ.get("CONTACT_ATLAS_TIMING"):
            # Read by bench/run.py: each script run's wall time, and the CPU time of its own thread
            # (the wall time also counts waiting for a core that a local browser is using).
            wall, own = 1000 * (time.perf_counter() - started), 1000 * (time.thread_time() - cpu)
            sys.stderr.write(f"contact-atlas rerun {wall:.1f} ms cpu {own:.1f} ms\n")
            sys.stderr.flush()


def _run() -> None:
    st.set_page_config(page_title="Contact Atlas", layout="wide")
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
        if editing:
            _signed_in_as()
    shell.set_context(shell.sidebar(c))
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
    if access == "sign-in" and page.url_path in {url for _, _, url, editors in PAGES if editors}:
        _sign_in(page.title, why)  # the page itself never runs for an anonymous visitor
        return
    try:
        page.run()
    except Exception:  # st.rerun and st.stop raise BaseExceptions: they pass through
        shell.page_failed(page.title)


def _editor_access() -> tuple[str, str]:
    auth = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    local = served_locally(st.get_option("server.address"), st.context.headers or {})
    return editor_access(auth, local=local, signed_in=bool(st.user.get("is_logged_in")))


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


def _signed_in_as() -> None:
    """Who is signed in, from the provider's ID token, with a way out."""
    user = st.user
    if not user.get("is_logged_in"):
        return
    name, email = (" ".join(str(user.get(k) or "").split())[:120] for k in ("name", "email"))
    who = f"{name} ({email})" if name and email and name != email else name or email or "an editor"
    st.caption(f"Signed in as {escape.markdown_text(who)}")
    st.button("Sign out", on_click=st.logout, key="sign-out")


if __name__ == "__main__":  # under `streamlit run` and AppTest; importing only lists pages
    run()
