"""The encoder: a bidirectional GRU that reads the whole English sentence."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class Encoder(nn.Module):
    """Embedding → dropout → bidirectional GRU.

    ``forward(src, lengths)`` returns

    * ``annotations`` ``[batch, src_len, 2*hidden]``: for each source word the forward
      and backward states side by side (Bahdanau's *annotations* h_j), zero at padding;
    * ``summary`` ``[batch, 2*hidden]``: the forward state after the last word and the
      backward state after the first word, the only thing a no-attention decoder sees.
    """

    def __init__(self, vocab_size: int, emb_dim: int, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=0, sparse=True)
        self.dropout = nn.Dropout(dropout)
        self.rnn = nn.GRU(emb_dim, hidden, batch_first=True, bidirectional=True)
        self.out_dim = 2 * hidden

    def forward(self, src: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``src`` ``[batch, src_len]`` ids, ``lengths`` ``[batch]`` (≥ 1) → (annotations, summary)."""
        emb = self.dropout(self.embedding(src))
        packed = pack_padded_sequence(emb, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))
        summary = torch.cat([h_n[0], h_n[1]], dim=-1)  # forward last, backward first
        return out, summary
