"""Figures of the vanishing & exploding gradients page (each takes computed data, returns a plotly figure)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sequence_models.limitations.gradients import format_log10, log10_or_none
from ui.charts import style_subplots
from ui.palette import BLUE, GREEN, GREY, INK, VERMILION

FLOAT_LIMITS = {"float64": (4.9e-324, 1.8e308), "float32": (1.4e-45, 3.4e38)}
#: fill of the band that marks steps whose values are no longer finite (nothing to plot there)
NONFINITE_FILL = "#d9d9d9"


def steps_word(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def sup(n: int) -> str:
    return f"10<sup>{n}</sup>"


def log_axis(lo: float, hi: float) -> dict:
    """A y axis over log10 values with ticks written as powers of ten."""
    span = max(hi - lo, 1.0)
    step = max(1, int(math.ceil(span / 8)))
    ticks = list(range(int(math.floor(lo / step) * step), int(math.ceil(hi)) + step, step))
    return dict(tickvals=ticks, ticktext=[sup(t) for t in ticks], range=[lo, hi], zeroline=False)


def gradient_chart(res) -> go.Figure:
    """‖∂L/∂a⟨T−k⟩‖ against k on a log axis, the ρᵏ theory line (linear RNN), the memory-cell
    gradient (LSTM), markers for exact 0 / ∞ / nan and the float type's limits."""
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
             ("nan (inf − inf)", np.isnan(norms), top - pad * 0.6, "x", INK)]
    for name, mask, level, symbol, color in marks:
        if mask.any():
            fig.add_trace(go.Scatter(x=k[mask], y=[level] * int(mask.sum()), mode="markers",
                                     name=f"{name}: {steps_word(int(mask.sum()))}",
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
                      plot_bgcolor=NONFINITE_FILL, yaxis=dict(autorange="reversed"))
    return fig


def first_nonfinite(values) -> int | None:
    """Index of the first inf/nan in ``values`` (None if all are finite)."""
    return next((i for i, v in enumerate(values) if not math.isfinite(v)), None)


def clip_chart(runs, clip: float) -> go.Figure:
    """Loss and gradient norm of the two clipping runs (log scale). Steps whose value is no longer
    finite are a grey band (there is no number to plot), not markers on a fake level."""
    fig = make_subplots(rows=2, cols=2, shared_xaxes=True, vertical_spacing=0.12, horizontal_spacing=0.08,
                        subplot_titles=("No clipping: loss", f"Clipped (θ = {clip:g}): loss",
                                        "No clipping: ‖g‖", "Clipped: ‖g‖ before clipping"))
    for col, run in enumerate(runs, start=1):
        steps = np.arange(1, len(run.losses) + 1)
        color = VERMILION if run.clip is None else GREEN
        for row, values in ((1, run.losses), (2, run.grad_norms)):
            vals = np.asarray(values, dtype=float)
            ok = np.isfinite(vals) & (vals > 0)
            fig.add_trace(go.Scatter(x=steps[ok], y=np.log10(vals[ok]), mode="lines", line=dict(color=color),
                                     customdata=[f"{v:.3g}" for v in vals[ok]], showlegend=False,
                                     hovertemplate="step %{x}: %{customdata}<extra></extra>"), row=row, col=col)
            bad = first_nonfinite(vals)
            if bad is not None:
                fig.add_vrect(x0=bad + 0.5, x1=len(vals) + 0.5, fillcolor=NONFINITE_FILL, opacity=0.6, line_width=0,
                              layer="below", row=row, col=col)
                fig.add_annotation(x=bad + 1, y=0.5, xref=f"x{(row - 1) * 2 + col if (row, col) != (1, 1) else ''}",
                                   yref=f"y{(row - 1) * 2 + col if (row, col) != (1, 1) else ''} domain",
                                   text=f"∞ or nan<br>from step {bad + 1}", showarrow=False,
                                   xanchor="left", font=dict(size=11, color=INK))
        if run.clip is not None:   # the threshold θ (named in the caption, so no label covers the curve)
            fig.add_hline(y=math.log10(run.clip), line=dict(color=GREY, dash="dot"), row=2, col=col)
    return style_subplots(fig, 520, {1: "log₁₀ loss", 2: "log₁₀ ‖g‖"}, "training step", bottom_row=2, cols=2)
