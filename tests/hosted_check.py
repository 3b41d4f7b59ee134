"""Run inside a network namespace with only loopback: start a checkout as a host would, and read it.

    python tests/hosted_check.py CHECKOUT
    python tests/hosted_check.py --make-run REPOSITORY

The second form starts `make run` in REPOSITORY on a free port, waits until it
answers, stops it, and prints what it printed (Streamlit says there when it
tried to look up the machine's external address).

Starts `streamlit run dashboard/app.py` from CHECKOUT (the `streamlit` command,
as Streamlit Community Cloud runs it, with the checkout's own configuration),
opens every page over Streamlit's websocket protocol, fetches the map's borders,
and prints one JSON line of what it saw. Used by tests/test_hosting.py.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bench"))

import load  # noqa: E402 - bench/load.py
from browser import free_port, wait_healthy  # noqa: E402


def main(checkout: Path) -> int:
    import subprocess  # noqa: PLC0415

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    streamlit = Path(sys.executable).with_name("streamlit")
    log = (checkout / "hosted.log").open("wb")
    proc = subprocess.Popen(
        [str(streamlit), "run", "dashboard/app.py", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=checkout, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen: dict[str, object] = {}
    try:
        wait_healthy(url, proc)
        for name in ("", "events", "about", "add-article"):  # the last: not a page of a reading deployment
            page = load.first_page(url, "", name)[1]
            seen[name or "explorer"] = {
                "status": page.status,
                "exceptions": page.exceptions,
                "elements": page.elements,
                "texts": page.texts,
                "toolbar_mode": int(page.config.toolbar_mode) if page.config is not None else None,
                "gather_usage_stats": bool(page.config.gather_usage_stats)
                if page.config is not None
                else None,
            }
        with urllib.request.urlopen(f"{url}/app/static/topojson/world_110m.json", timeout=10) as r:  # noqa: S310
            seen["borders_bytes"] = len(r.read())
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
    print(json.dumps(seen))  # noqa: T201 - the caller reads it
    return 0


def make_run(repo: Path) -> int:
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    port = free_port()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"RUN_PORT={port}"], cwd=repo,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # make and the streamlit it started
        out = proc.communicate(timeout=30)[0].decode(errors="replace")
    print(json.dumps({"port": port, "output": out}))  # noqa: T201 - the caller reads it
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--make-run":
        sys.exit(make_run(Path(sys.argv[2])))
    sys.exit(main(Path(sys.argv[1])))
