"""A linear-chain conditional random field over BIO tags, written out in full.

Scores a tag sequence ``y`` for emissions ``e`` (one score per token and tag, from the LSTM):

    score(y) = start[y_0] + Σ_t e_t[y_t] + Σ_{t>0} trans[y_{t-1}, y_t] + end[y_{T-1}]
    p(y | x) = exp(score(y)) / Z,   Z = Σ_y' exp(score(y'))

``log Z`` comes from the forward algorithm, the best ``y`` from Viterbi, and the
per-token marginals ``p(y_t = k | x)`` from forward–backward. All three run over the
whole batch at once (one loop over time, none over sentences). Transitions that
break BIO (``O → I-X``, ``B-X → I-Y``, start → ``I-X``) are fixed at ``-10000``, so
every decoded sequence is a valid set of spans.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

IMPOSSIBLE = -1e4


def bio_constraints(tags: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Masks of forbidden moves: ``trans [K, K]`` (from, to) and ``start [K]`` (bool, True = forbidden)."""
    k = len(tags)
    trans = torch.zeros(k, k, dtype=torch.bool)
    start = torch.zeros(k, dtype=torch.bool)
    for j, to in enumerate(tags):
        if not to.startswith("I-"):
            continue
        start[j] = True
        for i, frm in enumerate(tags):
            trans[i, j] = frm == "O" or frm[2:] != to[2:]
    return trans, start


class CRF(nn.Module):
    """Linear-chain CRF with learned start, end and transition scores.

    Shapes: emissions ``[batch, time, tags]``, tags ``[batch, time]`` (long), mask
    ``[batch, time]`` (bool, True for real tokens, each row a prefix of ones).
    """

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__()
        k = len(tags)
        self.num_tags = k
        self.transitions = nn.Parameter(torch.zeros(k, k))
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))
        forbid_trans, forbid_start = bio_constraints(tags)
        self.register_buffer("trans_penalty", forbid_trans.float() * IMPOSSIBLE, persistent=False)
        self.register_buffer("start_penalty", forbid_start.float() * IMPOSSIBLE, persistent=False)

    def _trans(self) -> torch.Tensor:
        return self.transitions + self.trans_penalty

    def _start(self) -> torch.Tensor:
        return self.start + self.start_penalty

    def score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Unnormalised score of the given tag sequences, ``[batch]``."""
        b, t, _ = emissions.shape
        m = mask.float()
        trans = self._trans()
        emit = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)                # [b, t]
        s = self._start()[tags[:, 0]] + (emit * m).sum(1)
        if t > 1:
            s = s + (trans[tags[:, :-1], tags[:, 1:]] * m[:, 1:]).sum(1)
        last = tags.gather(1, (mask.long().sum(1) - 1).clamp(min=0).unsqueeze(1)).squeeze(1)
        return s + self.end[last]

    def forward_alphas(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Forward log-scores ``alpha[b, t, k]`` = log Σ over prefixes ending in tag k at t."""
        b, t, k = emissions.shape
        trans = self._trans()
        alpha = self._start() + emissions[:, 0]
        out = [alpha]
        for i in range(1, t):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + emissions[:, i]
            alpha = torch.where(mask[:, i:i + 1], nxt, alpha)
            out.append(alpha)
        return torch.stack(out, 1)

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``log Z`` for each sentence, ``[batch]`` (the forward algorithm)."""
        trans = self._trans()
        alpha = self._start() + emissions[:, 0]
        for i in range(1, emissions.shape[1]):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + emissions[:, i]
            alpha = torch.where(mask[:, i:i + 1], nxt, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def neg_log_likelihood(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``-log p(tags | x)`` per sentence, ``[batch]``."""
        return self.log_partition(emissions, mask) - self.score(emissions, tags, mask)

    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``p(y_t = k | x)`` by forward–backward, ``[batch, time, tags]`` (rows sum to 1; padding rows are junk)."""
        b, t, k = emissions.shape
        trans = self._trans()
        alphas = self.forward_alphas(emissions, mask)
        beta = self.end.expand(b, k)
        betas = [beta]
        for i in range(t - 2, -1, -1):
            nxt = torch.logsumexp(trans.unsqueeze(0) + (emissions[:, i + 1] + beta).unsqueeze(1), dim=2)
            beta = torch.where(mask[:, i + 1:i + 2], nxt, self.end.expand(b, k))
            betas.append(beta)
        betas = torch.stack(betas[::-1], 1)
        log_z = torch.logsumexp(alphas + betas, dim=2, keepdim=True)
        return torch.exp(alphas + betas - log_z)

    def viterbi(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best tag sequence for each sentence (lists of length = its real length)."""
        b, t, k = emissions.shape
        trans = self._trans()
        score = self._start() + emissions[:, 0]
        backs = []
        for i in range(1, t):
            cand = score.unsqueeze(2) + trans.unsqueeze(0)                      # [b, from, to]
            best, idx = cand.max(dim=1)
            nxt = best + emissions[:, i]
            m = mask[:, i:i + 1]
            score = torch.where(m, nxt, score)
            # where masked, point each tag back to itself so the path is carried unchanged
            backs.append(torch.where(m, idx, torch.arange(k).expand(b, k)))
        score = score + self.end
        lengths = mask.long().sum(1).tolist()
        last = score.argmax(1).tolist()
        paths = []
        back = torch.stack(backs, 1).tolist() if backs else []
        for r in range(b):
            tag = last[r]
            path = [tag]
            for i in range(t - 2, -1, -1):
                tag = back[r][i][tag]
                path.append(tag)
            path.reverse()
            paths.append(path[:lengths[r]])
        return paths
