"""The event vocabulary: one token per note or rest, carrying its pitch and its duration.

A token is ``(pitch slot, duration class)`` flattened: ``token = slot * len(DURATIONS) + d``,
where slot 0 is a rest and slots 1… are MIDI pitches :data:`PITCH_LO` … :data:`PITCH_HI`.
Two extra tokens mark the start (``BOS``, the input before the first note) and the end
(``EOS``, the target after the last note) of a tune. Durations are counted in twelfths of a
quarter note (``ticks``) and snapped to the nearest of :data:`DURATIONS`, which cover
almost every note of the corpus (see the README for the share). Notes outside the pitch
range are moved by octaves into it. Transposition (adding a number of semitones to every
pitch) is the training augmentation.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from sequence_models.music.corpus import REST, TICKS_PER_QUARTER

PITCH_LO = 48   #: C3
PITCH_HI = 96   #: C7
#: duration classes in ticks (1/12 quarter): triplet 16th, 16th, triplet 8th, 8th, dotted 8th, quarter,
#: dotted quarter, half, dotted half, whole
DURATIONS = (2, 3, 4, 6, 9, 12, 18, 24, 36, 48)
N_SLOTS = PITCH_HI - PITCH_LO + 2          # rest + pitches
N_NOTE_TOKENS = N_SLOTS * len(DURATIONS)
BOS = N_NOTE_TOKENS
EOS = N_NOTE_TOKENS + 1
VOCAB_SIZE = N_NOTE_TOKENS + 2

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def pitch_name(midi: int) -> str:
    """``60`` → ``"C4"`` (scientific pitch notation; middle C is C4); a rest → ``"rest"``."""
    if midi == REST:
        return "rest"
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def parse_note_name(text: str) -> int:
    """``"C4"``, ``"f#5"``, ``"Bb3"``, ``"60"`` → MIDI number; ``ValueError`` with a clear reason otherwise."""
    s = str(text).strip().replace("♯", "#").replace("♭", "b")
    m = re.fullmatch(r"([A-Ga-g])([#b]?)(-?\d)", s) if len(s) <= 4 else None
    if s.isdigit() and len(s) <= 3:
        midi = int(s)
    elif m:
        letter, acc, octave = m.groups()
        pc = _LETTER_PC[letter.upper()] + {"#": 1, "b": -1, "": 0}[acc]
        midi = 12 * (int(octave) + 1) + pc
    else:
        raise ValueError(f"bad note {str(text)[:20]!r}: use a name and octave like C4, F#5 or Bb3")
    if not PITCH_LO <= midi <= PITCH_HI:
        raise ValueError(f"note {str(text)[:20]!r} is outside the model's range "
                         f"{pitch_name(PITCH_LO)}–{pitch_name(PITCH_HI)}")
    return midi


def duration_class(ticks: int) -> int:
    """Index of the duration class nearest to ``ticks`` (ties go to the shorter one)."""
    return int(np.argmin([abs(d - ticks) for d in DURATIONS]))


def fold_pitch(midi: int) -> int:
    """Move ``midi`` by octaves into ``[PITCH_LO, PITCH_HI]``."""
    while midi < PITCH_LO:
        midi += 12
    while midi > PITCH_HI:
        midi -= 12
    return midi


def encode_event(pitch: int, ticks: int) -> int:
    """One note (or :data:`REST`) of ``ticks`` length → token id."""
    slot = 0 if pitch == REST else fold_pitch(int(pitch)) - PITCH_LO + 1
    return slot * len(DURATIONS) + duration_class(int(ticks))


def decode_event(token: int) -> tuple[int, int]:
    """Token id → ``(pitch or REST, ticks)``; ``ValueError`` for BOS/EOS."""
    if not 0 <= token < N_NOTE_TOKENS:
        raise ValueError(f"token {token} is not a note event")
    slot, d = divmod(int(token), len(DURATIONS))
    return (REST if slot == 0 else PITCH_LO + slot - 1), DURATIONS[d]


# Lookup tables, ``[VOCAB_SIZE]`` each: pitch (REST for rests and BOS/EOS) and ticks (0 for BOS/EOS).
TOKEN_PITCH = np.array([decode_event(t)[0] for t in range(N_NOTE_TOKENS)] + [REST, REST], np.int64)
TOKEN_TICKS = np.array([decode_event(t)[1] for t in range(N_NOTE_TOKENS)] + [0, 0], np.int64)


#: Unicode vulgar fractions for the beat lengths the vocabulary holds (triplet sixteenth = ⅙ beat).
_FRACTIONS = {Fraction(1, 6): "⅙", Fraction(1, 4): "¼", Fraction(1, 3): "⅓", Fraction(1, 2): "½",
              Fraction(2, 3): "⅔", Fraction(3, 4): "¾", Fraction(3, 2): "1½"}


def beats_text(ticks: int) -> str:
    """A length in beats, exactly: ``2`` ticks → ``"⅙"``, ``6`` → ``"½"``, ``18`` → ``"1½"``, ``24`` → ``"2"``.

    Lengths the table does not hold are written as a fraction (``"5/12"``), never as a rounded decimal."""
    beats = Fraction(int(ticks), TICKS_PER_QUARTER)
    if beats.denominator == 1:
        return str(beats.numerator)
    if beats in _FRACTIONS:
        return _FRACTIONS[beats]
    whole, rest = divmod(beats, 1)
    if whole and rest in _FRACTIONS:
        return f"{whole}{_FRACTIONS[rest]}"
    return f"{beats.numerator}/{beats.denominator}"


def beats_phrase(ticks: int) -> str:
    """``"⅙ beat (a triplet sixteenth)"``, ``"1 beat"``, ``"2 beats"``: a length for running text."""
    beats = Fraction(int(ticks), TICKS_PER_QUARTER)
    unit = "beat" if beats <= 1 else "beats"
    name = DURATION_NAMES.get(int(ticks))
    article = "an" if name and name[0] in "aeiou" else "a"
    return f"{beats_text(ticks)} {unit}" + (f" ({article} {name})" if name else "")


#: names of the duration classes (in ticks), for running text
DURATION_NAMES = {2: "triplet sixteenth", 3: "sixteenth note", 4: "triplet eighth", 6: "eighth note",
                  9: "dotted eighth", 12: "quarter note", 18: "dotted quarter", 24: "half note", 36: "dotted half",
                  48: "whole note"}


def token_label(token: int) -> str:
    """Human label: ``"E5 ½"`` (pitch and length in beats, ``"C4 ⅙"`` for a triplet sixteenth), ``"rest 1"``,
    ``"<start>"``, ``"<end>"``."""
    if token == BOS:
        return "<start>"
    if token == EOS:
        return "<end>"
    pitch, ticks = decode_event(token)
    return f"{pitch_name(pitch)} {beats_text(ticks)}"


def encode_tune(pitches: np.ndarray, ticks: np.ndarray, shift: int = 0) -> np.ndarray:
    """``[n]`` pitches and ticks → ``[n]`` tokens, every pitch transposed by ``shift`` semitones."""
    out = np.empty(len(pitches), np.int64)
    d = np.abs(np.asarray(ticks, np.int64)[:, None] - np.asarray(DURATIONS)[None, :]).argmin(1)
    p = np.asarray(pitches, np.int64)
    notes = p != REST
    q = p + shift
    while (notes & (q < PITCH_LO)).any():
        q = np.where(notes & (q < PITCH_LO), q + 12, q)
    while (notes & (q > PITCH_HI)).any():
        q = np.where(notes & (q > PITCH_HI), q - 12, q)
    slot = np.where(notes, q - PITCH_LO + 1, 0)
    out[:] = slot * len(DURATIONS) + d
    return out


def shift_range(pitches: np.ndarray) -> tuple[int, int]:
    """Semitone shifts (low, high) that keep every note of a tune inside the range."""
    notes = np.asarray(pitches)[np.asarray(pitches) != REST]
    if len(notes) == 0:
        return 0, 0
    return PITCH_LO - int(notes.min()), PITCH_HI - int(notes.max())
