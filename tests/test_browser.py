"""One real-browser pass: every page of the app in headless Chromium.

Starts ``streamlit run`` on a free loopback port, opens each built page, waits
until the script is idle and fails on any Streamlit error box. Screenshots go to
``$UNROLLED_SCREENSHOTS`` (default: pytest's temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason, streamlit_server, wait_until_idle
from ui.lessons import built_lessons

REASON = chromium_missing_reason()

#: url path (with query) → CSS selectors that must be present once the page is idle.
EXPECTED: dict[str, list[str]] = {
    "": ['[data-testid="stPageLink"]'],
    "rnn-types": ['[data-testid="stPlotlyChart"]', '[data-testid="stSlider"]'],
    "rnn-types?type=Encoder-decoder&tx=6&ty=3&step=4": ['[data-testid="stPlotlyChart"]'],
    "rnn-types?type=%3Cscript%3E&tx=-1&ty=NaN&step=999": ['[data-testid="stPlotlyChart"]'],
}


def _targets() -> list[str]:
    targets = dict.fromkeys(EXPECTED)
    for lesson in built_lessons():
        targets.setdefault(lesson.url_path)
    return list(targets)


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_every_page_renders_without_error_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("UNROLLED_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with streamlit_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        for i, target in enumerate(_targets()):
            page.goto(f"{url}/{target}")
            wait_until_idle(page)
            page.screenshot(path=str(shots / f"{i:02d}_{target.split('?')[0] or 'home'}.png"), full_page=True)
            if i > 0 and page.get_by_text("Page not found").count():  # (the first, cold load may show it)
                failures.append(f"/{target}: Streamlit says 'Page not found'")
            errors = page.locator('[data-testid="stException"]')
            if errors.count():
                failures.append(f"/{target}: {errors.first.inner_text()[:500]}")
            for selector in EXPECTED.get(target, []):
                if page.locator(selector).count() == 0:
                    failures.append(f"/{target}: nothing matches {selector}")
        # The scrubber's state goes to the URL, so a teacher can share the view.
        page.goto(f"{url}/rnn-types")
        wait_until_idle(page)
        page.get_by_role("radio", name="One-to-many").click()
        wait_until_idle(page)
        if "type=One-to-many" not in page.url:
            failures.append(f"choosing One-to-many did not reach the URL: {page.url}")
        browser.close()
    assert not failures, "\n".join(failures)
