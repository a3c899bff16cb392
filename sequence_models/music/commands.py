"""The ``melody`` command: ``python -m sequence_models melody --seed-note C4 --length 64 --out melody.mid --json``.

This module is imported when the CLI parser is built, so it imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sequence_models.cli import bounded

MAX_SEED = 2**32 - 1  # a random seed must fit the generators' 64-bit integers; 32 bits is plenty


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed-note", default="C4", help="first note, name and octave (default C4 = middle C)")
    p.add_argument("--seed-midi", type=Path, default=None, help="take the seed from the first notes of this MIDI file")
    p.add_argument("--length", type=bounded(int, 8, 256), default=64, help="events in the melody, 8–256 (default 64)")
    p.add_argument("--temperature", type=bounded(float, 0.1, 2.0), default=0.9, help="0.1–2.0 (default 0.9)")
    p.add_argument("--top-k", type=bounded(int, 0), default=20, help="sample among the k most likely events; 0 = all (default 20)")
    p.add_argument("--seed", type=bounded(int, 0, MAX_SEED), default=1, help="random seed: same seed, same melody (default 1)")
    p.add_argument("--scale", default=None, help="lock to a scale, e.g. 'G major' or 'E minor' (default: off)")
    p.add_argument("--tempo", type=bounded(float, 40, 240, "beats per minute"), default=120, help="beats per minute, 40–240 (default 120)")
    p.add_argument("--model", choices=("lstm", "gru", "rnn"), default="lstm", help="which trained model (default lstm)")
    p.add_argument("--out", type=Path, default=None, help="write the melody as a MIDI file here")
    p.add_argument("--wav", type=Path, default=None, help="also render audio to this WAV file")
    p.add_argument("--json", action="store_true", help="print the notes (pitch, start, end in seconds) as JSON")


def run(args: argparse.Namespace) -> int:
    from sequence_models.cli import CliError, print_json
    from sequence_models.music.events import parse_note_name, pitch_name, token_label
    from sequence_models.music.generate import generate, parse_scale, seed_from_note
    from sequence_models.music.midi import melody_midi_bytes, seed_tokens_from_midi
    from sequence_models.music.model import CELL_NAMES, load_model
    from sequence_models.music.synth import render_wav

    scale = parse_scale(args.scale)
    model, _ = load_model(args.model)
    if args.seed_midi is not None:
        try:
            data = args.seed_midi.read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {args.seed_midi}: {exc.strerror}") from None
        seed_tokens = seed_tokens_from_midi(data)
        if not seed_tokens:
            raise CliError(f"{args.seed_midi} gives no seed notes")
    else:
        seed_tokens = seed_from_note(model, parse_note_name(args.seed_note))
    melody = generate(model, seed_tokens, args.length, args.temperature, args.top_k, args.seed, scale, cell=args.model)
    notes = melody.notes(args.tempo)
    midi = melody_midi_bytes(notes, args.tempo)
    if args.out is not None:
        try:
            args.out.write_bytes(midi)
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror}") from None
    engine = None
    if args.wav is not None:
        wav, engine = render_wav(notes, midi)
        try:
            args.wav.write_bytes(wav)
        except OSError as exc:
            raise CliError(f"cannot write {args.wav}: {exc.strerror}") from None
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
    return 0
