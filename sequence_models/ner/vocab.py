"""Words, capitalisation shapes and characters → integer ids.

Words are lower-cased with digits mapped to ``0`` and kept when they occur at least
``min_count`` times in training; the rest become ``<unk>``. Capitalisation that the
lower-casing throws away comes back as a small "shape" feature, and the spelling of
every word (known or not) reaches the model through its characters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import torch

PAD, UNK = "<pad>", "<unk>"
MAX_WORD_CHARS = 20

#: Capitalisation / form classes of a token (index = id; 0 is padding).
SHAPES = ("<pad>", "lower", "Title", "UPPER", "mIxed", "digits", "digit-mix", "punct", "other")

_DIGIT = re.compile(r"\d")


def normalise(word: str) -> str:
    """Lower-case and replace every digit with ``0`` (``"$1.5bn"`` → ``"$0.0bn"``)."""
    return _DIGIT.sub("0", word.lower())


def shape_id(word: str) -> int:
    """Index into :data:`SHAPES` for ``word``."""
    if not word:
        return SHAPES.index("other")
    has_digit = any(c.isdigit() for c in word)
    letters = [c for c in word if c.isalpha()]
    if has_digit:
        return SHAPES.index("digits" if not letters else "digit-mix")
    if not letters:
        return SHAPES.index("punct") if all(not c.isalnum() for c in word) else SHAPES.index("other")
    if all(c.islower() for c in letters):
        return SHAPES.index("lower")
    if all(c.isupper() for c in letters):
        return SHAPES.index("UPPER") if len(letters) > 1 else SHAPES.index("Title")
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return SHAPES.index("Title")
    return SHAPES.index("mIxed")


@dataclass
class Vocab:
    """Id tables for words and characters."""

    words: list[str]
    chars: list[str]

    def __post_init__(self) -> None:
        self.word_index = {w: i for i, w in enumerate(self.words)}
        self.char_index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], min_count: int = 2, min_char_count: int = 5) -> "Vocab":
        """Vocabulary from training sentences (lists of tokens)."""
        wc: Counter[str] = Counter()
        cc: Counter[str] = Counter()
        for tokens in sentences:
            for tok in tokens:
                wc[normalise(tok)] += 1
                cc.update(tok)
        words = [PAD, UNK] + sorted(w for w, n in wc.items() if n >= min_count)
        chars = [PAD, UNK] + sorted(c for c, n in cc.items() if n >= min_char_count)
        return cls(words, chars)

    def to_dict(self) -> dict[str, list[str]]:
        return {"words": self.words, "chars": self.chars}

    @classmethod
    def from_dict(cls, d: dict[str, list[str]]) -> "Vocab":
        return cls(list(d["words"]), list(d["chars"]))

    def word_id(self, word: str) -> int:
        return self.word_index.get(normalise(word), 1)

    def char_ids(self, word: str) -> list[int]:
        w = word[:MAX_WORD_CHARS] or " "
        return [self.char_index.get(c, 1) for c in w]

    def encode_batch(self, batch: Sequence[Sequence[str]]) -> dict[str, torch.Tensor]:
        """Tensors for a batch of token lists.

        Returns:
            ``words`` and ``shapes`` ``[batch, time]`` (long, 0 = padding), ``chars``
            ``[batch, time, max_chars]`` (long), ``lengths`` ``[batch]`` and ``mask``
            ``[batch, time]`` (bool).
        """
        b = len(batch)
        t = max((len(s) for s in batch), default=1) or 1
        c = max((min(len(w), MAX_WORD_CHARS) for s in batch for w in s), default=1) or 1
        words = torch.zeros(b, t, dtype=torch.long)
        shapes = torch.zeros(b, t, dtype=torch.long)
        chars = torch.zeros(b, t, max(c, 3), dtype=torch.long)
        lengths = torch.tensor([len(s) for s in batch], dtype=torch.long)
        for i, sent in enumerate(batch):
            if not sent:
                continue
            words[i, :len(sent)] = torch.tensor([self.word_id(w) for w in sent])
            shapes[i, :len(sent)] = torch.tensor([shape_id(w) for w in sent])
            for j, w in enumerate(sent):
                ids = self.char_ids(w)
                chars[i, j, :len(ids)] = torch.tensor(ids)
        mask = torch.arange(t)[None, :] < lengths[:, None]
        return {"words": words, "shapes": shapes, "chars": chars, "lengths": lengths, "mask": mask}
