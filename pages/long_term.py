"""Long-term dependencies: RNN vs LSTM vs GRU trained live on the adding problem."""

import math
from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from sequence_models.limitations.long_term import (BASELINE_MSE, CELL_NAMES, LENGTH_RANGE, LiveConfig, adding_batch,
                                                   load_across_lag, load_lstm, lstm_gates, n_parameters,
                                                   train_side_by_side, warm_up)
from sequence_models.runtime import AssetError, make_generator, use_inference_threads
from ui import heavy
from ui.charts import style_subplots
from ui.inputs import whole_number_input
from ui.lessons import ensure_app_navigation, lesson_link
from ui.palette import BLUE, GREEN, GREY, ORANGE, VERMILION
from ui.presentation import controls, intro, screens

ensure_app_navigation()  # first visit after a server start: go through app.py

COLORS = {"rnn": VERMILION, "lstm": BLUE, "gru": GREEN}
TIME_CAP = 45.0  # seconds; hard wall-clock cap of one live run (validated ≤ MAX_TIME_LIMIT)
LIVE_HIDDEN = 32

use_inference_threads(1)


@st.cache_resource(show_spinner="Loading PyTorch's optimizers (once per server)…")
def warmed_up() -> bool:
    warm_up()
    return True


warmed_up()


@st.cache_resource(show_spinner=False)
def committed_lstm():
    """The LSTM saved by `python -m sequence_models train limitations` (or the error message)."""
    try:
        return load_lstm(), None
    except AssetError as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False)
def across_lag():
    try:
        return load_across_lag(), None
    except AssetError as exc:
        return None, str(exc)


def log_hline(fig: go.Figure, y: float, text: str, dash: str, side: str) -> None:
    """A labelled horizontal line on a log y axis (plotly places annotations there in log10 units)."""
    fig.add_hline(y=y, line=dict(color=GREY, dash=dash))
    fig.add_annotation(x=0.01 if side == "left" else 0.99, xref="paper", y=math.log10(y), yref="y", text=text,
                       showarrow=False, yshift=9, xanchor=side, font=dict(size=11, color=GREY))


def curve_figure(curves: dict, steps_total: int, height: int = 360) -> go.Figure:
    fig = go.Figure()
    for cell, points in curves.items():
        if not points:
            continue
        xs, ys = zip(*points)
        fig.add_trace(go.Scatter(x=xs, y=[max(y, 1e-6) for y in ys], mode="lines+markers", name=CELL_NAMES[cell],
                                 line=dict(color=COLORS[cell], width=2), marker=dict(size=4),
                                 hovertemplate=f"{CELL_NAMES[cell]}, step %{{x}}: MSE %{{y:.4f}}<extra></extra>"))
    log_hline(fig, BASELINE_MSE, "trivial baseline: always answer 1 (MSE 1/6)", "dash", "right")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.12), xaxis=dict(title="training step", range=[0, steps_total],
                                                                       gridcolor="#eee"),
                      yaxis=dict(type="log", title="validation MSE (log scale)", gridcolor="#eee", dtick=1,
                                 exponentformat="power"))
    return fig


def example_figure(length: int, seed: int) -> go.Figure:
    x, y = adding_batch(1, length, make_generator(seed))
    values, marks = x[0, :, 0].numpy(), x[0, :, 1].numpy()
    colors = [ORANGE if m else "#c9d3dd" for m in marks]
    fig = go.Figure(go.Bar(x=np.arange(1, length + 1), y=values, marker_color=colors,
                           hovertemplate="t=%{x}: value %{y:.3f}<extra></extra>"))
    fig.update_layout(height=170, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", bargap=0.1,
                      title=dict(text=f"One sequence, T = {length}: target = {values[marks == 1][0]:.2f} + "
                                 f"{values[marks == 1][1]:.2f} = {float(y[0]):.2f}", font=dict(size=13)),
                      xaxis_title="time step t", yaxis=dict(title="value", range=[0, 1]))
    return fig


def sweep_figure(data: dict) -> go.Figure:
    by_cell: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in data["results"]:
        by_cell[row["cell"]][row["length"]].append(row["test_mse"] / data["baseline_mse"])
    fig = go.Figure()
    for cell, per_len in by_cell.items():
        lengths = sorted(per_len)
        fig.add_trace(go.Scatter(x=lengths, y=[float(np.mean(per_len[n])) for n in lengths], mode="lines+markers",
                                 name=f"{CELL_NAMES[cell]} (mean of seeds)", line=dict(color=COLORS[cell], width=2),
                                 hovertemplate=f"{CELL_NAMES[cell]}, T=%{{x}}: %{{y:.3f}} × baseline<extra></extra>"))
        xs = [n for n in lengths for _ in per_len[n]]
        ys = [v for n in lengths for v in per_len[n]]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", showlegend=False, opacity=0.5,
                                 marker=dict(color=COLORS[cell], size=6, symbol="circle-open"),
                                 hovertemplate=f"{CELL_NAMES[cell]} (one seed), T=%{{x}}: %{{y:.3f}}<extra></extra>"))
    log_hline(fig, 1.0, "trivial baseline", "dash", "left")
    log_hline(fig, 0.1, "learned (10% of baseline)", "dot", "left")
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.12),
                      xaxis=dict(type="log", title="sequence length T (the first mark is ≥ T/2 steps before the end)",
                                 tickvals=sorted({r["length"] for r in data["results"]}), gridcolor="#eee"),
                      yaxis=dict(type="log", title="test MSE ÷ baseline MSE", gridcolor="#eee", dtick=1,
                                 exponentformat="power"))
    return fig


def longest_learned(data: dict, threshold: float = 0.1) -> dict[str, int | None]:
    """Per cell, the longest T whose mean relative MSE is below ``threshold``."""
    per: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in data["results"]:
        per[row["cell"]][row["length"]].append(row["test_mse"] / data["baseline_mse"])
    return {c: max((n for n, v in lens.items() if np.mean(v) < threshold), default=None) for c, lens in per.items()}


def gates_figure(trace) -> go.Figure:
    length = trace.forget.shape[1]
    t = np.arange(1, length + 1)
    units = [f"a{i + 1}" for i in range(trace.forget.shape[0])]
    fig = make_subplots(rows=5, cols=1, shared_xaxes=True, vertical_spacing=0.035,
                        row_heights=[0.12, 0.22, 0.22, 0.22, 0.22],
                        subplot_titles=("input: value (orange = marked)", "forget gate Γ_f (1 = keep c⟨t−1⟩)",
                                        "update (input) gate Γ_u (1 = write c̃⟨t⟩)", "output gate Γ_o",
                                        "memory cell c⟨t⟩"))
    fig.add_trace(go.Bar(x=t, y=trace.values, marker_color=[ORANGE if m else "#c9d3dd" for m in trace.marks],
                         showlegend=False, hovertemplate="t=%{x}: %{y:.3f}<extra></extra>"), row=1, col=1)
    for row, (name, z) in enumerate((("Γ_f", trace.forget), ("Γ_u", trace.update), ("Γ_o", trace.output)), start=2):
        fig.add_trace(go.Heatmap(z=z, x=t, y=units, colorscale="Viridis", zmin=0, zmax=1, showscale=row == 2,
                                 colorbar=dict(title="gate", len=0.6, y=0.55),
                                 hovertemplate=f"{name} unit %{{y}}, t=%{{x}}: %{{z:.3f}}<extra></extra>"),
                      row=row, col=1)
    lim = float(np.abs(trace.memory).max()) or 1.0
    fig.add_trace(go.Heatmap(z=trace.memory, x=t, y=units, colorscale="RdBu", zmid=0, zmin=-lim, zmax=lim,
                             showscale=False, hovertemplate="c unit %{y}, t=%{x}: %{z:.3f}<extra></extra>"),
                  row=5, col=1)
    for pos in np.flatnonzero(trace.marks) + 1:
        fig.add_vline(x=pos, line=dict(color=ORANGE, width=1, dash="dot"))
    return style_subplots(fig, 760, {r: "units" for r in range(2, 6)}, "time step t", bottom_row=5,
                          y_tick_labels=False, grid=False)


st.title("Long-term dependencies")
intro(
    "The *adding problem*: every step of a sequence carries a number between 0 and 1, and "
    "exactly two steps are marked, one in the first half and one in the second. At the end the model must output "
    "the sum of the two marked numbers, so it has to carry the first one for at least T/2 steps while ignoring "
    "everything else. You train a vanilla RNN, an LSTM and a GRU with the same number of hidden units side by "
    "side, live, and watch whose loss leaves the trivial baseline (always answer 1, MSE = 1/6). A chart "
    "computed by a script in the repository then shows the whole picture across lengths, and the LSTM's gates "
    "show how its memory is kept."
)
problem, training, across, inside, try_this = screens(["The adding problem", "Train them yourself",
                                                      "The full picture across lengths", "Inside the LSTM: the gates",
                                                      "Try this"])
problem.plotly_chart(example_figure(20, 3), width="stretch", key="example", config={"displayModeBar": False})

# Training runs at the end of this script (drawn into `training`, the second screen, made above), so any
# click, Stop included, starts a rerun that interrupts it at its next chart update. A run still marked
# "running" was interrupted so; one still "queued" never got past the heavy-job limiter (busy server).
_state = st.session_state.get("lt_run")
if _state and _state["status"] == "running" and not st.session_state.get("lt_start"):
    _state["status"] = "stopped" if st.session_state.get("lt_stop") else "interrupted"
    if _state.get("lstm") is not None:
        st.session_state["lt_lstm"] = (_state["lstm"], _state["length"])


def live_experiment() -> None:
    with controls("Length, steps and seed"):
        c1, c2, c3 = st.columns([3, 2, 1])
        length = c1.slider("Sequence length T (the lag)", *LENGTH_RANGE, value=40, key="lag", bind="query-params",
                           help="The first marked number sits in the first half, so it must be remembered for at "
                                "least T/2 steps.")
        steps = c2.select_slider("Training steps (each model)", [250, 500, 1000, 1500, 2000, 3000], value=1500,
                                 key="steps", bind="query-params")
        seed = whole_number_input("Seed", 0, 99, value=0, key="lseed", container=c3)
    b1, b2, b3 = st.columns([3, 1, 4], vertical_alignment="center")  # room for the label at presentation size
    start = b1.button("▶ Train RNN, LSTM and GRU", type="primary", key="lt_start")
    b2.button("■ Stop", key="lt_stop", help="Stops the run; the curves so far stay on the page.")
    b3.caption(f"{LIVE_HIDDEN} hidden units each, Adam (lr 0.01), batches of 32, one CPU thread; the run ends "
               f"after the chosen steps or after {TIME_CAP:.0f} s, whichever comes first.")
    progress = st.empty()
    chart = st.empty()
    state = st.session_state.get("lt_run")
    if start:
        cfg = LiveConfig(length=int(length), hidden=LIVE_HIDDEN, steps=int(steps), seed=int(seed), time_limit=TIME_CAP)
        state = {"length": cfg.length, "steps_total": cfg.steps, "curves": {}, "steps_done": 0, "elapsed": 0.0,
                 "status": "queued", "draws": 0}
        st.session_state["lt_run"] = state

        def on_progress(result) -> None:
            state.update(curves={c: list(v) for c, v in result.curves.items()}, steps_done=result.steps_done,
                         elapsed=result.elapsed, lstm=result.models.get("lstm"))
            st.session_state["lt_params"] = {c: n_parameters(m) for c, m in result.models.items()}
            state["draws"] += 1
            progress.progress(min(result.steps_done / cfg.steps, 1.0),
                              text=f"step {result.steps_done} / {cfg.steps} · {result.elapsed:.1f} s of the "
                                   f"{TIME_CAP:.0f} s cap")
            chart.plotly_chart(curve_figure(state["curves"], cfg.steps), width="stretch",
                               key=f"live_{state['draws']}", config={"displayModeBar": False})

        # One run per session and a few per server; a queued run shows its place and the clock starts
        # only when it gets a slot. Each progress update is an st call, so a closed tab stops the run there.
        # If no slot comes, heavy.job says "busy" and stops the script: the run stays "queued".
        with (heavy.job("live training", take_slot=True, wait=heavy.TRAINING_WAIT),
              st.spinner("Training…", show_time=True)):
            state["status"] = "running"
            result = train_side_by_side(cfg, on_progress=on_progress)
        state["status"] = result.stopped
        st.session_state["lt_lstm"] = (result.models["lstm"], cfg.length)
        st.rerun()  # redraw the gate heatmap with the model just trained
    if not state:
        progress.info("Press **Train** to start. Nothing has been trained in this session yet.")
        return
    if state["status"] == "queued":
        progress.warning(f"The run at T = {state['length']} did not start: the server was busy (heavy work is "
                         f"limited to {heavy.LIMITER.limit} jobs at a time, one per session). Press **Train** to "
                         "try again in a moment.")
        return
    done = state["steps_done"]
    reason = {"done": f"finished all {state['steps_total']} steps",
              "time": f"stopped by the {TIME_CAP:.0f} s time cap after {done} of {state['steps_total']} steps",
              "stopped": f"stopped by you after {done} steps",
              "interrupted": f"interrupted after {done} steps (a control changed while it ran)",
              "running": f"{done} steps so far"}[state["status"]]
    progress.progress(min(done / max(state["steps_total"], 1), 1.0),
                      text=f"T = {state['length']}: {reason}, {state['elapsed']:.1f} s")
    chart.plotly_chart(curve_figure(state["curves"], state["steps_total"]), width="stretch", key="live_final",
                       config={"displayModeBar": False})
    final = {c: v[-1][1] for c, v in state["curves"].items() if v}
    params = st.session_state.get("lt_params", {})
    cols = st.columns(len(final) or 1)
    for col, (cell, mse) in zip(cols, final.items()):
        ratio = mse / BASELINE_MSE
        verdict = "learned" if ratio < 0.1 else ("partly" if ratio < 0.5 else "no better than guessing")
        col.metric(CELL_NAMES[cell], f"MSE {mse:.4f}", f"{mse / BASELINE_MSE:.2f} × baseline · {verdict}",
                   delta_color="off", delta_arrow="off", help=f"{params.get(cell, '?')} parameters")


with across:
    data, err = across_lag()
    if err:
        st.error(err)
    else:
        st.plotly_chart(sweep_figure(data), width="stretch", key="sweep", config={"displayModeBar": False})
        learned = longest_learned(data)
        cfg = data["config"]
        parts = [f"**{CELL_NAMES[c]}**: {'T = ' + str(n) if n else 'none of the lengths tried'}"
                 for c, n in learned.items()]
        st.markdown("Longest length learned (mean test MSE below 10% of the baseline): " + "; ".join(parts) + ".")
        st.caption(f"From `python -m sequence_models train limitations`: {cfg['hidden']} hidden units, "
                   f"{cfg['steps']} Adam steps (lr {cfg['lr']}, batch {cfg['batch']}) per model, seeds "
                   f"{', '.join(map(str, cfg['seeds']))}, test MSE on {cfg['test_size']} fresh sequences; "
                   f"{data['cpu_seconds_total']:.0f} s of CPU on one thread. Open circles are single seeds.")

with inside:
    live = st.session_state.get("lt_lstm")
    model, model_err = committed_lstm()
    source = None
    if live is not None:
        model, trained_len = live
        source = f"the LSTM you just trained (T = {trained_len})"
    elif model is not None:
        ckpt_len = int(data["config"]["lstm_length"]) if data else 40
        trained_len = ckpt_len
        source = f"the LSTM saved by the repository's script (trained at T = {ckpt_len})"
    if model is None:
        st.error(model_err)
    else:
        with controls("Example sequence"):
            g1, g2 = st.columns(2)
            gate_len = g1.slider("Length of the example", 10, 120, value=min(max(trained_len, 10), 120), key="gT",
                                 bind="query-params")
            ex = whole_number_input("Example sequence", 0, 999, value=0, key="ex", container=g2)
        tr = lstm_gates(model, int(gate_len), seed=int(ex))
        st.markdown(f"Gates of {source} on one sequence: target **{tr.target:.3f}**, LSTM answers "
                    f"**{tr.prediction:.3f}** (error {abs(tr.prediction - tr.target):.3f}). Computed with the "
                    "course's `LSTMCell` (weights copied from the trained `torch.nn.LSTM`).")
        st.plotly_chart(gates_figure(tr), width="stretch", key="gates", config={"displayModeBar": False})
        st.caption("Each heatmap row is one of the hidden units; dotted orange lines mark the two marked steps. "
                   "Look for units whose update gate opens at a mark (writing the value into c) and whose forget "
                   "gate stays near 1 afterwards (keeping it): their row of c⟨t⟩ changes at the mark and then "
                   "holds steady.")

    lesson_link("pages/parallelism.py", label="Next: why RNNs cannot be parallelised over time")

try_this.markdown(
    "- Train at T = 10, then at T = 80. At which length does the vanilla RNN stop leaving the baseline? Does the "
    "across-length chart agree with your run?\n"
    "- In the gate heatmaps, find a unit whose memory c⟨t⟩ jumps at the first mark. What is its forget gate doing "
    "between the two marks?\n"
    "- The LSTM has four times as many weights as the vanilla RNN with the same hidden size (hover the final "
    "scores). Is size the reason it wins? What would you train to find out?"
)

with training:
    live_experiment()
