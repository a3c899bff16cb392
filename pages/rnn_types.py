"""RNN types: one small, real RNN wired as each of the course's five architectures."""

import plotly.graph_objects as go
import streamlit as st

from sequence_models.rnn_types import ARCHITECTURES, MAX_STEPS, VOCAB, Step, run_architecture, train_toy_rnn
from ui.lessons import ensure_app_navigation, lesson_link
from ui.palette import BLUE, ORANGE
from ui.presentation import controls, intro, screens
from ui.rnn_diagram import unrolled_figure

ensure_app_navigation()  # first visit after a server start: go through app.py

# The type control shows (and puts in the URL) plain-ASCII names: ?type=Many-to-many
LABELS = {a.name.replace("–", "-"): a.key for a in ARCHITECTURES.values()}


@st.cache_resource(show_spinner="Training the toy RNN on “hello ” (under a second)…")
def toy_model():
    """The trained toy RNN, shared by every session."""
    return train_toy_rnn(seed=0)


def vec(values: list[float]) -> str:
    """A column vector in LaTeX."""
    return r"\begin{pmatrix}" + r"\\".join(f"{v:+.2f}" for v in values) + r"\end{pmatrix}"


def show_char(c: str | None) -> str:
    return "␣" if c == " " else (c or "")


def sup(name: str, t: int | str) -> str:
    """Inline LaTeX for the course's notation, e.g. ``a^{<3>}``."""
    return rf"${name}^{{\langle {t} \rangle}}$"


def step_numbers(step: Step, fed_back: bool) -> None:
    """The equations of one step with this step's real numbers filled in."""
    t = step.t
    y_prev = sup(r"\hat y", t - 1)
    source = f"the previous output {y_prev}, fed back" if step.x_from_feedback else "the input sequence"
    st.markdown(f"**Step {t}.** Input {sup('x', t)} = one-hot(“{show_char(step.x_char)}”) from {source}; "
                f"{sup('a', t - 1)} = ({', '.join(f'{v:+.2f}' for v in step.a_prev)}) comes in from "
                f"{'the left (the initial state is all zeros)' if t == 1 else 'the previous cell'}.")
    b_a = [z - w - x for z, w, x in zip(step.z, step.Waa_a, step.Wax_x)]
    st.latex(
        rf"a^{{\langle {t} \rangle}} = \tanh\Big("
        rf"\underbrace{{{vec(step.Waa_a)}}}_{{W_{{aa}}\,a^{{\langle {t - 1} \rangle}}}} + "
        rf"\underbrace{{{vec(step.Wax_x)}}}_{{W_{{ax}}\,x^{{\langle {t} \rangle}}}} + "
        rf"\underbrace{{{vec(b_a)}}}_{{b_a}}\Big)"
        rf" = \tanh{vec(step.z)} = {vec(step.a)}"
    )
    if step.y_hat is None:
        st.markdown(f"**No output at step {t}.** "
                    + ("The encoder only reads; its final state is handed to the decoder."
                       if step.role == "encoder" else
                       "This architecture emits only after the whole input is read."))
        return
    left, right = st.columns([2, 3], gap="large", vertical_alignment="center")
    with left:
        st.latex(rf"\hat y^{{\langle {t} \rangle}} = \mathrm{{softmax}}(W_{{ya}}\,a^{{\langle {t} \rangle}} + b_y)")
        st.markdown(f"Most likely next character: **“{show_char(step.y_char)}”** (p = {max(step.y_hat):.2f})."
                    + (" It is fed back as the next step's input." if fed_back else ""))
    with right:
        colors = [ORANGE if c == step.y_char else BLUE for c in VOCAB]
        fig = go.Figure(go.Bar(x=[show_char(c) for c in VOCAB], y=step.y_hat, marker_color=colors,
                               text=[f"{p:.2f}" for p in step.y_hat], textposition="outside",
                               hovertemplate="P(next = %{x}) = %{y:.3f}<extra></extra>"))
        fig.update_layout(height=220, margin=dict(l=5, r=5, t=10, b=5), yaxis=dict(range=[0, 1.15], title="probability"),
                          xaxis_title="next character", plot_bgcolor="white")
        st.plotly_chart(fig, width="stretch", key="yhat_bar", config={"displayModeBar": False})


def weights_view(weights: dict) -> None:
    cols = st.columns(3)
    names = (("W_ax", "W_ax: input → hidden", list(map(show_char, VOCAB)), [f"a{i + 1}" for i in range(len(weights["W_ax"]))]),
             ("W_aa", "W_aa: hidden → hidden", [f"a{i + 1}" for i in range(len(weights["W_aa"]))], [f"a{i + 1}" for i in range(len(weights["W_aa"]))]),
             ("W_ya", "W_ya: hidden → output", [f"a{i + 1}" for i in range(len(weights["W_aa"]))], list(map(show_char, VOCAB))))
    for col, (name, title, xs, ys) in zip(cols, names):
        fig = go.Figure(go.Heatmap(z=weights[name], x=xs, y=ys, colorscale="RdBu", zmid=0, texttemplate="%{z:.1f}",
                                   showscale=False, hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>"))
        fig.update_layout(title=title, height=260, margin=dict(l=5, r=5, t=40, b=5), yaxis=dict(autorange="reversed"))
        col.plotly_chart(fig, width="stretch", key=f"w_{name}", config={"displayModeBar": False})


st.title("RNN types")
intro(
    r"One recurrent cell, $a^{\langle t \rangle} = \tanh(W_{aa} a^{\langle t-1 \rangle} + "
    r"W_{ax} x^{\langle t \rangle} + b_a)$ with output $\hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya} "
    r"a^{\langle t \rangle} + b_y)$, wired five ways. The cell is a real, tiny RNN (4 hidden units) that "
    "has just been trained to predict the next character of “hello ”, so every number below is computed "
    r"now. The same weights $W_{ax}$, $W_{aa}$, $W_{ya}$ are used at every time step: that is what *unrolling* means."
)
model = toy_model()

side_by_side, one_at_a_time, try_this = screens(["The five types side by side", "One at a time", "Try this"])
with side_by_side:
    cols = st.columns(len(ARCHITECTURES))
    for col, arch in zip(cols, ARCHITECTURES.values()):
        with col:
            tx, ty = arch.clamp(3, 3 if arch.tied else 2)  # small, so five fit in a row
            st.markdown(f"**{arch.name}**  \n{arch.shape}")
            st.plotly_chart(unrolled_figure(run_architecture(model, arch.key, tx, ty), compact=True),
                            width="stretch", key=f"small_{arch.key}",
                            config={"displayModeBar": False, "staticPlot": True})
            st.caption(arch.example)
            if arch.page:
                lesson_link(arch.page, label="See it for real")

one_at_a_time.caption("The view below is saved in the page's address: copy the URL to share exactly this view.")
with one_at_a_time, controls("RNN type and lengths"):
    # Widgets are bound to the URL query string (?type=…&tx=…&ty=…&step=…); Streamlit drops
    # values that are not valid options, so odd URLs open the defaults.
    label = st.segmented_control("RNN type", list(LABELS), default="Many-to-many", required=True,
                                 key="type", bind="query-params")
    arch = ARCHITECTURES[LABELS.get(label or "", "many_to_many")]  # an empty ?type= clears the control

    # Keep bound values inside this type's rules before the sliders are drawn.
    tx_default, ty_default = arch.default_lengths()
    tx_now, ty_now = arch.clamp(st.session_state.get("tx", tx_default), st.session_state.get("ty", ty_default))
    c1, c2, c3 = st.columns(3)
    with c1:
        if arch.tx_range[0] == arch.tx_range[1]:
            tx = st.slider("Input length Tx", 1, MAX_STEPS, arch.tx_range[0], disabled=True,
                           help=f"Fixed for {arch.name}: {arch.shape}.")
        else:
            st.session_state["tx"] = tx_now
            tx = st.slider("Input length Tx", arch.tx_range[0], arch.tx_range[1], key="tx", bind="query-params")
    with c2:
        if arch.tied or arch.ty_range[0] == arch.ty_range[1]:
            ty = st.slider("Output length Ty", 1, MAX_STEPS, tx if arch.tied else arch.ty_range[0], disabled=True,
                           help=f"Fixed for {arch.name}: {arch.shape}.")
        else:
            st.session_state["ty"] = ty_now
            ty = st.slider("Output length Ty", arch.ty_range[0], arch.ty_range[1], key="ty", bind="query-params")
    with c3:
        seed_char = "h"
        if arch.key in ("one_to_one", "one_to_many"):
            seed_char = st.selectbox("First input x<1>", VOCAB, format_func=show_char, key="seed",
                                     bind="query-params")
one_at_a_time.markdown(f"**{arch.name}** ({arch.shape}). {arch.example}.")

run = run_architecture(model, arch.key, tx, ty, seed_char)
if arch.key == "encoder_decoder" and run.tx == run.ty:
    one_at_a_time.info("Tx = Ty here. An encoder–decoder allows this, but it exists for when the lengths differ: "
                       "move one slider to see the decoder run for a different number of steps.")


@st.fragment(run_every=1.2 if st.session_state.get("play") else None)
def stepper() -> None:
    """Scrubber, diagram and numbers; reruns on its own (one step a tick) while playing."""
    n = len(run.steps)
    if n == 1:
        step_no = 1
        st.caption("A single step: there is nothing to scrub through.")
    else:
        current = min(max(int(st.session_state.get("step", 1)), 1), n)
        if st.session_state.get("play"):
            current = current % n + 1
        st.session_state["step"] = current
        s1, s2 = st.columns([5, 1], vertical_alignment="bottom")
        with s1:
            step_no = st.slider("Time step t", 1, n, key="step", bind="query-params")
        with s2:
            st.toggle("▶ Play", key="play", help="Advance one step every 1.2 s (loops).")
    st.plotly_chart(unrolled_figure(run, active=step_no), width="stretch", key="big_diagram",
                    config={"displayModeBar": False})
    st.markdown(f"Input **{run.input_text.replace(' ', '␣')}** → output **{run.output_text.replace(' ', '␣') or '—'}**. "
                "Hover a cell for its hidden state.")
    fed_back = step_no < n and run.steps[step_no].x_from_feedback
    step_numbers(run.steps[step_no - 1], fed_back)


with one_at_a_time:
    stepper()
    with st.expander("The shared weights (the same at every step)"):
        weights_view(run.weights)
        st.caption(f"b_a = ({', '.join(f'{v:+.2f}' for v in run.weights['b_a'])}), "
                   f"b_y = ({', '.join(f'{v:+.2f}' for v in run.weights['b_y'])}). Trained with Adam for 300 "
                   "steps, seed 0.")

try_this.markdown(
    "- In **many-to-many**, step to the two *l*s of “hello”. The input is the same letter both times; why does the "
    "cell predict *l* after the first and *o* after the second? (Compare the incoming hidden state.)\n"
    "- Switch to **one-to-many** and start from *e* instead of *h*: what does the generated text settle into?\n"
    "- In **encoder–decoder**, set Tx = 3 and then Tx = 4 with the same Ty. The decoder's first input changes: where "
    "does it come from?"
)
