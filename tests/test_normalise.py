"""Typed English made to look like the training English (``sequence_models.translation.normalise``)."""

from __future__ import annotations

import json

import pytest

from sequence_models.cli import main as cli_main
from sequence_models.runtime import AssetError
from sequence_models.translation.normalise import (WordTable, build_word_table, end_punctuation, load_word_table,
                                                   normalise, truecase)

CORPUS = ["Tom is here.", "I saw Tom in Paris.", "Where is Tom?", "I think I like it.", "We met on Monday.",
          "The store opens on Monday.", "It is a bill.", "Bill paid the bill.", "Paris is far. Tom is not.",
          "Now I know.", "We love Paris."]


@pytest.fixture(scope="module")
def table() -> WordTable:
    return build_word_table(CORPUS)


def test_usual_forms_are_counted_away_from_sentence_starts(table: WordTable) -> None:
    assert table.forms["tom"] == "Tom" and table.forms["i"] == "I" and table.forms["monday"] == "Monday"
    # "The"/"Where" only ever start a sentence: no capitalised form; "bill" is lower case as often as not
    assert "the" not in table.forms and "where" not in table.forms and "bill" not in table.forms
    assert table.count("tom") == table.count("TOM") == 4 and table.count("bill") == 3 and table.count("zzz") == 0
    assert table.forms["paris"] == "Paris"
    assert table.sentences == len(CORPUS)
    assert table.seen(["Tom", ",", "1992", "zzz"]) == [4, None, None, 0]


@pytest.mark.parametrize("typed, expected", [
    ("where is tom?", "Where is Tom?"),
    ("i saw tom in paris on monday. where is tom!", "I saw Tom in Paris on Monday. Where is Tom!"),
    ("WHERE IS TOM?", "Where is Tom?"),
    ("i saw oluwaseun in paris.", "I saw Oluwaseun in Paris."),     # never seen → read as a name
    ("Where is Tom?", "Where is Tom?"),                                   # cased text passes through
    ("I saw oluwaseun.", "I saw oluwaseun."),  # typed with some capitals: no guessing
    ("the U.S. economy", "The U.S. economy"),                             # no sentence start after "U.S."
    ("Where is TOM? I saw NASA.", "Where is Tom? I saw NASA."),           # one shouted word: its usual form if known
    ("", ""),
    ("123 !?", "123 !?"),
])
def test_truecase(table: WordTable, typed: str, expected: str) -> None:
    assert truecase(typed, table) == expected


def test_truecase_keeps_odd_text_whole(table: WordTable) -> None:
    for text in ("<script>alert('x')</script>", "привет, как дела?", "ǆungla ß İstanbul 🙂", "a" * 600):
        out = truecase(text, table)
        assert out.lower() == text.lower()
        assert len(out.split()) == len(text.split())


def test_shipped_table_restores_classroom_typing() -> None:
    words = load_word_table()
    assert truecase("jane visits africa in september.", words) == "Jane visits Africa in September."
    assert truecase("i'm going to paris with tom on monday.", words) == "I'm going to Paris with Tom on Monday."
    assert words.count("the") > 10000 and words.count("recurrent") == 0 and words.sentences > 100000


def test_a_corrupt_table_is_an_asset_error(tmp_path) -> None:
    bad = tmp_path / "words.json"
    bad.write_text("{not json")
    with pytest.raises(AssetError, match="cannot read the word table"):
        load_word_table(bad)
    bad.write_text(json.dumps({"forms": {}}))
    with pytest.raises(AssetError):
        load_word_table(str(bad))


def test_training_can_write_only_the_word_table(shared_data, tmp_path) -> None:
    out = tmp_path / "attention.pt"
    assert cli_main(["train", "translation", "--limit", "200", "--words-only", "--out", str(out)]) == 0
    assert not out.exists()
    table = load_word_table(tmp_path / "words.json")
    assert table.sentences == 200 and table.forms.get("tom") == "Tom"


@pytest.mark.parametrize("typed, expected", [
    ("where is tom", "where is tom?"), ("Tom is here", "Tom is here."), ("Isn't it late", "Isn't it late?"),
    ("Do you like it 2", "Do you like it 2?"), ("I am here.", "I am here."), ("Is it?", "Is it?"),
    ("Wow!", "Wow!"), ("He said “yes”", "He said “yes”"), ("ok  ", "ok."), ("", ""), ("...", "..."),
    ("привет", "привет."),
])
def test_end_punctuation(typed: str, expected: str) -> None:
    assert end_punctuation(typed) == expected


def test_normalise_fixes_case_and_end_mark_together(table: WordTable) -> None:
    assert normalise("where is tom", table) == "Where is Tom?"
    assert normalise("tom is in paris", table) == "Tom is in Paris."
    assert normalise("Where is Tom?", table) == "Where is Tom?"
