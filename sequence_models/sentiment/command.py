"""``python -m sequence_models sentiment "TEXT" [--json]``: the GRU's reading, word by word, and the bag's verdict."""

from __future__ import annotations

import argparse
import json


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of the ``sentiment`` command."""
    p.add_argument("text", help="a short product review (at most 5,000 characters and 200 tokens are read; "
                                "'-' reads standard input)")
    p.add_argument("--json", action="store_true",
                   help="print tokens, prob_positive (one per token, the last is the verdict), label and baseline")


def run(args: argparse.Namespace) -> int:
    """Classify ``args.text`` with the GRU and the bag of words."""

    from sequence_models.sentiment.inference import MAX_CHARS, analyse, load_one

    from sequence_models.cli import read_stdin

    text = read_stdin(MAX_CHARS) if args.text == "-" else args.text
    reading = analyse(load_one("gru"), load_one("bow"), text)
    if args.json:
        print(json.dumps(reading.as_dict(), ensure_ascii=False, indent=2))
        return 0
    if not reading.tokens:
        print("(no text: nothing to classify)")
        return 0
    for tok, p, d in zip(reading.tokens, reading.prob_positive, reading.moves):
        print(f"{tok:<16} P(positive) {p:5.3f}  {d:+.3f}")
    print(f"GRU verdict: {reading.label} (P(positive) = {reading.prob_positive[-1]:.3f}); "
          f"bag of words: {reading.bow_label} ({reading.bow_prob:.3f})")
    if reading.truncated:
        print("(only the first 200 tokens were read)")
    return 0
