"""``python -m sequence_models ner "TEXT" [--json] [--model KIND]``."""

from __future__ import annotations

import argparse
import json

from sequence_models.ner.model import KINDS


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of the ``ner`` command."""
    p.add_argument("text", help="text to tag (at most 5,000 characters; '-' reads standard input)")
    p.add_argument("--model", choices=list(KINDS), default="bilstm_crf",
                   help="bilstm_crf (default) or forward_lstm")
    p.add_argument("--json", action="store_true", help="print tokens and entities as JSON")


def run(args: argparse.Namespace) -> int:
    """Tag ``args.text`` and print the entities (or everything as JSON)."""
    import sys

    from sequence_models.ner.inference import analyse, load
    from sequence_models.ner.types import display_name

    text = sys.stdin.read() if args.text == "-" else args.text
    result = analyse(load(args.model), text)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    if not result.tokens:
        print("(no text: nothing to tag)")
        return 0
    if not result.entities:
        print("no entities found")
    for e in result.entities:
        print(f"{e.start:>5}-{e.end:<5} {e.label:<11} {display_name(e.label):<13} {e.score:5.3f}  {e.text}")
    return 0
