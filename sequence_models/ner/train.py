"""``python -m sequence_models train ner``: train the BiLSTM-CRF and the forward-only tagger.

Reproducible: fixed seed, fixed number of epochs, one CPU thread (the machine is
shared). Sentences are sorted by length and cut into batches so little time goes
to padding; the batch order is shuffled each epoch with the seeded generator.
Weights are written to ``assets/ner/<kind>.pt`` in float16 (about 4 MB each).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

from sequence_models.cli import OneLineParser
from sequence_models.ner.data import TAGS, Sentence, load_split
from sequence_models.ner.model import KINDS, Tagger, default_config
from sequence_models.ner.vocab import Vocab
from sequence_models.runtime import asset_path, save_checkpoint, seed_everything

ASSET_DIR = "ner"


def weights_path(kind: str, out_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the weights of ``kind`` live (default ``assets/ner/<kind>.pt``)."""
    return (Path(out_dir) if out_dir else asset_path(ASSET_DIR)) / f"{kind}.pt"


Batch = tuple[dict[str, torch.Tensor], torch.Tensor]


def make_batches(sentences: list[Sentence], vocab: Vocab, batch_size: int) -> list[Batch]:
    """Length-sorted batches: ``(inputs, tags [batch, time])`` with tag padding 0."""
    tag_index = {t: i for i, t in enumerate(TAGS)}
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i].tokens))
    batches = []
    for s in range(0, len(order), batch_size):
        chunk = [sentences[i] for i in order[s:s + batch_size]]
        inputs = vocab.encode_batch([c.tokens for c in chunk])
        tags = torch.zeros_like(inputs["words"])
        for r, c in enumerate(chunk):
            tags[r, :len(c.silver)] = torch.tensor([tag_index.get(t, 0) for t in c.silver])
        batches.append((inputs, tags))
    return batches


def half_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """State dict with floating tensors stored as float16 (halves the file)."""
    return {k: (v.half() if v.is_floating_point() else v).clone() for k, v in model.state_dict().items()}


def train_model(kind: str, train: list[Sentence], vocab: Vocab, *, epochs: int, batch_size: int, lr: float,
                seed: int, word_dropout: float = 0.05, hidden: int | None = None, log_every: int = 200,
                log: Any = print) -> tuple[Tagger, dict[str, Any]]:
    """Train one tagger; returns it and a summary (steps, seconds, final loss)."""
    gen = seed_everything(seed)
    config = default_config(kind, len(vocab.words), len(vocab.chars))
    if hidden is not None:
        config["hidden"] = hidden
    model = Tagger(config)
    batches = make_batches(train, vocab, batch_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    total = epochs * len(batches)
    # cosine decay from lr to lr/10 over the fixed number of steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / max(total, 1))))
    step, t0, running = 0, time.perf_counter(), 0.0
    model.train()
    for epoch in range(epochs):
        for bi in torch.randperm(len(batches), generator=gen).tolist():
            inputs, tags = batches[bi]
            if word_dropout > 0:
                drop = (torch.rand(inputs["words"].shape, generator=gen) < word_dropout) & inputs["mask"]
                inputs = {**inputs, "words": inputs["words"].masked_fill(drop, 1)}
            loss = model.loss(inputs, tags)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % log_every == 0 or step == total:
                log(f"[{kind}] epoch {epoch + 1}/{epochs} step {step}/{total} loss {running:.4f} "
                    f"{time.perf_counter() - t0:.0f}s")
    model.eval()
    return model, {"steps": step, "epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed,
                   "seconds": round(time.perf_counter() - t0, 1), "final_loss": round(running, 4),
                   "train_sentences": len(train), "parameters": model.num_parameters()}


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m sequence_models train ner [options]``."""
    p = OneLineParser(prog="python -m sequence_models train ner",
                                description="Train the NER taggers on ../shared/data/ner (column 2 labels).")
    p.add_argument("--data", default=None,
                   help="data folder holding ner/ (default: sequence_models.runtime.data_dir())")
    p.add_argument("--model", choices=[*KINDS, "both"], default="both")
    p.add_argument("--epochs", type=int, default=7)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--hidden", type=int, default=None, help="LSTM units per direction (default 128)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training sentences (smoke tests)")
    p.add_argument("--out", default=None, help="output folder (default assets/ner)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the CPU is shared)")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        p.error("--epochs and --batch-size must be at least 1")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number")
    torch.set_num_threads(args.threads)
    train = load_split("train", args.data, args.limit)
    vocab = Vocab.build(s.tokens for s in train)
    print(f"{len(train)} sentences, {sum(len(s.tokens) for s in train)} tokens, "
          f"{len(vocab.words)} words, {len(vocab.chars)} chars", flush=True)
    kinds = KINDS if args.model == "both" else (args.model,)
    for kind in kinds:
        model, summary = train_model(kind, train, vocab, epochs=args.epochs, batch_size=args.batch_size,
                                     lr=args.lr, seed=args.seed, hidden=args.hidden,
                                     log=lambda m: print(m, flush=True))
        path = save_checkpoint(weights_path(kind, args.out), half_state(model), model.config,
                               vocab=vocab.to_dict(), tags=list(TAGS), training=summary)
        print(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB): {json.dumps(summary)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
