"""How far back do the trained melody models look? The vanishing gradient in real networks.

For the music lesson's three models (vanilla RNN, GRU and LSTM: same data, same embedding and
hidden sizes, 2 layers) we measure, on a tune, how strongly the log-probability the model gives
to the next event depends on the input ``k`` events back:

    s(k) = mean over positions t of ‖∂ log p(x⟨t+1⟩ | x⟨1..t⟩) / ∂ e⟨t−k⟩‖

where ``e⟨t−k⟩`` is the input embedding ``k`` steps before ``t`` (``k = 0`` is the current
input). A network whose gradient vanishes has a curve that drops to ~0 after a few steps: what
happened further back cannot change its prediction (to first order) and cannot be learned from.

One backward pass serves many positions at once: the tune is copied once per position ``t`` into
a batch (the copies are independent), the loss is the sum over copies of copy ``b``'s log-prob at
its own position ``t_b``, and the gradient of each copy's embeddings holds that position's row.

The models are read through :mod:`sequence_models.music`'s public loaders only
(:func:`~sequence_models.music.model.load_model`, :func:`~sequence_models.music.corpus.load_corpus`,
:func:`~sequence_models.music.events.encode_tune`). ``python -m sequence_models evaluate limitations``
writes ``assets/limitations/lookback.json``; the long-term page recomputes one tune live.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from sequence_models.runtime import AssetError, asset_path

MAX_LAG = 100
#: a live recompute looks at most this many positions of at most this many events (bounded cost)
LIVE_POSITIONS = 24
LIVE_MAX_EVENTS = 200
LOOKBACK_FILE = "lookback.json"
CELL_ORDER = ("rnn", "gru", "lstm")


def framed_tokens(pitches: np.ndarray, ticks: np.ndarray) -> np.ndarray:
    """``BOS``, the tune's events, as the music models read them (no ``EOS``: it is never an input)."""
    from sequence_models.music.events import BOS, encode_tune
    return np.concatenate([[BOS], encode_tune(np.asarray(pitches), np.asarray(ticks))]).astype(np.int64)


def choose_positions(n_inputs: int, count: int) -> list[int]:
    """Up to ``count`` input positions ``t`` (0-based; ``t`` predicts input ``t+1``), evenly spread
    over the tune from the first note on. Position ``t`` contributes to lags ``k ≤ t`` only."""
    last = n_inputs - 2            # the last input that has a next event to predict
    if last < 1 or count < 1:
        return []
    return sorted({int(round(v)) for v in np.linspace(1, last, min(count, last))})


def lookback_gradients(model: torch.nn.Module, tokens: Sequence[int], positions: Sequence[int],
                       max_lag: int = MAX_LAG, chunk: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count, per lag ``k = 0..max_lag``, of ``‖∂ log p(x⟨t+1⟩)/∂ e⟨t−k⟩‖`` over ``positions``.

    ``tokens`` is a framed tune (``BOS`` first); position ``t`` predicts ``tokens[t+1]`` from
    ``tokens[:t+1]``. ``model`` is a :class:`~sequence_models.music.model.MelodyRNN` in eval mode.
    Returns ``(sums [max_lag+1], counts [max_lag+1])`` (float64, int). Positions go through the model
    ``chunk`` at a time (the same sums, a bounded autograd graph)."""
    tokens = torch.as_tensor(np.asarray(tokens, dtype=np.int64))
    positions = [int(t) for t in positions if 0 <= int(t) < len(tokens) - 1]
    sums, counts = np.zeros(max_lag + 1), np.zeros(max_lag + 1, dtype=np.int64)
    model.eval()
    # A few positions per backward pass: the autograd graph of a [P, end] batch is what costs memory
    # (about 180 MB for 24 positions of 200 events at once), and the copies are independent anyway.
    for start in range(0, len(positions), chunk):
        part = positions[start:start + chunk]
        end = max(part) + 1
        batch = tokens[:end].expand(len(part), end)
        with torch.enable_grad():
            emb = model.embed(batch).detach().requires_grad_(True)       # [P, end, E]
            hidden, _ = model.rnn(emb)
            rows = torch.arange(len(part))
            at = torch.tensor(part)
            logits = model.out(hidden[rows, at])                          # [P, V] (dropout is off in eval)
            logp = torch.log_softmax(logits, dim=-1)
            loss = logp[rows, tokens[at + 1]].sum()
            (grad,) = torch.autograd.grad(loss, emb)
        norms = grad.detach().to(torch.float64).norm(dim=-1).numpy()      # [P, end]
        del emb, hidden, logits, logp, loss, grad
        for b, t in enumerate(part):
            lags = np.arange(0, min(max_lag, t) + 1)
            sums[lags] += norms[b, t - lags]
            counts[lags] += 1
    return sums, counts


def mean_curve(sums: np.ndarray, counts: np.ndarray) -> list[float | None]:
    """``sums / counts`` per lag, ``None`` where no position reached that far back."""
    return [float(s / c) if c else None for s, c in zip(sums, counts)]


def distance_to(curve: Sequence[float | None], fraction: float) -> int | None:
    """First lag ``k`` at which the curve is below ``fraction`` × its value at ``k = 0`` (None: never)."""
    if not curve or not curve[0]:
        return None
    return next((k for k, v in enumerate(curve) if v is not None and v < fraction * curve[0]), None)


def load_models(cells: Sequence[str] = CELL_ORDER) -> dict[str, torch.nn.Module]:
    """The music lesson's trained models (missing ones are left out)."""
    from sequence_models.music.model import load_model
    out = {}
    for cell in cells:
        try:
            out[cell] = load_model(cell)[0]
        except AssetError:
            continue
    return out


def tune_curves(models: dict[str, torch.nn.Module], tokens: Sequence[int], positions: int = LIVE_POSITIONS,
                max_lag: int = MAX_LAG) -> dict:
    """The live recompute for one tune: per model, the mean curve over at most ``positions`` positions
    of at most :data:`LIVE_MAX_EVENTS` events (bounded cost: one forward and one backward pass per model)."""
    tokens = list(tokens)[:LIVE_MAX_EVENTS]
    pos = choose_positions(len(tokens), min(positions, LIVE_POSITIONS))
    out: dict = {"positions": pos, "events": len(tokens) - 1, "curves": {}, "counts": None}
    for cell, model in models.items():
        sums, counts = lookback_gradients(model, tokens, pos, max_lag)
        out["curves"][cell] = mean_curve(sums, counts)
        out["counts"] = counts.tolist()
    return out


def compute_lookback(n_tunes: int = 60, positions_per_tune: int = 12, max_lag: int = MAX_LAG,
                     log: Callable[[str], None] = print) -> dict:
    """The precompute: the mean curve per model over the longest ``n_tunes`` test tunes (the music
    lesson's test split), ``positions_per_tune`` positions each. Raises :class:`AssetError` when the
    corpus or every model is missing."""
    from sequence_models.music.corpus import load_corpus
    torch.set_num_threads(1)
    models = load_models()
    if not models:
        raise AssetError("no melody model is trained; run `python -m sequence_models train music` first.")
    test = load_corpus().tunes["test"]
    if not test:
        raise AssetError("the music corpus has no test tunes; rebuild it with "
                         "`python -m sequence_models.music.corpus`.")
    chosen = sorted(test, key=len, reverse=True)[:n_tunes]
    t0, cpu0 = time.perf_counter(), time.process_time()
    result: dict = {"curves": {}, "counts": None, "cpu_seconds": {}}
    for cell, model in models.items():
        c0 = time.process_time()
        sums, counts = np.zeros(max_lag + 1), np.zeros(max_lag + 1, dtype=np.int64)
        for tune in chosen:
            tokens = framed_tokens(tune.pitches, tune.ticks)
            s, c = lookback_gradients(model, tokens, choose_positions(len(tokens), positions_per_tune),
                                      max_lag)
            sums += s
            counts += c
        result["curves"][cell] = mean_curve(sums, counts)
        result["counts"] = counts.tolist()
        result["cpu_seconds"][cell] = round(time.process_time() - c0, 1)
        curve = result["curves"][cell]
        log(f"{cell:5s}: s(0) = {curve[0]:.3g}, s(10) = {curve[10]:.3g}, below 1% of s(0) from k = "
            f"{distance_to(curve, 0.01)} ({result['cpu_seconds'][cell]} s CPU)")
    cfg = next(iter(models.values())).config
    result.update(max_lag=max_lag, tunes=len(chosen), positions_per_tune=positions_per_tune,
                  events_per_tune={"min": min(map(len, chosen)), "max": max(map(len, chosen))},
                  model={"embed": cfg.embed, "hidden": cfg.hidden, "layers": cfg.layers},
                  seconds_total=round(time.perf_counter() - t0, 1),
                  cpu_seconds_total=round(time.process_time() - cpu0, 1),
                  torch_threads=1)
    return result


def load_lookback(path: Path | None = None) -> dict:
    """``assets/limitations/lookback.json``; :class:`AssetError` if missing or bad."""
    path = Path(path) if path is not None else asset_path("limitations") / LOOKBACK_FILE
    rebuild = "rebuild it with `python -m sequence_models evaluate limitations --part lookback`"
    if not path.is_file():
        raise AssetError(f"Results file {path.name} is missing from {path.parent}; {rebuild}.")
    try:
        data = json.loads(path.read_text())
        assert all(len(c) == data["max_lag"] + 1 for c in data["curves"].values()) and data["curves"]
        assert all(v is None or math.isfinite(v) for c in data["curves"].values() for v in c)
    except Exception as exc:
        raise AssetError(f"Results file {path.name} is unreadable ({type(exc).__name__}); {rebuild}.") from exc
    return data
