"""Sampling a melody from a seed: the one-to-many loop, with every step recorded.

The model first reads ``BOS`` and then the seed events (forced: the seed is given, not
sampled). From then on each step's sampled event is fed back as the next step's input,
``x<t+1> = y<t>``, until the melody holds ``length`` events. At every step the recorded
distribution is the one actually sampled from: logits divided by the temperature, then
restricted to the top-k events and, if a scale is locked, to notes in that scale (and
rests). ``BOS``/``EOS`` are never sampled, so the length is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from sequence_models.music.corpus import REST, TICKS_PER_QUARTER
from sequence_models.music.events import (BOS, EOS, N_NOTE_TOKENS, N_SLOTS, NOTE_NAMES, PITCH_HI, PITCH_LO, TOKEN_PITCH,
                                          TOKEN_TICKS, VOCAB_SIZE, encode_event)
from sequence_models.music.model import MelodyRNN
from sequence_models.runtime import make_generator

MIN_LENGTH, MAX_LENGTH = 8, 256
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.1, 2.0
MAX_SEED_EVENTS = 16
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
DEFAULTS = {"length": 64, "temperature": 0.9, "top_k": 20, "seed": 1, "tempo": 120}


@dataclass
class Step:
    """One step of the loop. ``top_tokens``/``top_probs``: the most probable next events."""

    t: int                    # 1-based position of the event this step outputs
    input_token: int          # x<t>: BOS or the previous event, fed back
    top_tokens: list[int]
    top_probs: list[float]
    token: int                # y<t>: the event that was sampled (or forced, for the seed)
    prob: float               # its probability under the sampling distribution
    entropy_bits: float       # entropy of the sampling distribution
    forced: bool              # True for seed events (given, not sampled)
    pitch_probs: list[float]  # [N_SLOTS]: probability of each pitch slot (0 = rest), durations summed


@dataclass
class Melody:
    """A generated melody: ``tokens`` ``[length]`` (seed first) and one :class:`Step` per event."""

    tokens: list[int]
    steps: list[Step]
    n_seed: int
    cell: str
    settings: dict = field(default_factory=dict)

    def notes(self, tempo: float = 120.0) -> list[dict]:
        """Notes with times in seconds at ``tempo`` beats per minute; rests leave gaps.

        Each item: ``{"pitch", "start", "end", "index"}`` where ``index`` is the event's position.
        """
        sec_per_tick = 60.0 / float(tempo) / TICKS_PER_QUARTER
        out, clock = [], 0
        for i, tok in enumerate(self.tokens):
            pitch, ticks = int(TOKEN_PITCH[tok]), int(TOKEN_TICKS[tok])
            if pitch != REST:
                out.append({"pitch": pitch, "start": round(clock * sec_per_tick, 4),
                            "end": round((clock + ticks) * sec_per_tick, 4), "index": i})
            clock += ticks
        return out

    def pitches(self) -> list[int]:
        """MIDI pitches of the notes (rests skipped), ``[n_notes]``."""
        return [int(TOKEN_PITCH[t]) for t in self.tokens if TOKEN_PITCH[t] != REST]

    def mean_entropy(self) -> float:
        """Mean entropy (bits) of the sampled steps' distributions."""
        ent = [s.entropy_bits for s in self.steps if not s.forced]
        return float(np.mean(ent)) if ent else 0.0


def scale_mask(tonic: int, mode: str) -> torch.Tensor:
    """``[VOCAB_SIZE]`` bool: note events whose pitch class is in the scale, plus every rest."""
    if mode not in SCALES:
        raise ValueError(f"unknown scale {mode!r}; choose one of {', '.join(SCALES)}")
    allowed = {(tonic + i) % 12 for i in SCALES[mode]}
    pitch = TOKEN_PITCH
    ok = np.array([p == REST or p % 12 in allowed for p in pitch])
    ok[BOS] = ok[EOS] = False
    return torch.from_numpy(ok)


def parse_scale(text: str | None) -> tuple[int, str] | None:
    """``"D minor"`` → ``(2, "minor")``; ``None``/``""``/``"off"`` → ``None``; ``ValueError`` otherwise."""
    if text is None or str(text).strip().lower() in ("", "off", "none"):
        return None
    parts = str(text).strip().split()
    if len(parts) != 2 or parts[1].lower() not in SCALES:
        raise ValueError(f"bad scale {str(text)[:30]!r}: use a tonic and major/minor, e.g. 'G major' or 'E minor'")
    name = parts[0][0].upper() + parts[0][1:].replace("b", "♭")
    flats = {"D♭": "C#", "E♭": "D#", "G♭": "F#", "A♭": "G#", "B♭": "A#"}
    name = flats.get(name, name)
    if name not in NOTE_NAMES:
        raise ValueError(f"bad scale tonic {parts[0][:5]!r}: use C, C#, D, … B")
    return NOTE_NAMES.index(name), parts[1].lower()


def seed_from_note(model: MelodyRNN, pitch: int) -> list[int]:
    """The seed event for a note name: that pitch with the duration the model finds most likely first."""
    if not PITCH_LO <= pitch <= PITCH_HI:
        raise ValueError(f"seed pitch {pitch} outside {PITCH_LO}–{PITCH_HI}")
    with torch.inference_mode():
        logits, _ = model(torch.tensor([[BOS]]))
    candidates = [encode_event(pitch, d) for d in sorted(set(TOKEN_TICKS[:N_NOTE_TOKENS].tolist()))]
    best = max(candidates, key=lambda tok: float(logits[0, -1, tok]))
    return [int(best)]


def generate(model: MelodyRNN, seed_tokens: list[int], length: int = DEFAULTS["length"],
             temperature: float = DEFAULTS["temperature"], top_k: int = DEFAULTS["top_k"], seed: int = DEFAULTS["seed"],
             scale: tuple[int, str] | None = None, top_n: int = 8, cell: str = "lstm") -> Melody:
    """Continue ``seed_tokens`` (1…16 note events) to ``length`` events (8…256).

    ``temperature`` in [0.1, 2], ``top_k`` ≥ 0 (0 = no cut); same ``seed`` → same melody.
    """
    if not seed_tokens or len(seed_tokens) > MAX_SEED_EVENTS:
        raise ValueError(f"the seed must hold 1 to {MAX_SEED_EVENTS} events")
    if any(not 0 <= int(t) < N_NOTE_TOKENS for t in seed_tokens):
        raise ValueError("the seed holds a token that is not a note or rest")
    if not MIN_LENGTH <= int(length) <= MAX_LENGTH:
        raise ValueError(f"length must be between {MIN_LENGTH} and {MAX_LENGTH}")
    if not (MIN_TEMPERATURE <= float(temperature) <= MAX_TEMPERATURE) or math.isnan(float(temperature)):
        raise ValueError(f"temperature must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE}")
    if int(top_k) < 0:
        raise ValueError("top-k must be 0 (off) or positive")
    length, top_k = int(length), int(top_k)
    seed_tokens = [int(t) for t in seed_tokens][:length]
    gen = make_generator(seed)
    allowed = torch.ones(VOCAB_SIZE, dtype=torch.bool)
    allowed[BOS] = allowed[EOS] = False
    if scale is not None:
        allowed &= scale_mask(*scale)
    tokens: list[int] = []
    steps: list[Step] = []
    state = None
    x = BOS
    with torch.inference_mode():
        for t in range(1, length + 1):
            logits, state = model(torch.tensor([[x]]), state)
            z = logits[0, -1] / float(temperature)
            z = z.masked_fill(~allowed, float("-inf"))
            if 0 < top_k < int(allowed.sum()):
                kth = torch.topk(z, top_k).values[-1]
                z = z.masked_fill(z < kth, float("-inf"))
            probs = torch.softmax(z, -1)
            forced = t <= len(seed_tokens)
            if forced:
                y = seed_tokens[t - 1]
            else:
                y = int(torch.multinomial(probs, 1, generator=gen))
            p = probs.clamp_min(1e-30)
            entropy = float(-(probs * p.log2()).sum())
            top = torch.topk(probs, min(top_n, VOCAB_SIZE))
            by_slot = probs[:N_NOTE_TOKENS].reshape(N_SLOTS, -1).sum(1)
            steps.append(Step(t, x, top.indices.tolist(), [round(v, 5) for v in top.values.tolist()], y,
                              round(float(probs[y]), 5), round(entropy, 4), forced,
                              [round(v, 4) for v in by_slot.tolist()]))
            tokens.append(y)
            x = y
    return Melody(tokens, steps, len(seed_tokens), cell,
                  {"length": length, "temperature": float(temperature), "top_k": top_k, "seed": int(seed),
                   "scale": None if scale is None else f"{NOTE_NAMES[scale[0]]} {scale[1]}"})
