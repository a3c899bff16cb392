"""``python -m sequence_models ner "TEXT" [--json] [--model KIND]``.

Exit status: 0 tagged; 2 bad argument (text over the 5,000-character cap, from the command line
or standard input); 1 failure (standard input closed or unreadable, missing weights).
"""

from __future__ import annotations

import argparse
import sys

from sequence_models.ner.model import KINDS

#: exit status for a bad argument (as argparse uses)
BAD_ARGUMENT = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of the ``ner`` command."""
    p.add_argument("text", help="text to tag (at most 5,000 characters; '-' reads standard input)")
    p.add_argument("--model", choices=list(KINDS), default="bilstm_crf",
                   help="bilstm_crf (default) or forward_lstm")
    p.add_argument("--json", action="store_true", help="print tokens and entities as JSON")


def run(args: argparse.Namespace) -> int:
    """Tag ``args.text`` and print the entities (or everything as JSON)."""
    from sequence_models.ner.inference import MAX_CHARS, InputTooLong, analyse, check_text, load
    from sequence_models.ner.types import display_name

    from sequence_models.cli import printed_json_or_nothing, text_argument

    text = text_argument(args.text, MAX_CHARS)
    try:
        check_text(text)
    except InputTooLong as exc:
        msg = (f"standard input has more than {MAX_CHARS:,} characters; the limit is {MAX_CHARS:,}"
               if args.text == "-" else f"TEXT: {exc}")
        print(f"error: {msg}", file=sys.stderr)
        return BAD_ARGUMENT
    result = analyse(load(args.model), text)
    if printed_json_or_nothing(result, args.json, "(no text: nothing to tag)"):
        return 0
    if not result.entities:
        print("no entities found")
    for e in result.entities:
        print(f"{e.start:>5}-{e.end:<5} {e.label:<11} {display_name(e.label):<13} {e.score:5.3f}  {e.text}")
    return 0
