"""The gate that queues page runs beyond the server's cores: order, patience, the setting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import gate


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait, bounded in count and time, until `condition` holds."""
    for _ in range(2000):
        if condition():
            return
        threading.Event().wait(0.005)
    raise AssertionError(f"not {what} within 10 s")


def test_runs_beyond_the_limit_wait_and_are_let_in_in_order_of_arrival() -> None:
    g = gate.Gate(2)
    g.enter()
    g.enter()  # both places taken
    order: list[int] = []
    done = [threading.Event() for _ in range(5)]

    def run(i: int) -> None:
        with g.held(patience=10):
            order.append(i)
            done[i].wait(10)

    threads = []
    for i in range(5):
        threads.append(threading.Thread(target=run, args=(i,), daemon=True))
        threads[-1].start()
        wait_for(lambda n=i + 1: g.waiting == n, f"{i + 1} queued")  # each arrives after the one before
    assert order == []  # no one got past a full gate
    g.leave()
    wait_for(lambda: len(order) == 1, "one let in")
    g.leave()
    wait_for(lambda: len(order) == 2, "two let in")
    for i in range(5):  # each leaving run hands its place to the oldest waiting one
        assert order == list(range(min(i + 2, 5)))
        done[i].set()
        expected = min(i + 3, 5)
        wait_for(lambda n=expected: len(order) == n, "the next let in")
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2, 3, 4]
    assert g.waiting == 0
    g.enter(patience=0)  # every place is free again
    g.enter(patience=0)
    with pytest.raises(gate.Busy):
        g.enter(patience=0)


def test_a_run_that_runs_out_of_patience_leaves_the_queue_and_the_gate_whole() -> None:
    g = gate.Gate(1)
    g.enter()
    with pytest.raises(gate.Busy):
        g.enter(patience=0.05)
    assert g.waiting == 0  # gone from the queue: the next leave does not hand its place to no one
    g.leave()
    with g.held(patience=0) as waited:
        assert waited < 1
    with g.held(patience=0):
        pass


def test_a_run_still_waiting_after_a_moment_is_told_how_many_are_ahead() -> None:
    g = gate.Gate(1)
    g.enter()
    told: list[int] = []
    first = threading.Thread(target=lambda: g.enter(patience=10), daemon=True)
    first.start()
    wait_for(lambda: g.waiting == 1, "one queued")
    second = threading.Thread(
        target=lambda: g.enter(patience=10, notice=told.append, after=0.01), daemon=True
    )
    second.start()
    wait_for(lambda: bool(told), "told")  # after 10 ms
    assert told == [1]  # one run ahead of it in the queue
    g.leave()  # the first is let in
    first.join(10)
    g.leave()  # then the second
    second.join(10)
    assert told == [1]  # said once
    assert g.waiting == 0


def test_a_run_let_in_at_once_is_told_nothing() -> None:
    told: list[int] = []
    with gate.Gate(1).held(notice=told.append):
        pass
    assert told == []


@settings(max_examples=25, deadline=None)
@given(limit=st.integers(1, 3), runs=st.integers(1, 12))
def test_never_more_runs_inside_than_the_limit_and_every_run_gets_in(limit: int, runs: int) -> None:
    g = gate.Gate(limit)
    inside, most, done = [0], [0], []
    lock = threading.Lock()

    def run(i: int) -> None:
        with g.held(patience=10):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            threading.Event().wait(0.001)
            with lock:
                inside[0] -= 1
        done.append(i)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(done) == list(range(runs))
    assert most[0] <= limit
    assert g.waiting == 0


@pytest.mark.parametrize(
    ("value", "limit"),
    [("3", 3), (" 1 ", 1), ("1024", 1024)],
)
def test_the_setting_gives_the_count(value: str, limit: int) -> None:
    assert gate.limit_from({gate.VARIABLE: value}) == limit


def test_without_the_setting_one_run_a_core() -> None:
    assert gate.limit_from({}) >= 1


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", "1025", "9" * 40])
def test_a_bad_setting_is_named(value: str) -> None:
    with pytest.raises(ValueError, match=gate.VARIABLE):
        gate.limit_from({gate.VARIABLE: value})
    with pytest.raises(ValueError, match="at least one"):
        gate.Gate(0)


def test_the_shared_gate_follows_the_setting() -> None:
    g = gate.shared({gate.VARIABLE: "2"})
    assert g is gate.shared({gate.VARIABLE: "2"})
    assert gate.shared({gate.VARIABLE: "3"}).limit == 3


# --- the page behind the gate (AppTest runs the page in a thread of this process) --------------

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def test_a_reader_queued_behind_a_full_server_is_told_and_then_gets_the_whole_page(monkeypatch) -> None:
    monkeypatch.setenv(gate.VARIABLE, "1")
    g = gate.shared()
    g.enter()  # another reader's run holds the only place
    at = AppTest.from_file(APP, default_timeout=120)
    ran = threading.Thread(target=at.run, daemon=True)
    ran.start()
    try:
        wait_for(lambda: g.waiting == 1, "the page queued")
        ran.join(gate.NOTICE_AFTER + 0.5)
        assert ran.is_alive()  # still waiting: nothing ran past the gate
    finally:
        g.leave()
    ran.join(120)
    assert not ran.is_alive()
    assert not at.exception
    assert [t.value for t in at.toast] == ["Many readers at once: this view is drawn next."]
    assert len(at.sidebar.multiselect) >= 5  # then the whole page, filters and all
    assert g.waiting == 0
    with g.held(patience=0):  # and it gave its place back
        pass


def test_a_reader_who_waits_too_long_is_told_the_server_is_busy(monkeypatch) -> None:
    monkeypatch.setenv(gate.VARIABLE, "1")
    monkeypatch.setattr(gate, "PATIENCE", 0.2)
    g = gate.shared()
    g.enter()
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        g.leave()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "The server is busy with many readers: reload this page in a minute."
    ]
    assert not at.sidebar.multiselect  # no page drawn
    assert g.waiting == 0


def test_a_bad_setting_is_said_on_the_page(monkeypatch) -> None:
    monkeypatch.setenv(gate.VARIABLE, "lots")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "CONTACT_ATLAS_RUNS='lots' is not a count of page runs: give a whole number from 1 to 1024."
    ]
