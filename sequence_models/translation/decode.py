"""Greedy decoding and beam search, both keeping the attention weights.

Everything here runs under ``torch.inference_mode()`` on a model in eval mode, so
the same input always gives the same output (no sampling anywhere).

The decoder is never allowed to write ``<unk>``, ``<pad>`` or ``<s>``: their probability is set
to zero and the rest renormalised (:func:`ban_unknown`). With the subword vocabulary these never
occur in training targets, so this is only a guard: any French text can be written with pieces.

Shapes: a source sentence is a list of ``S`` piece ids; an output of ``T`` steps (the last
one usually ``</s>``) comes with attention ``[T, S]``: row *t* holds the weights the
decoder put on each source word while writing output word *t* (each row sums to 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from sequence_models.translation.seq2seq import Seq2Seq
from sequence_models.translation.vocab import BOS_ID, EOS_ID, PAD_ID, UNK_ID

#: Beam widths the page and CLI accept.
MIN_BEAM, MAX_BEAM = 1, 8
#: Length penalty exponent α in ``score / T**α`` used to rank finished beam hypotheses.
LENGTH_ALPHA = 0.7
TOP_K = 5


def ban_unknown(logp: torch.Tensor) -> torch.Tensor:
    """``[batch, vocab]`` log-probabilities with ``<unk>``, ``<pad>`` and ``<s>`` removed, the rest renormalised."""
    logp = logp.clone()
    logp[:, [UNK_ID, PAD_ID, BOS_ID]] = float("-inf")
    return torch.log_softmax(logp, dim=-1)


def max_output_len(src_len: int) -> int:
    """Longest output we let the decoder write for a source of ``src_len`` tokens."""
    return min(2 * src_len + 10, 200)


@dataclass
class Step:
    """One decoding step of one hypothesis."""
    token_id: int
    logprob: float                       # log P(chosen word | everything before)
    top_ids: list[int]                   # the TOP_K most likely next words, best first
    top_logprobs: list[float]
    attention: list[float] | None        # [S] weights over source words, None without attention


@dataclass
class Hypothesis:
    """A decoded output: ids (ending in ``</s>`` when finished) and its per-step details."""
    steps: list[Step] = field(default_factory=list)
    score: float = 0.0                   # sum of log-probabilities
    finished: bool = False

    @property
    def ids(self) -> list[int]:
        return [s.token_id for s in self.steps]

    @property
    def normalised_score(self) -> float:
        """``score / T**α`` (beam search ranks by this)."""
        return self.score / max(1, len(self.steps)) ** LENGTH_ALPHA

    def attention(self) -> torch.Tensor | None:
        """``[T, S]`` attention of all steps, or ``None`` for the no-attention model."""
        if not self.steps or self.steps[0].attention is None:
            return None
        return torch.tensor([s.attention for s in self.steps])


def _encode_one(model: Seq2Seq, src_ids: list[int]):
    if not src_ids:
        raise ValueError("cannot translate an empty sentence")
    src = torch.tensor([src_ids], dtype=torch.long)
    annotations, summary, mask = model.encode(src, torch.tensor([len(src_ids)]))
    return model.decoder.start(annotations, summary, mask)


def _step_record(token: int, logp_row: torch.Tensor, attn_row: torch.Tensor | None) -> Step:
    top = torch.topk(logp_row, TOP_K)
    return Step(int(token), float(logp_row[token]), top.indices.tolist(), top.values.tolist(),
                None if attn_row is None else attn_row.tolist())


class _StepTable:
    """Top-k and attention of every live row at one step, converted to lists once."""

    def __init__(self, logp: torch.Tensor, attn: torch.Tensor | None) -> None:
        top = torch.topk(logp, TOP_K, dim=1)
        self.top_ids, self.top_vals = top.indices.tolist(), top.values.tolist()
        self.attn = None if attn is None else attn.tolist()
        self.logp = logp

    def record(self, row: int, token: int, logprob: float) -> Step:
        return Step(token, logprob, self.top_ids[row], self.top_vals[row],
                    None if self.attn is None else self.attn[row])


@torch.inference_mode()
def greedy_decode(model: Seq2Seq, src_ids: list[int], max_len: int | None = None) -> Hypothesis:
    """Pick the most likely word at every step until ``</s>`` (or ``max_len`` steps)."""
    model.eval()
    state = _encode_one(model, src_ids)
    max_len = max_len or max_output_len(len(src_ids))
    prev = torch.tensor([BOS_ID])
    hyp = Hypothesis()
    for _ in range(max_len):
        logp, state, attn = model.decoder.step(prev, state)
        logp = ban_unknown(logp)
        token = int(torch.argmax(logp[0]))
        hyp.steps.append(_step_record(token, logp[0], None if attn is None else attn[0]))
        hyp.score += hyp.steps[-1].logprob
        if token == EOS_ID:
            hyp.finished = True
            break
        prev = torch.tensor([token])
    return hyp


@torch.inference_mode()
def beam_search(model: Seq2Seq, src_ids: list[int], width: int, max_len: int | None = None) -> list[Hypothesis]:
    """Keep the ``width`` best partial translations at every step.

    Returns up to ``width`` hypotheses, best first by :attr:`Hypothesis.normalised_score`.
    With ``width == 1`` this is exactly :func:`greedy_decode`.
    """
    if not MIN_BEAM <= width <= MAX_BEAM:
        raise ValueError(f"beam width must be between {MIN_BEAM} and {MAX_BEAM}, got {width}")
    model.eval()
    state = _encode_one(model, src_ids)
    max_len = max_len or max_output_len(len(src_ids))
    live = [Hypothesis()]
    prev = torch.tensor([BOS_ID])
    finished: list[Hypothesis] = []
    for _ in range(max_len):
        logp, state, attn = model.decoder.step(prev, state)
        logp = ban_unknown(logp)
        totals = torch.tensor([h.score for h in live]).unsqueeze(1) + logp        # [n_live, V]
        flat = torch.topk(totals.flatten(), min(2 * width, totals.numel()))
        table = _StepTable(logp, attn)
        new_live: list[Hypothesis] = []
        rows: list[int] = []
        for value, index in zip(flat.values.tolist(), flat.indices.tolist()):
            row, token = divmod(index, logp.size(1))
            parent = live[row]
            step = table.record(row, token, value - parent.score)
            hyp = Hypothesis(parent.steps + [step], value, token == EOS_ID)
            if hyp.finished:
                finished.append(hyp)
            else:
                new_live.append(hyp)
                rows.append(row)
            if len(new_live) == width:
                break
        if len(finished) >= width or not new_live:
            break
        live = new_live
        state = state.select(torch.tensor(rows))
        prev = torch.tensor([h.steps[-1].token_id for h in live])
    else:
        finished.extend(live)
    return sorted(finished, key=lambda h: -h.normalised_score)[:width]


@torch.inference_mode()
def greedy_batch(model: Seq2Seq, batch: list[list[int]]) -> list[list[int]]:
    """Greedy-decode many sentences at once (evaluation); returns ids without ``</s>``."""
    model.eval()
    if any(not s for s in batch):
        raise ValueError("cannot translate an empty sentence")
    width = max(len(s) for s in batch)
    src = torch.full((len(batch), width), PAD_ID, dtype=torch.long)
    for i, s in enumerate(batch):
        src[i, : len(s)] = torch.tensor(s)
    annotations, summary, mask = model.encode(src, torch.tensor([len(s) for s in batch]))
    state = model.decoder.start(annotations, summary, mask)
    prev = torch.full((len(batch),), BOS_ID, dtype=torch.long)
    done = torch.zeros(len(batch), dtype=torch.bool)
    out: list[list[int]] = [[] for _ in batch]
    for _ in range(max_output_len(width)):
        logp, state, _ = model.decoder.step(prev, state)
        prev = torch.argmax(ban_unknown(logp), dim=-1)
        for i in torch.nonzero(~done).flatten().tolist():
            if int(prev[i]) == EOS_ID:
                done[i] = True
            else:
                out[i].append(int(prev[i]))
        if bool(done.all()):
            break
    return out


@torch.inference_mode()
def beam_batch(model: Seq2Seq, batch: list[list[int]], width: int) -> list[list[int]]:
    """:func:`beam_search` for many sentences at once (evaluation): the best hypothesis's ids
    (without ``</s>``) per sentence, chosen exactly as :func:`beam_search` chooses them."""
    if not MIN_BEAM <= width <= MAX_BEAM:
        raise ValueError(f"beam width must be between {MIN_BEAM} and {MAX_BEAM}, got {width}")
    model.eval()
    if any(not s for s in batch):
        raise ValueError("cannot translate an empty sentence")
    n = len(batch)
    src_w = max(len(s) for s in batch)
    src = torch.full((n, src_w), PAD_ID, dtype=torch.long)
    for i, s in enumerate(batch):
        src[i, : len(s)] = torch.tensor(s)
    annotations, summary, mask = model.encode(src, torch.tensor([len(s) for s in batch]))
    state = model.decoder.start(annotations, summary, mask)
    # live[i]: list of (token ids, score) for sentence i; row_of[i]: their rows in the decoder state
    live: list[list[tuple[list[int], float]]] = [[([], 0.0)] for _ in range(n)]
    finished: list[list[tuple[list[int], float]]] = [[] for _ in range(n)]
    active = list(range(n))
    prev = torch.full((n,), BOS_ID, dtype=torch.long)
    max_lens = [max_output_len(len(s)) for s in batch]
    for t in range(max(max_lens)):
        logp, state, _ = model.decoder.step(prev, state)
        logp = ban_unknown(logp)
        new_rows: list[int] = []
        new_prev: list[int] = []
        new_active: list[int] = []
        r = 0
        for i in active:
            hyps = live[i]
            block = logp[r: r + len(hyps)]
            totals = torch.tensor([h[1] for h in hyps]).unsqueeze(1) + block
            flat = torch.topk(totals.flatten(), min(2 * width, totals.numel()))
            kept: list[tuple[list[int], float]] = []
            kept_rows: list[int] = []
            for value, index in zip(flat.values.tolist(), flat.indices.tolist()):
                row, token = divmod(index, block.size(1))
                ids = hyps[row][0] + [token]
                if token == EOS_ID:
                    finished[i].append((ids, value))
                else:
                    kept.append((ids, value))
                    kept_rows.append(r + row)
                if len(kept) == width:
                    break
            r += len(hyps)
            if len(finished[i]) >= width or not kept:
                continue
            if t + 1 >= max_lens[i]:
                finished[i].extend(kept)
                continue
            live[i] = kept
            new_active.append(i)
            new_rows.extend(kept_rows)
            new_prev.extend(ids[-1] for ids, _ in kept)
        if not new_active:
            break
        active = new_active
        state = state.select(torch.tensor(new_rows))
        prev = torch.tensor(new_prev)

    def norm(h: tuple[list[int], float]) -> float:
        return h[1] / max(1, len(h[0])) ** LENGTH_ALPHA
    out = []
    for i in range(n):
        best = sorted(finished[i], key=lambda h: -norm(h))[0][0] if finished[i] else []
        out.append([x for x in best if x != EOS_ID])
    return out
