"""Sentences of our own with first names and places the training split never contains.

A teacher types a student's name first. With subword pieces a name the model never saw is
still readable (as several pieces), and a model that learnt to copy names can write the same
pieces back out. :func:`names_copied` counts how many of these names a translation copies
verbatim; ``tests/test_translation_names.py`` checks that none of them occurs in the training
split and that the attention model copies at least 90 % of them.
"""

from __future__ import annotations

import re

#: (English sentence, the names in it that must appear unchanged in the French output).
#: Places whose French name differs (Cracovie, Tombouctou…) are deliberately left out.
NAME_SENTENCES: list[tuple[str, list[str]]] = [
    ("Oluwaseun lives in Harare.", ["Oluwaseun", "Harare"]),
    ("Siobhan is my best friend.", ["Siobhan"]),
    ("Priyanka bought a new bicycle.", ["Priyanka"]),
    ("Kwabena works in a hospital.", ["Kwabena"]),
    ("Mateusz and Anneliese are getting married.", ["Mateusz", "Anneliese"]),
    ("Thandiwe is reading a book.", ["Thandiwe"]),
    ("Where is Ingrid?", ["Ingrid"]),
    ("Yusuf is a teacher.", ["Yusuf"]),
    ("Leilani wants to go to Galway.", ["Leilani", "Galway"]),
    ("Aurelio speaks three languages.", ["Aurelio"]),
    ("Esperanza has two brothers.", ["Esperanza"]),
    ("Gwendolyn is taller than her sister.", ["Gwendolyn"]),
    ("Hamid visited Ljubljana last summer.", ["Hamid", "Ljubljana"]),
    ("Ludmila doesn't like coffee.", ["Ludmila"]),
    ("Magnus was born in Trondheim.", ["Magnus", "Trondheim"]),
    ("Nkechi plays the piano.", ["Nkechi"]),
    ("Sigrid is waiting for you.", ["Sigrid"]),
    ("Tadeusz lost his keys.", ["Tadeusz"]),
    ("I met Wilhelmina yesterday.", ["Wilhelmina"]),
    ("Xiomara is a doctor.", ["Xiomara"]),
    ("Bogdan called me this morning.", ["Bogdan"]),
    ("Fatoumata studies in Bamako.", ["Fatoumata", "Bamako"]),
    ("Lorcan is very tired.", ["Lorcan"]),
    ("Saoirse loves cats.", ["Saoirse"]),
    ("Tamsin moved to Winnipeg.", ["Tamsin", "Winnipeg"]),
    ("Benedikt is learning French.", ["Benedikt"]),
    ("Anika and Finnian are cousins.", ["Anika", "Finnian"]),
    ("Laszlo has a red car.", ["Laszlo"]),
    ("Nilufar is at home.", ["Nilufar"]),
    ("Rosalind wrote a letter to her mother.", ["Rosalind"]),
    ("Svetlana is from Plovdiv.", ["Svetlana", "Plovdiv"]),
    ("Teodora likes to swim.", ["Teodora"]),
    ("Zainab is my neighbour.", ["Zainab"]),
    ("Kaveh drinks tea every morning.", ["Kaveh"]),
    ("Lindiwe works in Gaborone.", ["Lindiwe", "Gaborone"]),
    ("Marisol is happy today.", ["Marisol"]),
    ("Tiago went to Uppsala by train.", ["Tiago", "Uppsala"]),
    ("Wanjiru runs every day.", ["Wanjiru"]),
    ("My uncle lives in Saskatoon.", ["Saskatoon"]),
    ("We spent a week in Lausanne.", ["Lausanne"]),
    ("The train to Aarhus is late.", ["Aarhus"]),
    ("Orla is older than Keziah.", ["Orla", "Keziah"]),
]


def _found(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def names_copied(outputs: list[str], sentences: list[tuple[str, list[str]]] | None = None) -> tuple[int, int]:
    """(names found verbatim in the matching output, names in all) for translations of ``sentences``."""
    sentences = NAME_SENTENCES if sentences is None else sentences
    total = sum(len(names) for _, names in sentences)
    copied = sum(_found(n, out) for (_, names), out in zip(sentences, outputs) for n in names)
    return copied, total


def missing_names(outputs: list[str], sentences: list[tuple[str, list[str]]] | None = None) -> list[str]:
    """The names that an output did not copy (for test messages)."""
    sentences = NAME_SENTENCES if sentences is None else sentences
    return [n for (_, names), out in zip(sentences, outputs) for n in names if not _found(n, out)]
