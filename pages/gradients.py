"""Vanishing and exploding gradients: autograd through the course's cells, measured now."""

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from sequence_models.limitations.gradients import (FORGET_BIAS_RANGE, HIDDEN_RANGE, LENGTH_RANGE, RADIUS_RANGE,
                                                   SEED_RANGE, GradientConfig, clipping_demo, format_log10,
                                                   gradient_norms, log10_or_none, pascanu_condition)
from sequence_models.runtime import use_inference_threads
from ui import heavy
from ui.charts import style_subplots
from ui.inputs import whole_number_input
from ui.lessons import ensure_app_navigation, lesson_link
from ui.palette import BLUE, GREEN, GREY, PURPLE, VERMILION
from ui.presentation import controls, intro, screens

ensure_app_navigation()  # first visit after a server start: go through app.py

CELL_LABELS = {"Vanilla RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
ACT_LABELS = {"tanh": "tanh", "ReLU": "relu", "linear": "linear"}
FLOAT_LIMITS = {"float64": (4.9e-324, 1.8e308), "float32": (1.4e-45, 3.4e38)}

use_inference_threads(1)


@st.cache_data(max_entries=64, show_spinner=False)
def measured(cfg: GradientConfig):
    with heavy.slot():
        return gradient_norms(cfg)


@st.cache_data(max_entries=32, show_spinner="Training two small RNNs (a couple of seconds)…")
def clipping_runs(lr: float, clip: float, radius: float, seed: int):
    with heavy.slot():
        return clipping_demo(lr=lr, clip=clip, seed=seed, init_radius=radius)


def sup(n: int) -> str:
    return f"10<sup>{n}</sup>"


def log_axis(lo: float, hi: float) -> dict:
    """A y axis over log10 values with ticks written as powers of ten."""
    span = max(hi - lo, 1.0)
    step = max(1, int(math.ceil(span / 8)))
    ticks = list(range(int(math.floor(lo / step) * step), int(math.ceil(hi)) + step, step))
    return dict(tickvals=ticks, ticktext=[sup(t) for t in ticks], range=[lo, hi], zeroline=False)


def gradient_chart(res) -> go.Figure:
    cfg = res.config
    k = res.distance
    y = log10_or_none(res.norms)
    finite = [v for v in y if v is not None]
    series = [finite]
    if res.theory_log10 is not None:
        series.append(list(res.theory_log10))
    mem = log10_or_none(res.memory_norms) if res.memory_norms is not None else None
    if mem is not None:
        series.append([v for v in mem if v is not None])
    everything = [v for s in series for v in s] or [0.0]
    lo, hi = min(everything), max(everything)
    pad = max(0.08 * (hi - lo), 0.5)
    bottom, top = lo - 2 * pad, hi + 2 * pad
    fig = go.Figure()
    if res.theory_log10 is not None:
        fig.add_trace(go.Scatter(x=k, y=res.theory_log10, mode="lines", name="ρ^k (theory)",
                                 line=dict(color=GREY, width=6), opacity=0.45,
                                 customdata=[format_log10(v) for v in res.theory_log10],
                                 hovertemplate="k=%{x}: ρ^k = %{customdata}<extra></extra>"))
    fig.add_trace(go.Scatter(x=k, y=y, mode="lines", name="‖∂L/∂a⟨T−k⟩‖ (autograd)", line=dict(color=BLUE, width=2),
                             customdata=[f"{v:.3e}" for v in res.norms],
                             hovertemplate="k=%{x}: %{customdata}<extra></extra>"))
    if mem is not None:
        fig.add_trace(go.Scatter(x=k, y=mem, mode="lines", name="‖∂L/∂c⟨T−k⟩‖ (memory cell)",
                                 line=dict(color=GREEN, width=2, dash="dash"),
                                 customdata=[f"{v:.3e}" for v in res.memory_norms],
                                 hovertemplate="k=%{x}: %{customdata}<extra></extra>"))
    norms = np.asarray(res.norms)
    marks = [("exactly 0 (underflow)", norms == 0, bottom + pad * 0.6, "triangle-down", VERMILION),
             ("inf (overflow)", np.isinf(norms), top - pad * 0.6, "triangle-up", VERMILION),
             ("nan (inf − inf)", np.isnan(norms), top - pad * 0.6, "x", PURPLE)]
    for name, mask, level, symbol, color in marks:
        if mask.any():
            fig.add_trace(go.Scatter(x=k[mask], y=[level] * int(mask.sum()), mode="markers",
                                     name=f"{name}: {int(mask.sum())} steps",
                                     marker=dict(symbol=symbol, size=7, color=color),
                                     hovertemplate=f"k=%{{x}}: {name}<extra></extra>"))
    tiny, huge = FLOAT_LIMITS[cfg.dtype]
    for value, text in ((tiny, f"smallest {cfg.dtype} > 0"), (huge, f"largest {cfg.dtype}")):
        if bottom - 5 <= math.log10(value) <= top + 5:
            fig.add_hline(y=math.log10(value), line=dict(color=VERMILION, dash="dot", width=1),
                          annotation_text=text, annotation_position="bottom right")
            bottom, top = min(bottom, math.log10(value) - pad), max(top, math.log10(value) + pad)
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", showlegend=True,
                      legend=dict(orientation="h", y=1.12), xaxis_title="distance back in time k (steps)",
                      yaxis_title="gradient norm (log scale)", yaxis=log_axis(bottom, top))
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig


def unit_heatmap(res) -> go.Figure:
    z = np.full(res.per_unit.shape, np.nan)
    ok = np.isfinite(res.per_unit) & (res.per_unit > 0)
    z[ok] = np.round(np.log10(res.per_unit[ok]), 2)  # 2 decimals of log10 keep the page light at 128 × 500
    fig = go.Figure(go.Heatmap(z=z, x=res.distance, y=[f"a{i + 1}" for i in range(res.per_unit.shape[0])],
                               colorscale="Viridis", hoverongaps=False, colorbar=dict(title="log₁₀|∂L/∂aᵢ|"),
                               hovertemplate="unit %{y}, k=%{x}: |∂L/∂a| = 10^%{z:.2f}<extra></extra>"))
    fig.update_layout(height=min(120 + 7 * res.per_unit.shape[0], 560), margin=dict(l=10, r=10, t=10, b=10),
                      xaxis_title="distance back in time k (steps)", yaxis_title="hidden unit",
                      plot_bgcolor="#d9d9d9", yaxis=dict(autorange="reversed"))
    return fig


def clip_chart(runs, clip: float) -> go.Figure:
    fig = make_subplots(rows=2, cols=2, shared_xaxes=True, vertical_spacing=0.1, horizontal_spacing=0.08,
                        subplot_titles=("Without clipping: loss", f"Clipped to norm {clip:g}: loss",
                                        "Without clipping: gradient norm",
                                        "With clipping: gradient norm (before clipping)"))
    for col, run in enumerate(runs, start=1):
        steps = np.arange(1, len(run.losses) + 1)
        color = VERMILION if run.clip is None else GREEN
        for row, values in ((1, run.losses), (2, run.grad_norms)):
            vals = np.asarray(values, dtype=float)
            ok = np.isfinite(vals) & (vals > 0)
            fig.add_trace(go.Scatter(x=steps[ok], y=np.log10(vals[ok]), mode="lines", line=dict(color=color),
                                     customdata=[f"{v:.3g}" for v in vals[ok]], showlegend=False,
                                     hovertemplate="step %{x}: %{customdata}<extra></extra>"), row=row, col=col)
            bad = ~np.isfinite(vals)
            if bad.any():
                top = np.log10(vals[ok]).max() + 1 if ok.any() else 0.0
                fig.add_trace(go.Scatter(x=steps[bad], y=[top] * int(bad.sum()), mode="markers", showlegend=False,
                                         marker=dict(symbol="x", color=PURPLE, size=6),
                                         customdata=[str(v) for v in vals[bad]],
                                         hovertemplate="step %{x}: %{customdata}<extra></extra>"), row=row, col=col)
        if run.first_nonfinite is not None:
            for row in (1, 2):
                fig.add_vline(x=run.first_nonfinite + 1, line=dict(color=PURPLE, dash="dot"), row=row, col=col,
                              annotation_text=f"not finite from step {run.first_nonfinite + 1} (×)",
                              annotation_position="bottom right", annotation_font_color=PURPLE)
        if run.clip is not None:
            fig.add_hline(y=math.log10(run.clip), line=dict(color=GREY, dash="dot"), row=2, col=col,
                          annotation_text="clip threshold", annotation_position="bottom right")
    return style_subplots(fig, 520, {1: "log₁₀ loss", 2: "log₁₀ ‖g‖"}, "training step", bottom_row=2, cols=2)


st.title("Vanishing & exploding gradients")
intro(
    "A recurrent cell (vanilla RNN, LSTM or GRU, written out step by step in the course's "
    "notation) is unrolled over T steps of random input, and a loss is read off the **last** hidden state only: "
    "*L = u·a⟨T⟩*. Autograd then measures how much of that loss's gradient reaches each earlier hidden state "
    "a⟨T−k⟩. Backpropagation through time multiplies by the recurrent Jacobian once per step, so the gradient "
    "shrinks or grows geometrically with the distance k. Everything below is computed now, in 64-bit floats "
    "by default, and numbers that underflow to 0 or overflow to ∞ are shown as they are."
)

reaches, condition, clipping, try_this = screens(["How far back the gradient reaches",
                                                  "When gradients vanish or may explode",
                                                  "Gradient clipping, demonstrated", "Try this"])
with reaches:
    with controls("Cell, floats, length and weight scale"):
        # URL-bound controls (?cell=LSTM&T=200&rho=1.2&…); Streamlit drops invalid URL values.
        c1, c2, c3 = st.columns([1.2, 1.2, 1])
        with c1:
            cell_label = st.segmented_control("Cell", list(CELL_LABELS), default="Vanilla RNN", required=True,
                                              key="cell", bind="query-params") or "Vanilla RNN"  # None after ?cell=
            cell = CELL_LABELS[cell_label]
        with c2:
            if cell == "rnn":
                act_label = st.segmented_control("Activation g (vanilla RNN)", list(ACT_LABELS), default="tanh",
                                                 required=True, key="act", bind="query-params") or "tanh"
            elif cell == "lstm":
                forget_bias = st.slider("Forget-gate bias b_f (LSTM)", *FORGET_BIAS_RANGE, value=1.0, step=0.5,
                                        key="fb", bind="query-params",
                                        help="σ(b_f) is the forget gate's value when its inputs are 0.")
            else:
                st.caption("The GRU has no extra setting here: its update gate starts from PyTorch's default init.")
        with c3:
            precision = st.segmented_control("Floats", ["float64", "float32"], default="float64", required=True,
                                             key="prec", bind="query-params",
                                             help="float32 is what training normally uses: it underflows below "
                                                  "~1e-45 and overflows above ~3e38. float64 reaches ~1e-324 and "
                                                  "~1e308.") or "float64"
        s1, s2, s3, s4 = st.columns([3, 3, 2, 1.3])
        length = s1.slider("Sequence length T", *LENGTH_RANGE, value=100, step=10, key="T", bind="query-params")
        radius = s2.slider("Recurrent weight scale ρ (spectral radius)", *RADIUS_RANGE, value=0.9, step=0.05,
                           key="rho", bind="query-params",
                           help="Every hidden-to-hidden matrix W_·a is an orthogonal matrix times ρ, so all its "
                                "singular values (and |eigenvalues|) equal ρ.")
        hidden = s3.slider("Hidden units", *HIDDEN_RANGE, value=32, step=4, key="H", bind="query-params")
        seed = whole_number_input("Random seed", *SEED_RANGE, value=0, key="gseed", container=s4)
    cfg = GradientConfig(cell=cell, length=int(length), radius=float(radius), hidden=int(hidden), seed=int(seed),
                         dtype=precision, activation=ACT_LABELS[act_label] if cell == "rnn" else "tanh",
                         forget_bias=float(forget_bias) if cell == "lstm" else 1.0)
    with heavy.job("gradient computation"):
        res = measured(cfg)
    n = res.norms
    far = n[-1]
    st.plotly_chart(gradient_chart(res), width="stretch", key="grad_chart", config={"displayModeBar": False})

    counts = res.counts
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("‖∂L/∂a⟨T−1⟩‖ (one step back)", f"{n[1]:.3g}")
    m2.metric(f"‖∂L/∂a⟨1⟩‖ ({cfg.length - 1} steps back)", f"{far:.3g}")
    m3.metric("Exactly 0 (underflow)", counts["zero"])
    m4.metric("∞ or nan (overflow)", counts["inf"] + counts["nan"])
    notes = []
    if counts["zero"]:
        notes.append(f"**{counts['zero']} of {cfg.length} gradients underflowed to exactly 0** in {cfg.dtype} "
                     "(red triangles at the bottom): the signal from the loss never reaches those steps, so their "
                     "inputs get no credit at all.")
    if counts["inf"] or counts["nan"]:
        notes.append(f"**{counts['inf']} overflowed to ∞ and {counts['nan']} became nan** (∞ − ∞, ∞ × 0) in "
                     f"{cfg.dtype}: one such number poisons every weight update that touches it.")
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
        st.plotly_chart(unit_heatmap(res), width="stretch", key="unit_heatmap", config={"displayModeBar": False})
        st.caption("Each row is one hidden unit i, each column a distance k back: colour is log₁₀|∂L/∂aᵢ⟨T−k⟩|. "
                   "Grey cells are exactly 0, ∞ or nan.")

with condition:
    pc = pascanu_condition(res)
    st.markdown(
        "For a vanilla RNN, *a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)*, each step back multiplies the gradient by "
        "*∂a⟨t⟩/∂a⟨t−1⟩ = diag(g′(z⟨t⟩)) W_aa*. If |g′| ≤ γ and λ₁ is the largest singular value of W_aa, every "
        "factor has norm at most γλ₁, so *‖∂L/∂a⟨T−k⟩‖ ≤ (γλ₁)ᵏ‖∂L/∂a⟨T⟩‖*. Pascanu, Mikolov & Bengio (2013, "
        "*On the difficulty of training recurrent neural networks*) turn this into a condition: "
        "**λ₁ < 1/γ is sufficient for the gradient to vanish**, and **λ₁ > 1/γ is necessary for it to explode** "
        "(γ = 1 for tanh, ReLU and the identity; γ = 1/4 for the sigmoid)."
    )
    if pc["verdict"] == "n/a":
        st.info(f"The condition is stated for the vanilla RNN. This {cell_label} has gates: its Jacobian also "
                f"depends on the gate values, and the LSTM's memory path multiplies by Γ_f, not by W_aa. Its "
                f"recurrent blocks have λ₁ = {pc['lambda1']:.3g}.")
    elif pc["verdict"] == "vanish":
        st.success(f"Here λ₁ = {pc['lambda1']:.3g} < 1/γ = {1 / pc['gamma']:g}: the sufficient condition holds, "
                   f"so the gradient must vanish at least as fast as {pc['lambda1']:.3g}ᵏ. Measured {cfg.length - 1} "
                   f"steps back: {far:.3g} (bound: {format_log10((cfg.length - 1) * math.log10(pc['lambda1']))}).")
    else:
        st.warning(f"Here λ₁ = {pc['lambda1']:.3g} ≥ 1/γ = {1 / pc['gamma']:g}: exploding is *possible* (the necessary "
                   "condition holds) but not guaranteed: with tanh, saturated units have g′ ≈ 0 and can still make "
                   f"the gradient vanish. Measured {cfg.length - 1} steps back: {far:.3g}.")

with clipping:
    st.markdown(
        "When the gradient explodes, one plain SGD step *W ← W − η g* throws the weights far away, often to where "
        "the next gradient is even larger, and the loss runs off to ∞ and then nan. **Norm clipping** rescales the "
        "gradient to *g · θ/‖g‖* whenever ‖g‖ > θ: the direction is kept, the step is bounded. Below, the same small "
        "tanh RNN (32 units, W_aa orthogonal × ρ₀) is trained twice on the adding problem (length 30) with plain SGD, "
        "from the same initial weights and on the same batches; the only difference is clipping."
    )
    with controls("Learning rate, threshold, ρ₀ and seed"):
        k1, k2, k3, k4 = st.columns(4)
        lr = k1.select_slider("Learning rate η", [0.01, 0.02, 0.05, 0.1, 0.2, 0.5], value=0.1, key="lr",
                              bind="query-params")
        clip = k2.select_slider("Clip threshold θ", [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0], value=1.0, key="clip",
                                bind="query-params")
        rho0 = k3.select_slider("Initial ρ₀ of W_aa", [0.5, 1.0, 1.5, 2.0, 3.0], value=1.5, key="rho0",
                                bind="query-params")
        cseed = whole_number_input("Seed", 0, 99, value=0, key="cseed", container=k4)
    with heavy.job("clipping demo"):
        runs = clipping_runs(float(lr), float(clip), float(rho0), int(cseed))
    st.plotly_chart(clip_chart(runs, float(clip)), width="stretch", key="clip_chart", config={"displayModeBar": False})
    plain, clipped = runs
    for run, name in ((plain, "Without clipping"), (clipped, "With clipping")):
        if run.first_nonfinite is not None:
            biggest = max((g for g in run.grad_norms[:run.first_nonfinite] if math.isfinite(g)), default=math.nan)
            st.error(f"{name}: the loss became {run.losses[run.first_nonfinite]} at step {run.first_nonfinite + 1} "
                     f"(largest finite gradient norm before that: {biggest:.3g}); "
                     "it never becomes finite again (purple ×, dotted line).")
        else:
            st.markdown(f"{name}: finite all the way; final loss {run.losses[-1]:.3g}, largest gradient norm "
                        f"{max(run.grad_norms):.3g}.")
    st.caption("The trivial answer (always 1) has loss 1/6 ≈ 0.167 on this task; 200 SGD steps are too few to go "
               "much below it, and the point here is stability, not accuracy.")

    lesson_link("pages/long_term.py", label="Next: long-term dependencies and the LSTM remedy")

try_this.markdown(
    "- Pick **linear**, set ρ = 0.9 and then ρ = 1.1: the slope of the line is log ρ. At what T does ρ = 0.5 "
    "underflow in float32, and in float64? (Switch *Floats*.)\n"
    "- Pick **tanh** and raise ρ to 3. Pascanu's condition says exploding is *possible*. Does the gradient really "
    "explode? Look at the heatmap: which units carry the gradient?\n"
    "- Pick **LSTM**, ρ = 1, and slide the forget bias from −2 to 3. How far back does the gradient survive "
    "now, compared with the vanilla RNN at the same ρ?"
)
