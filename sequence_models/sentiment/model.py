"""The two models: a many-to-one GRU with a per-step head, and a bag of words.

``SentimentRNN`` (embedding → GRU → one linear head applied to every hidden state): the
logit after the last word is the verdict; the logits after earlier words are
P(positive | the first t words). ``BagOfWords`` is logistic regression on word counts:
one weight per word plus a bias, so a text's score is the sum of its words' weights,
whatever their order.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

KINDS = ("gru", "bow")


def default_config(kind: str, vocab_size: int) -> dict[str, Any]:
    """Sizes of each kind (the GRU's ``hidden`` units are what the page's heatmap shows)."""
    if kind == "bow":
        return {"kind": "bow", "vocab_size": vocab_size}
    if kind in ("gru", "lstm", "rnn"):
        return {"kind": kind, "vocab_size": vocab_size, "embed": 64, "hidden": 96, "dropout": 0.3}
    raise ValueError(f"unknown model kind {kind!r}")


class SentimentRNN(nn.Module):
    """Embedding → GRU (or LSTM / tanh RNN) → linear head after every step."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.config = dict(config)
        self.embed = nn.Embedding(config["vocab_size"], config["embed"], padding_idx=0)
        cell = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}[config["kind"]]
        self.rnn = cell(config["embed"], config["hidden"], batch_first=True)
        self.drop = nn.Dropout(config.get("dropout", 0.0))
        self.head = nn.Linear(config["hidden"], 1)

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``ids`` [batch, time] → (logits [batch, time], hidden states [batch, time, hidden]).

        Padding goes at the end, so a text's own steps never see it."""
        states, _ = self.rnn(self.drop(self.embed(ids)))
        return self.head(self.drop(states)).squeeze(-1), states

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


class BagOfWords(nn.Module):
    """Logistic regression on word counts: logit = bias + Σ weight[word]."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.config = dict(config)
        self.weight = nn.Embedding(config["vocab_size"], 1, padding_idx=0)
        nn.init.zeros_(self.weight.weight)
        self.bias = nn.Parameter(torch.zeros(()))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """``ids`` [batch, time] (0 = padding) → logits [batch]."""
        return self.weight(ids).squeeze(-1).sum(1) + self.bias

    def word_weights(self, ids: torch.Tensor) -> torch.Tensor:
        """Each word's weight (its contribution to the logit), same shape as ``ids``."""
        return self.weight(ids).squeeze(-1)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def build(config: dict[str, Any]) -> SentimentRNN | BagOfWords:
    """The model described by ``config`` (its ``kind`` picks the class)."""
    return BagOfWords(config) if config["kind"] == "bow" else SentimentRNN(config)
