"""Drafts never clash with the corpus: records that exist are reused or renamed, never redefined;
the review flags a clash; saving is atomic, never overwrites, records who saved it, and fails
cleanly on a full disk, a read-only folder and two editors saving at once; `draft --id` is a
checked slug and `--out` never overwrites."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import DATA, EDITOR, ROOT, editing, propose

from dashboard import drafting
from dashboard.drafting import review
from dashboard.model import Place
from dashboard.readers import corpus

SEED = corpus.load(DATA)
META = drafting.Meta(title="Belarus posts a reply", publisher="Test Wire", published=dt.date(2025, 6, 21))
POST = "Lukashenko met Kellogg in Minsk on 20 June.\n— belarus (@belarus) June 21, 2025\n"


def existing(c: corpus.Corpus) -> review.Existing:
    return review.Existing(c.actors, c.places, frozenset(c.events["id"]), frozenset(c.articles))


def seed_draft(text: str = POST, meta: drafting.Meta = META) -> drafting.Draft:
    return drafting.draft(
        text, meta, SEED.actors, SEED.places, taken_ids=set(SEED.events["id"]), articles=set(SEED.articles),
        today=dt.date(2026, 1, 1),
    )  # fmt: skip


def kept(d: drafting.Draft) -> set[str]:
    return {e.id for e in d.events}


# --- reuse, rename, flag -------------------------------------------------------------------------


def test_a_post_signed_with_an_existing_actor_s_name_in_another_case_reuses_it(data_copy: Path) -> None:
    d = seed_draft()
    assert "belarus" not in {a["id"] for a in d.actors}, d.actors  # before: a second `belarus`
    report = d.events[-1]
    assert report.kind == "report"
    assert report.participants[0] == {"actor": "belarus", "role": "publisher"}
    assert review.collisions(d, kept(d), existing(SEED)) == []
    review.save(d, data_copy, kept(d), saved_by="editor@example.org", existing=existing(SEED))
    after = corpus.load(data_copy)
    assert not after.errors, after.problems
    assert len(after.events[after.events["article"] == "kellogg-lukashenko-minsk"]) == 22


@pytest.mark.parametrize("signed", ["Bélarus (@belarus2)", "BELARÚS (@belarus)", "Be\u0301larus (@b)"])
def test_a_post_signed_with_an_existing_actor_s_name_with_accents_reuses_it(signed: str) -> None:
    d = seed_draft(POST.replace("belarus (@belarus)", signed))
    assert d.actors == [], d.actors  # before: a new `belarus-2` named "Bélarus" beside `belarus`
    assert d.events[-1].participants[0] == {"actor": "belarus", "role": "publisher"}


def test_a_new_record_whose_id_exists_for_something_else_gets_a_free_id() -> None:
    places = {"romania": Place(id="romania", name="Romania Street", kind="site", country="MDA")}
    d = drafting.draft(
        "Lukashenko visited Romania on 3 January.", META, SEED.actors, places, today=dt.date(2026, 1, 1)
    )
    (e,) = d.events
    assert e.place == "romania-2"
    assert [p["id"] for p in d.places] == ["romania-2"]


def test_the_review_flags_every_record_the_data_folder_already_has() -> None:
    d = seed_draft()
    a = d.actors[0] if d.actors else None
    assert a is None or a["id"] != "belarus"
    # What a stale draft holds once the data folder has changed under it: the same ids, and a new
    # actor named like an existing one in another case.
    d.actors.append({"id": "belarus", "name": "Belarus Today", "kind": "media"})
    d.actors.append({"id": "kellogg-2", "name": "KEITH KELLOGG", "kind": "person"})
    d.events[0].participants.append({"actor": "belarus"})
    d.events[0].participants.append({"actor": "kellogg-2"})
    first = d.events[0].id
    taken = review.Existing(SEED.actors, SEED.places, frozenset({first}), frozenset({d.article_id}))
    lines = review.collisions(d, kept(d), taken)
    assert f"article {d.article_id}: the data folder has an article with this id" in lines
    assert f"event {first}: the data folder has an event with this id" in lines
    assert any(
        x.startswith("actor belarus (“Belarus Today”): the data folder has actor belarus") for x in lines
    )
    assert any(
        x.startswith("actor kellogg-2 (“KEITH KELLOGG”)") and "use keith-kellogg" in x for x in lines
    ), lines
    with pytest.raises(review.SaveError, match="not saved: article"):
        review.save(d, Path("/nonexistent-never-written"), kept(d), saved_by="x", existing=taken)


# --- saving ----------------------------------------------------------------------------------------


def test_a_saved_draft_records_who_saved_it_and_when_and_the_loader_accepts_it(data_copy: Path) -> None:
    d = seed_draft()
    when = dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.UTC)
    y, t = review.save(d, data_copy, kept(d), saved_by="editor@example.org", now=when)
    doc = yaml.safe_load(y.read_text(encoding="utf-8"))
    assert doc["articles"][0]["saved_by"] == "editor@example.org"
    assert doc["articles"][0]["saved_at"] == "2026-12-06T22:00:00Z"
    c = corpus.load(data_copy)
    assert not c.errors, c.problems
    assert c.articles[d.article_id].saved_by == "editor@example.org"
    assert c.articles[d.article_id].saved_at == when
    assert sorted(p.name for p in y.parent.iterdir()) == sorted([y.name, t.name])  # no temporary left
    before = y.read_bytes()
    with pytest.raises(FileExistsError, match="exists already"):
        review.save(d, data_copy, kept(d), saved_by="someone else")
    assert y.read_bytes() == before


# Faults: each in a process of its own, in a mount namespace of its own (`unshare -m`), so that a
# small tmpfs or a read-only bind mount exists only for it.
SAVE_SCRIPT = textwrap.dedent(
    """
    import datetime as dt, json, sys
    from pathlib import Path
    from dashboard import drafting
    from dashboard.drafting import review
    meta = drafting.Meta(title="Fault", publisher="Test Wire", published=dt.date(2025, 6, 21))
    text = sys.stdin.read()
    d = drafting.draft(text, meta, {}, {}, today=dt.date(2026, 1, 1))
    root = Path(sys.argv[1])
    try:
        review.save(d, root, {e.id for e in d.events}, saved_by="fault test")
        out = {"saved": True}
    except OSError as exc:
        out = {"saved": False, "error": str(exc), "type": type(exc).__name__}
    folder = root / review.DRAFTS_FOLDER
    out["left"] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    print(json.dumps(out))
    """
)
FAULT_TEXT = "Foreign Minister Anna Berg met President John Smith on 3 January.\n"


def in_namespace(setup: str, root: Path, text: str) -> dict:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1)")
    cmd = f'{setup} && exec {sys.executable} -c "$SCRIPT" {root}'
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", cmd], input=text, cwd=ROOT, capture_output=True, text=True, timeout=180,
        env={"SCRIPT": SAVE_SCRIPT, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, check=False,
    )  # fmt: skip
    if proc.returncode != 0 and ("mount" in proc.stderr or "unshare" in proc.stderr):
        pytest.skip(f"cannot mount here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_full_disk_leaves_nothing_half_written_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    # A 64 KB tmpfs and a 200 KB text: the text cannot be written whole.
    big = FAULT_TEXT + ("The weather was mild. " * 10_000) + "\n"
    out = in_namespace(f"mount -t tmpfs -o size=64k tmpfs {root}", root, big)
    assert out["saved"] is False
    assert "the disk holding the data folder is full" in out["error"], out
    assert "nothing was written" in out["error"]
    assert out["left"] == [], out  # before: the text cut short and a `.yaml.partial` beside it


def test_a_read_only_data_folder_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    out = in_namespace(f"mount --bind {root} {root} && mount -o remount,bind,ro {root}", root, FAULT_TEXT)
    assert out["saved"] is False
    assert "the data folder is on a read-only file system" in out["error"], out
    assert not (root / "articles").exists()


def _save_in_process(root: str, text: str, title: str, barrier: multiprocessing.synchronize.Barrier) -> str:
    meta = drafting.Meta(title=title, publisher="Test Wire", published=dt.date(2025, 6, 21))
    d = drafting.draft(text, meta, {}, {}, today=dt.date(2026, 1, 1))
    barrier.wait(60)
    try:
        review.save(d, Path(root), {e.id for e in d.events}, saved_by=title)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "saved"


@pytest.mark.parametrize(
    ("titles", "clash"),
    [
        (("Same article", "Same article"), "exists already"),  # the same id twice
        (("One article", "Another article"), "actor anna-berg: articles/drafts/"),  # the same new actor
    ],
)
def test_two_editors_saving_at_once_never_leave_a_clash_for_the_loader(
    titles: tuple[str, str], clash: str, tmp_path: Path
) -> None:
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(2)
        with ctx.Pool(2) as pool:
            results = pool.starmap(
                _save_in_process, [(str(tmp_path), FAULT_TEXT, t, barrier) for t in titles], chunksize=1
            )
    assert sorted(r == "saved" for r in results) == [False, True], results
    assert any(clash in r for r in results), results
    c = corpus.load(tmp_path)
    assert not c.errors, c.problems
    assert len(c.articles) == 1
    left = sorted(p.name for p in (tmp_path / review.DRAFTS_FOLDER).iterdir())
    assert all(not n.startswith(".") for n in left), left


# --- the command ---------------------------------------------------------------------------------


def _args(src: Path, data: Path, out: Path, *extra: str) -> list[str]:
    return ["draft", str(src), "--title", "Sandu meets Bolojan", "--publisher", "Test Wire",
            "--published", "2025-01-10", "--data", str(data), "--out", str(out), *extra]  # fmt: skip


@pytest.mark.parametrize("bad", ["../../x", "../escape", "Upper", "-lead", "a/b", "x" * 81, ""])
def test_draft_id_is_a_checked_slug(bad: str, data_copy: Path, tmp_path: Path, cli) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Lukashenko met Kellogg in Minsk.", encoding="utf-8")
    out = data_copy / "articles" / "new" / "a.yaml"
    r = cli(*_args(src, data_copy, out, f"--id={bad}"))
    assert r.code == 2
    assert "argument --id" in r.err
    assert "is not an id" in r.err
    assert not out.exists()
    assert not (data_copy / "x.txt").exists()
    assert not (data_copy.parent / "x.txt").exists()


def test_draft_out_never_overwrites_an_article_or_its_text(data_copy: Path, tmp_path: Path, cli) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Lukashenko met Kellogg in Minsk.", encoding="utf-8")
    seed_yaml = data_copy / "articles" / "kellogg-lukashenko-minsk.yaml"
    before = seed_yaml.read_bytes()
    r = cli(*_args(src, data_copy, seed_yaml))
    assert r.code == 2
    assert f"{seed_yaml} exists" in r.err
    assert seed_yaml.read_bytes() == before  # before: 22 events became 1
    # The text beside it: an existing ID.txt is refused too, whatever it holds.
    beside = tmp_path / "out" / "given-id.txt"
    beside.parent.mkdir()
    beside.write_text("another text", encoding="utf-8")
    r = cli(*_args(src, data_copy, tmp_path / "out" / "new.yaml", "--id", "given-id"))
    assert r.code == 2
    assert f"{beside} exists" in r.err
    assert beside.read_text(encoding="utf-8") == "another text"
    assert not (tmp_path / "out" / "new.yaml").exists()
    assert corpus.load(data_copy).summary() == SEED.summary()


def test_draft_out_refuses_a_symlink_and_names_it(data_copy: Path, tmp_path: Path, cli) -> None:
    """A symlink at --out, even one pointing nowhere, is refused by its own name (before: the refusal
    named a hidden temporary file, `.link.yaml.….partial exists`), and nothing is written."""
    src = tmp_path / "a.txt"
    src.write_text("Lukashenko met Kellogg in Minsk.", encoding="utf-8")
    (tmp_path / "o").mkdir()
    link, target = tmp_path / "o" / "link.yaml", tmp_path / "nowhere" / "x.yaml"
    link.symlink_to(target)
    r = cli(*_args(src, data_copy, link, "--id", "zz"))
    assert r.code == 2
    assert f"error: {link} exists" in r.err
    assert ".partial" not in r.err
    assert not target.exists()
    assert sorted(p.name for p in link.parent.iterdir()) == ["link.yaml"]
    # Written at the last moment (a link made after the check), the refusal names the path too.
    with pytest.raises(FileExistsError) as exc:
        review.write_new(link, b"draft")
    assert exc.value.filename == str(link)
    assert sorted(p.name for p in link.parent.iterdir()) == ["link.yaml"]


# --- the page --------------------------------------------------------------------------------------


def test_the_page_saves_a_post_signed_belarus_without_losing_an_event(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415, TID251 - the page itself, as test_app.py

    monkeypatch.setenv("DASHBOARD_DATA", str(data_copy))
    monkeypatch.setenv(review.WRITE_SETTING, "1")
    at = editing(monkeypatch, AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120))
    propose(at, POST, "Belarus posts a reply", dt.date(2025, 6, 21))
    assert not at.exception, at.exception
    assert not at.warning, [w.value for w in at.warning]  # no clash to flag
    next(b for b in at.button if b.label == "Save to the data folder").click().run()
    assert not at.exception, at.exception
    assert any("Saved belarus-posts-a-reply.yaml" in s.value for s in at.success), [e.value for e in at.error]
    saved = data_copy / review.DRAFTS_FOLDER / "belarus-posts-a-reply.yaml"
    art = yaml.safe_load(saved.read_text(encoding="utf-8"))["articles"][0]
    assert art["saved_by"] == EDITOR["email"]  # who signed in to save it
    assert art["saved_at"].endswith("Z")
    c = corpus.load(data_copy)
    assert not c.errors, c.problems
    assert len(c.events[c.events["article"] == "kellogg-lukashenko-minsk"]) == 22
