"""Readers and editors apart, in Chromium, with a real OpenID Connect provider on 127.0.0.1.

The provider is `oidc-provider` from npm (tests/oidc/provider.mjs, the version pinned in its
package-lock.json), started once for the test session. The editing deployment is `streamlit run`
with CONTACT_ATLAS_MODE=edit and an [auth] section naming that provider, and an [editors] list
that names the provider's account (or, in one test, does not); the reading one is the session's
own server. What a visitor can reach is checked as they would: by opening pages.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    ROOT,
    TIMEOUT,
    chromium_path,
    free_port,
    required,
    streamlit_server,
)

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

OIDC = ROOT / "tests" / "oidc"
LOGIN = "editor"  # the provider's one account (tests/oidc/provider.mjs)
NAME, EMAIL = "Ada Editor", "ada.editor@example.org"
ARTICLE = "Alexander Lukashenko met Keith Kellogg in Minsk on 3 January."


class Provider(NamedTuple):
    issuer: str
    app_ports: tuple[int, int]  # the editing deployments' ports: the redirect URIs the client may use
    client_id: str
    client_secret: str


def _node_modules_current() -> bool:
    installed = OIDC / "node_modules" / ".package-lock.json"  # written by npm ci / npm install
    return installed.exists() and installed.stat().st_mtime >= (OIDC / "package-lock.json").stat().st_mtime


def _wait_for_discovery(issuer: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Until the provider answers its discovery document (bounded in time; fails if it exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as r,  # noqa: S310 - loopback
        ):
            if json.loads(r.read()).get("issuer") == issuer:
                return
        time.sleep(0.1)
    said = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"the OpenID Connect provider did not start (exit code {proc.poll()}): {said}")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    """oidc-provider on a free loopback port, its dependencies installed from package-lock.json."""
    chromium_path()  # skip, or fail under CI, before installing anything
    node = required(shutil.which("node"), "Node.js 20.19+ not found: the sign-in tests run oidc-provider")
    npm = required(shutil.which("npm"), "npm not found: the sign-in tests install oidc-provider with it")
    if not _node_modules_current():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC, check=True, timeout=300
        )
    ports = {free_port()}
    for _ in range(20):  # three distinct ports (the system rarely hands out the same one twice)
        if len(ports) == 3:
            break
        ports.add(free_port())
    port, *app_ports = sorted(ports)
    client_id, client_secret = "contact-atlas-editors", os.urandom(16).hex()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URIS": " ".join(f"http://127.0.0.1:{p}/oauth2callback" for p in app_ports),
    }
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [node, "provider.mjs"], cwd=OIDC, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            issuer = f"http://127.0.0.1:{port}"
            _wait_for_discovery(issuer, proc, log)
            yield Provider(issuer, (app_ports[0], app_ports[1]), client_id, client_secret)
        finally:
            proc.send_signal(signal.SIGTERM)  # by its process id
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def editing_deployment(port: int, secrets: Path, log: str, address: str = "127.0.0.1") -> Iterator[str]:
    """`streamlit run` in editing mode on `port`, with `secrets` as its secrets.toml (none if it does not
    exist: not the developer's own); yields its URL."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(
        ROOT / "dashboard" / "app.py",
        env={"CONTACT_ATLAS_MODE": "edit"},
        log=ARTIFACTS / log,
        args=["--secrets.files", str(secrets)],
        port=port,
        address=address,
    ) as srv:
        yield srv.url


def provider_secrets(path: Path, provider: Provider, port: int, editors: str) -> Path:
    """secrets.toml for a deployment on `port` whose editors sign in with `provider`; `editors` is
    the [editors] section's body."""
    auth = {
        "redirect_uri": f"http://127.0.0.1:{port}/oauth2callback",
        "cookie_secret": os.urandom(24).hex(),
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "server_metadata_url": f"{provider.issuer}/.well-known/openid-configuration",
    }
    # TOML strings are JSON strings for these values (ASCII, no control characters).
    lines = ["[auth]", *(f"{k} = {json.dumps(v)}" for k, v in auth.items())]
    # oidc-provider knows the prompts `login` and `consent` (Streamlit asks for `select_account`).
    lines += ["[auth.client_kwargs]", 'prompt = "login"', "[editors]", editors]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def signed_in_deployment(oidc_provider, tmp_path_factory) -> Iterator[str]:
    """An editing deployment whose editors sign in with the test provider; its account is an editor."""
    port = oidc_provider.app_ports[0]
    secrets = provider_secrets(
        tmp_path_factory.mktemp("editing") / "secrets.toml",
        oidc_provider,
        port,
        f"emails = [{json.dumps(EMAIL.upper())}]",  # the provider's address, in other letters' case
    )
    with editing_deployment(port, secrets, "streamlit-editing.log") as url:
        yield url


@pytest.fixture
def context(browser, request):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    yield ctx
    for n, pg in enumerate(ctx.pages):
        with contextlib.suppress(Exception):  # an artifact for a reader of the log, not part of the test
            pg.screenshot(path=ARTIFACTS / f"{request.node.name}-{n}.png", timeout=10_000)
    ctx.close()


def new_page(ctx):
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def nav_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=stSidebarNav] a", "els => els.map((e) => e.innerText.trim())"
    )


def wait_for_text(page, text: str) -> None:
    """Until the page shows `text`, read as a person would: without the word joiners (U+2060) the
    Markdown boundary puts after `@` and `:` in names from the provider. Until then the page may be
    between documents (the provider's redirect back): no body yet is not the text yet."""
    page.wait_for_function(
        "(t) => (document.body?.innerText ?? '').replaceAll('\\u2060', '').includes(t)", arg=text
    )


def shown(page, selector: str = "body") -> str:
    return page.inner_text(selector).replace("\u2060", "")


def assert_no_editor_page(page) -> None:
    assert page.get_by_label("Article text").count() == 0
    assert page.get_by_role("button", name="Propose events").count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_an_anonymous_visitor_of_an_editing_deployment_gets_a_sign_in_button_not_the_page(
    context, signed_in_deployment
) -> None:
    page = new_page(context)
    page.goto(f"{signed_in_deployment}/add-article")  # the page's own address, typed in
    page.get_by_role("button", name="Sign in").wait_for()
    assert "Adding articles is for editors: sign in first." in page.inner_text("body")
    assert_no_editor_page(page)
    # From the navigation, the same: the page is listed, its content is not served.
    page.goto(signed_in_deployment)
    page.wait_for_function("() => document.body.innerText.includes('of 22 events')")
    assert "Add article" in nav_links(page)
    assert "Signed in as" not in page.inner_text("body")
    page.get_by_role("link", name="Add article").click()
    page.get_by_role("button", name="Sign in").wait_for()
    assert_no_editor_page(page)


def test_an_editor_signs_in_with_the_provider_drafts_and_signs_out(context, signed_in_deployment) -> None:
    page = new_page(context)
    page.goto(f"{signed_in_deployment}/add-article")
    sign_in(page)  # the provider's account is on the deployment's list (in other letters' case)
    # Back in the app, signed in: who it is, in the sidebar, on every page.
    wait_for_text(page, f"Signed in as {NAME} ({EMAIL})")
    assert page.url.startswith(signed_in_deployment)
    page.get_by_role("link", name="Add article").click()
    page.get_by_label("Article text").fill(ARTICLE)
    page.get_by_label("Title").fill("A title")
    page.get_by_label("Publisher").fill("Test Wire")
    page.get_by_role("spinbutton", name="year, Published").click()
    page.keyboard.type("20250110")
    page.get_by_role("button", name="Propose events").click()
    page.wait_for_function("() => document.body.innerText.includes('1 proposed event')")
    assert f"Signed in as {NAME} ({EMAIL})" in shown(page, "[data-testid=stSidebar]")
    # Signing out ends the identity here and at the provider; the page is closed again.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider asks to confirm
    page.wait_for_url(lambda u: u.startswith(signed_in_deployment))
    page.goto(f"{signed_in_deployment}/add-article")
    page.get_by_role("button", name="Sign in").wait_for()
    assert "Signed in as" not in page.inner_text("body")
    assert_no_editor_page(page)


def sign_in(page) -> None:
    """Through the provider's own sign-in form, on its own origin, as the test account."""
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/interaction/**")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", "any password")
    page.get_by_role("button", name="Sign-in").click()


def test_an_account_not_on_the_list_of_editors_signs_in_and_gets_no_page(
    context, oidc_provider, tmp_path
) -> None:
    # The same provider and account; this deployment lists other editors (an address and a domain).
    port = oidc_provider.app_ports[1]
    editors = 'emails = ["someone.else@example.org"]\ndomains = ["example.com", "editor.example.org"]'
    secrets = provider_secrets(tmp_path / "secrets.toml", oidc_provider, port, editors)
    with editing_deployment(port, secrets, "streamlit-editing-not-listed.log") as url:
        page = new_page(context)
        page.goto(f"{url}/add-article")
        sign_in(page)
        # Signed in, back on the app's first page: the reading pages are served as to anyone.
        wait_for_text(page, f"Signed in as {NAME} ({EMAIL})")
        assert page.url.startswith(url)
        page.wait_for_function("() => document.body.innerText.includes('of 22 events')")
        # The editors' page is not, by link or by address: it says why instead.
        refusal = f"Signed in as {NAME} ({EMAIL}), who is not on this deployment's list of editors."
        page.get_by_role("link", name="Add article").click()
        wait_for_text(page, refusal)
        assert_no_editor_page(page)
        page.goto(f"{url}/add-article")
        wait_for_text(page, refusal)
        assert_no_editor_page(page)
        page.get_by_role("button", name="Sign out").wait_for()  # another account may sign in after


def test_a_page_elsewhere_rebinding_its_name_to_loopback_gets_no_page_from_make_edit(
    browser, editing_server
) -> None:
    # DNS rebinding: a page at evil.test whose name now resolves to 127.0.0.1 asks the loopback
    # server, without sign-in, for the editors' page. Chromium maps the name as a resolver would.
    port = editing_server.rsplit(":", 1)[1]
    rebound = browser.browser_type.launch(
        executable_path=chromium_path(),
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.test 127.0.0.1"],
    )
    try:
        ctx = rebound.new_context(viewport={"width": 1440, "height": 900})
        page = new_page(ctx)
        page.goto(f"http://evil.test:{port}/add-article")
        page.wait_for_function("() => document.body.innerText.includes('serves no page')")
        assert_no_editor_page(page)
        assert "of 22 events" not in page.inner_text("body")
        # The same browser, asking by a loopback name, is this machine's editor: the page is served.
        page.goto(f"http://localhost:{port}/add-article")
        page.get_by_label("Article text").wait_for()
        assert "serves no page" not in page.inner_text("body")
        ctx.close()
    finally:
        rebound.close()


def test_a_reading_deployment_has_no_add_article_page_even_by_its_address(context, server) -> None:
    page = new_page(context)
    page.goto(server)
    page.wait_for_function("() => document.body.innerText.includes('of 22 events')")
    assert nav_links(page) == ["Explorer", "Events", "About"]
    page.goto(f"{server}/add-article")
    # Streamlit says there is no such page and shows the default one.
    page.wait_for_function("() => document.body.innerText.includes('of 22 events')")
    assert_no_editor_page(page)
    assert page.get_by_role("button", name="Sign in").count() == 0
    assert "Add article" not in nav_links(page)


def test_an_editing_deployment_served_beyond_loopback_without_sign_in_refuses_to_serve(
    context, tmp_path
) -> None:
    chromium_path()
    port, no_secrets = free_port(), tmp_path / "secrets.toml"
    # Bound to every interface, with no [auth]: it must not serve the editors' page to anyone.
    with editing_deployment(port, no_secrets, "streamlit-editing-open.log", address="0.0.0.0") as url:  # noqa: S104
        page = new_page(context)
        page.goto(f"{url}/add-article")
        page.wait_for_function("() => document.body.innerText.includes('serves no page')")
        body = page.inner_text("body")
        assert "served beyond this machine with no sign-in" in body
        assert "[auth]" in body
        assert_no_editor_page(page)
        assert "of 22 events" not in body  # nothing else is served either
    log = (ARTIFACTS / "streamlit-editing-open.log").read_text(errors="replace")
    assert "served beyond this machine with no sign-in" in log  # whoever runs it reads why
    assert "Traceback" not in log
