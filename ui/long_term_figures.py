"""Figures of the long-term dependencies page (each takes computed data, returns a plotly figure)."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sequence_models.limitations.long_term import BASELINE_MSE, CELL_NAMES, LEARNED
from ui.charts import style_subplots
from ui.palette import BLUE, GREEN, GREY, ORANGE, VERMILION

COLORS = {"rnn": VERMILION, "lstm": BLUE, "gru": GREEN}
MUSIC_NAMES = {"rnn": "Vanilla RNN", "gru": "GRU", "lstm": "LSTM"}


def log_hline(fig: go.Figure, y: float, text: str, dash: str, side: str) -> None:
    """A labelled horizontal line on a log y axis (plotly places annotations there in log10 units)."""
    fig.add_hline(y=y, line=dict(color=GREY, dash=dash))
    fig.add_annotation(x=0.01 if side == "left" else 0.99, xref="paper", y=math.log10(y), yref="y", text=text,
                       showarrow=False, yshift=9, xanchor=side, font=dict(size=11, color=GREY))


def curve_figure(curves: dict, steps_total: int, height: int = 360) -> go.Figure:
    """Validation MSE of the live run, per cell, against the training step (log scale)."""
    fig = go.Figure()
    for cell, points in curves.items():
        if not points:
            continue
        xs, ys = zip(*points)
        fig.add_trace(go.Scatter(x=xs, y=[max(y, 1e-6) for y in ys], mode="lines+markers", name=CELL_NAMES[cell],
                                 line=dict(color=COLORS[cell], width=2), marker=dict(size=4),
                                 hovertemplate=f"{CELL_NAMES[cell]}, step %{{x}}: MSE %{{y:.4f}}<extra></extra>"))
    log_hline(fig, BASELINE_MSE, "trivial baseline: always answer 1 (MSE 1/6)", "dash", "right")
    log_hline(fig, LEARNED * BASELINE_MSE, f"learned: {LEARNED:.0%} of the baseline", "dot", "right")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.12), xaxis=dict(title="training step", range=[0, steps_total],
                                                                       gridcolor="#eee"),
                      yaxis=dict(type="log", title="validation MSE (log scale)", gridcolor="#eee", dtick=1,
                                 exponentformat="power"))
    return fig


def shown_sum(a: float, b: float, digits: int = 3) -> tuple[str, str, str]:
    """The two marked values and their sum as the page writes them: the sum is the sum of the
    *rounded* addends, so the equation adds up as shown (it differs from the exact target by at
    most one unit in the last digit)."""
    ra, rb = round(a, digits), round(b, digits)
    return f"{ra:.{digits}f}", f"{rb:.{digits}f}", f"{ra + rb:.{digits}f}"


def example_figure(values: np.ndarray, marks: np.ndarray) -> go.Figure:
    """One adding-problem sequence: a bar per step, the two marked steps in orange."""
    length = len(values)
    colors = [ORANGE if m else "#c9d3dd" for m in marks]
    a, b = values[marks == 1][:2]
    sa, sb, total = shown_sum(float(a), float(b))
    fig = go.Figure(go.Bar(x=np.arange(1, length + 1), y=values, marker_color=colors,
                           hovertemplate="t=%{x}: value %{y:.4f}<extra></extra>"))
    fig.update_layout(height=170, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", bargap=0.1,
                      title=dict(text=f"One sequence, T = {length}: target = {sa} + {sb} = {total}",
                                 font=dict(size=13)),
                      xaxis_title="time step t", yaxis=dict(title="value", range=[0, 1]))
    return fig


def sweep_figure(data: dict) -> go.Figure:
    """Test MSE ÷ baseline against T for each cell: the mean over seeds, min–max bars and single seeds."""
    by_cell: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in data["results"]:
        by_cell[row["cell"]][row["length"]].append(row["test_mse"] / data["baseline_mse"])
    fig = go.Figure()
    for cell, per_len in by_cell.items():
        lengths = sorted(per_len)
        means = [float(np.mean(per_len[n])) for n in lengths]
        lo = [m - min(per_len[n]) for m, n in zip(means, lengths)]
        hi = [max(per_len[n]) - m for m, n in zip(means, lengths)]
        fig.add_trace(go.Scatter(x=lengths, y=means, mode="lines+markers", name=f"{CELL_NAMES[cell]} (mean of seeds)",
                                 line=dict(color=COLORS[cell], width=2),
                                 error_y=dict(type="data", symmetric=False, array=hi, arrayminus=lo, thickness=1,
                                              width=4, color=COLORS[cell]),
                                 hovertemplate=f"{CELL_NAMES[cell]}, T=%{{x}}: %{{y:.3f}} × baseline<extra></extra>"))
        xs = [n for n in lengths for _ in per_len[n]]
        ys = [v for n in lengths for v in per_len[n]]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", showlegend=False, opacity=0.5,
                                 marker=dict(color=COLORS[cell], size=6, symbol="circle-open"),
                                 hovertemplate=f"{CELL_NAMES[cell]} (one seed), T=%{{x}}: %{{y:.3f}}<extra></extra>"))
    log_hline(fig, 1.0, "trivial baseline", "dash", "left")
    log_hline(fig, LEARNED, f"learned ({LEARNED:.0%} of baseline)", "dot", "left")
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.12),
                      xaxis=dict(type="log", title="sequence length T (the first mark is ≥ T/2 steps before the end)",
                                 tickvals=sorted({r["length"] for r in data["results"]}), gridcolor="#eee"),
                      yaxis=dict(type="log", title="test MSE ÷ baseline MSE", gridcolor="#eee", dtick=1,
                                 exponentformat="power"))
    return fig


def gates_figure(trace) -> go.Figure:
    """The LSTM's input, gates and memory cell on one sequence (units × time heatmaps with colour scales)."""
    length = trace.forget.shape[1]
    t = np.arange(1, length + 1)
    n_units = trace.forget.shape[0]
    units = [f"a{i + 1}" for i in range(n_units)]
    fig = make_subplots(rows=5, cols=1, shared_xaxes=True, vertical_spacing=0.035,
                        row_heights=[0.12, 0.22, 0.22, 0.22, 0.22],
                        subplot_titles=("input: value (orange = marked)", "forget gate Γ_f (1 = keep c⟨t−1⟩)",
                                        "update (input) gate Γ_u (1 = write c̃⟨t⟩)", "output gate Γ_o",
                                        "memory cell c⟨t⟩"))
    fig.add_trace(go.Bar(x=t, y=trace.values, marker_color=[ORANGE if m else "#c9d3dd" for m in trace.marks],
                         showlegend=False, hovertemplate="t=%{x}: %{y:.3f}<extra></extra>"), row=1, col=1)
    for row, (name, z) in enumerate((("Γ_f", trace.forget), ("Γ_u", trace.update), ("Γ_o", trace.output)), start=2):
        fig.add_trace(go.Heatmap(z=z, x=t, y=units, colorscale="Viridis", zmin=0, zmax=1, showscale=row == 2,
                                 colorbar=dict(title="gate", len=0.42, y=0.62, yanchor="middle"),
                                 hovertemplate=f"{name} unit %{{y}}, t=%{{x}}: %{{z:.3f}}<extra></extra>"),
                      row=row, col=1)
    lim = float(np.abs(trace.memory).max()) or 1.0
    fig.add_trace(go.Heatmap(z=trace.memory, x=t, y=units, colorscale="RdBu", zmid=0, zmin=-lim, zmax=lim,
                             showscale=True, colorbar=dict(title="c", len=0.2, y=0.1, yanchor="middle"),
                             hovertemplate="c unit %{y}, t=%{x}: %{z:.3f}<extra></extra>"),
                  row=5, col=1)
    for pos in np.flatnonzero(trace.marks) + 1:
        fig.add_vline(x=pos, line=dict(color=ORANGE, width=1, dash="dot"))
    fig = style_subplots(fig, 780, {1: "value", **{r: "hidden unit" for r in range(2, 6)}}, "time step t",
                         bottom_row=5, grid=False)
    ticks = [units[i] for i in sorted({0, n_units // 4, n_units // 2, 3 * n_units // 4, n_units - 1})]
    for row in range(2, 6):
        fig.update_yaxes(tickvals=ticks, row=row, col=1)
    return fig


def lookback_figure(curves: dict[str, list[float | None]], title: str = "", height: int = 380) -> go.Figure:
    """‖∂ log p(x⟨t+1⟩)/∂ e⟨t−k⟩‖ against k, one line per melody model (log scale)."""
    fig = go.Figure()
    for cell in ("rnn", "gru", "lstm"):
        if cell not in curves:
            continue
        ys = curves[cell]
        fig.add_trace(go.Scatter(x=list(range(len(ys))), y=ys, mode="lines", name=MUSIC_NAMES[cell],
                                 line=dict(color=COLORS[cell], width=2),
                                 hovertemplate=f"{MUSIC_NAMES[cell]}, k=%{{x}}: %{{y:.2e}}<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40 if title else 30, b=10), plot_bgcolor="white",
                      title=dict(text=title, font=dict(size=13)) if title else None,
                      legend=dict(orientation="h", y=1.12),
                      xaxis=dict(title="events back k (k = 0: the current input)", gridcolor="#eee"),
                      yaxis=dict(type="log", title="‖∂ log p(next) / ∂ e⟨t−k⟩‖ (log scale)", gridcolor="#eee",
                                 exponentformat="power"))
    return fig
