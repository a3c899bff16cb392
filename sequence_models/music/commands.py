"""The ``melody`` command: ``python -m sequence_models melody --seed-note C4 --length 64 --out melody.mid --json``.

This module is imported when the CLI parser is built, so it imports nothing heavy at the top.

Files: ``--out`` and ``--wav`` never replace an existing file unless ``--force`` is given, and the
seed file, the MIDI output and the WAV output must be three different files. Everything is checked
before the model runs; outputs are written to a temporary file and renamed.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from sequence_models.cli import bounded

MAX_SEED = 2**32 - 1  # a random seed must fit the generators' 64-bit integers; 32 bits is plenty


def _accepted(parse: Callable[[str], object], text: str) -> str:
    """``text``, once ``parse(text)`` has accepted it; its ``ValueError`` becomes a usage error (exit status 2)."""
    try:
        parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def note_name(text: str) -> str:
    """argparse ``type=`` for ``--seed-note``: a note name inside the model's range (else exit 2)."""
    from sequence_models.music.events import parse_note_name
    return _accepted(parse_note_name, text)


def scale_name(text: str) -> str:
    """argparse ``type=`` for ``--scale``: "G major", "E minor" or "off" (else exit 2)."""
    from sequence_models.music.generate import parse_scale
    return _accepted(parse_scale, text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Existing files are never replaced unless you pass --force, and --seed-midi, --out and --wav must "
                "name three different files. Bad arguments exit with status 2, failures with status 1.")
    p.add_argument("--seed-note", type=note_name, default="C4",
                   help="first note, name and octave, C3–C7 (default C4 = middle C)")
    p.add_argument("--seed-midi", type=Path, default=None,
                   help="take the seed from the first notes of this MIDI file (at most 200,000 bytes)")
    p.add_argument("--length", type=bounded(int, 8, 256), default=64, help="events in the melody, 8–256 (default 64)")
    p.add_argument("--temperature", type=bounded(float, 0.1, 2.0), default=0.9, help="0.1–2.0 (default 0.9)")
    p.add_argument("--top-k", type=bounded(int, 0), default=20,
                   help="sample among the k most likely events; 0 = all (default 20)")
    p.add_argument("--seed", type=bounded(int, 0, MAX_SEED), default=1,
                   help="random seed: same seed, same melody (default 1)")
    p.add_argument("--scale", type=scale_name, default=None,
                   help="lock to a scale, e.g. 'G major' or 'E minor' (default: off)")
    p.add_argument("--tempo", type=bounded(float, 40, 240, "beats per minute"), default=120,
                   help="beats per minute, 40–240 (default 120)")
    p.add_argument("--model", choices=("lstm", "gru", "rnn"), default="lstm", help="which trained model (default lstm)")
    p.add_argument("--out", type=Path, default=None,
                   help="write the melody as a MIDI file here (an existing file only with --force)")
    p.add_argument("--wav", type=Path, default=None,
                   help="also render audio to this WAV file (an existing file only with --force)")
    p.add_argument("--force", action="store_true", help="replace existing --out/--wav files")
    p.add_argument("--json", action="store_true", help="print the notes (pitch, start, end in seconds) as JSON")


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def check_paths(args: argparse.Namespace) -> None:
    """Refuse, before any work, the same file named twice and existing outputs without ``--force``
    (raises :class:`UsageError`: the command exits with status 2)."""
    named = [(flag, path) for flag, path in (("--seed-midi", args.seed_midi), ("--out", args.out),
                                             ("--wav", args.wav)) if path is not None]
    for i, (flag_a, a) in enumerate(named):
        for flag_b, b in named[i + 1:]:
            if _same_file(a, b):
                raise UsageError(f"{flag_a} and {flag_b} name the same file ({a}); use two different files")
    for flag, path in (("--out", args.out), ("--wav", args.wav)):
        if path is not None and path.exists() and not args.force:
            raise UsageError(f"{flag} {path} already exists; pass --force to replace it")


def probe_writable(path: Path) -> None:
    """Check that a file can be created beside ``path`` (folder exists or can be made, is writable, is a real
    file system) by creating and removing a small probe file; raises ``DataError`` with one line otherwise."""
    from sequence_models.runtime import DataError, check_writable_file

    check_writable_file(path)
    probe = path.parent / f".{path.name}.probe-{os.getpid()}"
    try:
        probe.open("wb").close()
        probe.unlink()
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from None


class UsageError(Exception):
    """A bad combination of arguments (exit status 2)."""


def run(args: argparse.Namespace) -> int:
    import sys

    from sequence_models.cli import CliError, print_json
    from sequence_models.music.events import parse_note_name, pitch_name, token_label
    from sequence_models.music.generate import generate, parse_scale, seed_from_note
    from sequence_models.music.midi import melody_midi_bytes, read_seed_file, seed_tokens_from_midi
    from sequence_models.music.model import CELL_NAMES, load_model
    from sequence_models.music.synth import render_wav
    from sequence_models.runtime import DataError, atomic_write_bytes

    try:
        check_paths(args)
    except UsageError as exc:
        print(f"python -m sequence_models melody: error: {exc}", file=sys.stderr)
        return 2
    for path in (args.out, args.wav):
        if path is not None:
            try:
                probe_writable(path)
            except DataError as exc:
                raise CliError(str(exc)) from None
    seed_data = None
    if args.seed_midi is not None:
        try:
            seed_data = read_seed_file(args.seed_midi)
        except OSError as exc:
            raise CliError(f"cannot read {args.seed_midi}: {exc.strerror or exc}") from None
    scale = parse_scale(args.scale)
    model, _ = load_model(args.model)
    if seed_data is not None:
        seed_tokens = seed_tokens_from_midi(seed_data)
        if not seed_tokens:
            raise CliError(f"{args.seed_midi} gives no seed notes")
    else:
        seed_tokens = seed_from_note(model, parse_note_name(args.seed_note))
    melody = generate(model, seed_tokens, args.length, args.temperature, args.top_k, args.seed, scale, cell=args.model)
    notes = melody.notes(args.tempo)
    midi = melody_midi_bytes(notes, args.tempo)
    engine = None
    wav = None
    if args.wav is not None:
        wav, engine = render_wav(notes, midi)
    for path, data in ((args.out, midi), (args.wav, wav)):
        if path is not None:
            try:
                atomic_write_bytes(path, data)
            except OSError as exc:
                raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    if args.json:
        print_json({"model": args.model, "model_name": CELL_NAMES[args.model], "settings": melody.settings,
                    "tempo": args.tempo, "seed_events": melody.n_seed, "out": str(args.out) if args.out else None,
                    "notes": [{"pitch": n["pitch"], "name": pitch_name(n["pitch"]), "start": n["start"],
                               "end": n["end"]} for n in notes],
                    **({"wav": str(args.wav), "audio_engine": engine} if args.wav else {})})
    else:
        print(f"{CELL_NAMES[args.model]}: " + " ".join(token_label(t) for t in melody.tokens))
        if args.out is not None:
            print(f"wrote {args.out} ({len(notes)} notes, {notes[-1]['end']:.1f} s at {args.tempo:g} bpm)")
        if args.wav is not None:
            print(f"wrote {args.wav} (audio: {engine})")
    return 0
