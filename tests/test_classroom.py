"""The server under a class's load, driven over Streamlit's own protocol (harness/client.py).

Checks the protocol client itself (so the load benchmark cannot silently rot), the heavy-job
rules that only show with several real sessions (a queue of live trainings leaves a slot for
quick work; a training stops when its tab closes), and runs the load benchmark with 2 students.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from harness.client import AppSession
from harness.server import streamlit_server
from ui.lessons import built_lessons

TRAIN = "Train RNN, LSTM and GRU"
LONG_RUN = "long_term?lt_lag=80&lt_steps=3000&lt_seed=7"   # runs into the page's time cap unless stopped


@pytest.fixture(scope="module")
def server() -> str:
    with streamlit_server() as url:
        yield url


def run(coro, timeout: float = 240):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def test_the_protocol_client_sees_the_home_page_and_every_lesson(server: str) -> None:
    async def tour() -> None:
        async with AppSession(server) as s:
            await s.open("")
            links = {d.text for d in s.elements.values() if d.kind == "page_link"}
            for lesson in built_lessons():
                assert any(lesson.title in text for text in links), (lesson.title, links)
            assert not s.has("exception")
            await s.open("rnn_types?rt_type=One-to-many")
            assert s.has("heading", "RNN types") and s.has("plotly_chart") and not s.has("exception")
            await s.open("gradients")
            assert s.has("metric", "(99 steps back)")
            await s.slide("Sequence length T", 200)                     # a student drags the slider
            assert s.has("metric", "(199 steps back)") and not s.has("exception")
            with pytest.raises(LookupError, match="no slider"):
                await s.slide("No such slider", 1)
            await s.open("no_such_page")
            assert s.page_not_found
            with pytest.raises(LookupError, match="no button"):
                await s.click("No such button")

    run(tour())


async def until(check, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while not check():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.2)
    return time.monotonic() - t0


def test_trainings_queue_for_one_slot_and_a_closed_tab_frees_it(server: str) -> None:
    async def scenario() -> None:
        async with AppSession(server) as a, AppSession(server) as b, AppSession(server) as quick:
            for s in (a, b):
                await s.open(LONG_RUN)
            first = asyncio.create_task(a.click(TRAIN, timeout=120))
            await until(lambda: a.has("progress", "step "), 60, "the first training starts")
            second = asyncio.create_task(b.click(TRAIN, timeout=120))
            await until(lambda: b.has("alert", "queue for live training"), 30, "the second training queues")
            # Two heavy slots, but trainings get one between them: quick work still runs at once.
            seconds = await quick.open("music?mus_len=64&mus_seed=4242", timeout=60)
            assert quick.has("html", "_unrolled/melody/") and not quick.has("", "Busy"), seconds
            assert not first.done() and b.has("alert", "queue for live training")
            # The first student closes the tab: their training stops and the queued one starts.
            first.cancel()
            await a.ws.close()
            waited = await until(lambda: b.has("progress", "step "), 20, "the queued training starts")
            assert waited < 20
            second.cancel()

    run(scenario())


def test_the_load_benchmark_passes_with_two_students(capsys) -> None:
    from benchmarks import classroom_load

    code = classroom_load.main(["--sessions", "2", "--timeout", "300"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Errors: 0." in out and "| long_term | live training, 250 steps | 2/2 |" in out
