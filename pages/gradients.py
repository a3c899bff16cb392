"""Vanishing and exploding gradients: autograd through the course's cells, measured now."""

import math

import streamlit as st

from ui import heavy
from ui.charts import CHART
from ui.inputs import whole_number_input
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("Vanishing & exploding gradients")
intro(
    "A recurrent cell (vanilla RNN, LSTM or GRU, written out step by step in the course's "
    "notation) is unrolled over T steps of random input, and a loss is read off the **last** hidden state only: "
    "*L = u·a⟨T⟩*. Autograd then measures how much of that loss's gradient reaches each earlier hidden state "
    "a⟨T−k⟩. Backpropagation through time multiplies by the recurrent Jacobian once per step, so the gradient "
    "shrinks or grows geometrically with the distance k. Everything below is computed now, in 64-bit floats "
    "by default, and numbers that underflow to 0 or overflow to ∞ are shown as they are."
)

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title and intro
# are already on screen.
from sequence_models.limitations.gradients import (CLIP_HIDDEN, CLIP_LENGTH, FORGET_BIAS_RANGE,  # noqa: E402
                                                   HIDDEN_RANGE, LENGTH_RANGE, RADIUS_RANGE, SEED_RANGE,
                                                   GradientConfig, clipping_demo, condition_sentence,
                                                   gradient_norms, pascanu_condition)
from sequence_models.limitations.long_term import BASELINE_MSE  # noqa: E402
from sequence_models.runtime import use_inference_threads  # noqa: E402
from ui.gradients_figures import clip_chart, gradient_chart, steps_word, unit_heatmap  # noqa: E402

CELL_LABELS = {"Vanilla RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
ACT_LABELS = {"tanh": "tanh", "ReLU": "relu", "linear": "linear"}

use_inference_threads(1)


@st.cache_data(max_entries=64, show_spinner=False)
def measured(cfg: GradientConfig):
    with heavy.slot():
        return gradient_norms(cfg)


@st.cache_data(max_entries=32, show_spinner="Training two small RNNs, with and without clipping…")
def clipping_runs(lr: float, clip: float, radius: float, seed: int):
    with heavy.slot():
        return clipping_demo(lr=lr, clip=clip, seed=seed, init_radius=radius)


reaches, condition, clipping, try_this = screens(["How far back the gradient reaches",
                                                  "When gradients vanish or may explode",
                                                  "Gradient clipping, demonstrated", "Try this"])
with reaches:
    with controls("Cell, floats, length and weight scale"):
        # URL-bound controls (?cell=LSTM&T=200&rho=1.2&…); Streamlit drops invalid URL values.
        c1, c2, c3 = st.columns([1.2, 1.2, 1])
        with c1:
            cell_label = st.segmented_control("Cell", list(CELL_LABELS), default="Vanilla RNN", required=True,
                                              key="grad_cell", bind="query-params",
                                              disabled=locked("grad_cell")) or "Vanilla RNN"  # None after ?cell=
            cell = CELL_LABELS[cell_label]
        with c2:
            if cell == "rnn":
                act_label = st.segmented_control("Activation g (vanilla RNN)", list(ACT_LABELS), default="tanh",
                                                 required=True, key="grad_act", bind="query-params",
                                                 disabled=locked("grad_act")) or "tanh"
            elif cell == "lstm":
                forget_bias = st.slider("Forget-gate bias b_f (LSTM)", *FORGET_BIAS_RANGE, value=1.0, step=0.5,
                                        key="grad_fb", bind="query-params", disabled=locked("grad_fb"),
                                        help="σ(b_f) is the forget gate's value when its inputs are 0.")
            else:
                st.caption("The GRU has no extra setting here: its update gate starts from PyTorch's default init.")
        with c3:
            precision = st.segmented_control("Floats", ["float64", "float32"], default="float64", required=True,
                                             key="grad_prec", bind="query-params", disabled=locked("grad_prec"),
                                             help="float32 is what training normally uses: it underflows below "
                                                  "~1e-45 and overflows above ~3e38. float64 reaches ~1e-324 and "
                                                  "~1e308.") or "float64"
        s1, s2, s3, s4 = st.columns([3, 3, 2, 1.3])
        length = s1.slider("Sequence length T", *LENGTH_RANGE, value=100, step=10, key="grad_T",
                           bind="query-params", disabled=locked("grad_T"))
        radius = s2.slider("Recurrent weight scale ρ (spectral radius)", *RADIUS_RANGE, value=0.9, step=0.05,
                           key="grad_rho", bind="query-params", disabled=locked("grad_rho"),
                           help="Every hidden-to-hidden matrix W_·a is an orthogonal matrix times ρ, so all its "
                                "singular values (and |eigenvalues|) equal ρ.")
        hidden = s3.slider("Hidden units", *HIDDEN_RANGE, value=32, step=4, key="grad_H", bind="query-params",
                           disabled=locked("grad_H"))
        seed = whole_number_input("Random seed", *SEED_RANGE, value=0, key="grad_seed", container=s4,
                                  disabled=locked("grad_seed"))
    cfg = GradientConfig(cell=cell, length=int(length), radius=float(radius), hidden=int(hidden), seed=int(seed),
                         dtype=precision, activation=ACT_LABELS[act_label] if cell == "rnn" else "tanh",
                         forget_bias=float(forget_bias) if cell == "lstm" else 1.0)
    with heavy.job("gradient computation"):
        res = measured(cfg)
    n = res.norms
    far = n[-1]
    st.plotly_chart(gradient_chart(res), width="stretch", key="grad_chart", config=CHART)

    counts = res.counts
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("‖∂L/∂a⟨T−1⟩‖ (one step back)", f"{n[1]:.3g}")
    m2.metric(f"‖∂L/∂a⟨1⟩‖ ({cfg.length - 1} steps back)", f"{far:.3g}")
    m3.metric("Exactly 0 (underflow)", counts["zero"])
    m4.metric("∞ or nan (overflow)", counts["inf"] + counts["nan"])
    notes = []
    if counts["zero"]:
        notes.append(f"**{counts['zero']} of {cfg.length} gradients underflowed to exactly 0** in {cfg.dtype} "
                     "(vermilion triangles at the bottom): the signal from the loss never reaches those steps, so "
                     "their inputs get no credit at all.")
    if counts["inf"] or counts["nan"]:
        notes.append(f"**{steps_word(counts['inf'])} overflowed to ∞ and {counts['nan']} became nan** (∞ − ∞, ∞ × 0) "
                     f"in {cfg.dtype}: one such number poisons every weight update that touches it.")
    if not math.isfinite(res.loss):
        notes.append(f"Even the forward pass overflowed: the loss itself is {res.loss}.")
    for note in notes:
        st.warning(note)
    if res.theory_log10 is not None:
        st.caption("Linear RNN: ∂a⟨t⟩/∂a⟨t−1⟩ = W_aa exactly, so ‖∂L/∂a⟨T−k⟩‖ = ‖(W_aaᵀ)ᵏ u‖ = ρᵏ for an "
                   "orthogonal W_aa times ρ: the blue line lies on the grey theory line until the floats run out.")
    elif cell == "lstm":
        st.caption("Dashed green: the gradient with respect to the memory cell c⟨T−k⟩. Along that path each step "
                   "multiplies by the forget gate Γ_f (plus small terms through the gates), so a forget bias near 3 "
                   "(Γ_f ≈ 0.95) keeps it alive for many more steps than the vanilla RNN's tanh′·W_aa.")
    elif cell == "gru":
        st.caption("The GRU's state is a⟨t⟩ = (1 − Γ_u)·c̃⟨t⟩ + Γ_u·a⟨t−1⟩: the Γ_u·a⟨t−1⟩ term is a direct path "
                   "like the LSTM's memory cell, so the decay is set by how close Γ_u stays to 1.")

    with st.expander("Per-unit gradient magnitude over time (heatmap)", expanded=True):
        st.plotly_chart(unit_heatmap(res), width="stretch", key="grad_units", config=CHART)
        st.caption("Each row is one hidden unit i, each column a distance k back: colour is log₁₀|∂L/∂aᵢ⟨T−k⟩|. "
                   "Grey cells are exactly 0, ∞ or nan.")
    st.download_button("⬇ Gradient norms (CSV)", res.to_csv(),
                       file_name=f"gradient_norms_{cfg.cell}_T{cfg.length}.csv", mime="text/csv",
                       key="grad_csv", help="‖∂L/∂a⟨T−k⟩‖ for every k of the view above.")

with condition:
    pc = pascanu_condition(res)
    st.markdown(
        "For a vanilla RNN, *a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)*, each step back multiplies the gradient by "
        "*∂a⟨t⟩/∂a⟨t−1⟩ = diag(g′(z⟨t⟩)) W_aa*. If |g′| ≤ γ and λ₁ is the largest singular value of W_aa, every "
        "factor has norm at most γλ₁, so *‖∂L/∂a⟨T−k⟩‖ ≤ (γλ₁)ᵏ‖∂L/∂a⟨T⟩‖*. Pascanu, Mikolov & Bengio (2013, "
        "*On the difficulty of training recurrent neural networks*) turn this into a condition: "
        "**γλ₁ < 1 (λ₁ < 1/γ) is sufficient for the gradient to vanish**, and **γλ₁ > 1 is necessary for it to "
        "explode**; at γλ₁ = 1 the bound is 1ᵏ = 1, so it cannot explode. γ is 1 for tanh and ReLU (a bound: "
        "|g′| ≤ 1) and exactly 1 for the identity, where the backward pass is (W_aaᵀ)ᵏ and the outcome is certain."
    )
    if pc["verdict"] == "n/a":
        st.info(f"The condition is stated for the vanilla RNN. This {cell_label} has gates: its Jacobian also "
                f"depends on the gate values, and the LSTM's memory path multiplies by Γ_f, not by W_aa. Its "
                f"recurrent blocks have λ₁ = {pc['lambda1']:.3g}.")
    else:
        style, sentence = condition_sentence(cfg.activation, pc["lambda1"], pc["spectral_radius"], cfg.length - 1, far)
        (st.warning if style == "explode" else st.info)(sentence)

with clipping:
    st.markdown(
        "When the gradient explodes, one plain SGD step *W ← W − η g* throws the weights far away, often to where "
        "the next gradient is even larger, and the loss runs off to ∞ and then nan. **Norm clipping** rescales the "
        "gradient to *g · θ/‖g‖* whenever ‖g‖ > θ: the direction is kept, the step is bounded. Below, the same small "
        f"tanh RNN ({CLIP_HIDDEN} units, W_aa orthogonal × ρ₀) is trained twice on the adding problem "
        f"(length {CLIP_LENGTH}) with plain SGD, "
        "from the same initial weights and on the same batches; the only difference is clipping."
    )
    with controls("Learning rate, threshold, ρ₀ and seed"):
        k1, k2, k3, k4 = st.columns(4)
        lr = k1.select_slider("Learning rate η", [0.01, 0.02, 0.05, 0.1, 0.2, 0.5], value=0.1, key="grad_lr",
                              bind="query-params", disabled=locked("grad_lr"))
        clip = k2.select_slider("Clip threshold θ", [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0], value=1.0, key="grad_clip",
                                bind="query-params", disabled=locked("grad_clip"))
        rho0 = k3.select_slider("Initial ρ₀ of W_aa", [0.5, 1.0, 1.5, 2.0, 3.0], value=1.5, key="grad_rho0",
                                bind="query-params", disabled=locked("grad_rho0"))
        cseed = whole_number_input("Seed", 0, 99, value=0, key="grad_cseed", container=k4,
                                   disabled=locked("grad_cseed"))
    with heavy.job("clipping demo"):
        runs = clipping_runs(float(lr), float(clip), float(rho0), int(cseed))
    plain, clipped = runs

    def clip_answer() -> Answer:
        bad = plain.first_nonfinite
        if bad is None:
            return Answer("It stays finite", f"Measured now: the unclipped run stays finite for all "
                                             f"{len(plain.losses)} steps (largest gradient norm "
                                             f"{max(plain.grad_norms):.3g}).")
        return Answer("It blows up to ∞ or nan", f"Measured now: the unclipped loss is {plain.losses[bad]} from step "
                                                 f"{bad + 1} of {len(plain.losses)} on.")

    if checkpoint("grad_cp_clip", f"Plain SGD with η = {lr:g} from ρ₀ = {rho0:g}, **no clipping**: does the loss "
                  f"stay finite for all {len(plain.losses)} steps?",
                  ["It stays finite", "It blows up to ∞ or nan"], clip_answer):
        st.plotly_chart(clip_chart(runs, float(clip)), width="stretch", key="grad_clip_chart",
                        config=CHART)
        for run, name in ((plain, "Without clipping"), (clipped, "With clipping")):
            if run.first_nonfinite is not None:
                biggest = max((g for g in run.grad_norms[:run.first_nonfinite] if math.isfinite(g)), default=math.nan)
                st.markdown(f"**{name}:** the loss became {run.losses[run.first_nonfinite]} at step "
                            f"{run.first_nonfinite + 1} (largest finite gradient norm before that: {biggest:.3g}) and "
                            "never becomes finite again: the grey band, where there is no number left to plot.")
            else:
                st.markdown(f"**{name}:** finite all the way; final loss {run.losses[-1]:.3g}, largest gradient norm "
                            f"{max(run.grad_norms):.3g}.")
    st.caption(f"Dotted grey line: the clip threshold θ = {clip:g}. "
               f"The trivial answer (always 1) has loss 1/6 ≈ {BASELINE_MSE:.3f} on this task; {len(plain.losses)} SGD "
               "steps are too few to go much below it, and the point here is stability, not accuracy.")

    lesson_link("pages/long_term.py", label="Next: long-term dependencies and the LSTM remedy")

try_this.markdown(
    "- Pick **linear**, set ρ = 0.9 and then ρ = 1.1: the slope of the line is log ρ. At what T does ρ = 0.5 "
    "underflow in float32, and in float64? (Switch *Floats*.)\n"
    "- Pick **tanh** and raise ρ to 3. Pascanu's condition says exploding is *possible*. Does the gradient really "
    "explode? Look at the heatmap: which units carry the gradient?\n"
    "- Pick **LSTM**, ρ = 1, and slide the forget bias from −2 to 3. How far back does the gradient survive "
    "now, compared with the vanilla RNN at the same ρ?"
)
