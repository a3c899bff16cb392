"""Count-based baselines on the same events the neural models predict.

All three are fitted on the training tunes (untransposed) and score each target event of
a test tune, including the final ``EOS``, from the previous input (``BOS`` first):

* unigram: P(event) from counts, add-one smoothed;
* bigram: P(event | previous event), add-k smoothed (k chosen on the validation split),
* repeat-previous: the previous event with probability r (the training rate of exact
  repeats), every other event in proportion to the unigram. Its accuracy is that of
  always guessing "the same as before".
"""

from __future__ import annotations

import numpy as np

from sequence_models.music.corpus import Tune
from sequence_models.music.events import BOS, VOCAB_SIZE
from sequence_models.music.train import framed

BIGRAM_KS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def pairs(tunes: list[Tune]) -> tuple[np.ndarray, np.ndarray]:
    """``(previous [n], target [n])`` over all framed tunes."""
    prev, tgt = [], []
    for t in tunes:
        seq = framed(t)
        prev.append(seq[:-1])
        tgt.append(seq[1:])
    return np.concatenate(prev), np.concatenate(tgt)


class Baselines:
    """Fitted unigram, bigram and repeat-previous models over the event vocabulary."""

    def __init__(self, train: list[Tune], valid: list[Tune]) -> None:
        prev, tgt = pairs(train)
        counts = np.bincount(tgt, minlength=VOCAB_SIZE).astype(float)
        self.unigram = (counts + 1) / (counts.sum() + VOCAB_SIZE)
        self.bigram_counts = np.zeros((VOCAB_SIZE, VOCAB_SIZE))
        np.add.at(self.bigram_counts, (prev, tgt), 1)
        self.repeat_rate = float((prev == tgt).mean())
        vp, vt = pairs(valid)
        self.k = min(BIGRAM_KS, key=lambda k: -np.log(self._bigram(k)[vp, vt]).mean())

    def _bigram(self, k: float) -> np.ndarray:
        c = self.bigram_counts + k
        return c / c.sum(1, keepdims=True)

    def scores(self, tunes: list[Tune]) -> dict[str, dict[str, float]]:
        """``{name: {"bits_per_event", "accuracy"}}`` on ``tunes``."""
        prev, tgt = pairs(tunes)
        out = {}
        p_uni = self.unigram[tgt]
        out["unigram"] = (p_uni, np.full(len(tgt), int(self.unigram.argmax())))
        big = self._bigram(self.k)
        out["bigram"] = (big[prev, tgt], big[prev].argmax(1))
        # repeat-previous: r on the previous event, the rest spread like the unigram over the others
        r = self.repeat_rate
        others = 1.0 - self.unigram[prev]
        p_rep = np.where(tgt == prev, r, (1 - r) * self.unigram[tgt] / others)
        p_rep = np.where(prev == BOS, self.unigram[tgt], p_rep)
        guess = np.where(prev == BOS, int(self.unigram.argmax()), prev)
        out["repeat"] = (p_rep, guess)
        return {name: {"bits_per_event": float(-np.log2(p).mean()), "accuracy": float((g == tgt).mean())}
                for name, (p, g) in out.items()}


def entropy_bits(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum()) if len(p) else 0.0
