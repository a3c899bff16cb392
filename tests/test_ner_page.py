"""AppTest of the named-entity page: renders, reacts to widgets, escapes, survives bad URLs."""

from __future__ import annotations

import pytest

from sequence_models.ner.inference import DEFAULT_TEXT, MAX_CHARS
from tests.conftest import open_page

PAGE = "pages/ner.py"


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _highlight(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith('<div class="ner-text"'))


def test_default_page_shows_course_example_entities() -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert at.text_area(key="text").value == DEFAULT_TEXT
    first = _highlight(at)
    assert "$1 billion" in first and "<mark" in first
    assert len(at.get("plotly_chart")) == 1
    assert "What you will see." in _html(at) and any(h.value == "Try this" for h in at.subheader)
    entities = at.dataframe[0].value
    assert {"MONEY", "GPE"} <= set(entities["OntoNotes label"])


def test_script_text_is_shown_escaped() -> None:
    at = open_page(PAGE)
    at.text_area(key="text").set_value("<script>alert(1)</script> Barack Obama visited Paris.").run()
    assert not at.exception
    page = _html(at)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in _highlight(at)


def test_empty_text_prompts_instead_of_failing() -> None:
    at = open_page(PAGE)
    at.text_area(key="text").set_value("   ").run()
    assert not at.exception and not at.get("plotly_chart")
    assert "Type or paste some English text" in at.info[0].value


def test_overlong_text_is_cut_with_a_message() -> None:
    at = open_page(PAGE)
    at.text_area(key="text").set_value("Paris is big. " * 400).run()  # 5,600 characters
    assert not at.exception
    assert f"at most {MAX_CHARS:,}" in at.warning[0].value
    assert len(at.get("plotly_chart")) == 1


def test_example_menu_replaces_the_text_and_filter_hides_types() -> None:
    at = open_page(PAGE)
    label = next(o for o in at.selectbox(key="ex").options if o.startswith("Percentage"))
    at.selectbox(key="ex").set_value(label).run()
    text = at.text_area(key="text").value
    assert "2.5%" in text and "$2 billion" in text and "2.5%" in _highlight(at)
    assert "Percentage" in _highlight(at)
    at.pills(key="types").set_value(["Person"]).run()
    assert not at.exception and "<mark" not in _highlight(at)


def test_typing_over_an_example_sets_the_menu_back_to_no_example() -> None:
    at = open_page(PAGE)
    assert at.selectbox(key="ex").value is None                     # nothing claimed for the starting text
    label = next(o for o in at.selectbox(key="ex").options if o.startswith("Event"))
    at.selectbox(key="ex").set_value(label).run()
    example = at.text_area(key="text").value
    assert at.selectbox(key="ex").value == label and "Katrina" in example
    at.text_area(key="text").set_value(example + " Then Paris flooded.").run()
    assert not at.exception
    assert at.selectbox(key="ex").value is None                     # no longer claims to be the example
    assert at.text_area(key="text").value.endswith("Then Paris flooded.")
    assert "Paris" in _highlight(at)
    at.selectbox(key="ex").set_value(label).run()                   # picking it again restores the example
    assert at.text_area(key="text").value == example and at.selectbox(key="ex").value == label
    at.selectbox(key="ex").set_value(None).run()                    # clearing the menu keeps the text
    assert at.text_area(key="text").value == example and not at.exception


def test_a_link_whose_text_is_not_its_example_shows_no_example() -> None:
    label = next(o for o in open_page(PAGE).selectbox(key="ex").options if o.startswith("Event"))
    at = open_page(PAGE, {"ex": label, "text": "Barack Obama visited Paris."})
    assert not at.exception
    assert at.selectbox(key="ex").value is None
    assert at.text_area(key="text").value == "Barack Obama visited Paris." and "Obama" in _highlight(at)
    at = open_page(PAGE, {"ex": label})                            # the example alone still fills the text
    assert at.selectbox(key="ex").value == label and "Katrina" in at.text_area(key="text").value


def test_model_switch_and_all_tags_change_the_heatmap() -> None:
    at = open_page(PAGE)
    fig = at.get("plotly_chart")[0].proto.spec
    at.segmented_control(key="hm").set_value("Forward-only LSTM").run()
    at.toggle(key="alltags").set_value(True).run()
    assert not at.exception
    fig2 = at.get("plotly_chart")[0].proto.spec
    assert fig2 != fig and "Forward-only LSTM" in fig2 and '"B-LAW"' in fig2


@pytest.mark.parametrize("query", [
    {"types": "<script>", "hm": "bogus", "ex": "nonsense", "alltags": "maybe", "ref": "x"},
    {"text": "<img src=x onerror=alert(1)>"},
    {"text": "Jordan River", "types": "Location"},
])
def test_odd_query_strings_fall_back(query: dict[str, str]) -> None:
    at = open_page(PAGE, query)
    assert not at.exception
    page = _html(at)
    assert "<img" not in page and "<script>" not in page
