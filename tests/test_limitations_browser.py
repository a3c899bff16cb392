"""In Chromium: the live long-term experiment shows progress and stops when asked."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from harness.server import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason, streamlit_server, wait_until_idle

REASON = chromium_missing_reason()


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_live_training_streams_progress_and_the_stop_button_stops_it(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("UNROLLED_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(url)                       # a cold first load may show "Page not found" for a sub-page
        wait_until_idle(page)
        page.goto(f"{url}/long_term?lt_lag=60&lt_steps=3000")
        wait_until_idle(page)
        page.get_by_role("button", name="Train RNN, LSTM and GRU").click()
        # progress text like "step 25 / 3000 · 1.2 s of the 45 s cap" appears while it trains
        page.get_by_text("of the 45 s cap").first.wait_for(timeout=40_000)
        # some steps done (the text moves on every 25 steps, faster than a poll may catch one value)
        page.get_by_text(re.compile(r"step [1-9]\d* / 3000")).first.wait_for(timeout=40_000)
        clicked = time.monotonic()
        page.get_by_role("button", name="■ Stop").click()
        page.get_by_text("stopped by you after").first.wait_for(timeout=20_000)
        stop_delay = time.monotonic() - clicked
        wait_until_idle(page)
        page.screenshot(path=str(shots / "limitations_stopped.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stMetric"]').count() >= 3        # the three final scores
        assert page.get_by_text("the LSTM you just trained (T = 60)").count() == 1
        assert stop_delay < 15, f"stopping took {stop_delay:.1f} s"
        browser.close()
