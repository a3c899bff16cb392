"""Start the app with ``streamlit run`` on a free loopback port and open pages in Chromium.

Used by the browser test and by ``python -m harness.server`` to take screenshots
by hand (``python -m harness.server OUT_DIR [url-path ...]``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("UNROLLED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_missing_reason() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does this)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(timeout: float = 60.0, log: Path | None = None, script: Path | None = None) -> Iterator[str]:
    """Run ``streamlit run app.py`` (or ``script``) on 127.0.0.1 and yield its base URL; stop it afterwards.

    The server's output goes to the file ``log`` when given (long runs: an unread pipe
    fills up and then blocks the server), else to a pipe shown if it fails to start."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=open(log, "w") if log else subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.stdout else Path(log).read_text()
                raise RuntimeError(f"streamlit did not start on {url}:\n{out[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 720, timeout: float = 60.0,
                 log: Path | None = None) -> Iterator[tuple[str, object]]:
    """A fresh :func:`streamlit_server` and one headless Chromium page of ``width`` × ``height``: yields
    ``(base URL, playwright Page)`` and closes both afterwards. In a pytest test, skips it when Chromium or
    playwright is missing (:func:`chromium_missing_reason`)."""
    reason = chromium_missing_reason()
    if reason:
        import pytest
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with streamlit_server(timeout=timeout, log=log) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield url, browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


#: What every finished page shows: a title (h1), or an error box (so the caller can report it).
PAGE_READY = '[data-testid="stMainBlockContainer"] h1, [data-testid="stException"]'


def wait_until_idle(page, timeout_ms: int = 90_000, ready_selector: str = PAGE_READY, quiet: float = 1.5,
                    poll_ms: int = 200) -> None:
    """Wait for ``ready_selector``, then until Streamlit's 'running' indicator has been gone for ``quiet`` s."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] >> nth=0', timeout=timeout_ms)
    page.wait_for_selector(ready_selector, timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0 or \
            page.locator('[data-testid="stSkeleton"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > quiet:
            return
        page.wait_for_timeout(poll_ms)
    raise TimeoutError("the page never became idle")


def main(argv: list[str]) -> int:
    """Screenshot the given url paths (default: home) into ``argv[0]``."""
    from playwright.sync_api import sync_playwright

    out = Path(argv[0] if argv else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    paths = argv[1:] or [""]
    with streamlit_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": int(os.environ.get("SHOT_HEIGHT", "2600"))})
        for i, p in enumerate(paths):
            page.goto(f"{url}/{p}")
            wait_until_idle(page)
            name = f"{i:02d}_" + (p.split("?")[0] or "home").replace("/", "_")
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            errors = page.locator('[data-testid="stException"]').count()
            print(f"{p or '/'}: {errors} error box(es) → {out / (name + '.png')}")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
