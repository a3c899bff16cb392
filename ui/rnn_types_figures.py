"""Figures of the RNN-types page (the unrolled diagram itself is in :mod:`ui.rnn_diagram`)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ui.palette import BLUE, ORANGE


def output_bars(labels: Sequence[str], probs: Sequence[float], chosen: str) -> go.Figure:
    """ŷ⟨t⟩ as bars over the vocabulary (shown as ``labels``); the most likely character ``chosen`` is orange."""
    colors = [ORANGE if c == chosen else BLUE for c in labels]
    fig = go.Figure(go.Bar(x=list(labels), y=list(probs), marker_color=colors, text=[f"{p:.2f}" for p in probs],
                           textposition="outside", hovertemplate="P(next = %{x}) = %{y:.3f}<extra></extra>"))
    fig.update_layout(height=220, margin=dict(l=5, r=5, t=10, b=5), yaxis=dict(range=[0, 1.15], title="probability"),
                      xaxis_title="next character", plot_bgcolor="white")
    return fig


def weight_heatmap(name: str, title: str, z: Sequence[Sequence[float]], xs: Sequence[str],
                   ys: Sequence[str]) -> go.Figure:
    """One shared weight matrix ``z`` (rows ``ys``, columns ``xs``) with its values written in."""
    fig = go.Figure(go.Heatmap(z=z, x=list(xs), y=list(ys), colorscale="RdBu", zmid=0, texttemplate="%{z:.1f}",
                               showscale=False, hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>"))
    fig.update_layout(title=title, height=260, margin=dict(l=5, r=5, t=40, b=5), yaxis=dict(autorange="reversed"))
    return fig
