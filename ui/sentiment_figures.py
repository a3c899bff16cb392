"""Figures of the sentiment lesson: one function per view, each taking computed data (no model calls here)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sequence_models.rnn_types import ARCHITECTURES, Step, Unrolled
from sequence_models.sentiment.inference import Reading
from ui import palette
from ui.charts import style_subplots
from ui.rnn_diagram import GAP, unrolled_figure
from ui.svg import heatmap_figure

#: The diagram draws at most this many steps: the first few, "…", and the last ones (the verdict's).
DIAGRAM_STEPS = 8


def _label(token: str) -> str:
    """A token as plotly text: escaped (plotly reads <b>, <a> …), and short."""
    return html.escape(token if len(token) <= 14 else token[:13] + "…", quote=False)


def diagram(reading: Reading, *, compact: bool = False) -> dict:
    """The many-to-one wiring for this text, drawn by the RNN-types diagram: words in, one output at the end
    (a diagram for :func:`ui.svg.figure_svg`)."""
    n = len(reading.tokens)
    keep = list(range(n)) if n <= DIAGRAM_STEPS else [*range(3), *range(n - DIAGRAM_STEPS + 3, n)]
    steps = []
    for j, i in enumerate(keep):
        last = i == n - 1
        steps.append(Step(t=i + 1, role="cell", x_char=reading.tokens[i][:12], x_from_feedback=False, x=[],
                          a_prev=[], Wax_x=[], Waa_a=[], z=[], a=[], y_hat=None,
                          y_char=(reading.label or "") if last else None))
    fig = unrolled_figure(Unrolled(ARCHITECTURES["many_to_one"], n, 1, steps), active=n, compact=compact)
    hover = []
    for i in keep:
        hover.append(f"step {i + 1}: reads “{html.escape(reading.tokens[i])}”; the hidden state a&lt;{i + 1}&gt; "
                     f"({len(reading.hidden[i])} numbers) now sums up the first {i + 1} words")
    hover.append(f"ŷ = σ(W<sub>ya</sub> a&lt;{n}&gt; + b<sub>y</sub>) = P(positive) = {reading.prob_positive[-1]:.3f}"
                 if n else "")
    fig["data"][0]["hovertext"] = hover
    if len(keep) < n:  # mark the steps left out
        fig["layout"]["annotations"].append(dict(x=2.5 * GAP, y=0.62, text=f"… {n - len(keep)} more<br>steps …",
                                                 showarrow=False, font=dict(size=11, color=palette.GREY)))
    return fig


def move_colour(move: float, scale: float = 0.35) -> str:
    """Background colour for a word that moved P(positive) by ``move``: blue up, vermilion down, white none."""
    s = max(-1.0, min(1.0, move / scale))
    target = (0, 114, 178) if s >= 0 else (213, 94, 0)
    a = abs(s) * 0.75
    r, g, b = (round(255 + (c - 255) * a) for c in target)
    return f"rgb({r},{g},{b})"


def words_html(tokens: Sequence[str], moves: Sequence[float]) -> str:
    """The text as coloured word chips (escaped), each titled with its move."""
    chips = []
    for tok, mv in zip(tokens, moves):
        colour = move_colour(mv)
        ink = "white" if abs(mv) > 0.3 else palette.INK
        chips.append(f'<span title="{html.escape(f"{mv:+.3f}")}" style="background:{colour};color:{ink};'
                     f'padding:0.1em 0.35em;margin:0.1em;border-radius:0.3em;display:inline-block;'
                     f'border:1px solid #ddd">{html.escape(tok)}</span>')
    return f'<div style="line-height:2.1;font-size:1.05rem">{"".join(chips)}</div>'


def probability_chart(reading: Reading) -> go.Figure:
    """P(positive | the first t words) after each word (top) and each word's move (bottom)."""
    n = len(reading.tokens)
    x = list(range(1, n + 1))
    ticks = [_label(t) for t in reading.tokens]
    moves = reading.moves
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.06)
    fig.add_trace(go.Scatter(
        x=x, y=reading.prob_positive, mode="lines+markers", line=dict(color=palette.INK, width=2, shape="linear"),
        marker=dict(size=11, color=[move_colour(m) for m in moves], line=dict(color=palette.INK, width=1)),
        customdata=[[html.escape(t), m] for t, m in zip(reading.tokens, moves)],
        hovertemplate="after “%{customdata[0]}”: P(positive) = %{y:.3f} (%{customdata[1]:+.3f})<extra></extra>",
        showlegend=False), row=1, col=1)
    fig.add_hline(y=0.5, line=dict(color=palette.GREY, dash="dash", width=1), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=moves, marker_color=[palette.BLUE if m >= 0 else palette.VERMILION for m in moves],
                         hovertemplate="%{y:+.3f}<extra></extra>", showlegend=False), row=2, col=1)
    style_subplots(fig, 380, {1: "P(positive)", 2: "change"}, "", bottom_row=2)
    fig.update_yaxes(range=[-0.02, 1.02], row=1, col=1)
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=ticks, tickangle=-45 if n > 8 else 0, row=2, col=1)
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10))
    return fig


def bow_chart(reading: Reading) -> go.Figure:
    """The bag of words' sum: each word's weight (order does not matter), plus the bias."""
    tokens = [*reading.tokens, "(bias)"]
    weights = [*reading.bow_weights, reading.bow_bias]
    y = list(range(len(tokens)))
    fig = go.Figure(go.Bar(
        x=weights, y=y, orientation="h",
        marker_color=[palette.BLUE if w >= 0 else palette.VERMILION for w in weights[:-1]] + [palette.GREY],
        customdata=[html.escape(t) for t in tokens], text=[f"{w:+.2f}" for w in weights], textposition="outside",
        hovertemplate="%{customdata}: %{x:+.3f}<extra></extra>"))
    span = max([abs(w) for w in weights] + [0.5]) * 1.35
    fig.update_layout(height=min(120 + 22 * len(tokens), 900), margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor="white", xaxis=dict(title="weight (added to the logit)", range=[-span, span],
                                                       zeroline=True, zerolinecolor=palette.GREY, gridcolor="#eee"),
                      yaxis=dict(tickmode="array", tickvals=y, ticktext=[_label(t) for t in tokens],
                                 autorange="reversed"))
    return fig


#: Above this many cells the hidden-state heatmap gives one tooltip per word (its strongest units) instead of
#: one per cell: every unit of a 500-character review is ~13,000 cells, ~2 MB of tooltips for the browser.
MAX_CELL_TOOLTIPS = 2500
COLUMN_TOOLTIP_UNITS = 6


def hidden_heatmap(reading: Reading, head: Sequence[float], top: int = 24) -> dict:
    """The GRU's hidden units (rows) after each word (columns): the ``top`` units the output layer weighs most.

    Rows are sorted by the output weight W_ya (most "positive" units first), so a column's colours read
    as the summary vector the verdict is computed from. Blue: positive activation, vermilion: negative.
    A figure for :func:`ui.svg.figure_svg`; hovering a cell gives its word, unit and value (above
    :data:`MAX_CELL_TOOLTIPS` cells, hovering a column gives the word's strongest units)."""
    n_units = len(head)
    order = sorted(range(n_units), key=lambda u: -abs(head[u]))[:top]
    order.sort(key=lambda u: -head[u])
    z = [[reading.hidden[t][u] for t in range(len(reading.tokens))] for u in order]
    rows = [f"unit {u} (W<sub>ya</sub> {head[u]:+.2f})" for u in order]
    words = [html.escape(t) for t in reading.tokens]
    per_cell = len(order) * len(words) <= MAX_CELL_TOOLTIPS
    column_hover = None if per_cell else [
        f"after “{words[c]}”, the strongest of these units:<br>"
        + "<br>".join(f"unit {order[r]}: a = {z[r][c]:+.3f}"
                      for r in sorted(range(len(order)), key=lambda r: -abs(z[r][c]))[:COLUMN_TOOLTIP_UNITS])
        for c in range(len(words))]
    return heatmap_figure(
        z, row_labels=rows, col_labels=[_label(t) for t in reading.tokens], zmin=-1, zmax=1,
        scale=[(0, palette.VERMILION), (0.5, "#FFFFFF"), (1, palette.BLUE)],
        cell_hover=(lambda r, c: f"after “{words[c]}”<br>unit {order[r]}: a = {z[r][c]:+.3f}") if per_cell else None,
        column_hover=column_hover,
        label_angle=-45 if len(words) > 8 else 0, row_height=17, x_title="after the word", y_title="hidden unit")


def word_order_chart(kinds: Sequence[str], accuracies: dict[str, Sequence[float]]) -> go.Figure:
    """Accuracy on the word-order set by kind of pair, one bar per model (``accuracies``: model → one per kind)."""
    fig = go.Figure()
    for (name, acc), colour in zip(accuracies.items(), (palette.BLUE, palette.SKY, palette.ORANGE)):
        fig.add_trace(go.Bar(name=name, y=list(kinds), x=[100 * a for a in acc], orientation="h",
                             marker_color=colour, hovertemplate="%{y}: %{x:.0f} %<extra>" + name + "</extra>"))
    fig.add_vline(x=50, line=dict(color=palette.GREY, dash="dash", width=1))
    fig.update_layout(barmode="group", height=120 + 48 * len(kinds), plot_bgcolor="white",
                      margin=dict(l=10, r=10, t=10, b=10), legend=dict(orientation="h", y=-0.12),
                      xaxis=dict(title="% of texts right (50 % = a coin, and the bag of words)", range=[0, 100],
                                 gridcolor="#eee"), yaxis=dict(autorange="reversed"))
    return fig


def length_chart(buckets: Sequence[str], counts: Sequence[int], accuracies: dict[str, Sequence[float]]) -> go.Figure:
    """Test accuracy by text length (words), one line per model."""
    fig = go.Figure()
    labels = [f"{b} ({c:,})" for b, c in zip(buckets, counts)]
    for (name, acc), colour in zip(accuracies.items(), (palette.BLUE, palette.SKY, palette.ORANGE)):
        fig.add_trace(go.Scatter(x=labels, y=list(acc), name=name, mode="lines+markers", line=dict(color=colour),
                                 hovertemplate="%{x}: %{y:.3f}<extra>" + name + "</extra>"))
    fig.update_layout(height=300, plot_bgcolor="white", margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", y=-0.3), xaxis=dict(title="words (test texts)"),
                      yaxis=dict(title="accuracy", gridcolor="#eee"))
    return fig
