"""``python -m sequence_models translate "TEXT" --json [--beam N] [--no-attention]``."""

from __future__ import annotations

import argparse

from sequence_models.cli import bounded
from sequence_models.translation.decode import MAX_BEAM, MIN_BEAM


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", help="English sentence (up to 60 words)")
    p.add_argument("--beam", type=bounded(int, MIN_BEAM, MAX_BEAM), default=1, help=f"beam width {MIN_BEAM}–{MAX_BEAM} (1 = greedy, default)")
    p.add_argument("--no-attention", action="store_true", help="use the model without attention")
    p.add_argument("--json", action="store_true",
                   help="print source tokens, output tokens, translation and the attention matrix (output × source)")


def run(args: argparse.Namespace) -> int:
    from sequence_models.cli import print_json
    from sequence_models.translation.translate import load_model, translate

    name = "plain" if args.no_attention else "attention"
    result = translate(load_model(name), args.text, beam=args.beam, model_name=name)
    if args.json:
        print_json(result.to_json())
    else:
        print(result.translation)
        unknown = [t for t, u in zip(result.source_tokens, result.unknown) if u]
        if unknown:
            print(f"(unknown words: {', '.join(unknown)})")
    return 0
