"""Contact Atlas, the Streamlit entrypoint: `streamlit run dashboard/app.py` from the repository root.

A router: it registers the pages, renders the filters every page shares, and
runs the chosen page. `pages()` can be imported without rendering anything.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    # `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository: a host
    # that runs the repository as cloned, without installing it (Streamlit Community Cloud),
    # would not find the package. This checkout's package comes first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from dashboard.ui import shell

# (file relative to this script, title, URL path); the first is the default page.
# No icons: a page's icon becomes the favicon, fetched from a font CDN.
PAGES = [
    ("ui/explorer.py", "Explorer", "explorer"),
    ("ui/events.py", "Events", "events"),
    ("ui/add_article.py", "Add article", "add-article"),
    ("ui/about.py", "About", "about"),
]


def pages() -> list[st.Page]:
    return [
        st.Page(path, title=title, url_path=url, default=i == 0) for i, (path, title, url) in enumerate(PAGES)
    ]


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
    page = st.navigation(pages())
    c = shell.load_atlas()
    with st.sidebar:
        st.markdown("### Contact Atlas")
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
    try:
        page.run()
    except Exception:  # st.rerun and st.stop raise BaseExceptions: they pass through
        shell.page_failed(page.title)


if __name__ == "__main__":  # under `streamlit run` and AppTest; importing only lists pages
    run()
