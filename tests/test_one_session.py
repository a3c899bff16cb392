"""One student, one session, every page (issue 14), and the cross-page pieces every lesson shares.

AppTest part: every lesson page run through ``app.py``; widget keys unique across pages and prefixed
with the page's prefix (they double as URL parameters), every URL-bound control lockable by a
teacher's link, and one session that visits every page, changes a control and moves on.

Browser part (``@pytest.mark.browser``): the same walk in headless Chromium, clicking the sidebar,
then back through every page, checking each page still shows the state left in it; and one
checkpoint answered with real clicks.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, open_page
from ui.inputs import whole_number
from ui.lessons import built_lessons

LESSONS = built_lessons()
#: Widget keys every page shares on purpose (presentation mode) and app.py's own sidebar widgets.
SHARED = {"present", "screen"}


def widget_keys(at: AppTest) -> list[str]:
    """The user keys of every widget on the page (sidebar included, tabs and expanders opened)."""
    keys: list[str] = []

    def walk(node) -> None:
        key = getattr(node, "key", None)
        if isinstance(key, str) and hasattr(node, "disabled"):
            keys.append(key)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return keys


def app_keys(keys: list[str]) -> list[str]:
    return [k for k in keys if k not in SHARED and not k.startswith("_teach_")]


@functools.cache
def first_run(file: str) -> AppTest:
    try:
        at = open_page(file, timeout=300)       # a page's first run loads its models (slow on a busy machine)
    except RuntimeError as exc:
        raise AssertionError(f"{file}: {exc}") from exc
    assert not at.exception, f"{file}: {at.exception}"
    return at


# --- number parsing that survives whatever a page change leaves behind -------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (None, 4), ("", 4), ("abc", 4), (float("nan"), 4), (float("inf"), 4), ("-inf", 4), ("1e309", 4), ([1], 4),
    ({}, 4), (True, 4), (" 7 ", 7), ("7.4", 7), (3.6, 4), (-5, 0), (999, 10), ("1e3", 10), (6, 6),
])
def test_whole_number_tolerates_none_and_odd_values(raw, expected) -> None:
    assert whole_number(raw, 0, 10, 4) == expected


def test_whole_number_keeps_the_default_in_range() -> None:
    assert whole_number(None, 0, 10, 99) == 10 and whole_number("x", 5, 1, 0) == 1   # swapped bounds too


def shared_key_script() -> None:
    import streamlit as st

    from ui.inputs import whole_number_input

    if st.session_state.get("mode", "text") == "text":
        st.selectbox("Example", ["Event", "Person"], key="t_x")           # one page's widget …
    else:
        n = whole_number_input("Example sequence", 0, 999, 3, key="t_x")  # … another page's, same key
        st.markdown(f"n = {n} ({type(n).__name__})")


def test_whole_number_input_survives_another_pages_widget_with_its_key() -> None:
    """The issue-14 crash (`int(round(None))`): another page's widget left a text value under the key."""
    at = AppTest.from_function(shared_key_script, default_timeout=30).run()
    at.selectbox(key="t_x").select("Person").run()
    at.session_state["mode"] = "number"
    at.run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["n = 3 (int)"]


@pytest.mark.parametrize("left_behind", ["Person", None, float("nan"), 5000.0, -1, "7"])
def test_whole_number_input_survives_odd_values_in_session_state(left_behind) -> None:
    at = AppTest.from_function(shared_key_script, default_timeout=30)
    at.session_state["t_x"] = left_behind
    at.session_state["mode"] = "number"
    at.run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["n = 3 (int)"]
    at.number_input(key="t_x").set_value(12.0).run()                    # and it still works afterwards
    assert [m.value for m in at.markdown] == ["n = 12 (int)"]


# --- every page, under AppTest -------------------------------------------------------------------------------

@pytest.mark.slow
def test_widget_keys_are_unique_across_pages() -> None:
    """A key used on two pages is one URL parameter for both: leaving one page breaks the other (issue 14)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for lesson in LESSONS:
        for key in app_keys(widget_keys(first_run(lesson.file))):
            owners[key].add(lesson.url_path)
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not shared, f"widget keys used on more than one page: {shared}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=[x.url_path for x in LESSONS])
def test_every_widget_key_starts_with_the_pages_prefix(lesson) -> None:
    keys = app_keys(widget_keys(first_run(lesson.file)))
    assert keys, f"{lesson.file} has no keyed widgets"
    wrong = sorted({k for k in keys if not k.startswith(lesson.key_prefix)})
    assert not wrong, f"{lesson.file}: keys without the prefix {lesson.key_prefix!r}: {wrong}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=[x.url_path for x in LESSONS])
def test_a_teachers_link_locks_every_url_control_of_the_page(lesson) -> None:
    at = first_run(lesson.file)
    opener = at.sidebar.button(key=f"_teach_open_{lesson.url_path}")
    assert "Copy link for my class" in opener.label, "no class-link builder"
    # The dialog (tested in test_teaching.py and, on a page, in the browser) offers these controls:
    keys = at.session_state[f"_teach_keys_{lesson.url_path}"]
    assert all(k.startswith(lesson.key_prefix) for k in keys)
    assert keys, f"{lesson.file}: no URL-bound controls offered to lock"
    locked = open_page(lesson.file, {"lock": ",".join(keys)})
    assert not locked.exception, locked.exception
    by_key = {}

    def walk(node) -> None:
        if isinstance(getattr(node, "key", None), str) and hasattr(node, "disabled"):
            by_key[node.key] = node
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(locked._tree)
    not_disabled = sorted(k for k in keys if k in by_key and not by_key[k].disabled)
    assert not not_disabled, f"{lesson.file}: ?lock= names these controls but they stay enabled: {not_disabled}"
    assert [i for i in locked.info if i.value.startswith("Your teacher fixed:")], "no lock note on the page"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=[x.url_path for x in LESSONS])
def test_every_lesson_offers_its_main_result_as_data(lesson) -> None:
    """Issue 16: each lesson's main result downloads as data (CSV, JSON or MIDI), keyed with the page's prefix."""
    at = first_run(lesson.file)
    buttons = [b for b in at.get("download_button") if (b.key or "").startswith(lesson.key_prefix)]
    assert buttons, f"{lesson.file}: no download button with a {lesson.key_prefix!r} key on first load"


def _change_one_control(at: AppTest, prefix: str) -> tuple[str, object] | None:
    """Move one control of the page away from its value; return (key, new value)."""
    for slider in at.slider:
        if (slider.key or "").startswith(prefix) and not slider.disabled and not isinstance(slider.value, tuple | list):
            target = slider.max if slider.value != slider.max else slider.min
            slider.set_value(target).run()
            return slider.key, target
    for w in at.select_slider:
        if (w.key or "").startswith(prefix) and not w.disabled and not isinstance(w.value, tuple | list):
            options = list(w.options)
            target = options[-1] if str(w.value) != options[-1] else options[0]
            w.set_value(type(w.value)(target) if isinstance(w.value, int | float) else target).run()
            return w.key, target
    for kind in (at.selectbox, at.radio):
        for w in kind:
            if (w.key or "").startswith(prefix) and not w.disabled and len(w.options) > 1 and "_cp_" not in w.key:
                new = 1 if w.index in (0, None) else 0
                (w.select_index(new) if hasattr(w, "select_index") else w.set_value(w.options[new])).run()
                return w.key, w.options[new]
    for w in at.text_area or at.text_input:
        if (w.key or "").startswith(prefix) and not w.disabled:
            w.input((w.value or "") + " Paris").run()
            return w.key, w.value
    return None


@pytest.mark.slow
def test_one_session_visits_every_page_changes_a_control_and_comes_back() -> None:
    """The issue-14 crash: NER text edited, then another page opened in the same session."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    changed: dict[str, tuple[str, object] | None] = {}
    errors: list[str] = []
    for lesson in LESSONS:
        at.switch_page(lesson.file).run()
        if at.exception:
            errors.append(f"arriving at {lesson.url_path}: {at.exception[0].message}")
            continue
        changed[lesson.url_path] = _change_one_control(at, lesson.key_prefix)
        if at.exception:
            errors.append(f"{lesson.url_path} after changing {changed[lesson.url_path]}: {at.exception[0].message}")
    for lesson in reversed(LESSONS):
        at.switch_page(lesson.file).run()
        if at.exception:
            errors.append(f"back at {lesson.url_path}: {at.exception[0].message}")
    assert not errors, "\n".join(errors)
    assert all(changed.values()), f"no control could be changed on: {[p for p, c in changed.items() if not c]}"


# --- browser ---------------------------------------------------------------------------------------------

from harness.server import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason, streamlit_server  # noqa: E402
from harness.server import wait_until_idle  # noqa: E402

REASON = chromium_missing_reason()
browser = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def _shots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("UNROLLED_SCREENSHOTS", tmp_path)) / "one_session"
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def _open_from_sidebar(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_timeout(300)
    wait_until_idle(page, timeout_ms=240_000)


def _errors(page) -> list[str]:
    boxes = page.locator('[data-testid="stException"]')
    return [boxes.nth(i).inner_text()[:400] for i in range(boxes.count())]


def _change_in_browser(page, prefix: str) -> tuple[str, str] | None:
    """Move the first enabled slider of the page to its other end (keyboard, as a person would);
    else type into the first text box. Returns (what, value now shown)."""
    sliders = page.locator('[data-testid="stMain"] [data-testid="stSlider"] [role="slider"]')
    for i in range(sliders.count()):
        thumb = sliders.nth(i)
        if thumb.get_attribute("aria-disabled") == "true" or not thumb.is_visible():
            continue
        before = thumb.get_attribute("aria-valuenow")
        thumb.focus()
        thumb.press("End" if before != thumb.get_attribute("aria-valuemax") else "Home")
        wait_until_idle(page, timeout_ms=240_000)
        label = page.locator('[data-testid="stMain"] [data-testid="stSlider"]').nth(i).inner_text().split("\n")[0]
        return f"slider {label!r}", sliders.nth(i).get_attribute("aria-valuenow")
    boxes = page.locator('[data-testid="stMain"] textarea:not([disabled]), '
                         '[data-testid="stMain"] [data-testid="stTextInput"] input:not([disabled])')
    if boxes.count():
        box = boxes.first
        box.fill((box.input_value() or "")[:200] + " in Paris")
        box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
        wait_until_idle(page, timeout_ms=240_000)
        return "text box", boxes.first.input_value()
    return None


def _shown_value(page, what: str) -> str | None:
    if what.startswith("slider"):
        label = re.match(r"slider '(.*)'", what).group(1) if what.startswith("slider '") else ""
        sliders = page.locator('[data-testid="stMain"] [data-testid="stSlider"]', has_text=label)
        return sliders.first.locator('[role="slider"]').get_attribute("aria-valuenow") if sliders.count() else None
    boxes = page.locator('[data-testid="stMain"] textarea, [data-testid="stMain"] [data-testid="stTextInput"] input')
    return boxes.first.input_value() if boxes.count() else None


@pytest.mark.browser
@pytest.mark.slow
@browser
def test_one_browser_session_walks_every_page_and_back(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = _shots(tmp_path)
    failures: list[str] = []
    left: dict[str, tuple[str, str] | None] = {}
    with streamlit_server(timeout=180, log=tmp_path / "server.log") as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        wait_until_idle(page, timeout_ms=240_000)
        for lesson in LESSONS:
            _open_from_sidebar(page, lesson.title)
            failures += [f"{lesson.url_path} (opened from the sidebar): {e}" for e in _errors(page)]
            try:
                left[lesson.url_path] = _change_in_browser(page, lesson.key_prefix)
            except Exception as exc:  # noqa: BLE001 - report the page, go on with the others
                failures.append(f"{lesson.url_path}: could not change a control ({type(exc).__name__}: {exc})")
                left[lesson.url_path] = None
            page.screenshot(path=str(shots / f"out_{lesson.url_path}.png"), full_page=True)
            failures += [f"{lesson.url_path} after changing {left[lesson.url_path]}: {e}" for e in _errors(page)]
        for lesson in reversed(LESSONS):
            _open_from_sidebar(page, lesson.title)
            page.screenshot(path=str(shots / f"back_{lesson.url_path}.png"), full_page=True)
            failures += [f"{lesson.url_path} (walking back): {e}" for e in _errors(page)]
            if left.get(lesson.url_path):
                what, value = left[lesson.url_path]
                now = _shown_value(page, what)
                if now != value:
                    failures.append(f"{lesson.url_path}: {what} was left at {value!r}, shows {now!r} on return "
                                    f"(URL {page.url})")
        chromium.close()
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.slow
@browser
def test_a_student_answers_a_checkpoint_in_the_browser(tmp_path: Path) -> None:
    """Pick an answer, press Check: the answer and the chart below it appear (first page with a checkpoint)."""
    from playwright.sync_api import sync_playwright

    shots = _shots(tmp_path)
    with streamlit_server(timeout=180, log=tmp_path / "server.log") as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        tried = []
        for lesson in LESSONS:
            page.goto(f"{url}/{lesson.url_path}")
            wait_until_idle(page, timeout_ms=240_000)
            if not page.get_by_text("Predict first").count():
                tried.append(lesson.url_path)
                continue
            box = page.locator('[data-testid="stVerticalBlock"]', has_text="Predict first").filter(
                has=page.get_by_role("button", name="Check")).last
            charts_before = page.locator('[data-testid="stPlotlyChart"]').count()
            check = box.get_by_role("button", name="Check")
            assert check.is_disabled(), "Check must wait for a prediction"
            box.locator('[data-testid="stRadio"] [role="radiogroup"] label').first.click()
            wait_until_idle(page)
            check.click()
            wait_until_idle(page, timeout_ms=240_000)
            page.screenshot(path=str(shots / f"checkpoint_{lesson.url_path}.png"), full_page=True)
            assert not _errors(page), _errors(page)
            assert page.get_by_text("You predicted").count(), "no verdict after Check"
            assert page.get_by_role("button", name="Ask me again").count()
            assert not page.get_by_role("button", name="Check").count() or \
                page.locator('[data-testid="stPlotlyChart"]').count() >= charts_before
            break
        else:
            pytest.fail(f"no page has a checkpoint yet (looked at {tried})")
        chromium.close()
