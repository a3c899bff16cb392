"""A class of N students at once: every page's heavy action, peak server memory.

    python benchmarks/classroom_load.py [--sessions 30] [--timeout 1200] [--page-timeout 420]

Starts ``streamlit run app.py`` on a free 127.0.0.1 port (``harness.server``) and
drives ``--sessions`` concurrent students over Streamlit's own websocket protocol
(``harness.client``: what the frontend sends and receives, without a browser).
Each student is one app session that opens the home page and then every lesson, with
inputs that make the page do its heavy work for that student (their own melody seed,
sentence, gradient seed, …; see ``visits``), drags two sliders on the gradients page (a
rerun each), presses **Train** on the long-term page,
presses ▶ on the melody (fetches its MP3, rendered on that request), and waits for each run to
finish. ``--new-session-per-page`` opens every lesson in a new session instead (a
student opening each lesson from a link in a new tab: more sessions for the server to keep).

Reported: errors (an exception box on the page, a missing result, a timeout or a broken
connection; must be 0), "busy" answers from the heavy-job limiter, the p50 / p95 / max
time from asking for a page to its finished run, and the server's peak RSS (the
``VmHWM`` of the streamlit process and any children, read from ``/proc``). Exit code 1
when there were errors or the peak RSS is above ``--max-rss-mb``.

Why the protocol and not 30 Chromium tabs: on a 2-core machine 30 browsers take most of
the CPU from the server they are meant to load, so the figures would measure Chromium.
The browser test (``tests/test_browser.py``) checks separately that every page renders
in a real browser.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.client import AppSession  # noqa: E402
from harness.server import streamlit_server  # noqa: E402

VERBOSE = False
#: The server's pid while a run is on (per-page RSS after each page of student 0's tour).
SERVER_PID: int | None = None
BUSY = "Busy, try again in a moment"  # ui.heavy's message when no slot became free
TRAIN_STEPS = 250  # the smallest choice on the long-term page

NER_TEXTS = ["Angela Merkel met Emmanuel Macron in Paris on Monday.",
             "Apple Inc. is looking at buying UK startup for $1 billion.",
             "Shares of Toyota rose 3 percent in Tokyo last week.",
             "The Golden Gate Bridge in San Francisco was closed at 10 a.m."]
REVIEWS = ["The battery is great, not bad at all.", "Bad, not good: the screen broke after a week.",
           "Cheap and cheerful, does the job.", "Terrible support, but the sound is lovely."]
ENGLISH = ["I like green apples.", "We will go to the beach tomorrow.", "She doesn't want to eat alone.",
           "Where is the train station?", "This is a French book.", "My brother is taller than me."]


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    done: tuple[str, str]        # (element type, text it contains) that must be on the finished page
    click: str | None = None     # label of a button to press once the page has finished
    slide: tuple[tuple[str, float], ...] = ()   # sliders to move, one rerun each, before the click


def visits(i: int) -> list[Visit]:
    """Student ``i``'s tour: inputs differ per student wherever the page caches by input."""
    return [
        Visit("home", "", ("page_link", "")),
        Visit("rnn_types", "rnn_types?rt_step=3", ("plotly_chart", "")),
        Visit("music", f"music?mus_len=128&mus_seed={1000 + i}", ("html", "_unrolled/melody/")),
        Visit("sentiment", "sentiment?sen_text=" + quote(f"{REVIEWS[i % len(REVIEWS)]} Student {i} says so."),
              ("plotly_chart", "")),
        Visit("ner", "ner?ner_text=" + quote(f"{NER_TEXTS[i % len(NER_TEXTS)]} Student {i} read it."),
              ("markdown", 'class="ner-ent"')),
        Visit("translation", "translation?tr_beam=5&tr_en=" + quote(ENGLISH[i % len(ENGLISH)].replace(".", f" {i}.")),
              ("plotly_chart", "")),
        Visit("gradients", f"gradients?grad_seed={i}&grad_cseed={i % 100}", ("metric", "499 steps back"),
              slide=(("Sequence length T", 500), ("Recurrent weight scale", 1.1))),
        Visit("long_term", f"long_term?lt_lag=40&lt_steps={TRAIN_STEPS}&lt_seed={i % 100}",
              ("progress", f"finished all {TRAIN_STEPS} steps"), click="Train RNN, LSTM and GRU"),
        Visit("parallelism", "parallelism", ("plotly_chart", "")),
    ]


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)
    rss_after: dict[str, tuple[float, float]] = field(default_factory=dict)   # student 0: (RSS, VmHWM) after each page


def fetch(url: str) -> int:
    """GET ``url``; the number of bytes (raises on an HTTP error)."""
    with urllib.request.urlopen(url, timeout=60) as r:
        return len(r.read())


async def visit(s: AppSession, v: Visit, base: str, page_timeout: float) -> tuple[float, bool]:
    """Open one page (and press its button); returns (seconds, busy). Raises on an error."""
    t0 = time.monotonic()
    await s.open(v.path, page_timeout)
    for label, value in v.slide:
        if not s.has("", BUSY) and not s.has("exception"):
            await s.slide(label, value, page_timeout - (time.monotonic() - t0))
    if v.click and not s.has("", BUSY) and not s.has("exception"):
        await s.click(v.click, page_timeout - (time.monotonic() - t0))
    player = next((d.text for d in s.elements.values() if d.kind == "html" and "_unrolled/melody/" in d.text), "")
    if player:   # every student presses ▶: the server renders the MP3 on that request (ui.melody_audio)
        src = re.search(r'src="([^"]+)"', player)
        await asyncio.to_thread(fetch, f"{base}/{src.group(1)}")
    elapsed = time.monotonic() - t0
    errors = [d.text for d in s.elements.values() if d.kind == "exception"]
    if errors:
        raise RuntimeError(f"exception box: {errors[0][:300]}")
    if s.page_not_found:
        raise RuntimeError("page not found")
    busy = s.has("", BUSY)
    if not busy and not s.has(*v.done):
        raise RuntimeError(f"finished without a {v.done[0]} element containing {v.done[1]!r}")
    return elapsed, busy


async def student(i: int, base: str, res: Results, page_timeout: float, start_delay: float,
                  new_session_per_page: bool) -> None:
    await asyncio.sleep(start_delay)
    tour = visits(i)
    groups = [[v] for v in tour] if new_session_per_page else [tour]
    for group in groups:
        try:
            async with AppSession(base) as s:
                for v in group:
                    try:
                        elapsed, busy = await visit(s, v, base, page_timeout)
                    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
                        res.errors.append(f"student {i}, {v.name}: {type(exc).__name__}: "
                                          f"{str(exc).splitlines()[0][:300] if str(exc) else ''}")
                        if VERBOSE:
                            print(f"{time.strftime('%H:%M:%S')} student {i} {v.name}: ERROR {exc}", file=sys.stderr)
                        continue
                    if i == 0 and SERVER_PID is not None:
                        res.rss_after.setdefault(v.name, memory_mb(SERVER_PID))
                    if busy:
                        res.busy[v.name] = res.busy.get(v.name, 0) + 1
                    else:
                        res.times.setdefault(v.name, []).append(elapsed)
                    if VERBOSE:
                        print(f"{time.strftime('%H:%M:%S')} student {i} {v.name}: {elapsed:.1f} s"
                              f"{' BUSY' if busy else ''}", file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - a lost connection ends this student's tour
            res.errors.append(f"student {i}: connection: {type(exc).__name__}: {exc}")


def server_pid(url: str) -> int | None:
    """The streamlit process listening on ``url``'s port (found by its command line)."""
    port = str(urlparse(url).port)
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                args = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(args) and port.encode() in args:
                return int(d.name)
    return None


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS = VmHWM) in MB summed over the process tree."""
    rss = hwm = 0.0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1]) / 1024
        except OSError:
            pass
    return rss, hwm


class MemoryWatch(threading.Thread):
    """Samples the server tree's memory every half second (children may come and go)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_hwm, self.stop = pid, 0.0, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss, hwm = memory_mb(self.pid)
            self.peak_rss, self.peak_hwm = max(self.peak_rss, rss), max(self.peak_hwm, hwm)
            self.stop.wait(0.5)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


async def drive(url: str, sessions: int, page_timeout: float, ramp: float, res: Results,
                new_session_per_page: bool) -> None:
    await asyncio.gather(*(student(i, url, res, page_timeout, i * ramp, new_session_per_page) for i in range(sessions)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30, help="concurrent students (1–60, default 30)")
    ap.add_argument("--timeout", type=float, default=1200, help="stop everything after this many seconds")
    ap.add_argument("--page-timeout", type=float, default=420, help="give up on one page after this many seconds")
    ap.add_argument("--ramp", type=float, default=0.0, help="seconds between two students' first page (default 0)")
    ap.add_argument("--log", type=Path, default=Path("/tmp/classroom_load_server.log"), help="server output")
    ap.add_argument("--new-session-per-page", action="store_true",
                    help="open every lesson in a new app session (like opening links in new tabs)")
    ap.add_argument("--verbose", action="store_true", help="print every finished page")
    ap.add_argument("--max-rss-mb", type=float, default=900, help="fail above this server peak RSS (default 900)")
    args = ap.parse_args(argv)
    global VERBOSE
    VERBOSE = args.verbose
    if not 1 <= args.sessions <= 60:
        ap.error("--sessions must be between 1 and 60")
    t0 = time.monotonic()
    with streamlit_server(log=args.log) as url:
        pid = server_pid(url)
        if pid is None:
            print("error: could not find the streamlit process", file=sys.stderr)
            return 1
        global SERVER_PID
        SERVER_PID = pid
        idle_rss, _ = memory_mb(pid)
        watch = MemoryWatch(pid)
        watch.start()
        res = Results()
        try:
            asyncio.run(asyncio.wait_for(drive(url, args.sessions, args.page_timeout, args.ramp, res,
                                              args.new_session_per_page), args.timeout))
        except TimeoutError:
            res.errors.append(f"the whole run exceeded --timeout {args.timeout:.0f} s")
        end_rss, hwm = memory_mb(pid)
        watch.stop.set()
        watch.join()
        hwm = max(hwm, watch.peak_hwm)
    wall = time.monotonic() - t0
    names = [v.name for v in visits(0)]
    print(f"\n{args.sessions} concurrent students over the websocket protocol "
          f"({'a new session per page' if args.new_session_per_page else 'one session each'}), server on 127.0.0.1, "
          f"{os.cpu_count()} CPU cores, UNROLLED_HEAVY_JOBS={os.environ.get('UNROLLED_HEAVY_JOBS', '2')}; "
          f"wall time {wall:.0f} s\n")
    print("| page | heavy action | finished | busy | p50 (s) | p95 (s) | max (s) | RSS / peak after (MB)¹ |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    action = {"home": "—", "rnn_types": "toy RNN", "music": "128-event melody + audio file",
              "sentiment": "read a review (GRU + bag of words)", "ner": "tag a sentence (both taggers)",
              "translation": "beam search, width 5",
              "gradients": "slide T to 500, then ρ to 1.1", "long_term": f"live training, {TRAIN_STEPS} steps",
              "parallelism": "layer timing (shared cache)"}
    for n in names:
        t = res.times.get(n, [])
        cells = (f"{statistics.median(t):.1f} | {pct(t, 0.95):.1f} | {max(t):.1f}" if t else "– | – | –")
        mem = res.rss_after.get(n)
        mem_cell = f"{mem[0]:.0f} / {mem[1]:.0f}" if mem else "–"
        print(f"| {n} | {action[n]} | {len(t)}/{args.sessions} | {res.busy.get(n, 0)} | {cells} | {mem_cell} |")
    print(f"\nErrors: {len(res.errors)}. Busy answers: {sum(res.busy.values())}. Server RSS: {idle_rss:.0f} MB idle, "
          f"peak {hwm:.0f} MB (VmHWM), {end_rss:.0f} MB at the end.")
    print("¹ the server's RSS and VmHWM just after student 0 finished the page (with more students, "
          "others' work is in it too).")
    for e in res.errors[:20]:
        print("  -", e)
    ok = not res.errors and hwm <= args.max_rss_mb
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
