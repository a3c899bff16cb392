"""Read the NER data: CoNLL-style TSV files, one token a line, blank line between sentences.

Columns: token, OntoNotes BIO label (silver, from spaCy ``en_core_web_sm``), GMB BIO label
(gold, 8 types). See ``../shared/data/README.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sequence_models.runtime import data_dir

SPLITS = ("train", "dev", "test")

#: The 18 OntoNotes-5 entity types, in the order the tag set uses.
ONTONOTES_TYPES = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
                   "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")

#: BIO tag set: "O", then B-/I- for each type. Index 0 is "O".
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ONTONOTES_TYPES for p in ("B", "I"))


@dataclass(frozen=True)
class Sentence:
    """One sentence: its tokens, silver OntoNotes tags (column 2) and gold GMB tags (column 3)."""

    tokens: tuple[str, ...]
    silver: tuple[str, ...]
    gold: tuple[str, ...]


def split_path(split: str, root: str | os.PathLike[str] | None = None) -> Path:
    """Path of ``gmb_<split>.tsv`` under ``<data>/ner``."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return data_dir(root) / "ner" / f"gmb_{split}.tsv"


def read_sentences(path: str | os.PathLike[str], limit: int | None = None) -> list[Sentence]:
    """Read a TSV file into :class:`Sentence` objects (at most ``limit`` of them).

    Raises:
        ValueError: the file is missing or a line does not have three columns.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"NER data file not found: {path} (pass --data or set UNROLLED_DATA)")
    sentences: list[Sentence] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            cols = list(zip(*rows))
            sentences.append(Sentence(tuple(cols[0]), tuple(cols[1]), tuple(cols[2])))
            rows.clear()

    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                if limit is not None and len(sentences) >= limit:
                    return sentences
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path.name}:{lineno}: expected 3 tab-separated columns, got {len(parts)}")
            rows.append(parts)
    flush()
    return sentences[:limit] if limit is not None else sentences


def load_split(split: str, root: str | os.PathLike[str] | None = None, limit: int | None = None) -> list[Sentence]:
    """Read one split (``train``/``dev``/``test``) of the NER data."""
    return read_sentences(split_path(split, root), limit)
