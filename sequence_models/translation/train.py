"""``python -m sequence_models train translation``: train the attention or no-attention model.

Both models are trained the same way: one joint cased SentencePiece vocabulary
(``spm.model``, trained on the training split only if the output folder has none yet),
the same data (training pairs of at most ``--max-len`` pieces plus ``--join-share`` extra
inputs made by joining 2–4 training pairs, so long inputs are in distribution), batches of
about ``--batch-tokens`` target pieces grouped by length, the same step budget, and early
stopping on the dev split: the dev loss is measured every ``--eval-every`` steps and the
checkpoint is written only when it improves. ``--max-minutes`` caps the wall-clock time;
the learning-rate schedule follows whichever budget (steps or minutes) runs out first.
Reproducible up to that time cap: fixed seed, one CPU thread. The word table (``words.json``: the
truecaser and training word counts, :mod:`~sequence_models.translation.normalise`) is written beside
the checkpoint when missing, or alone with ``--words-only``.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import time
from pathlib import Path

import torch
from torch import nn

from sequence_models.runtime import asset_path, check_writable_file, seed_everything
from sequence_models.translation.data import (bucketed_batches, encode_pairs, joined_training_pairs, make_batch,
                                              class_swapped_pairs, name_swapped_pairs, read_pairs)
from sequence_models.translation.names import NAME_SENTENCES
from sequence_models.translation.seq2seq import (ModelConfig, Seq2Seq, Translator, load_translator, save_translator,
                                                 tokenizer_beside)
from sequence_models.translation.subwords import Subwords, train_tokenizer
from sequence_models.translation.normalise import WORDS_FILE, build_word_table, write_word_table

DEFAULT_OUT = {True: "translation/attention.pt", False: "translation/plain.pt"}


def build_parser() -> argparse.ArgumentParser:
    from sequence_models.cli import OneLineParser, bounded
    p = OneLineParser(prog="python -m sequence_models train translation",
                      description="Train the English→French encoder–decoder (with or without attention).")
    p.add_argument("--data", default=None, help="data folder (default: ../shared/data)")
    p.add_argument("--out", default=None,
                   help="checkpoint path (default: assets/translation/attention.pt or plain.pt); "
                        "the subword model is spm.model in the same folder")
    p.add_argument("--no-attention", action="store_true",
                   help="train the decoder that sees only the final encoder state")
    p.add_argument("--epochs", type=bounded(float, 0.001, 100), default=4.0,
                   help="passes over the training inputs (fixes the step budget)")
    p.add_argument("--max-minutes", type=bounded(float, 0.1), default=100.0,
                   help="stop after this many minutes of training (the schedule adapts)")
    p.add_argument("--batch-tokens", type=bounded(int, 16, 100000), default=3000,
                   help="about this many padded target pieces per batch")
    p.add_argument("--lr", type=bounded(float, 1e-6, 1.0), default=2e-3)
    p.add_argument("--max-len", type=bounded(int, 2, 400), default=50,
                   help="skip training pairs longer than this many pieces (either side)")
    p.add_argument("--join-share", type=bounded(float, 0.0, 1.0), default=0.12,
                   help="extra joined inputs (2–4 training pairs) as a share of the training pairs")
    p.add_argument("--join-max-len", type=bounded(int, 2, 400), default=110,
                   help="longest joined input in pieces (either side)")
    p.add_argument("--name-swap", type=bounded(float, 0.0, 1.0), default=0.0,
                   help="share of the training pairs holding a name (Tom, Boston) that get a copy with made-up "
                        "names on both sides, so the model learns to copy names it never saw")
    p.add_argument("--class-swap", type=bounded(int, 0, 20), default=0,
                   help="copies of each training pair holding a month, weekday or country, each with those words "
                        "replaced on both sides by others of the same kind (September for June, Africa for Italy), "
                        "so rare members are learnt as well as frequent ones")
    p.add_argument("--class-swap-per-class", type=bounded(int, 0, 100000), default=0,
                   help="with --class-swap: more copies for pairs of rare classes, so that every class (months, "
                        "weekdays, countries by French article) has at least about this many")
    p.add_argument("--words-only", action="store_true",
                   help="only (re)write the word table (truecasing and training word counts, words.json) beside "
                        "the checkpoint path, then stop")
    p.add_argument("--init", default=None,
                   help="continue from this checkpoint (its sizes and subword vocabulary; no warm-up)")
    p.add_argument("--vocab-size", type=bounded(int, 300, 64000), default=12000,
                   help="subword pieces when the tokenizer has to be trained")
    p.add_argument("--emb", type=bounded(int, 4, 2048), default=256)
    p.add_argument("--enc-hidden", type=bounded(int, 4, 2048), default=256)
    p.add_argument("--dec-hidden", type=bounded(int, 4, 2048), default=320)
    p.add_argument("--attn-dim", type=bounded(int, 4, 2048), default=192)
    p.add_argument("--dropout", type=bounded(float, 0.0, 0.9), default=0.15)
    p.add_argument("--limit", type=bounded(int, 1), default=None,
                   help="use only the first N training pairs (quick checks)")
    p.add_argument("--max-steps", type=bounded(int, 1), default=None, help="stop after N steps (quick checks)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=bounded(int, 1, 64), default=1)
    p.add_argument("--log-every", type=bounded(int, 1), default=100)
    p.add_argument("--eval-every", type=bounded(int, 1), default=500,
                   help="measure the dev loss (and save when it improved) every N steps")
    p.add_argument("--patience", type=bounded(int, 1), default=4,
                   help="stop when the dev loss has not improved for this many measurements")
    return p


def lr_at(step: int, progress: float, base: float, warmup: int = 200) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to 5 % of ``base`` as ``progress`` goes 0 → 1."""
    if step < warmup:
        return base * (step + 1) / warmup
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, max(0.0, progress)))))


@torch.no_grad()
def dev_loss(model: Seq2Seq, items, batch_size: int = 128) -> float:
    """Mean per-token cross-entropy on ``items``."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(items), batch_size):
        b = make_batch(items[i: i + batch_size])
        loss, n = model.loss(b.src, b.lengths, b.tgt_in, b.tgt_out)
        total += float(loss) * n
        count += n
    model.train()
    return total / max(1, count)


def train_main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    attention = not args.no_attention
    out = check_writable_file(Path(args.out) if args.out else asset_path(DEFAULT_OUT[attention]))
    spm_path = check_writable_file(tokenizer_beside(out))
    t0 = time.time()
    train = read_pairs("train", args.data, args.limit)
    words_path = check_writable_file(out.with_name(Path(WORDS_FILE).name))
    if args.words_only or not words_path.is_file():
        table = write_word_table(build_word_table(p.en for p in train), words_path)
        print(f"wrote {table} (word table of {len(train)} training sentences)", flush=True)
        if args.words_only:
            return 0
    dev = read_pairs("dev", args.data)
    init = load_translator(args.init) if args.init else None
    if init is not None and not spm_path.is_file():
        shutil.copyfile(init.subwords.path, spm_path)
    if not spm_path.is_file():
        print(f"training the subword model ({args.vocab_size} pieces) on {len(train)} training pairs", flush=True)
        train_tokenizer([x for p in train for x in (p.en, p.fr)], spm_path, args.vocab_size)
    sw = Subwords(spm_path)
    vocab = init.vocab if init is not None else sw.build_vocab(x for p in train for x in (p.en, p.fr))
    rng = random.Random(args.seed)
    items = [it for it in encode_pairs(train, sw, vocab)
             if 1 <= len(it[0]) <= args.max_len and 2 <= len(it[1]) <= args.max_len + 1]
    swapped = name_swapped_pairs(train, args.name_swap, rng, avoid={n for _, ns in NAME_SENTENCES for n in ns})
    swapped += (classed := class_swapped_pairs(train, args.class_swap, rng, args.class_swap_per_class))
    items += [it for it in encode_pairs(swapped, sw, vocab)
              if 1 <= len(it[0]) <= args.max_len and 2 <= len(it[1]) <= args.max_len + 1]
    n_single = len(items)
    joined = joined_training_pairs(train, int(args.join_share * n_single), rng)
    items += [it for it in encode_pairs(joined, sw, vocab)
              if len(it[0]) <= args.join_max_len and len(it[1]) <= args.join_max_len + 1]
    dev_sel = random.Random(1).sample(dev, min(1000, len(dev)))
    dev_items = encode_pairs(dev_sel, sw, vocab)
    print(f"data: {n_single}/{len(train)} training pairs ≤ {args.max_len} pieces (with "
          f"{len(swapped) - len(classed)} name-swapped and {len(classed)} month/weekday/country-swapped copies) + "
          f"{len(items) - n_single} joined "
          f"inputs; {len(vocab)} subword pieces; {time.time() - t0:.0f}s", flush=True)

    if init is not None:
        if init.model.has_attention != attention:
            parser.error("--init must be a checkpoint of the same kind (with or without attention)")
        model = init.model
        model.cfg.dropout = args.dropout
    else:
        cfg = ModelConfig(attention=attention, src_vocab=len(vocab), tgt_vocab=len(vocab), emb_dim=args.emb,
                          enc_hidden=args.enc_hidden, dec_hidden=args.dec_hidden, attn_dim=args.attn_dim,
                          dropout=args.dropout, tied=True)
        model = Seq2Seq(cfg)
    prior = dict(init.info) if init is not None else {}
    warmup = 0 if init is not None else 200
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {'attention' if attention else 'no attention'}, {n_params / 1e6:.2f}M parameters", flush=True)
    # Embedding rows get sparse gradients (only the pieces in the batch); SparseAdam updates
    # just those rows, which saves a large share of each step on a CPU.
    sparse = [model.encoder.embedding.weight]
    dense = [p for p in model.parameters() if all(p is not q for q in sparse)]
    opts = [torch.optim.SparseAdam(sparse, lr=args.lr), torch.optim.Adam(dense, lr=args.lr)]
    epoch_batches = bucketed_batches(items, args.batch_tokens, rng)
    steps_per_epoch = len(epoch_batches)
    total = math.ceil(steps_per_epoch * args.epochs)
    total = total if args.max_steps is None else min(args.max_steps, total)
    budget_s = args.max_minutes * 60
    step, t_train, history = 0, time.time(), []
    best = {"dev_loss": float("inf"), "step": 0}
    bad_evals = 0
    model.train()

    def progress() -> float:
        return max(step / total, (time.time() - t_train) / budget_s)

    def evaluate_and_save() -> bool:
        """Dev loss; save when it improved. Returns False when training should stop (patience)."""
        nonlocal bad_evals
        dl = dev_loss(model, dev_items)
        minutes = (time.time() - t_train) / 60
        history.append({"epoch": round(step / steps_per_epoch, 3), "step": step, "dev_loss": round(dl, 4),
                        "minutes": round(minutes, 1)})
        print(f"step {step}: dev loss {dl:.3f} (ppl {math.exp(dl):.1f}), {minutes:.1f} min", flush=True)
        if dl < best["dev_loss"]:
            best.update(dev_loss=round(dl, 4), step=step)
            bad_evals = 0
            info = {"epochs": args.epochs, "epochs_done": round(step / steps_per_epoch, 3), "steps": step,
                    "total_steps": total, "train_minutes": round(minutes, 1), "threads": args.threads,
                    "train_pairs": n_single, "name_swapped": len(swapped) - len(classed),
                    "class_swapped": len(classed), "joined_inputs": len(items) - n_single,
                    "history": history, "best_dev_loss": best["dev_loss"], "seed": args.seed, "argv": list(argv),
                    "parameters": n_params, "subword_pieces": len(vocab)}
            if prior:   # a continued run: every earlier stage's record, and totals over all stages
                last = {k: prior.get(k) for k in ("steps", "epochs_done", "train_minutes", "argv", "history",
                                                  "best_dev_loss", "train_pairs", "joined_inputs")}
                steps_before = int(prior.get("steps_total", prior.get("steps", 0)))
                minutes_before = float(prior.get("train_minutes_total", prior.get("train_minutes", 0)))
                info.update(stages=[*prior.get("stages", []), last], steps_total=step + steps_before,
                            train_minutes_total=round(minutes + minutes_before, 1))
            save_translator(out, Translator(model, vocab, sw, info))
            print(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB) at step {step}", flush=True)
        else:
            bad_evals += 1
        return bad_evals < args.patience

    stop = False
    epoch = 0
    while not stop:
        run_loss, run_tok = 0.0, 0
        batches = epoch_batches if epoch == 0 else bucketed_batches(items, args.batch_tokens, rng)
        for idx in batches:
            if step >= total or progress() >= 1.0:
                stop = True
                break
            b = make_batch([items[i] for i in idx])
            lr = lr_at(step, progress(), args.lr, warmup)
            for opt in opts:
                for g in opt.param_groups:
                    g["lr"] = lr
            loss, ntok = model.loss(b.src, b.lengths, b.tgt_in, b.tgt_out)
            for opt in opts:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(dense, 1.0)
            for opt in opts:
                opt.step()
            step += 1
            run_loss += float(loss.detach()) * ntok
            run_tok += ntok
            if step % args.log_every == 0:
                el = time.time() - t_train
                print(f"epoch {epoch + 1} step {step}/{total} loss {run_loss / run_tok:.3f} lr {lr:.2e} "
                      f"{el / 60:.1f} min, {step / el:.2f} steps/s", flush=True)
                run_loss, run_tok = 0.0, 0
            if step % args.eval_every == 0 and not evaluate_and_save():
                print(f"early stop: no dev improvement in {args.patience} measurements", flush=True)
                stop = True
                break
        epoch += 1
    if not history or history[-1]["step"] != step:
        evaluate_and_save()
    print(f"done: {step} steps, {(time.time() - t_train) / 60:.1f} min, best dev loss {best['dev_loss']} "
          f"at step {best['step']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(train_main(sys.argv[1:]))
