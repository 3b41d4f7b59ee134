"""Defects found by trying to break a data folder: each names the file, the record and the field."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEED_EVENTS, edit

from dashboard.readers import corpus

EVENTS_FILE = SEED_EVENTS.relative_to(SEED_EVENTS.parents[1]).as_posix()
ARTICLE = "kellogg-lukashenko-minsk"


def messages(c: corpus.Corpus) -> list[str]:
    return [str(p) for p in c.errors]


def test_a_duplicate_id_in_a_second_file_is_reported_in_both_places_and_neither_is_used(
    data_copy: Path,
) -> None:
    # "aaa.yaml" sorts before "places.yaml": before, its stray copy silently won.
    (data_copy / "aaa.yaml").write_text(
        "places:\n  - {id: minsk, name: Minsk, kind: city, country: BLR, lat: 1.0, lon: 1.0}\n",
        encoding="utf-8",
    )
    c = corpus.load(data_copy)
    dupes = [m for m in messages(c) if "duplicate id" in m]
    assert any(
        re.match(r"aaa\.yaml:2: record minsk: id: duplicate id, also defined at places\.yaml:\d+", m)
        for m in dupes
    ), dupes
    assert any(
        re.match(r"places\.yaml:\d+: record minsk: id: duplicate id, also defined at aaa\.yaml:2", m)
        for m in dupes
    ), dupes
    assert "minsk" not in c.places
    assert "minsk" not in c.coords
    # Events set in Minsk say why they are skipped instead of being placed at the stray's coordinates.
    assert any("record kellogg-visits-belarus-2025: place: unknown place 'minsk'" in m for m in messages(c))


def test_a_duplicate_event_in_the_same_file_is_not_used_either(data_copy: Path) -> None:
    path = data_copy / EVENTS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("id: belarus-logistics-hub", "id: belarus-hosts-russian-missiles"), encoding="utf-8"
    )
    c = corpus.load(data_copy)
    assert "belarus-hosts-russian-missiles" not in set(c.events["id"])
    assert sum("duplicate id" in m for m in messages(c)) == 2
    assert len(c.events) == 20


@pytest.mark.parametrize("code", ["XXX", "ABC", "SUN"])
def test_a_country_code_is_checked_against_iso_3166(data_copy: Path, code: str) -> None:
    edit(data_copy / "places.yaml", "country: UKR\n", f"country: {code}\n")
    c = corpus.load(data_copy)
    hits = [m for m in messages(c) if re.match(r"places\.yaml:\d+: record kyiv: country: ", m)]
    assert hits, messages(c)
    assert f"{code!r} is not an ISO 3166-1 alpha-3 country code" in hits[0]
    assert "kyiv" not in c.places


def test_bulk_country_codes_are_checked_against_iso_3166(tmp_path: Path) -> None:
    places = pd.DataFrame(
        {"id": ["good", "bad"], "name": ["Good", "Bad"], "kind": ["city", "city"], "country": ["BLR", "XXX"],
         "lat": [53.9, 1.0], "lon": [27.5, 1.0]}
    )  # fmt: skip
    places.to_parquet(tmp_path / "gaz.places.parquet")
    c = corpus.load(tmp_path)
    assert set(c.places) == {"good"}
    assert any("record bad: country: 'XXX' is not an ISO 3166-1 alpha-3" in m for m in messages(c)), messages(
        c
    )


def test_a_place_that_is_its_own_parent_is_refused(data_copy: Path) -> None:
    edit(data_copy / "places.yaml", "parent: minsk", "parent: palace-of-independence")
    c = corpus.load(data_copy)
    assert any(
        re.match(
            r"places\.yaml:\d+: record palace-of-independence: parent: a place cannot be its own parent", m
        )
        for m in messages(c)
    ), messages(c)
    assert "palace-of-independence" not in c.places


def test_a_cycle_of_parents_is_refused_and_names_the_cycle(data_copy: Path) -> None:
    with (data_copy / "places.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "  - {id: site-a, name: Site A, kind: site, country: BLR, parent: site-b}\n"
            "  - {id: site-b, name: Site B, kind: site, country: BLR, parent: site-a}\n"
            "  - {id: site-c, name: Site C, kind: site, country: BLR, parent: site-a}\n"
        )
    c = corpus.load(data_copy)
    text = "\n".join(messages(c))
    assert "record site-a: parent: parents form a cycle: site-a → site-b → site-a" in text
    assert "record site-b: parent: parents form a cycle: site-b → site-a → site-b" in text
    assert "record site-c: parent: parent place 'site-a' is not usable" in text
    assert not {"site-a", "site-b", "site-c"} & set(c.places)
    assert "minsk" in c.places  # the rest of the file still loads


def test_skipped_counts_records_not_problems(data_copy: Path, cli) -> None:
    # One event with two broken fields: one record skipped, two problems.
    edit(
        data_copy / EVENTS_FILE, "place: minsk\n    origin: washington", "place: minks\n    origin: washingtn"
    )
    c = corpus.load(data_copy)
    assert len(c.errors) == 2
    assert c.skipped_summary() == "1 record skipped (2 problems)"
    result = cli("validate", "--data", str(data_copy))
    assert result.code == 1
    assert "1 record skipped (2 problems)" in result.out


@pytest.mark.parametrize("escape", ["../../outside.txt", "/etc/hostname", "link.txt"])
def test_an_article_text_path_may_not_leave_the_data_folder(data_copy: Path, escape: str) -> None:
    outside = data_copy.parent / "outside.txt"
    outside.write_text("A secret the data folder must not reveal.", encoding="utf-8")
    if escape == "link.txt":
        os.symlink(outside, data_copy / "articles" / "link.txt")
    edit(data_copy / EVENTS_FILE, "text: kellogg-lukashenko-minsk.txt", f"text: {escape}")
    c = corpus.load(data_copy)
    assert any(
        re.match(
            rf"{re.escape(EVENTS_FILE)}:\d+: record {ARTICLE}: text: text file '{re.escape(escape)}' is outside the data folder",
            m,
        )
        for m in messages(c)
    ), messages(c)
    assert ARTICLE not in c.texts
    assert all("secret" not in t for t in c.texts.values())


def test_a_symlink_inside_the_data_folder_is_still_read(data_copy: Path) -> None:
    os.symlink("kellogg-lukashenko-minsk.txt", data_copy / "articles" / "alias.txt")
    edit(data_copy / EVENTS_FILE, "text: kellogg-lukashenko-minsk.txt", "text: alias.txt")
    c = corpus.load(data_copy)
    assert not c.errors
    assert len(c.events) == 22


def test_a_yaml_syntax_error_says_how_many_records_the_file_held(data_copy: Path) -> None:
    path = data_copy / "actors.yaml"
    held = len(re.findall(r"^\s*- (?:\{\s*)?id:", path.read_text(encoding="utf-8"), re.M))
    assert held > 3
    edit(path, "\n", "\n  - [unclosed\n")
    c = corpus.load(data_copy)
    yaml_errors = [m for m in messages(c) if m.startswith("actors.yaml")]
    assert len(yaml_errors) == 1
    assert f"none of its {held} records loaded" in yaml_errors[0], yaml_errors
    assert "1 file not read" in c.skipped_summary()
    # Every other file still loads: the places and the article are all there.
    assert {"minsk", "kyiv", "moscow", "washington"} <= set(c.places)
    assert ARTICLE in c.articles
