"""AppTest of the named-entity page: renders, reacts to widgets, escapes, survives bad URLs."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from sequence_models.ner.inference import COURSE_EXAMPLE, DEFAULT_TEXT, MAX_CHARS
from tests.conftest import open_page
from tests.tables import table_with, tables

PAGE = "pages/ner.py"


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _highlight(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith('<div class="ner-text"'))


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_default_page_shows_the_notes_examples() -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert DEFAULT_TEXT == COURSE_EXAMPLE and at.text_area(key="ner_text").value == DEFAULT_TEXT
    assert at.text_area(key="ner_text").max_chars == MAX_CHARS
    assert at.selectbox(key="ner_ex").options[0].startswith("The course notes' ten types")
    first = _highlight(at)
    assert "Steve Jobs" in first and "<mark" in first
    assert len(at.get("plotly_chart")) == 1
    assert "What you will see." in _html(at) and any(h.value == "Try this" for h in at.subheader)
    entities = table_with(at, "OntoNotes label")
    assert {"PERSON", "MONEY", "TIME"} <= {row["OntoNotes label"] for row in entities}
    assert at.get("download_button")                                # the entity-spans JSON export


def test_one_entity_is_singular() -> None:
    at = open_page(PAGE)
    at.text_area(key="ner_text").set_value("Barack Obama spoke.").run()
    assert "1 entity shown." in _captions(at) and "1 entities" not in _captions(at)


def test_script_text_is_shown_escaped() -> None:
    at = open_page(PAGE)
    at.text_area(key="ner_text").set_value("<script>alert(1)</script> Barack Obama visited Paris.").run()
    assert not at.exception
    page = _html(at)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in _highlight(at)


def test_empty_text_prompts_instead_of_failing() -> None:
    at = open_page(PAGE)
    at.text_area(key="ner_text").set_value("   ").run()
    assert not at.exception and not at.get("plotly_chart")
    assert "Type or paste some English text" in at.info[0].value


def test_text_at_the_cap_says_so_and_long_text_stays_out_of_the_url() -> None:
    at = open_page(PAGE)
    at.text_area(key="ner_text").set_value("Paris is big. " * 400).run()  # 5,600 characters: the box keeps 5,000
    assert not at.exception
    assert f"at most {MAX_CHARS:,}" in at.warning[0].value
    assert len(at.get("plotly_chart")) == 1
    assert "ner_text" not in at.query_params and "too long to travel in the page's address" in _captions(at)
    short = "Barack Obama visited Paris."
    at.text_area(key="ner_text").set_value(short).run()
    assert at.query_params["ner_text"] in (short, [short]) and "too long to travel" not in _captions(at)
    medium = "Paris is big. " * 101                                      # 1,414 characters, 2,000+ encoded
    assert len(quote(medium, safe="")) > 2000
    at.text_area(key="ner_text").set_value(medium).run()
    assert "ner_text" not in at.query_params and not at.warning


def test_example_menu_replaces_the_text_and_filter_hides_types() -> None:
    at = open_page(PAGE)
    label = next(o for o in at.selectbox(key="ner_ex").options if o.startswith("Percentage"))
    at.selectbox(key="ner_ex").set_value(label).run()
    text = at.text_area(key="ner_text").value
    assert "2.5%" in text and "$2 billion" in text and "2.5%" in _highlight(at)
    assert "Percentage" in _highlight(at)
    at.pills(key="ner_types").set_value(["Person"]).run()
    assert not at.exception and "<mark" not in _highlight(at)


def test_typing_over_an_example_sets_the_menu_back_to_no_example() -> None:
    at = open_page(PAGE)
    assert at.selectbox(key="ner_ex").value is None                     # nothing claimed for the starting text
    label = next(o for o in at.selectbox(key="ner_ex").options if o.startswith("Event"))
    at.selectbox(key="ner_ex").set_value(label).run()
    example = at.text_area(key="ner_text").value
    assert at.selectbox(key="ner_ex").value == label and "Katrina" in example
    at.text_area(key="ner_text").set_value(example + " Then Paris flooded.").run()
    assert not at.exception
    assert at.selectbox(key="ner_ex").value is None                     # no longer claims to be the example
    assert at.text_area(key="ner_text").value.endswith("Then Paris flooded.")
    assert "Paris" in _highlight(at)
    at.selectbox(key="ner_ex").set_value(label).run()                   # picking it again restores the example
    assert at.text_area(key="ner_text").value == example and at.selectbox(key="ner_ex").value == label
    at.selectbox(key="ner_ex").set_value(None).run()                    # clearing the menu keeps the text
    assert at.text_area(key="ner_text").value == example and not at.exception


def test_a_link_whose_text_is_not_its_example_shows_no_example() -> None:
    label = next(o for o in open_page(PAGE).selectbox(key="ner_ex").options if o.startswith("Event"))
    at = open_page(PAGE, {"ner_ex": label, "ner_text": "Barack Obama visited Paris."})
    assert not at.exception
    assert at.selectbox(key="ner_ex").value is None
    assert at.text_area(key="ner_text").value == "Barack Obama visited Paris." and "Obama" in _highlight(at)
    at = open_page(PAGE, {"ner_ex": label})                            # the example alone still fills the text
    assert at.selectbox(key="ner_ex").value == label and "Katrina" in at.text_area(key="ner_text").value


def test_model_switch_and_all_tags_change_the_heatmap() -> None:
    at = open_page(PAGE)
    fig = at.get("plotly_chart")[0].proto.spec
    at.segmented_control(key="ner_hm").set_value("Forward-only LSTM").run()
    at.toggle(key="ner_alltags").set_value(True).run()
    assert not at.exception
    fig2 = at.get("plotly_chart")[0].proto.spec
    assert fig2 != fig and '"B-LAW"' in fig2
    assert "**Forward-only LSTM: softmax p(tag | words up to here)**" in _html(at)


def test_invalid_tag_pair_is_shown_as_the_reason_for_crf_rules() -> None:
    at = open_page(PAGE)
    at.text_area(key="ner_text").set_value("Shares of Apple Inc. rose on Monday.").run()
    page = _html(at)
    assert "Why the CRF has rules" in page
    strip = [m.value for m in at.markdown if m.value.startswith('<div class="ner-tagstrip"')]
    if strip:                                                   # the forward-only model made an invalid pair
        assert "→ ✗" in strip[0] and "-10,000" in page and "**invalid**" in page
    else:
        assert "made no invalid pair" in page


def test_jordan_checkpoint_hides_the_table_until_checked() -> None:
    at = open_page(PAGE)
    assert not any(t and "tag of “Jordan”" in t[0] for t in tables(at))
    at.radio(key="ner_cp_jordan_guess").set_value("No").run()
    at.button(key="ner_cp_jordan_check").click().run()
    assert not at.exception
    assert len(table_with(at, "tag of “Jordan”")) == 4           # two sentences × two models
    revealed = "\n".join(x.value for x in (*at.success, *at.info))
    assert "It tags “Jordan” as" in revealed


def test_evaluation_checkpoint_reveals_the_table_with_course_types_first() -> None:
    at = open_page(PAGE)
    at.button(key="ner_cp_lowest_skip").click().run()
    assert not at.exception
    table = table_with(at, "F1 BiLSTM-CRF")
    assert [row["type"] for row in table[:4]] == ["all types (micro)", "PERSON", "ORG", "GPE"]
    assert all(len(row["F1 BiLSTM-CRF"].split(".")[-1]) == 3 for row in table)      # three decimals
    assert "Micro-F1 of the BiLSTM-CRF" in _html(at)
    at.segmented_control(key="ner_set").set_value("GMB news, lower-case").run()
    assert not at.exception


def test_a_teacher_lock_disables_the_controls() -> None:
    at = open_page(PAGE, {"lock": "ner_text,ner_ex,ner_types"})
    assert at.text_area(key="ner_text").disabled and at.selectbox(key="ner_ex").disabled
    assert at.pills(key="ner_types").disabled and not at.toggle(key="ner_alltags").disabled


@pytest.mark.parametrize("query", [
    {"ner_types": "<script>", "ner_hm": "bogus", "ner_ex": "nonsense", "ner_alltags": "maybe", "ner_set": "x"},
    {"ner_text": "<img src=x onerror=alert(1)>"},
    {"ner_text": "Jordan River", "ner_types": "Location"},
    {"ner_text": "—" * 1996},
])
def test_odd_query_strings_fall_back(query: dict[str, str]) -> None:
    at = open_page(PAGE, query)
    assert not at.exception
    page = _html(at)
    assert "<img" not in page and "<script>" not in page


def test_text_survives_a_visit_to_another_page() -> None:
    """A student edits the text, opens another lesson, comes back: the edited text is still there."""
    at = open_page("pages/ner.py")
    at.text_area(key="ner_text").set_value("Jane Smith flew to Paris.").run()
    at.switch_page("pages/gradients.py").run()
    assert not at.exception
    at.switch_page("pages/ner.py").run()
    assert not at.exception
    assert at.text_area(key="ner_text").value == "Jane Smith flew to Paris."
