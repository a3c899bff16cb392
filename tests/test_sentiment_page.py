"""AppTest of the sentiment page: renders, reacts, escapes hostile text, keeps URL state, checkpoints and locks."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, open_page
from tests.tables import table_with, tables

PAGE = "pages/sentiment.py"
SCRIPT = "<script>alert(1)</script>"


def _html(at) -> list[str]:
    return [m.value for m in at.markdown if m.proto.allow_html]


def _chips(at) -> str:
    return next(v for v in _html(at) if "line-height:2.1" in v)


def _svgs(at) -> list[str]:
    """The diagrams drawn as inline SVG (``ui.svg``): the unrolled GRU and the hidden-state heatmap."""
    return [m.value for m in at.markdown if "<svg" in m.value]


def _chart_keys(at) -> set[str]:
    return {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")} if at.get("plotly_chart") else set()


def test_default_page_reads_the_default_review() -> None:
    at = open_page(PAGE)
    assert not at.exception
    text = at.text_area(key="sen_text").value
    assert text and "great" in text
    assert len(at.get("plotly_chart")) >= 2           # P(positive), bag weights
    diagram, hidden = _svgs(at)                       # the unrolled GRU, the hidden state
    assert diagram.count(">RNN</tspan>") == len(at.text_area(key="sen_text").value.split()) or "more" in diagram
    assert "<title>after “" in hidden and "unit " in hidden
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics.values()) <= {"positive", "negative"} and len(metrics) == 2
    assert "What you will see." in "\n".join(m.value for m in at.markdown)
    assert any("CC BY 4.0" in c.value for c in at.caption)          # the data's attribution is on the page
    assert at.get("download_button")


@pytest.mark.parametrize("name, text", [
    ("script", f"{SCRIPT} great camera"),
    ("img", "<img src=x onerror=alert(1)> great camera"),
    ("markdown", "Great.\n\n# PWNED ![x](https://example.invalid/x.png) [y](https://example.invalid) $x^2$"),
])
def test_hostile_text_is_shown_as_text(name: str, text: str) -> None:
    at = open_page(PAGE)
    at.text_area(key="sen_text").set_value(text).run()
    assert not at.exception
    for body in _html(at):
        assert "<script" not in body and "<img" not in body and "\n\n" not in body
    chips = _chips(at)
    if name == "script":
        assert ">&lt;</span>" in chips and ">script</span>" in chips   # "<" is a token of its own, escaped
    for chart in at.get("plotly_chart"):
        assert "<script" not in chart.proto.spec and "<img" not in chart.proto.spec
    for svg in _svgs(at):
        assert "<script" not in svg and "<img" not in svg and ("&lt;" in svg or name == "markdown")


def test_empty_text_prompts_and_huge_text_is_cut() -> None:
    at = open_page(PAGE)
    at.text_area(key="sen_text").set_value("  \n ").run()
    assert not at.exception and not at.get("plotly_chart")
    assert "Type a short review" in at.info[0].value
    at.text_area(key="sen_text").set_value(("Great zoom. " * 9100)[:100_000]).run()
    assert not at.exception
    assert "at most 500" in at.warning[0].value
    assert at.get("plotly_chart")


def test_example_menu_fills_the_text_and_a_pair_flips_the_gru_but_not_the_bag() -> None:
    at = open_page(PAGE)
    options = at.selectbox(key="sen_ex").options
    good = next(o for o in options if o.endswith("Good, not bad."))
    bad = next(o for o in options if o.endswith("Bad, not good."))
    verdicts = []
    for option in (good, bad):
        at.selectbox(key="sen_ex").set_value(option).run()
        assert at.text_area(key="sen_text").value == option.split(": ", 1)[1]
        verdicts.append([(m.value, m.delta) for m in at.metric])
    (gru_a, bow_a), (gru_b, bow_b) = verdicts
    assert gru_a[0] == "positive" and gru_b[0] == "negative"
    assert bow_a == bow_b                              # same words, same bag-of-words verdict and probability


def test_the_menu_and_the_box_stay_in_step() -> None:
    label = next(o for o in open_page(PAGE).selectbox(key="sen_ex").options if o.startswith("Cons"))
    at = open_page(PAGE, {"sen_ex": label, "sen_text": "Great zoom."})    # a link whose text is not its example
    assert not at.exception and at.selectbox(key="sen_ex").value is None
    assert at.text_area(key="sen_text").value == "Great zoom."
    at.selectbox(key="sen_ex").set_value(label).run()                     # picking an example fills the box
    example = at.text_area(key="sen_text").value
    assert example.startswith("Eats batteries") and at.selectbox(key="sen_ex").value == label
    at.text_area(key="sen_text").set_value(example + " Still worth it.").run()
    assert not at.exception and at.selectbox(key="sen_ex").value is None  # edited away: no longer the example
    at.selectbox(key="sen_ex").set_value(label).run()
    at.selectbox(key="sen_ex").set_value(None).run()                      # clearing the menu keeps the text
    assert at.text_area(key="sen_text").value == example and not at.exception


def test_url_state_and_odd_values() -> None:
    at = open_page(PAGE, {"sen_text": "Eats batteries", "sen_units": "true"})
    assert not at.exception
    assert at.text_area(key="sen_text").value == "Eats batteries" and at.toggle(key="sen_units").value
    at = open_page(PAGE, {"sen_ex": SCRIPT, "sen_units": "NaN", "sen_text": "9" * 1000})
    assert not at.exception and at.selectbox(key="sen_ex").value is None and not at.toggle(key="sen_units").value


def test_checkpoint_hides_the_pair_table_until_checked() -> None:
    at = open_page(PAGE)
    assert not any(t and "bag verdict" in t[0] for t in tables(at))
    at.radio(key="sen_cp_pair_guess").set_value("Different probabilities").run()
    at.button(key="sen_cp_pair_check").click().run()
    assert not at.exception
    table = table_with(at, "bag verdict")
    assert len({r["bag of words P(positive)"] for r in table}) == 1
    assert any("the answer is **The same probability for both**" in i.value for i in at.info)


def test_word_order_checkpoint_reveals_the_evaluation_numbers() -> None:
    ev = json.loads((ROOT / "assets" / "sentiment" / "evaluation.json").read_text())
    at = open_page(PAGE)
    n_charts = len(at.get("plotly_chart"))
    at.button(key="sen_cp_wordorder_skip").click().run()
    assert not at.exception and len(at.get("plotly_chart")) == n_charts + 1
    gru = round(100 * ev["models"]["gru"]["word_order"]["accuracy"])
    assert any(f"The GRU gets {gru} %" in m.value for m in at.markdown)


def test_teacher_lock_disables_the_controls() -> None:
    at = open_page(PAGE, {"lock": "sen_text,sen_ex"})
    assert at.text_area(key="sen_text").disabled and at.selectbox(key="sen_ex").disabled
    assert not at.toggle(key="sen_units").disabled


def test_presentation_mode_uses_tabs() -> None:
    at = open_page(PAGE, {"present": "true"})
    assert not at.exception and len(at.tabs) >= 5


def test_text_box_survives_every_hostile_payload() -> None:
    from tests.test_hostile_pages import each_payload

    at = open_page(PAGE)
    for name, _ in each_payload(at, "text_area", "sen_text", ("info", "Type a short review")):
        chips = _chips(at)
        if name == "markdown":
            assert ">pwned</span>" in chips and "<h1" not in chips and "<a " not in chips
        if name == "huge":
            assert "at most 500" in at.warning[0].value
        assert at.get("plotly_chart") and len(at.metric) == 2
