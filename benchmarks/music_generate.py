"""Time to generate and render 128 notes, next to the music page's empty rerun time.

``python benchmarks/music_generate.py`` prints, as medians over a few repeats (one torch
thread, as the app uses):

* generating 128 events with each model (the one-to-many loop, every step recorded),
* writing the MIDI file (pretty_midi) and rendering the WAV (numpy synth; FluidSynth too
  when it is installed),
* an AppTest rerun of the music page with nothing changed (everything cached), and a rerun
  after changing the temperature (a new 64-event melody, MIDI and audio).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sequence_models.music.generate import generate, seed_from_note  # noqa: E402
from sequence_models.music.midi import melody_midi_bytes  # noqa: E402
from sequence_models.music.model import CELLS, load_model  # noqa: E402
from sequence_models.music.synth import (fluidsynth_available, mp3_bytes, render_fluidsynth, synth_numpy,  # noqa: E402
                                         wav_bytes)
from sequence_models.runtime import use_inference_threads  # noqa: E402

REPEATS = 5


def median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    use_inference_threads(1)
    print(f"music benchmark: medians of {REPEATS} runs, 1 torch thread")
    for cell in CELLS:
        model = load_model(cell)[0]
        seed = seed_from_note(model, 60)
        ms = median_ms(lambda: generate(model, seed, 128, 0.9, 20, seed=1, cell=cell))
        print(f"  generate 128 events, {cell:4s}: {ms:7.1f} ms")
    model = load_model("lstm")[0]
    melody = generate(model, seed_from_note(model, 60), 128, 0.9, 20, seed=1)
    notes = melody.notes(120)
    print(f"  (the LSTM melody: {len(notes)} notes, {notes[-1]['end']:.1f} s of music at 120 bpm)")
    print(f"  write MIDI (pretty_midi):      {median_ms(lambda: melody_midi_bytes(notes, 120)):7.1f} ms")
    print(f"  render WAV (numpy synth):      {median_ms(lambda: wav_bytes(synth_numpy(notes))):7.1f} ms")
    wav = wav_bytes(synth_numpy(notes))
    if fluidsynth_available():
        midi = melody_midi_bytes(notes, 120)
        print(f"  render WAV (FluidSynth):       {median_ms(lambda: render_fluidsynth(midi)):7.1f} ms")
        wav = render_fluidsynth(midi)
    mp3 = mp3_bytes(wav)
    print(f"  encode MP3 for the page:       {median_ms(lambda: mp3_bytes(wav)):7.1f} ms "
          f"({len(wav) / 1e6:.2f} MB WAV → {len(mp3) / 1e3:.0f} kB MP3)")
    total = median_ms(lambda: wav_bytes(synth_numpy(generate(model, seed_from_note(model, 60), 128, 0.9, 20,
                                                                      seed=1).notes(120))))
    print(f"  generate + render, LSTM total: {total:7.1f} ms")

    # The server samples in a script thread, with ui.server_memory's malloc settings (arenas, mmap threshold).
    import threading

    from ui.server_memory import MMAP_THRESHOLD, limit_malloc_arenas

    limit_malloc_arenas(2)
    in_thread: list[float] = []
    worker = threading.Thread(target=lambda: in_thread.append(
        median_ms(lambda: generate(model, seed_from_note(model, 60), 64, 1.0, 0, seed=7, cell="lstm"))))
    worker.start()
    worker.join()
    print(f"  generate 64 events in a script thread, mmap threshold {MMAP_THRESHOLD >> 10} kB: {in_thread[0]:7.1f} ms")

    from tests.conftest import open_page
    at = open_page("pages/music.py")
    print(f"  page empty rerun (AppTest):    {median_ms(lambda: at.run()):7.1f} ms")
    temps = iter([0.5, 0.6, 0.7, 0.8, 1.0, 1.1, 1.2])
    new_temperature = median_ms(lambda: at.slider(key="mus_temp").set_value(next(temps)).run())
    print(f"  page rerun, new temperature:   {new_temperature:7.1f} ms")


if __name__ == "__main__":
    main()
