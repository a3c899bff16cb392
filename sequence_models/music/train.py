"""``python -m sequence_models train music``: train the LSTM, GRU and vanilla RNN melody models.

Every model sees the same batches: random windows of ``--window`` events from training
tunes (each tune framed as ``BOS, notes…, EOS``), each tune transposed by a random number of
semitones (−5…+6, kept inside the pitch range) as augmentation. Adam with a cosine learning
rate, gradient clipping at 1.0, a fixed number of steps and fixed seeds, one torch thread.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from sequence_models.cli import OneLineParser
from sequence_models.music.corpus import Corpus, Tune, load_corpus, tokens_path
from sequence_models.music.events import BOS, EOS, encode_tune, shift_range
from sequence_models.music.model import CELLS, MelodyConfig, MelodyRNN, config_dict, weights_path
from sequence_models.music.commands import probe_writable
from sequence_models.runtime import (check_writable_dir, require_data_file, require_examples, save_checkpoint,
                                     seed_everything)

PAD = -100   #: ignored target


def framed(tune: Tune, shift: int = 0) -> np.ndarray:
    """``[n + 2]`` tokens: ``BOS``, the tune's events transposed by ``shift``, ``EOS``."""
    return np.concatenate([[BOS], encode_tune(tune.pitches, tune.ticks, shift), [EOS]])


def sample_batch(tunes: list[Tune], batch: int, window: int, rng: np.random.Generator,
                 augment: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs ``[batch, window]`` and targets ``[batch, window]`` (``PAD`` past a tune's end)."""
    x = np.full((batch, window), EOS, np.int64)
    y = np.full((batch, window), PAD, np.int64)
    for b in range(batch):
        tune = tunes[rng.integers(len(tunes))]
        shift = 0
        if augment:
            lo, hi = shift_range(tune.pitches)
            lo, hi = max(lo, -5), min(hi, 6)
            shift = int(rng.integers(lo, hi + 1)) if lo <= hi else 0
        seq = framed(tune, shift)
        start = int(rng.integers(0, max(1, len(seq) - window)))
        chunk = seq[start:start + window + 1]
        n = len(chunk) - 1
        x[b, :n] = chunk[:-1]
        y[b, :n] = chunk[1:]
    return torch.from_numpy(x), torch.from_numpy(y)


@torch.inference_mode()
def bits_per_event(model: MelodyRNN, tunes: list[Tune]) -> tuple[float, float]:
    """Mean bits per predicted event and next-event accuracy over whole tunes (no augmentation).

    Every event of every tune is predicted from all the events before it, and so is the
    final ``EOS``.
    """
    model.eval()
    nll, correct, count = 0.0, 0, 0
    for tune in tunes:
        seq = torch.from_numpy(framed(tune))[None]
        logits, _ = model(seq[:, :-1])
        logp = torch.log_softmax(logits[0], -1)
        tgt = seq[0, 1:]
        nll -= float(logp.gather(1, tgt[:, None]).sum())
        correct += int((logp.argmax(-1) == tgt).sum())
        count += len(tgt)
    return nll / count / math.log(2), correct / count


def train_one(cell: str, corpus: Corpus, steps: int, batch: int, window: int, lr: float,
              config: MelodyConfig, seed: int, log=print) -> tuple[MelodyRNN, dict]:
    """Train one model for exactly ``steps`` updates; return it and its training record."""
    seed_everything(seed)
    model = MelodyRNN(MelodyConfig(**{**config_dict(config), "cell": cell}))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
    rng = np.random.default_rng(seed)
    history: list[dict] = []
    t0 = time.perf_counter()
    running = 0.0
    for step in range(1, steps + 1):
        model.train()
        x, y = sample_batch(corpus.tunes["train"], batch, window, rng)
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        running += loss.item()
        if step % 100 == 0 or step == steps:
            n = 100 if step % 100 == 0 else step % 100
            rec = {"step": step, "train_bits": running / n / math.log(2), "seconds": time.perf_counter() - t0}
            if step % 500 == 0 or step == steps:
                rec["valid_bits"], rec["valid_acc"] = bits_per_event(model, corpus.tunes["valid"])
            history.append(rec)
            log(f"[{cell}] step {step}/{steps} " + " ".join(f"{k}={v:.3f}" for k, v in rec.items() if k != "step"))
            running = 0.0
    model.eval()
    return model, {"history": history, "train_seconds": round(time.perf_counter() - t0, 1), "steps": steps,
                   "batch": batch, "window": window, "lr": lr, "seed": seed,
                   "threads": torch.get_num_threads(), "n_params": model.n_params()}


def main(argv: list[str]) -> int:
    p = OneLineParser(prog="python -m sequence_models train music",
                      description="Train the LSTM, GRU and vanilla RNN melody models.")
    p.add_argument("--tokens", type=Path, default=tokens_path(),
                   help="token file from `python -m sequence_models.music.corpus` (default: assets/music/tunes.npz)")
    p.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS))
    p.add_argument("--steps", type=int, default=1800)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--window", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--hidden", type=int, default=MelodyConfig.hidden)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-dir", type=Path, default=None, help="where to write melody_<cell>.pt (default: assets/music)")
    args = p.parse_args(argv)
    if args.steps < 1 or args.batch < 1 or args.window < 2 or args.hidden < 1:
        p.error("steps, batch, hidden must be ≥ 1 and window ≥ 2")
    # Before any training: every output must be writable, and the data must hold tunes.
    outs = {cell: (args.out_dir / f"melody_{cell}.pt") if args.out_dir else weights_path(cell) for cell in args.cells}
    if args.out_dir is not None:
        check_writable_dir(args.out_dir)
    for out in outs.values():
        probe_writable(out)
    require_data_file(args.tokens, "token file")
    corpus = load_corpus(args.tokens)
    for split in ("train", "valid"):
        require_examples(corpus.tunes[split], args.tokens, f"{split} tunes")
    torch.set_num_threads(1)
    config = MelodyConfig(hidden=args.hidden)
    for cell in args.cells:
        model, record = train_one(cell, corpus, args.steps, args.batch, args.window, args.lr, config, args.seed)
        out = outs[cell]
        save_checkpoint(out, model.state_dict(), config_dict(model.config), **record)
        print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {record['train_seconds']:.0f} s)")
    return 0
