"""Keep heavy work from piling up when a whole class uses the app at once.

Three limits, all cheap:

* **Process-wide slots** (:func:`slot`): at most ``UNROLLED_HEAVY_JOBS`` (default 2, one per core
  of a Community Cloud app) heavy computations run at the same time in the whole server process.
  Others queue, first come first served, for up to ``UNROLLED_HEAVY_WAIT`` seconds (default 90;
  live training ``UNROLLED_TRAINING_WAIT``, default 300) and then give up with :class:`Busy`. A thread
  that already holds a slot may take it again (nested cached calls never deadlock). Use it *inside*
  ``st.cache_data`` functions, so a cache hit never queues.
* **Long jobs leave room for quick ones**: live training (``job(..., take_slot=True)``) also queues
  for one of ``limit - 1`` training places (at least 1), so with the default 2 slots one slot is
  always free for quick work (a melody, a tagging) while a queue of trainings drains.
* **One in-flight job per session** (:func:`job`): while one script run of a session is in a heavy
  computation, another run of the same session (Streamlit starts a new one when a student changes a
  control before a stopped run has finished) waits for it, saying so, instead of starting a second
  computation; after ``UNROLLED_SESSION_WAIT`` seconds (default 60) it says "busy, try again".

:func:`job` is the page-side wrapper: it sets the session flag, optionally takes a slot itself
(for uncached work such as live training, showing the queue position while it waits), and turns
:class:`Busy` from anywhere inside it into an ``st.info`` plus ``st.stop()``. After each heavy job
the freed memory is handed back to the system (:mod:`ui.server_memory`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, MutableMapping

from ui.server_memory import release_free_memory

SESSION_FLAG = "_heavy_job"


def _env_number(name: str, default: float, lo: float, hi: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return min(max(value, lo), hi) if value == value else default


class Busy(RuntimeError):
    """No heavy slot became free in time, or this session already runs a heavy job."""


class Limiter:
    """A bounded, first-come-first-served, re-entrant (per thread) slot pool with a bounded wait."""

    def __init__(self, limit: int, wait: float) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = int(limit)
        self.wait = float(wait)
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()   # tickets of the jobs waiting, in arrival order
        self._local = threading.local()
        self.running = 0      # jobs holding a slot now
        self.peak = 0         # most jobs ever running at once

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextlib.contextmanager
    def slot(self, wait: float | None = None, on_wait: Callable[[float, int], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Iterator[None]:
        """Hold one slot for the block. Waits at most ``wait`` seconds (default: the limiter's),
        calling ``on_wait(seconds_waited, place_in_queue)`` about twice a second (outside the
        lock); raises :class:`Busy` when the time is up or ``should_stop()`` turns true."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        limit = self.wait if wait is None else wait
        start = time.monotonic()
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
        try:
            while True:
                with self._cond:
                    if self.running < self.limit and self._queue[0] is ticket:
                        self._queue.popleft()
                        self.running += 1
                        self.peak = max(self.peak, self.running)
                        self._cond.notify_all()
                        break
                    self._cond.wait(0.5)
                    place = self._queue.index(ticket) + 1
                waited = time.monotonic() - start
                if waited >= limit:
                    raise Busy(f"all {self.limit} heavy-job slots stayed busy for {limit:.0f} s")
                if should_stop is not None and should_stop():
                    raise Busy("the session ended while waiting")
                if on_wait is not None:
                    on_wait(waited, place)
        except BaseException:
            with self._cond:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                self._cond.notify_all()
            raise
        self._local.depth = 1
        try:
            yield
        finally:
            self._local.depth = 0
            with self._cond:
                self.running -= 1
                self._cond.notify_all()


LIMITER = Limiter(int(_env_number("UNROLLED_HEAVY_JOBS", 2, 1, 64)), _env_number("UNROLLED_HEAVY_WAIT", 90, 1, 3600))
#: Longer queue bound for live training (seconds): its page shows the place in the queue while waiting.
TRAINING_WAIT = _env_number("UNROLLED_TRAINING_WAIT", 300, 1, 3600)
#: Places for long uncached jobs (live training): one fewer than the slots, so quick work never waits for them.
TRAINING = Limiter(max(1, LIMITER.limit - 1), TRAINING_WAIT)
#: How long a new run of a session waits for the same session's previous heavy job (a stopped run whose
#: computation cannot be cut short) before it gives up with "busy".
SESSION_WAIT = _env_number("UNROLLED_SESSION_WAIT", 60, 0.5, 3600)


def _thread_alive(ident: int) -> bool:
    return any(t.ident == ident for t in threading.enumerate())


@contextlib.contextmanager
def session_job(state: MutableMapping, name: str = "heavy job", grace: float = 2.0,
                on_wait: Callable[[float, str], None] | None = None) -> Iterator[None]:
    """Mark ``state`` (a session's state) as running a heavy job for the block.

    If another live thread holds the mark, wait up to ``grace`` seconds for it, calling
    ``on_wait(seconds_waited, its job's name)`` about twice a second after the first second,
    then raise :class:`Busy`. A mark left by a thread that no longer exists is ignored.
    Re-entrant in the holding thread."""
    me = threading.get_ident()
    start = time.monotonic()
    told = 0.0
    while True:
        held = state.get(SESSION_FLAG)
        if not held or held[0] == me or not _thread_alive(held[0]):
            break
        waited = time.monotonic() - start
        if waited >= grace:
            raise Busy(f"this session is still busy with a {held[1]}")
        if on_wait is not None and waited >= 1.0 and waited - told >= 0.5:
            told = waited
            on_wait(waited, held[1])
        time.sleep(0.1)
    if held and held[0] == me:
        yield
        return
    state[SESSION_FLAG] = (me, name)
    try:
        yield
    finally:
        if (state.get(SESSION_FLAG) or (None,))[0] == me:
            state.pop(SESSION_FLAG, None)


def _stop_requested() -> bool:
    """Best effort: has Streamlit asked this script run to stop (e.g. the browser went away)?"""
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        requests = getattr(ctx, "script_requests", None)
        return getattr(requests, "_state", None) == ScriptRequestType.STOP
    except Exception:  # noqa: BLE001 - internals may move; then we simply wait out the bound
        return False


@contextlib.contextmanager
def slot(wait: float | None = None) -> Iterator[None]:
    """One process-wide heavy slot, for use inside cached functions (no Streamlit calls)."""
    try:
        with LIMITER.slot(wait, should_stop=_stop_requested):
            yield
    finally:
        release_free_memory()


@contextlib.contextmanager
def job(name: str, take_slot: bool = False, wait: float | None = None) -> Iterator[None]:
    """Page-side wrapper around a heavy action (see the module docstring)."""
    import streamlit as st

    note = st.empty()

    def finishing(waited: float, previous: str) -> None:
        # An st call while waiting: when the student changes a control again, this run stops here.
        note.info(f"⏳ Your previous {previous} is still running (a computation cannot be cut short); this view "
                  f"follows as soon as it ends ({waited:.0f} s so far)…")

    try:
        with session_job(st.session_state, name, grace=SESSION_WAIT, on_wait=finishing):
            note.empty()
            if not take_slot:
                yield
                return

            def show_queue(what: str, limit: int) -> Callable[[float, int], None]:
                def show(waited: float, place: int) -> None:
                    # An st call while waiting: a session that has gone away (or rerun) stops here.
                    note.info(f"⏳ The server is busy with other students' work: you are number {place} in the "
                              f"queue for {what} ({limit} at a time; {waited:.0f} s so far)…")
                return show

            start = time.monotonic()
            with TRAINING.slot(wait, on_wait=show_queue(name, TRAINING.limit)):
                left = (TRAINING.wait if wait is None else wait) - (time.monotonic() - start)
                with LIMITER.slot(max(left, 1.0), on_wait=show_queue("the server's heavy-job slots", LIMITER.limit)):
                    note.empty()
                    yield
    except Busy as exc:
        note.empty()
        st.info(f"⏳ Busy, try again in a moment: {exc}. Heavy work is limited to {LIMITER.limit} at a time "
                "on this server so that every student gets an answer.")
        st.stop()
    finally:
        if take_slot:
            release_free_memory()
