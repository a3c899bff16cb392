"""How the 18 OntoNotes types the model predicts map to the course's ten entity types."""

from __future__ import annotations

#: Course type → the OntoNotes types it covers, in the course's order.
COURSE_TYPES: dict[str, tuple[str, ...]] = {
    "Person": ("PERSON",),
    "Organization": ("ORG",),
    "Location": ("GPE", "LOC"),
    "Date": ("DATE",),
    "Time": ("TIME",),
    "Money": ("MONEY",),
    "Percentage": ("PERCENT",),
    "Product": ("PRODUCT",),
    "Event": ("EVENT",),
    "Facility": ("FAC",),
}

#: OntoNotes types outside the course's ten, with a short gloss.
OTHER_TYPES: dict[str, str] = {
    "NORP": "nationality, religious or political group",
    "CARDINAL": "number that is not another type",
    "ORDINAL": "first, second, …",
    "QUANTITY": "measurement (weight, distance, …)",
    "WORK_OF_ART": "title of a book, song, …",
    "LAW": "named law or treaty",
    "LANGUAGE": "named language",
}

ONTONOTES_TO_COURSE: dict[str, str] = {o: c for c, os_ in COURSE_TYPES.items() for o in os_}

#: GMB gold type → comparable group, and OntoNotes type → the same groups (README of the data).
GMB_GROUPS: dict[str, str] = {"per": "person", "org": "organization", "geo": "location", "gpe": "location",
                              "tim": "date/time"}
ONTONOTES_GROUPS: dict[str, str] = {"PERSON": "person", "ORG": "organization", "GPE": "location",
                                    "LOC": "location", "DATE": "date/time", "TIME": "date/time"}


def course_type(label: str) -> str | None:
    """The course type of an OntoNotes label (``"GPE"`` → ``"Location"``), or ``None`` for the others."""
    return ONTONOTES_TO_COURSE.get(label)


def display_name(label: str) -> str:
    """What the page calls a label: the course name, or the OntoNotes name for the others."""
    return ONTONOTES_TO_COURSE.get(label, label)
