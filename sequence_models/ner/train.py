"""``python -m sequence_models train ner``: train the BiLSTM-CRF and the forward-only tagger.

Training text (rebuilt every epoch with the seeded generator, see :func:`epoch_sentences`):

* every GMB training sentence (news);
* every Tatoeba training sentence that has an entity, plus a fraction of the ones without
  (everyday sentences, most of them have no entity at all);
* extra copies of sentences holding a rare course type (TIME, PRODUCT, EVENT, FAC);
* the hand-written supplement (``supplement.txt``), a few copies;
* each sentence lower-cased with probability ``--lower`` and upper-cased with ``--upper``,
  so lower-case and ALL-CAPS input is tagged like written text.

Training labels go through :func:`~sequence_models.ner.data.repair_boundaries` (``$`` inside
MONEY, ``10:00 AM`` one TIME span). ``--init DIR`` continues from earlier weights (words and
characters new to the vocabulary start random). Reproducible: fixed seed and epochs, one CPU
thread. Weights are written atomically to ``assets/ner/<kind>.pt`` in float16.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from sequence_models.cli import OneLineParser
from sequence_models.ner.data import TAGS, Sentence, load_split, repair_boundaries, split_path
from sequence_models.ner.model import KINDS, Tagger, default_config
from sequence_models.ner.supplement import SUPPLEMENT_FILE, load_supplement
from sequence_models.ner.vocab import Vocab
from sequence_models.runtime import (
    DataError,
    asset_path,
    check_writable_dir,
    load_checkpoint,
    require_data_file,
    save_checkpoint,
    seed_everything,
)

#: Course types that are rare in the silver data; sentences holding one get extra copies.
RARE_TYPES = ("TIME", "PRODUCT", "EVENT", "FAC")


@dataclass(frozen=True)
class Mix:
    """How one epoch's training text is put together (see :func:`epoch_sentences`)."""

    tatoeba_o_fraction: float = 0.25   # share of entity-free Tatoeba sentences used per epoch
    rare_copies: int = 2               # extra copies of sentences holding a RARE_TYPES entity
    supplement_copies: int = 3         # copies of each hand-written sentence
    lower: float = 0.3                 # probability a sentence is lower-cased
    upper: float = 0.05                # probability a sentence is upper-cased

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def has_rare(sentence: Sentence) -> bool:
    return any(t[2:] in RARE_TYPES for t in sentence.silver if t.startswith("B-"))


def recase(sentence: Sentence, how: str) -> Sentence:
    """The sentence with every token lower- or upper-cased (labels unchanged)."""
    f = str.lower if how == "lower" else str.upper
    return replace(sentence, tokens=tuple(f(t) for t in sentence.tokens))


def epoch_sentences(gmb: Sequence[Sentence], tatoeba: Sequence[Sentence], supplement: Sequence[Sentence],
                    mix: Mix, rng: random.Random) -> list[Sentence]:
    """One epoch's sentences: the corpora mixed and re-cased as :class:`Mix` says."""
    out: list[Sentence] = list(gmb)
    for s in tatoeba:
        if any(t != "O" for t in s.silver) or rng.random() < mix.tatoeba_o_fraction:
            out.append(s)
    rare = [s for s in (*gmb, *tatoeba) if has_rare(s)]
    out.extend(rare * mix.rare_copies)
    out.extend(list(supplement) * mix.supplement_copies)
    cased = []
    for s in out:
        r = rng.random()
        cased.append(recase(s, "lower") if r < mix.lower else recase(s, "upper") if r < mix.lower + mix.upper else s)
    return cased


def init_from(model: Tagger, vocab: Vocab, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Copy the weights of an earlier checkpoint into ``model`` (rows of known words and characters).

    Returns the earlier checkpoint's training summary (kept in the new one's)."""
    ckpt = load_checkpoint(path)
    old = Vocab.from_dict(ckpt["vocab"])
    state = {k: v.float() for k, v in ckpt["state_dict"].items()}
    own = model.state_dict()
    for name, value in state.items():
        if name == "word_embed.weight":
            rows = [(i, old.word_index[w]) for i, w in enumerate(vocab.words) if w in old.word_index]
        elif name == "chars.embed.weight":
            rows = [(i, old.char_index[c]) for i, c in enumerate(vocab.chars) if c in old.char_index]
        elif name in own and own[name].shape == value.shape:
            own[name] = value
            continue
        else:
            raise DataError(f"{path} does not fit this model ({name} has shape {tuple(value.shape)})")
        new_idx, old_idx = zip(*rows)
        own[name][list(new_idx)] = value[list(old_idx)]
    model.load_state_dict(own)
    return dict(ckpt.get("training", {}))

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
                log: Any = print, tatoeba: Sequence[Sentence] = (), supplement: Sequence[Sentence] = (),
                mix: Mix | None = None, init: str | os.PathLike[str] | None = None) -> tuple[Tagger, dict[str, Any]]:
    """Train one tagger; returns it and a summary (steps, seconds, final loss).

    ``train`` is GMB; with ``mix`` each epoch's text comes from :func:`epoch_sentences` (GMB,
    ``tatoeba``, ``supplement``, re-cased); without it, ``train`` is used as it is every epoch."""
    gen = seed_everything(seed)
    rng = random.Random(seed)
    config = default_config(kind, len(vocab.words), len(vocab.chars))
    if hidden is not None:
        config["hidden"] = hidden
    model = Tagger(config)
    init_summary = init_from(model, vocab, init) if init else None

    def epoch_batches() -> list[Batch]:
        sents = epoch_sentences(train, tatoeba, supplement, mix, rng) if mix else train
        return make_batches(sents, vocab, batch_size)

    batches = epoch_batches()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    total = epochs * len(batches)
    # cosine decay from lr to lr/10 over the fixed number of steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / max(total, 1))))
    step, t0, running = 0, time.perf_counter(), 0.0
    model.train()
    tokens_seen = 0
    for epoch in range(epochs):
        if epoch > 0 and mix:
            batches = epoch_batches()
        for bi in torch.randperm(len(batches), generator=gen).tolist():
            if step >= total:
                break
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
            tokens_seen += int(inputs["mask"].sum())
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % log_every == 0 or step == total:
                log(f"[{kind}] epoch {epoch + 1}/{epochs} step {step}/{total} loss {running:.4f} "
                    f"{time.perf_counter() - t0:.0f}s {tokens_seen / (time.perf_counter() - t0):.0f} tokens/s")
    model.eval()
    summary = {"steps": step, "epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed,
               "seconds": round(time.perf_counter() - t0, 1), "final_loss": round(running, 4),
               "train_sentences": len(train), "tokens_seen": tokens_seen, "parameters": model.num_parameters()}
    if mix:
        summary.update(tatoeba_sentences=len(tatoeba), supplement_sentences=len(supplement), mix=mix.as_dict())
    if init_summary is not None:
        summary["initialised_from"] = {"file": Path(init).name, "training": init_summary}
    return model, summary


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m sequence_models train ner [options]``."""
    p = OneLineParser(prog="python -m sequence_models train ner",
                      description="Train the NER taggers on ../shared/data/ner (GMB + Tatoeba, silver labels).")
    p.add_argument("--data", default=None,
                   help="data folder holding ner/ (default: sequence_models.runtime.data_dir())")
    p.add_argument("--model", choices=[*KINDS, "both"], default="both")
    p.add_argument("--epochs", type=int, default=7)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--hidden", type=int, default=None, help="LSTM units per direction (default 128)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--limit", type=int, default=None, help="only the first N sentences of each corpus (smoke tests)")
    p.add_argument("--out", default=None, help="output folder (default assets/ner)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the CPU is shared)")
    p.add_argument("--gmb-only", action="store_true", help="train on GMB alone, as written (the original recipe)")
    p.add_argument("--no-supplement", action="store_true", help="leave out the hand-written supplement")
    p.add_argument("--init", default=None, help="folder of earlier <kind>.pt weights to continue from")
    p.add_argument("--tatoeba-o-fraction", type=float, default=Mix.tatoeba_o_fraction,
                   help="share of entity-free Tatoeba sentences used per epoch")
    p.add_argument("--rare-copies", type=int, default=Mix.rare_copies,
                   help=f"extra copies of sentences holding {', '.join(RARE_TYPES)}")
    p.add_argument("--supplement-copies", type=int, default=Mix.supplement_copies)
    p.add_argument("--lower", type=float, default=Mix.lower, help="probability a sentence is lower-cased")
    p.add_argument("--upper", type=float, default=Mix.upper, help="probability a sentence is upper-cased")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        p.error("--epochs and --batch-size must be at least 1")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    if args.rare_copies < 0 or args.supplement_copies < 0:
        p.error("--rare-copies and --supplement-copies must be at least 0")
    for name in ("tatoeba_o_fraction", "lower", "upper"):
        if not 0 <= getattr(args, name) <= 1:
            p.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    if args.lower + args.upper > 1:
        p.error("--lower plus --upper must be at most 1")
    kinds = KINDS if args.model == "both" else (args.model,)
    # check everything before the work starts: data files, output folder, earlier weights
    corpora = ("gmb",) if args.gmb_only else ("gmb", "tatoeba")
    for corpus in corpora:
        require_data_file(split_path("train", args.data, corpus), "NER data file")
    out_dir = check_writable_dir(Path(args.out) if args.out else asset_path(ASSET_DIR))
    inits = {}
    for kind in kinds:
        if args.init:
            inits[kind] = require_data_file(Path(args.init) / f"{kind}.pt", "weights to continue from")
    torch.set_num_threads(args.threads)
    mix = None if args.gmb_only else Mix(args.tatoeba_o_fraction, args.rare_copies, args.supplement_copies,
                                         args.lower, args.upper)

    def labelled(sentences: list[Sentence]) -> list[Sentence]:
        return [replace(s, silver=repair_boundaries(s.tokens, s.silver)) for s in sentences] if mix else sentences

    train = labelled(load_split("train", args.data, args.limit, "gmb"))
    tatoeba = labelled(load_split("train", args.data, args.limit, "tatoeba")) if mix else []
    supplement = load_supplement(SUPPLEMENT_FILE) if mix and not args.no_supplement else []
    vocab = Vocab.build(s.tokens for s in (*train, *tatoeba, *supplement))
    n_tokens = sum(len(s.tokens) for s in (*train, *tatoeba))
    print(f"{len(train)} GMB + {len(tatoeba)} Tatoeba + {len(supplement)} supplement sentences, {n_tokens} tokens, "
          f"{len(vocab.words)} words, {len(vocab.chars)} chars", flush=True)
    for kind in kinds:
        model, summary = train_model(kind, train, vocab, epochs=args.epochs, batch_size=args.batch_size,
                                     lr=args.lr, seed=args.seed, hidden=args.hidden,
                                     log=lambda m: print(m, flush=True), tatoeba=tatoeba, supplement=supplement,
                                     mix=mix, init=inits.get(kind))
        summary["command"] = "python -m sequence_models train ner " + " ".join(argv if argv is not None
                                                                                 else sys.argv[1:])
        path = save_checkpoint(weights_path(kind, out_dir), half_state(model), model.config,
                               vocab=vocab.to_dict(), tags=list(TAGS), training=summary)
        print(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB): {json.dumps(summary)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
