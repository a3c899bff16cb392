"""Training-time augmentation: two rules of English the reviews rarely show, taught with the reviews' own words.

The reviews are pros and cons lists: a con reading "Good screen, but the battery dies" is
labelled negative because it sat under *Cons*, whatever its words say, and "not" is nearly
always a con ("not reliable"). So a model trained on them alone learns "not ⇒ negative" and
nothing about "but". Two rules, applied to randomly drawn **training** texts (never to the
dev/test splits or to the word-order set):

* **contrast**: ``A , but B`` (or ``A . however , B``) where A and B are training texts of
  opposite labels; the label is B's (the clause after "but" carries the verdict). The steps
  inside A keep A's own label, so P(positive | the first t words) is right for every prefix.
* **negation**: "not" + a short training phrase that starts with a sentiment word
  (``not easy to use``, ``is not expensive``), label flipped; and ``A , not B`` where the
  negated B agrees with A.

Sentiment words are those that occur mostly under one label in the training split (:func:`sentiment_lexicon`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

#: (tokens, per-step target, per-step weight): the model's loss at step t uses target[t] with weight[t].
Sample = tuple[list[str], list[int], list[float]]

NEGATORS = (["not"], ["is", "not"], ["it", "is", "not"], ["it", "'s", "not"], ["was", "not"], ["is", "n't"],
            ["it", "is", "n't"], ["are", "not"])
CONTRASTS = ([",", "but"], ["but"], [".", "however", ","], [",", "but", "now"], [",", "yet"])
_NEGATION_WORDS = {"not", "n't", "no", "never", "nothing", "without", "hardly", "nor"}


@dataclass
class Augmenter:
    """Makes contrast and negation samples from short training texts (tokens, label)."""

    texts: list[tuple[list[str], int]]
    sentiment_words: dict[str, int]        # word → 1 (positive) / 0 (negative)
    max_len: int = 14

    def __post_init__(self) -> None:
        short = [(t, y) for t, y in self.texts if 0 < len(t) <= self.max_len]
        self.by_label = {y: [t for t, lab in short if lab == y] for y in (0, 1)}
        self.phrases = {y: [t for t, lab in short if lab == y and len(t) <= 4
                            and self.sentiment_words.get(t[0]) == y and not _NEGATION_WORDS & set(t)]
                        for y in (0, 1)}

    def contrast(self, rng: random.Random) -> Sample:
        first = rng.randint(0, 1)
        a, b = rng.choice(self.by_label[first]), rng.choice(self.by_label[1 - first])
        a = a[:-1] if a[-1] in {".", "!"} else a
        link = rng.choice(CONTRASTS)
        tokens = [*a, *link, *b]
        target = [first] * len(a) + [1 - first] * (len(link) + len(b))
        weight = [1.0] * len(a) + [0.0] * len(link) + [1.0] * len(b)
        return tokens, target, weight

    def negation(self, rng: random.Random) -> Sample:
        y = rng.randint(0, 1)
        phrase = rng.choice(self.phrases[y])
        neg = [*rng.choice(NEGATORS), *phrase]
        if rng.random() < 0.5:      # "not <phrase>" alone, label flipped
            return neg, [1 - y] * len(neg), [1.0] * len(neg)
        other = rng.choice(self.phrases[1 - y])  # "<other>, not <phrase>": both halves say 1 - y
        tokens = [*other, ",", *neg]
        return tokens, [1 - y] * len(tokens), [1.0] * len(tokens)

    def sample(self, rng: random.Random) -> Sample:
        return self.contrast(rng) if rng.random() < 0.5 else self.negation(rng)


def sentiment_lexicon(texts: list[tuple[list[str], int]], min_count: int = 15, purity: float = 0.85) -> dict[str, int]:
    """Words seen in at least ``min_count`` training texts, at least ``purity`` of them of one label.

    Returns word → 1 (mostly in positive texts) or 0 (mostly in negative ones); negation words are left out."""
    seen: Counter[str] = Counter()
    positive: Counter[str] = Counter()
    for tokens, label in texts:
        for w in set(tokens):
            seen[w] += 1
            positive[w] += label
    lexicon = {}
    for w, n in seen.items():
        share = positive[w] / n
        if n >= min_count and w.isalpha() and w not in _NEGATION_WORDS and (share >= purity or share <= 1 - purity):
            lexicon[w] = int(share >= purity)
    return lexicon
