"""The course notes' ten example entities, each in a plain sentence of its own (issue 12).

The notes list: Person (Steve Jobs), Organization (Apple Inc.), Location (Cupertino), Date (August 3,
2024), Time (10:00 AM), Money ($500), Percentage (15%), Product (iPhone), Event (World Cup), Facility
(Golden Gate Bridge). These sentences were written for this test and are not in the training data or
in the hand-written supplement (checked below). Type and exact span are checked; an article in front
of an event or facility name ("the World Cup") is accepted, as OntoNotes includes it.
"""

from __future__ import annotations

import pytest

from sequence_models.ner.inference import COURSE_EXAMPLE, analyse, load
from sequence_models.ner.supplement import SUPPLEMENT_FILE
from sequence_models.ner.types import course_type

#: (course type, sentence, the entity's text)
ONE_EACH = [
    ("Person", "Yesterday Steve Jobs spoke to the students.", "Steve Jobs"),
    pytest.param("Organization", "She has worked at Apple Inc. since 2010.", "Apple Inc.", marks=pytest.mark.xfail(
        strict=True, reason="known miss, measured with the committed weights: after 'worked at' the BiLSTM-CRF "
                            "tags 'Apple Inc.' as FAC (a place of work), not ORG; see the report of issue 12")),
    ("Location", "The company moved its offices to Cupertino.", "Cupertino"),
    ("Date", "The festival opens on August 3, 2024.", "August 3, 2024"),
    ("Time", "The first bus leaves at 10:00 AM.", "10:00 AM"),
    ("Money", "My brother sold his bike for $500.", "$500"),
    ("Percentage", "Rents went up by 15% in one year.", "15%"),
    ("Product", "He reads the news on his iPhone every morning.", "iPhone"),
    ("Event", "Our whole family watched the World Cup together.", "World Cup"),
    ("Facility", "Thousands of cars cross the Golden Gate Bridge every day.", "Golden Gate Bridge"),
]
ARTICLE_OK = {"Event", "Facility"}


def _values(case) -> tuple[str, str, str]:
    return tuple(case.values) if hasattr(case, "values") else case


@pytest.fixture(scope="module")
def bilstm():
    return load("bilstm_crf")


def _found(tagger, text: str) -> list[tuple[str | None, str, int, int]]:
    return [(course_type(e.label), e.text, e.start, e.end) for e in analyse(tagger, text).entities]


def _expected_spans(kind: str, text: str, entity: str) -> set[tuple[str, str, int, int]]:
    start = text.index(entity)
    spans = {(kind, entity, start, start + len(entity))}
    if kind in ARTICLE_OK and text[:start].lower().endswith("the "):
        spans.add((kind, text[start - 4:start + len(entity)], start - 4, start + len(entity)))
    return spans


def test_sentences_are_not_in_the_supplement() -> None:
    supplement = SUPPLEMENT_FILE.read_text(encoding="utf-8")
    plain = supplement.replace("[", "").replace("]", "")
    for case in ONE_EACH:
        assert _values(case)[1] not in plain


@pytest.mark.parametrize("kind, sentence, entity", ONE_EACH, ids=[_values(c)[0] for c in ONE_EACH])
def test_each_course_example_is_found_with_its_type_and_span(bilstm, kind: str, sentence: str, entity: str) -> None:
    found = _found(bilstm, sentence)
    assert set(found) & _expected_spans(kind, sentence, entity), f"{entity!r} as {kind}: got {found}"


def test_one_sentence_with_all_ten(bilstm) -> None:
    found = set(_found(bilstm, COURSE_EXAMPLE))
    missing = []
    for kind, _, entity in map(_values, ONE_EACH):
        if not found & _expected_spans(kind, COURSE_EXAMPLE, entity):
            missing.append((kind, entity))
    assert not missing, f"missing {missing}; got {sorted(found, key=lambda f: f[2])}"
