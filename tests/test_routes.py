"""Addresses that are not a lesson's: ``/home``, unknown pages, and unknown deeper paths (issue 19, item 6)."""

from __future__ import annotations

import re
import urllib.error
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


@pytest.mark.parametrize(("path", "base", "expected"), [
    ("/ner/x", "", "/ner"),
    ("/pages/ner.py", "", "/pages"),
    ("/rnn_types/a/b/", "", "/rnn_types"),
    ("/<script>/x", "", "/%3Cscript%3E"),
    ("/course/ner/x", "/course/", "/course/ner"),
    ("/ner", "", None),
    ("/", "", None),
    ("/static/js/index.js", "", None),
    ("/media/abc.png", "", None),
    ("/component/x/index.html", "", None),
    ("/app/static/a.png", "", None),
    ("/_stcore/stream", "", None),
    ("/ner/_stcore/health", "", None),
    ("/other/ner/x", "/course", None),
])
def test_which_deeper_paths_are_sent_to_their_page(path: str, base: str, expected: str | None) -> None:
    from ui.routes import page_of_deeper_path

    assert page_of_deeper_path(path, base) == expected


def test_app_py_serves_itself_through_the_redirecting_middleware() -> None:
    """``streamlit run app.py`` must find the ``st.App`` (Streamlit's own AST discovery), with the middleware."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"
    assert "DeeperPathsToTheirPage" in (ROOT / "app.py").read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


@pytest.mark.slow
def test_deeper_unknown_paths_redirect_to_their_page_and_streamlit_paths_pass() -> None:
    """Issue 19, item 6: ``/ner/x`` was a blank page (relative scripts resolved under ``/ner/``)."""
    opener = urllib.request.build_opener(_NoRedirect)
    with streamlit_server(timeout=180) as url:
        for deep, target in (("ner/x?ner_text=Jane%20visits%20Paris", "/ner?ner_text=Jane%20visits%20Paris"),
                             ("pages/ner.py", "/pages"), ("rnn_types/a/b", "/rnn_types")):
            try:
                opener.open(f"{url}/{deep}", timeout=30)
                raise AssertionError(f"/{deep} was not redirected")
            except urllib.error.HTTPError as err:
                assert err.code == 302 and err.headers["Location"] == target, (deep, err.code, err.headers)
        top = urllib.request.urlopen(url + "/", timeout=30).read().decode()
        bundle = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', top)
        assert bundle, "Streamlit's index.html no longer loads ./static/js/index.*.js"
        with opener.open(f"{url}/{bundle.group(1)}", timeout=30) as r:       # Streamlit's own paths pass
            assert r.status == 200 and "javascript" in r.headers["Content-Type"]
        with opener.open(f"{url}/_stcore/health", timeout=30) as r:
            assert r.status == 200


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
        # Deeper unknown paths (item 6): the lesson they start with, with its URL values, or the note.
        page.goto(f"{url}/ner/x?ner_text=Jane%20visits%20Paris")
        wait_until_idle(page, timeout_ms=120_000)
        assert page.url == f"{url}/ner?ner_text=Jane%20visits%20Paris", page.url
        assert "Named-entity recognition" in page.locator("h1").first.inner_text()
        assert page.locator("textarea").first.input_value() == "Jane visits Paris"
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        for phone in (False, True):
            if phone:
                page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{url}/pages/ner.py")
            wait_until_idle(page, timeout_ms=120_000)
            assert NOT_FOUND in page.get_by_role("dialog").inner_text()
            assert page.locator("h1").first.inner_text() == "Unrolled"
            page.screenshot(path=str(tmp_path / f"deeper_{phone}.png"))
        browser.close()
