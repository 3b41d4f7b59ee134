"""An import that cannot write — a full disk (a small tmpfs), a file size limit — keeps nothing from
the run where the loader reads, leaves the folder's earlier imports as they were, says what
happened and exits non-zero."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_imports import ACLED_HEADER, ACLED_ROWS, GDELT_FILE, GOOD, KELLOGG, write_gdelt

from dashboard.readers import corpus

ROOT = Path(__file__).resolve().parents[1]


def many_rows(tmp_path: Path, n: int) -> Path:
    # Addresses that do not compress: the run's files outgrow the small disk.
    rows = [dict(KELLOGG, GLOBALEVENTID=1260000 + k,
                 SOURCEURL=f"https://news.example.org/{hashlib.sha256(str(k).encode()).hexdigest()}")
            for k in range(n)]  # fmt: skip
    return write_gdelt(tmp_path / "20250621121500.export.CSV", rows)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs (mounting needs root; elsewhere the test is skipped, the file size test stands)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], check=False,
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_full_disk_during_import_keeps_nothing_and_says_so(small_disk, tmp_path, cli) -> None:
    out = small_disk / "gdelt"
    first = cli("import", "gdelt", str(write_gdelt(tmp_path / GDELT_FILE, GOOD)), "--out", str(out))
    assert first.code == 0, first.err
    before = snapshot(out)
    r = cli("import", "gdelt", str(many_rows(tmp_path, 30_000)), "--out", str(out))
    assert r.code == 4
    assert r.err.startswith(
        f"error: cannot write in {out}: No space left on device; nothing from this run was kept"
    )
    assert r.out == ""  # no summary claiming events
    assert snapshot(out) == before  # no partial file, the earlier import untouched
    assert len(corpus.load(out).events) == len(GOOD)


def _file_size_limit(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("source", ["gdelt", "acled"])
def test_a_write_that_fails_midway_keeps_nothing_and_says_so(tmp_path, cli, source) -> None:
    out = tmp_path / "out"
    if source == "gdelt":
        src = many_rows(tmp_path, 30_000)
        assert (
            cli("import", "gdelt", str(write_gdelt(tmp_path / GDELT_FILE, GOOD)), "--out", str(out)).code == 0
        )
    else:
        src = tmp_path / "acled.csv"
        names = ACLED_HEADER.split(",")
        lines = [ACLED_HEADER]
        for k in range(20_000):
            row = list(ACLED_ROWS[k % 3])
            row[names.index("event_id_cnty")] = f"ROW{k}"
            row[names.index("notes")] = f"Event {k}: {hashlib.sha256(str(k).encode()).hexdigest()}"
            lines.append(",".join(f'"{v}"' for v in row))
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.mkdir()
    before = snapshot(out)
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "import", source, str(src), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        preexec_fn=lambda: _file_size_limit(64 << 10),
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert proc.stderr.startswith(
        f"error: cannot write in {out}: File too large; nothing from this run was kept"
    )
    assert snapshot(out) == before
