"""Colours a reader with a colour-vision deficiency can still tell apart, and marks with enough contrast.

Checked with ColorAide: its protanopia and deuteranopia simulations (Viénot,
Brettel and Mollon) and tritanopia (Brettel), at full severity; colour
difference as CIEDE2000; contrast as WCAG 2.1's ratio.
"""

from __future__ import annotations

import itertools
import re

import pytest

from dashboard import figures
from dashboard.ui import html

coloraide = pytest.importorskip("coloraide")
Color = coloraide.Color

LAND, OCEAN = "#f4f1ea", "#e8f1f7"
TEXT = "#31333f"  # Streamlit's body text
# Kinds an event stream adds share their quad class's colour (tests/test_view.py): the distinct colours.
KIND_COLOURS = {c: c for c, _ in figures.STYLE.values()} | {"several kinds": figures.MIXED[0]}
MIN_DIFFERENCE = 8.0  # CIEDE2000: clearly different at a glance; 2.3 is "just noticeable"


@pytest.mark.parametrize("vision", [None, "protan", "deutan", "tritan"])
def test_every_pair_of_kind_colours_stays_apart(vision) -> None:
    def seen(c: str):
        return Color(c).filter(vision) if vision else Color(c)

    close = [
        (a, b, round(seen(ca).delta_e(seen(cb), method="2000"), 1))
        for (a, ca), (b, cb) in itertools.combinations(KIND_COLOURS.items(), 2)
        if seen(ca).delta_e(seen(cb), method="2000") < MIN_DIFFERENCE
    ]
    assert close == [], f"too alike for {vision or 'normal'} vision"


def test_every_mark_has_an_edge_that_stands_out_from_land_and_sea() -> None:
    # WCAG 1.4.11: a graphical object's boundary needs 3:1 against what is next to it.
    # Kinds' marks are drawn outlined in OUTLINE; the black "several kinds" marker is its own edge.
    for name, colour in KIND_COLOURS.items():
        edge = colour if min(Color(colour).contrast(g) for g in (LAND, OCEAN)) >= 3 else figures.OUTLINE
        for ground in (LAND, OCEAN):
            assert Color(edge).contrast(ground) >= 3, (name, ground)
    assert Color(figures.OUTLINE).contrast(LAND) >= 3
    assert Color(figures.SELECTED).contrast(LAND) >= 3


def test_text_on_the_map_and_in_marked_sentences_is_readable() -> None:
    # WCAG 1.4.3: 4.5:1 for body text.
    backgrounds = re.findall(r"background: (#[0-9a-fA-F]{6})", html.ARTICLE_CSS)
    assert len(backgrounds) == 2  # lightly marked, and selected
    for bg in backgrounds:
        assert Color(TEXT).contrast(bg) >= 4.5, bg
    assert Color("#222222").contrast(LAND) >= 4.5  # city labels
    assert Color("#555555").contrast(LAND) >= 4.5  # "from Washington" at the frame's edge
    assert Color("white").contrast(figures.MIXED[0]) >= 4.5  # the count in a "several kinds" marker
