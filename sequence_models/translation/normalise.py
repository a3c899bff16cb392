"""Typed English made to look like the training English: its case, its end mark, and word counts.

Students type "where is the nearest train station" or "tom and mary are in boston". The
subword vocabulary is cased, and the models learnt English as Tatoeba writes it ("Where",
"Tom", "Boston", "I", and a full stop or question mark at the end of every sentence), so
such input reads as a different, rarer language: on the test split, lower-case typing or a
missing end mark each cost the attention model more than half its BLEU (the evaluation
measures both). :func:`normalise` fixes both before the encoder reads the sentence.

The truecaser (Lita et al. 2003, in its simplest form), :func:`truecase`:

* every word typed in lower case whose usual form in the training English is capitalised
  gets that form (``tom`` → ``Tom``, ``i'm`` → ``I'm``, ``september`` → ``September``); the
  usual form is counted only away from the start of a sentence, where every word is
  capitalised;
* the first letter of each sentence is capitalised;
* text typed in capitals only (``WHERE IS TOM?``) is first lower-cased, then truecased; a single word
  in capitals in otherwise cased text (``hello THERE``) gets its usual form when the training English
  has the word (``TV`` stays ``TV``, an unknown ``NASA`` stays as typed);
* in text typed without any capital, a word the training English never contains is read as a
  name and capitalised (``my friend oluwaseun`` → ``My friend Oluwaseun``), so the copy step can
  carry it into the French.

Words the student wrote with a capital first letter are never changed, so properly cased text
passes through unchanged (except a lower-case sentence start or name, or one shouted word).

:func:`end_punctuation` adds the end mark a sentence lacks: ``?`` when it starts like a question
(``where``, ``is``, ``can``…, :data:`QUESTION_STARTS`), else ``.``.

The same table holds how often each word (lower-cased) occurs in the training English, so
the page can show which words of a sentence the model rarely or never saw.
The table is built from the training split by :func:`build_word_table` and ships in
``assets/translation/words.json`` (``python -m sequence_models train translation --words-only``).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sequence_models.runtime import AssetError, asset_path

WORDS_FILE = "translation/words.json"
#: A word (letters, inner apostrophes and hyphens), in any script.
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
#: Sentence starts: the text's start, or after ``.``, ``!``, ``?`` (and closing quotes) and a space.
SENTENCE_START = re.compile(r"(?:^|[.!?…][\"'»)\]]*\s+)[\"'«(\[]*([^\W\d_])")
#: A capitalised form replaces a lower-case word only when it is at least this share of the word's uses
#: away from a sentence start, and was seen at least ``MIN_FORM_COUNT`` times.
MIN_FORM_SHARE = 0.6
MIN_FORM_COUNT = 1


@dataclass(frozen=True)
class WordTable:
    """``forms``: lower-case word → its usual cased form, only where that differs (``"tom": "Tom"``);
    ``counts``: lower-case word → occurrences in the training English; ``sentences``: how many sentences."""
    forms: dict[str, str]
    counts: dict[str, int]
    sentences: int

    def count(self, word: str) -> int:
        """Occurrences of ``word`` (any case) in the training English; 0 for a word never seen."""
        return self.counts.get(word.lower(), 0)

    def seen(self, words: list[str]) -> list[int | None]:
        """Training count of each of ``words`` (``None`` for punctuation and numbers, which are not counted)."""
        return [self.count(w) if WORD.fullmatch(w) else None for w in words]

    def to_json(self) -> dict:
        return {"sentences": self.sentences, "forms": self.forms, "counts": self.counts}


#: A full stop after these does not end a sentence (``U.S. trade``, ``Mr. Smith``).
ABBREVIATION = re.compile(r"(?:^|[\s.])(?:[^\W\d_]|mr|mrs|ms|dr|st|jr|sr|vs|etc|no|p\.m|a\.m)\.[\"'»)\]]*\s+\S*$",
                          re.IGNORECASE)


def _sentence_initial(text: str) -> set[int]:
    """Character offsets of the first letter of every sentence in ``text`` (not after ``U.S.`` or ``Mr.``)."""
    return {m.start(1) for m in SENTENCE_START.finditer(text)
            if m.start() == 0 or not ABBREVIATION.search(text, 0, m.end())}


def build_word_table(sentences: Iterable[str]) -> WordTable:
    """Count the words of ``sentences`` (English, as written) into a :class:`WordTable`."""
    forms: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    n = 0
    for text in sentences:
        n += 1
        initial = _sentence_initial(text)
        for m in WORD.finditer(text):
            word = m.group()
            low = word.lower()
            counts[low] += 1
            if m.start() not in initial:
                forms[low][word] += 1
    usual: dict[str, str] = {}
    for low, seen in forms.items():
        form, k = seen.most_common(1)[0]
        if form != low and form.lower() == low and k >= MIN_FORM_COUNT and k >= MIN_FORM_SHARE * sum(seen.values()):
            usual[low] = form
    return WordTable(dict(sorted(usual.items())), dict(sorted(counts.items())), n)


def write_word_table(table: WordTable, path: Path) -> Path:
    path.write_text(json.dumps(table.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    return path


@lru_cache(maxsize=4)
def load_word_table(path: str | Path | None = None) -> WordTable:
    """The shipped table (``assets/translation/words.json``), read once; :class:`AssetError` when unreadable."""
    path = Path(path) if path else asset_path(WORDS_FILE)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        table = WordTable({str(k): str(v) for k, v in raw["forms"].items()},
                          {str(k): int(v) for k, v in raw["counts"].items()}, int(raw["sentences"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AssetError(f"cannot read the word table {path}: {exc}") from None
    return table


def _all_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 1 and not any(c.islower() for c in letters) and any(c.isupper() for c in letters)


def truecase(text: str, table: WordTable) -> str:
    """``text`` with the case the training English would use (see the module docstring)."""
    if _all_capitals(text):
        text = text.lower()
    uncased = not any(c.isupper() for c in text)
    chars = list(text)
    for m in WORD.finditer(text):
        word = m.group()
        if word == word.lower():
            form = table.forms.get(word) or (word[:1].upper() + word[1:] if uncased and not table.count(word) else None)
        elif len(word) > 1 and word.isupper():   # one shouted word ("hello THERE"): its usual form, if it has one
            low = word.lower()
            form = table.forms.get(low) or (low if table.count(low) else None)
        else:
            continue
        if form and len(form) == len(word):
            chars[m.start():m.end()] = form
    for i in _sentence_initial(text):
        chars[i] = chars[i].upper() if len(chars[i].upper()) == 1 else chars[i]
    return "".join(chars)


#: First words that make a sentence a question when it has no end mark (97 % right on the test split).
QUESTION_STARTS = frozenset(
    "who what where when why how which whose whom is are am was were do does did can could will would shall "
    "should may might have has had must isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't "
    "wouldn't shouldn't haven't hasn't".split())


def end_punctuation(text: str) -> str:
    """``text`` with ``?`` or ``.`` added when it ends in a letter or digit (no end mark at all)."""
    stripped = text.rstrip()
    if not stripped or not stripped[-1].isalnum():
        return text
    first = WORD.search(stripped)
    question = first is not None and first.group().lower().replace("’", "'") in QUESTION_STARTS
    return stripped + ("?" if question else ".")


def normalise(text: str, table: WordTable) -> str:
    """What the encoder reads: ``text`` truecased (:func:`truecase`), with an end mark if it had none."""
    return end_punctuation(truecase(text, table))
