"""Issue 11, item 5: names and places the training split never contains are copied through."""

from __future__ import annotations

import re

import pytest

from sequence_models.translation.data import read_pairs
from sequence_models.translation.names import NAME_SENTENCES, missing_names, names_copied
from sequence_models.translation.translate import load_model, translate


def test_the_names_test_is_big_enough_and_checks_real_copies() -> None:
    assert len(NAME_SENTENCES) >= 30
    assert all(all(n in s for n in names) for s, names in NAME_SENTENCES)
    sentences = [("Orla met Keziah.", ["Orla", "Keziah"])]
    assert names_copied(["Orla a rencontré Keziah."], sentences) == (2, 2)
    assert names_copied(["Orlando a rencontré Kez."], sentences) == (0, 2)   # whole words only
    assert missing_names(["Orla a rencontré quelqu'un."], sentences) == ["Keziah"]


def test_no_name_occurs_in_the_training_split(shared_data) -> None:
    words: set[str] = set()
    for p in read_pairs("train"):
        words.update(re.findall(r"\w+", p.en))
        words.update(re.findall(r"\w+", p.fr))
    seen = [n for _, names in NAME_SENTENCES for n in names if n in words]
    assert not seen, f"in the training split: {seen}"


@pytest.mark.slow
def test_attention_model_copies_at_least_90_percent_of_unseen_names() -> None:
    tr = load_model("attention")
    outputs = [translate(tr, s).translation for s, _ in NAME_SENTENCES]
    copied, total = names_copied(outputs)
    assert copied / total >= 0.9, f"{copied}/{total} copied; missing {missing_names(outputs)}"
