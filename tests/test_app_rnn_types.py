"""AppTest: the home page and the RNN-types page render, react to widgets and survive odd URLs."""

import json

import pytest

from tests.conftest import ROOT, open_page
from ui.lessons import LESSONS, built_lessons

PAGE = "pages/rnn_types.py"


def big_diagram_text(at) -> str:
    """The big diagram's figure JSON (what the browser would draw)."""
    return next(c.proto.spec for c in at.get("plotly_chart") if "big_diagram" in c.proto.id)


def cell_labels(at) -> list[str]:
    """The bold cell names in the big diagram ("RNN", "enc", "dec"), left to right."""
    annotations = json.loads(big_diagram_text(at))["layout"]["annotations"]
    return [a["text"].split("</b>")[0].removeprefix("<b>") for a in annotations if a.get("text", "").startswith("<b>")]


def test_home_links_every_built_lesson_and_nothing_else() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    linked = {link.proto.page for link in at.get("page_link")}
    built = {lesson.url_path for lesson in built_lessons()}
    assert "rnn_types" in built and linked == built
    assert {lesson.url_path for lesson in LESSONS if not lesson.built}.isdisjoint(linked)


def test_rnn_types_renders_with_defaults() -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert at.segmented_control(key="type").value == "Many-to-many"
    assert at.slider(key="tx").value == 5 and at.slider(key="step").value == 1
    assert any("Input **hello**" in m.value for m in at.markdown)


def test_moving_tx_changes_the_diagram_and_output() -> None:
    at = open_page(PAGE)
    before = big_diagram_text(at)
    at.slider(key="tx").set_value(8).run()
    assert not at.exception
    after = big_diagram_text(at)
    assert before != after and cell_labels(at) == ["RNN"] * 8
    assert any("Input **hello␣he**" in m.value for m in at.markdown)


def test_scrubber_moves_the_highlight_and_the_numbers() -> None:
    at = open_page(PAGE)
    latex_1 = [x.value for x in at.latex]
    at.slider(key="step").set_value(4).run()
    assert not at.exception
    latex_4 = [x.value for x in at.latex]
    assert latex_1 != latex_4 and any(r"a^{\langle 4 \rangle}" in v for v in latex_4)
    assert any("**Step 4.**" in m.value for m in at.markdown)


def test_type_and_ty_follow_their_rules() -> None:
    at = open_page(PAGE, {"type": "Encoder-decoder", "tx": "6", "ty": "3", "step": "8"})
    assert not at.exception
    assert at.slider(key="step").value == 8 and at.slider(key="ty").value == 3
    assert cell_labels(at) == ["enc"] * 6 + ["dec"] * 3
    at.slider(key="ty").set_value(7).run()
    assert cell_labels(at) == ["enc"] * 6 + ["dec"] * 7
    at.segmented_control(key="type").set_value("One-to-one").run()
    assert not at.exception
    assert "tx" not in [s.key for s in at.slider] and "step" not in [s.key for s in at.slider]
    assert any("single step" in c.value for c in at.caption)


@pytest.mark.parametrize("query", [
    {"type": "<script>alert(1)</script>", "tx": "999", "ty": "-4", "step": "abc"},
    {"type": "", "tx": "NaN", "step": "1e309"},
    {"type": "Many-to-many", "tx": "3.5", "step": "∞", "seed": "zz"},
])
def test_bad_query_values_fall_back_to_defaults(query) -> None:
    at = open_page(PAGE, query)
    assert not at.exception
    assert at.segmented_control(key="type").value in ("Many-to-many", None)  # ?type= (empty) clears it
    assert any(m.value.startswith("**Many-to-many**") for m in at.markdown)
    assert 2 <= at.slider(key="tx").value <= 10
    assert not any("<script>" in m.value for m in at.markdown)


def test_seed_character_changes_one_to_many_output() -> None:
    at = open_page(PAGE, {"type": "One-to-many", "ty": "5"})
    out_h = [m.value for m in at.markdown if m.value.startswith("Input")]
    at.selectbox(key="seed").set_value("o").run()
    out_o = [m.value for m in at.markdown if m.value.startswith("Input")]
    assert out_h != out_o and out_o[0].startswith("Input **o**")


def test_every_page_goes_through_app_navigation_on_a_cold_start() -> None:
    """Each page calls ensure_app_navigation() before drawing anything (see ui/lessons.py)."""
    for lesson in built_lessons():
        source = (ROOT / lesson.file).read_text(encoding="utf-8")
        call = source.find("\nensure_app_navigation()")
        first_st = min((i for i in (source.find("\nst."), source.find("\n@st.")) if i >= 0), default=len(source))
        assert 0 <= call < first_st, f"{lesson.file} must call ensure_app_navigation() before any st.* call"


@pytest.mark.parametrize("value, on", [("true", True), ("false", False), ("<b>yes</b>", False)])
def test_presentation_mode_follows_the_url(value: str, on: bool) -> None:
    at = open_page(PAGE, {"present": value})
    assert not at.exception
    assert at.sidebar.toggle(key="present").value is on
    styles = [h.proto.body for h in at.get("html") if "font-size" in h.proto.body]
    assert bool(styles) is on
