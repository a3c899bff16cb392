"""Figures of the named-entities page: tag-probability heatmap, BIO tag strip, F1 bars.

Each function takes computed data (no model calls) and returns a Plotly figure or an HTML string
in which every token and tag is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui import palette

#: Above this many tokens the heatmap leaves the numbers out of its cells (hover still shows them).
MAX_NUMBERED_COLUMNS = 24
#: From this many tokens on, only the chosen tag's probability is written, in short form (".93").
COMPACT_FROM = 12
ROW_HEIGHT = 30


def tag_heatmap(tokens: Sequence[str], chosen: Sequence[str], probs: np.ndarray, tag_names: Sequence[str]) -> go.Figure:
    """tokens × tags: ``probs[r, c]`` = p(tag ``tag_names[r]`` | token ``c``); each token's chosen tag outlined.

    Numbers are written in cells with p ≥ 0.05 when there are at most :data:`MAX_NUMBERED_COLUMNS`
    tokens (from :data:`COMPACT_FROM` tokens on only in the chosen cells, as ".93", so they fit narrow
    columns on a phone), white on dark cells and black on light ones, readable at any row count.
    The title is left to the page (above the chart), where the Plotly toolbar cannot cover it.
    """
    z = np.asarray(probs, dtype=float)
    n_rows, n_cols = z.shape
    numbered = n_cols <= MAX_NUMBERED_COLUMNS
    compact = n_cols > COMPACT_FROM      # narrow cells (a phone): only the chosen tag's number, without "0"
    chosen_rows = {(list(tag_names).index(t), c) for c, t in enumerate(chosen) if t in tag_names}

    def label(r: int, c: int, v: float) -> str:
        if not numbered or v < 0.05 or (compact and (r, c) not in chosen_rows):
            return ""
        full = f"{v:.2f}"
        return ("1" if full == "1.00" else full.lstrip("0")) if compact else full

    text = [[label(r, c, v) for c, v in enumerate(row)] for r, row in enumerate(z)]
    hover = [[f"{html.escape(tokens[c])} → {tag_names[r]}: {z[r, c]:.3f}" for c in range(n_cols)]
             for r in range(n_rows)]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(n_cols)), y=list(tag_names), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        zmin=0, zmax=1, colorscale=[[0, "#FFFFFF"], [1, palette.BLUE]], colorbar={"title": "p", "thickness": 12},
        xgap=1, ygap=1))
    # numbers as annotations: per-cell colour for contrast (heatmap text has one colour)
    for r in range(n_rows):
        for c in range(n_cols):
            if text[r][c]:
                fig.add_annotation(x=c, y=tag_names[r], text=text[r][c], showarrow=False,
                                   font={"size": 10 if compact else 11,
                                         "color": "#FFFFFF" if z[r, c] > 0.55 else palette.INK})
    for c, tag in enumerate(chosen):
        if tag in tag_names:
            r = list(tag_names).index(tag)
            fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                          line={"color": palette.VERMILION, "width": 2.5})
    fig.update_layout(height=150 + ROW_HEIGHT * n_rows, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      xaxis={"tickmode": "array", "tickvals": list(range(n_cols)),
                             "ticktext": [html.escape(t, quote=False) for t in tokens],  # plotly reads <b>, <a> …
                             "tickangle": -45},
                      yaxis={"autorange": "reversed", "tickfont": {"size": 11}}, plot_bgcolor="white")
    return fig


def tag_strip_html(tokens: Sequence[str], tags: Sequence[str], invalid: Sequence[int]) -> str:
    """Tokens with their tags underneath, one box each; for each ``t`` in ``invalid`` the pair
    ``(t-1, t)`` (an ``I-`` tag after ``O`` or after another type) is boxed in vermilion.

    Boxes never break inside (``white-space: nowrap``); the row wraps between boxes."""
    bad_pairs = {t for i in invalid for t in (i - 1, i) if t >= 0}
    first_of_pair = {i - 1 for i in invalid}
    cells = []
    for t, (tok, tag) in enumerate(zip(tokens, tags)):
        border = (f"2px solid {palette.VERMILION}" if t in bad_pairs else "1px solid #CCCCCC")
        bg = "#FBE3D6" if t in bad_pairs else "#FFFFFF"
        arrow = (f'<span style="color:{palette.VERMILION};font-weight:700;margin:0 0.15em">→ ✗</span>'
                 if t in first_of_pair else "")
        cells.append(
            f'<span class="ner-tagbox" style="display:inline-block;white-space:nowrap;text-align:center;'
            f'border:{border};background:{bg};border-radius:0.3em;padding:0.1em 0.4em;margin:0.15em 0.1em">'
            f'{html.escape(tok)}<br><code style="font-size:0.8em">{html.escape(tag)}</code></span>{arrow}')
    return f'<div class="ner-tagstrip" style="line-height:1.3">{"".join(cells)}</div>'


def f1_bars(types: Sequence[str], names: Sequence[str], f1: dict[str, Sequence[float]], support: Sequence[int],
            threshold: float | None = None) -> go.Figure:
    """Grouped horizontal bars: F1 per type (rows, in the given order) for each model (``f1`` name → values)."""
    colours = [palette.BLUE, palette.ORANGE, palette.GREEN, palette.PURPLE]
    labels = [f"{n} ({t}, {s:,} spans)" if n != t else f"{t} ({s:,} spans)" for t, n, s in zip(types, names, support)]
    fig = go.Figure()
    for (model, values), colour in zip(f1.items(), colours):
        fig.add_trace(go.Bar(y=labels, x=list(values), name=model, orientation="h", marker_color=colour,
                             text=[f"{v:.2f}" for v in values], textposition="outside", cliponaxis=False,
                             hovertemplate="%{y}: F1 %{x:.3f}<extra>" + html.escape(model) + "</extra>"))
    if threshold is not None:
        fig.add_vline(x=threshold, line={"color": palette.GREY, "dash": "dot"})
    fig.update_layout(barmode="group", height=120 + 22 * len(types) * max(1, len(f1)),
                      margin={"l": 10, "r": 30, "t": 10, "b": 10}, xaxis={"range": [0, 1.1], "title": "F1"},
                      yaxis={"autorange": "reversed"}, legend={"orientation": "h", "y": -0.12},
                      plot_bgcolor="white")
    return fig
