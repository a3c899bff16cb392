"""Addresses that are not a lesson's: ``/home``, unknown pages, and unknown deeper paths (issue 19, item 6)."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from harness.server import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason, streamlit_server, wait_until_idle
from tests.conftest import ROOT
from ui.lessons import LESSONS

REASON = chromium_missing_reason()
HOME_LINK = '[data-testid="stPageLink"]'     # the home page's lesson cards
NOT_FOUND = "Page not found"


def test_pages_home_is_not_a_lesson_and_sends_a_stray_run_home() -> None:
    """``pages/home.py`` only exists so that Streamlit's legacy first run finds ``/home``; it is no lesson."""
    from streamlit.testing.v1 import AppTest

    assert (ROOT / "pages" / "home.py").is_file()
    assert "pages/home.py" not in {lesson.file for lesson in LESSONS}
    at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["[Open Unrolled's home page](./)"]


@pytest.mark.slow
def test_deeper_unknown_paths_get_a_page_whose_assets_cannot_load() -> None:
    """Documents a limitation of ``streamlit run`` (kept honest here, handled by the proxy rule in docs/deploy.md).

    Streamlit answers every unknown path with its ``index.html``, whose scripts are relative (``./static/…``).
    Under ``/ner/x`` they resolve to ``/ner/static/…``, which is answered with the same HTML, so the browser
    runs no script and the page stays blank. Nothing in app.py runs for such a request, and no server option
    changes it. If a Streamlit upgrade fixes it, this test fails: then drop the rule from docs/deploy.md."""
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert "/ner/x" in deploy and "return 302" in deploy          # the documented proxy rule
    with streamlit_server(timeout=180) as url:
        top = urllib.request.urlopen(url + "/", timeout=30).read().decode()
        bundle = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', top)
        assert bundle, "Streamlit's index.html no longer loads ./static/js/index.*.js"
        with urllib.request.urlopen(f"{url}/{bundle.group(1)}", timeout=30) as r:
            assert "javascript" in r.headers["Content-Type"]             # at the top, the script loads
        for deep in ("ner/x", "pages/ner.py", "rnn_types/a/b"):
            with urllib.request.urlopen(f"{url}/{deep}", timeout=30) as r:
                assert r.status == 200 and "./static/js/index." in r.read().decode()
            prefix = deep.rsplit("/", 1)[0]
            with urllib.request.urlopen(f"{url}/{prefix}/{bundle.group(1)}", timeout=30) as r:
                assert r.headers["Content-Type"].startswith("text/html"), (deep, r.headers["Content-Type"])


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_home_opens_on_a_fresh_server_and_unknown_pages_say_so(tmp_path: Path) -> None:
    """The first visit after a server start is ``/home`` (Streamlit's legacy pages/ run): the home page, at ``/``."""
    from playwright.sync_api import sync_playwright

    with streamlit_server(timeout=180) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/home")
        wait_until_idle(page, timeout_ms=180_000)
        assert page.get_by_text(NOT_FOUND).count() == 0, "a fresh server's /home said 'Page not found'"
        assert page.locator("h1").first.inner_text() == "Unrolled"
        assert page.locator(HOME_LINK).count() >= 1
        assert page.url.rstrip("/") == url, page.url                   # the home page's one address
        for unknown in ("nosuchpage", "home2", "%3Cscript%3E"):
            page.goto(f"{url}/{unknown}")
            wait_until_idle(page, timeout_ms=120_000)
            dialog = page.get_by_role("dialog")
            assert NOT_FOUND in dialog.inner_text(), unknown             # a clear message ...
            assert page.locator("h1").first.inner_text() == "Unrolled"  # ... over the home page and its links
            assert page.locator(HOME_LINK).count() >= 1
            page.screenshot(path=str(tmp_path / f"{unknown[:8]}.png"))
        browser.close()
