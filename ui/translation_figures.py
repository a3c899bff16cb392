"""Figures of the Translation page: attention heatmap, probability bars, BLEU-by-length lines,
and the source-word chips that mark words read as several subword pieces.

Each function takes computed data (no model calls). Every token that reaches Plotly or HTML is
escaped (Plotly reads ``<b>`` or ``</s>`` in labels as markup).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.palette import BLUE, GREY, ORANGE, VERMILION
from ui.svg import heatmap_figure

#: Bar charts label at most about this many bars (every k-th, and the highlighted one); hover names each.
MAX_BAR_LABELS = 16
#: Above this many columns the heatmap leaves the numbers out of its cells (hover still shows them).
MAX_NUMBERED_COLUMNS = 14


def plotly_text(tok: str) -> str:
    """Plotly reads ``<…>`` in labels as markup (``</s>`` would vanish): escape it."""
    return html.escape(tok, quote=False)


def attention_heatmap(matrix: np.ndarray, source: Sequence[str], output: Sequence[str],
                      unit: str = "word") -> dict:
    """``matrix[t, j]``: attention of output ``t`` (row) on source ``j`` (column); ``unit`` names the labels.

    A figure for :func:`ui.svg.figure_svg` (drawn as SVG: one Plotly heatmap with its numbers took the browser
    longer to redraw than the rest of the page). Small maps write each α ≥ 0.1 in its cell; hovering any cell
    gives its value."""
    z = np.asarray(matrix, dtype=float)
    src, out = [plotly_text(t) for t in source], [plotly_text(t) for t in output]
    numbered = z.shape[1] <= MAX_NUMBERED_COLUMNS and z.shape[0] <= 30

    def value(r: int, c: int) -> tuple[str, str] | None:
        v = float(z[r, c])
        return (f"{v:.2f}", "#FFFFFF" if v > 0.55 else "#1A1A1A") if v >= 0.1 else None

    return heatmap_figure(
        z.tolist(), row_labels=out, col_labels=src, zmin=0, zmax=1,
        cell_hover=lambda r, c: f"writing {unit} “{out[r]}” ← reading “{src[c]}”: α = {z[r, c]:.3f}",
        cell_text=value if numbered else None, label_angle=-45 if len(src) > 10 else 0, row_height=28,
        x_title=f"English {unit}s (source)", y_title=f"French {unit}s (output)")


def probability_bars(labels: Sequence[str], values: Sequence[float], highlight: int | None, xtitle: str,
                     hover: str, highlight_name: str) -> go.Figure:
    """Bars of probabilities; bar ``highlight`` in orange with a legend entry ``highlight_name``
    (so the colour is explained on the chart itself), the others in ``GREY``/``BLUE``."""
    colors = [ORANGE if i == highlight else BLUE for i in range(len(labels))]
    every = -(-len(labels) // MAX_BAR_LABELS)   # many bars (a sentence in another script read as bytes): label some
    ticks = sorted({*range(0, len(labels), every), *([highlight] if highlight is not None else [])})
    fig = go.Figure(go.Bar(x=list(range(len(labels))), y=list(values), marker_color=colors,
                           customdata=[plotly_text(x) for x in labels], showlegend=False,
                           text=[f"{v:.2f}" for v in values], textposition="outside",
                           hovertemplate=hover + "<extra></extra>"))
    if highlight is not None:
        fig.add_trace(go.Bar(x=[None], y=[None], marker_color=ORANGE, name=highlight_name, showlegend=True))
    fig.update_layout(height=260, margin=dict(l=5, r=5, t=30, b=5), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      yaxis=dict(range=[0, 1.18], title="probability"),
                      xaxis=dict(tickmode="array", tickvals=ticks, ticktext=[plotly_text(labels[i]) for i in ticks],
                                 title=xtitle, tickangle=-45 if len(labels) > 10 else 0))
    return fig


def bleu_by_length(series: dict[str, list[dict]], xtitle: str, ytitle: str, key: str = "bleu_lc") -> go.Figure:
    """Lines of BLEU (``key``) by length bucket, one per model; ``series`` maps a label to bucket rows
    (``bucket``, ``n``, ``key``). The first label is drawn in blue, the second in vermilion."""
    fig = go.Figure()
    for (label, rows), color, dash in zip(series.items(), (BLUE, VERMILION), ("solid", "dash")):
        fig.add_trace(go.Scatter(
            x=[r["bucket"] for r in rows], y=[r[key] for r in rows], mode="lines+markers", name=label,
            line=dict(color=color, width=3, dash=dash), marker=dict(size=9), customdata=[r["n"] for r in rows],
            hovertemplate="%{x} words: BLEU %{y:.1f} (%{customdata} inputs)<extra>" + label + "</extra>"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      xaxis=dict(title=xtitle, type="category"), yaxis=dict(title=ytitle, rangemode="tozero"),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return fig


def word_chips(words: Sequence[str], pieces: Sequence[Sequence[str]], byte_piece: Sequence[Sequence[bool]],
               seen: Sequence[int | None] | None = None, sentences: int = 0) -> str:
    """Source words as chips (escaped HTML); a word read as several pieces shows them separated by
    a dot in a dashed orange chip, and raw UTF-8 byte pieces (characters the vocabulary lacks) in vermilion.
    ``seen[i]`` (when given) is how often word ``i`` occurs in the ``sentences`` training sentences: it goes
    into the chip's tooltip, and a word never seen gets a small “new” mark.

    The chips sit in one ``<div>`` on one line, so Markdown does not parse the words between the tags."""
    chips = []
    seen = list(seen) if seen is not None else [None] * len(words)
    for word, parts, bytes_, count in zip(words, pieces, byte_piece, seen):
        shown = [p.replace("\u2581", "") for p in parts]
        if any(bytes_):
            style, title = f"border:2px dashed {VERMILION};color:{VERMILION}", \
                f"{len(parts)} pieces, {sum(bytes_)} of them raw bytes (characters not in the vocabulary)"
        elif len(parts) > 1:
            style, title = f"border:2px dashed {ORANGE}", f"read as {len(parts)} pieces"
        else:
            style, title = f"border:1px solid {GREY}", "one piece"
        inner = html.escape(word) if len(parts) == 1 else \
            html.escape(word) + f'<sub style="color:{GREY}"> ' + "·".join(html.escape(s) for s in shown) + "</sub>"
        if count is not None:
            title += f"; {'never' if count == 0 else f'{count:,} time' + ('s' if count != 1 else '')} in the " \
                     f"{sentences:,} training sentences"
            if count == 0:
                inner += f'<sup style="color:{VERMILION};font-size:0.7em"> new</sup>'
        chips.append(f'<span class="tr-chip" title="{html.escape(title)}" style="{style};border-radius:6px;'
                     f'padding:1px 6px;margin:2px;display:inline-block">{inner}</span>')
    return '<div class="tr-chips" style="margin-bottom:0.75rem">' + "".join(chips) + "</div>"
