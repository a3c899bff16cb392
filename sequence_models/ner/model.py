"""The two taggers: BiLSTM-CRF and a forward-only LSTM with a softmax per token.

Each token becomes ``[word embedding; shape embedding; char-CNN features]``
(``word_dim + shape_dim + char_filters`` numbers). An LSTM reads the sentence:

* ``bilstm_crf``: a bidirectional LSTM (``hidden`` units each way, so ``2·hidden``
  per token) gives emission scores, and a CRF picks the best tag sequence. Every
  tag can depend on every word, before and after it.
* ``forward_lstm``: one left-to-right LSTM with ``2·hidden`` units (the same width
  per token) and an independent softmax per token, so the tag of token t depends
  only on tokens 1…t — the unidirectional RNN of the course.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sequence_models.ner.crf import CRF
from sequence_models.ner.data import TAGS
from sequence_models.ner.vocab import SHAPES

KINDS = ("bilstm_crf", "forward_lstm")


def default_config(kind: str, n_words: int, n_chars: int) -> dict[str, Any]:
    """The sizes used for the committed models."""
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(KINDS)}")
    return {"kind": kind, "n_words": n_words, "n_chars": n_chars, "n_tags": len(TAGS),
            "word_dim": 100, "shape_dim": 8, "char_dim": 32, "char_filters": 64, "char_width": 3,
            "hidden": 128, "dropout": 0.5}


class CharCNN(nn.Module):
    """Characters of each word → one vector: embed, 1-D convolution, max over positions.

    ``[batch, time, chars]`` → ``[batch, time, filters]``.
    """

    def __init__(self, n_chars: int, dim: int, filters: int, width: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(n_chars, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, filters, width, padding=width // 2)

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        b, t, c = chars.shape
        x = self.embed(chars.view(b * t, c)).transpose(1, 2)                   # [b·t, dim, c]
        h = self.conv(x)                                                         # [b·t, filters, c]
        h = h.masked_fill((chars.view(b * t, 1, c) == 0), -1e4)
        return torch.relu(h.max(dim=2).values).view(b, t, -1)


class Tagger(nn.Module):
    """Sequence tagger; ``config["kind"]`` picks BiLSTM-CRF or forward-only LSTM."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.config = dict(config)
        c = self.config
        self.bidirectional = c["kind"] == "bilstm_crf"
        self.word_embed = nn.Embedding(c["n_words"], c["word_dim"], padding_idx=0)
        self.shape_embed = nn.Embedding(len(SHAPES), c["shape_dim"], padding_idx=0)
        self.chars = CharCNN(c["n_chars"], c["char_dim"], c["char_filters"], c["char_width"])
        d_in = c["word_dim"] + c["shape_dim"] + c["char_filters"]
        hidden = c["hidden"] if self.bidirectional else 2 * c["hidden"]
        self.lstm = nn.LSTM(d_in, hidden, batch_first=True, bidirectional=self.bidirectional)
        self.dropout = nn.Dropout(c["dropout"])
        self.out = nn.Linear(2 * c["hidden"], c["n_tags"])
        self.crf = CRF(TAGS) if self.bidirectional else None

    def features(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Token inputs to the LSTM, ``[batch, time, word_dim + shape_dim + char_filters]``."""
        return torch.cat([self.word_embed(batch["words"]), self.shape_embed(batch["shapes"]),
                          self.chars(batch["chars"])], dim=2)

    def emissions(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Per-token tag scores, ``[batch, time, n_tags]``."""
        x = self.dropout(self.features(batch))
        lengths = batch["lengths"].clamp(min=1)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
        return self.out(self.dropout(h))

    def loss(self, batch: dict[str, torch.Tensor], tags: torch.Tensor) -> torch.Tensor:
        """Mean loss per token: CRF negative log-likelihood or cross-entropy."""
        e = self.emissions(batch)
        mask = batch["mask"]
        n = mask.sum().clamp(min=1)
        if self.crf is not None:
            return self.crf.neg_log_likelihood(e, tags, mask).sum() / n
        return nn.functional.cross_entropy(e[mask], tags[mask], reduction="sum") / n

    @torch.inference_mode()
    def predict(self, batch: dict[str, torch.Tensor]) -> tuple[list[list[int]], torch.Tensor]:
        """Best tags per sentence and tag probabilities ``[batch, time, n_tags]``.

        For the CRF the probabilities are the marginals ``p(y_t | whole sentence)``;
        for the forward-only model, the softmax ``p(y_t | x_1..x_t)``.
        """
        e = self.emissions(batch)
        mask = batch["mask"]
        if self.crf is not None:
            return self.crf.viterbi(e, mask), self.crf.marginals(e, mask)
        probs = torch.softmax(e, dim=2)
        best = probs.argmax(2).tolist()
        return [row[:n] for row, n in zip(best, batch["lengths"].tolist())], probs

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
