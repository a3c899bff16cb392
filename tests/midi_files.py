"""Small MIDI files built in memory, for the tests of seeds and uploads."""

from __future__ import annotations

import io
from collections.abc import Sequence

import mido

#: Three quarter notes (D4, F#4, A4) at mido's default 480 ticks per beat.
D_MAJOR = ((62, 240), (66, 240), (69, 240))


def midi_bytes(notes: Sequence[tuple[int, int]] = D_MAJOR, channel: int = 0, ticks_per_beat: int = 480) -> bytes:
    """A one-track MIDI file: ``notes`` as (pitch, length in ticks), one after another, on ``channel``."""
    mid = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    for pitch, length in notes:
        track += [mido.Message("note_on", note=pitch, velocity=80, channel=channel, time=0),
                  mido.Message("note_off", note=pitch, velocity=0, channel=channel, time=length)]
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()
