"""Read the sentiment data and turn text into tokens and ids.

Files: ``<data>/sentiment/{train,dev,test}.tsv``, a header ``text<TAB>label`` then one
example a line, label ``pos`` or ``neg`` (see ``../shared/data/sentiment/README.md``).
Training data and student input go through the same :func:`tokenize`.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sequence_models.runtime import DataError, data_dir, require_data_file, require_examples

SPLITS = ("train", "dev", "test")
LABELS = ("neg", "pos")

#: Shown next to everything built on this data (the licence requires it); copied from the data's README.
ATTRIBUTION = (
    'This dataset is derived from the "Pros and Cons" dataset by Bing Liu (Murthy Ganapathibhotla and '
    'Bing Liu, COLING 2008) and the "Customer Review" datasets by Minqing Hu and Bing Liu (KDD 2004) and '
    "Xiaowen Ding, Bing Liu and Philip S. Yu (WSDM 2008), as distributed in NLTK Data "
    "(https://github.com/nltk/nltk_data), licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Changes: HTML entities decoded and whitespace "
    "normalised; sentence labels derived from the feature-opinion annotations; empty, \"none\"-type and "
    "label-conflicting entries removed; duplicates removed; split into train/dev/test."
)

PAD, UNK = "<pad>", "<unk>"
_TOKEN = re.compile(r"n't|[a-z0-9]+(?:[.,][0-9]+)*|'[a-z]+|[^\sa-z0-9]")


@dataclass(frozen=True)
class Example:
    """One labelled text: ``label`` is 1 for positive, 0 for negative."""

    text: str
    label: int


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and split it into words, ``n't``/``'s`` clitics and punctuation marks.

    ``"Don't buy it!"`` → ``["do", "n't", "buy", "it", "!"]``; the pre-tokenised part of the
    data (``"i 'm happy"``) gives the same tokens as ``"I'm happy"``.
    """
    text = text.lower().replace("\u2019", "'").replace("can't", "can n't").replace("won't", "will n't")
    text = re.sub(r"([a-z])n't\b", r"\1 n't", text)
    return _TOKEN.findall(text)


def split_path(split: str, root: str | os.PathLike[str] | None = None) -> Path:
    """Path of ``<data>/sentiment/<split>.tsv``."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return data_dir(root) / "sentiment" / f"{split}.tsv"


def read_examples(path: str | os.PathLike[str], limit: int | None = None) -> list[Example]:
    """Read a ``text<TAB>label`` file (header line first) into :class:`Example` objects.

    Raises:
        DataError: the file is missing or empty, a line is malformed, or it holds no examples.
    """
    path = require_data_file(path, "sentiment data file")
    examples: list[Example] = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if lineno == 1 and line.startswith("text\t"):
                continue
            if not line.strip():
                continue
            text, sep, label = line.rpartition("\t")
            if not sep or label not in LABELS:
                raise DataError(f"{path}:{lineno}: expected 'text<TAB>pos|neg'")
            examples.append(Example(text, LABELS.index(label)))
            if limit is not None and len(examples) >= limit:
                break
    return require_examples(examples, path, "labelled texts")


def load_split(split: str, root: str | os.PathLike[str] | None = None, limit: int | None = None) -> list[Example]:
    """The examples of one split of ``<data>/sentiment``."""
    return read_examples(split_path(split, root), limit)


class Vocab:
    """Word ↔ id. Id 0 is padding, id 1 is the unknown word."""

    def __init__(self, words: list[str]) -> None:
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(cls, texts: Iterable[list[str]], min_count: int = 2, max_size: int = 12000) -> Vocab:
        """Words seen at least ``min_count`` times, most frequent first (ties alphabetical)."""
        counts = Counter(w for t in texts for w in t)
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls([PAD, UNK, *kept[:max_size - 2]])

    def encode(self, tokens: list[str]) -> list[int]:
        return [self.index.get(w, 1) for w in tokens]

    def __len__(self) -> int:
        return len(self.words)

    def to_list(self) -> list[str]:
        return list(self.words)
