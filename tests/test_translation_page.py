"""AppTest: the Translation page renders, reacts to its controls and survives bad URLs."""

from __future__ import annotations

from tests.conftest import open_page

PAGE = "pages/translation.py"


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_default_view_shows_translation_heatmap_and_row_sums() -> None:
    at = open_page(PAGE)
    assert not at.exception
    text = _text(at)
    assert "What you will see." in text
    assert "each row sums to 1" in text
    assert "Tatoeba Project" in text and "CC-BY 2.0" in text
    keys = [c.proto.id for c in at.get("plotly_chart")]
    assert len(keys) >= 3  # heatmap, attention row, top-5 (+ BLEU chart)
    assert at.subheader[0].value == "What the encoder reads"
    assert any(s.value == "Try this" for s in at.subheader)


def test_switching_model_removes_the_heatmap() -> None:
    at = open_page(PAGE, {"mdl": "No attention", "en": "I like big dogs."})
    assert not at.exception
    titles = [s.value for s in at.subheader]
    assert "No attention weights to show" in titles
    assert "Where the decoder looked: the attention weights" not in titles


def test_beam_shows_alternatives_and_step_slider_moves() -> None:
    at = open_page(PAGE, {"beam": "4", "en": "She is reading a good book."})
    assert not at.exception
    assert at.dataframe, "beam alternatives table missing"
    slider = at.slider(key="ts")
    before = [m.value for m in at.markdown if m.value.startswith("**Step")]
    slider.set_value(min(3, slider.max)).run()
    after = [m.value for m in at.markdown if m.value.startswith("**Step")]
    assert before != after and after[0].startswith("**Step 3.**")


def test_unknown_words_are_marked() -> None:
    at = open_page(PAGE, {"en": "Der schnelle braune Fuchs springt"})
    assert not at.exception
    assert any("dashed" in m.value and "fuchs" in m.value for m in at.markdown)
    assert at.warning and "Is this English?" in at.warning[0].value


def test_empty_and_overlong_input_give_messages() -> None:
    at = open_page(PAGE, {"en": " "})
    assert not at.exception and "empty" in at.warning[0].value
    at = open_page(PAGE, {"en": "word " * 61})
    assert not at.exception and "limit is 60 words" in at.warning[0].value


def test_bad_query_values_fall_back() -> None:
    at = open_page(PAGE, {"mdl": "<script>", "beam": "99", "ts": "abc", "en": "<b>Hello</b> & bye"})
    assert not at.exception
    assert at.slider(key="beam").value == 1
    chips = next(m.value for m in at.markdown if 'class="tr-chip"' in m.value)
    assert ">&lt;" in chips and ">&amp;" in chips  # user text is escaped, token by token
    assert "<b>" not in chips


def test_example_picker_sets_the_sentence() -> None:
    at = open_page(PAGE)
    at.selectbox[0].set_value("Long: reported speech").run()
    assert not at.exception
    assert at.text_input(key="en").value.startswith("Tom told me")
