"""Read the NER data: CoNLL-style TSV files, one token a line, blank line between sentences.

Two corpora under ``<data>/ner`` (see ``../shared/data/README.md``):

* ``gmb_<split>.tsv``: news; columns token, OntoNotes BIO label (silver, from spaCy
  ``en_core_web_sm``), GMB BIO label (gold, 8 types);
* ``tatoeba_<split>.tsv``: everyday sentences; columns token, silver OntoNotes BIO label
  (no gold column: :attr:`Sentence.gold` is empty).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sequence_models.runtime import DataError, data_dir, require_data_file, require_examples

SPLITS = ("train", "dev", "test")
CORPORA = ("gmb", "tatoeba")

#: The 18 OntoNotes-5 entity types, in the order the tag set uses.
ONTONOTES_TYPES = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
                   "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")

#: BIO tag set: "O", then B-/I- for each type. Index 0 is "O".
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ONTONOTES_TYPES for p in ("B", "I"))


@dataclass(frozen=True)
class Sentence:
    """One sentence: its tokens, silver OntoNotes tags (column 2) and gold GMB tags (column 3, or ``()``)."""

    tokens: tuple[str, ...]
    silver: tuple[str, ...]
    gold: tuple[str, ...]


def split_path(split: str, root: str | os.PathLike[str] | None = None, corpus: str = "gmb") -> Path:
    """Path of ``<corpus>_<split>.tsv`` under ``<data>/ner``."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if corpus not in CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; choose one of {', '.join(CORPORA)}")
    return data_dir(root) / "ner" / f"{corpus}_{split}.tsv"


def read_sentences(path: str | os.PathLike[str], limit: int | None = None) -> list[Sentence]:
    """Read a TSV file into :class:`Sentence` objects (at most ``limit`` of them).

    Files have two columns (token, silver tag) or three (plus the gold tag); one file uses one layout.

    Raises:
        DataError: the file is missing, empty or unreadable, or a line has the wrong number of columns.
    """
    path = require_data_file(path, "NER data file")
    sentences: list[Sentence] = []
    rows: list[list[str]] = []

    width: list[int] = []

    def flush() -> None:
        if rows:
            cols = list(zip(*rows))
            sentences.append(Sentence(tuple(cols[0]), tuple(cols[1]), tuple(cols[2]) if len(cols) > 2 else ()))
            rows.clear()

    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read NER data file {path}: {exc.strerror or exc}") from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                if limit is not None and len(sentences) >= limit:
                    return sentences
                continue
            parts = line.split("\t")
            if not width:
                width.append(len(parts))
            if len(parts) != width[0] or len(parts) not in (2, 3):
                raise DataError(f"{path.name}:{lineno}: expected {width[0] if width[0] in (2, 3) else '2 or 3'} "
                                f"tab-separated columns, got {len(parts)}")
            rows.append(parts)
    flush()
    return sentences[:limit] if limit is not None else sentences


def load_split(split: str, root: str | os.PathLike[str] | None = None, limit: int | None = None,
               corpus: str = "gmb") -> list[Sentence]:
    """Read one split (``train``/``dev``/``test``) of one corpus; :class:`DataError` if it holds no sentence."""
    path = split_path(split, root, corpus)
    try:
        sentences = read_sentences(path, limit)
    except UnicodeDecodeError:
        raise DataError(f"NER data file is not UTF-8 text: {path}") from None
    return require_examples(sentences, path, "sentences")


CURRENCY = frozenset("$£€¥") | {"US$", "C$", "A$", "HK$"}
_CLOCK = re.compile(r"^\d{1,2}(?::\d\d)?$")
_MERIDIEM = frozenset({"am", "pm", "a.m.", "p.m.", "a.m", "p.m"})


def repair_boundaries(tokens: Sequence[str], tags: Sequence[str]) -> tuple[str, ...]:
    """Make the silver labels follow OntoNotes' span rules where spaCy-small is inconsistent.

    * a currency sign right before a MONEY span belongs to it (``$ 500``: the silver data leave
      the ``$`` outside about a third of the time in GMB and almost always in Tatoeba);
    * a clock time followed by ``AM``/``p.m.`` is one TIME span (``10:00 AM``, ``6 a.m.``),
      however the parts were labelled.

    Used for training labels only; evaluation keeps the silver labels as they are.
    """
    out = list(tags)
    n = len(tokens)
    for i in range(n - 1):
        if tokens[i] in CURRENCY and out[i] == "O" and out[i + 1] in ("B-MONEY", "I-MONEY"):
            out[i], out[i + 1] = "B-MONEY", "I-MONEY"
    for i in range(n - 1):
        if _CLOCK.match(tokens[i]) and tokens[i + 1].lower() in _MERIDIEM:
            inside = out[i].endswith("-TIME") and out[i].startswith("I-")
            out[i] = "I-TIME" if inside else "B-TIME"
            out[i + 1] = "I-TIME"
            if i + 2 < n and out[i + 2].startswith("I-") and not out[i + 2].endswith("-TIME"):
                out[i + 2] = "B-" + out[i + 2][2:]
    return tuple(out)
