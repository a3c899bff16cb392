"""Lower-casing word tokenisers for English and French (no longer used by the models).

The translation models now read and write cased SentencePiece pieces
(:mod:`~sequence_models.translation.subwords`); these word tokenisers are kept because
``tests/test_properties.py`` still checks them. They can go once that test does.

The rules are deliberately simple so a student can predict them:

* Unicode NFC, curly apostrophes ``’`` become ``'``, non-breaking spaces become spaces,
  everything is lower-cased.
* **English**: a token is a run of letters/digits that may contain inner apostrophes
  (``don't``, ``tom's`` stay whole), or one punctuation character.
* **French**: an elided word keeps its apostrophe and is split from the next word
  (``l'homme`` → ``l'`` ``homme``, ``qu'il`` → ``qu'`` ``il``); hyphenated words stay
  whole (``est-ce``, ``peut-être``); every other punctuation character is a token.

:func:`detokenize_fr` undoes the French split for display and for BLEU (sacreBLEU
re-tokenises with its own ``13a`` rules, so only spacing around punctuation is lost).
"""

from __future__ import annotations

import re
import unicodedata

_EN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]|_")
_FR = re.compile(r"[^\W_]+'|[^\W_]+(?:-[^\W_]+)*|[^\w\s]|_")
_ELIDED = re.compile(r"(\w') ")
_NO_SPACE_BEFORE = re.compile(r" ([.,)\]}…])")
_NO_SPACE_AFTER = re.compile(r"([(\[{]) ")


def normalise(text: str) -> str:
    """NFC, straight apostrophes, plain spaces, lower case, collapsed whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.lower().split())


def tokenize_en(text: str) -> list[str]:
    """English sentence → lower-cased tokens, e.g. ``"Tom's here!"`` → ``["tom's", "here", "!"]``."""
    return _EN.findall(normalise(text))


def tokenize_fr(text: str) -> list[str]:
    """French sentence → lower-cased tokens, e.g. ``"L'eau est-elle froide ?"`` →
    ``["l'", "eau", "est-elle", "froide", "?"]``."""
    return _FR.findall(normalise(text))


def detokenize_fr(tokens: list[str]) -> str:
    """Join French tokens for reading: ``["l'", "eau", "."]`` → ``"l'eau."``.

    ``? ! : ;`` keep the space before them, as French typography (and Tatoeba) does.
    """
    text = " ".join(tokens)
    text = _ELIDED.sub(r"\1", text)
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    return _NO_SPACE_AFTER.sub(r"\1", text)


def count_words(text: str) -> int:
    """Words in an English sentence as used for the length buckets: whitespace-separated pieces."""
    return len(text.split())
