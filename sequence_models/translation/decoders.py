"""Two decoders that write French one word at a time.

* :class:`AttentionDecoder` — Bahdanau et al. (2015) additive attention: before
  writing word *t* it scores every source annotation h_j against its previous state
  s_{t-1}, ``e_tj = vᵀ tanh(W_a s_{t-1} + U_a h_j)``, turns the scores into weights
  ``α_t = softmax(e_t)`` (each row sums to 1) and reads the context ``c_t = Σ_j α_tj h_j``.
* :class:`PlainDecoder` — the same decoder without attention: it sees only the encoder's
  final summary vector (Cho et al. 2014 feed that one vector at every step).

Both share the interface used by training and decoding:

* ``forward(tgt_in, annotations, summary, src_mask)`` → output features ``[batch, tgt_len, emb_dim]``
  and attention ``[batch, tgt_len, src_len]`` (``None`` for the plain decoder), teacher forcing;
* ``start(annotations, summary, src_mask)`` → a state object for step-by-step decoding;
* ``step(prev_ids, state)`` → (log-probabilities ``[batch, vocab]``, new state,
  attention ``[batch, src_len]`` or ``None``).

The output layer is ``o_t = tanh(W_o [s_t; c_t; E y_{t-1}])`` followed by an *adaptive
softmax* over the French vocabulary (Grave et al. 2017; ``torch.nn.AdaptiveLogSoftmaxWithLoss``):
the frequent words get a full-size softmax, rare words sit in smaller clusters. It gives a
proper distribution over every word but costs a fraction of a full softmax, which matters
on two shared CPU cores. ``forward`` therefore returns the features ``o_t``
``[batch, tgt_len, emb_dim]``; :meth:`OutputLayer.loss` and ``step`` turn them into
probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


class AdditiveAttention(nn.Module):
    """``α = softmax_j(vᵀ tanh(W_a s + U_a h_j))`` over unmasked source positions."""

    def __init__(self, query_dim: int, key_dim: int, attn_dim: int) -> None:
        super().__init__()
        self.W_a = nn.Linear(query_dim, attn_dim, bias=False)
        self.U_a = nn.Linear(key_dim, attn_dim)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def keys(self, annotations: torch.Tensor) -> torch.Tensor:
        """Pre-compute ``U_a h_j`` once per sentence: ``[batch, src_len, attn_dim]``."""
        return self.U_a(annotations)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, annotations: torch.Tensor,
                src_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``query`` ``[batch, query_dim]`` → context ``[batch, key_dim]``, weights ``[batch, src_len]``."""
        scores = self.v(torch.tanh(self.W_a(query).unsqueeze(1) + keys)).squeeze(-1)
        scores = scores.masked_fill(~src_mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), annotations).squeeze(1)
        return context, weights


@dataclass
class AttnState:
    """Step-decoding state of :class:`AttentionDecoder` (tensors lead with ``batch``)."""
    hidden: torch.Tensor          # [batch, dec_hidden]
    annotations: torch.Tensor     # [batch, src_len, enc_dim]
    keys: torch.Tensor            # [batch, src_len, attn_dim]
    src_mask: torch.Tensor        # [batch, src_len] bool

    def select(self, index: torch.Tensor) -> "AttnState":
        """Reorder/duplicate rows (beam search)."""
        return AttnState(self.hidden[index], self.annotations[index], self.keys[index], self.src_mask[index])


@dataclass
class PlainState:
    """Step-decoding state of :class:`PlainDecoder`."""
    hidden: torch.Tensor          # [batch, dec_hidden]
    context: torch.Tensor         # [batch, enc_dim]

    def select(self, index: torch.Tensor) -> "PlainState":
        return PlainState(self.hidden[index], self.context[index])


def adaptive_cutoffs(vocab_size: int) -> list[int]:
    """Cluster boundaries of the adaptive softmax (ids are sorted by frequency)."""
    cuts = [c for c in (1000, 4000) if c < vocab_size - 1]
    return cuts or [max(1, vocab_size // 2)]


class OutputLayer(nn.Module):
    """``o_t = tanh(W_o [s_t; c_t; e_{t-1}])`` then an adaptive softmax over the vocabulary."""

    def __init__(self, dec_hidden: int, enc_dim: int, emb_dim: int, vocab_size: int, dropout: float) -> None:
        super().__init__()
        self.pre = nn.Linear(dec_hidden + enc_dim + emb_dim, emb_dim)
        self.dropout = nn.Dropout(dropout)
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(emb_dim, vocab_size, adaptive_cutoffs(vocab_size),
                                                     div_value=4.0)

    def forward(self, s: torch.Tensor, c: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        """Features ``o_t`` ``[..., emb_dim]``."""
        return self.dropout(torch.tanh(self.pre(torch.cat([s, c, e], dim=-1))))

    def log_probs(self, features: torch.Tensor) -> torch.Tensor:
        """``[batch, emb_dim]`` → log-probabilities over the whole vocabulary ``[batch, vocab]``."""
        return self.softmax.log_prob(features)

    def loss(self, features: torch.Tensor, targets: torch.Tensor, pad_id: int = 0) -> tuple[torch.Tensor, int]:
        """Mean negative log-likelihood of ``targets`` ``[batch, tgt_len]`` (padding ignored), token count."""
        keep = targets != pad_id
        out = self.softmax(features[keep], targets[keep])
        return out.loss, int(keep.sum())


class AttentionDecoder(nn.Module):
    """GRU decoder with Bahdanau additive attention (see module docstring)."""

    has_attention = True

    def __init__(self, vocab_size: int, emb_dim: int, enc_dim: int, hidden: int, attn_dim: int,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=0, sparse=True)
        self.dropout = nn.Dropout(dropout)
        self.bridge = nn.Linear(enc_dim, hidden)
        self.attention = AdditiveAttention(hidden, enc_dim, attn_dim)
        self.cell = nn.GRUCell(emb_dim + enc_dim, hidden)
        self.out = OutputLayer(hidden, enc_dim, emb_dim, vocab_size, dropout)

    def start(self, annotations: torch.Tensor, summary: torch.Tensor, src_mask: torch.Tensor) -> AttnState:
        return AttnState(torch.tanh(self.bridge(summary)), annotations, self.attention.keys(annotations), src_mask)

    def _advance(self, emb: torch.Tensor, st: AttnState) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        context, weights = self.attention(st.hidden, st.keys, st.annotations, st.src_mask)
        hidden = self.cell(torch.cat([emb, context], dim=-1), st.hidden)
        return hidden, context, weights

    def step(self, prev_ids: torch.Tensor, state: AttnState) -> tuple[torch.Tensor, AttnState, torch.Tensor]:
        emb = self.embedding(prev_ids)
        hidden, context, weights = self._advance(emb, state)
        logp = self.out.log_probs(self.out(hidden, context, emb))
        return logp, AttnState(hidden, state.annotations, state.keys, state.src_mask), weights

    def forward(self, tgt_in: torch.Tensor, annotations: torch.Tensor, summary: torch.Tensor,
                src_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        state = self.start(annotations, summary, src_mask)
        embs = self.dropout(self.embedding(tgt_in))
        hs, cs, ws = [], [], []
        for t in range(tgt_in.size(1)):
            hidden, context, weights = self._advance(embs[:, t], state)
            state = AttnState(hidden, state.annotations, state.keys, state.src_mask)
            hs.append(hidden)
            cs.append(context)
            ws.append(weights)
        return self.out(torch.stack(hs, 1), torch.stack(cs, 1), embs), torch.stack(ws, 1)


class PlainDecoder(nn.Module):
    """GRU decoder that sees only the encoder's final summary (no attention)."""

    has_attention = False

    def __init__(self, vocab_size: int, emb_dim: int, enc_dim: int, hidden: int, attn_dim: int = 0,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=0, sparse=True)
        self.dropout = nn.Dropout(dropout)
        self.bridge = nn.Linear(enc_dim, hidden)
        self.rnn = nn.GRU(emb_dim + enc_dim, hidden, batch_first=True)
        self.out = OutputLayer(hidden, enc_dim, emb_dim, vocab_size, dropout)

    def start(self, annotations: torch.Tensor, summary: torch.Tensor, src_mask: torch.Tensor) -> PlainState:
        return PlainState(torch.tanh(self.bridge(summary)), summary)

    def step(self, prev_ids: torch.Tensor, state: PlainState) -> tuple[torch.Tensor, PlainState, None]:
        emb = self.embedding(prev_ids)
        out, h = self.rnn(torch.cat([emb, state.context], -1).unsqueeze(1), state.hidden.unsqueeze(0))
        logp = self.out.log_probs(self.out(out[:, 0], state.context, emb))
        return logp, PlainState(h[0], state.context), None

    def forward(self, tgt_in: torch.Tensor, annotations: torch.Tensor, summary: torch.Tensor,
                src_mask: torch.Tensor) -> tuple[torch.Tensor, None]:
        state = self.start(annotations, summary, src_mask)
        embs = self.dropout(self.embedding(tgt_in))
        ctx = summary.unsqueeze(1).expand(-1, tgt_in.size(1), -1)
        out, _ = self.rnn(torch.cat([embs, ctx], -1), state.hidden.unsqueeze(0))
        return self.out(out, ctx, embs), None
