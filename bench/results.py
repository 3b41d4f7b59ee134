"""bench/RESULTS.md is written by several scripts, each owning one section between its markers."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def write_section(name: str, lines: list[str], path: Path = RESULTS) -> None:
    """Replace this script's section of RESULTS.md (or add it at the end), leaving the rest as it is."""
    begin, end = markers(name)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
