"""Melody generation: encoding, sampling, MIDI, audio, evaluation record and the `melody` CLI."""

from __future__ import annotations

import io
import json
import math
import wave
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest
import torch

from sequence_models.cli import main as cli_main
from sequence_models.music import synth
from sequence_models.music.baselines import Baselines
from sequence_models.music.corpus import REST, SPLITS, Corpus, Tune, load_corpus
from sequence_models.music.evaluate import in_scale_rate, interval_histogram, load_results, pitch_class_entropy
from sequence_models.music.events import (BOS, DURATIONS, EOS, PITCH_HI, PITCH_LO, TOKEN_PITCH, VOCAB_SIZE,
                                          decode_event, encode_event, encode_tune, parse_note_name, pitch_name)
from sequence_models.music.generate import SCALES, generate, parse_scale, seed_from_note
from sequence_models.music.midi import melody_midi_bytes, read_midi_notes, seed_events_from_midi, seed_tokens_from_midi
from sequence_models.music.model import CELLS, MelodyConfig, load_model, weights_path
from sequence_models.music.train import bits_per_event, train_one
from sequence_models.runtime import AssetError

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def lstm():
    return load_model("lstm")[0]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus()


# --- encoding ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "midi"), [("C4", 60), ("c#5", 73), ("Bb3", 58), ("F♯4", 66), ("60", 60),
                                            (" A4 ", 69)])
def test_note_names_parse(text: str, midi: int) -> None:
    assert parse_note_name(text) == midi


@pytest.mark.parametrize("text", ["", "H4", "C", "C10", "<script>alert(1)</script>", "B7", "C2", "ç4"])
def test_bad_note_names_raise_clear_errors(text: str) -> None:
    with pytest.raises(ValueError, match="bad note|outside the model's range"):
        parse_note_name(text)


def test_events_round_trip_and_transpose() -> None:
    for pitch in (REST, PITCH_LO, 60, PITCH_HI):
        for ticks in DURATIONS:
            assert decode_event(encode_event(pitch, ticks)) == (pitch, ticks)
    assert decode_event(encode_event(61, 7)) == (61, 6)   # 7 ticks snaps to the nearest class
    toks = encode_tune(np.array([60, REST, 64]), np.array([6, 6, 12]), shift=2)
    assert [decode_event(t) for t in toks] == [(62, 6), (REST, 6), (66, 12)]
    assert pitch_name(60) == "C4" and pitch_name(REST) == "rest"
    with pytest.raises(ValueError):
        decode_event(BOS)


def test_token_file_split_counts_match_its_record(corpus: Corpus) -> None:
    counts = corpus.counts()
    assert counts == corpus.meta["counts"]
    assert sum(c["tunes"] for c in counts.values()) > 2500     # ~3,000 tunes minus duplicates
    assert counts["train"]["notes"] > 200_000
    titles = {s: {(t.title, t.pitches.tobytes()) for t in corpus.tunes[s]} for s in SPLITS}
    assert not titles["train"] & titles["test"]                # split by tune, no duplicate across splits


# --- generation -------------------------------------------------------------------------

def test_same_seed_same_melody_other_seed_other_melody(lstm) -> None:
    seed = seed_from_note(lstm, 60)
    a = generate(lstm, seed, 48, 1.0, 0, seed=7)
    b = generate(lstm, seed, 48, 1.0, 0, seed=7)
    c = generate(lstm, seed, 48, 1.0, 0, seed=8)
    assert a.tokens == b.tokens and [s.top_probs for s in a.steps] == [s.top_probs for s in b.steps]
    assert a.tokens != c.tokens


@pytest.mark.parametrize("note", ["C4", "G3", "A5"])
def test_first_note_is_the_seed_note(lstm, note: str) -> None:
    melody = generate(lstm, seed_from_note(lstm, parse_note_name(note)), 16, seed=3)
    assert melody.notes()[0]["pitch"] == parse_note_name(note)
    assert melody.notes()[0]["start"] == 0.0
    assert melody.steps[0].forced and not melody.steps[1].forced
    assert melody.steps[0].input_token == BOS and melody.steps[1].input_token == melody.tokens[0]


@pytest.mark.parametrize("length", [8, 100, 256])
def test_length_and_pitch_range_hold(lstm, length: int) -> None:
    melody = generate(lstm, [encode_event(67, 6)], length, temperature=2.0, top_k=0, seed=length)
    assert len(melody.tokens) == len(melody.steps) == length
    assert all(0 <= t < BOS for t in melody.tokens)               # never BOS/EOS
    assert all(PITCH_LO <= p <= PITCH_HI for p in melody.pitches())


def test_scale_lock_keeps_every_sampled_note_in_the_scale(lstm) -> None:
    scale = parse_scale("E minor")
    melody = generate(lstm, [encode_event(64, 6)], 96, temperature=1.5, top_k=0, seed=0, scale=scale)
    allowed = {(4 + i) % 12 for i in SCALES["minor"]}
    assert {p % 12 for p in melody.pitches()} <= allowed
    assert parse_scale("Off") is None and parse_scale("Bb major") == (10, "major")
    with pytest.raises(ValueError):
        parse_scale("H dorian")


def test_higher_temperature_gives_higher_mean_entropy(lstm) -> None:
    seed = seed_from_note(lstm, 62)
    cold = np.mean([generate(lstm, seed, 48, 0.5, 0, seed=s).mean_entropy() for s in range(4)])
    hot = np.mean([generate(lstm, seed, 48, 1.5, 0, seed=s).mean_entropy() for s in range(4)])
    assert hot > cold + 0.5


def test_top_k_limits_the_candidates(lstm) -> None:
    melody = generate(lstm, [encode_event(60, 6)], 32, 1.0, top_k=3, seed=0)
    for s in melody.steps[1:]:
        assert sum(p > 0 for p in s.top_probs) <= 3
        assert s.token in s.top_tokens[:3]


@pytest.mark.parametrize("kwargs", [dict(length=7), dict(length=257), dict(temperature=0.0),
                                    dict(temperature=float("nan")), dict(top_k=-1)])
def test_bad_generation_arguments_raise(lstm, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        generate(lstm, [encode_event(60, 6)], **{"length": 16, **kwargs})
    with pytest.raises(ValueError):
        generate(lstm, [], 16)
    with pytest.raises(ValueError):
        generate(lstm, [EOS], 16)


# --- MIDI -------------------------------------------------------------------------------

def test_midi_round_trips_through_pretty_midi_and_mido(lstm) -> None:
    melody = generate(lstm, seed_from_note(lstm, 60), 64, 0.8, 20, seed=1)
    notes = melody.notes(tempo=96)
    data = melody_midi_bytes(notes, tempo=96)
    pm = pretty_midi.PrettyMIDI(io.BytesIO(data))
    got = pm.instruments[0].notes
    assert [n.pitch for n in got] == [n["pitch"] for n in notes]
    assert np.allclose([n.start for n in got], [n["start"] for n in notes], atol=2e-3)
    assert np.allclose([n.end for n in got], [n["end"] for n in notes], atol=2e-3)
    assert pm.get_tempo_changes()[1][0] == pytest.approx(96, rel=1e-3)
    mid = mido.MidiFile(file=io.BytesIO(data))
    ons = [m.note for t in mid.tracks for m in t if m.type == "note_on" and m.velocity > 0]
    assert ons == [n["pitch"] for n in notes]
    # our reader gives the same melody back as the seed events
    events = seed_events_from_midi(data, max_notes=16)
    assert [p for p, _ in events if p != REST] == [n["pitch"] for n in notes][:16]


def _midi_file(pitches_beats: list[tuple[int, float]], tpb: int = 480) -> bytes:
    mid = mido.MidiFile(ticks_per_beat=tpb)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    for pitch, beats in pitches_beats:
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=int(beats * tpb)))
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def test_uploaded_midi_seed_keeps_pitches_and_lengths() -> None:
    data = _midi_file([(62, 0.5), (66, 0.5), (69, 1.0), (30, 0.25)])
    assert seed_events_from_midi(data) == [(62, 6), (66, 6), (69, 12), (54, 3)]   # 30 folds up to F#3
    assert seed_tokens_from_midi(data, max_notes=2) == [encode_event(62, 6), encode_event(66, 6)]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"), (b"hello world", "not a MIDI file"), (b"MThd\x00\x00\x00\x06\x00", "damaged"),
    (b"MThd" + bytes(300_000), "at most"), (None, "no notes")])
def test_bad_uploads_give_clear_messages(data: bytes | None, message: str) -> None:
    if data is None:
        data = _midi_file([])
    with pytest.raises(ValueError, match=message):
        read_midi_notes(data)


# --- audio ------------------------------------------------------------------------------

def test_numpy_synth_renders_a_real_wav_without_fluidsynth(monkeypatch) -> None:
    monkeypatch.setattr(synth.shutil, "which", lambda name: None)
    notes = [{"pitch": 69, "start": 0.0, "end": 0.5}, {"pitch": 72, "start": 0.5, "end": 1.0}]
    data, engine = synth.render_wav(notes, melody_midi_bytes(notes))
    assert engine == "numpy"
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, synth.SAMPLE_RATE)
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float) / 32767
    assert 1.0 < len(x) / synth.SAMPLE_RATE < 2.0
    assert abs(x[0]) < 0.01 and np.abs(x).max() > 0.5                   # attack from silence, then loud
    first = x[int(0.05 * synth.SAMPLE_RATE):int(0.45 * synth.SAMPLE_RATE)]
    spectrum = np.abs(np.fft.rfft(first))
    freqs = np.fft.rfftfreq(len(first), 1 / synth.SAMPLE_RATE)
    assert abs(freqs[spectrum.argmax()] - 440) < 5                       # A4 is A4
    assert spectrum[np.abs(freqs - 880).argmin()] > 0.1 * spectrum.max()  # with harmonics, not a bare sine
    assert synth.synth_numpy([]).shape[0] > 0


def test_mp3_keeps_the_melody_and_is_much_smaller_than_the_wav() -> None:
    import soundfile

    notes = [{"pitch": 69, "start": 0.0, "end": 1.0}, {"pitch": 76, "start": 1.0, "end": 2.0}]
    wav = synth.wav_bytes(synth.synth_numpy(notes))
    stereo = synth.wav_bytes(np.repeat(synth.synth_numpy(notes)[:, None], 2, axis=1).ravel())  # interleaved
    mp3 = synth.mp3_bytes(wav)
    assert mp3[:3] == b"ID3" or mp3[0] == 0xFF                            # an MPEG stream
    assert len(mp3) < len(wav) / 5
    decoded, rate = soundfile.read(io.BytesIO(mp3), dtype="float32")
    assert rate == synth.SAMPLE_RATE and decoded.ndim == 1
    assert abs(len(decoded) - len(synth.synth_numpy(notes))) < 0.05 * rate   # same length as the WAV
    for t0, hz in ((0.1, 440.0), (1.1, 659.3)):                         # A4 then E5, still in tune
        part = decoded[int(t0 * rate):int((t0 + 0.6) * rate)]
        spectrum = np.abs(np.fft.rfft(part))
        assert abs(np.fft.rfftfreq(len(part), 1 / rate)[spectrum.argmax()] - hz) < 6
    assert len(synth.mp3_bytes(stereo)) > 0                               # any channel count is accepted
    with pytest.raises(soundfile.LibsndfileError):
        synth.mp3_bytes(b"RIFF not a wav")


@pytest.mark.skipif(not synth.fluidsynth_available(), reason="FluidSynth or a GM soundfont is not installed")
def test_fluidsynth_renders_when_installed() -> None:
    notes = [{"pitch": 60, "start": 0.0, "end": 0.5}]
    data, engine = synth.render_wav(notes, melody_midi_bytes(notes))
    assert engine == "fluidsynth" and data[:4] == b"RIFF"


# --- models, training, evaluation -------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_committed_weights_load_and_are_small(cell: str) -> None:
    model, extra = load_model(cell)
    assert weights_path(cell).stat().st_size < 5e6
    assert model.config.layers == 2 and model.config.hidden == MelodyConfig.hidden
    assert extra["steps"] >= 100 and extra["threads"] == 1


def test_corrupt_weights_raise_asset_error(tmp_path: Path) -> None:
    bad = tmp_path / "melody_lstm.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(AssetError, match="corrupt"):
        load_model("lstm", bad)
    with pytest.raises(AssetError, match="missing"):
        load_model("lstm", tmp_path / "nope.pt")


def test_training_loop_runs_and_learns_a_little() -> None:
    tunes = [Tune("t", "x", np.array([60, 62, 64, 65, 67] * 8), np.full(40, 6)) for _ in range(4)]
    tiny = Corpus({"train": tunes, "valid": tunes[:1], "test": tunes[:1]}, {})
    config = MelodyConfig(hidden=16, embed=8)
    before = bits_per_event(train_one("gru", tiny, 1, 4, 16, 0.1, config, 0, log=lambda s: None)[0], tunes[:1])[0]
    model, record = train_one("gru", tiny, 60, 4, 16, 0.1, config, 0, log=lambda s: None)
    after, _ = bits_per_event(model, tunes[:1])
    assert after < before - 3 and record["steps"] == 60 and len(record["history"]) == 1


def test_training_is_reproducible_with_a_seed() -> None:
    tunes = [Tune("t", "x", np.array([60, 62, 64, 65, 67, 69] * 6), np.full(36, 6)) for _ in range(3)]
    tiny = Corpus({"train": tunes, "valid": tunes[:1], "test": tunes[:1]}, {})
    config = MelodyConfig(hidden=8, embed=4)
    runs = [train_one("lstm", tiny, 5, 2, 16, 0.05, config, seed, log=lambda s: None)[0].state_dict()
            for seed in (3, 3, 4)]
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])
    assert not all(torch.equal(runs[0][k], runs[2][k]) for k in runs[0])


def test_abc_parsing_merges_ties_and_keeps_rests() -> None:
    music21 = pytest.importorskip("music21")
    from sequence_models.music.corpus import _tune_from_score

    abc = "X:1\nT:Test\nM:4/4\nL:1/8\nK:G\nz2 G2 A-A B/c/ | d4 z2 (3def |]\n"
    score = music21.converter.parse(abc, format="abc")
    pitches, ticks = _tune_from_score(score)
    assert pitches == [67, 69, 71, 72, 74, REST, 74, 76, 78]          # leading rest dropped, F is F# in G
    assert ticks == [12, 12, 3, 3, 24, 12, 4, 4, 4]                   # the tie A-A is one quarter note


def test_stored_evaluation_is_consistent_and_the_lstm_beats_the_bigram(corpus: Corpus) -> None:
    res = load_results()
    rows = {r["key"]: r for r in res["next_event"]}
    assert set(rows) >= {"lstm", "gru", "rnn", "unigram", "bigram", "repeat"}
    assert rows["lstm"]["bits_per_event"] < rows["bigram"]["bits_per_event"]
    # the baselines recomputed now give the stored numbers
    fresh = Baselines(corpus.tunes["train"], corpus.tunes["valid"]).scores(corpus.tunes["test"])
    for key in ("unigram", "bigram", "repeat"):
        assert fresh[key]["bits_per_event"] == pytest.approx(rows[key]["bits_per_event"], abs=1e-9)
    assert res["melodies"]["settings"]["n"] == 200
    assert 0 < res["melodies"]["generated"]["lstm"]["pitch_class_entropy"] < math.log2(12)
    assert sum(res["melodies"]["test"]["intervals"].values()) == pytest.approx(1.0)


def test_melody_statistics() -> None:
    assert pitch_class_entropy([60] * 8) == 0.0
    assert pitch_class_entropy(list(range(60, 72))) == pytest.approx(math.log2(12))
    assert in_scale_rate([60, 62, 64, 65, 67, 69, 71]) == 1.0
    assert in_scale_rate([60, 61, 62, 63]) == 0.75
    hist = interval_histogram([[60, 60, 62, 67, 80]])
    assert hist["repeat (0)"] == hist["step (1–2)"] == hist["leap (5–7)"] == hist["over an octave (>12)"] == 0.25


# --- CLI --------------------------------------------------------------------------------

def test_cli_melody_writes_midi_and_prints_json(tmp_path: Path, capsys) -> None:
    out = tmp_path / "melody.mid"
    code = cli_main(["melody", "--seed-note", "C4", "--length", "64", "--temperature", "0.8", "--seed", "1",
                     "--out", str(out), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "lstm" and data["notes"][0]["pitch"] == 60
    assert all(set(n) >= {"pitch", "start", "end"} and n["end"] > n["start"] for n in data["notes"])
    pm = pretty_midi.PrettyMIDI(str(out))
    assert [n.pitch for n in pm.instruments[0].notes] == [n["pitch"] for n in data["notes"]]
    # same arguments, same melody
    cli_main(["melody", "--seed-note", "C4", "--length", "64", "--temperature", "0.8", "--seed", "1", "--json"])
    assert json.loads(capsys.readouterr().out)["notes"] == data["notes"]


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["--length", "5"], 2, "between 8 and 256"), (["--temperature", "abc"], 2, "not a number"),
    (["--model", "transformer"], 2, "invalid choice"), (["--seed-note", "H9"], 2, "bad note"),
    (["--seed-note", "C99"], 2, "bad note"), (["--seed-note", "C8"], 2, "outside the model's range"),
    (["--scale", "C lydian"], 2, "bad scale"), (["--scale", "H major"], 2, "bad scale tonic"),
    (["--seed-midi", "/nonexistent.mid"], 1, "cannot read")])
def test_cli_bad_arguments_exit_nonzero_with_one_line(argv: list[str], code: int, message: str, capsys) -> None:
    try:
        got = cli_main(["melody", *argv])
    except SystemExit as exc:
        got = exc.code
    err = capsys.readouterr().err.strip()
    assert got == code and message in err and len(err.splitlines()) == 1


def test_cli_rejects_a_corrupt_midi_seed(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd garbage")
    assert cli_main(["melody", "--seed-midi", str(bad)]) == 1
    assert "damaged" in capsys.readouterr().err


def test_vocab_has_bos_eos_last() -> None:
    assert (BOS, EOS) == (VOCAB_SIZE - 2, VOCAB_SIZE - 1) and TOKEN_PITCH[BOS] == REST


# --- durations, figures, seed files, model card ---------------------------------------------

def test_lengths_are_written_exactly_never_as_rounded_decimals() -> None:
    from sequence_models.music.events import beats_phrase, beats_text, token_label

    assert [beats_text(d) for d in DURATIONS] == ["⅙", "¼", "⅓", "½", "¾", "1", "1½", "2", "3", "4"]
    assert token_label(encode_event(60, 2)) == "C4 ⅙" and token_label(encode_event(REST, 18)) == "rest 1½"
    assert beats_phrase(2) == "⅙ beat (a triplet sixteenth)" and beats_phrase(6) == "½ beat (an eighth note)"
    assert beats_text(5) == "5/12" and beats_text(30) == "2½"
    for d in range(1, 60):
        assert "." not in beats_text(d)


def _one_pitch_melody(pitch: int, n: int = 12):
    from sequence_models.music.generate import Melody, Step

    probs = [0.0] * (PITCH_HI - PITCH_LO + 2)
    probs[pitch - PITCH_LO + 1] = 1.0
    tok = encode_event(pitch, 6)
    steps = [Step(t, BOS if t == 1 else tok, [tok], [1.0], tok, 1.0, 0.0, t == 1, probs) for t in range(1, n + 1)]
    return Melody([tok] * n, steps, 1, "lstm")


@pytest.mark.parametrize("pitch", [62, 61, 70])   # D4, C#4, A#4: no C, E or G among them
def test_one_repeated_pitch_is_labelled_with_its_own_name(pitch: int) -> None:
    from ui.music_figures import piano_roll, thinking_heatmap

    melody = _one_pitch_melody(pitch)
    fig = piano_roll(melody, 120)
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    assert ticks[pitch] == pitch_name(pitch)
    assert all(pitch_name(p) == name for p, name in ticks.items())
    heat = thinking_heatmap(melody)                       # drawn as SVG: its row labels are annotations
    rows = [a["text"] for a in heat["layout"]["annotations"] if a.get("xanchor") == "right"]
    assert rows == [pitch_name(pitch)]


def test_seed_and_sampled_markers_differ_in_colour_and_shape(lstm) -> None:
    from ui.music_figures import thinking_heatmap

    melody = generate(lstm, [encode_event(64, 6), encode_event(67, 6)], 16, seed=2)
    shapes = thinking_heatmap(melody)["layout"]["shapes"]
    seeds = [s for s in shapes if s["type"] == "path"]              # diamonds: the two seed notes, forced in
    sampled = [s for s in shapes if s["type"] == "circle"]          # dots: the sampled notes
    assert len(seeds) == 2 and len(sampled) >= 8
    seed_colour, sampled_colour = {s["fillcolor"] for s in seeds}, {s["fillcolor"] for s in sampled}
    assert len(seed_colour) == len(sampled_colour) == 1 and seed_colour != sampled_colour
    rgb = [tuple(int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)) for c in (*seed_colour, *sampled_colour)]
    assert sum(abs(a - b) for a, b in zip(*rgb)) > 150                  # far apart, not two oranges


def test_seed_files_are_size_checked_before_reading(tmp_path: Path) -> None:
    from sequence_models.music.midi import MAX_UPLOAD_BYTES, read_seed_file, too_big_message

    big = tmp_path / "big.mid"
    with open(big, "wb") as fh:
        fh.truncate(50_000_000)                                        # sparse: 50 MB that would take 50 MB to read
    with pytest.raises(ValueError, match="50,000,000 bytes"):
        read_seed_file(big)
    with pytest.raises(ValueError, match="larger than 200,000 bytes"):
        read_seed_file("/dev/zero")                                    # never ends: cut off at the limit
    good = tmp_path / "ok.mid"
    good.write_bytes(_midi_file([(60, 1.0)]))
    assert read_seed_file(good) == good.read_bytes()
    assert too_big_message(MAX_UPLOAD_BYTES + 1).startswith("The file is 200,001 bytes;")
    assert "200 kB;" not in too_big_message(MAX_UPLOAD_BYTES + 1)


def test_model_card_is_rendered_from_the_evaluation() -> None:
    from sequence_models.music.evaluate import card_path, model_card

    res = load_results()
    card = model_card(res)
    lstm = next(r for r in res["next_event"] if r["key"] == "lstm")
    assert f"| LSTM | {lstm['bits_per_event']:.3f} |" in card and f"{res['test_events']:,} test events" in card
    assert card_path().read_text() == card                             # the committed card is up to date
