"""Property-based tests (hypothesis): tokenizers and subwords, MIDI writer/reader, gradient computation.

Each property is a documented guarantee checked on generated input. Example counts are small
and examples are derandomized, so CI stays fast and reproducible; set ``UNROLLED_HYPOTHESIS=many``
to search harder locally.
"""

from __future__ import annotations

import io
import math
import os
import re
import unicodedata

import mido
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_models.limitations.gradients import (GradientConfig, fitted_slope, format_log10, gradient_norms,
                                                   safe_norm)
from sequence_models.music.corpus import REST, TICKS_PER_QUARTER
from sequence_models.music.events import DURATIONS, PITCH_HI, PITCH_LO
from sequence_models.music.midi import (MAX_UPLOAD_BYTES, melody_midi_bytes, read_midi_notes,
                                        seed_events_from_midi)
from sequence_models.ner.tokenizer import split_sentences, tokenize
from sequence_models.translation.subwords import clean, group_words, load_subwords

MANY = os.environ.get("UNROLLED_HYPOTHESIS") == "many"


def budget(n: int):
    """``n`` examples (×20 with UNROLLED_HYPOTHESIS=many), no deadline, reproducible in CI."""
    return settings(max_examples=n * 20 if MANY else n, deadline=None, derandomize=not MANY,
                    suppress_health_check=[HealthCheck.too_slow])


#: text that looks like what people type, plus anything unicode can hold
WORDS = st.sampled_from(["Apple", "Inc.", "U.S.", "don't", "can't", "O'Connor", "$1", "5%", "billion.", "—", "--",
                         "“quoted”", "Mr.", "(", ")", "...", "e.g.", "l'homme", "est-ce", "’s", "1,000.5", "a.m."])
TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=8)),
             max_size=30).map(lambda ws: " ".join(ws)),
    st.lists(st.one_of(WORDS, st.sampled_from([" ", "\n", "\t", "\r\n", "\u00a0", "\u2028"])), max_size=40)
    .map("".join),
)


# --- the NER tokenizer ----------------------------------------------------------------------

@budget(60)
@given(TEXT)
def test_ner_tokens_are_nonempty_ordered_slices_that_cover_the_text(text: str) -> None:
    tokens = tokenize(text)
    for tok in tokens:
        assert tok.text and text[tok.start:tok.end] == tok.text       # offsets round-trip
        assert not re.search(r"\s", tok.text)                          # never spans whitespace
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:]))   # in order, no overlap
    assert "".join(t.text for t in tokens) == re.sub(r"\s+", "", text)  # nothing lost, nothing added
    assert tokenize(text) == tokens                                     # deterministic


@budget(40)
@given(TEXT, st.integers(1, 12))
def test_ner_sentences_partition_the_tokens(text: str, max_len: int) -> None:
    tokens = tokenize(text)
    sentences = split_sentences(text, tokens, max_len=max_len)
    assert [t for s in sentences for t in s] == tokens
    assert all(1 <= len(s) <= max_len for s in sentences)


@budget(40)
@given(st.lists(st.from_regex(r"[A-Za-z][a-z]{0,8}", fullmatch=True), min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", "  ", "\n", "\t"]), min_size=12, max_size=12))
def test_ner_plain_words_are_one_token_each(words: list[str], gaps: list[str]) -> None:
    text = "".join(w + g for w, g in zip(words, gaps))
    assert [t.text for t in tokenize(text)] == words


# --- the translation subwords -------------------------------------------------------------------

@pytest.fixture(scope="module")
def subwords():
    """The shipped SentencePiece model the translation page and CLI use."""
    return load_subwords()


@budget(60)
@given(TEXT)
def test_translation_cleaning_is_normalised_and_idempotent(text: str) -> None:
    cleaned = clean(text)
    assert clean(cleaned) == cleaned                                     # idempotent
    assert unicodedata.is_normalized("NFC", cleaned)                    # Unicode NFC
    assert not set("\u2019\u2018\u00a0\u202f") & set(cleaned)           # straight apostrophes, plain spaces
    assert cleaned == cleaned.strip() and "  " not in cleaned            # collapsed whitespace


@budget(60)
@given(TEXT)
def test_subwords_never_lose_a_character_and_group_into_words(subwords, text: str) -> None:
    pieces = subwords.pieces(text)
    assert "<unk>" not in pieces                                         # byte fallback: nothing is unknown
    assert subwords.detokenize(pieces) == clean(text)                    # pieces give the text back
    groups = group_words(pieces)
    assert [i for g in groups for i in g] == list(range(len(pieces)))   # words partition the pieces, in order
    assert all(groups)                                                   # no empty word


# --- MIDI writer and reader --------------------------------------------------------------------

#: a monophonic melody: (pitch or REST, length in ticks of 1/12 beat)
MELODY = st.lists(st.tuples(st.one_of(st.integers(PITCH_LO, PITCH_HI), st.just(REST)), st.sampled_from(DURATIONS)),
                  min_size=1, max_size=24).filter(lambda ev: any(p != REST for p, _ in ev))


def _notes_in_seconds(events: list[tuple[int, int]], tempo: float) -> list[dict]:
    beat = 60.0 / tempo
    notes, t = [], 0.0
    for pitch, ticks in events:
        dur = ticks / TICKS_PER_QUARTER * beat
        if pitch != REST:
            notes.append({"pitch": pitch, "start": t, "end": t + dur})
        t += dur
    return notes


@budget(30)
@given(MELODY, st.sampled_from([40.0, 60.0, 97.5, 120.0, 240.0]))
def test_midi_written_then_read_gives_the_same_notes(events, tempo: float) -> None:
    notes = _notes_in_seconds(events, tempo)
    read, tpb = read_midi_notes(melody_midi_bytes(notes, tempo))
    beat = 60.0 / tempo
    assert [p for p, _, _ in read] == [n["pitch"] for n in notes]
    tolerance = 1.0 / tpb + 1e-9                                         # one MIDI tick
    for (_, start, end), n in zip(read, notes):
        assert abs(start - n["start"] / beat) <= tolerance and abs(end - n["end"] / beat) <= tolerance


@budget(30)
@given(MELODY, st.sampled_from([60.0, 120.0, 180.0]))
def test_midi_seed_events_round_trip(events, tempo: float) -> None:
    """A melody written as MIDI and read back as seed events is the same melody, up to the first
    ``max_notes`` notes. MIDI has no rests, only gaps: leading and trailing rests disappear and
    consecutive rests come back as one."""
    while events[0][0] == REST:
        events = events[1:]
    expected: list[tuple[int, int]] = []
    for pitch, ticks in events:
        if pitch == REST and expected and expected[-1][0] == REST:
            expected[-1] = (REST, expected[-1][1] + ticks)
        else:
            expected.append((pitch, ticks))
    while expected[-1][0] == REST:
        expected.pop()
    data = melody_midi_bytes(_notes_in_seconds(events, tempo), tempo)
    n_notes = sum(p != REST for p, _ in expected)
    assert seed_events_from_midi(data, max_notes=n_notes) == expected
    assert seed_events_from_midi(data, max_notes=1) == expected[:1]
    two = [i for i, (p, _) in enumerate(expected) if p != REST][:2]
    assert seed_events_from_midi(data, max_notes=2) == expected[:two[-1] + 1]  # notes, not events, are counted


def _valid_midi() -> bytes:
    buf = io.BytesIO()
    mido.MidiFile(tracks=[mido.MidiTrack([mido.Message("note_on", note=60, velocity=80, time=0),
                                          mido.Message("note_off", note=60, velocity=0, time=480)])]).save(file=buf)
    return buf.getvalue()


VALID = _valid_midi()


@budget(80)
@given(st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: b"MThd" + b),
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=6)
    .map(lambda edits: bytes(b if i not in dict(edits) else dict(edits)[i] for i, b in enumerate(VALID))),
    st.integers(0, len(VALID)).map(lambda n: VALID[:n]),
))
def test_any_upload_is_read_or_rejected_with_a_value_error(data: bytes) -> None:
    """Whatever the bytes (random, truncated, corrupted MIDI), reading never raises anything
    but ``ValueError`` (shown to the user), and what it does return is a sane seed."""
    try:
        events = seed_events_from_midi(data)
    except ValueError as exc:
        assert str(exc)
        return
    assert 1 <= len(events) <= 15
    assert all((p == REST or PITCH_LO <= p <= PITCH_HI) and t >= 1 for p, t in events)


def test_oversized_upload_is_rejected_before_parsing() -> None:
    with pytest.raises(ValueError, match=r"at most 200,000 bytes \(200 kB\)"):
        read_midi_notes(VALID + b"\0" * MAX_UPLOAD_BYTES)


# --- the gradient computation ------------------------------------------------------------------

CONFIG = st.builds(
    GradientConfig,
    cell=st.sampled_from(["rnn", "lstm", "gru"]),
    length=st.integers(10, 60),
    radius=st.floats(0.1, 3.0),
    activation=st.sampled_from(["tanh", "relu", "linear"]),
    forget_bias=st.floats(-5.0, 5.0),
    hidden=st.integers(4, 16),
    seed=st.integers(0, 9999),
    dtype=st.sampled_from(["float64", "float32"]),
    matrix=st.sampled_from(["orthogonal", "gaussian"]),
)


@budget(25)
@given(CONFIG)
def test_gradient_norms_shape_sign_and_honest_overflow(cfg: GradientConfig) -> None:
    res = gradient_norms(cfg)
    norms = res.norms
    assert norms.shape == (cfg.length,) and res.per_unit.shape == (cfg.hidden, cfg.length)
    assert np.all((norms >= 0) | np.isnan(norms))                       # non-negative, or honestly nan
    finite = np.isfinite(res.per_unit).all(axis=0)
    assert np.all(np.isfinite(norms[finite]))                           # a finite column has a finite norm
    assert res.counts == {"zero": int(np.sum(norms == 0)), "inf": int(np.sum(np.isinf(norms))),
                          "nan": int(np.sum(np.isnan(norms)))}
    # ∂L/∂a⟨T⟩ = u, a unit vector, whatever a⟨T⟩ is (even after the forward pass overflowed)
    assert norms[0] == pytest.approx(1.0, rel=1e-5 if cfg.dtype == "float32" else 1e-12)
    if cfg.cell == "lstm":
        assert res.memory_norms is not None and res.memory_norms.shape == (cfg.length,)
    assert gradient_norms(cfg).norms.tobytes() == norms.tobytes()       # deterministic


@budget(25)
@given(st.floats(0.3, 1.7), st.integers(10, 80), st.integers(4, 16), st.integers(0, 9999))
def test_linear_rnn_gradient_decays_exactly_as_rho_to_the_k(rho: float, length: int, hidden: int, seed: int) -> None:
    res = gradient_norms(GradientConfig(cell="rnn", activation="linear", radius=rho, length=length, hidden=hidden,
                                        seed=seed, dtype="float64"))
    k = np.arange(length)
    np.testing.assert_allclose(res.norms, rho ** k, rtol=1e-9)
    np.testing.assert_allclose(res.theory_log10, k * math.log10(rho), rtol=1e-12, atol=1e-12)
    assert fitted_slope(res) == pytest.approx(math.log(rho), abs=1e-9)
    assert res.top_singular_value == pytest.approx(rho, rel=1e-9)


@budget(60)
@given(st.lists(st.one_of(st.floats(-1e300, 1e300), st.just(math.inf), st.just(-math.inf)), min_size=1, max_size=20))
def test_safe_norm_never_overflows_on_finite_values(values: list[float]) -> None:
    v = np.asarray(values)
    got = safe_norm(v)
    if np.isinf(v).any():
        assert got == math.inf
    else:
        assert math.isfinite(got) and got >= np.abs(v).max()
        scale = np.abs(v).max() or 1.0
        assert got == pytest.approx(scale * np.linalg.norm(v / scale), rel=1e-12)
    assert math.isnan(safe_norm(np.append(v, math.nan)))


@budget(60)
@given(st.floats(-300, 300))
def test_format_log10_writes_ten_to_the_x(x: float) -> None:
    mantissa, exponent = format_log10(x).split("e")
    assert 1.0 <= float(mantissa) < 10.0
    assert float(mantissa) * 10.0 ** int(exponent) == pytest.approx(10.0 ** x, rel=6e-3)
