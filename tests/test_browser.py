"""One real-browser pass: every page of the app in headless Chromium.

Starts ``streamlit run`` on a free loopback port, opens each built page, waits
until the script is idle and fails on any Streamlit error box. Screenshots go to
``$UNROLLED_SCREENSHOTS`` (default: pytest's temporary folder).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from harness.server import (CHROMIUM, CHROMIUM_ARGS, PAGE_READY, chromium_missing_reason, streamlit_server,
                                    wait_until_idle)
from ui.lessons import built_lessons

REASON = chromium_missing_reason()
#: Streamlit's legacy pages/ menu names pages by file ("app", "long term", "rnn types"): never to be seen.
RAW_MENU = re.compile(r"(^|\n)\s*(app|long term|rnn types)\s*(\n|$)")

#: url path (with query) → CSS selectors that must be present once the page is idle.
EXPECTED: dict[str, list[str]] = {
    "": ['[data-testid="stPageLink"]'],
    "rnn_types": ['[data-testid="stPlotlyChart"]', '[data-testid="stSlider"]'],
    "rnn_types?rt_type=Encoder-decoder&rt_tx=6&rt_ty=3&rt_step=4": ['[data-testid="stPlotlyChart"]'],
    "rnn_types?rt_type=%3Cscript%3E&rt_tx=-1&rt_ty=NaN&rt_step=999": ['[data-testid="stPlotlyChart"]'],
    "translation": ['[data-testid="stTextInput"]', '[data-testid="stPlotlyChart"]', '[data-testid="stSlider"]'],
    "translation?tr_mdl=No+attention&tr_beam=4&tr_ts=2&tr_en=When+I+was+a+child%2C+I+used+to+spend+every+summer+by+the+sea.":
        ['[data-testid="stPlotlyChart"]', '.unrolled-table table'],
    "translation?tr_mdl=%3Cscript%3E&tr_beam=99&tr_ts=abc&tr_en=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E":
        ['[data-testid="stPlotlyChart"]'],
    "ner": ['[data-testid="stTextArea"]', "mark.ner-ent", '[data-testid="stPlotlyChart"]', ".ner-legend"],
    "ner?ner_ex=Bidirectional+matters%3A+Jordan&ner_types=Person&ner_types=Location&ner_hm=Forward-only+LSTM"
    "&ner_alltags=true":
        ["mark.ner-ent", '[data-testid="stPlotlyChart"]', '.unrolled-table table'],
    "ner?ner_text=%3Cscript%3Ealert(1)%3C%2Fscript%3E+in+Paris&ner_types=%3Cb%3E&ner_hm=bogus":
        ['[data-testid="stPlotlyChart"]'],
    "gradients": ['[data-testid="stPlotlyChart"]', '[data-testid="stSlider"]', '[data-testid="stMetric"]'],
    "gradients?grad_cell=LSTM&grad_fb=3&grad_rho=1&grad_T=300&grad_prec=float32":
        ['[data-testid="stPlotlyChart"]', '[data-testid="stMetric"]'],
    "gradients?grad_act=linear&grad_rho=3&grad_T=500&grad_prec=float32":
        ['[data-testid="stPlotlyChart"]', '[data-testid="stAlert"]'],
    "gradients?grad_cell=%3Cscript%3E&grad_T=abc&grad_rho=99&grad_H=-1": ['[data-testid="stPlotlyChart"]'],
    "long_term": ['[data-testid="stPlotlyChart"]', '[data-testid="stSlider"]', '[data-testid="stButton"]'],
    "long_term?lt_lag=%3Cb%3E&lt_steps=-5&lt_gT=9999": ['[data-testid="stPlotlyChart"]'],
    "parallelism?par_Tmax=256": ['[data-testid="stPlotlyChart"]', '.unrolled-table table'],
    "sentiment": ['[data-testid="stTextArea"]', '[data-testid="stPlotlyChart"]', '[data-testid="stMetric"]',
                  '[data-testid="stDownloadButton"]'],
    "sentiment?sen_text=Bad%2C+not+good.&sen_units=true": ['[data-testid="stPlotlyChart"]', '[data-testid="stMetric"]'],
    "sentiment?sen_text=%3Cscript%3Ealert(1)%3C%2Fscript%3E&sen_ex=%3Cb%3E": ['[data-testid="stPlotlyChart"]'],
    "music": ['[data-testid="stHtml"] audio[preload="none"]', '[data-testid="stPlotlyChart"]',
              '[data-testid="stDownloadButton"]', '.unrolled-table table'],
    "music?mus_note=D5&mus_len=128&mus_temp=1.5&mus_scale=D+major&mus_net=GRU&mus_step=40":
        ['[data-testid="stHtml"] audio'],
    "music?mus_note=%3Cscript%3E&mus_len=9999&mus_temp=NaN&mus_net=bogus&mus_step=-3":
        ['[data-testid="stHtml"] audio'],
}


def _targets() -> list[str]:
    targets = dict.fromkeys(EXPECTED)
    for lesson in built_lessons():
        targets.setdefault(lesson.url_path)
    return list(targets)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_every_page_renders_without_error_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("UNROLLED_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with streamlit_server(timeout=180) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        # The first visit after a server start is a teacher's shared deep link: it must open
        # that page through app.py's navigation (not Streamlit's legacy pages/ mode).
        page.goto(f"{url}/rnn_types?rt_type=One-to-many&rt_ty=6")
        # Until it is drawn, the sidebar must never show Streamlit's legacy menu of raw file names.
        deadline = time.monotonic() + 180
        while not page.locator(PAGE_READY).count() and time.monotonic() < deadline:
            menu = page.locator('[data-testid="stSidebarNav"]')
            text = menu.first.inner_text() if menu.count() else ""
            if RAW_MENU.search(text):
                failures.append(f"the first paint showed the raw file-name menu: {' | '.join(text.split())[:120]}")
                break
            page.wait_for_timeout(50)
        wait_until_idle(page, timeout_ms=180_000)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        if "Home" not in nav or page.get_by_text("Page not found").count():
            failures.append(f"cold deep link did not open through app.py; sidebar: {nav[:200]!r}")
        if page.get_by_role("radio", name="One-to-many").get_attribute("aria-checked") != "true":
            failures.append("cold deep link lost its ?rt_type=One-to-many")
        for i, target in enumerate(_targets()):
            page.goto(f"{url}/{target}")
            try:
                wait_until_idle(page, timeout_ms=180_000)  # a fresh venv's first model loads can be slow
            except Exception as exc:  # noqa: BLE001 - report which page, keep checking the others
                page.screenshot(path=str(shots / f"{i:02d}_timeout.png"), full_page=True)
                failures.append(f"/{target}: never finished ({type(exc).__name__}: {str(exc).splitlines()[0]})")
                continue
            page.screenshot(path=str(shots / f"{i:02d}_{target.split('?')[0] or 'home'}.png"), full_page=True)
            if page.get_by_text("Page not found").count():
                failures.append(f"/{target}: Streamlit says 'Page not found'")
            errors = page.locator('[data-testid="stException"]')
            if errors.count():
                failures.append(f"/{target}: {errors.first.inner_text()[:500]}")
            for selector in EXPECTED.get(target, []):
                if page.locator(selector).count() == 0:
                    failures.append(f"/{target}: nothing matches {selector}")
        # /home is the home page (not "Page not found"); an unknown page says so and shows the home page.
        page.goto(f"{url}/home")
        wait_until_idle(page)
        if page.get_by_text("Page not found").count() or not page.locator('[data-testid="stPageLink"]').count():
            failures.append(f"/home did not open the home page (now at {page.url})")
        page.goto(f"{url}/no_such_lesson")
        wait_until_idle(page)
        if not page.get_by_text("Page not found").count() or not page.locator('[data-testid="stPageLink"]').count():
            failures.append("/no_such_lesson: no clear 'Page not found' message over the home page")
        # The scrubber's state goes to the URL, so a teacher can share the view.
        page.goto(f"{url}/rnn_types")
        wait_until_idle(page)
        # (a slow page visited just before may still be finishing on the server: allow time)
        page.get_by_role("radio", name="One-to-many").click(timeout=120_000)
        wait_until_idle(page)
        if "rt_type=One-to-many" not in page.url:
            failures.append(f"choosing One-to-many did not reach the URL: {page.url}")
        browser.close()
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_class_link_dialog_carries_a_control_moved_inside_a_fragment(tmp_path: Path) -> None:
    """The music page's step slider reruns only its fragment (not the sidebar): the class link, built when
    the dialog opens, still carries the step the teacher chose, and the ticked lock."""
    from playwright.sync_api import sync_playwright

    with streamlit_server(timeout=180) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/music?mus_step=3")
        wait_until_idle(page, timeout_ms=180_000)
        slider = page.get_by_role("slider", name="Look at step t")
        slider.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        wait_until_idle(page)
        assert "mus_step=7" in page.url, page.url
        page.get_by_role("button", name="Copy link for my class").click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for(timeout=60_000)
        wait_until_idle(page)
        assert "mus_step=7" in dialog.locator("code").inner_text()
        dialog.locator('[data-testid="stMultiSelect"] input').click()
        page.get_by_role("option", name="temp", exact=True).click()
        page.keyboard.press("Escape")                                   # close the option list
        wait_until_idle(page)
        code = dialog.locator("code").inner_text()
        page.screenshot(path=str(tmp_path / "class_link_dialog.png"))
        assert "mus_step=7" in code and "lock=mus_temp" in code, code
        browser.close()
