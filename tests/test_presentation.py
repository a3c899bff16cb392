"""Presentation mode on every page: one idea per screen (tabs), controls folded away, state in the URL."""

from __future__ import annotations

import pytest

from tests.conftest import open_page
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
        assert at.query_params.get("screen") in ((None, label, [label]) if i == 0 else (label, [label])), at.query_params
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
