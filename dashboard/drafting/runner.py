"""Drafting in a child process, with a wall-clock and a memory limit, for a server that must keep
answering its other readers whatever text one of them pastes.

`draft_limited(...)` runs `drafting.draft` in a process of its own (started from a fork server, so
it does not copy the server's threads), capped with `RLIMIT_AS` at `memory_mb` above what the
process holds when it starts and at `seconds` of wall-clock time; past either it is stopped and a
`DraftError` says which limit was hit. Nothing here imports Streamlit.
"""

from __future__ import annotations

import errno
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from dashboard.drafting import Draft, DraftError, Meta

SECONDS = 30.0
MEMORY_MB = 1024
START_SECONDS = 120.0  # a fresh fork server first reads the drafter and the gazetteer's index

_CONTEXT: Any = None


def _context() -> Any:
    """The fork server's context; it imports the drafter once, and every child forks from it."""
    global _CONTEXT  # noqa: PLW0603 - one fork server a process
    if _CONTEXT is None:
        ctx = multiprocessing.get_context("forkserver")
        # "__main__": the server's main module is read once here rather than by every child.
        ctx.set_forkserver_preload(["__main__", "dashboard.drafting._preload"])
        _CONTEXT = ctx
    return _CONTEXT


def warm() -> None:
    """Read what every draft needs once, in the fork server, so that each child starts with it."""
    from dashboard import drafting  # noqa: PLC0415

    # One draft touches every module a draft reads lazily (the splitter, the gazetteer and its
    # index, the slug, the name matchers), so that no child imports under its memory limit.
    drafting.draft(
        "Foreign Minister Anna Berg met President John Smith in Minsk on 3 January.\n"
        "— Test Wire (@wire) June 21, 2025",
        Meta(title="Warm", publisher="Warm", published=date(2025, 6, 21)),
        {},
        {},
        today=date(2025, 6, 21),
    )


def _address_space() -> int:
    """Bytes of virtual memory this process holds now (/proc/self/statm, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(conn: multiprocessing.connection.Connection, memory_mb: int, job: dict[str, Any]) -> None:
    import resource  # noqa: PLC0415 - POSIX only

    from dashboard import drafting  # noqa: PLC0415

    try:
        cap = _address_space() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        conn.send(("started", None))
        d = drafting.draft(**job)
        conn.send(("ok", d))
    except DraftError as exc:
        conn.send(("refused", str(exc)))
    except MemoryError:
        conn.send(("memory", ""))
    except BaseException as exc:  # told to the parent, which raises it as a DraftError
        out_of_memory = getattr(exc, "errno", None) == errno.ENOMEM or "failed to map" in str(exc)
        conn.send(("memory", "") if out_of_memory else ("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def draft_limited(
    text: str,
    meta: Meta,
    actors: Mapping[str, Any],
    places: Mapping[str, Any],
    *,
    taken_ids: set[str] | frozenset[str] = frozenset(),
    articles: set[str] | frozenset[str] = frozenset(),
    today: date | None = None,
    seconds: float | None = None,
    memory_mb: int | None = None,
) -> Draft:
    """`drafting.draft` in a child process; a `DraftError` when the text is refused, or when the
    child is stopped at a limit (the message names the limit). The limits default to SECONDS and
    MEMORY_MB."""
    seconds = SECONDS if seconds is None else seconds
    memory_mb = MEMORY_MB if memory_mb is None else memory_mb
    job = {"text": text, "meta": meta, "actors": dict(actors), "places": dict(places),
           "taken_ids": set(taken_ids), "articles": set(articles), "today": today}  # fmt: skip
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, memory_mb, job), daemon=True, name="contact-atlas-draft")
    proc.start()
    child.close()
    try:
        if not parent.poll(START_SECONDS):
            raise DraftError(f"Drafting could not start within {START_SECONDS:g} s; try again in a minute.")
        status, value = parent.recv()
        if status == "started":
            if not parent.poll(seconds):
                raise DraftError(
                    f"Drafting stopped after {seconds:g} s: this text takes longer to read than the page "
                    "allows. Shorten it, or draft it with `python -m dashboard draft`."
                )
            status, value = parent.recv()
    except EOFError:  # the child died without a word: killed at its memory limit, most likely
        proc.join(5)
        raise DraftError(
            f"Drafting stopped: the drafter ended abruptly (exit {proc.exitcode}), most likely at its "
            f"{memory_mb} MB memory limit. Shorten the text, or draft it with `python -m dashboard draft`."
        ) from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "ok":
        return value
    if status == "memory":
        raise DraftError(
            f"Drafting stopped: it needed more than its {memory_mb} MB of memory. Shorten the text, or "
            "draft it with `python -m dashboard draft`."
        )
    if status == "refused":
        raise DraftError(value)
    raise DraftError(f"Drafting failed: {value}")
