"""``python -m sequence_models translate "TEXT" --json [--beam N] [--no-attention]``."""

from __future__ import annotations

import argparse

from sequence_models.cli import bounded
from sequence_models.translation.decode import MAX_BEAM, MIN_BEAM


def english_text(text: str) -> str:
    """argparse ``type=``: an empty or over-long sentence is a bad argument (exit 2, one line)."""
    from sequence_models.translation.translate import check_text
    try:
        return check_text(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", type=english_text, help="English sentence (up to 60 words, 600 characters)")
    p.add_argument("--beam", type=bounded(int, MIN_BEAM, MAX_BEAM), default=1,
                   help=f"beam width {MIN_BEAM}–{MAX_BEAM} (1 = greedy, default)")
    p.add_argument("--no-attention", action="store_true", help="use the model without attention")
    p.add_argument("--json", action="store_true",
                   help="print source tokens, output tokens, translation and the attention matrix (output × source)")
    p.set_defaults(parser=p)   # run() reports a sentence with too many subword pieces as a bad argument too


def run(args: argparse.Namespace) -> int:
    from sequence_models.cli import print_json
    from sequence_models.translation.translate import load_model, translate

    name = "plain" if args.no_attention else "attention"
    model = load_model(name)            # a missing model file is a failure (exit 1), checked first
    try:
        result = translate(model, args.text, beam=args.beam, model_name=name)
    except ValueError as exc:
        # only the loaded model's subwords can tell that a sentence splits into more pieces than the model
        # reads (200 emoji, say): a bad argument like an over-long one (exit 2, one line)
        parser = getattr(args, "parser", None)
        if parser is None:
            raise
        parser.error(f"argument text: {exc}")
    if args.json:
        print_json(result.to_json())
    else:
        print(result.translation)
        split = [w for w, s in zip(result.source_words, result.split_words) if s]
        if split:
            print(f"(read as several pieces: {', '.join(split)})")
    return 0
