"""AppTest of the music page: it renders, its controls change the melody, bad input falls back."""

from __future__ import annotations

import io
import json
import re

import mido
import pytest
import soundfile

from tests.conftest import melody_players, open_page
from tests.tables import table_with

PAGE = "pages/music.py"
SLOW = 600  # seconds per script run: the shared 2-core machine is often busy with trainings


def _chart(at, key: str) -> dict:
    """A chart's figure as a dict, found by its widget key."""
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key) or key in c.proto.id)
                      .proto.spec)


def _roll(at) -> dict:
    """The piano roll's figure as a dict."""
    return _chart(at, "mus_roll")


def _mean_entropy_text(at) -> str:
    return next(m.value for m in at.markdown if "Mean uncertainty" in m.value)


def _mean_bits(text: str) -> float:
    return float(re.search(r"Mean uncertainty over the sampled steps: \*\*([0-9.]+) bits", text).group(1))


def test_page_renders_a_melody_with_audio_download_and_evaluation() -> None:
    at = open_page(PAGE, timeout=SLOW)
    assert not at.exception
    assert not at.error
    assert len(melody_players(at)) == 1
    assert len(at.get("download_button")) == 1
    roll = _roll(at)
    seed_trace = next(t for t in roll["data"] if t["name"] == "seed (given)")
    assert seed_trace["y"] == [60]                                   # middle C, marked as the seed
    generated = next(t for t in roll["data"] if t["name"] == "generated")
    assert len(generated["y"]) >= 50                                 # 64 events, almost all notes
    assert any("beats the bigram" in c.value for c in at.caption)
    assert len(table_with(at, "bits per event ↓")) == 6             # 3 models + 3 baselines
    assert at.subheader[-1].value == "Try this"


def test_controls_change_the_melody_and_the_entropy() -> None:
    at = open_page(PAGE, timeout=SLOW)
    before_roll, before_h = _roll(at), _mean_entropy_text(at)
    at.slider(key="mus_temp").set_value(1.8).run()
    assert not at.exception
    after_h = _mean_entropy_text(at)
    assert after_h != before_h
    bits = [_mean_bits(t) for t in (before_h, after_h)]
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
        at = open_page(PAGE, {"mus_net": name}, timeout=SLOW)
    else:
        at = open_page(PAGE, timeout=SLOW)
        assert "2-layer LSTM one seed note" in _intro(at)
        at.segmented_control(key="mus_net").set_value(name).run()
    assert not at.exception
    assert f"2-layer {name} one seed note" in _intro(at) and "LSTM" not in _intro(at)
    assert any(c.value.startswith(f"The {name} beats the bigram") for c in at.caption)
    # The LSTM is named only where all three networks are listed (the evaluation bullets, the Try-this prompts).
    for text in [m.value for m in at.markdown] + [c.value for c in at.caption]:
        assert "LSTM" not in text or (name in text and "GRU" in text), text


def test_new_melody_button_changes_the_seed_and_the_player_plays_the_melody_shown() -> None:
    from ui import melody_audio

    at = open_page(PAGE, {"mus_len": "16"}, timeout=SLOW)
    seed, (key,) = at.number_input(key="mus_seed").value, melody_players(at)
    told = next(m.value for m in at.markdown if "seconds at" in m.value)
    seconds = float(re.search(r"([0-9.]+) seconds at 120 beats per minute", told).group(1))
    samples, rate = soundfile.read(io.BytesIO(melody_audio.mp3_for(key)), dtype="float32")
    assert seconds <= len(samples) / rate <= seconds + 4      # the melody shown, plus the synthesiser's tail
    at.button(key="mus_new").click().run()
    assert at.number_input(key="mus_seed").value != seed and not at.exception
    (new_key,) = melody_players(at)
    assert new_key != key and melody_audio.mp3_for(new_key)


def test_a_bad_upload_gets_a_clear_message_and_the_note_seed_is_used() -> None:
    at = open_page(PAGE, timeout=SLOW)
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    at.file_uploader(key="mus_upload").set_value(("song.mid", b"MThd this is not really midi", "audio/midi")).run()
    assert not at.exception
    assert any("damaged" in e.value and "Using the seed note instead" in e.value for e in at.error)
    assert len(melody_players(at)) == 1                                # still a melody, from C4
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
    at = open_page(PAGE, timeout=SLOW)
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    at.file_uploader(key="mus_upload").set_value(("tune.mid", buf.getvalue(), "audio/midi")).run()
    assert not at.exception and not at.error
    assert next(t for t in _roll(at)["data"] if t["name"] == "seed (given)")["y"] == [64, 67, 71]


def test_odd_url_values_fall_back_to_defaults() -> None:
    at = open_page(PAGE, {"mus_note": "<script>alert(1)</script>", "mus_len": "9999", "mus_temp": "NaN",
                          "mus_topk": "-3", "mus_seed": "abc", "mus_scale": "Z major", "mus_net": "Transformer",
                          "mus_bpm": "1e9", "mus_step": "-5"}, timeout=SLOW)
    assert not at.exception
    assert at.selectbox(key="mus_note").value == "C4"
    assert 8 <= at.slider(key="mus_len").value <= 256
    assert len(melody_players(at)) == 1


def test_url_values_set_the_view() -> None:
    at = open_page(PAGE, {"mus_note": "D5", "mus_len": "32", "mus_scale": "D major", "mus_net": "Vanilla RNN",
                          "mus_step": "5"}, timeout=SLOW)
    assert not at.exception
    assert next(t for t in _roll(at)["data"] if t["name"] == "seed (given)")["y"] == [74]
    assert any("The Vanilla RNN started" in m.value for m in at.markdown)
    assert at.slider(key="mus_step").value == 5


def _good_midi(pitches=(64, 67, 71)) -> bytes:
    mid = mido.MidiFile()
    track = mido.MidiTrack()
    mid.tracks.append(track)
    for pitch in pitches:
        track += [mido.Message("note_on", note=pitch, velocity=80, time=0),
                  mido.Message("note_off", note=pitch, velocity=0, time=240)]
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def _seed(at) -> list[int]:
    return next(t for t in _roll(at)["data"] if t["name"] == "seed (given)")["y"]


def test_a_midi_seed_turns_the_note_picker_off_and_is_kept_for_the_session() -> None:
    at = open_page(PAGE, timeout=SLOW)
    assert not at.selectbox(key="mus_note").disabled
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    assert not at.selectbox(key="mus_note").disabled                  # no file yet: the note is still the seed
    at.file_uploader(key="mus_upload").set_value(("tune.mid", _good_midi(), "audio/midi")).run()
    assert not at.exception and _seed(at) == [64, 67, 71]
    assert at.selectbox(key="mus_note").disabled                      # ignored while the file gives the seed
    assert not any("mus_keys" == c.proto.id.split("-")[-1] for c in at.get("plotly_chart"))
    # "Seed from" → a note → back: the file is still the seed, and the page says so
    at.segmented_control(key="mus_src").set_value("A note").run()
    assert _seed(at) == [60] and not at.selectbox(key="mus_note").disabled
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    assert _seed(at) == [64, 67, 71]
    assert any("uploaded earlier in this session" in c.value for c in at.caption)
    # leave the page and come back: still kept, still in MIDI mode
    at.switch_page("pages/rnn_types.py").run()
    at.switch_page("pages/music.py").run()
    assert not at.exception
    assert at.segmented_control(key="mus_src").value == "A MIDI file" and _seed(at) == [64, 67, 71]
    at.button(key="mus_forget").click().run()
    assert _seed(at) == [60] and any("No file yet" in i.value for i in at.info)


def test_upload_messages_are_exact_and_file_names_stay_plain_text() -> None:
    at = open_page(PAGE, timeout=SLOW)
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    at.file_uploader(key="mus_upload").set_value(("big.mid", b"MThd" + bytes(200_001 - 4), "audio/midi")).run()
    message = at.error[0].value
    assert "200,001 bytes" in message and "at most 200,000 bytes" in message and "200 kB;" not in message
    hostile = ":material/warning: www.example.com x@example.com http://e.com \u202eevil\u2066.mid"
    at.file_uploader(key="mus_upload").set_value((hostile, b"MThd garbage", "audio/midi")).run()
    message = at.error[0].value
    assert "\u202e" not in message and "\u2066" not in message                    # no bidi controls
    for pattern in (":material/", "www.", "www\\.", "@example", "://", ":\\/"):  # no icon, link, autolink
        assert pattern not in message, pattern
    assert "material/warning" in message and "example" in message              # but the name is still shown


def test_step_two_calls_the_seed_the_seed() -> None:
    at = open_page(PAGE, {"mus_step": "2", "mus_len": "16"}, timeout=SLOW)
    intro_text = _intro(at)
    assert "x^{\\langle 1 \\rangle}$ = `<start>`" in intro_text and "forced in as its first output" in intro_text
    step = next(m.value for m in at.markdown if m.value.startswith("**Step 2.**"))
    assert "the seed note y⟨1⟩, given" in step and "fed back" not in step
    at.slider(key="mus_step").set_value(3).run()
    step = next(m.value for m in at.markdown if m.value.startswith("**Step 3.**"))
    assert "the previous output y⟨2⟩, sampled and fed back" in step
    at.slider(key="mus_step").set_value(1).run()
    step = next(m.value for m in at.markdown if m.value.startswith("**Step 1.**"))
    assert "<start>" in step or "&lt;start&gt;" in step


def test_choosing_a_key_sets_the_note_without_a_session_state_warning(monkeypatch) -> None:
    """The keyboard writes ``mus_note`` through Session State, so the box must not also get a default."""
    from streamlit.elements.lib import policies

    warnings: list[str] = []
    monkeypatch.setattr(policies.runtime, "exists", lambda: True)
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda msg, *a, **k: warnings.append(msg % a))
    at = open_page(PAGE, {"mus_len": "8"}, timeout=SLOW)
    at.session_state["mus_keys"] = {"selection": {"points": [{"customdata": 67}]}}
    at.session_state["mus_note"] = "G4"                 # what pick_key() does on a click
    at.run()
    assert not at.exception and at.selectbox(key="mus_note").value == "G4" and _seed(at) == [67]
    at.session_state["mus_seed"] = 4242.0               # what the 🎲 button does
    at.run()
    assert at.number_input(key="mus_seed").value == 4242
    assert not [w for w in warnings if "default value" in w], warnings


def test_temperature_checkpoint_and_teacher_locks() -> None:
    at = open_page(PAGE, {"mus_len": "32", "lock": "mus_temp,mus_note,mus_seed"}, timeout=SLOW)
    assert at.slider(key="mus_temp").disabled and at.selectbox(key="mus_note").disabled
    assert at.number_input(key="mus_seed").disabled and at.button(key="mus_new").disabled
    assert not at.slider(key="mus_len").disabled
    assert not any("mus_cp_temperature_fig" in c.proto.id for c in at.get("plotly_chart"))
    at.radio(key="mus_cp_temperature_guess").set_value("More at 0.2").run()
    at.button(key="mus_cp_temperature_check").click().run()
    assert not at.exception
    fig = _chart(at, "mus_cp_temperature_fig")
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    counts = [int(re.search(r": (\d+) distinct", t).group(1)) for t in titles]
    assert len(counts) == 2 and counts[0] < counts[1]                  # cold is plainer, computed now
    reveal = next(m.value for m in list(at.info) + list(at.success) if "predicted" in m.value)
    assert f"{counts[0]} distinct notes at temperature 0.2, {counts[1]} at 1.5" in reveal


@pytest.mark.browser
@pytest.mark.slow
def test_a_hostile_file_name_shows_no_link_icon_or_reversed_text_in_the_browser() -> None:
    from harness.server import browser_page, wait_until_idle

    name = ":material/warning: www.example.com x@example.com :smile: \u202eevil.mid"
    with browser_page(1280, 2000) as (url, page):
        page.goto(f"{url}/music?mus_len=8")
        wait_until_idle(page, timeout_ms=300_000)
        page.get_by_role("radio", name="A MIDI file").click()
        wait_until_idle(page, timeout_ms=300_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": name, "mimeType": "audio/midi", "buffer": b"MThd garbage"}])
        page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=300_000)
        wait_until_idle(page, timeout_ms=300_000)
        alert = page.locator('[data-testid="stAlertContentError"]').first
        html_text, text = alert.inner_html(), alert.inner_text()
    assert "<a " not in html_text                                       # no link, no mailto: autolink
    assert "material-symbols" not in html_text and "stIconMaterial" not in html_text   # no icon
    assert "\u202e" not in text and "😄" not in text
    assert "Could not use" in text and "www" in text and "example" in text and "smile" in text


@pytest.mark.browser
@pytest.mark.slow
def test_new_melody_redraws_only_the_lesson_and_the_player_fetches_on_play() -> None:
    """Issue 18: 🎲 New melody reruns the melody's fragment only (the controls' keyboard is not redrawn), the page
    asks for no audio until ▶ is pressed, and the player's address then answers with the MP3 (whole and ranged)."""
    from harness.server import browser_page, wait_until_idle

    with browser_page(1280, 2000) as (url, page):
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "_unrolled/melody/" in r.url else None)
        page.goto(f"{url}/music?mus_len=16")
        wait_until_idle(page, timeout_ms=300_000)
        page.evaluate("() => { document.querySelector('[data-testid=\"stPlotlyChart\"]').dataset.mark = 'kept'; }")
        src = page.locator("audio").get_attribute("src")
        page.get_by_role("button", name="New melody").click()
        page.wait_for_function(f"() => document.querySelector('audio')?.getAttribute('src') !== {src!r}",
                               timeout=300_000)
        wait_until_idle(page, timeout_ms=300_000)
        new_src = page.locator("audio").get_attribute("src")
        keyboard_kept = page.evaluate(
            "() => document.querySelector('[data-testid=\"stPlotlyChart\"]').dataset.mark === 'kept'")
        seed_in_url = "mus_seed=" in page.url
        errors = page.locator('[data-testid="stException"]').count()
        assert not fetched, fetched                                  # nothing rendered before ▶
        whole = page.request.get(f"{url}/music/{new_src}")           # as the browser resolves it from /music
        whole_type, whole_size = whole.headers["content-type"], len(whole.body())
        ranged = page.request.get(f"{url}/{new_src}", headers={"Range": "bytes=0-99"})
        ranged_size = len(ranged.body())
        page.evaluate("() => document.querySelector('audio').play().catch(() => null)")
        page.wait_for_timeout(1500)
    assert new_src != src and new_src.startswith("_unrolled/melody/") and not errors
    assert keyboard_kept, "New melody redrew the controls: the keyboard chart was replaced"
    assert seed_in_url, "the new random seed did not reach the URL"
    assert whole.status == 200 and whole_type == "audio/mpeg" and whole_size > 5_000
    assert ranged.status == 206 and ranged_size == 100
    assert any(new_src in u for u in fetched), "pressing play fetched nothing"
