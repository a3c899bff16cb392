"""``python -m sequence_models train translation``: train the attention or no-attention model.

Reproducible: fixed seed, fixed number of epochs (hence of steps), one CPU thread.
Writes ``assets/translation/{attention,plain}.pt`` (fp16 weights) after every epoch.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import torch
from torch import nn

from sequence_models.runtime import asset_path, seed_everything
from sequence_models.translation.data import bucketed_batches, encode_pairs, make_batch, read_pairs
from sequence_models.translation.seq2seq import ModelConfig, Seq2Seq, Translator, save_translator
from sequence_models.translation.vocab import Vocab

DEFAULT_OUT = {True: "translation/attention.pt", False: "translation/plain.pt"}


def build_parser() -> argparse.ArgumentParser:
    from sequence_models.cli import OneLineParser
    p = OneLineParser(prog="python -m sequence_models train translation",
                description="Train the English→French encoder–decoder (with or without attention).")
    p.add_argument("--data", default=None, help="data folder (default: ../shared/data)")
    p.add_argument("--out", default=None,
                   help="checkpoint path (default: assets/translation/attention.pt or plain.pt)")
    p.add_argument("--no-attention", action="store_true", help="train the decoder that sees only the final encoder state")
    p.add_argument("--epochs", type=float, default=1.6, help="passes over the training pairs (fixes the step count)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--max-len", type=int, default=30,
                   help="skip training pairs longer than this many tokens (either side)")
    p.add_argument("--src-vocab", type=int, default=10000)
    p.add_argument("--tgt-vocab", type=int, default=12000)
    p.add_argument("--min-freq", type=int, default=2, help="minimum count of an English word (French: one more)")
    p.add_argument("--emb", type=int, default=256)
    p.add_argument("--enc-hidden", type=int, default=192)
    p.add_argument("--dec-hidden", type=int, default=256)
    p.add_argument("--attn-dim", type=int, default=192)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training pairs (quick checks)")
    p.add_argument("--max-steps", type=int, default=None, help="stop after N steps (quick checks)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--save-every", type=int, default=250, help="also save a checkpoint every N steps")
    return p


def lr_at(step: int, total: int, base: float, warmup: int = 200) -> float:
    """Linear warm-up, then cosine decay to 5 % of ``base`` at the last step."""
    if step < warmup:
        return base * (step + 1) / warmup
    frac = (step - warmup) / max(1, total - warmup)
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


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
    if not (args.threads >= 1 and args.batch_size >= 1 and args.epochs > 0 and math.isfinite(args.epochs)
            and args.lr > 0 and math.isfinite(args.lr)):
        parser.error("--threads and --batch-size must be at least 1, --epochs and --lr positive numbers")
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    attention = not args.no_attention
    out = Path(args.out) if args.out else asset_path(DEFAULT_OUT[attention])
    t0 = time.time()
    train = read_pairs("train", args.data, args.limit)
    dev = read_pairs("dev", args.data)[:1000]
    src_vocab = Vocab.build((p.en_tokens for p in train), args.src_vocab, args.min_freq)
    tgt_vocab = Vocab.build((p.fr_tokens for p in train), args.tgt_vocab, args.min_freq + 1)
    kept = [p for p in train if 1 <= len(p.en_tokens) <= args.max_len and 1 <= len(p.fr_tokens) <= args.max_len]
    items = encode_pairs(kept, src_vocab, tgt_vocab)
    dev_items = encode_pairs([p for p in dev if p.en_tokens and p.fr_tokens], src_vocab, tgt_vocab)
    print(f"data: {len(kept)}/{len(train)} training pairs ≤ {args.max_len} tokens; vocab en {len(src_vocab)} "
          f"fr {len(tgt_vocab)}; {time.time() - t0:.0f}s", flush=True)

    cfg = ModelConfig(attention=attention, src_vocab=len(src_vocab), tgt_vocab=len(tgt_vocab), emb_dim=args.emb,
                      enc_hidden=args.enc_hidden, dec_hidden=args.dec_hidden, attn_dim=args.attn_dim,
                      dropout=args.dropout)
    model = Seq2Seq(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {'attention' if attention else 'no attention'}, {n_params / 1e6:.2f}M parameters", flush=True)
    # Embedding rows get sparse gradients (only the words in the batch); SparseAdam updates
    # just those rows, which saves a large share of each step on a CPU.
    sparse = [model.encoder.embedding.weight, model.decoder.embedding.weight]
    dense = [p for p in model.parameters() if all(p is not q for q in sparse)]
    opts = [torch.optim.SparseAdam(sparse, lr=args.lr), torch.optim.Adam(dense, lr=args.lr)]
    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(items) / args.batch_size)
    total = math.ceil(steps_per_epoch * args.epochs)
    total = total if args.max_steps is None else min(args.max_steps, total)
    step, t_train, history = 0, time.time(), []
    model.train()

    def save(epoch: float) -> None:
        minutes = (time.time() - t_train) / 60
        info = {"epochs": args.epochs, "epochs_done": round(epoch, 3), "steps": step, "total_steps": total,
                "train_minutes": round(minutes, 1), "threads": args.threads, "train_pairs": len(kept),
                "history": history, "seed": args.seed, "argv": list(argv), "parameters": n_params}
        save_translator(out, Translator(model, src_vocab, tgt_vocab, info))
        print(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB) at step {step}", flush=True)

    for epoch in range(math.ceil(args.epochs)):
        run_loss, run_tok = 0.0, 0
        for idx in bucketed_batches(items, args.batch_size, rng):
            if step >= total:
                break
            b = make_batch([items[i] for i in idx])
            for opt in opts:
                for g in opt.param_groups:
                    g["lr"] = lr_at(step, total, args.lr)
            loss, ntok = model.loss(b.src, b.lengths, b.tgt_in, b.tgt_out)
            for opt in opts:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(dense, 1.0)
            for opt in opts:
                opt.step()
            step += 1
            if step % args.save_every == 0 and step < total:
                save(step / steps_per_epoch)
            run_loss += float(loss.detach()) * ntok
            run_tok += ntok
            if step % args.log_every == 0:
                el = time.time() - t_train
                print(f"epoch {epoch + 1} step {step}/{total} loss {run_loss / run_tok:.3f} "
                      f"{el / 60:.1f} min, eta {(total - step) * el / step / 60:.1f} min", flush=True)
                run_loss, run_tok = 0.0, 0
        dl = dev_loss(model, dev_items)
        minutes = (time.time() - t_train) / 60
        history.append({"epoch": round(step / steps_per_epoch, 3), "step": step, "dev_loss": round(dl, 4),
                        "minutes": round(minutes, 1)})
        print(f"epoch {epoch + 1} done: dev loss {dl:.3f} (ppl {math.exp(dl):.1f}), {minutes:.1f} min", flush=True)
        save(step / steps_per_epoch)
        if step >= total:
            break
    return 0


if __name__ == "__main__":
    sys.exit(train_main(sys.argv[1:]))
