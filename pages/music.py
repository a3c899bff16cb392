"""Music generation: a trained LSTM, GRU or vanilla RNN turns one seed note into a melody (one-to-many)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import streamlit as st

from sequence_models.music.corpus import REST, TICKS_PER_QUARTER
from sequence_models.music.events import (NOTE_NAMES, PITCH_HI, PITCH_LO, TOKEN_PITCH, TOKEN_TICKS, parse_note_name,
                                          pitch_name, token_label)
from sequence_models.music.evaluate import load_results
from sequence_models.music.generate import (DEFAULTS, MAX_LENGTH, MAX_TEMPERATURE, MIN_LENGTH, MIN_TEMPERATURE, Melody,
                                            generate, parse_scale, seed_from_note)
from sequence_models.music.midi import MAX_UPLOAD_BYTES, seed_tokens_from_midi
from sequence_models.music.model import CELL_NAMES, load_model
from sequence_models.runtime import AssetError, use_inference_threads
from ui import heavy
from ui.inputs import markdown_literal, whole_number_input
from ui.lessons import ensure_app_navigation, lesson_link
from ui.palette import BLUE, GREEN, GREY, INK, LIGHT, ORANGE, SKY, VERMILION
from ui.presentation import controls, intro, screens

ensure_app_navigation()  # first visit after a server start: go through app.py

NOTE_LABELS = [pitch_name(p) for p in range(PITCH_LO, PITCH_HI + 1)]
MODEL_LABELS = {CELL_NAMES[c]: c for c in ("lstm", "gru", "rnn")}
SCALE_LABELS = ["Off"] + [f"{n} {m}" for m in ("major", "minor") for n in NOTE_NAMES]
KEY_LO, KEY_HI = 48, 84          # the clickable keyboard: C3 … C6
UNROLL_STEPS = 6                 # cells in the unrolled view


# --- models and results (shared by every session) ----------------------------------------

@st.cache_resource(show_spinner="Loading the melody model…")
def model_for(cell: str):
    use_inference_threads(1)
    return load_model(cell)[0]


@st.cache_data(show_spinner=False)
def evaluation() -> dict:
    return load_results()


@st.cache_data(max_entries=32, show_spinner=False)
def melody_for(cell: str, seed_tokens: tuple[int, ...], length: int, temperature: float, top_k: int, seed: int,
               scale: str) -> Melody:
    with heavy.slot():
        return generate(model_for(cell), list(seed_tokens), length, temperature, top_k, seed, parse_scale(scale), cell=cell)


@st.cache_data(max_entries=8, show_spinner=False)
def midi_and_audio(notes_key: tuple[tuple[int, float, float], ...], tempo: float) -> tuple[bytes, bytes, str]:
    """MIDI and MP3 bytes for the notes (kept in a small bounded cache, not in session state)."""
    from sequence_models.music.midi import melody_midi_bytes
    from sequence_models.music.synth import mp3_bytes, render_wav

    notes = [{"pitch": p, "start": s, "end": e} for p, s, e in notes_key]
    with heavy.slot():
        midi = melody_midi_bytes(notes, tempo)
        wav, engine = render_wav(notes, midi)
        mp3 = mp3_bytes(wav)
    return midi, mp3, engine


# --- charts --------------------------------------------------------------------------------

def keyboard_figure(selected: int) -> go.Figure:
    """A clickable piano keyboard from C3 to C6; the chosen key is orange."""
    whites = [p for p in range(KEY_LO, KEY_HI + 1) if NOTE_NAMES[p % 12][-1] != "#"]
    blacks = [p for p in range(KEY_LO, KEY_HI + 1) if NOTE_NAMES[p % 12][-1] == "#"]
    pos = {p: i for i, p in enumerate(whites)}
    fig = go.Figure()
    fig.add_bar(x=[pos[p] for p in whites], y=[1.0] * len(whites), width=0.94, customdata=whites,
                marker=dict(color=[ORANGE if p == selected else "white" for p in whites], line=dict(color=INK, width=1)),
                text=[pitch_name(p) if p % 12 == 0 or p == selected else "" for p in whites], textposition="inside",
                insidetextanchor="start", textfont=dict(size=10, color=INK),
                hovertemplate="%{text}<extra>click to choose</extra>", name="white")
    fig.add_bar(x=[pos[p - 1] + 0.5 for p in blacks], y=[0.6] * len(blacks), base=[0.4] * len(blacks), width=0.6,
                customdata=blacks, marker=dict(color=[ORANGE if p == selected else INK for p in blacks]),
                hovertext=[pitch_name(p) for p in blacks], hovertemplate="%{hovertext}<extra>click to choose</extra>",
                name="black")
    fig.update_layout(barmode="overlay", height=120, margin=dict(l=0, r=0, t=0, b=0), showlegend=False,
                      xaxis=dict(visible=False, range=[-0.6, len(whites) - 0.4], fixedrange=True),
                      yaxis=dict(visible=False, range=[0, 1.02], fixedrange=True), plot_bgcolor="white",
                      dragmode=False, clickmode="event+select")
    return fig


def piano_roll(melody: Melody, tempo: float) -> go.Figure:
    """Notes as bars on a time × pitch grid; seed notes orange, generated blue; hover shows the probability."""
    beat = 60.0 / tempo
    notes = melody.notes(tempo)
    fig = go.Figure()
    for is_seed, color, name in ((True, ORANGE, "seed (given)"), (False, BLUE, "generated")):
        sel = [n for n in notes if (n["index"] < melody.n_seed) == is_seed]
        if not sel:
            continue
        fig.add_bar(
            base=[n["start"] / beat for n in sel], x=[(n["end"] - n["start"]) / beat for n in sel],
            y=[n["pitch"] for n in sel], orientation="h", width=0.8, name=name,
            marker=dict(color=color, line=dict(color=INK if is_seed else color, width=1.5 if is_seed else 0)),
            customdata=[[n["index"] + 1, pitch_name(n["pitch"]), melody.steps[n["index"]].prob] for n in sel],
            hovertemplate="step %{customdata[0]}: %{customdata[1]}, beat %{base:.2f}, %{x:.2f} beats"
                          "<br>p(sampled) = %{customdata[2]:.2f}<extra>" + name + "</extra>")
    if notes and melody.n_seed:
        first = notes[0]
        fig.add_annotation(x=first["start"] / beat, y=first["pitch"], text="seed", showarrow=True, arrowhead=2,
                           ax=-10, ay=-30, font=dict(color=ORANGE, size=13), arrowcolor=ORANGE)
    pitches = [n["pitch"] for n in notes] or [60]
    lo, hi = min(pitches) - 2, max(pitches) + 2
    ticks = [p for p in range(lo, hi + 1) if p % 12 in (0, 4, 7)]
    fig.update_layout(height=340, margin=dict(l=5, r=5, t=30, b=5), barmode="overlay", plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.1, x=0), xaxis=dict(title="beat", gridcolor=LIGHT),
                      yaxis=dict(title="pitch", tickvals=ticks, ticktext=[pitch_name(p) for p in ticks],
                                 range=[lo - 0.5, hi + 0.5], gridcolor=LIGHT))
    return fig


def thinking_heatmap(melody: Melody) -> go.Figure:
    """Per step: probability of each pitch (durations summed) as colour; the sampled pitch as a dot."""
    steps = melody.steps
    used = [PITCH_LO + i - 1 for i in range(1, len(steps[0].pitch_probs))
            if any(s.pitch_probs[i] > 0.005 for s in steps)] or [60]
    lo, hi = min(used), max(used)
    rows = list(range(lo, hi + 1))
    z = [[s.pitch_probs[p - PITCH_LO + 1] for s in steps] for p in rows]
    xs = [s.t for s in steps]
    fig = go.Figure(go.Heatmap(z=z, x=xs, y=rows, colorscale="Blues", zmin=0,
                               colorbar=dict(title="p", thickness=10),
                               hovertemplate="step %{x}: P(next pitch = %{customdata}) = %{z:.3f}<extra></extra>",
                               customdata=[[pitch_name(p)] * len(xs) for p in rows]))
    sampled = [(s.t, int(TOKEN_PITCH[s.token]), s.forced) for s in steps if TOKEN_PITCH[s.token] != REST]
    for forced, color, name in ((False, ORANGE, "sampled"), (True, VERMILION, "seed (forced)")):
        pts = [(t, p) for t, p, f in sampled if f == forced]
        if pts:
            fig.add_scatter(x=[t for t, _ in pts], y=[p for _, p in pts], mode="markers", name=name,
                            marker=dict(color=color, size=7, symbol="circle", line=dict(color=INK, width=1)),
                            hovertemplate="step %{x}: " + name + " %{y}<extra></extra>")
    ticks = [p for p in rows if p % 12 in (0, 4, 7)]
    fig.update_layout(height=320, margin=dict(l=5, r=5, t=10, b=5), legend=dict(orientation="h", y=1.08, x=0),
                      xaxis=dict(title="step t (the event the model is choosing)"),
                      yaxis=dict(title="next pitch", tickvals=ticks, ticktext=[pitch_name(p) for p in ticks]))
    return fig


def step_bars(melody: Melody, t: int) -> go.Figure:
    s = melody.steps[t - 1]
    labels = [token_label(k) for k in s.top_tokens]
    colors = [ORANGE if k == s.token else BLUE for k in s.top_tokens]
    fig = go.Figure(go.Bar(x=labels, y=s.top_probs, marker_color=colors, text=[f"{p:.2f}" for p in s.top_probs],
                           textposition="outside", hovertemplate="P(next = %{x}) = %{y:.3f}<extra></extra>"))
    fig.update_layout(height=250, margin=dict(l=5, r=5, t=10, b=5), plot_bgcolor="white",
                      yaxis=dict(title="probability", range=[0, max(s.top_probs) * 1.2 + 0.03]),
                      xaxis=dict(title="next event (pitch and length in beats)", type="category"))
    return fig


def unrolled_loop(melody: Melody, start: int, cell_name: str) -> go.Figure:
    """``UNROLL_STEPS`` cells from step ``start``: x<t> → cell → ŷ<t> → sample y<t> → x<t+1>."""
    fig = go.Figure()
    gap = 1.9
    end = min(len(melody.steps), start + UNROLL_STEPS - 1)
    for i, t in enumerate(range(start, end + 1)):
        s = melody.steps[t - 1]
        cx = i * gap
        def box(y0, y1, fill, line, text, size=11, hw=0.55):
            fig.add_shape(type="rect", x0=cx - hw, x1=cx + hw, y0=y0, y1=y1, fillcolor=fill,
                          line=dict(color=line, width=1.5))
            fig.add_annotation(x=cx, y=(y0 + y1) / 2, text=text, showarrow=False, font=dict(size=size, color=INK))
        x_text = html.escape(token_label(s.input_token))
        box(-1.9, -1.3, "white", GREY, f"x<sup>⟨{t}⟩</sup><br>{x_text}")
        box(-0.45, 0.45, LIGHT, BLUE, f"<b>{html.escape(cell_name)}</b><br>a<sup>⟨{t}⟩</sup>")
        top3 = "<br>".join(f"{html.escape(token_label(k))}: {p:.2f}" for k, p in zip(s.top_tokens[:3], s.top_probs[:3]))
        box(1.15, 2.25, "white", SKY, f"ŷ<sup>⟨{t}⟩</sup><br>{top3}", size=10, hw=0.75)
        pick = "seed (forced)" if s.forced else f"sampled p={s.prob:.2f}"
        box(2.65, 3.25, "#FFF4DC" if not s.forced else "#FBE3D6", ORANGE if not s.forced else VERMILION,
            f"y<sup>⟨{t}⟩</sup> = {html.escape(token_label(s.token))}<br><span style='font-size:9px'>{pick}</span>")
        arrows = [(cx, -1.3, cx, -0.45), (cx, 0.45, cx, 1.15), (cx, 2.25, cx, 2.65)]
        if i > 0:
            arrows.append((cx - gap + 0.55, 0, cx - 0.55, 0))
        for x0, y0, x1, y1 in arrows:
            fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                               showarrow=True, arrowhead=2, arrowwidth=1.4, arrowcolor=INK)
        if t < end:  # the feedback: y<t> becomes x<t+1>
            nx = cx + gap
            fig.add_shape(type="path", path=f"M {cx + 0.45},{3.0} C {cx + 1.3},{3.0} {nx - 1.1},{-1.6} {nx - 0.55},{-1.6}",
                          line=dict(color=GREEN, width=1.8, dash="dash"))
    fig.add_annotation(x=-0.9, y=0, text="a<sup>⟨0⟩</sup>=0" if start == 1 else f"a<sup>⟨{start - 1}⟩</sup>",
                       showarrow=False, font=dict(size=10, color=GREY))
    fig.update_layout(height=360, margin=dict(l=5, r=5, t=5, b=5), plot_bgcolor="white", showlegend=False,
                      xaxis=dict(visible=False, range=[-1.2, (end - start) * gap + 1.0], fixedrange=True),
                      yaxis=dict(visible=False, range=[-2.1, 3.45], fixedrange=True))
    return fig


# --- the page ------------------------------------------------------------------------------

def pick_key() -> None:
    """Keyboard click → the seed note selectbox (runs before the rerun)."""
    try:
        points = st.session_state["mkeys"]["selection"]["points"]
    except (KeyError, TypeError):
        points = []
    if points:
        pt = points[0]
        pitch = pt.get("customdata")
        if isinstance(pitch, list):
            pitch = pitch[0] if pitch else None
        if isinstance(pitch, (int, float)) and KEY_LO <= int(pitch) <= KEY_HI:
            st.session_state["mnote"] = pitch_name(int(pitch))


def new_seed() -> None:
    st.session_state["mseed"] = (int(st.session_state.get("mseed", DEFAULTS["seed"])) * 7919 + 104729) % 100_000


def intro_text(cell_name: str) -> str:
    """The body of the "What you will see." paragraph, naming the network the reader selected."""
    return (
        f"A one-to-many recurrent network at work. You give a 2-layer {cell_name} a single "
        r"note $x^{\langle 1 \rangle}$; it outputs a probability for every possible next note, one is sampled, "
        r"and that sample is fed back as the next input $x^{\langle t+1 \rangle} = y^{\langle t \rangle}$, "
        "again and again, until the melody is as long as you asked. The model learned from about 3,000 Irish and "
        "American folk tunes (O'Neill's 1850 collection and Ryan's Mammoth Collection). Below the piano roll you "
        "can see what it was \u201cthinking\u201d at each step, and the unrolled loop itself."
    )


st.title("🎵 Music generation: one note in, a melody out")
intro_slot = st.empty()  # filled once the Model control below says which network this is

results_problem = ""
try:
    results = evaluation()
except AssetError as exc:
    results = None
    results_problem = f"The evaluation table is unavailable: {exc}"

melody_screen, thinking_screen, step_screen, quality_screen, try_this = screens([
    "The seed and the melody", "What the model was thinking", "Step by step: the unrolled loop",
    "How good are the models?", "Try this"])

# --- controls --------------------------------------------------------------------------------
with melody_screen, controls("Seed note, model and sampling"):
    left, right = st.columns([5, 4], gap="large")
    with left:
        st.markdown("##### The seed: the first input")
        source = st.segmented_control("Seed from", ["A note", "A MIDI file"], default="A note", key="msrc")
        seed_tokens: list[int] | None = None
        seed_text = ""
        if source == "A MIDI file":
            upload = st.file_uploader("Upload a short MIDI file; its first notes (up to 8) become the seed",
                                      type=["mid", "midi"], key="mupload", max_upload_size=1)
            if upload is None:
                st.info("No file yet: the seed note below is used until you upload one.")
            elif upload.size > MAX_UPLOAD_BYTES:
                st.error(f"That file is {upload.size / 1000:.0f} kB; please upload a short MIDI file "
                         f"(at most {MAX_UPLOAD_BYTES // 1000} kB). Using the seed note instead.")
            else:
                try:
                    seed_tokens = seed_tokens_from_midi(upload.getvalue())
                    if not seed_tokens:
                        raise ValueError("The MIDI file holds no notes.")
                    seed_text = "the first notes of your file: " + ", ".join(token_label(t) for t in seed_tokens)
                except ValueError as exc:
                    seed_tokens = None
                    st.error(f"Could not use “{markdown_literal(upload.name, 60)}”: {exc} Using the seed note "
                             "instead.")
        note_label = st.selectbox("Seed note (name and octave; C4 is middle C)", NOTE_LABELS, key="mnote",
                                  index=NOTE_LABELS.index("C4"), bind="query-params")
        st.plotly_chart(keyboard_figure(parse_note_name(note_label)), key="mkeys", on_select=pick_key,
                        selection_mode="points", config={"displayModeBar": False}, width="stretch")
        st.caption("Click a key to choose the seed note (C3 to C6), or pick any note from C3 to C7 above.")

    with right:
        st.markdown("##### How to sample")
        model_label = st.segmented_control("Model", list(MODEL_LABELS), default="LSTM", key="mnet",
                                           bind="query-params")
        cell = MODEL_LABELS.get(model_label or "LSTM", "lstm")
        length = st.slider("Length (events: notes and rests)", MIN_LENGTH, MAX_LENGTH, DEFAULTS["length"],
                           key="mlen", bind="query-params")
        temperature = st.slider("Temperature (low = safe and repetitive, high = adventurous)", MIN_TEMPERATURE,
                                MAX_TEMPERATURE, DEFAULTS["temperature"], step=0.05, key="mtemp", bind="query-params")
        c1, c2 = st.columns(2)
        top_k = c1.slider("Top-k (0 = no cut)", 0, 60, DEFAULTS["top_k"], key="mtopk", bind="query-params")
        tempo = c2.slider("Tempo (beats per minute)", 60, 200, DEFAULTS["tempo"], step=5, key="mbpm",
                          bind="query-params")
        rseed = whole_number_input("Random seed (same seed → same melody)", 0, 99_999, DEFAULTS["seed"],
                                   key="mseed")
        scale_label = st.selectbox("Key / scale lock (only notes of this scale may be sampled)", SCALE_LABELS,
                                   key="mscale", bind="query-params")
with intro_slot.container():
    intro(intro_text(CELL_NAMES[cell]))

# --- generate ----------------------------------------------------------------------------------
try:
    model = model_for(cell)
except AssetError as exc:
    st.error(f"The {CELL_NAMES[cell]} melody model cannot be loaded: {exc}")
    st.stop()

if seed_tokens is None:
    seed_tokens = seed_from_note(model, parse_note_name(note_label))
    beats = TOKEN_TICKS[seed_tokens[0]] / TICKS_PER_QUARTER
    seed_text = f"the note {note_label} ({beats:g} beat{'s' if beats != 1 else ''} long: the model chose the length)"
temperature = min(max(float(temperature), MIN_TEMPERATURE), MAX_TEMPERATURE)
with heavy.job("melody generation"):
    melody = melody_for(cell, tuple(seed_tokens), int(length), round(temperature, 2), int(top_k), int(rseed),
                        "" if scale_label == "Off" else scale_label)
    notes = melody.notes(tempo)
    midi, mp3, engine = midi_and_audio(tuple((n["pitch"], n["start"], n["end"]) for n in notes), float(tempo))

with melody_screen:
    a1, a2, a3 = st.columns([5, 2, 2], vertical_alignment="center")
    with a1:
        st.audio(mp3, format="audio/mpeg")
    with a2:
        st.download_button("⬇️ MIDI file", midi, file_name=f"unrolled-{cell}-{note_label}-seed{rseed}.mid",
                           mime="audio/midi", width="stretch")
    with a3:
        st.button("🎲 New melody", on_click=new_seed, width="stretch",
                  help="A new random seed: the same settings, another melody.")
    st.plotly_chart(piano_roll(melody, tempo), key="mroll", width="stretch", config={"displayModeBar": False})
    st.markdown(f"The {CELL_NAMES[cell]} started from {html.escape(seed_text)} and generated "
                f"{len(melody.tokens) - melody.n_seed} more events: {len(notes)} notes in all, "
                f"{notes[-1]['end']:.1f} seconds at {tempo} beats per minute.")
    st.caption("Audio rendered on the server with "
               + ("FluidSynth and a General MIDI piano soundfont." if engine == "fluidsynth" else
                  "a small numpy synthesiser (decaying harmonics with an attack–decay–release envelope).")
               + " The MIDI file opens in MuseScore, GarageBand or any other music program.")

# --- what the model was thinking ------------------------------------------------------------
with thinking_screen:
    mean_h = melody.mean_entropy()
    st.markdown(
        "Each column is one step. The shading is the probability the model gave to each next pitch, after your "
        "temperature, top-k and scale lock; the orange dot is the note that was actually sampled. "
        f"Mean uncertainty over the sampled steps: **{mean_h:.2f} bits** (about {2 ** mean_h:.1f} equally likely "
        "choices). Raise the temperature and watch the columns spread out."
    )
    st.plotly_chart(thinking_heatmap(melody), key="mthink", width="stretch", config={"displayModeBar": False})

# --- one step, and the unrolled loop ----------------------------------------------------------
with step_screen:
    n_steps = len(melody.steps)
    st.session_state["mstep"] = min(max(int(st.session_state.get("mstep", melody.n_seed + 1)), 1), n_steps)
    t_sel = st.slider("Look at step t", 1, n_steps, key="mstep", bind="query-params")
    st.markdown("**The unrolled one-to-many loop.** The same cell (same weights) is applied at every step; the "
                "hidden state a⟨t⟩ flows to the right and each sampled output y⟨t⟩ (dashed green) becomes the next "
                f"input x⟨t+1⟩. Showing steps {t_sel}–{min(n_steps, t_sel + UNROLL_STEPS - 1)}; move the step "
                "slider to walk along the melody.")
    st.plotly_chart(unrolled_loop(melody, t_sel, CELL_NAMES[cell]), key="munroll", width="stretch",
                    config={"displayModeBar": False})

    s_sel = melody.steps[t_sel - 1]
    b1, b2 = st.columns([3, 2], gap="large")
    with b1:
        st.plotly_chart(step_bars(melody, t_sel), key="mbars", width="stretch", config={"displayModeBar": False})
    with b2:
        how = ("It was **not sampled**: the seed is given, so it is forced in; the bars show what the model would "
               "have expected." if s_sel.forced else
               f"The sampled event **{html.escape(token_label(s_sel.token))}** had probability {s_sel.prob:.2f}.")
        fed = " (the start token: nothing played yet)" if t_sel == 1 else " (the previous output, fed back)"
        st.markdown(f"**Step {t_sel}.** Input x⟨{t_sel}⟩ = {html.escape(token_label(s_sel.input_token))}{fed}. "
                    f"The top {len(s_sel.top_tokens)} candidates for y⟨{t_sel}⟩ are on the left. {how} "
                    f"Entropy of this step's distribution: {s_sel.entropy_bits:.2f} bits.")

# --- evaluation ------------------------------------------------------------------------------
with quality_screen:
    if results:
        counts = results["split_counts"]
        st.markdown(
            f"Measured by `python -m sequence_models evaluate music` on the **test split**: "
            f"{counts['test']['tunes']} tunes ({counts['test']['notes']:,} notes) that no model saw in training "
            f"(training used {counts['train']['tunes']:,} tunes, {counts['train']['notes']:,} notes). "
            "Each model predicts every next event of every test tune from the events before it."
        )
        rows = results["next_event"]
        st.dataframe(
            [{"model": r["name"], "bits per event ↓": round(r["bits_per_event"], 3), "next-event accuracy ↑":
              f"{100 * r['accuracy']:.1f} %", "kind": "trained network" if r["kind"] == "model" else "count baseline"}
             for r in rows], hide_index=True, width="stretch")
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
        st.dataframe([
            {"measure": "pitch-class entropy (bits)",
             f"{CELL_NAMES[cell]} melodies": f"{gen['pitch_class_entropy']:.2f}",
             "test tunes": f"{test['pitch_class_entropy']:.2f}"},
            {"measure": "in-scale rate", f"{CELL_NAMES[cell]} melodies": f"{100 * gen['in_scale_rate']:.1f} %",
             "test tunes": f"{100 * test['in_scale_rate']:.1f} %"},
        ] + [{"measure": f"intervals: {k}", f"{CELL_NAMES[cell]} melodies": f"{100 * v:.1f} %",
              "test tunes": f"{100 * test['intervals'][k]:.1f} %"} for k, v in gen["intervals"].items()],
            hide_index=True, width="stretch")
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
        if results_problem:
            st.warning(results_problem)
        st.info("No stored evaluation yet: run `python -m sequence_models evaluate music` to fill this section.")

try_this.markdown(
    "- Set the temperature to 0.2, then to 1.8, with the same seed. What happens to the shading in "
    "“what the model was thinking”, and to the melody? Why does a low temperature repeat itself?\n"
    "- Switch between LSTM, GRU and Vanilla RNN with the same seed note and random seed. Which melodies keep a "
    "steady rhythm over 128 events? Compare with their bits per event in the table.\n"
    "- Lock the scale to E minor and start from C4 (not in the scale's tonic chord). Does the model still find "
    "a tune-like shape? Which step in the unrolled loop shows the first note that depends on a fed-back output?"
)
with try_this:
    lesson_link("pages/rnn_types.py", "See all five RNN wirings on the RNN types page")
