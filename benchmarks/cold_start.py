"""Cold start: process start to first page painted and to page ready in Chromium, next to a one-line app.

    python benchmarks/cold_start.py [--repeats 3]

For each target a fresh ``streamlit run`` is started on a free 127.0.0.1 port while a
headless Chromium (already running, so its own start-up is not counted) polls the URL.
Two times are taken from the ``Popen`` of the server:

* **first paint**: the page's heading is on screen (the bare app's "hello"; the home page's
  h1 "Unrolled"; a lesson's own h1). Streamlit streams elements as the script runs, and the
  lessons draw their title and intro before they import torch, so this is what a student
  waits for before the lesson is there to read;
* **fully ready**: the page's main output is on screen and Streamlit's "running" indicator
  has gone (the same idle test as the browser test, minus its 1.5 s quiet period, which is
  subtracted): models loaded and the first result drawn.

Meanwhile it checks that the sidebar never lists raw file names (Streamlit's legacy pages/
menu); the exit status is 1 if it ever does. Targets: the bare app (``st.write("hello")`` in a
temp dir), this app's home page, and a deep link to every lesson (``/rnn_types``, ``/music``, …
each loads its own models; ``--only`` picks some). Median of ``--repeats`` runs each; every run
is a new server process, so nothing is cached. The budget (issue 18) is every target's first
paint ≤ 2× the bare app's median first paint; the fully-ready ratio is printed beside it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.server import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_idle  # noqa: E402

QUIET = 1.5  # seconds of idleness waited for after the page is drawn; not part of the start-up
#: Streamlit's legacy pages/ menu names pages by file ("app", "long term", "rnn types"): never to be seen.
RAW_MENU = re.compile(r"(^|\n)\s*(app|long term|rnn types)\s*(\n|$)")
MENUS_SEEN: list[str] = []
CHART = '[data-testid="stPlotlyChart"]'
MAIN = '[data-testid="stMainBlockContainer"]'
#: First paint: the bare app's text, the home page's title, a lesson's title (any h1 but the home page's).
BARE_PAINT = "text=hello"
HOME_PAINT = f'{MAIN} h1:has-text("Unrolled")'
LESSON_PAINT = f'{MAIN} h1:not(:has-text("Unrolled"))'
#: Each lesson's deep link: (what the README calls it, what must be on screen when its first run is done).
LESSON_TARGETS = {
    "rnn_types": ("trains the toy RNN", CHART),
    "music": ("loads the LSTM, generates a melody", "audio"),
    "sentiment": ("loads three sentiment models", CHART),
    "ner": ("loads two taggers", "mark.ner-ent"),
    "translation": ("loads two translation models", CHART),
    "gradients": ("gradients through 100 steps", '[data-testid="stMetric"]'),
    "long_term": ("loads the results and the trained LSTM", CHART),
    "parallelism": ("times four layers", CHART),
}


def cold_start(browser, script: Path, cwd: Path, path: str, paint: str, selector: str,
               timeout: float = 120) -> tuple[float, float]:
    """Seconds from ``Popen`` of the server to ``paint`` on screen (first paint) and to ``selector``
    rendered and idle (fully ready)."""
    port = free_port()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/{path}"
        while True:   # the browser retries until the server accepts connections
            try:
                page.goto(url, timeout=5000)
                break
            except Exception:  # noqa: BLE001 - connection refused while the server starts
                if proc.poll() is not None or time.monotonic() - t0 > timeout:
                    raise RuntimeError(f"streamlit did not start for {script}") from None
                time.sleep(0.05)
        # Until the page is drawn, note its first paint and watch the sidebar menu: it must never list raw
        # file names.
        painted = None
        while time.monotonic() - t0 < timeout:
            if painted is None and page.locator(paint).count():
                painted = time.monotonic() - t0
            if page.locator(selector).count():
                break
            nav = page.locator('[data-testid="stSidebarNav"]')
            text = nav.first.inner_text() if nav.count() else ""
            if RAW_MENU.search(text):
                MENUS_SEEN.append(f"{path or '/'}: {' | '.join(text.split())[:80]}")
            page.wait_for_timeout(50)
        wait_until_idle(page, int(timeout * 1000), ready_selector=selector, quiet=QUIET, poll_ms=100)
        elapsed = time.monotonic() - t0 - QUIET
        if page.locator('[data-testid="stException"]').count():
            raise RuntimeError(f"{url} shows an exception")
        if painted is None:   # drawn in the same poll as the main output, or never
            if not page.locator(paint).count():
                raise RuntimeError(f"{url} never showed {paint}")
            painted = elapsed
        return min(painted, elapsed), elapsed
    finally:
        page.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per target (1–10, default 3)")
    ap.add_argument("--only", default="", help="comma-separated lesson url paths to deep-link (default: all)")
    ap.add_argument("--home-only", "--no-ner", action="store_true", help="bare app and home page only")
    args = ap.parse_args(argv)
    if not 1 <= args.repeats <= 10:
        ap.error("--repeats must be between 1 and 10")
    only = [s for s in args.only.split(",") if s]
    unknown = [s for s in only if s not in LESSON_TARGETS]
    if unknown:
        ap.error(f"unknown lesson {unknown[0]!r}; choose from {', '.join(LESSON_TARGETS)}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        bare = Path(tmp) / "bare.py"
        bare.write_text('import streamlit as st\nst.write("hello")\n')
        targets = [("bare one-line app (`st.write(\"hello\")`)", bare, Path(tmp), "", BARE_PAINT, "text=hello"),
                   ("Unrolled, home page", ROOT / "app.py", ROOT, "", HOME_PAINT, '[data-testid="stPageLink"]')]
        if not args.home_only:
            targets += [(f"Unrolled, `/{path}` ({what})", ROOT / "app.py", ROOT, path, LESSON_PAINT, selector)
                        for path, (what, selector) in LESSON_TARGETS.items() if not only or path in only]
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Interleaved (bare, home, …, bare, home, …) so a change in the machine's load hits every target alike.
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in targets}
        for _ in range(args.repeats):
            for name, script, cwd, path, paint, selector in targets:
                times[name].append(cold_start(browser, script, cwd, path, paint, selector))
                print(f"{name}: first paint {times[name][-1][0]:.2f}, ready {times[name][-1][1]:.2f}",
                      file=sys.stderr)
        rows = list(times.items())
        browser.close()
    base_paint = statistics.median(p for p, _ in rows[0][1])
    base_ready = statistics.median(r for _, r in rows[0][1])
    print("\n| app | first paint (s) | vs bare | within 2× | fully ready (s) | vs bare | runs, paint / ready (s) |"
          "\n|---|---:|---:|---|---:|---:|---|")
    for name, runs in rows:
        paint = statistics.median(p for p, _ in runs)
        ready = statistics.median(r for _, r in runs)
        print(f"| {name} | {paint:.1f} | {paint / base_paint:.1f}× | {'yes' if paint <= 2 * base_paint else 'NO'} | "
              f"{ready:.1f} | {ready / base_ready:.1f}× | {', '.join(f'{p:.1f} / {r:.1f}' for p, r in runs)} |")
    print("\nThe budget (≤ 2× the bare app) applies to the first paint.")
    print(f"\nRaw file-name menu seen during loading: {'; '.join(MENUS_SEEN) if MENUS_SEEN else 'never'}")
    return 0 if not MENUS_SEEN else 1


if __name__ == "__main__":
    raise SystemExit(main())
