"""The drafter cannot be made slow: adversarial text drafts in bounded time, and the Add article page
drafts in a child process stopped at a wall-clock and a memory limit, with its sizes capped by
Streamlit itself."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import string
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT, editing
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashboard import drafting
from dashboard.drafting import lexicon, runner
from dashboard.readers import corpus

META = drafting.Meta(title="A title", publisher="Test Wire", published=dt.date(2025, 6, 21))
TODAY = dt.date(2026, 1, 1)
SEED = corpus.load(ROOT / "data")

# Runs of one character, the shapes regular expressions backtrack over, and the words that start
# the drafter's patterns (a dash line, a titled name, a locative, "and", "citing", quotes).
RUN_CHARS = [" ", "\t", "-", "—", "–", "“", "‘", "«", '"', "'", "(", ")", "[", "@", ",", ".", "\n", "a", "A"]
PIECES = [
    "Lukashenko met Kellogg.",
    "\n— ",
    "— belarus (@belarus) ",
    "President ",
    "Special ",
    " in A",
    " and ",
    ", citing ",
    "Lukashenko told Reuters that",
    "has ",
    "according to ",
    "“",
    " Minsk",
]


def draft_or_refuse(text: str) -> None:
    with contextlib.suppress(drafting.DraftError):
        drafting.draft(text, META, SEED.actors, SEED.places, today=TODAY)


@settings(
    deadline=timedelta(seconds=20),  # generous for a shared machine; the bad cases took minutes
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(
        st.one_of(
            st.builds(lambda c, n: c * n, st.sampled_from(RUN_CHARS), st.integers(1, 20_000)),
            st.sampled_from(PIECES),
        ),
        min_size=1,
        max_size=8,
    ).map("".join)
)
@example("Lukashenko met Kellogg.\n— " + " " * 4_000 + "a")  # the paste: 31–33 s before
@example("Lukashenko met Kellogg in A" + " " * 10_000 + "b")
@example("Lukashenko met Kellogg" + " " * 10_000 + "and")
@example("President x " + "Special " * 2_000)
@example("President " + "A" * 20_000)
@example("“" * 20_000)
def test_adversarial_text_drafts_in_bounded_time(text: str) -> None:
    draft_or_refuse(text)


@pytest.mark.parametrize("char", [" ", "\t", "-", "—", "“", "(", "\n", "a"])
def test_a_megabyte_of_one_character_drafts_in_bounded_time(char: str, tmp_path: Path) -> None:
    src = tmp_path / "one.txt"
    src.write_text("Lukashenko met Kellogg in Minsk.\n" + char * 1_000_000, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "draft", str(src), "--title", "T", "--publisher", "P",
         "--published", "2025-06-21", "--out", str(tmp_path / "out.yaml")],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "drafted 1 event" in proc.stderr


def _cost(pat: re.Pattern[str], text: str, repeats: int = 3) -> float:
    import time  # noqa: PLC0415

    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for _ in pat.finditer(text):
            pass
        best = min(best, time.process_time() - started)
    return best


def test_every_pattern_is_linear_on_runs_of_its_own_characters() -> None:
    """Each compiled pattern of the drafter over a run of each character after each piece: where the
    run costs anything measurable, four times the run costs at most eight times as much (a linear
    pattern four times, a quadratic one sixteen)."""
    patterns = [v for m in (drafting, lexicon) for v in vars(m).values() if isinstance(v, re.Pattern)]
    assert len(patterns) >= 25
    for pat in patterns:
        for piece in ["", *PIECES]:
            for ch in RUN_CHARS:
                short = _cost(pat, piece + ch * 4_000 + "x")
                if short < 0.002:
                    continue
                long = _cost(pat, piece + ch * 16_000 + "x")
                if long >= 8 * short:  # measured again, longer: a quadratic pattern is slow both times,
                    # a busy machine's pause (a few milliseconds, on a two-core CI) only once
                    short = _cost(pat, piece + ch * 4_000 + "x", repeats=7)
                    long = _cost(pat, piece + ch * 16_000 + "x", repeats=7)
                assert long < 8 * short, (pat.pattern[:80], piece, ch, short, long)


def signatures(n: int) -> str:
    """`n` signature lines, each by an author the data folder does not have."""
    return "".join(f"— Name{i} (@n{i}) June 21, 2025\n" for i in range(n))


def _draft_cost(text: str) -> float:
    import time  # noqa: PLC0415

    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        draft_or_refuse(text)
        best = min(best, time.process_time() - started)
    return best


def test_many_new_authors_cost_linear_time() -> None:
    """Each signature line proposes a new actor; four times the lines cost at most eight times as much
    (rebuilding every name's matcher for each new actor made it sixteen, 1 MB of them over a minute)."""
    short = _draft_cost(signatures(1_000))
    long = _draft_cost(signatures(4_000))
    assert long < 8 * short, (short, long)


# --- the page's child process ----------------------------------------------------------------


def test_the_child_process_drafts_and_names_each_limit_it_stops_at() -> None:
    d = runner.draft_limited("Lukashenko met Kellogg in Minsk on 3 January.", META, SEED.actors, SEED.places)
    assert [e.kind for e in d.events] == ["meeting"]
    with pytest.raises(drafting.DraftError, match="no recognisable event"):
        runner.draft_limited("The weather was mild.", META, SEED.actors, SEED.places)
    big = "Lukashenko met Kellogg in Minsk on 3 January. " * 20_000
    with pytest.raises(drafting.DraftError, match=r"^Drafting stopped after 0\.2 s"):
        runner.draft_limited(big, META, SEED.actors, SEED.places, seconds=0.2)
    # Twenty thousand meetings, each on its own day (one told twenty thousand times is one proposal).
    days = (dt.date(1950, 1, 1) + dt.timedelta(days=i) for i in range(20_000))
    many = " ".join(f"Lukashenko met Kellogg in Minsk on {d.day} {d:%B} {d.year}." for d in days)
    with pytest.raises(drafting.DraftError, match=r"^Drafting stopped: .*5 MB"):
        runner.draft_limited(many, META, SEED.actors, SEED.places, memory_mb=5, seconds=600)  # memory first


def test_streamlit_itself_caps_the_upload_and_the_pasted_text(monkeypatch: pytest.MonkeyPatch) -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 1  # MB: Streamlit refuses a larger file itself
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415, TID251 - the page itself, as test_app.py

    monkeypatch.setattr(runner, "SECONDS", 0.01)
    at = editing(monkeypatch, AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120))
    at.run()
    at.switch_page("ui/add_article.py").run()
    box = at.text_area(key="draft-text")
    assert box.proto.max_chars == 1_000_000
    box.input("Alexander Lukashenko met Keith Kellogg in Minsk on 3 January. " * 3_000)
    at.text_input(key="draft-title").input("A title")
    at.text_input(key="draft-publisher").input("Test Wire")
    at.date_input(key="draft-published").set_value(dt.date(2025, 1, 10))
    at.button[0].click().run()
    assert not at.exception, at.exception
    shown = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # as read, without Markdown's escapes
    assert any(x.startswith("Drafting stopped after 0.01 s") for x in shown), shown


# Words that open triggers, in every case a text may write them (and the letters outside ASCII that
# IGNORECASE matches to ASCII ones: "İ", "ı", "ſ", the Kelvin sign), and words that open none.
TRIGGER_PIECES = ["met", "Met", "MET", "meets", "visited", "Visited", "VİSİTED", "vısıted", "a", "an", "A", "is",
                  "are", "was", "“", '"', "said", "ſaid", "SAİD", "talks", "held", "would", "will", "travel to",
                  "Sandu", "Bolojan", "Chisinau", ",", ".", "\n", "after meeting", "three-day visit", "ſtruck",
                  "\u212aILLED", "drones", "killed", "wrong", "the", "his", "by phone", "spoke", "with",
                  "called", "signed", "deal", "agreement", "was signed", "had not agreed to"]  # fmt: skip


@given(st.lists(st.sampled_from(TRIGGER_PIECES), max_size=40).map(" ".join))
@example("Maia Sandu MET Ilie Bolojan; Sandu ſaid the talks were wrong. A three-day visit was signed.")
def test_the_trigger_prefilter_finds_every_trigger_the_full_pattern_finds(text: str) -> None:
    """A trigger is looked for only where its first letters are; no trigger is missed for it."""
    at = drafting._trigger_starts(text)
    assert at is not None
    got = [m.span() for m in drafting._trigger_matches(text, 0, len(text), at)]
    assert got == [m.span() for m in drafting._TRIGGERS_RE.finditer(text)]


def test_the_trigger_prefilter_finds_every_trigger_of_the_development_articles() -> None:
    for path in sorted((ROOT / "eval" / "dev").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        at = drafting._trigger_starts(text)
        for a, b in drafting.sentences(text):
            want = [m.span() for m in drafting._TRIGGERS_RE.finditer(text, a, b)]
            assert [m.span() for m in drafting._trigger_matches(text, a, b, at)] == want, path.name


def test_the_prefilter_s_case_folding_covers_every_letter_ignorecase_matches() -> None:
    """Every character a case-insensitive pattern matches to an ASCII letter folds to that letter, in
    place (one character for one)."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    letters = [c for c in map(chr, range(0x110000)) if letter.fullmatch(c)]
    assert len(letters) > 52  # the ASCII letters and the few others
    unfolded = [
        hex(ord(c))
        for c in letters
        if c.translate(drafting._FOLD) not in string.ascii_lowercase
        or not re.fullmatch(c.translate(drafting._FOLD), c, re.IGNORECASE)
    ]
    assert unfolded == []
