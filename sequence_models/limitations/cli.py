"""Command-line parts for the limitations lessons.

- ``python -m sequence_models gradients --cell rnn --length 100 --radius 0.9 [--json]``
  prints ``‖∂L/∂a⟨T−k⟩‖`` for every distance ``k`` (see :mod:`.gradients`).
- ``python -m sequence_models train limitations [--steps N] [--lengths 10 20 ...]`` runs
  the across-lag sweep and writes ``assets/limitations/`` (see :mod:`.long_term`).
"""

from __future__ import annotations

import argparse
import math
import sys

from sequence_models.cli import bounded
from sequence_models.limitations.gradients import (ACTIVATIONS, CELLS, DTYPES, FORGET_BIAS_RANGE, HIDDEN_RANGE,
                                                   LENGTH_RANGE, MATRICES, RADIUS_RANGE, SEED_RANGE, GradientConfig,
                                                   format_log10, gradient_norms, pascanu_condition)


def add_gradients_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the ``gradients`` command (every size bounded)."""
    d = GradientConfig()
    p.add_argument("--cell", choices=CELLS, default=d.cell, help="recurrent cell (default: rnn)")
    p.add_argument("--length", type=bounded(int, *LENGTH_RANGE), default=d.length,
                   help=f"sequence length T, {LENGTH_RANGE[0]}–{LENGTH_RANGE[1]} (default {d.length})")
    p.add_argument("--radius", type=bounded(float, *RADIUS_RANGE), default=d.radius,
                   help=f"spectral radius ρ of the recurrent weights, {RADIUS_RANGE[0]}–{RADIUS_RANGE[1]} "
                        f"(default {d.radius})")
    p.add_argument("--activation", choices=ACTIVATIONS, default=d.activation, help="vanilla RNN's activation")
    p.add_argument("--forget-bias", type=bounded(float, *FORGET_BIAS_RANGE), default=d.forget_bias,
                   help="LSTM forget-gate bias (default 1)")
    p.add_argument("--hidden", type=bounded(int, *HIDDEN_RANGE), default=d.hidden,
                   help=f"hidden units, {HIDDEN_RANGE[0]}–{HIDDEN_RANGE[1]} (default {d.hidden})")
    p.add_argument("--seed", type=bounded(int, *SEED_RANGE), default=d.seed, help="random seed (default 0)")
    p.add_argument("--dtype", choices=tuple(DTYPES), default=d.dtype, help="floating-point type (default float64)")
    p.add_argument("--matrix", choices=MATRICES, default=d.matrix,
                   help="recurrent matrix: orthogonal × ρ, or Gaussian rescaled to spectral radius ρ")
    p.add_argument("--json", action="store_true", help="print every distance's gradient norm as JSON")


def run_gradients(args: argparse.Namespace) -> int:
    """Print the per-step gradient norms (a table, or JSON with ``--json``)."""
    from sequence_models.cli import print_json
    cfg = GradientConfig(cell=args.cell, length=args.length, radius=args.radius, activation=args.activation,
                         forget_bias=args.forget_bias, hidden=args.hidden, seed=args.seed, dtype=args.dtype,
                         matrix=args.matrix)
    result = gradient_norms(cfg)
    if args.json:
        out = result.to_json()
        out["pascanu"] = {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                          for k, v in pascanu_condition(result).items()}
        print_json(out)
        return 0
    label = f"{cfg.cell}" + (f" ({cfg.activation})" if cfg.cell == "rnn" else "")
    print(f"{label}, T={cfg.length}, ρ={cfg.radius:g}, hidden={cfg.hidden}, {cfg.dtype}: "
          f"L = u·a⟨T⟩ = {result.loss:.4g}; largest singular value {result.top_singular_value:.4g}")
    print("   k  ‖∂L/∂a⟨T−k⟩‖" + ("      ρ^k" if result.theory_log10 is not None else ""))
    for k, v in enumerate(result.norms):
        theory = "" if result.theory_log10 is None else f"  {format_log10(result.theory_log10[k])}"
        print(f"{k:4d}  {v:12.4e}{theory}")
    c = result.counts
    print(f"exactly 0 (underflow): {c['zero']}, inf (overflow): {c['inf']}, nan: {c['nan']}")
    return 0


def train_limitations(argv: list[str]) -> int:
    """``train limitations``: the across-lag sweep (RNN/LSTM/GRU on the adding problem).

    The output folder is checked (created, writable) before any training; results are written atomically."""
    from sequence_models.cli import OneLineParser
    from sequence_models.limitations.long_term import LENGTH_RANGE as LT_RANGE, SweepConfig, run_sweep
    from sequence_models.runtime import asset_path, check_writable_dir
    d = SweepConfig()
    p = OneLineParser(prog="python -m sequence_models train limitations",
                      description="Train RNN, LSTM and GRU on the adding problem at several lengths "
                                  "(at most --steps steps each, a cell stops early once it has learned; "
                                  "one thread); write assets/limitations/.")
    p.add_argument("--lengths", type=bounded(int, *LT_RANGE), nargs="+", default=list(d.lengths))
    p.add_argument("--steps", type=bounded(int, 10, 20000), default=d.steps, help=f"step budget (default {d.steps})")
    p.add_argument("--hidden", type=bounded(int, 4, 64), default=d.hidden)
    p.add_argument("--seeds", type=bounded(int, 0, 9999), nargs="+", default=list(d.seeds))
    p.add_argument("--forget-bias", type=bounded(float, -5, 5), default=d.forget_bias)
    p.add_argument("--lstm-length", type=bounded(int, *LT_RANGE), default=d.lstm_length,
                   help="the length whose LSTM is saved for the gate heatmap (must be one of --lengths)")
    p.add_argument("--out", default=None, help="output folder (default assets/limitations)")
    args = p.parse_args(argv)
    if args.lstm_length not in args.lengths:
        p.error("--lstm-length must be one of --lengths")
    out = check_writable_dir(args.out if args.out is not None else asset_path("limitations"))
    cfg = SweepConfig(lengths=tuple(args.lengths), steps=args.steps, hidden=args.hidden, seeds=tuple(args.seeds),
                      lstm_length=args.lstm_length, forget_bias=args.forget_bias)
    run_sweep(cfg, out, log=lambda s: print(s, file=sys.stderr, flush=True))
    return 0


def evaluate_limitations(argv: list[str]) -> int:
    """``evaluate limitations``: check the long-term page's live defaults over seeds
    (``live_defaults.json``) and measure how far back the trained melody models look
    (``lookback.json``); then render ``sequence_models/limitations/README.md`` from the files.

    The output folder is checked before any work; every file is written atomically."""
    import json
    from dataclasses import replace
    from pathlib import Path

    from sequence_models.cli import OneLineParser
    from sequence_models.limitations import lookback, long_term
    from sequence_models.limitations.model_card import render_model_card
    from sequence_models.runtime import asset_path, atomic_write_text, check_writable_dir
    d = long_term.LIVE_DEFAULTS
    p = OneLineParser(prog="python -m sequence_models evaluate limitations",
                      description="Check the live adding-problem defaults over seeds and measure how far back "
                                  "the melody models look; write assets/limitations/ and the model card.")
    p.add_argument("--part", choices=("all", "live", "lookback", "card"), default="all",
                   help="what to run; 'card' only re-renders the model card from the files")
    p.add_argument("--lag", type=bounded(int, *long_term.LENGTH_RANGE), default=d.length)
    p.add_argument("--steps", type=bounded(int, *long_term.STEPS_RANGE), default=d.steps)
    p.add_argument("--lr", type=bounded(float, 1e-4, 0.1), default=d.lr)
    p.add_argument("--forget-bias", type=bounded(float, -5, 5), default=d.forget_bias)
    p.add_argument("--seeds", type=bounded(int, 1, 20), default=10, help="seeds for the live check (default 10)")
    p.add_argument("--tunes", type=bounded(int, 1, 300), default=100, help="test tunes for the look-back (default 100)")
    p.add_argument("--out", default=None, help="output folder (default assets/limitations)")
    p.add_argument("--no-card", action="store_true", help="do not rewrite sequence_models/limitations/README.md")
    args = p.parse_args(argv)
    out = check_writable_dir(args.out if args.out is not None else asset_path("limitations"))
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    if args.part in ("all", "live"):
        cfg = replace(d, length=args.lag, steps=args.steps, lr=args.lr, forget_bias=args.forget_bias)
        data = long_term.check_live_defaults(cfg, tuple(range(args.seeds)), log=log)
        atomic_write_text(out / long_term.LIVE_CHECK_FILE, json.dumps(data, indent=1))
        print(f"live defaults (T={cfg.length}, {cfg.steps} steps, lr {cfg.lr}, b_f {cfg.forget_bias}): learned in "
              + ", ".join(f"{c} {n}/{args.seeds}" for c, n in data["learned"].items())
              + f"; median {data['cpu_seconds']['median']:.1f} s CPU per run")
    if args.part in ("all", "lookback"):
        data = lookback.compute_lookback(n_tunes=args.tunes, log=log)
        atomic_write_text(out / lookback.LOOKBACK_FILE, json.dumps(data, indent=1))
        print(f"look-back over {data['tunes']} test tunes: " + ", ".join(
            f"{c} below 1% of k=0 from k={lookback.distance_to(v, 0.01)}" for c, v in data["curves"].items()))
    if not args.no_card and args.out is None:
        card = Path(__file__).resolve().parent / "README.md"
        atomic_write_text(card, render_model_card(out))
        print(f"wrote {card}")
    return 0
