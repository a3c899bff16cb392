"""RNN types: one small, real RNN wired as each of the course's five architectures."""

import streamlit as st

from ui.charts import CHART
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.rnn_types_figures import output_bars, weight_heatmap
from ui.svg import show_svg
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("RNN types")

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title is already
# on screen (the intro below needs the trained toy model).
from sequence_models.rnn_types import (ARCHITECTURES, MAX_STEPS, START, VOCAB, Architecture, Step,  # noqa: E402
                                       run_architecture, steps_csv, train_toy_rnn)
from ui.rnn_diagram import unrolled_figure  # noqa: E402

# The type control shows (and puts in the URL) plain-ASCII names: ?rt_type=Many-to-many
LABELS = {a.name.replace("–", "-"): a.key for a in ARCHITECTURES.values()}
PLAY_SECONDS = 1.0  # one step per tick while ▶ Play is on
TOY_SEED, TOY_STEPS = 0, 300  # how the toy RNN is trained (Adam steps on "hello " repeated)
CHECK_TX = 5  # the many-to-one checkpoint's input length


@st.cache_resource(show_spinner="Training the toy RNN on “hello ”…")
def toy_model():
    """The trained toy RNN, shared by every session."""
    return train_toy_rnn(seed=TOY_SEED, steps=TOY_STEPS)


def vec(values: list[float]) -> str:
    """A column vector in LaTeX."""
    return r"\begin{pmatrix}" + r"\\".join(f"{v:+.2f}" for v in values) + r"\end{pmatrix}"


def show_char(c: str | None) -> str:
    return "␣" if c == " " else (c or "")


def sup(name: str, t: int | str) -> str:
    """Inline LaTeX for the course's notation, e.g. ``a^{<3>}``."""
    return rf"${name}^{{\langle {t} \rangle}}$"


def input_source(step: Step) -> str:
    if step.x_is_start:
        return (f"the **start symbol** (real decoders read a special ⟨start⟩ token; this toy's {len(VOCAB)}-character "
                "vocabulary has none, so the space, which begins every word it was trained on, plays that role)")
    if step.x_from_feedback:
        y_prev = sup(r"\hat y", step.t - 1)
        return f"the previous output {y_prev}, fed back"
    return "the input sequence"


def step_numbers(step: Step, fed_back: bool, one_to_one: bool, last_encoder: bool) -> None:
    """The equations of one step with this step's real numbers filled in."""
    t = step.t
    state = ", ".join(f"{v:+.2f}" for v in step.a_prev)
    if one_to_one:
        came_in = (f"There is no previous state: {sup('a', 0)} = ({state}), so the $W_{{aa}}$ term is zero and "
                   "this is an ordinary one-layer network.")
    else:
        came_in = (f"{sup('a', t - 1)} = ({state}) comes in from "
                   f"{'the left (the initial state is all zeros)' if t == 1 else 'the previous cell'}.")
    st.markdown(f"**Step {t}.** Input {sup('x', t)} = one-hot(“{show_char(step.x_char)}”) from "
                f"{input_source(step)}. {came_in}")
    b_a = [z - w - x for z, w, x in zip(step.z, step.Waa_a, step.Wax_x)]
    st.latex(
        rf"a^{{\langle {t} \rangle}} = \tanh\Big("
        rf"\underbrace{{{vec(step.Waa_a)}}}_{{W_{{aa}}\,a^{{\langle {t - 1} \rangle}}}} + "
        rf"\underbrace{{{vec(step.Wax_x)}}}_{{W_{{ax}}\,x^{{\langle {t} \rangle}}}} + "
        rf"\underbrace{{{vec(b_a)}}}_{{b_a}}\Big)"
        rf" = \tanh{vec(step.z)} = {vec(step.a)}"
    )
    if step.y_hat is None:
        if step.role == "encoder":
            why = (f"The encoder only reads. Its final state {sup('a', t)} is handed to the decoder, whose first "
                   "input is the start symbol ␣." if last_encoder else
                   "The encoder only reads and passes its state on.")
        else:
            why = "This architecture emits only after the whole input is read."
        st.markdown(f"**No output at step {t}.** {why}")
        return
    left, right = st.columns([2, 3], gap="large", vertical_alignment="center")
    with left:
        st.latex(rf"\hat y^{{\langle {t} \rangle}} = \mathrm{{softmax}}(W_{{ya}}\,a^{{\langle {t} \rangle}} + b_y)")
        st.markdown(f"Most likely next character: **“{show_char(step.y_char)}”** (p = {max(step.y_hat):.2f})."
                    + (" It is fed back as the next step's input." if fed_back else ""))
    with right:
        st.plotly_chart(output_bars([show_char(c) for c in VOCAB], step.y_hat, show_char(step.y_char)),
                        width="stretch", key="rt_yhat_bar", config=CHART)


def length_slider(label: str, key: str, bounds: tuple[int, int], held: int, fixed: int | None,
                  arch: Architecture) -> int:
    """A length slider bound to ``?key=`` and set to ``held`` (already inside ``bounds``), or, when ``arch``
    fixes the length at ``fixed``, a greyed-out slider that shows it."""
    if fixed is not None:
        return st.slider(label, 1, MAX_STEPS, fixed, disabled=True, help=f"Fixed for {arch.name}: {arch.shape}.")
    st.session_state[key] = held
    return st.slider(label, bounds[0], bounds[1], key=key, bind="query-params", disabled=locked(key))


def weights_view(weights: dict) -> None:
    hidden = [f"a{i + 1}" for i in range(len(weights["W_aa"]))]
    chars = list(map(show_char, VOCAB))
    views = (("W_ax", "W_ax: input → hidden", chars, hidden), ("W_aa", "W_aa: hidden → hidden", hidden, hidden),
             ("W_ya", "W_ya: hidden → output", hidden, chars))
    for col, (name, title, xs, ys) in zip(st.columns(3), views):
        col.plotly_chart(weight_heatmap(name, title, weights[name], xs, ys), width="stretch", key=f"rt_w_{name}",
                         config=CHART)


model = toy_model()
intro(
    r"One recurrent cell, $a^{\langle t \rangle} = \tanh(W_{aa} a^{\langle t-1 \rangle} + "
    r"W_{ax} x^{\langle t \rangle} + b_a)$ with output $\hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya} "
    rf"a^{{\langle t \rangle}} + b_y)$, wired {len(ARCHITECTURES)} ways. The cell is a real, tiny RNN "
    f"({model.cell.hidden_size} hidden units) that has just been trained to predict the next character of "
    "“hello ”, so every number below is computed "
    r"now. The same weights $W_{ax}$, $W_{aa}$, $W_{ya}$ are used at every time step: that is what *unrolling* means."
)

side_by_side, one_at_a_time, try_this = screens([f"The {len(ARCHITECTURES)} types side by side", "One at a time",
                                                  "Try this"])
with side_by_side:
    # Thumbnails with at most four cells, three to a row, so their letters stay readable.
    thumb_lengths = {"one_to_many": (1, 3), "many_to_one": (3, 1), "many_to_many": (3, 3), "encoder_decoder": (2, 2)}
    archs = list(ARCHITECTURES.values())
    for row in (archs[:3], archs[3:]):
        for col, arch in zip(st.columns(3), row):
            with col.container(border=True):
                tx, ty = arch.clamp(*thumb_lengths.get(arch.key, (1, 1)))
                st.markdown(f"**{arch.name}** ({arch.shape})")
                show_svg(unrolled_figure(run_architecture(model, arch.key, tx, ty), compact=True), width=400,
                         min_width=220, label=f"{arch.name}, unrolled")
                st.caption(arch.example)
                if arch.page:
                    lesson_link(arch.page, label="See it for real")

    run5 = run_architecture(model, "many_to_one", CHECK_TX, 1)   # the answer and the chart read the same run

    def many_to_one_answer() -> Answer:
        outputs = [s for s in run5.steps if s.y_hat is not None]
        last = outputs[-1]
        return Answer(correct=str(len(outputs)),
                      why=f"The toy model just read all {run5.tx} characters “{run5.input_text}” and produced "
                          f"{len(outputs)} output: ŷ⟨{last.t}⟩, most likely “{show_char(last.y_char)}” "
                          f"(p = {max(last.y_hat):.2f}). Steps 1–{last.t - 1} only update the hidden state.")

    if checkpoint("rt_cp_many_to_one", f"With Tx = {CHECK_TX} in **many-to-one**, how many outputs does the "
                  "network produce?", ["0", "1", str(CHECK_TX - 1), str(CHECK_TX)], many_to_one_answer):
        show_svg(unrolled_figure(run5), width=900, min_width=600,
                 label=f"Many-to-one unrolled over Tx = {CHECK_TX}: the checkpoint answer")

one_at_a_time.caption("The view below is saved in the page's address: copy the URL to share exactly this view.")
with one_at_a_time, controls("RNN type and lengths"):
    # Widgets are bound to the URL query string (?rt_type=…&rt_tx=…&rt_ty=…&rt_step=…); Streamlit drops
    # values that are not valid options, so odd URLs open the defaults.
    label = st.segmented_control("RNN type", list(LABELS), default="Many-to-many", required=True,
                                 key="rt_type", bind="query-params", disabled=locked("rt_type"))
    arch = ARCHITECTURES[LABELS.get(label or "", "many_to_many")]  # an empty ?rt_type= clears the control

    # Keep bound values inside this type's rules before the sliders are drawn.
    tx_default, ty_default = arch.default_lengths()
    tx_now, ty_now = arch.clamp(st.session_state.get("rt_tx", tx_default), st.session_state.get("rt_ty", ty_default))
    c1, c2, c3 = st.columns(3)
    with c1:
        fixed_tx = arch.tx_range[0] if arch.tx_range[0] == arch.tx_range[1] else None
        tx = length_slider("Input length Tx", "rt_tx", arch.tx_range, tx_now, fixed_tx, arch)
    with c2:
        fixed_ty = tx if arch.tied else arch.ty_range[0] if arch.ty_range[0] == arch.ty_range[1] else None
        ty = length_slider("Output length Ty", "rt_ty", arch.ty_range, ty_now, fixed_ty, arch)
    with c3:
        seed_char = "h"
        if arch.key in ("one_to_one", "one_to_many"):
            seed_char = st.selectbox("First input x<1>", VOCAB, format_func=show_char, key="rt_seed",
                                     bind="query-params", disabled=locked("rt_seed"))
one_at_a_time.markdown(f"**{arch.name}** ({arch.shape}). {arch.example}.")

run = run_architecture(model, arch.key, tx, ty, seed_char)
if arch.key == "encoder_decoder":
    with one_at_a_time:
        st.markdown(
            f"The encoder reads the {run.tx} input characters and produces no output; its last state is handed to "
            f"the decoder, whose first input is a start symbol (drawn in a purple box: the space “{show_char(START)}”"
            ", since this toy has no ⟨start⟩ token) and whose later inputs are its own previous outputs (dashed "
            "arrows). **This toy uses one set of weights for both halves**: the same cell reads, then writes. "
            "Real encoder–decoders, like the translation model, train two networks with separate weights, one "
            "to encode and one to decode.")
        lesson_link("pages/translation.py", label="A real encoder–decoder: the Translation page")
    if run.tx == run.ty:
        one_at_a_time.info("Tx = Ty here. An encoder–decoder allows this, but it exists for when the lengths differ: "
                           "move one slider to see the decoder run for a different number of steps.")

n_steps = len(run.steps)
play_on = bool(st.session_state.get("rt_play")) and n_steps > 1 and not locked("rt_step")
# A fragment's run_every is read only when the whole page runs: remember what it was set from, so the
# fragment can ask for a full rerun when the Play toggle (inside it) changes.
st.session_state["_rt_play_armed"] = play_on


@st.fragment(run_every=PLAY_SECONDS if play_on else None)
def stepper() -> None:
    """Scrubber, diagram and numbers; reruns on its own (one step a tick) while playing."""
    playing = bool(st.session_state.get("rt_play")) and n_steps > 1 and not locked("rt_step")
    if playing != st.session_state.get("_rt_play_armed"):
        st.rerun()  # the whole page: starts (or stops) the fragment's timer
    if n_steps == 1:
        step_no = 1
        st.caption("A single step: there is nothing to scrub through.")
    else:
        current = min(max(int(st.session_state.get("rt_step", 1)), 1), n_steps)
        if playing:
            current = current % n_steps + 1
        st.session_state["rt_step"] = current
        s1, s2 = st.columns([5, 1], vertical_alignment="bottom")
        with s1:
            step_no = st.slider("Time step t", 1, n_steps, key="rt_step", bind="query-params",
                                disabled=locked("rt_step"))
        with s2:
            st.toggle("▶ Play", key="rt_play", disabled=locked("rt_step"),
                      help=f"Advance one step every {PLAY_SECONDS:g} s, looping back to step 1 after the last.")
    show_svg(unrolled_figure(run, active=step_no), width=900, min_width=600,
             label=f"The unrolled network, step {step_no} highlighted")
    shown_out = run.output_text.replace(" ", "␣") or "—"
    st.markdown(f"Input **{run.input_text.replace(' ', '␣')}** → output **{shown_out}**. "
                "Point at a cell for its hidden state.")
    step = run.steps[step_no - 1]
    fed_back = step_no < n_steps and run.steps[step_no].x_from_feedback
    last_encoder = step.role == "encoder" and (step_no == n_steps or run.steps[step_no].role != "encoder")
    step_numbers(step, fed_back, arch.key == "one_to_one", last_encoder)


with one_at_a_time:
    stepper()
    st.download_button("⬇️ Every step's numbers (CSV)", steps_csv(run), key="rt_csv", mime="text/csv",
                       file_name=f"rnn-{arch.key}-tx{run.tx}-ty{run.ty}.csv",
                       help="One row per time step: input, hidden state before and after, output probabilities.")
    with st.expander("The shared weights (the same at every step)"):
        weights_view(run.weights)
        st.caption(f"b_a = ({', '.join(f'{v:+.2f}' for v in run.weights['b_a'])}), "
                   f"b_y = ({', '.join(f'{v:+.2f}' for v in run.weights['b_y'])}). Trained with Adam for {TOY_STEPS} "
                   f"steps, seed {TOY_SEED}.")

try_this.markdown(
    "- In **many-to-many**, step to the two *l*s of “hello”. The input is the same letter both times; why does the "
    "cell predict *l* after the first and *o* after the second? (Compare the incoming hidden state.)\n"
    "- Switch to **one-to-many** and start from *e* instead of *h*: what does the generated text settle into?\n"
    "- In **encoder–decoder**, set Tx = 3 and then Tx = 4 with the same Ty. The decoder's first input is the start "
    "symbol ␣ both times, yet its first output changes: where does the difference come from?"
)
