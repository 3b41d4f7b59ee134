"""Readers and editors apart: the deployment's mode, who may edit, and the commands that start each.

The pages themselves are checked through AppTest (tests/test_app.py) and in Chromium against a
real OpenID Connect provider (tests/test_auth_browser.py).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ROOT

from dashboard import app

AUTH = {
    "redirect_uri": "https://atlas.example.org/oauth2callback",
    "cookie_secret": "a-long-random-string",
    "client_id": "contact-atlas",
    "client_secret": "from-the-provider",
    "server_metadata_url": "https://accounts.example.org/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, "read"), ({"CONTACT_ATLAS_MODE": ""}, "read"), ({"CONTACT_ATLAS_MODE": "read"}, "read"),
     ({"CONTACT_ATLAS_MODE": "edit"}, "edit"), ({"CONTACT_ATLAS_MODE": " edit\n"}, "edit")],
)  # fmt: skip
def test_a_deployment_reads_unless_it_is_told_to_edit(environ: dict[str, str], expected: str) -> None:
    assert app.mode(environ) == expected


@pytest.mark.parametrize("value", ["Edit", "editing", "write", "1", "edit,read", "é" * 10_000])
def test_a_mode_that_is_not_one_is_refused_by_name(value: str) -> None:
    with pytest.raises(app.ModeError, match=r"^CONTACT_ATLAS_MODE=.* is not a mode: use `read`") as caught:
        app.mode({"CONTACT_ATLAS_MODE": value})
    assert len(str(caught.value)) < 120  # a long value is shortened, not repeated whole


def test_only_an_editing_deployment_registers_the_editors_page() -> None:
    reading = [title for _, title, _ in app.page_specs(editing=False)]
    editing = [title for _, title, _ in app.page_specs(editing=True)]
    assert reading == ["Explorer", "Events", "About"]
    assert editing == ["Explorer", "Events", "Add article", "About"]


@pytest.mark.parametrize(
    ("address", "headers", "local"),
    [
        ("127.0.0.1", {}, True),
        ("127.0.0.2", {}, True),
        ("localhost", {}, True),
        ("::1", {}, True),
        ("[::1]", {}, True),
        (None, {}, False),  # unset: Streamlit listens on every interface (as a host runs it)
        ("", {}, False),
        ("0.0.0.0", {}, False),  # noqa: S104 - the case under test
        ("::", {}, False),
        ("192.168.1.20", {}, False),
        ("atlas.example.org", {}, False),
        # Behind a proxy (nginx in `make serve` sets X-Forwarded-For) readers come from elsewhere.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False),
        ("127.0.0.1", {"x-forwarded-for": "127.0.0.1"}, False),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
        ("127.0.0.1", {"X-Real-IP": "203.0.113.9"}, False),
    ],
)
def test_served_locally_only_on_loopback_and_never_through_a_proxy(
    address: str | None, headers: dict[str, str], local: bool
) -> None:
    assert app.served_locally(address, {"Host": "127.0.0.1:8502", **headers}) is local


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1:8502", True),
        ("127.0.0.1", True),
        ("localhost:8502", True),
        ("LocalHost:1", True),
        ("[::1]:8502", True),
        ("[::1]", True),
        # Any other name reaches a loopback server only by DNS rebinding (or a proxy that hides itself).
        ("evil.test:8502", False),
        ("evil.test", False),
        ("localhost.evil.test:8502", False),
        ("127.0.0.1.nip.io:8502", False),
        ("127.0.0.2:8502", False),
        ("localhost.:8502", False),
        ("::1", False),  # not a Host header: an IPv6 address needs its brackets
        ("[::1]evil:80", False),
        ("", False),
        (None, False),  # no Host header at all
        ("l" * 10_000, False),
    ],
)
def test_served_locally_only_when_asked_for_by_a_loopback_name(host: str | None, local: bool) -> None:
    headers = {} if host is None else {"Host": host}
    assert app.served_locally("127.0.0.1", headers) is local
    assert app.served_locally("127.0.0.1", {k.lower(): v for k, v in headers.items()}) is local


EDITOR = {"is_logged_in": True, "email": "ada.editor@example.org", "name": "Ada Editor"}
ANONYMOUS = {"is_logged_in": False}
EDITORS = {"emails": ["ada.editor@example.org"]}


@pytest.mark.parametrize(
    ("auth", "local", "user", "access"),
    [
        # Sign-in configured: the page needs a signed-in editor on the list, wherever it is served.
        (AUTH, False, ANONYMOUS, "sign-in"),
        (AUTH, True, ANONYMOUS, "sign-in"),
        (AUTH, False, None, "sign-in"),
        (AUTH, False, EDITOR, "open"),
        (AUTH, True, EDITOR, "open"),
        # None configured: open on this machine alone; served beyond it, the deployment refuses.
        (None, True, ANONYMOUS, "open"),
        ({}, True, ANONYMOUS, "open"),
        (None, False, ANONYMOUS, "refuse"),
        (None, False, EDITOR, "refuse"),  # a cookie without a configured provider proves nothing
        # Half configured: refused everywhere, naming what is missing.
        ({"client_id": "x"}, True, ANONYMOUS, "refuse"),
        ({**AUTH, "client_secret": ""}, True, EDITOR, "refuse"),
        ("not a section", True, EDITOR, "refuse"),
    ],
)
def test_who_may_use_the_editors_pages(
    auth: dict | str | None, local: bool, user: dict | None, access: str
) -> None:
    assert app.editor_access(auth, local=local, user=user, editors=EDITORS)[0] == access


@pytest.mark.parametrize(
    ("email", "editors", "allowed"),
    [
        ("ada.editor@example.org", {"emails": ["ada.editor@example.org"]}, True),
        ("Ada.Editor@Example.ORG", {"emails": ["ada.editor@example.org"]}, True),  # case-insensitive
        ("ada.editor@example.org", {"emails": [" ADA.EDITOR@example.org "]}, True),
        ("ada.editor@example.org", {"emails": ["bob@example.org"]}, False),
        ("ada.editor@example.org", {"domains": ["example.org"]}, True),
        ("ada.editor@example.org", {"domains": ["@Example.org"]}, True),
        ("ada.editor@example.org", {"emails": [], "domains": ["example.com"]}, False),
        ("ada.editor@mail.example.org", {"domains": ["example.org"]}, False),  # a domain, not its subdomains
        ("ada.editor@evilexample.org", {"domains": ["example.org"]}, False),
        ("ada.editor@example.org.evil.test", {"domains": ["example.org"]}, False),
        ("ada@example.org@evil.test", {"domains": ["example.org"]}, False),
        ("example.org", {"domains": ["example.org"]}, False),  # not an address
        ("", {"domains": ["example.org"]}, False),
        (None, {"emails": ["ada.editor@example.org"]}, False),
    ],
)
def test_only_a_signed_in_user_on_the_list_of_editors_may_edit(
    email: str | None, editors: dict, allowed: bool
) -> None:
    user = {"is_logged_in": True, "name": "Ada Editor", "email": email}
    access, why = app.editor_access(AUTH, local=True, user=user, editors=editors)
    assert access == ("open" if allowed else "denied")
    if not allowed:
        assert why.startswith("Signed in as Ada Editor")
        assert why.endswith("who is not on this deployment's list of editors.")


@pytest.mark.parametrize("editors", [None, {}, {"emails": []}, {"emails": [], "domains": []}])
def test_with_sign_in_and_no_list_of_editors_no_one_may_edit(editors: dict | None) -> None:
    for local in (True, False):
        access, why = app.editor_access(AUTH, local=local, user=EDITOR, editors=editors)
        assert access == "denied"
        assert "this deployment names no editors, so no one may add articles" in why
        assert "[editors]" in why
        assert ".streamlit/secrets.toml" in why


@pytest.mark.parametrize(
    ("verified", "allowed"),
    [(False, False), ("false", False), (" FALSE ", False), (True, True), (None, True)],
)
def test_an_address_the_provider_says_is_unverified_may_not_edit(verified: object, allowed: bool) -> None:
    user = {**EDITOR, "email_verified": verified} if verified is not None else EDITOR
    access, why = app.editor_access(AUTH, local=True, user=user, editors={"domains": ["example.org"]})
    assert access == ("open" if allowed else "denied")
    if not allowed:
        assert "whose email address the sign-in provider has not verified" in why


def test_a_refusal_names_the_signed_in_user_as_text_not_markdown() -> None:
    user = {**EDITOR, "name": "[Ada](http://evil.test) **bold**"}
    _, why = app.editor_access(AUTH, local=True, user=user, editors={"emails": ["bob@example.org"]})
    assert "[Ada](http" not in why
    assert "**bold**" not in why


@pytest.mark.parametrize(
    ("editors", "message"),
    [
        ("ada@example.org", "[editors] in .streamlit/secrets.toml is not a section"),
        ({"emails": "ada@example.org"}, "emails must be a list of strings"),
        ({"domains": "example.org"}, "domains must be a list of strings"),
        ({"emails": [3]}, "entry 1 of emails is not an email address"),
        ({"emails": ["example.org"]}, "of emails is not an email address"),
        ({"emails": ["@example.org"]}, "of emails is not an email address"),
        ({"emails": ["ada@"]}, "of emails is not an email address"),
        ({"emails": ["b@example.org", "ada @example.org"]}, "entry 2 of emails is not an email address"),
        ({"domains": ["ada@example.org"]}, "of domains is not a domain"),
        ({"domains": [""]}, "of domains is not a domain"),
        ({"email": ["ada@example.org"]}, "unknown settings email: use emails, domains"),
        ({"emails": ["x" * 10_000]}, "of emails is not an email address"),
        ({"emails": ["<b>**hidden**</b>"]}, "entry 1 of emails is not an email address."),
    ],
)
def test_a_list_of_editors_that_is_not_one_refuses_every_page_naming_the_setting(
    editors: object, message: str
) -> None:
    access, why = app.editor_access(AUTH, local=True, user=EDITOR, editors=editors)
    assert access == "refuse"
    assert message in why
    assert len(why) < 300
    assert "hidden" not in why  # an entry is named by its place, never shown to the page's visitors


def test_a_refusal_says_what_is_missing_and_where() -> None:
    _, why = app.editor_access({**AUTH, "client_secret": "", "cookie_secret": ""}, local=True)
    assert "lacks cookie_secret, client_secret" in why
    assert ".streamlit/secrets.toml" in why
    _, why = app.editor_access(None, local=False)
    assert "served beyond this machine with no sign-in" in why
    assert "[auth]" in why
    assert "`make edit`" in why


@pytest.mark.parametrize(
    ("target", "mode", "address_port"),
    [
        ("run", "read", "--server.address 127.0.0.1 --server.port 8501"),
        ("edit", "edit", "--server.address 127.0.0.1 --server.port 8502"),
        ("serve", "read", "deploy/serve.py"),
    ],
)
def test_make_run_and_serve_read_and_make_edit_edits_on_loopback(
    target: str, mode: str, address_port: str
) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make not found")
    # -n prints the commands; the .venv prerequisite is taken as made (-o), so nothing is built.
    out = subprocess.run(
        [make, "-n", "-o", ".venv/.ready", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    command = next(line for line in out.splitlines() if "streamlit run" in line or "serve.py" in line)
    # Whatever the shell exports, `run` and `serve` read and `edit` edits.
    assert command.startswith(f"CONTACT_ATLAS_MODE={mode} "), command
    assert address_port in command


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (
            {"is_logged_in": True, "email": " ada.editor@example.org\n", "name": "Ada"},
            "ada.editor@example.org",
        ),
        ({"is_logged_in": True, "name": "Ada  Editor"}, "Ada Editor"),
        ({"is_logged_in": True, "sub": "editor"}, "editor"),
        ({"is_logged_in": True, "email": "a" * 1000}, "a" * 254),
        ({"is_logged_in": False, "email": "ada.editor@example.org"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_signed_in_identity_a_save_records(user: dict | None, expected: str | None) -> None:
    from dashboard.ui import editor  # noqa: PLC0415

    assert editor.identity_of(user) == expected
