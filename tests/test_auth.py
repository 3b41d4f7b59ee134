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
    assert app.served_locally(address, headers) is local


@pytest.mark.parametrize(
    ("auth", "local", "signed_in", "access"),
    [
        # Sign-in configured: the page needs a signed-in editor, wherever it is served.
        (AUTH, False, False, "sign-in"),
        (AUTH, True, False, "sign-in"),
        (AUTH, False, True, "open"),
        (AUTH, True, True, "open"),
        # None configured: open on this machine alone; served beyond it, the deployment refuses.
        (None, True, False, "open"),
        ({}, True, False, "open"),
        (None, False, False, "refuse"),
        (None, False, True, "refuse"),  # a cookie without a configured provider proves nothing
        # Half configured: refused everywhere, naming what is missing.
        ({"client_id": "x"}, True, False, "refuse"),
        ({**AUTH, "client_secret": ""}, True, True, "refuse"),
        ("not a section", True, True, "refuse"),
    ],
)
def test_who_may_use_the_editors_pages(
    auth: dict | str | None, local: bool, signed_in: bool, access: str
) -> None:
    assert app.editor_access(auth, local=local, signed_in=signed_in)[0] == access


def test_a_refusal_says_what_is_missing_and_where() -> None:
    _, why = app.editor_access(
        {**AUTH, "client_secret": "", "cookie_secret": ""}, local=True, signed_in=False
    )
    assert "lacks cookie_secret, client_secret" in why
    assert ".streamlit/secrets.toml" in why
    _, why = app.editor_access(None, local=False, signed_in=False)
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
