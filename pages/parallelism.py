"""No parallelism over time: a recurrent layer's T sequential steps, timed against attention and convolution."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from sequence_models.limitations.parallelism import (BATCH_RANGE, LAYERS, LENGTHS, WIDTH_RANGE, TimingConfig,
                                                     conv_layers_to_see_everything, sequential_steps, time_layers)
from ui import heavy
from ui.lessons import ensure_app_navigation, lesson_link
from ui.palette import BLUE, GREEN, ORANGE, VERMILION
from ui.presentation import controls, intro, screens

ensure_app_navigation()  # first visit after a server start: go through app.py

COLORS = dict(zip(LAYERS, (VERMILION, ORANGE, BLUE, GREEN)))
DASH = {"RNN": "solid", "LSTM": "dash", "self-attention": "solid", "1-D conv": "solid"}


@st.cache_data(max_entries=32, ttl=3600, show_spinner="Timing the four layers on one CPU thread (a few seconds)…")
def measure(lengths: tuple[int, ...], width: int, batch: int):
    """Cached by its parameters: the same settings are measured once an hour at most."""
    with heavy.slot():
        return time_layers(TimingConfig(lengths=lengths, width=width, batch=batch, repeats=5, budget=6.0))


def timing_figure(res) -> go.Figure:
    fig = go.Figure()
    for name in LAYERS:
        ms = [None if s is None else s * 1e3 for s in res.seconds[name]]
        fig.add_trace(go.Scatter(x=res.lengths, y=ms, mode="lines+markers", name=name,
                                 line=dict(color=COLORS[name], dash=DASH[name], width=2),
                                 hovertemplate=f"{name}, T=%{{x}}: %{{y:.3f}} ms<extra></extra>"))
    fig.update_layout(height=400, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.1),
                      xaxis=dict(type="log", title="sequence length T", tickvals=res.lengths, gridcolor="#eee"),
                      yaxis=dict(type="log", title="forward time (ms, log scale)", gridcolor="#eee", dtick=1,
                                 exponentformat="power"))
    return fig


def steps_figure(lengths: list[int]) -> go.Figure:
    fig = go.Figure()
    for names, color in ((("RNN", "LSTM"), VERMILION), (("self-attention", "1-D conv"), BLUE)):
        counts = [sequential_steps(names[0], n) for n in lengths]
        assert counts == [sequential_steps(names[1], n) for n in lengths]
        label = f"{names[0]}, {names[1]}: " + ("T steps" if counts[-1] > 1 else "1 step")
        fig.add_trace(go.Scatter(x=lengths, y=counts, mode="lines+markers", name=label, line=dict(color=color, width=2),
                                 hovertemplate=f"{label}, T=%{{x}}: %{{y}} sequential step(s)<extra></extra>"))
    fig.update_layout(height=400, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.1),
                      xaxis=dict(type="log", title="sequence length T", tickvals=lengths, gridcolor="#eee"),
                      yaxis=dict(type="log", title="steps that must run one after another", gridcolor="#eee",
                                 dtick=1))
    return fig


st.title("No parallelism over time")
intro(
    "A recurrent layer computes *a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)*: step t needs "
    "the result of step t−1, so T steps run one after another however many processors there are. Self-attention "
    "and a 1-D convolution compute every position from the input directly: one step whose work can be spread "
    "out. Below, one layer of each kind is timed on this server **now** (forward pass, one CPU thread), next to "
    "the number of steps each must take in sequence."
)

measured, numbers, try_this = screens(["Measured time and sequential steps", "What the numbers say", "Try this"])
with measured, controls("Lengths, width and batch"):
    c1, c2, c3 = st.columns([3, 2, 2])
    longest = c1.select_slider("Longest sequence T", list(LENGTHS), value=1024, key="Tmax", bind="query-params",
                               help="Lengths from 16 up to this one, doubling each time.")
    width = c2.select_slider("Width d (hidden units = channels)", [16, 32, 64, 128, 256], value=64, key="d",
                             bind="query-params")
    batch = c3.select_slider("Batch size", [1, 2, 4, 8, 16, 32], value=8, key="B", bind="query-params")
assert WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1] and BATCH_RANGE[0] <= batch <= BATCH_RANGE[1]
lengths = tuple(n for n in LENGTHS if n <= longest)

with measured:
    with heavy.job("timing run"):
        res = measure(lengths, int(width), int(batch))

    left, right = st.columns(2)
    with left:
        st.markdown("**Measured time of one layer** (best of 5 runs)")
        st.plotly_chart(timing_figure(res), width="stretch", key="timing", config={"displayModeBar": False})
    with right:
        st.markdown("**Sequential steps** (the part no hardware can parallelise)")
        st.plotly_chart(steps_figure(list(res.lengths)), width="stretch", key="steps",
                        config={"displayModeBar": False})

    if res.skipped:
        st.warning(f"The {res.config.budget:.0f} s measuring budget ran out: lengths "
                   f"{', '.join(map(str, res.skipped))} were not measured this time (the server is busy). Press "
                   "*Measure again* later.")
    rows = []
    for i, n in enumerate(res.lengths):
        row = {"T": n}
        for name in LAYERS:
            s = res.seconds[name][i]
            row[f"{name} (ms)"] = None if s is None else round(s * 1e3, 3)
        rnn_s = res.seconds["RNN"][i]
        row["RNN µs per step"] = None if rnn_s is None else round(rnn_s * 1e6 / n, 2)
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(f"Measured on this server's CPU with torch.set_num_threads(1), input [batch {batch}, T, d {width}]; "
               f"the whole measurement took {res.total_seconds:.1f} s and is cached for an hour per setting. "
               "RNN and LSTM are torch.nn.RNN/LSTM; self-attention is torch.nn.MultiheadAttention "
               f"({4 if width % 4 == 0 else 1} heads); the convolution has kernel size 3.")
    if st.button("Measure again", help="Timings vary with what else the server is doing; this re-runs them."):
        measure.clear()
        st.rerun()

rnn = np.array([np.nan if s is None else s for s in res.seconds["RNN"]], dtype=float)
att = np.array([np.nan if s is None else s for s in res.seconds["self-attention"]], dtype=float)
with numbers:
    st.markdown(
        f"- **The RNN's time grows in proportion to T**: its T steps are a chain, each a small matrix product "
        f"(here {np.nanmedian(rnn / np.array(res.lengths)) * 1e6:.1f} µs per step).\n"
        "- **Self-attention does more arithmetic**, T² pairs of positions, so on one CPU thread it can be *slower* "
        f"than the RNN for long sequences (at T = {res.lengths[-1]}: attention {att[-1] * 1e3:.1f} ms vs RNN "
        f"{rnn[-1] * 1e3:.1f} ms). But all of that work is independent: it is one big matrix product.\n"
        f"- **A convolution is one step too**, but one layer with kernel 3 only sees 3 neighbours; to connect the "
        f"last output to the first input at T = {res.lengths[-1]} takes "
        f"{conv_layers_to_see_everything(res.lengths[-1])} stacked layers (or dilations, as in WaveNet)."
    )
    st.info(
        "**On a GPU**, thousands of cores work at once: attention and convolution hand them all T positions (times "
        "the batch) in a single step, so their time barely grows with T until the GPU is full, while the RNN can "
        "only give them one time step's worth of work, T times in a row. This is why training large sequence models "
        "moved from RNNs to Transformers. (This server has no GPU, so that part is not measured here.)"
    )
    lesson_link("pages/gradients.py", label="Back to: vanishing & exploding gradients")

try_this.markdown(
    "- Double T from 256 to 512. By what factor does each layer's time grow? Which one is linear in T, which one "
    "quadratic?\n"
    "- Set the batch to 32. The RNN still takes T steps, but each step now does 32 sequences at once: what happens to "
    "its time per sequence?\n"
    "- If a GPU made every *single step* 100× faster, how long would the RNN and the attention layer take at T = 1024?"
)
