"""``python -m sequence_models``: one command-line entry for every model.

Each command is a function ``(args) -> int`` registered in :data:`COMMANDS` with a
function that adds its arguments. Training and evaluation are dispatched by task
name through :data:`TRAINERS` and :data:`EVALUATORS` (``"module:function"``
strings, imported only when used, so ``--help`` stays fast). A command reports a
bad argument with one line on stderr and exit status 2, and a failure (missing
model file, say) with one line and exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

#: task → "module:function(argv: list[str]) -> int" for `train TASK ...`
TRAINERS: dict[str, str] = {
    "translation": "sequence_models.translation.train:train_main",
    "limitations": "sequence_models.limitations.cli:train_limitations",
    "ner": "sequence_models.ner.train:main",
    "music": "sequence_models.music.train:main",
    "sentiment": "sequence_models.sentiment.train:main",
}
#: task → "module:function(argv: list[str]) -> int" for `evaluate TASK ...`
EVALUATORS: dict[str, str] = {
    "translation": "sequence_models.translation.evaluate:evaluate_main",
    "ner": "sequence_models.ner.evaluate:main",
    "music": "sequence_models.music.evaluate:main",
    "limitations": "sequence_models.limitations.cli:evaluate_limitations",
    "sentiment": "sequence_models.sentiment.evaluate:main",
}


class CliError(Exception):
    """A failure to report as one line (exit status 1)."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: ``<prog>: error: <reason>`` (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def bounded(kind: type[int] | type[float], lo: float, hi: float | None = None,
            unit: str = "") -> Callable[[str], int | float]:
    """An argparse ``type=`` that parses ``kind`` and accepts only finite values in [lo, hi].

    Errors read ``not a whole number: 'x'`` / ``must be between 8 and 256`` / ``must be 0 or more``."""
    noun = "a whole number" if kind is int else "a number"

    def show(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:g}"
    limits = f"must be {show(lo)} or more" if hi is None else f"must be between {show(lo)} and {show(hi)}"
    limits += f" {unit}" if unit else ""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"not {noun}: {text[:20]!r}") from None
        if not (math.isfinite(value) and lo <= value and (hi is None or value <= hi)):
            raise argparse.ArgumentTypeError(limits)
        return value

    parse.__name__ = kind.__name__   # argparse names the type in some messages
    return parse


def read_stdin(limit: int) -> str:
    """At most ``limit + 1`` characters of standard input (enough to tell that it is too long).

    Raises:
        ValueError: standard input is closed or cannot be read (one-line message).
    """
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise ValueError("standard input is closed: pass the text as an argument or pipe it in")
    try:
        return stream.read(limit + 1)
    except UnicodeDecodeError:
        raise ValueError("standard input is not UTF-8 text") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read standard input: {exc}") from None


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON (non-ASCII kept readable)."""
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def text_argument(text: str, limit: int) -> str:
    """A command's TEXT argument; ``-`` reads standard input instead (see :func:`read_stdin`)."""
    return read_stdin(limit) if text == "-" else text


def printed_json_or_nothing(result: Any, as_json: bool, nothing: str) -> bool:
    """The start of a text command's output: ``result.as_dict()`` as JSON when ``as_json``, else the
    line ``nothing`` when ``result.tokens`` is empty. ``True`` when that was the whole output."""
    if as_json:
        print_json(result.as_dict())
        return True
    if not result.tokens:
        print(nothing)
        return True
    return False


def _call(target: str, argv: list[str]) -> int:
    module, func = target.split(":")
    return int(getattr(importlib.import_module(module), func)(argv) or 0)


# --- unroll: the RNN-types toy model -------------------------------------------------

def _add_unroll(p: argparse.ArgumentParser) -> None:
    from sequence_models.rnn_types import ARCHITECTURES, VOCAB
    p.add_argument("--type", dest="arch", choices=list(ARCHITECTURES), default="many_to_many",
                   help="RNN architecture (default: many_to_many)")
    p.add_argument("--tx", type=int, default=5, help="input length Tx (clamped to the type's rules)")
    p.add_argument("--ty", type=int, default=5, help="output length Ty (clamped to the type's rules)")
    p.add_argument("--seed-char", default="h", choices=list(VOCAB), help="first input character")
    p.add_argument("--json", action="store_true", help="print every step's numbers as JSON")


def _run_unroll(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from sequence_models.rnn_types import run_architecture, train_toy_rnn
    result = run_architecture(train_toy_rnn(), args.arch, args.tx, args.ty, args.seed_char)
    if args.json:
        print_json({"type": args.arch, "tx": result.tx, "ty": result.ty, "input": result.input_text,
                    "output": result.output_text, "steps": [asdict(s) for s in result.steps],
                    "weights": result.weights})
    else:
        print(f"{result.arch.name} ({result.arch.shape}): Tx={result.tx} Ty={result.ty} "
              f"input {result.input_text!r} → output {result.output_text!r}")
    return 0


# --- train / evaluate: dispatch by task ----------------------------------------------

def _add_dispatch(registry: dict[str, str]) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("task", choices=sorted(registry))
        p.add_argument("rest", nargs=argparse.REMAINDER, help="the task's own options (see TASK --help)")
    return add


def _run_dispatch(registry: dict[str, str]) -> Callable[[argparse.Namespace], int]:
    return lambda args: _call(registry[args.task], args.rest)


def _lazy(help_text: str, module: str, add: str = "add_arguments", run: str = "run"):
    """A COMMANDS entry whose functions live in ``module``, imported only when the command is used."""
    return (help_text, lambda p: getattr(importlib.import_module(module), add)(p),
            lambda a: getattr(importlib.import_module(module), run)(a))


#: name → (help, add_arguments, run). Later features register their commands here.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "unroll": ("run the RNN-types toy model and print its forward pass", _add_unroll, _run_unroll),
    "melody": _lazy("continue a seed note into a melody (LSTM, GRU or RNN); write MIDI (--json: the notes)",
                    "sequence_models.music.commands"),
    "ner": _lazy("tag named entities in TEXT with the BiLSTM-CRF (--json: tokens and entities with offsets)",
                 "sequence_models.ner.command"),
    "translate": _lazy("translate English TEXT to French (--json: tokens, translation, attention output × source)",
                       "sequence_models.translation.command"),
    "sentiment": _lazy("classify a product review with the GRU, word by word, and the bag of words "
                       "(--json: tokens, prob_positive per token, label, baseline)",
                       "sequence_models.sentiment.command"),
    "gradients": _lazy("print the gradient norm at every distance back in time (vanishing/exploding)",
                       "sequence_models.limitations.cli", add="add_gradients_arguments", run="run_gradients"),
}
if TRAINERS:
    COMMANDS["train"] = ("train a model (weights go to assets/)", _add_dispatch(TRAINERS), _run_dispatch(TRAINERS))
if EVALUATORS:
    COMMANDS["evaluate"] = ("evaluate a model on its test split", _add_dispatch(EVALUATORS), _run_dispatch(EVALUATORS))


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subcommand per entry of :data:`COMMANDS`."""
    parser = OneLineParser(prog="python -m sequence_models",
                     description="Unrolled's sequence models: run, train and evaluate them.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for name, (help_text, add, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return its exit status."""
    try:
        args = build_parser().parse_args(argv)
        from sequence_models.runtime import AssetError, use_inference_threads
        use_inference_threads(1)
        try:
            return args.run(args)
        except (CliError, AssetError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            sys.stdout.flush()   # a closed pipe shows up here, not at interpreter exit
    except BrokenPipeError:
        return _closed_pipe()


def _closed_pipe() -> int:
    """The reader of our output went away (``unroll --json | true``): stop with status 1 and no traceback.

    Standard output is pointed at /dev/null so the interpreter's final flush does not fail again."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 1
