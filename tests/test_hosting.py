"""The hosted app as a host runs it: only the repository's files, its own configuration, no network.

Streamlit Community Cloud clones the repository, installs requirements.txt and
runs `streamlit run dashboard/app.py`. Here the tracked files (git ls-files)
are copied to a fresh folder and started that way inside a network namespace
that has nothing but loopback, so a file the app needs that is not committed,
or a request that needs the network, fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import required
from conftest import ROOT
from streamlit.proto.NewSession_pb2 import Config  # noqa: TID251 - the protocol's own enum

README = (ROOT / "README.md").read_text(encoding="utf-8")


def no_network_prefix() -> list[str]:
    """`unshare -n` with loopback up: a process that can reach nothing but this machine's loopback."""
    unshare = shutil.which("unshare")
    probe = subprocess.run(
        [unshare or "unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, check=False
    ) if unshare and shutil.which("ip") else None  # fmt: skip
    reason = "needs `unshare -n` and `ip` (util-linux, iproute2) and the right to make a network namespace"
    required(unshare if probe is not None and probe.returncode == 0 else None, reason)
    return [unshare, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """The repository as a host clones it: tracked files only (nothing generated, nothing ignored)."""
    dest = tmp_path_factory.mktemp("hosted") / "repo"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def test_the_app_starts_from_committed_files_with_its_configuration_and_no_network(checkout: Path) -> None:
    prefix = no_network_prefix()
    # No data or cache settings of ours; bytecode written, so the test can tell which package ran.
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("DASHBOARD_", "CONTACT_ATLAS_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"))
    }  # fmt: skip
    proc = subprocess.run(
        [*prefix, sys.executable, str(ROOT / "tests" / "hosted_check.py"), str(checkout)],
        capture_output=True, text=True, timeout=240, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    log = (checkout / "hosted.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    # The checkout's own package ran (not this one's): its modules were compiled there.
    assert any((checkout / "dashboard" / "ui").glob("__pycache__/shell*.pyc"))
    explorer = seen["explorer"]
    assert explorer["exceptions"] == []
    assert explorer["status"] == 0
    assert explorer["elements"]["plotly_chart"] == 3  # the map, the timeline and the contact network
    assert any("22 of 22 events" in t for t in explorer["texts"])
    assert seen["events"]["exceptions"] == []
    assert seen["events"]["elements"].get("dataframe") == 1
    assert seen["about"]["exceptions"] == []
    assert any("CAMEO" in t for t in seen["about"]["texts"])
    # Hosted as committed, the app reads: Add article's address opens the default page, nothing that drafts.
    added = seen["add-article"]
    assert added["exceptions"] == []
    assert "text_area" not in added["elements"], added["elements"]
    assert added["elements"].get("plotly_chart") == 3  # the Explorer: map, timeline, network
    # .streamlit/config.toml at the root was read: the toolbar it sets, no usage statistics.
    assert explorer["toolbar_mode"] == Config.ToolbarMode.MINIMAL
    assert explorer["gather_usage_stats"] is False
    assert seen["borders_bytes"] > 100_000  # the map's borders are served from the checkout


def test_make_run_serves_on_loopback_and_never_looks_up_an_external_address() -> None:
    if not (ROOT / ".venv" / ".ready").exists():
        pytest.skip("make run would first build .venv, which needs the network")
    proc = subprocess.run(
        [*no_network_prefix(), sys.executable, str(ROOT / "tests" / "hosted_check.py"), "--make-run", str(ROOT)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    out = seen["output"]
    assert f"http://127.0.0.1:{seen['port']}" in out, out
    # Without a network, a lookup of the external address would fail and say so.
    assert "external IP" not in out, out
    assert "External URL" not in out, out
    assert f"http://127.0.0.1:{seen['port']}" in README.replace("8501", str(seen["port"]))


def test_the_readme_says_how_to_host_it() -> None:
    hosting = README[README.index("## Hosting") :]
    for needed in ("Streamlit Community Cloud", "dashboard/app.py", "requirements.txt", ".streamlit/config.toml",
                   "Python 3.11", "make serve", "nginx", "sticky"):  # fmt: skip
        assert needed in hosting, needed
    # What a reading and an editing deployment expose, and how an editor signs in.
    for needed in ("make edit", "CONTACT_ATLAS_MODE=edit", "/add-article", "st.login", "OpenID Connect",
                   ".streamlit/secrets.toml", "[auth]", "redirect_uri", "cookie_secret", "client_id",
                   "client_secret", "server_metadata_url", "/oauth2callback", "Sign out"):  # fmt: skip
        assert needed in hosting, needed


def test_every_requirement_of_the_hosted_app_is_in_requirements_txt() -> None:
    wanted = {line.split(">=")[0] for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line and not line.startswith("#")}  # fmt: skip
    names = {w.split("[")[0] for w in wanted}
    assert {"streamlit", "plotly", "geopy", "pandas", "pyarrow", "pydantic", "pyyaml", "pycountry"} <= names
    assert "streamlit[auth]" in wanted  # Authlib: an editing deployment signs its editors in (st.login)
