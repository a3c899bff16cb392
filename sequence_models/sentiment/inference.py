"""Read one text with both models: the GRU's P(positive) after every word, its hidden states, the bag's weights.

No Streamlit here: the page caches :func:`load` with ``st.cache_resource`` and calls :func:`analyse`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from sequence_models.runtime import AssetError, asset_path, load_checkpoint
from sequence_models.sentiment.data import Vocab, tokenize
from sequence_models.sentiment.model import BagOfWords, SentimentRNN, build

EVALUATION_FILE = "sentiment/evaluation.json"
#: The CLI reads at most this many characters and both tools at most :data:`MAX_TOKENS` tokens.
MAX_CHARS = 5000
MAX_TOKENS = 200
NAMES = {"gru": "GRU", "gru_plain": "GRU, reviews only", "bow": "Bag of words"}


def weights_file(name: str, weights_dir: str | os.PathLike[str] | None = None) -> Path:
    """``assets/sentiment/<name>.pt`` (or the same name in ``weights_dir``)."""
    return (Path(weights_dir) if weights_dir else asset_path("sentiment")) / f"{name}.pt"


@dataclass
class Loaded:
    """One trained model with its vocabulary and training summary."""

    name: str
    model: SentimentRNN | BagOfWords
    vocab: Vocab
    training: dict[str, Any] = field(default_factory=dict)


def load_one(name: str, weights_dir: str | os.PathLike[str] | None = None) -> Loaded:
    """Load ``<name>.pt``; a missing or broken file raises :class:`AssetError` naming the training command."""
    path = weights_file(name, weights_dir)
    if not path.is_file():
        raise AssetError(f"Model file {path} is missing; train it with `python -m sequence_models train sentiment`.")
    ckpt = load_checkpoint(path)
    try:
        model = build(ckpt["config"])
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()})
        vocab = Vocab(list(ckpt["vocab"]))
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise AssetError(f"Model file {path.name} does not match this code ({type(exc).__name__}); "
                         "retrain it with `python -m sequence_models train sentiment`.") from exc
    model.eval().requires_grad_(False)
    return Loaded(name, model, vocab, dict(ckpt.get("training", {})))


@dataclass
class Reading:
    """Everything the page and the CLI show about one text."""

    tokens: list[str]
    known: list[bool]                 # is the token in the vocabulary (else the model sees <unk>)
    prob_positive: list[float]        # GRU: P(positive | first t tokens), t = 1..T; the last is the verdict
    hidden: list[list[float]]         # GRU hidden state after each token [T][H]
    bow_weights: list[float]          # bag of words: each token's weight (its share of the logit)
    bow_bias: float
    bow_prob: float                   # bag of words: P(positive) of the whole text
    truncated: bool                   # the text had more than MAX_TOKENS tokens

    @property
    def label(self) -> str | None:
        return None if not self.tokens else ("pos" if self.prob_positive[-1] >= 0.5 else "neg")

    @property
    def bow_label(self) -> str | None:
        return None if not self.tokens else ("pos" if self.bow_prob >= 0.5 else "neg")

    @property
    def moves(self) -> list[float]:
        """How much each token moved the GRU's P(positive) (the first from 0.5, the prior before reading)."""
        prev = [0.5, *self.prob_positive[:-1]]
        return [p - q for p, q in zip(self.prob_positive, prev)]

    def as_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` shape."""
        return {"tokens": self.tokens, "known": self.known,
                "prob_positive": [round(p, 4) for p in self.prob_positive], "label": self.label,
                "baseline": {"model": "bag_of_words", "prob_positive": round(self.bow_prob, 4) if self.tokens else None,
                             "label": self.bow_label, "weights": [round(w, 4) for w in self.bow_weights],
                             "bias": round(self.bow_bias, 4)},
                "truncated": self.truncated}


def analyse(gru: Loaded, bow: Loaded, text: str) -> Reading:
    """Run both models on ``text`` (at most :data:`MAX_CHARS` characters and :data:`MAX_TOKENS` tokens are read)."""
    tokens = tokenize(str(text)[:MAX_CHARS])
    truncated = len(tokens) > MAX_TOKENS
    tokens = tokens[:MAX_TOKENS]
    bias = float(bow.model.bias.detach()) if isinstance(bow.model, BagOfWords) else 0.0
    if not tokens:
        return Reading([], [], [], [], [], bias, 0.5, truncated)
    ids = torch.tensor([gru.vocab.encode(tokens)])
    bow_ids = torch.tensor([bow.vocab.encode(tokens)])
    with torch.inference_mode():
        logits, states = gru.model(ids)
        probs = torch.sigmoid(logits[0]).tolist()
        assert isinstance(bow.model, BagOfWords)
        weights = bow.model.word_weights(bow_ids)[0].tolist()
        bow_prob = float(torch.sigmoid(bow.model(bow_ids))[0])
    known = [i != 1 for i in ids[0].tolist()]
    return Reading(tokens, known, probs, states[0].tolist(), weights, bias, bow_prob, truncated)
