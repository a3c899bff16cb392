"""``python -m sequence_models train sentiment``: the bag of words, then the GRU (and the GRU without augmentation).

Reproducible: fixed seed, one CPU thread by default. The bag of words' L2 strength is picked
on the dev split; the GRU keeps the epoch with the best dev accuracy. Its loss is the
cross-entropy of the verdict (the last step) plus half the mean cross-entropy of every prefix,
so P(positive | the first t words) means something at every step. Augmentation
(:mod:`sequence_models.sentiment.augment`) draws only on the training split. Weights go to
``assets/sentiment/<kind>.pt`` (float16).
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from sequence_models.cli import OneLineParser
from sequence_models.runtime import asset_path, check_writable_dir, save_checkpoint, seed_everything
from sequence_models.sentiment.augment import Augmenter, Sample, sentiment_lexicon
from sequence_models.sentiment.data import Vocab, load_split, tokenize
from sequence_models.sentiment.model import BagOfWords, SentimentRNN, default_config

ASSET_DIR = "sentiment"
#: file name → (model kind, augmented?)
VARIANTS = {"gru": ("gru", True), "gru_plain": ("gru", False), "bow": ("bow", False)}
MAX_TOKENS = 80


def weights_path(name: str, out_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the weights ``name`` (a key of :data:`VARIANTS`) live: ``assets/sentiment/<name>.pt``."""
    return (Path(out_dir) if out_dir else asset_path(ASSET_DIR)) / f"{name}.pt"


def pad(seqs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids [batch, time] and lengths [batch] (an empty text becomes one unknown word)."""
    seqs = [s[:MAX_TOKENS] or [1] for s in seqs]
    ids = torch.zeros(len(seqs), max(len(s) for s in seqs), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
    return ids, torch.tensor([len(s) for s in seqs])


def half_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """State dict with floating tensors stored as float16 (halves the file)."""
    return {k: (v.half() if v.is_floating_point() else v).clone() for k, v in model.state_dict().items()}


@torch.inference_mode()
def final_probs(model: torch.nn.Module, seqs: list[list[int]], batch_size: int = 256) -> torch.Tensor:
    """P(positive) of each whole text (the GRU's last step; the bag of words' only output)."""
    model.eval()
    out = []
    for s in range(0, len(seqs), batch_size):
        ids, lengths = pad(seqs[s:s + batch_size])
        if isinstance(model, BagOfWords):
            logits = model(ids)
        else:
            logits = model(ids)[0].gather(1, (lengths - 1)[:, None]).squeeze(1)
        out.append(torch.sigmoid(logits.float()))
    return torch.cat(out) if out else torch.zeros(0)


def accuracy(model: torch.nn.Module, seqs: list[list[int]], labels: list[int]) -> float:
    pred = (final_probs(model, seqs) > 0.5).long()
    return float((pred == torch.tensor(labels)).float().mean())


def train_bow(seqs: list[list[int]], labels: list[int], dev: tuple[list[list[int]], list[int]], vocab_size: int,
              *, seed: int, epochs: int = 30, l2_grid: tuple[float, ...] = (0.0, 1e-5, 3e-5),
              log: Any = print) -> tuple[BagOfWords, dict[str, Any]]:
    """Logistic regression on counts (Adam, minibatches of 512); the L2 strength with the best dev accuracy wins."""
    ids, _ = pad(seqs)
    y = torch.tensor(labels, dtype=torch.float)
    best: tuple[float, float, BagOfWords] | None = None
    t0 = time.perf_counter()
    for l2 in l2_grid:
        gen = seed_everything(seed)
        model = BagOfWords(default_config("bow", vocab_size))
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        model.train()
        for _ in range(epochs):
            for b in torch.randperm(len(y), generator=gen).split(512):
                loss = F.binary_cross_entropy_with_logits(model(ids[b]), y[b]) + l2 * model.weight.weight.pow(2).sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
        acc = accuracy(model, *dev)
        log(f"[bow] L2 {l2:g}: dev accuracy {acc:.4f}")
        if best is None or acc > best[0]:
            best = (acc, l2, model)
    assert best is not None
    return best[2], {"l2": best[1], "dev_accuracy": round(best[0], 4), "epochs": epochs, "seed": seed,
                     "seconds": round(time.perf_counter() - t0, 1), "train_texts": len(seqs)}


def _batches(samples: list[Sample], vocab: Vocab, batch_size: int, rng: random.Random,
             word_dropout: float) -> list[tuple[torch.Tensor, ...]]:
    """Shuffled, roughly length-sorted batches: ids, lengths, per-step targets and weights."""
    order = list(range(len(samples)))
    rng.shuffle(order)
    chunk = batch_size * 50
    groups = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c:c + chunk], key=lambda i: len(samples[i][0]))
        groups += [part[s:s + batch_size] for s in range(0, len(part), batch_size)]
    rng.shuffle(groups)
    out = []
    for g in groups:
        seqs = [vocab.encode(samples[i][0][:MAX_TOKENS]) for i in g]
        if word_dropout > 0:
            seqs = [[1 if rng.random() < word_dropout else w for w in s] for s in seqs]
        ids, lengths = pad(seqs)
        target = torch.zeros(ids.shape)
        weight = torch.zeros(ids.shape)
        for r, i in enumerate(g):
            n = int(lengths[r])
            target[r, :n] = torch.tensor(samples[i][1][:n], dtype=torch.float)
            weight[r, :n] = torch.tensor(samples[i][2][:n])
        out.append((ids, lengths, target, weight))
    return out


def sequence_loss(logits: torch.Tensor, lengths: torch.Tensor, target: torch.Tensor,
                  weight: torch.Tensor, prefix_weight: float = 0.5) -> torch.Tensor:
    """Cross-entropy of the last step (the verdict) + ``prefix_weight`` × the weighted mean over all steps."""
    last = (lengths - 1)[:, None]
    final = F.binary_cross_entropy_with_logits(logits.gather(1, last).squeeze(1), target.gather(1, last).squeeze(1))
    steps = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    per_text = (steps * weight).sum(1) / weight.sum(1).clamp_min(1.0)
    return final + prefix_weight * per_text.mean()


def train_rnn(kind: str, train: list[tuple[list[str], int]], vocab: Vocab, dev: tuple[list[list[int]], list[int]],
              augmenter: Augmenter | None, *, epochs: int, batch_size: int, lr: float, seed: int,
              augment_rate: float = 0.5, word_dropout: float = 0.1, hidden: int | None = None,
              log: Any = print) -> tuple[SentimentRNN, dict[str, Any]]:
    """Train one recurrent classifier; keep the epoch with the best dev accuracy."""
    seed_everything(seed)
    rng = random.Random(seed)
    config = default_config(kind, len(vocab))
    if hidden is not None:
        config["hidden"] = hidden
    model = SentimentRNN(config)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    base: list[Sample] = [(t, [y] * len(t), [1.0] * len(t)) for t, y in train if t]
    n_aug = int(len(base) * augment_rate) if augmenter else 0
    steps_per_epoch = math.ceil((len(base) + n_aug) / batch_size)
    total = epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / max(total, 1))))
    best_acc, best_state, best_epoch, history = -1.0, None, 0, []
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        samples = base + ([augmenter.sample(rng) for _ in range(n_aug)] if augmenter else [])
        model.train()
        running = 0.0
        batches = _batches(samples, vocab, batch_size, rng, word_dropout)
        for bi, (ids, lengths, target, weight) in enumerate(batches, 1):
            logits, _ = model(ids)
            loss = sequence_loss(logits, lengths, target, weight)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            running = 0.98 * running + 0.02 * loss.item() if bi > 1 else loss.item()
        acc = accuracy(model, *dev)
        history.append({"epoch": epoch, "loss": round(running, 4), "dev_accuracy": round(acc, 4)})
        log(f"[{kind}{'' if augmenter else ' plain'}] epoch {epoch}/{epochs} loss {running:.4f} "
            f"dev accuracy {acc:.4f} {time.perf_counter() - t0:.0f}s")
        if acc > best_acc:
            best_acc, best_epoch = acc, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert best_state is not None
    model.load_state_dict(best_state)
    model.eval()
    return model, {"epochs": epochs, "best_epoch": best_epoch, "dev_accuracy": round(best_acc, 4),
                   "batch_size": batch_size, "lr": lr, "seed": seed, "augmented": augmenter is not None,
                   "augment_rate": augment_rate if augmenter else 0.0, "word_dropout": word_dropout,
                   "seconds": round(time.perf_counter() - t0, 1), "train_texts": len(base),
                   "parameters": model.num_parameters(), "history": history}


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m sequence_models train sentiment [options]``."""
    p = OneLineParser(prog="python -m sequence_models train sentiment",
                      description="Train the bag of words and the GRU on ../shared/data/sentiment.")
    p.add_argument("--data", default=None, help="data folder holding sentiment/ (default: runtime.data_dir())")
    p.add_argument("--model", choices=[*VARIANTS, "all"], default="all",
                   help="gru (augmented), gru_plain (reviews only), bow, or all (default)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--hidden", type=int, default=None, help="GRU units (default 96)")
    p.add_argument("--augment-rate", type=float, default=0.5, help="augmented samples per training text and epoch")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--limit", type=int, default=None, help="use only the first N texts of each split (smoke tests)")
    p.add_argument("--out", default=None, help="output folder (default assets/sentiment)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the CPU is shared)")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.threads < 1:
        p.error("--epochs, --batch-size and --threads must be at least 1")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number")
    if not (0 <= args.augment_rate <= 4):
        p.error("--augment-rate must be between 0 and 4")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    torch.set_num_threads(args.threads)
    train = load_split("train", args.data, args.limit)
    dev = load_split("dev", args.data, args.limit)
    out_dir = check_writable_dir(Path(args.out) if args.out else asset_path(ASSET_DIR))
    started = time.perf_counter()
    train_tokens = [(tokenize(e.text), e.label) for e in train]
    vocab = Vocab.build(t for t, _ in train_tokens)
    enc = [vocab.encode(t) for t, _ in train_tokens]
    dev_set = ([vocab.encode(tokenize(e.text)) for e in dev], [e.label for e in dev])
    print(f"{len(train)} training texts, {len(dev)} dev texts, {len(vocab)} words", flush=True)
    log = lambda m: print(m, flush=True)  # noqa: E731
    wanted = list(VARIANTS) if args.model == "all" else [args.model]
    common = {"vocab": vocab.to_list(), "data": "sentiment/train.tsv"}
    if "bow" in wanted:
        bow, bow_summary = train_bow(enc, [y for _, y in train_tokens], dev_set, len(vocab), seed=args.seed, log=log)
        _save(out_dir, "bow", bow, bow_summary, common, started)
    counts = Counter(w for t, _ in train_tokens for w in t)
    lexicon = sentiment_lexicon(train_tokens)
    print(f"sentiment words for augmentation: {len(lexicon)} "
          f"(e.g. {', '.join(sorted(lexicon, key=lambda w: -counts[w])[:12])})", flush=True)
    for name in [n for n in wanted if n != "bow"]:
        kind, augmented = VARIANTS[name]
        aug = Augmenter(train_tokens, lexicon) if augmented else None
        model, summary = train_rnn(kind, train_tokens, vocab, dev_set, aug, epochs=args.epochs,
                                   batch_size=args.batch_size, lr=args.lr, seed=args.seed, hidden=args.hidden,
                                   augment_rate=args.augment_rate, log=log)
        if aug is not None:
            summary["lexicon_size"] = len(lexicon)
        _save(out_dir, name, model, summary, common, started)
    print(f"done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _save(out_dir: Path, name: str, model: torch.nn.Module, summary: dict[str, Any], common: dict[str, Any],
          started: float) -> None:
    summary = {**summary, "total_seconds_at_save": round(time.perf_counter() - started, 1)}
    path = save_checkpoint(out_dir / f"{name}.pt", half_state(model), model.config,
                           **{**common, "name": name, "training": summary})
    print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB): "
          f"{json.dumps({k: v for k, v in summary.items() if k != 'history'})}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
