"""A class of N students at once: every page's heavy action, peak server memory.

    python benchmarks/classroom_load.py [--sessions 30] [--timeout 1200] [--page-timeout 420]

Starts ``streamlit run app.py`` on a free 127.0.0.1 port (``tests.streamlit_server``) and
drives ``--sessions`` concurrent browser sessions: one headless Chromium, one browser
context (its own cookies, so its own Streamlit session) per student, all driven from one
asyncio loop. Every student opens the home page and then each lesson by URL, with inputs
that make the page do its heavy work for that student (their own melody seed, sentence,
gradient seed, …; see ``visits``), presses **Train** on the long-term page, and waits until
the page is finished: Streamlit's "running" indicator has been gone for 1.5 s and the
page's result element is there.

Reported: errors (a Python exception box on the page, a missing result, a timeout or a
crash of the session; must be 0), "busy" answers from the heavy-job limiter, the p50 /
p95 / max time from opening a page to its finished view, and the server's peak RSS (the
``VmHWM`` of the streamlit process and any children, read from ``/proc``). Exit code 1
when there were errors or the peak RSS is above ``--max-rss-mb``.

Why Chromium and not Streamlit's websocket protocol: it measures what a student sees
(the page really rendered, widgets really round-tripped, the Train button really
clicked) with no hand-built protobuf messages that could drift from the frontend. The
price is CPU: the browser shares the machine's cores with the server, so the times are
an upper bound for the server alone. One browser with N contexts keeps that price down.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

VERBOSE = False
BUSY = "Busy, try again in a moment"  # ui.heavy's message when no slot became free
TRAIN_STEPS = 250  # the smallest choice on the long-term page

NER_TEXTS = ["Angela Merkel met Emmanuel Macron in Paris on Monday.", "Apple Inc. is looking at buying UK startup for $1 billion.",
             "Shares of Toyota rose 3 percent in Tokyo last week.", "The Golden Gate Bridge in San Francisco was closed at 10 a.m."]
ENGLISH = ["I like green apples.", "We will go to the beach tomorrow.", "She doesn't want to eat alone.",
           "Where is the train station?", "This is a French book.", "My brother is taller than me."]


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    done: str                    # CSS selector (or "text=…") that must be on the finished page
    click: str | None = None     # accessible name of a button to press once the page is idle


def visits(i: int) -> list[Visit]:
    """Student ``i``'s tour: inputs differ per student wherever the page caches by input."""
    return [
        Visit("home", "", '[data-testid="stPageLink"]'),
        Visit("rnn_types", "rnn_types?step=3", '[data-testid="stPlotlyChart"]'),
        Visit("music", f"music?mlen=128&mseed={1000 + i}", "audio"),
        Visit("ner", "ner?text=" + quote(f"{NER_TEXTS[i % len(NER_TEXTS)]} Student {i} read it."), "mark.ner-ent"),
        Visit("translation", "translation?beam=5&en=" + quote(ENGLISH[i % len(ENGLISH)].replace(".", f" {i}.")),
              '[data-testid="stPlotlyChart"]'),
        Visit("gradients", f"gradients?T=500&gseed={i}&cseed={i % 100}", '[data-testid="stMetric"]'),
        Visit("long_term", f"long_term?lag=40&steps={TRAIN_STEPS}&lseed={i % 100}",
              f"text=finished all {TRAIN_STEPS} steps", click="Train RNN, LSTM and GRU"),
        Visit("parallelism", "parallelism", '[data-testid="stPlotlyChart"]'),
    ]


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)


async def wait_until_idle(page, timeout: float) -> None:
    """tests.streamlit_server.wait_until_idle for the async API (quiet for 1.5 s)."""
    await page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout * 1000)
    await page.wait_for_selector('[data-testid="stMainBlockContainer"] >> nth=0', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        running = await page.locator('[data-testid="stStatusWidget"]').count() > 0 or \
            await page.locator('[data-testid="stSkeleton"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            return
        await asyncio.sleep(0.3)
    raise TimeoutError("the page never became idle")


async def student(i: int, browser, url: str, res: Results, page_timeout: float, start_delay: float) -> None:
    await asyncio.sleep(start_delay)
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    try:
        for v in visits(i):
            t0 = time.monotonic()
            try:
                await page.goto(f"{url}/{v.path}", wait_until="domcontentloaded", timeout=page_timeout * 1000)
                # Finished = the result (or an error / busy box) is on the page and the run is over.
                outcome = page.locator('[data-testid="stException"]').or_(page.get_by_text(BUSY))
                if v.click:
                    button = page.get_by_role("button", name=v.click)
                    await button.or_(outcome).first.wait_for(timeout=page_timeout * 1000)
                    await wait_until_idle(page, page_timeout)
                    if await button.count():
                        await button.click(timeout=page_timeout * 1000)
                await page.locator(v.done).or_(outcome).first.wait_for(timeout=page_timeout * 1000)
                await wait_until_idle(page, page_timeout)
                elapsed = time.monotonic() - t0
                errors = await page.locator('[data-testid="stException"]').count()
                busy = await page.get_by_text(BUSY).count()
                if busy:
                    res.busy[v.name] = res.busy.get(v.name, 0) + 1
                if errors:
                    text = (await page.locator('[data-testid="stException"]').first.inner_text()).replace("\n", " ")
                    res.errors.append(f"student {i}, {v.name}: {errors} exception box(es): {text[:300]}")
                elif not busy and await page.locator(v.done).count() == 0:
                    res.errors.append(f"student {i}, {v.name}: finished without {v.done}")
                else:
                    res.times.setdefault(v.name, []).append(elapsed)
                if VERBOSE:
                    print(f"{time.strftime('%H:%M:%S')} student {i} {v.name}: {elapsed:.1f} s"
                          f"{' BUSY' if busy else ''}{' ERROR' if errors else ''}", file=sys.stderr, flush=True)
            except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
                res.errors.append(f"student {i}, {v.name}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await ctx.close()


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


async def drive(url: str, sessions: int, page_timeout: float, ramp: float, res: Results) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--disable-dev-shm-usage"])
        try:
            await asyncio.gather(*(student(i, browser, url, res, page_timeout, i * ramp) for i in range(sessions)))
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30, help="concurrent students (1–60, default 30)")
    ap.add_argument("--timeout", type=float, default=1200, help="stop everything after this many seconds")
    ap.add_argument("--page-timeout", type=float, default=420, help="give up on one page after this many seconds")
    ap.add_argument("--ramp", type=float, default=0.0, help="seconds between two students' first page (default 0)")
    ap.add_argument("--log", type=Path, default=Path("/tmp/classroom_load_server.log"), help="server output")
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
        idle_rss, _ = memory_mb(pid)
        watch = MemoryWatch(pid)
        watch.start()
        res = Results()
        try:
            asyncio.run(asyncio.wait_for(drive(url, args.sessions, args.page_timeout, args.ramp, res), args.timeout))
        except TimeoutError:
            res.errors.append(f"the whole run exceeded --timeout {args.timeout:.0f} s")
        end_rss, hwm = memory_mb(pid)
        watch.stop.set()
        watch.join()
        hwm = max(hwm, watch.peak_hwm)
    wall = time.monotonic() - t0
    names = [v.name for v in visits(0)]
    print(f"\n{args.sessions} concurrent sessions, one headless Chromium, server on 127.0.0.1, "
          f"{os.cpu_count()} CPU cores, UNROLLED_HEAVY_JOBS={os.environ.get('UNROLLED_HEAVY_JOBS', '2')}; "
          f"wall time {wall:.0f} s\n")
    print("| page | heavy action | finished | busy | p50 (s) | p95 (s) | max (s) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    action = {"home": "—", "rnn_types": "toy RNN", "music": "128-event melody + audio",
              "ner": "tag a sentence (both taggers)", "translation": "beam search, width 5",
              "gradients": "gradient norms T=500 + clipping demo", "long_term": f"live training, {TRAIN_STEPS} steps",
              "parallelism": "layer timing (shared cache)"}
    for n in names:
        t = res.times.get(n, [])
        cells = (f"{statistics.median(t):.1f} | {pct(t, 0.95):.1f} | {max(t):.1f}" if t else "– | – | –")
        print(f"| {n} | {action[n]} | {len(t)}/{args.sessions} | {res.busy.get(n, 0)} | {cells} |")
    print(f"\nErrors: {len(res.errors)}. Busy answers: {sum(res.busy.values())}. Server RSS: {idle_rss:.0f} MB idle, "
          f"peak {hwm:.0f} MB (VmHWM), {end_rss:.0f} MB at the end.")
    for e in res.errors[:20]:
        print("  -", e)
    ok = not res.errors and hwm <= args.max_rss_mb
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
