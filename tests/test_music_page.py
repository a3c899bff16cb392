"""AppTest of the music page: it renders, its controls change the melody, bad input falls back."""

from __future__ import annotations

import io
import json

import mido
import pytest

from tests.conftest import open_page

PAGE = "pages/music.py"


def _roll(at) -> dict:
    """The piano roll's figure as a dict."""
    return json.loads(at.get("plotly_chart")[1].proto.spec)


def _mean_entropy_text(at) -> str:
    return next(m.value for m in at.markdown if "Mean uncertainty" in m.value)


def test_page_renders_a_melody_with_audio_download_and_evaluation() -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert not at.error
    assert len(at.get("audio")) == 1
    assert len(at.get("download_button")) == 1
    roll = _roll(at)
    seed_trace = next(t for t in roll["data"] if t["name"] == "seed (given)")
    assert seed_trace["y"] == [60]                                   # middle C, marked as the seed
    generated = next(t for t in roll["data"] if t["name"] == "generated")
    assert len(generated["y"]) >= 50                                 # 64 events, almost all notes
    assert any("beats the bigram" in c.value for c in at.caption)
    assert any(len(df.value) == 6 for df in at.dataframe)           # 3 models + 3 baselines
    assert at.subheader[-1].value == "Try this"


def test_controls_change_the_melody_and_the_entropy() -> None:
    at = open_page(PAGE)
    before_roll, before_h = _roll(at), _mean_entropy_text(at)
    at.slider(key="mus_temp").set_value(1.8).run()
    assert not at.exception
    after_h = _mean_entropy_text(at)
    assert after_h != before_h
    bits = [float(t.split("**")[1].split()[0]) for t in (before_h, after_h)]
    assert bits[1] > bits[0]                                         # hotter → more uncertain
    at.selectbox(key="mus_note").set_value("G4").run()
    assert next(t for t in _roll(at)["data"] if t["name"] == "seed (given)")["y"] == [67]
    at.slider(key="mus_len").set_value(8).run()
    assert sum(len(t["y"]) for t in _roll(at)["data"] if t.get("type") == "bar") <= 8
    assert _roll(at) != before_roll
    at.segmented_control(key="mus_net").set_value("GRU").run()
    assert not at.exception and any("The GRU started" in m.value for m in at.markdown)


def _intro(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**What you will see.**"))


@pytest.mark.parametrize("via", ["url", "widget"])
@pytest.mark.parametrize("name", ["GRU", "Vanilla RNN"])
def test_the_words_name_the_selected_network(name: str, via: str) -> None:
    if via == "url":
        at = open_page(PAGE, {"mus_net": name})
    else:
        at = open_page(PAGE)
        assert "2-layer LSTM a single note" in _intro(at)
        at.segmented_control(key="mus_net").set_value(name).run()
    assert not at.exception
    assert f"2-layer {name} a single note" in _intro(at) and "LSTM" not in _intro(at)
    assert any(c.value.startswith(f"The {name} beats the bigram") for c in at.caption)
    # The LSTM is named only where all three networks are listed (the evaluation bullets, the Try-this prompts).
    for text in [m.value for m in at.markdown] + [c.value for c in at.caption]:
        assert "LSTM" not in text or (name in text and "GRU" in text), text


def test_new_melody_button_changes_the_seed() -> None:
    at = open_page(PAGE)
    seed = at.number_input(key="mus_seed").value
    at.button[0].click().run()
    assert at.number_input(key="mus_seed").value != seed and not at.exception


def test_a_bad_upload_gets_a_clear_message_and_the_note_seed_is_used() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    at.file_uploader(key="mus_upload").set_value(("song.mid", b"MThd this is not really midi", "audio/midi")).run()
    assert not at.exception
    assert any("damaged" in e.value and "Using the seed note instead" in e.value for e in at.error)
    assert len(at.get("audio")) == 1                                # still a melody, from C4
    at.file_uploader(key="mus_upload").set_value(("empty.mid", b"", "audio/midi")).run()
    assert any("empty" in e.value for e in at.error)


def test_a_good_upload_becomes_the_seed() -> None:
    mid = mido.MidiFile()
    track = mido.MidiTrack()
    mid.tracks.append(track)
    for pitch in (64, 67, 71):
        track += [mido.Message("note_on", note=pitch, velocity=80, time=0),
                  mido.Message("note_off", note=pitch, velocity=0, time=240)]
    buf = io.BytesIO()
    mid.save(file=buf)
    at = open_page(PAGE)
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    at.file_uploader(key="mus_upload").set_value(("tune.mid", buf.getvalue(), "audio/midi")).run()
    assert not at.exception and not at.error
    assert next(t for t in _roll(at)["data"] if t["name"] == "seed (given)")["y"] == [64, 67, 71]


def test_odd_url_values_fall_back_to_defaults() -> None:
    at = open_page(PAGE, {"mus_note": "<script>alert(1)</script>", "mus_len": "9999", "mus_temp": "NaN", "mus_topk": "-3",
                          "mus_seed": "abc", "mus_scale": "Z major", "mus_net": "Transformer", "mus_bpm": "1e9", "mus_step": "-5"})
    assert not at.exception
    assert at.selectbox(key="mus_note").value == "C4"
    assert 8 <= at.slider(key="mus_len").value <= 256
    assert len(at.get("audio")) == 1


def test_url_values_set_the_view() -> None:
    at = open_page(PAGE, {"mus_note": "D5", "mus_len": "32", "mus_scale": "D major", "mus_net": "Vanilla RNN", "mus_step": "5"})
    assert not at.exception
    assert next(t for t in _roll(at)["data"] if t["name"] == "seed (given)")["y"] == [74]
    assert any("The Vanilla RNN started" in m.value for m in at.markdown)
    assert at.slider(key="mus_step").value == 5
