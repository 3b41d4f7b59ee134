"""Screenshots of the real Explorer for the README: `python docs/screenshots.py [--out DIR]`.

Starts `streamlit run` on a free loopback port, opens the Explorer in Debian's
Chromium at 1440×900, 1280×720 and 420 px wide, selects the Kellogg–Lukashenko
meeting by clicking its map marker (as a reader would), and writes one PNG per
size: what a reader sees without scrolling.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from browser import (  # noqa: E402 - the test helpers start the server and find Chromium
    CHROMIUM_ARGS,
    DASHBOARD_PAINTED,
    chromium_path,
    streamlit_server,
)

SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720), "420": (420, 900)}
MEETING = "kellogg-meets-lukashenko"


def shoot(out: Path, event: str = MEETING) -> list[Path]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only this script needs it

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with streamlit_server(ROOT / "dashboard" / "app.py") as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, (width, height) in SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            page.goto(f"{srv.url}/?event={event}")
            page.wait_for_function(DASHBOARD_PAINTED)
            page.wait_for_function("(id) => document.body.dataset.shown === id", arg=event)
            page.wait_for_timeout(500)  # let Plotly's transitions settle before the picture
            path = out / f"explorer-{name}.png"
            page.screenshot(path=path)
            written.append(path)
            page.close()
        browser.close()
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--event", default=MEETING, help="the event selected in the pictures")
    args = ap.parse_args()
    for path in shoot(args.out, args.event):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)  # noqa: T201 - a command line tool


if __name__ == "__main__":
    main()
