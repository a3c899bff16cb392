"""AppTest: the home page and the RNN-types page render, react to widgets and survive odd URLs."""

import re

import pytest

from tests.conftest import ROOT, open_page
from ui.lessons import LESSONS, built_lessons

PAGE = "pages/rnn_types.py"


def big_diagram_text(at) -> str:
    """The big diagram's SVG (what the browser draws; ``ui.svg``)."""
    return next(m.value for m in at.markdown if 'aria-label="The unrolled network' in m.value)


def cell_labels(at) -> list[str]:
    """The bold cell names in the big diagram ("RNN", "enc", "dec"), left to right."""
    return re.findall(r'<tspan [^>]*font-weight="bold">([^<]+)</tspan>', big_diagram_text(at))


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
    assert at.segmented_control(key="rt_type").value == "Many-to-many"
    assert at.slider(key="rt_tx").value == 5 and at.slider(key="rt_step").value == 1
    assert any("Input **hello**" in m.value for m in at.markdown)


def test_moving_tx_changes_the_diagram_and_output() -> None:
    at = open_page(PAGE)
    before = big_diagram_text(at)
    at.slider(key="rt_tx").set_value(8).run()
    assert not at.exception
    after = big_diagram_text(at)
    assert before != after and cell_labels(at) == ["RNN"] * 8
    assert any("Input **hello␣he**" in m.value for m in at.markdown)


def test_scrubber_moves_the_highlight_and_the_numbers() -> None:
    at = open_page(PAGE)
    latex_1 = [x.value for x in at.latex]
    at.slider(key="rt_step").set_value(4).run()
    assert not at.exception
    latex_4 = [x.value for x in at.latex]
    assert latex_1 != latex_4 and any(r"a^{\langle 4 \rangle}" in v for v in latex_4)
    assert any("**Step 4.**" in m.value for m in at.markdown)


def test_type_and_ty_follow_their_rules() -> None:
    at = open_page(PAGE, {"rt_type": "Encoder-decoder", "rt_tx": "6", "rt_ty": "3", "rt_step": "8"})
    assert not at.exception
    assert at.slider(key="rt_step").value == 8 and at.slider(key="rt_ty").value == 3
    assert cell_labels(at) == ["enc"] * 6 + ["dec"] * 3
    at.slider(key="rt_ty").set_value(7).run()
    assert cell_labels(at) == ["enc"] * 6 + ["dec"] * 7
    at.segmented_control(key="rt_type").set_value("One-to-one").run()
    assert not at.exception
    assert "rt_tx" not in [s.key for s in at.slider] and "rt_step" not in [s.key for s in at.slider]
    assert any("single step" in c.value for c in at.caption)


@pytest.mark.parametrize("query", [
    {"rt_type": "<script>alert(1)</script>", "rt_tx": "999", "rt_ty": "-4", "rt_step": "abc"},
    {"rt_type": "", "rt_tx": "NaN", "rt_step": "1e309"},
    {"rt_type": "Many-to-many", "rt_tx": "3.5", "rt_step": "∞", "rt_seed": "zz"},
])
def test_bad_query_values_fall_back_to_defaults(query) -> None:
    at = open_page(PAGE, query)
    assert not at.exception
    assert at.segmented_control(key="rt_type").value in ("Many-to-many", None)  # ?type= (empty) clears it
    assert any(m.value.startswith("**Many-to-many**") for m in at.markdown)
    assert 2 <= at.slider(key="rt_tx").value <= 10
    assert not any("<script>" in m.value for m in at.markdown)


def test_seed_character_changes_one_to_many_output() -> None:
    at = open_page(PAGE, {"rt_type": "One-to-many", "rt_ty": "5"})
    out_h = [m.value for m in at.markdown if m.value.startswith("Input")]
    at.selectbox(key="rt_seed").set_value("o").run()
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
    styles = [h.proto.body for h in at.get("html") if h.proto.body.lstrip().startswith("<style>")]
    assert bool(styles) is on


def test_encoder_decoder_words_match_the_drawing() -> None:
    at = open_page(PAGE, {"rt_type": "Encoder-decoder", "rt_tx": "5", "rt_ty": "3", "rt_step": "5"})
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "one set of weights for both halves" in text and "two networks with separate weights" in text
    assert "start symbol" in text and "whose first input is the start symbol" in text   # step 5: last encoder step
    at.slider(key="rt_step").set_value(6).run()
    step6 = next(m.value for m in at.markdown if m.value.startswith("**Step 6.**"))
    assert "start symbol" in step6 and "fed back" not in step6
    assert "start" in big_diagram_text(at)                                   # the drawing says so too
    at.slider(key="rt_step").set_value(7).run()
    step7 = next(m.value for m in at.markdown if m.value.startswith("**Step 7.**"))
    assert "the previous output" in step7 and "fed back" in step7


def test_one_to_one_has_no_recurrence_in_words_or_drawing() -> None:
    at = open_page(PAGE, {"rt_type": "One-to-one"})
    assert not at.exception
    assert "&lt;0&gt;" not in big_diagram_text(at)
    assert any("There is no previous state" in m.value for m in at.markdown)


def test_checkpoint_hides_the_answer_until_checked() -> None:
    at = open_page(PAGE)
    assert not any("the checkpoint answer" in m.value for m in at.markdown)
    at.radio(key="rt_cp_many_to_one_guess").set_value("5").run()
    at.button(key="rt_cp_many_to_one_check").click().run()
    assert not at.exception
    answer = next(m.value for m in at.markdown if "the checkpoint answer" in m.value)
    assert answer.count(">RNN</tspan>") == 5
    reveal = next(m.value for m in at.info if "You predicted" in m.value)
    assert "the answer is **1**" in reveal and "“hello”" in reveal and "ŷ⟨5⟩" in reveal


@pytest.mark.parametrize("key", ["rt_type", "rt_tx", "rt_step"])
def test_a_teacher_lock_disables_the_control(key: str) -> None:
    at = open_page(PAGE, {"lock": f"{key},something_else"})
    assert not at.exception
    widget = at.segmented_control(key=key) if key == "rt_type" else at.slider(key=key)
    assert widget.disabled
    others = [w for w in (at.segmented_control(key="rt_type"), at.slider(key="rt_tx")) if w.key != key]
    assert not any(w.disabled for w in others)
    if key == "rt_step":
        assert at.toggle(key="rt_play").disabled


def test_step_values_can_be_downloaded() -> None:
    at = open_page(PAGE, {"rt_type": "Many-to-one", "rt_tx": "4"})
    button = next(b for b in at.get("download_button") if "rt_csv" in b.proto.id)
    assert "many_to_one-tx4-ty1" in button.proto.label or button.proto.label.startswith("⬇️")


def test_play_asks_for_a_full_rerun_so_the_timer_starts() -> None:
    """The fragment's run_every is only read on a full run: turning Play on must rerun the page (the browser test
    below checks the steps really advance)."""
    at = open_page(PAGE)
    at.toggle(key="rt_play").set_value(True).run()
    assert not at.exception
    assert at.session_state["_rt_play_armed"] is True
    assert at.slider(key="rt_step").value == 2                                # one step per run, not two


@pytest.mark.browser
@pytest.mark.slow
def test_play_moves_the_step_in_the_browser() -> None:
    import re
    import time

    from harness.server import browser_page, wait_until_idle

    with browser_page(1280, 720) as (url, page):
        page.goto(f"{url}/rnn_types?rt_type=Many-to-many&rt_tx=8")
        wait_until_idle(page)
        page.get_by_text("▶ Play").click()

        def step() -> int:
            m = re.search(r"[?&]rt_step=(\d+)", page.url)
            return int(m.group(1)) if m else 1

        # The first tick needs a full page run (that is what starts the timer); then count moves for 5 s.
        deadline = time.monotonic() + 60
        while step() == 1 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        seen, changes, last = [step()], 0, step()
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            value = step()
            if value != last:
                changes += 1
            last = value
            seen.append(value)
            page.wait_for_timeout(100)
        errors = page.locator('[data-testid="stException"]').count()
    assert errors == 0
    assert changes >= 3, f"the step moved {changes} times in 5 s: {sorted(set(seen))}"
