"""Figures of the no-parallelism page (each takes computed data, returns a plotly figure)."""

from __future__ import annotations

import plotly.graph_objects as go

from sequence_models.limitations.parallelism import LAYERS, THREADS
from ui.palette import BLUE, GREEN, GREY, ORANGE, VERMILION

COLORS = dict(zip(LAYERS, (VERMILION, ORANGE, BLUE, GREEN)))
#: The speed-up compares the fewest threads measured with the most.
SLOW, FAST = THREADS[0], THREADS[-1]
SPEEDUP_TITLE = f"speed-up, {SLOW} → {FAST} threads (×)"
DASH = {"RNN": "solid", "LSTM": "dash", "self-attention": "solid", "1-D conv": "solid"}


def _layout(fig: go.Figure, lengths: list[int], y: dict, height: int = 380) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.12),
                      xaxis=dict(type="log", title="sequence length T", tickvals=lengths, gridcolor="#eee"),
                      yaxis=dict(gridcolor="#eee", **y))
    return fig


def per_layer_figure(lengths: list[int], series: dict[str, list[float | None]], y_title: str, unit: str,
                     log_y: bool = True, reference: float | None = None, reference_text: str = "") -> go.Figure:
    """One line per layer over T (gaps where a length was not measured)."""
    fig = go.Figure()
    for name in LAYERS:
        fig.add_trace(go.Scatter(x=lengths, y=series[name], mode="lines+markers", name=name,
                                 line=dict(color=COLORS[name], dash=DASH[name], width=2),
                                 hovertemplate=f"{name}, T=%{{x}}: %{{y:.3g}} {unit}<extra></extra>"))
    if reference is not None:
        fig.add_hline(y=reference, line=dict(color=GREY, dash="dot"), annotation_text=reference_text,
                      annotation_position="top left", annotation_font=dict(color=GREY, size=11))
    y = dict(title=y_title)
    if log_y:
        y.update(type="log", exponentformat="power")
    return _layout(fig, lengths, y)


def gflops_figure(res) -> go.Figure:
    return per_layer_figure(res.lengths, {k: res.gflops(k) for k in LAYERS},
                            "useful GFLOP/s on one core (log scale)", "GFLOP/s")


def speedup_figure(res) -> go.Figure:
    fig = per_layer_figure(res.lengths, {k: res.speedup(k, FAST, SLOW) for k in LAYERS}, SPEEDUP_TITLE, "×",
                           log_y=False, reference=1.0, reference_text="no gain")
    fig.add_hline(y=FAST / SLOW, line=dict(color=GREY, dash="dash"),
                  annotation_text=f"perfect: {FAST} cores, {FAST / SLOW:g}×",
                  annotation_position="top left", annotation_font=dict(color=GREY, size=11))
    return fig


def time_figure(res) -> go.Figure:
    ms = {k: [None if s is None else s * 1e3 for s in res.core_seconds(k)] for k in LAYERS}
    return per_layer_figure(res.lengths, ms, "forward time on one core (CPU ms, log scale)", "ms")


def same_flops_figure(sf) -> go.Figure:
    """GFLOP/s of the same products done T in a row vs at once, per thread count."""
    labels = [f"{sf.length} products in a row<br>[{sf.batch}×{sf.width}]·[{sf.width}×{sf.width}]",
              f"one product<br>[{sf.batch * sf.length}×{sf.width}]·[{sf.width}×{sf.width}]"]
    fig = go.Figure()
    one = [sf.gflops(sf.cpu_in_a_row), sf.gflops(sf.cpu_at_once)]
    fig.add_trace(go.Bar(x=labels, y=one, name="1 thread (CPU time)", marker_color=VERMILION,
                         text=[f"{v:.1f}" for v in one], textposition="outside",
                         hovertemplate="%{x}: %{y:.2f} GFLOP/s<extra>1 thread</extra>"))
    if 2 in sf.in_a_row:
        two = [sf.gflops(sf.in_a_row[2]), sf.gflops(sf.at_once[2])]
        fig.add_trace(go.Bar(x=labels, y=two, name="2 threads (wall clock)", marker_color=BLUE,
                             text=[f"{v:.1f}" for v in two], textposition="outside",
                             hovertemplate="%{x}: %{y:.2f} GFLOP/s<extra>2 threads</extra>"))
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", barmode="group",
                      legend=dict(orientation="h", y=1.15), yaxis=dict(title="useful GFLOP/s", gridcolor="#eee"))
    return fig


def gpu_figure(data: dict) -> go.Figure:
    lengths = data["lengths"]
    series = {k: [None if s is None else s * 1e3 for s in data["seconds"][k]] for k in LAYERS}
    return per_layer_figure(lengths, series, f"forward time on {data['device']} (ms, log scale)", "ms")
