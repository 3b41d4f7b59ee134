"""An editor's review of a draft, as plain data: the proposals as an editable table, the edits
applied and checked against the data model, and (where a deployment allows it) the files written.

The Add article page is a thin layer over this; nothing here imports Streamlit.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from dashboard.drafting import Draft, Proposal
from dashboard.model import Event

# The deployment setting that lets the Add article page write into the data folder.
WRITE_SETTING = "CONTACT_ATLAS_DRAFTS_WRITE"
DRAFTS_FOLDER = "articles/drafts"
COLUMNS = ["keep", "id", "kind", "date", "until", "place", "origin", "participants", "summary", "attribution",
           "certainty", "quote", "note"]  # fmt: skip


def writes_enabled() -> bool:
    """Whether this deployment lets the page save drafts into its data folder (off unless set to 1)."""
    return os.environ.get(WRITE_SETTING, "").strip().lower() in {"1", "true", "yes"}


def table(d: Draft) -> pd.DataFrame:
    """One row a proposal, every field as text the editor can change (the quote stays as found)."""
    rows = [
        {
            "keep": True, "id": e.id, "kind": e.kind, "date": e.date, "until": e.until or "",
            "place": e.place or "", "origin": e.origin or "",
            "participants": ", ".join(_actor_text(p) for p in e.participants),
            "summary": e.summary, "attribution": e.attribution, "certainty": e.certainty,
            "quote": " … ".join(s["quote"] for s in e.sources), "note": e.note,
        }
        for e in d.events
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _actor_text(p: dict[str, str]) -> str:
    return p["actor"] + (f" ({p['role']})" if p.get("role") else "")


def _participants(text: str) -> list[dict[str, str]]:
    out = []
    for item in (x.strip() for x in str(text).split(",")):
        if not item:
            continue
        actor, _, role = item.partition("(")
        rec = {"actor": actor.strip()}
        if role.strip(" )"):
            rec["role"] = role.strip(" )")
        out.append(rec)
    return out


def apply(
    d: Draft, edited: pd.DataFrame, known_actors: set[str], known_places: set[str]
) -> tuple[Draft, set[str], list[str]]:
    """The draft with the editor's changes, the ids kept, and one problem line per bad field
    ("kellogg-meeting: date: …"), each checked as the loader would check it."""
    by_id = {e.id: e for e in d.events}
    actors = known_actors | {a["id"] for a in d.actors}
    places = known_places | {p["id"] for p in d.places}
    events: list[Proposal] = []
    keep: set[str] = set()
    problems: list[str] = []
    for row in edited.to_dict("records"):
        e = by_id.get(row["id"])
        if e is None:
            continue
        text = {
            k: ("" if row[k] is None or row[k] != row[k] else str(row[k]).strip())
            for k in COLUMNS
            if k != "keep"
        }
        new = replace(
            e, kind=text["kind"], date=text["date"] or "unknown", until=text["until"] or None,
            place=text["place"] or None, origin=text["origin"] or None,
            participants=_participants(text["participants"]), summary=text["summary"],
            attribution=text["attribution"], certainty=text["certainty"],
        )  # fmt: skip
        events.append(new)
        if not bool(row["keep"]):
            continue
        keep.add(new.id)
        rec = {
            "id": new.id, "kind": new.kind, "summary": new.summary, "date": new.date, "until": new.until,
            "participants": new.participants, "place": new.place, "origin": new.origin,
            "sources": [{"quote": s["quote"]} for s in new.sources], "attribution": new.attribution,
            "certainty": new.certainty, "note": new.note, "status": "draft",
        }  # fmt: skip
        try:
            Event.model_validate({k: v for k, v in rec.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(x) for x in err["loc"]) or "record"
                problems.append(f"{new.id}: {where}: {err['msg'].removeprefix('Value error, ')}")
        for i, p in enumerate(new.participants):
            if p["actor"] not in actors:
                problems.append(f"{new.id}: participants[{i}].actor: unknown actor {p['actor']!r}")
        for fld in ("place", "origin"):
            ref = getattr(new, fld)
            if ref and ref not in places:
                problems.append(f"{new.id}: {fld}: unknown place {ref!r}")
    return replace(d, events=events), keep, problems


def save(d: Draft, root: Path, keep: set[str]) -> tuple[Path, Path]:
    """Write the draft's YAML and text into the data folder's drafts folder; never over a file."""
    folder = Path(root) / DRAFTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    yaml_path, text_path = folder / f"{d.article_id}.yaml", folder / f"{d.article_id}.txt"
    for path in (yaml_path, text_path):
        if path.exists():
            raise FileExistsError(f"{path.relative_to(root)} exists already; give the article another id")
    with text_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(d.text)
    tmp = yaml_path.with_suffix(".yaml.partial")
    tmp.write_text(d.to_yaml(text_path.name, keep), encoding="utf-8")
    tmp.rename(yaml_path)  # the YAML last, whole: the loader never sees a draft without its text
    return yaml_path, text_path
