"""MIDI in and out: write a melody as a standard MIDI file, read a seed from an uploaded one.

Writing uses pretty_midi (one piano track at the chosen tempo). Reading an upload uses
mido alone and is defensive: the file is size-capped, parsed from memory, and every
failure (not MIDI, truncated, no notes) becomes a ``ValueError`` with a plain message.
"""

from __future__ import annotations

import io
import os
import stat

from sequence_models.music.corpus import REST, TICKS_PER_QUARTER
from sequence_models.music.events import encode_event, fold_pitch

MAX_UPLOAD_BYTES = 200_000
#: How many of an uploaded file's first notes become the seed.
SEED_NOTES_FROM_MIDI = 8
PROGRAM = 0  # General MIDI acoustic grand piano


def too_big_message(size: int | None) -> str:
    """The one sentence for a seed file over :data:`MAX_UPLOAD_BYTES` (exact byte counts, no rounding:
    a 200,001-byte file must not read "200 kB … at most 200 kB"). ``size`` ``None``: a stream of unknown length."""
    limit = f"use a short MIDI file of at most {MAX_UPLOAD_BYTES:,} bytes ({MAX_UPLOAD_BYTES // 1000} kB)"
    if size is None:
        return f"The file is larger than {MAX_UPLOAD_BYTES:,} bytes; {limit}."
    return f"The file is {size:,} bytes; {limit}."


def read_seed_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a seed MIDI file named on the command line, reading at most ``MAX_UPLOAD_BYTES + 1``.

    The size is checked before reading (a 50 MB file is refused without loading it), and devices or pipes
    that never end (``/dev/zero``) are cut off at the limit. Raises ``ValueError`` (too big, a folder) or
    ``OSError`` (cannot open)."""
    with open(path, "rb") as fh:
        info = os.fstat(fh.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise ValueError(f"{path} is a folder, not a MIDI file.")
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_UPLOAD_BYTES:
            raise ValueError(too_big_message(info.st_size))
        data = fh.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(too_big_message(None))
    return data


def melody_midi_bytes(notes: list[dict], tempo: float = 120.0, program: int = PROGRAM) -> bytes:
    """A type-1 standard MIDI file of ``notes`` (``{"pitch", "start", "end"}`` in seconds)."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=float(tempo))
    inst = pretty_midi.Instrument(program=program, name="Unrolled melody")
    for n in notes:
        inst.notes.append(pretty_midi.Note(velocity=90, pitch=int(n["pitch"]), start=float(n["start"]),
                                           end=float(n["end"])))
    pm.instruments.append(inst)
    buf = io.BytesIO()
    pm.write(buf)
    return buf.getvalue()


def read_midi_notes(data: bytes) -> tuple[list[tuple[int, float, float]], int]:
    """All notes of a MIDI file as ``(pitch, start_beat, end_beat)`` sorted by start, and ticks per beat.

    Raises ``ValueError`` for an empty, oversized, corrupt or note-less file.
    """
    import mido

    if not data:
        raise ValueError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(too_big_message(len(data)))
    if not data.startswith(b"MThd"):
        raise ValueError("This is not a MIDI file (it does not start with the MIDI header 'MThd').")
    try:
        mid = mido.MidiFile(file=io.BytesIO(data))
    except Exception as exc:  # mido raises OSError, EOFError, KeyError, ValueError… on bad files
        raise ValueError(f"The MIDI file is damaged and cannot be read ({type(exc).__name__}).") from None
    tpb = mid.ticks_per_beat or 480
    if tpb <= 0:
        raise ValueError("The MIDI file uses SMPTE timing, which is not supported; export it with beats.")
    notes: list[tuple[int, float, float]] = []
    for track in mid.tracks:
        clock = 0
        open_notes: dict[tuple[int, int], int] = {}
        for msg in track:
            clock += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                if msg.channel == 9:  # General MIDI drums: not a melody
                    continue
                open_notes.setdefault((msg.channel, msg.note), clock)
            elif msg.type in ("note_off", "note_on"):
                start = open_notes.pop((msg.channel, msg.note), None)
                if start is not None and clock > start:
                    notes.append((int(msg.note), start / tpb, clock / tpb))
    if not notes:
        raise ValueError("The MIDI file holds no notes.")
    notes.sort(key=lambda n: (n[1], -n[0]))
    return notes, tpb


def seed_events_from_midi(data: bytes, max_notes: int = SEED_NOTES_FROM_MIDI) -> list[tuple[int, int]]:
    """The first ``max_notes`` notes of an uploaded MIDI file, with the rests between them, as
    ``(pitch or REST, ticks)`` events (at most ``2 * max_notes - 1`` of them).

    Chords keep their top note, overlapping notes are cut at the next onset, a gap becomes a
    rest, and notes outside the model's range move by octaves into it.
    """
    notes, _ = read_midi_notes(data)
    melody: list[tuple[int, float, float]] = []
    for pitch, start, end in notes:  # top line: one note per onset
        if melody and abs(melody[-1][1] - start) < 1e-6:
            continue
        melody.append((pitch, start, end))
    events: list[tuple[int, int]] = []
    for i, (pitch, start, end) in enumerate(melody):
        nxt = melody[i + 1][1] if i + 1 < len(melody) else end
        dur = min(end, nxt) - start
        ticks = max(1, round(dur * TICKS_PER_QUARTER))
        events.append((fold_pitch(pitch), ticks))
        gap = nxt - max(end, start) if i + 1 < len(melody) else 0
        rest = round(gap * TICKS_PER_QUARTER)  # rounded first: a file's own tick grid may make 2 ticks 1.96
        if rest >= 2:
            events.append((REST, rest))
        if sum(p != REST for p, _ in events) >= max_notes:
            break
    while events and events[-1][0] == REST:
        events.pop()
    return events  # max_notes notes and the rests between them (slicing to max_notes events would drop notes)


def seed_tokens_from_midi(data: bytes, max_notes: int = SEED_NOTES_FROM_MIDI) -> list[int]:
    """:func:`seed_events_from_midi` as token ids."""
    return [encode_event(p, t) for p, t in seed_events_from_midi(data, max_notes)]
