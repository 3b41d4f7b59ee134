"""Shared fixtures: the bundled seed corpus, writable copies of it, and the CLI."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

from dashboard import atlas as atlas_mod
from dashboard.readers import corpus

# Under CI the generated cases are the same on every run (a red build is reproducible);
# elsewhere each run tries new ones. HYPOTHESIS_PROFILE picks either explicitly.
# No per-example deadline: a busy two-core machine is not a slow function (speed lives in bench/).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

# A test worker's Spark session runs a few hundred small queries over kilobytes and then ends: the
# JVM's optimising compiler (C2) spends more CPU compiling than it ever wins back, about half the
# Spark tests' CPU. The quick compiler (C1) alone changes no result, only who compiles the bytecode.
# PYSPARK_SUBMIT_ARGS set by the caller wins (it is read when a process's session starts).
os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED_EVENTS = DATA / "articles" / "kellogg-lukashenko-minsk.yaml"


@pytest.fixture(scope="session")
def seed() -> corpus.Corpus:
    return corpus.load(DATA)


@pytest.fixture(scope="session")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> atlas_mod.Atlas:
    """The seed opened as the dashboard opens it: its store (built in a copy), on DuckDB."""
    dest = tmp_path_factory.mktemp("seed") / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    return atlas_mod.open_atlas(dest, "duckdb")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled data folder."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a data file, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `python -m dashboard ...` as a user would, in a separate process."""

    def run(*args: str, cwd: Path = ROOT) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "dashboard", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,  # a guard against a hung process, not a time limit: the 5 MB draft on a busy machine
            check=False,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the whole test session (each test opens its own context)."""
    from browser import CHROMIUM_ARGS, TIMEOUT, chromium_path  # noqa: PLC0415

    executable = chromium_path()  # skips, or fails under CI, before Playwright starts
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        opened = b.new_context

        def new_context(**options: object) -> object:
            """Every context waits as long as browser.TIMEOUT, whoever opens it."""
            ctx = opened(**options)
            ctx.set_default_timeout(TIMEOUT)
            return ctx

        b.new_context = new_context
        yield b
        b.close()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """One `streamlit run` of the bundled corpus for every browser test that only reads it."""
    from browser import dashboard  # noqa: PLC0415

    with dashboard() as url:
        yield url


@pytest.fixture(scope="session")
def editing_server(tmp_path_factory) -> Iterator[str]:
    """`make edit`: editing mode on loopback with no sign-in configured (only this machine reaches it)."""
    from browser import ARTIFACTS, chromium_path, streamlit_server  # noqa: PLC0415

    chromium_path()
    no_secrets = tmp_path_factory.mktemp("editing") / "secrets.toml"  # none: not the developer's own
    with streamlit_server(
        ROOT / "dashboard" / "app.py",
        env={"CONTACT_ATLAS_MODE": "edit"},
        log=ARTIFACTS / "streamlit-editing-local.log",
        args=["--secrets.files", str(no_secrets)],
    ) as srv:
        yield srv.url


# An editing deployment's sign-in settings, as in .streamlit/secrets.toml (no provider is reached here).
AUTH = {
    "redirect_uri": "http://127.0.0.1:8502/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "contact-atlas",
    "client_secret": "a-test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
EDITOR = {"is_logged_in": True, "email": "ada.editor@example.org", "name": "Ada Editor"}
EDITORS = {"emails": ["Ada.Editor@example.org"]}  # secrets.toml's [editors]: who may edit once signed in


def propose(at: AppTest, text: str, title: str = "A title", published: dt.date | None = None) -> AppTest:
    """`at` run, on its Add article page, with the form filled as an editor fills it ("Test Wire" the
    publisher; no date when `published` is None) and "Propose events" pressed."""
    at.run()
    at.switch_page("ui/add_article.py").run()
    at.text_area(key="draft-text").input(text)
    at.text_input(key="draft-title").input(title)
    at.text_input(key="draft-publisher").input("Test Wire")
    if published is not None:
        at.date_input(key="draft-published").set_value(published)
    return at.button[0].click().run()


def editing(
    monkeypatch: pytest.MonkeyPatch, at: AppTest, user: dict | None = EDITOR, editors: dict | None = EDITORS
) -> AppTest:
    """`at` as an editing deployment with sign-in configured and `editors` its [editors] (None: no
    list), and `user` signed in (None: anonymous)."""
    monkeypatch.setenv("CONTACT_ATLAS_MODE", "edit")
    at.secrets["auth"] = dict(AUTH)
    if editors is not None:
        at.secrets["editors"] = editors
    at.user = dict(user) if user else {"is_logged_in": False}
    return at
