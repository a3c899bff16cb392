"""``python -m sequence_models sentiment "TEXT" [--json]``: the GRU's reading, word by word, and the bag's verdict."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of the ``sentiment`` command."""
    p.add_argument("text", help="a short product review (at most 5,000 characters and 200 tokens are read; "
                                "'-' reads standard input)")
    p.add_argument("--json", action="store_true",
                   help="print tokens, prob_positive (one per token, the last is the verdict), label and baseline")


def run(args: argparse.Namespace) -> int:
    """Classify ``args.text`` with the GRU and the bag of words."""

    from sequence_models.sentiment.inference import MAX_CHARS, MAX_TOKENS, analyse, load_one

    from sequence_models.cli import printed_json_or_nothing, text_argument

    reading = analyse(load_one("gru"), load_one("bow"), text_argument(args.text, MAX_CHARS))
    if printed_json_or_nothing(reading, args.json, "(no text: nothing to classify)"):
        return 0
    for tok, p, d in zip(reading.tokens, reading.prob_positive, reading.moves):
        print(f"{tok:<16} P(positive) {p:5.3f}  {d:+.3f}")
    print(f"GRU verdict: {reading.label} (P(positive) = {reading.prob_positive[-1]:.3f}); "
          f"bag of words: {reading.bow_label} ({reading.bow_prob:.3f})")
    if reading.truncated:
        print(f"(only the first {MAX_TOKENS} tokens were read)")
    return 0
