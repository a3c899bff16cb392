"""Presentation mode on every page: one idea per screen (tabs), controls folded away, state in the URL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import open_page
from harness.server import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason, streamlit_server, wait_until_idle
from ui.lessons import built_lessons

PAGES = [lesson.file for lesson in built_lessons()]
CONTROLS = "⚙️"   # ui.presentation.controls puts this in front of its expander's label
INTRO = "📖 What you will see"


def tab_labels(at) -> list[str]:
    return [t.label for t in at.tabs]


@pytest.mark.parametrize("page", PAGES)
def test_presenting_shows_one_idea_per_tab_with_the_controls_folded(page: str) -> None:
    at = open_page(page, {"present": "true"})
    assert not at.exception, at.exception
    labels = tab_labels(at)
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    assert labels[-1] == "Try this"
    folded = [e for e in at.expander if e.label.startswith(CONTROLS)]
    assert folded, f"no folded controls on {page}: {[e.label for e in at.expander]}"
    assert [e.label for e in at.expander].count(INTRO) == 1                 # the opening paragraph is folded too
    assert not any(m.value.startswith("**What you will see.**") for m in at.markdown)
    # The same page without presentation mode: no tabs of ideas, the ideas are subheadings instead.
    plain = open_page(page)
    assert not plain.exception, plain.exception
    assert not set(tab_labels(plain)) & set(labels)
    assert set(labels) <= {s.value for s in plain.subheader}
    assert not [e for e in plain.expander if e.label.startswith(CONTROLS) or e.label == INTRO]
    assert sum(m.value.startswith("**What you will see.**") for m in plain.markdown) == 1


@pytest.mark.parametrize("page", PAGES)
def test_every_screen_opens_from_the_url(page: str) -> None:
    labels = tab_labels(open_page(page, {"present": "true"}))
    for i, label in enumerate(labels):
        at = open_page(page, {"present": "true", "screen": label})
        assert not at.exception, (label, at.exception)
        # the first screen is the default, which Streamlit leaves out of the URL
        allowed = (None, label, [label]) if i == 0 else (label, [label])
        assert at.query_params.get("screen") in allowed, at.query_params
        assert tab_labels(at) == labels


@pytest.mark.parametrize("page", ["pages/rnn_types.py", "pages/ner.py"])
@pytest.mark.parametrize("query", [{"present": "maybe"}, {"present": "<script>"}, {"present": "true", "screen": ""},
                                   {"present": "true", "screen": "<script>alert(1)</script>"},
                                   {"present": "true", "screen": "9" * 10_000}, {"screen": "Try this"}])
def test_odd_presentation_values_fall_back(page: str, query: dict[str, str]) -> None:
    at = open_page(page, query)
    assert not at.exception, at.exception
    presenting = query.get("present") == "true"
    assert bool(at.tabs) == presenting
    assert at.toggle(key="present").value is presenting


# --- in the browser, at a projector's 1280×720 ----------------------------------------------------------

#: What counts as a screen's picture: a chart, an image, a diagram drawn as SVG (ui.svg), the entity highlights,
#: the encoder's word chips, or the checkpoint that asks for a prediction before the picture (predict first, then
#: see).
PICTURE = ('[data-testid="stPlotlyChart"], [data-testid="stImage"], [data-testid="stVegaLiteChart"], '
           '.ner-ent, .tr-chips, [data-testid="stHtml"] audio, [data-testid="stMarkdownContainer"] svg, '
           '[data-testid="stVerticalBlock"]:has(> div [data-testid="stRadio"])')

_MEASURE = """(picture) => {
  const r = (e) => e.getBoundingClientRect();
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const tablist = document.querySelector('[data-testid="stMain"] [data-testid="stTabs"] [role="tablist"]');
  const tabs = tablist ? [...tablist.querySelectorAll('[role="tab"]')] : [];
  const panel = document.querySelector('[data-testid="stMain"] [role="tabpanel"]:not([hidden])');
  const pics = panel ? [...panel.querySelectorAll(picture)].filter(e => r(e).width > 0 && r(e).height > 0) : [];
  return {
    sidebarWidth: sidebar ? r(sidebar).width : 0,
    sidebarLeft: sidebar ? r(sidebar).left : 0,
    tabsOverflow: tablist ? tablist.scrollWidth - tablist.clientWidth : 0,
    tabsOutside: tabs.filter(t => r(t).right > window.innerWidth || r(t).width === 0).map(t => t.innerText),
    tabNames: tabs.map(t => t.innerText),
    pictureTop: pics.length ? r(pics[0]).top : null,
  };
}"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or "")
def test_presenting_at_1280x720_fits_tabs_collapses_the_sidebar_and_shows_the_picture(tmp_path) -> None:
    """Issue 14: at a projector's size every tab is visible (no scroll arrow), the sidebar is out of the
    way, and each page's first screen shows its picture in the first viewport. Screenshots per page."""
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("UNROLLED_SCREENSHOTS", tmp_path)) / "presentation_1280x720"
    shots.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with streamlit_server(timeout=180, log=tmp_path / "server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        for lesson in built_lessons():
            page.goto(f"{url}/{lesson.url_path}?present=true")
            wait_until_idle(page, timeout_ms=240_000)
            page.screenshot(path=str(shots / f"{lesson.url_path}.png"))
            m = page.evaluate(_MEASURE, PICTURE)
            where = f"/{lesson.url_path}?present=true"
            if page.locator('[data-testid="stException"]').count():
                failures.append(f"{where}: error box")
            if m["sidebarWidth"] > 1 and m["sidebarLeft"] >= 0:
                failures.append(f"{where}: the sidebar is open ({m['sidebarWidth']:.0f} px)")
            if m["tabsOverflow"] > 1 or m["tabsOutside"]:
                failures.append(f"{where}: tabs overflow by {m['tabsOverflow']} px; cut off: {m['tabsOutside']}")
            if "Try this" not in m["tabNames"]:
                failures.append(f"{where}: no 'Try this' tab among {m['tabNames']}")
            if m["pictureTop"] is None or not 0 <= m["pictureTop"] < 720 - 60:
                failures.append(f"{where}: the first screen's picture starts at {m['pictureTop']} px (viewport 720)")
        # Switching presentation on from the sidebar collapses the sidebar too.
        page.goto(f"{url}/{built_lessons()[0].url_path}")
        wait_until_idle(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]', has_text="Presentation mode").click()
        wait_until_idle(page)
        page.wait_for_timeout(800)   # the sidebar's closing animation
        m = page.evaluate(_MEASURE, PICTURE)
        if m["sidebarWidth"] > 1 and m["sidebarLeft"] >= 0:
            failures.append(f"turning presentation mode on from the sidebar left it open ({m['sidebarWidth']:.0f} px)")
        page.screenshot(path=str(shots / "switched_on_from_the_sidebar.png"))
        browser.close()
    assert not failures, "\n".join(failures)


# --- Plotly's PNG export (issue 16, item 3) ---------------------------------------------------------------

def test_the_chart_config_offers_only_the_png_download() -> None:
    from ui.charts import CHART, STATIC_CHART

    assert CHART["modeBarButtons"] == [["toImage"]] and CHART["toImageButtonOptions"]["format"] == "png"
    assert offers_png(CHART) and offers_png({}) and not offers_png({"displayModeBar": False})
    assert not offers_png({"modeBarButtonsToRemove": ["toImage"]})
    assert STATIC_CHART["staticPlot"] is True


def test_pages_use_the_shared_chart_configs() -> None:
    """One way to configure a chart: no page writes its own Plotly config."""
    import re

    for path in sorted((Path(__file__).resolve().parent.parent / "pages").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "displayModeBar" not in text, path.name
        configs = re.findall(r"\bconfig=([^,)]+)", text)
        assert len(configs) == text.count("plotly_chart("), f"{path.name}: a chart without config=CHART"
        for config in configs:
            assert config.strip() in {"CHART", "STATIC_CHART"}, (path.name, config)


@pytest.mark.parametrize("page", PAGES)
def test_every_interactive_chart_offers_the_png_download_when_presenting(page: str) -> None:
    import json

    at = open_page(page, {"present": "true"}, timeout=300)     # a loaded machine trains rnn_types' toy RNN slowly
    assert not at.exception, at.exception
    configs = [json.loads(c.proto.config or "{}") for c in at.get("plotly_chart")]
    interactive = [c for c in configs if not c.get("staticPlot")]
    assert interactive, f"no interactive chart on {page}"
    for config in interactive:
        assert offers_png(config), config


def offers_png(config: dict) -> bool:
    """Does a chart with this Plotly ``config`` show the camera ("Download plot as a png") on hover?"""
    if config.get("displayModeBar") is False or "toImage" in config.get("modeBarButtonsToRemove", []):
        return False
    buttons = config.get("modeBarButtons")
    return buttons is None or any("toImage" in group for group in buttons)   # Plotly's default bar has it


#: Plotly's camera button (its tooltip: "Download plot as a PNG"; older Plotly wrote "png").
CAMERA = '[data-testid="stPlotlyChart"] .modebar-btn[data-title="Download plot as a png" i]'


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or "")
def test_hovering_a_chart_offers_a_png_download_in_presentation_mode(tmp_path) -> None:
    """Hover a lesson's main chart, click Plotly's camera: a PNG downloads (presenting, and not). Screenshots of
    the mode bar at a projector's 1280×720 and at a phone's 390×844 go to $UNROLLED_SCREENSHOTS."""
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("UNROLLED_SCREENSHOTS", tmp_path)) / "png_export"
    shots.mkdir(parents=True, exist_ok=True)
    with streamlit_server(timeout=180, log=tmp_path / "server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size, query in [((1280, 720), "?present=true"), ((390, 844), "?present=true"), ((1280, 720), "")]:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]}, accept_downloads=True)
            page.goto(f"{url}/gradients{query}")
            wait_until_idle(page, timeout_ms=240_000)
            chart = page.locator('[data-testid="stPlotlyChart"]').first
            chart.scroll_into_view_if_needed()
            chart.hover()
            camera = page.locator(CAMERA).first
            camera.wait_for(state="visible", timeout=30_000)
            page.screenshot(path=str(shots / f"gradients{'_present' if query else ''}_{size[0]}x{size[1]}.png"))
            with page.expect_download(timeout=60_000) as info:
                camera.click()
            download = info.value
            target = tmp_path / f"{size[0]}{query[1:8]}_{download.suggested_filename}"
            download.save_as(target)
            assert download.suggested_filename.endswith(".png"), download.suggested_filename
            assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 5_000
            assert page.locator('[data-testid="stException"]').count() == 0
            page.close()
        browser.close()
