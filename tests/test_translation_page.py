"""AppTest: the Translation page renders, reacts to its controls and survives bad URLs."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import torch

import sequence_models.translation.translate as translate_module
from sequence_models.translation.translate import Alternative, TranslationResult
from tests.conftest import ROOT, open_page
from tests.tables import table_with
from ui.inputs import markdown_literal

PAGE = "pages/translation.py"
#: English text that Markdown would turn into bold, emphasis and a link, and HTML into bold
HOSTILE_EN = "<b>x</b> *y* [z](http://e.invalid)"
#: live Markdown/HTML fragments of it (and of the fake model output below) that must never reach a Markdown body
RAW = ("<b>", "</b>", "*y*", "[z](", "$a$", ":smile:")


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def _heat(at) -> str:
    """The attention heatmap's SVG ("" when there is none): ``ui.svg`` through ``st.markdown``."""
    return next((m.value for m in at.markdown if 'aria-label="Attention&#58;' in m.value), "")


def _columns(at) -> list[str]:
    """The heatmap's English columns, read from the first row's tooltips."""
    first_row = re.findall(r"<title>writing \w+ “([^”]*)” ← reading “([^”]*)”", _heat(at))
    return [src for out, src in first_row if out == first_row[0][0]]


def test_default_view_shows_translation_heatmap_and_row_sums() -> None:
    at = open_page(PAGE)
    assert not at.exception
    text = _text(at)
    assert "What you will see." in text
    assert "each row sums to 1" in text and "added up per word" in text
    assert "Tatoeba Project" in text and "CC-BY 2.0" in text
    keys = [c.proto.id for c in at.get("plotly_chart")]
    assert _heat(at)
    assert any(k.endswith("-tr_att_row") for k in keys) and any(k.endswith("-tr_top5") for k in keys)
    assert [s.value for s in at.subheader] == ["Encoder reads, decoder writes", "Where the decoder looked",
                                              "Step through the decoding", "Why attention", "Try this"]
    assert "**What the encoder reads**" in text and "**What the decoder writes**" in text
    assert _columns(at)[:3] == ["Where", "is", "the"]  # word view by default: whole words, not pieces
    assert at.get("download_button"), "attention CSV export missing"


def test_pieces_view_shows_raw_pieces() -> None:
    at = open_page(PAGE, {"tr_view": "Subword pieces"})
    assert not at.exception
    columns = _columns(at)
    assert columns[0].startswith("_") and len(columns) > 6
    assert "each row sums to 1" in _text(at) and "added up per word" not in _text(at)


def test_attention_row_chart_explains_its_orange_bar() -> None:
    at = open_page(PAGE)
    row = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if c.proto.id.endswith("-tr_att_row")))
    legend = [t.get("name") for t in row["data"] if t.get("showlegend")]
    assert legend == ["orange = the piece read most at this step"]


def test_switching_model_removes_the_heatmap() -> None:
    at = open_page(PAGE, {"tr_mdl": "No attention", "tr_en": "I like big dogs."})
    assert not at.exception
    assert "**No attention weights to show.**" in _text(at)
    assert not _heat(at)
    assert "each row sums to 1" not in _text(at)


def test_beam_shows_alternatives_and_step_slider_moves() -> None:
    at = open_page(PAGE, {"tr_beam": "4", "tr_en": "She is reading a good book."})
    assert not at.exception
    alternatives = table_with(at, "French")
    assert 1 <= len(alternatives) <= 4
    assert [r["rank"] for r in alternatives] == [str(i + 1) for i in range(len(alternatives))]
    slider = at.slider(key="tr_ts")
    before = [m.value for m in at.markdown if m.value.startswith("**Step")]
    slider.set_value(min(3, slider.max)).run()
    after = [m.value for m in at.markdown if m.value.startswith("**Step")]
    assert before != after and after[0].startswith("**Step 3.**")


def test_unseen_names_are_marked_as_split_words() -> None:
    at = open_page(PAGE, {"tr_en": "Oluwaseun lives in Harare."})
    assert not at.exception
    chips = _html_block(at, "tr-chips")
    assert "dashed" in chips and "Oluwaseun<sub" in chips
    assert any("not in the vocabulary as a whole" in c.value and "Oluwaseun" in c.value for c in at.caption)


@pytest.mark.parametrize("typed, kinds", [("where is the nearest train station?", ["lower_case"]),
                                          ("Where is the nearest train station", ["no_end_mark"]),
                                          ("where is the nearest train station", ["lower_case", "no_end_mark"])])
def test_classroom_typing_is_read_as_training_english_and_the_cost_is_measured(typed: str, kinds: list[str]) -> None:
    at = open_page(PAGE, {"tr_en": typed})
    assert not at.exception
    note = next(c.value for c in at.caption if c.value.startswith("Read as"))
    assert "Where is the nearest train station?" in note
    typing = json.loads((ROOT / "assets" / "translation" / "evaluation.json").read_text())["models"]["attention"]
    for kind, t in typing["typing"].items():
        shown = f"scores {t['prepared']['bleu_lc']:.1f} BLEU this way against {t['as_typed']['bleu_lc']:.1f}" in note
        assert shown == (kind in kinds), kind
    assert ("usual case" in note) == ("lower_case" in kinds) and ("one is added" in note) == ("no_end_mark" in kinds)
    assert "gare" in _html_block(at, "tr-output")
    assert not any(c.value.startswith("Read as") for c in open_page(PAGE).caption)   # cased text: no note
    trailing = open_page(PAGE, {"tr_en": "Where is the nearest train station? "})      # a space after the mark
    assert not any(c.value.startswith("Read as") for c in trailing.caption)


def test_rare_and_unseen_words_are_counted_from_the_training_sentences() -> None:
    at = open_page(PAGE, {"tr_en": "My teacher says that recurrent networks read one word at a time."})
    assert not at.exception
    rare = next(c.value for c in at.caption if "English training sentences" in c.value)
    assert "never: recurrent" in rare and "networks (1×)" in rare
    chips = _html_block(at, "tr-chips")
    assert "never in the" in chips and "> new</sup>" in chips and "teacher" in chips
    assert not any("English training sentences" in c.value for c in open_page(PAGE).caption)


def test_reordering_checkpoint_answers_from_the_live_alignment() -> None:
    at = open_page(PAGE)
    assert not any('aria-label="Attention while translating' in m.value for m in at.markdown)   # hidden until asked
    at.radio(key="tr_cp_order_guess").set_value("No: it jumps ahead, then back").run()
    at.button(key="tr_cp_order_check").click().run()
    assert not at.exception
    verdict = next(s.value for s in at.success)
    assert verdict.startswith("You predicted **No: it jumps ahead, then back**: right.")
    assert "looks most at “car”" in verdict and "looks back at “red”" in verdict
    assert any('aria-label="Attention while translating I have a red car."' in m.value for m in at.markdown)


def test_another_script_says_what_happens() -> None:
    at = open_page(PAGE, {"tr_en": "Привет, как дела?"})
    assert not at.exception
    assert at.warning and "another script" in at.warning[0].value
    # the attention row over ~30 byte pieces labels only some bars (every one is still named on hover)
    row = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if c.proto.id.endswith("-tr_att_row")))
    bars, axis = row["data"][0], row["layout"]["xaxis"]
    assert len(bars["x"]) > 20 and 8 <= len(axis["tickvals"]) <= 18 and len(axis["ticktext"]) == len(axis["tickvals"])
    assert len(bars["customdata"]) == len(bars["x"])


def test_empty_and_overlong_input_give_messages() -> None:
    at = open_page(PAGE, {"tr_en": " "})
    assert not at.exception and "empty" in at.warning[0].value
    # the screens that need a translation say so; the stored evaluation and the prompts still show
    assert sum("Nothing to show: the sentence did not translate" in c.value for c in at.caption) == 2
    assert at.subheader[-1].value == "Try this"
    assert any(c.proto.id.endswith("-tr_bleu_len") for c in at.get("plotly_chart"))
    at = open_page(PAGE, {"tr_en": "word " * 61})
    assert not at.exception and "limit is 60 words" in at.warning[0].value


def test_length_checkpoint_hides_the_long_input_chart_until_checked() -> None:
    at = open_page(PAGE)
    assert not any(c.proto.id.endswith("-tr_bleu_long") for c in at.get("plotly_chart"))
    at.radio(key="tr_cp_length_guess").set_value("Without attention").run()
    at.button(key="tr_cp_length_check").click().run()
    assert not at.exception
    assert any(c.proto.id.endswith("-tr_bleu_long") for c in at.get("plotly_chart"))
    res = json.loads((ROOT / "assets" / "translation" / "evaluation.json").read_text())
    revealed = "\n".join(x.value for x in (*at.success, *at.info))
    rows = {m: {b["bucket"]: b["bleu_lc"] for b in res["models"][m]["long"]["buckets"]} for m in ("attention", "plain")}
    drop = rows["plain"]["6–15"] - rows["plain"]["26–40"]
    assert f"falls by {drop:.1f} BLEU" in revealed


def test_a_teacher_lock_disables_the_controls() -> None:
    at = open_page(PAGE, {"lock": "tr_en,tr_mdl"})
    assert not at.exception
    assert at.text_input(key="tr_en").disabled and at.selectbox(key="tr_example").disabled
    assert at.segmented_control(key="tr_mdl").disabled and not at.slider(key="tr_beam").disabled


def test_bad_query_values_fall_back() -> None:
    at = open_page(PAGE, {"tr_mdl": "<script>", "tr_beam": "99", "tr_ts": "abc", "tr_view": "x",
                          "tr_en": "<b>Hello</b> & bye"})
    assert not at.exception
    assert at.slider(key="tr_beam").value == 1
    chips = next(m.value for m in at.markdown if 'class="tr-chip"' in m.value)
    assert "&lt;" in chips and "&amp;" in chips  # user text is escaped
    assert "<b>" not in chips


def test_example_picker_sets_the_sentence() -> None:
    at = open_page(PAGE)
    at.selectbox(key="tr_example").set_value("Hard: technical words").run()
    assert not at.exception
    assert at.text_input(key="tr_en").value.startswith("My teacher says")


def _markdown_bodies(at) -> list[str]:
    """Everything Streamlit renders as Markdown without HTML: markdown, captions and alert boxes."""
    return ([m.value for m in at.markdown if not m.proto.allow_html] + [c.value for c in at.caption]
            + [e.value for kind in (at.warning, at.info, at.error) for e in kind])


def _html_block(at, css_class: str) -> str:
    """The ``unsafe_allow_html`` snippet with ``css_class``, checked to be one raw HTML block: it opens with a
    ``<div>`` and has no line break, so Markdown passes it through without parsing the text between the tags."""
    body = next(m.value for m in at.markdown if m.proto.allow_html and f'class="{css_class}"' in m.value)
    assert body.startswith("<div") and body.endswith("</div>") and "\n" not in body, body[:200]
    return body


def test_user_text_is_shown_literally() -> None:
    at = open_page(PAGE, {"tr_en": HOSTILE_EN, "tr_beam": "2"})
    assert not at.exception
    assert at.text_input(key="tr_en").value == HOSTILE_EN
    chips = _html_block(at, "tr-chips")
    assert "&lt;" in chips and "&gt;" in chips and "http" in chips.lower()   # read as "Http": no capital typed
    assert "<b>" not in chips.lower() and "</b>" not in chips.lower()
    _html_block(at, "tr-output")
    for body in _markdown_bodies(at):
        assert not any(raw in body for raw in RAW), body


@pytest.fixture
def hostile_model(monkeypatch: pytest.MonkeyPatch):
    """The real translation of the input, with French words, top-5 candidates and alternatives replaced by
    Markdown/HTML (the page imports ``translate`` from its module on every run, so the patch reaches it)."""
    real = translate_module.translate
    words = ["<b>x</b>", "*y*", "[z](http://e.invalid)", "$a$ :smile:", "</s>"]

    def fake(tr, text, beam=1, model_name="attention") -> TranslationResult:
        result = real(tr, text, beam=beam, model_name=model_name)
        n, src = len(words), len(result.source_tokens)
        french = " ".join(words[:-1])
        return dataclasses.replace(
            result, output_tokens=words, output_words=words, output_groups=[[i] for i in range(n)],
            translation=french,
            attention=None if result.attention is None else torch.full((n, src), 1 / src),
            steps_top=[[("<img src=x>", 0.4), ("_u_", 0.3), ("*y*", 0.2)]] * n, steps_prob=[0.5] * n,
            alternatives=[Alternative(words[:-1], french, -1.0, -0.5)])

    monkeypatch.setattr(translate_module, "translate", fake)
    return words


def test_model_output_is_shown_literally(hostile_model: list[str]) -> None:
    # a sentence no other test translates, so the cached translations are this fixture's
    at = open_page(PAGE, {"tr_en": "Tom has a red car and a hostile model.", "tr_beam": "2", "tr_ts": "4"})
    assert not at.exception
    out = _html_block(at, "tr-output")
    assert "&lt;b&gt;x&lt;/b&gt; *y* [z](http://e.invalid) $a$ :smile:" in out and "<b>" not in out
    bodies = _markdown_bodies(at)
    for body in bodies:
        assert not any(raw in body for raw in RAW), body
    step = next(b for b in bodies if b.startswith("**Step 4.**"))
    assert f"*{markdown_literal(' '.join(hostile_model[:3]))}*" in step  # written so far
    assert f"**{markdown_literal(hostile_model[3])}**" in step            # the word written now
    assert any(f"“{markdown_literal(hostile_model[3])}” is not in this step's top 5" in c.value for c in at.caption)
    assert any(f"“{markdown_literal(' '.join(hostile_model[:4]))}”" in c.value and "without attention" in c.value
               for c in at.caption)
    # the alternatives table shows the text as it is (escaped HTML, not Markdown)
    assert [r["French"] for r in table_with(at, "French")] == [" ".join(hostile_model[:4])]
    for chart in at.get("plotly_chart"):
        assert "<b>x" not in chart.proto.spec and "<img" not in chart.proto.spec  # plotly reads tags in labels
    heat = _heat(at)                                   # the heatmap's labels: the tags as text, no icon code or maths
    assert "&lt;b&gt;x&lt;/b&gt;" in heat and "<b>x" not in heat and ":smile:" not in heat and "$a$" not in heat
