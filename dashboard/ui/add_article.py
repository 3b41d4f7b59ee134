"""Add article: paste a new article, review the events the drafter proposes, download the YAML.

The page never writes into the data folder unless the deployment sets CONTACT_ATLAS_DRAFTS_WRITE=1.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import drafting, escape
from dashboard.drafting import confidence, review, runner
from dashboard.model import NAME_MAX_LENGTH, TAXONOMY, URL_MAX_LENGTH, Certainty
from dashboard.ui import editor, html, shell
from dashboard.views import article as article_view

# The page's limits; `python -m dashboard draft` reads up to 20 MB. Streamlit enforces them too: the
# text box takes at most MAX_PAGE_CHARS characters, an upload at most `server.maxUploadSize` (1 MB,
# .streamlit/config.toml); and the drafter runs in a child process stopped at runner.SECONDS and
# runner.MEMORY_MB.
MAX_PAGE_BYTES = 1_000_000
MAX_PAGE_CHARS = 1_000_000


def _editor() -> str:
    """Who is saving: the signed-in editor (dashboard/ui/editor.py), else a plain label."""
    return editor.identity() or "local editor (not signed in)"


ctx = shell.context()
a = ctx.atlas
shell.show_notices(ctx)

st.header("Add article", anchor=False)
st.caption(
    "Paste an article's text and its details: Contact Atlas proposes one event per statement it "
    "recognises, each quoting its sentence exactly. Check them against the highlighted text, correct or "
    "drop them, and download the YAML for the data folder. Every event stays `status: draft` (a pale "
    "mark on the map) until an editor deletes that line."
)

with st.form("draft-form"):
    text = st.text_area(
        "Article text", height=220, key="draft-text", placeholder="Paste the article's text…",
        max_chars=MAX_PAGE_CHARS,
    )  # fmt: skip
    upload = st.file_uploader("…or a UTF-8 text file", type=["txt"], key="draft-file")
    left, mid, right = st.columns([3, 2, 1])
    # The record's own caps (dashboard.model): a draft saved from here always loads.
    title = left.text_input("Title", key="draft-title", max_chars=NAME_MAX_LENGTH)
    publisher = mid.text_input("Publisher", key="draft-publisher", max_chars=NAME_MAX_LENGTH)
    published = right.date_input("Published", value=None, key="draft-published", format="YYYY-MM-DD")
    url = st.text_input(
        "Address (optional)", key="draft-url", placeholder="https://…", max_chars=URL_MAX_LENGTH
    )
    submitted = st.form_submit_button("Propose events", type="primary")

if submitted:
    st.session_state.pop("draft", None)
    try:
        raw = upload.getvalue() if upload is not None else (text or "").encode("utf-8")
        name = upload.name if upload is not None else "the pasted text"
        if len(raw) > MAX_PAGE_BYTES:
            raise drafting.DraftError(
                f"{name}: {len(raw) / 1e6:.1f} MB; this page drafts texts up to "
                f"{MAX_PAGE_BYTES / 1e6:.0f} MB "
                "(use `python -m dashboard draft` for longer ones)"
            )
        body = drafting.check_text(raw, name)
        if published is None:
            raise drafting.DraftError("give the publication date: every relative date is read from it")
        meta = drafting.Meta(
            title=title.strip(), publisher=publisher.strip(), published=published, url=url.strip() or None
        )
        with st.spinner("Reading the text…"):
            d = runner.draft_limited(
                body, meta, a.actors, a.places, articles=set(a.articles), today=dt.date.today()
            )
            taken = a.existing_events([e.id for e in d.events])
            if taken:  # ids already in the data: draft again around them
                d = runner.draft_limited(
                    body, meta, a.actors, a.places, articles=set(a.articles), taken_ids=taken,
                    today=dt.date.today(),
                )  # fmt: skip
        st.session_state["draft"] = d
    except drafting.DraftError as exc:
        st.error(escape.markdown_text(str(exc)), icon=":material/error:")  # it may quote a file's name

d: drafting.Draft | None = st.session_state.get("draft")
if d is not None:
    st.subheader(f"{len(d.events)} proposed event{'s' if len(d.events) != 1 else ''}", anchor=False)
    st.caption(
        "The most confident first; those scoring "
        f"{confidence.THRESHOLD:.2f} or more (a date, a verb, people and a place in their own words) "
        "are kept to begin with."
    )
    if d.skipped:
        with st.expander(f"{len(d.skipped)} statement(s) not proposed"):
            st.text("\n".join(d.skipped))
    left, right = st.columns([2, 3])
    with right:
        edited = st.data_editor(
            review.table(d),
            key="draft-table",
            hide_index=True,
            disabled=["confidence", "id", "quote", "note"],
            column_config={
                "keep": st.column_config.CheckboxColumn("Keep", width=50),
                "confidence": st.column_config.ProgressColumn(
                    "Confidence",
                    min_value=0.0,
                    max_value=1.0,
                    format="%.2f",
                    width=90,
                    help="how much of the proposal came from explicit words; kept from "
                    f"{confidence.THRESHOLD:.2f}",
                ),
                "id": st.column_config.TextColumn("Id", width=150),
                "kind": st.column_config.SelectboxColumn("Kind", options=list(TAXONOMY), width=120),
                "date": st.column_config.TextColumn(
                    "Date", help="YYYY-MM-DD, YYYY-MM, YYYY or unknown", width=90
                ),
                "until": st.column_config.TextColumn("Until", width=90),
                "place": st.column_config.TextColumn("Place", help="a place id", width=110),
                "origin": st.column_config.TextColumn("From", help="a place id", width=90),
                "participants": st.column_config.TextColumn(
                    "Participants", help="actor ids, comma-separated; a role in brackets", width=200
                ),
                "summary": st.column_config.TextColumn("Summary", width=220),
                "attribution": st.column_config.TextColumn("Says who", width=140),
                "certainty": st.column_config.SelectboxColumn(
                    "Certainty", options=[c.value for c in Certainty], width=90
                ),
                "quote": st.column_config.TextColumn("Quote", width=260),
                "note": st.column_config.TextColumn("Why proposed", width=260),
            },
        )
    reviewed, keep, problems = review.apply(d, edited, set(a.actors), set(a.places))
    with left:
        st.html(html.article_heading(d.meta.title, f"{d.meta.publisher} · {d.meta.published.isoformat()}"))
        spans = tuple(
            article_view.Span(e.id, s["start"], s["end"])
            for e in reviewed.events
            if e.id in keep
            for s in e.sources
        )
        titles = {
            e.id: f"{TAXONOMY[e.kind].label if e.kind in TAXONOMY else e.kind}: {e.summary}"
            for e in reviewed.events
        }
        body = html.article_html(article_view.ArticleText(d.text, spans, titles, None, d.meta.language))
        st.html(f'{html.ARTICLE_CSS}<div class="draft-article">{body}</div>')
    if problems:
        st.error(
            f"{len(problems)} problem(s) to fix before the YAML is valid:\n\n"
            + "\n".join(f"- {escape.markdown_text(p)}" for p in problems[:20]),
            icon=":material/error:",
        )
    existing = review.Existing(
        a.actors, a.places, frozenset(a.existing_events([e.id for e in reviewed.events if e.id in keep])),
        frozenset(a.articles),
    )  # fmt: skip
    clashes = review.collisions(reviewed, keep, existing)
    if clashes:
        st.warning(
            f"{len(clashes)} record(s) of this draft the data folder already has; "
            "draft the article again:\n\n" + "\n".join(f"- {escape.markdown_text(c)}" for c in clashes[:20]),
            icon=":material/warning:",
        )
    blocked = bool(problems) or bool(clashes) or not keep
    yaml_text = reviewed.to_yaml(f"{d.article_id}.txt", keep)
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        f"Download YAML ({len(keep)} events)", yaml_text, file_name=f"{d.article_id}.yaml",
        mime="application/yaml", disabled=blocked, type="primary",
    )  # fmt: skip
    c2.download_button("Download the text", d.text, file_name=f"{d.article_id}.txt", mime="text/plain")
    if review.writes_enabled():
        if c3.button("Save to the data folder", disabled=blocked):
            try:
                y, t = review.save(reviewed, a.root, keep, saved_by=_editor(), existing=existing)
                st.success(
                    f"Saved {y.name} and {t.name} in {review.DRAFTS_FOLDER}/: the map shows them as drafts."
                )
            except OSError as exc:
                st.error(escape.markdown_text(str(exc)), icon=":material/error:")
    else:
        c3.caption(
            "Put both files in the data folder's `articles/` (this deployment does not write to it; "
            f"`{review.WRITE_SETTING}=1` lets it)."
        )
