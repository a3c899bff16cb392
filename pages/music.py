"""Music generation: a trained LSTM, GRU or vanilla RNN turns one seed note into a melody (one-to-many)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st

from ui import heavy, melody_audio
from ui.charts import CHART, STATIC_CHART
from ui.inputs import file_name_literal, whole_number
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.svg import show_svg
from ui.tables import show_table
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("🎵 Music generation: one note in, a melody out")
intro_slot = st.empty()  # filled once the Model control below says which network this is

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title is already
# on screen (the intro names the model chosen below, so it waits for them).
from sequence_models.music.events import (NOTE_NAMES, PITCH_HI, PITCH_LO, TOKEN_TICKS, beats_phrase,  # noqa: E402
                                          parse_note_name, pitch_name, token_label)
from sequence_models.music.evaluate import EVALUATION_FILE  # noqa: E402
from sequence_models.music.generate import (DEFAULTS, MAX_LENGTH, MAX_TEMPERATURE, MIN_LENGTH,  # noqa: E402
                                            MIN_TEMPERATURE, Melody, generate, parse_scale, seed_from_note)
from sequence_models.music.midi import (MAX_UPLOAD_BYTES, SEED_NOTES_FROM_MIDI, seed_tokens_from_midi,  # noqa: E402
                                        too_big_message)
from sequence_models.music.model import CELL_NAMES, MelodyConfig, load_model  # noqa: E402
from sequence_models.music.synth import fluidsynth_available  # noqa: E402
from sequence_models.runtime import AssetError, use_inference_threads  # noqa: E402
from ui.evaluation import missing_results_note, stored_results  # noqa: E402
from ui.music_figures import (KEY_HI, KEY_LO, UNROLL_STEPS, keyboard_figure, piano_roll, step_bars,  # noqa: E402
                              temperature_pair, thinking_heatmap, unrolled_loop)

NOTE_LABELS = [pitch_name(p) for p in range(PITCH_LO, PITCH_HI + 1)]
MODEL_LABELS = {CELL_NAMES[c]: c for c in ("lstm", "gru", "rnn")}
SCALE_LABELS = ["Off"] + [f"{n} {m}" for m in ("major", "minor") for n in NOTE_NAMES]
MAX_SEED_VALUE = 99_999
KEPT_SEED = "_mus_seed_file"     # {"name", "tokens"}: the uploaded seed, kept for the whole session
CHECK_TEMPERATURES = (0.2, 1.5)  # the checkpoint's cold and hot melodies


# --- models and results (shared by every session) ----------------------------------------

@st.cache_resource(show_spinner="Loading the melody model…")
def model_for(cell: str):
    use_inference_threads(1)
    return load_model(cell)[0]


@st.cache_data(max_entries=32, show_spinner=False)
def melody_for(cell: str, seed_tokens: tuple[int, ...], length: int, temperature: float, top_k: int, seed: int,
               scale: str) -> Melody:
    with heavy.slot():
        return generate(model_for(cell), list(seed_tokens), length, temperature, top_k, seed, parse_scale(scale),
                        cell=cell)


@st.cache_data(max_entries=8, show_spinner=False)
def midi_file(notes_key: tuple[tuple[int, float, float], ...], tempo: float) -> bytes:
    """The melody's MIDI file (a few kB, kept in a small bounded cache). Its audio is made only when played:
    :mod:`ui.melody_audio`."""
    from sequence_models.music.midi import melody_midi_bytes

    return melody_midi_bytes([{"pitch": p, "start": s, "end": e} for p, s, e in notes_key], tempo)


# --- callbacks ---------------------------------------------------------------------------------

def pick_key() -> None:
    """Keyboard click → the seed note selectbox (runs before the rerun; the only other writer is the box)."""
    if locked("mus_note"):
        return
    try:
        points = st.session_state["mus_keys"]["selection"]["points"]
    except (KeyError, TypeError):
        points = []
    if points:
        pitch = points[0].get("customdata")
        if isinstance(pitch, list):
            pitch = pitch[0] if pitch else None
        if isinstance(pitch, (int, float)) and KEY_LO <= int(pitch) <= KEY_HI:
            st.session_state["mus_note"] = pitch_name(int(pitch))


def new_seed() -> None:
    now = whole_number(st.session_state.get("mus_seed"), 0, MAX_SEED_VALUE, DEFAULTS["seed"])
    st.session_state["mus_seed"] = float((now * 7919 + 104729) % 100_000)


def upload_changed() -> None:
    """The student removed the file (✕) or chose another: forget the kept seed (a new one is kept below)."""
    if st.session_state.get("mus_upload") is None:
        st.session_state.pop(KEPT_SEED, None)


def forget_upload() -> None:
    st.session_state.pop(KEPT_SEED, None)


def intro_text(cell_name: str, layers: int, tunes: int | None) -> str:
    """The body of the "What you will see." paragraph, naming the network the reader selected, its number of
    layers and the number of training tunes (from the evaluation file; None when it is missing)."""
    how_many = f"{tunes:,}" if tunes else "a few thousand"
    return (
        f"A one-to-many recurrent network at work. You give a {layers}-layer {cell_name} one seed note. It starts "
        r"from a start token, $x^{\langle 1 \rangle}$ = `<start>`, and the seed is forced in as its first output "
        r"$y^{\langle 1 \rangle}$ (given, not sampled). From then on, at every step $t$ it outputs a probability "
        r"$\hat y^{\langle t \rangle}$ for every possible next note, one note $y^{\langle t \rangle}$ is sampled, "
        r"and that output is fed back as the next input, $x^{\langle t+1 \rangle} = y^{\langle t \rangle}$, until "
        f"the melody is as long as you asked. The model learned from {how_many} Irish and American folk tunes "
        "(O'Neill's 1850 collection and Ryan's Mammoth Collection). Below the piano roll you can see what it was "
        "\u201cthinking\u201d at each step, and the unrolled loop itself."
    )


def input_source(t: int, n_seed: int) -> str:
    """Where x⟨t⟩ comes from, in the notation of the intro."""
    if t == 1:
        return " (the start token: nothing played yet)"
    if t - 1 <= n_seed:
        return f" (the seed note y⟨{t - 1}⟩, given, fed in)"
    return f" (the previous output y⟨{t - 1}⟩, sampled and fed back)"


results = stored_results(EVALUATION_FILE, ("split_counts", "next_event"))

# --- controls: a change here reruns the whole page ---------------------------------------------
with controls("Seed note, model and sampling"):
    left, right = st.columns([5, 4], gap="large")
    with left:
        st.markdown("##### The seed: the first note")
        source = st.segmented_control("Seed from", ["A note", "A MIDI file"], default="A note", key="mus_src",
                                      persist_state="session")
        seed_tokens: list[int] | None = None
        seed_text = ""
        if source == "A MIDI file":
            upload = st.file_uploader(f"Upload a short MIDI file; its first notes (up to {SEED_NOTES_FROM_MIDI}) "
                                      "become the seed",
                                      type=["mid", "midi"], key="mus_upload", max_upload_size=1,
                                      on_change=upload_changed)
            if upload is not None:
                shown_name = file_name_literal(upload.name, 60)
                try:
                    if upload.size > MAX_UPLOAD_BYTES:
                        raise ValueError(too_big_message(upload.size))
                    tokens = seed_tokens_from_midi(upload.getvalue())
                    if not tokens:
                        raise ValueError("The MIDI file holds no notes.")
                    st.session_state[KEPT_SEED] = {"name": upload.name[:200], "tokens": tokens}
                except ValueError as exc:
                    st.session_state.pop(KEPT_SEED, None)
                    st.error(f"Could not use “{shown_name}”: {exc} Using the seed note instead.")
            kept = st.session_state.get(KEPT_SEED)
            if kept:
                seed_tokens = list(kept["tokens"])
                seed_text = "the first notes of your file: " + ", ".join(token_label(t) for t in seed_tokens)
                if upload is None:
                    k1, k2 = st.columns([3, 1], vertical_alignment="center")
                    k1.caption(f"Using “{file_name_literal(kept['name'], 60)}”, uploaded earlier in this session. "
                               "Upload another file to replace it.")
                    k2.button("Forget it", key="mus_forget", on_click=forget_upload, type="tertiary")
            elif upload is None:
                st.info("No file yet: the seed note below is used until you upload one.")
        from_file = seed_tokens is not None
        st.session_state.setdefault("mus_note", "C4")  # the box's only default: the keyboard also writes this key
        note_label = st.selectbox("Seed note (name and octave; C4 is middle C)", NOTE_LABELS, key="mus_note",
                                  bind="query-params", disabled=from_file or locked("mus_note"),
                                  help="Not used while a MIDI file gives the seed." if from_file else None)
        if from_file:  # a picture of the keyboard, greyed out: clicks do nothing while the file gives the seed
            st.plotly_chart(keyboard_figure(parse_note_name(note_label), enabled=False), key="mus_keys_off",
                            config=STATIC_CHART, width="stretch")
            st.caption("The note picker is off: your MIDI file gives the seed. Choose “A note” above to use it.")
        else:
            st.plotly_chart(keyboard_figure(parse_note_name(note_label)), key="mus_keys", on_select=pick_key,
                            selection_mode="points", config=CHART, width="stretch")
            st.caption(f"Click a key to choose the seed note ({pitch_name(KEY_LO)} to {pitch_name(KEY_HI)}), or pick "
                       f"any note from {pitch_name(PITCH_LO)} to {pitch_name(PITCH_HI)} above.")

    with right:
        st.markdown("##### How to sample")
        model_label = st.segmented_control("Model", list(MODEL_LABELS), default="LSTM", key="mus_net",
                                           bind="query-params", disabled=locked("mus_net"))
        cell = MODEL_LABELS.get(model_label or "LSTM", "lstm")
        length = st.slider("Length (events: notes and rests)", MIN_LENGTH, MAX_LENGTH, DEFAULTS["length"],
                           key="mus_len", bind="query-params", disabled=locked("mus_len"))
        temperature = st.slider("Temperature (low = safe and repetitive, high = adventurous)", MIN_TEMPERATURE,
                                MAX_TEMPERATURE, DEFAULTS["temperature"], step=0.05, key="mus_temp",
                                bind="query-params", disabled=locked("mus_temp"))
        c1, c2 = st.columns(2)
        top_k = c1.slider("Top-k (0 = no cut)", 0, 60, DEFAULTS["top_k"], key="mus_topk", bind="query-params",
                          disabled=locked("mus_topk"))
        tempo = c2.slider("Tempo (beats per minute)", 60, 200, DEFAULTS["tempo"], step=5, key="mus_bpm",
                          bind="query-params", disabled=locked("mus_bpm"))
        scale_label = st.selectbox("Key / scale lock (only notes of this scale may be sampled)", SCALE_LABELS,
                                   key="mus_scale", bind="query-params", disabled=locked("mus_scale"))
        st.caption("The random seed and 🎲 New melody are next to the melody below.")
with intro_slot.container():
    _train_tunes = (results or {}).get("split_counts", {}).get("train", {}).get("tunes")
    intro(intro_text(CELL_NAMES[cell], MelodyConfig().layers,
                     _train_tunes if isinstance(_train_tunes, int) else None))

try:
    model = model_for(cell)
except AssetError as exc:
    st.error(f"The {CELL_NAMES[cell]} melody model cannot be loaded: {exc}")
    st.stop()

if seed_tokens is None:
    seed_tokens = seed_from_note(model, parse_note_name(note_label))
    seed_text = f"the note {note_label} ({beats_phrase(int(TOKEN_TICKS[seed_tokens[0]]))}: the model chose the length)"


@dataclass(frozen=True)
class Settings:
    """What the controls above chose: everything a melody depends on except its random seed."""
    cell: str
    seed_tokens: tuple[int, ...]
    seed_text: str       # how the page names the seed ("the note C4 (…)", "the first notes of your file: …")
    seed_name: str       # for the MIDI file's name ("C4" or "file")
    length: int
    temperature: float
    top_k: int
    tempo: int
    scale: str           # "" = no scale lock


def melody_view(s: Settings) -> tuple[Melody, int]:
    """The random seed and 🎲 New melody, the melody generated with them (returned with the seed), its player,
    MIDI file and piano roll."""
    a1, a2, a3, a4 = st.columns([5, 2, 2, 2], vertical_alignment="bottom")
    # Set one way only (the 🎲 button writes this key): a default here too would make Streamlit warn.
    st.session_state.setdefault("mus_seed", float(DEFAULTS["seed"]))
    rseed = whole_number(a2.number_input("Random seed", 0.0, float(MAX_SEED_VALUE), step=1.0, format="%.0f",
                                         key="mus_seed", bind="query-params", disabled=locked("mus_seed"),
                                         help="The same seed and settings give the same melody."),
                         0, MAX_SEED_VALUE, DEFAULTS["seed"])
    a3.button("🎲 New melody", on_click=new_seed, width="stretch", key="mus_new", disabled=locked("mus_seed"),
              help="A new random seed: the same settings, another melody.")
    with heavy.job("melody generation"):
        melody = melody_for(s.cell, s.seed_tokens, s.length, s.temperature, s.top_k, rseed, s.scale)
    notes = melody.notes(s.tempo)
    note_tuples = [(n["pitch"], n["start"], n["end"]) for n in notes]
    a1.html(melody_audio.player_html(melody_audio.register(note_tuples, s.tempo),
                                     f"The {CELL_NAMES[s.cell]}'s melody"))
    a4.download_button("⬇️ MIDI file", midi_file(tuple(note_tuples), float(s.tempo)),
                       file_name=f"unrolled-{s.cell}-{s.seed_name}-seed{rseed}.mid", mime="audio/midi",
                       width="stretch", key="mus_midi")
    st.plotly_chart(piano_roll(melody, s.tempo), key="mus_roll", width="stretch", config=CHART)
    st.markdown(f"The {CELL_NAMES[s.cell]} started from {html.escape(s.seed_text)} and generated "
                f"{len(melody.tokens) - melody.n_seed} more events: {len(notes)} notes in all, "
                f"{notes[-1]['end']:.1f} seconds at {s.tempo} beats per minute. The seed is purple, the generated "
                "notes blue.")
    st.caption("Press ▶ to hear it: the audio is rendered on the server when you press play, with "
               + ("FluidSynth and a General MIDI piano soundfont." if fluidsynth_available() else
                  "a small numpy synthesiser (decaying harmonics with an attack–decay–release envelope).")
               + " The MIDI file opens in MuseScore, GarageBand or any other music program.")
    return melody, rseed


def thinking_view(s: Settings, melody: Melody, rseed: int) -> None:
    """The probability of every next pitch at every step, and the temperature checkpoint."""
    mean_h = melody.mean_entropy()
    st.markdown(
        "Each column is one step. The shading is the probability the model gave to each next pitch, after your "
        "temperature, top-k and scale lock (darker = more likely; white: under 1 % of the largest probability; "
        "point at a column for the numbers); the **orange circles** are the notes that were sampled, the **purple "
        "diamonds** the seed, forced in. "
        f"Mean uncertainty over the sampled steps: **{mean_h:.2f} bits** (about {2 ** mean_h:.1f} equally likely "
        "choices). Raise the temperature and watch the columns spread out."
    )
    show_svg(thinking_heatmap(melody), width=900, min_width=600,
             label=f"What the model expected at each of the {len(melody.steps)} steps")

    cold_t, hot_t = CHECK_TEMPERATURES
    temperature_options = [f"Fewer at {cold_t:g}", f"More at {cold_t:g}", "The same number"]

    def temperature_melodies() -> list[tuple[float, Melody]]:
        with heavy.job("melody generation"):
            return [(t, melody_for(s.cell, s.seed_tokens, s.length, t, s.top_k, rseed, s.scale))
                    for t in CHECK_TEMPERATURES]

    def temperature_answer() -> Answer:
        (_, cold), (_, hot) = temperature_melodies()
        n_cold, n_hot = len(set(cold.pitches())), len(set(hot.pitches()))
        fewer, more, same = temperature_options
        correct = fewer if n_cold < n_hot else more if n_cold > n_hot else same
        return Answer(correct=correct,
                      why=f"Generated just now by the {CELL_NAMES[s.cell]} from the same seed and random seed "
                          f"{rseed}, {len(cold.tokens)} events each: {n_cold} distinct notes at temperature "
                          f"{cold_t:g}, {n_hot} at {hot_t:g}. Dividing the scores by a small temperature sharpens "
                          "the distribution onto the few most likely notes.")

    if checkpoint("mus_cp_temperature", f"At temperature {cold_t:g}, will the melody use more or fewer distinct "
                  f"notes than at {hot_t:g}?", temperature_options, temperature_answer):
        st.plotly_chart(temperature_pair(temperature_melodies(), s.tempo), key="mus_cp_temperature_fig",
                        width="stretch", config=CHART)


# --- one step, and the unrolled loop ----------------------------------------------------------
@st.fragment
def step_view(melody: Melody, cell_name: str) -> None:
    """The step slider and what depends on it only: moving it reruns this fragment, not the page
    (no new melody, audio or other figures)."""
    n_steps = len(melody.steps)
    st.session_state["mus_step"] = min(max(int(st.session_state.get("mus_step", melody.n_seed + 1)), 1), n_steps)
    t_sel = st.slider("Look at step t", 1, n_steps, key="mus_step", bind="query-params", disabled=locked("mus_step"))
    st.markdown("**The unrolled one-to-many loop.** The same cell (same weights) is applied at every step; the "
                "hidden state a⟨t⟩ flows to the right. x⟨1⟩ is the start token; each output y⟨t⟩ (the seed, in "
                "purple, then the sampled notes, in orange) becomes the next input x⟨t+1⟩ (dashed green). "
                f"Showing steps {t_sel}–{min(n_steps, t_sel + UNROLL_STEPS - 1)}; move the step slider to walk "
                "along the melody.")
    show_svg(unrolled_loop(melody, t_sel, cell_name), width=900, min_width=640,
             label=f"The unrolled loop, steps {t_sel} to {min(n_steps, t_sel + UNROLL_STEPS - 1)}")

    s_sel = melody.steps[t_sel - 1]
    b1, b2 = st.columns([3, 2], gap="large")
    with b1:
        show_svg(step_bars(melody, t_sel), width=560, min_width=420,
                 label=f"The {len(s_sel.top_tokens)} most likely events for step {t_sel}")
    with b2:
        how = (f"y⟨{t_sel}⟩ was **not sampled**: it is the seed, given and forced in (purple); the bars show what "
               "the model would have expected." if s_sel.forced else
               f"The sampled event y⟨{t_sel}⟩ = **{html.escape(token_label(s_sel.token))}** had probability "
               f"{s_sel.prob:.2f}.")
        st.markdown(f"**Step {t_sel}.** Input x⟨{t_sel}⟩ = {html.escape(token_label(s_sel.input_token))}"
                    f"{input_source(t_sel, melody.n_seed)}. The top {len(s_sel.top_tokens)} candidates for "
                    f"y⟨{t_sel}⟩ are on the left. {how} Entropy of this step's distribution: "
                    f"{s_sel.entropy_bits:.2f} bits.")


def quality_view(cell: str) -> None:
    """The test-split figures of every model and how the chosen model's melodies compare with the tunes."""
    if results:
        counts = results["split_counts"]
        st.markdown(
            f"Measured by `python -m sequence_models evaluate music` on the **test split**: "
            f"{counts['test']['tunes']} tunes ({counts['test']['notes']:,} notes) that no model saw in training "
            f"(training used {counts['train']['tunes']:,} tunes, {counts['train']['notes']:,} notes). "
            "Each model predicts every next event of every test tune from the events before it."
        )
        rows = results["next_event"]
        show_table(
            [{"model": r["name"], "bits per event ↓": r["bits_per_event"], "next-event accuracy ↑":
              f"{100 * r['accuracy']:.1f} %", "kind": "trained network" if r["kind"] == "model" else "count baseline"}
             for r in rows], {"bits per event ↓": ".3f"})
        lines = []
        for r in rows:
            b = r["bits_per_event"]
            lines.append(f"- **{r['name']}: {b:.2f} bits per event** — on average the true next event surprised it "
                         f"as much as a fair choice among {2 ** b:.0f} options would; **{100 * r['accuracy']:.1f} %** "
                         "— how often its single most likely guess was exactly right (pitch and length).")
        st.markdown("\n".join(lines))
        mel = results["melodies"]
        gen = mel["generated"].get(cell) or next(iter(mel["generated"].values()))
        test = mel["test"]
        st.markdown(f"**Do the melodies sound like the tunes?** {mel['settings']['n']} melodies of "
                    f"{mel['settings']['length']} events per model at the default settings (temperature "
                    f"{mel['settings']['temperature']}, top-k {mel['settings']['top_k']}), against the first "
                    f"{mel['settings']['length']} events of each test tune. Shown: {CELL_NAMES[cell]}.")
        show_table([
            {"measure": "pitch-class entropy (bits)",
             f"{CELL_NAMES[cell]} melodies": f"{gen['pitch_class_entropy']:.2f}",
             "test tunes": f"{test['pitch_class_entropy']:.2f}"},
            {"measure": "in-scale rate", f"{CELL_NAMES[cell]} melodies": f"{100 * gen['in_scale_rate']:.1f} %",
             "test tunes": f"{100 * test['in_scale_rate']:.1f} %"},
        ] + [{"measure": f"intervals: {k}", f"{CELL_NAMES[cell]} melodies": f"{100 * v:.1f} %",
              "test tunes": f"{100 * test['intervals'][k]:.1f} %"} for k, v in gen["intervals"].items()])
        st.markdown(
            f"- **Pitch-class entropy {gen['pitch_class_entropy']:.2f} vs {test['pitch_class_entropy']:.2f} bits**: "
            "how evenly a melody spreads over the 12 pitch classes (0 = one note only, 3.58 = all twelve equally); "
            "close values mean the model uses as many different notes as the real tunes.\n"
            f"- **In-scale rate {100 * gen['in_scale_rate']:.1f} % vs {100 * test['in_scale_rate']:.1f} %**: the "
            "share of notes that fit the melody's best-matching major (or relative minor) scale; folk tunes rarely "
            "leave it.\n"
            "- **Intervals**: how far consecutive notes jump; folk melodies mostly move by steps, and a model that "
            "learned the style should too."
        )
        cell_row = next((r for r in rows if r["key"] == cell), None)
        bigram_row = next((r for r in rows if r["key"] == "bigram"), None)
        if cell_row and bigram_row:
            better = cell_row["bits_per_event"] < bigram_row["bits_per_event"]
            st.caption(f"The {CELL_NAMES[cell]} {'beats' if better else 'does not beat'} the bigram (which only looks "
                       f"one event back): {cell_row['bits_per_event']:.2f} vs {bigram_row['bits_per_event']:.2f} bits "
                       "per event. Memory of more than one previous note is what the recurrent state adds.")
    else:
        missing_results_note(EVALUATION_FILE, "music")


def try_this_view() -> None:
    st.markdown(
        "- Set the temperature to 0.2, then to 1.8, with the same seed. What happens to the shading in "
        "“what the model was thinking”, and to the melody? Why does a low temperature repeat itself?\n"
        "- Switch between LSTM, GRU and Vanilla RNN with the same seed note and random seed. Which melodies keep a "
        "steady rhythm over 128 events? Compare with their bits per event in the table.\n"
        "- Lock the scale to E minor and start from C4 (not in the scale's tonic chord). Does the model still find "
        "a tune-like shape? Which step in the unrolled loop shows the first note that depends on a sampled output "
        "fed back?"
    )
    lesson_link("pages/rnn_types.py", "See all five RNN wirings on the RNN types page")


# --- the lesson: a New melody or random seed reruns only this ----------------------------------
@st.fragment
def melody_lesson(s: Settings) -> None:
    """Every screen that depends on the melody. 🎲 New melody and the random seed live inside, so pressing the button
    reruns this fragment only: the controls above, their keyboard and the page's frame are not redrawn."""
    melody_screen, thinking_screen, step_screen, quality_screen, try_this = screens([
        "The melody", "What the model was thinking", "Step by step: the unrolled loop", "How good are the models?",
        "Try this"])
    with melody_screen:
        melody, rseed = melody_view(s)
    with thinking_screen:
        thinking_view(s, melody, rseed)
    with step_screen:
        step_view(melody, CELL_NAMES[s.cell])
    with quality_screen:
        quality_view(s.cell)
    with try_this:
        try_this_view()


melody_lesson(Settings(
    cell=cell, seed_tokens=tuple(seed_tokens), seed_text=seed_text, seed_name="file" if from_file else note_label,
    length=int(length), temperature=round(min(max(float(temperature), MIN_TEMPERATURE), MAX_TEMPERATURE), 2),
    top_k=int(top_k), tempo=int(tempo), scale="" if scale_label == "Off" else scale_label))
