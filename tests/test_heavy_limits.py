"""The heavy-work limiter: a process-wide bound on concurrent jobs and one job per session."""

from __future__ import annotations

import threading
import time

import pytest

from ui.heavy import SESSION_FLAG, Busy, Limiter, session_job


def test_never_more_than_limit_jobs_run_at_once():
    lim = Limiter(limit=2, wait=10)
    inside, peak, lock = 0, 0, threading.Lock()

    def work() -> None:
        nonlocal inside, peak
        with lim.slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2 and lim.peak == 2
    assert lim.running == 0 and lim.waiting == 0


def test_a_full_limiter_gives_up_after_the_bounded_wait_and_reports_progress():
    lim = Limiter(limit=1, wait=0.6)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lim.slot():
            holding.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(5)
    seen = []
    t0 = time.monotonic()
    with pytest.raises(Busy, match="stayed busy"):
        with lim.slot(on_wait=lambda waited, ahead: seen.append((waited, ahead))):
            pass
    assert 0.5 <= time.monotonic() - t0 < 3
    assert seen and seen[0][1] == 1          # first in the queue behind the holder
    with pytest.raises(Busy, match="session ended"):
        with lim.slot(wait=5, should_stop=lambda: True):
            pass
    release.set()
    t.join()
    with lim.slot(wait=0.1):                 # free again
        assert lim.running == 1
    assert lim.running == 0


def test_waiting_jobs_are_served_first_come_first_served():
    lim = Limiter(limit=1, wait=10)
    order: list[int] = []
    gate = threading.Event()

    def hold() -> None:
        with lim.slot():
            gate.wait(5)

    def work(i: int) -> None:
        with lim.slot():
            order.append(i)

    holder = threading.Thread(target=hold)
    holder.start()
    while lim.running == 0:
        time.sleep(0.01)
    threads = []
    for i in range(5):
        threads.append(threading.Thread(target=work, args=(i,)))
        threads[-1].start()
        while lim.waiting < i + 1:           # queue them in a known order
            time.sleep(0.01)
    gate.set()
    for t in [holder, *threads]:
        t.join()
    assert order == [0, 1, 2, 3, 4]


def test_slots_are_reentrant_in_one_thread():
    lim = Limiter(limit=1, wait=0.2)
    with lim.slot():
        with lim.slot():                     # a cached call inside a cached call must not deadlock
            assert lim.running == 1
    assert lim.running == 0


def test_a_slot_is_released_when_the_job_fails():
    lim = Limiter(limit=1, wait=0.2)
    with pytest.raises(ZeroDivisionError):
        with lim.slot():
            1 / 0
    with lim.slot():
        assert lim.running == 1


def _run_holding(state: dict, name: str, until: threading.Event | None = None, seconds: float = 5.0):
    """Another run of the session, in a thread, holding its job mark until ``until`` is set or ``seconds`` pass."""
    started = threading.Event()

    def run() -> None:
        with session_job(state, name):
            started.set()
            (until or threading.Event()).wait(seconds)

    t = threading.Thread(target=run)
    t.start()
    started.wait(5)
    return t


def test_one_job_in_flight_per_session():
    state: dict = {}
    finish = threading.Event()
    t = _run_holding(state, "melody generation", until=finish)
    assert state[SESSION_FLAG][1] == "melody generation"
    with pytest.raises(Busy, match="still busy with a melody generation"):
        with session_job(state, "melody generation", grace=0.2):
            pytest.fail("a second job of the same session started")
    other_session: dict = {}
    with session_job(other_session, "tagging", grace=0.2):   # other sessions are not blocked
        assert other_session[SESSION_FLAG][1] == "tagging"
    assert SESSION_FLAG not in other_session
    finish.set()
    t.join()
    assert SESSION_FLAG not in state
    with session_job(state, "tagging", grace=0.2):
        with session_job(state, "tagging", grace=0.2):        # re-entrant in the same run
            pass
        assert SESSION_FLAG in state
    assert SESSION_FLAG not in state


def test_a_new_run_waits_for_the_sessions_previous_job_and_says_so():
    state: dict = {}
    t = _run_holding(state, "timing run", seconds=1.6)   # a stopped run whose computation goes on for 1.6 s
    told: list[tuple[float, str]] = []
    t0 = time.monotonic()
    with session_job(state, "timing run", grace=10, on_wait=lambda waited, name: told.append((waited, name))):
        waited = time.monotonic() - t0
        assert state[SESSION_FLAG][0] == threading.get_ident()
    t.join()
    assert 1.0 < waited < 5 and told and all(w >= 1.0 and name == "timing run" for w, name in told)
    assert SESSION_FLAG not in state


def test_a_mark_left_by_a_dead_thread_is_ignored():
    state: dict = {}
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    state[SESSION_FLAG] = (t.ident, "live training")
    with session_job(state, "tagging", grace=0.1):
        assert state[SESSION_FLAG][1] == "tagging"


def test_busy_is_shown_as_a_message_on_the_page():
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import threading as th

        import streamlit as st

        from ui import heavy

        st.session_state[heavy.SESSION_FLAG] = (th.main_thread().ident, "live training")
        usual, heavy.SESSION_WAIT = heavy.SESSION_WAIT, 1.5   # wait this long for the previous job, then give up
        try:
            with heavy.job("tagging"):
                st.write("computed")
            st.write("after")
        finally:
            heavy.SESSION_WAIT = usual

    at = AppTest.from_function(page).run(timeout=30)
    assert not at.exception
    assert [m.value for m in at.markdown] == []
    assert "Busy, try again in a moment" in at.info[0].value and "live training" in at.info[0].value


def test_the_page_waits_for_the_sessions_previous_job_then_draws_without_a_note():
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import threading as th
        import time as tm

        import streamlit as st

        from ui import heavy

        if "_prev" not in st.session_state:   # a previous run of this session, still computing for 1.5 s
            holder = th.Thread(target=tm.sleep, args=(1.5,), daemon=True)
            holder.start()
            st.session_state["_prev"] = True
            st.session_state[heavy.SESSION_FLAG] = (holder.ident, "timing run")
        with heavy.job("timing run"):
            st.write("computed")

    at = AppTest.from_function(page).run(timeout=30)
    assert not at.exception
    assert [m.value for m in at.markdown] == ["computed"] and not at.info
