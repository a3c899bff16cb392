"""Token (subword piece) ↔ id tables with the four special tokens every seq2seq model needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

PAD, BOS, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3


class Vocab:
    """A token ↔ id table. Ids 0–3 are ``<pad> <s> </s> <unk>``; unknown tokens map to ``<unk>``."""

    def __init__(self, tokens: Sequence[str]) -> None:
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError("a vocabulary must start with <pad> <s> </s> <unk>")
        self.itos: list[str] = list(tokens)
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], max_size: int, min_freq: int = 2) -> "Vocab":
        """The ``max_size`` most frequent tokens seen at least ``min_freq`` times (ties: alphabetical)."""
        counts: Counter[str] = Counter()
        for sent in sentences:
            counts.update(sent)
        ranked = sorted((t for t, c in counts.items() if c >= min_freq and t not in SPECIALS),
                        key=lambda t: (-counts[t], t))
        return cls(list(SPECIALS) + ranked[: max(0, max_size - len(SPECIALS))])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str], add_eos: bool = False) -> list[int]:
        """Tokens → ids (unknown → ``UNK_ID``), optionally followed by ``EOS_ID``."""
        ids = [self.stoi.get(t, UNK_ID) for t in tokens]
        return ids + [EOS_ID] if add_eos else ids

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids → tokens, stopping at ``</s>`` and skipping ``<pad>``/``<s>``."""
        out: list[str] = []
        for i in ids:
            i = int(i)
            if i == EOS_ID:
                break
            if i in (PAD_ID, BOS_ID):
                continue
            out.append(self.itos[i])
        return out
