"""Plotly drawing of an unrolled RNN in the course's notation.

Cells sit in a row; inputs x<t> below, outputs ŷ<t> above, hidden states a<t>
pass left to right. Arrows carry the shared weights' names (W_ax, W_aa, W_ya).
Generated outputs that are fed back as the next input get a dashed arrow; the
decoder's start symbol gets a purple box and the word "start".
"""

from __future__ import annotations

import html

from sequence_models.rnn_types import VOCAB, Unrolled
from ui.palette import BLUE, GREEN, GREY, INK, LIGHT, ORANGE, PURPLE, SKY
from ui.svg import diagram_figure, hover_points

GAP = 1.7          # distance between cell centres
CELL_W, CELL_H = 1.0, 0.8
Y_IN, Y_OUT = -1.45, 1.45
BOX = 0.32         # half-size of the x / ŷ boxes
LABEL_ALL_MAX = 7  # with more cells than this, only the active step's arrows are labelled
MIN_SPAN_CELLS = {True: 3.6, False: 5.0}  # the x-axis spans at least this many cells (compact, full size)


def _fmt(v: list[float]) -> str:
    return "[" + ", ".join(f"{x:+.2f}" for x in v) + "]"


class _Canvas:
    """Shapes and annotations collected as plain dicts (Plotly's keys, drawn by :func:`ui.svg.figure_svg`)."""

    def __init__(self) -> None:
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    def add_shape(self, **kw) -> None:
        self.shapes.append(kw)

    def add_annotation(self, **kw) -> None:
        self.annotations.append(kw)


def _arrow(fig: _Canvas, x0: float, y0: float, x1: float, y1: float, *, color: str = INK,
           dash: bool = False, label: str = "", label_pos: tuple[float, float] | None = None, size: int = 12) -> None:
    if dash:  # plotly annotations cannot be dashed: draw a dashed line plus a head-only annotation
        fig.add_shape(type="line", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color=color, width=1.5, dash="dash"))
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                       showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=1.5,
                       arrowcolor=color, opacity=1.0 if not dash else 0.9,
                       standoff=0, startstandoff=0)
    if label:
        lx, ly = label_pos if label_pos else ((x0 + x1) / 2, (y0 + y1) / 2)
        fig.add_annotation(x=lx, y=ly, text=label, showarrow=False, font=dict(size=size, color=GREY))


def _label(fig: _Canvas, text: str, x: float, y: float, xanchor: str, size: int) -> None:
    """A weight name beside a vertical arrow (``xanchor`` "left": right of it; "right": left of it)."""
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, xanchor=xanchor, font=dict(size=size, color=GREY))


def _box(fig: _Canvas, cx: float, cy: float, hw: float, hh: float, *, fill: str, line: str,
         text: str, size: int, width: float = 1.5) -> None:
    fig.add_shape(type="rect", x0=cx - hw, y0=cy - hh, x1=cx + hw, y1=cy + hh,
                  fillcolor=fill, line=dict(color=line, width=width), layer="below")
    fig.add_annotation(x=cx, y=cy, text=text, showarrow=False, font=dict(size=size, color=INK))


def unrolled_figure(run: Unrolled, active: int | None = None, *, compact: bool = False) -> dict:
    """Draw ``run`` (from :func:`sequence_models.rnn_types.run_architecture`) as a diagram for
    :func:`ui.svg.figure_svg` (a plain dict: ``data`` holds the hover points, ``layout`` the rest).

    ``active`` (1-based) highlights that step's cell, input, output and incoming
    arrows. ``compact`` drops the weight labels for small multiples (thumbnails).
    With more than :data:`LABEL_ALL_MAX` cells only the active step's arrows carry
    their weight names (there is no room between cells for every label).
    """
    fig = _Canvas()
    n = len(run.steps)
    size = 12 if compact else (13 if n <= LABEL_ALL_MAX else 11)
    labelled = set() if compact else ({s.t for s in run.steps} if n <= LABEL_ALL_MAX else {active or 1})
    recurrent = run.arch.key != "one_to_one"  # one-to-one has no previous state: no a<0> arrow
    hover_x, hover_y, hover_text = [], [], []
    for i, step in enumerate(run.steps):
        cx = i * GAP
        is_active = active == step.t
        role_color = {"encoder": BLUE, "decoder": PURPLE}.get(step.role, BLUE)
        fill = ORANGE if is_active else LIGHT
        label = {"encoder": "enc", "decoder": "dec"}.get(step.role, "RNN")
        _box(fig, cx, 0, CELL_W / 2, CELL_H / 2, fill=fill, line=role_color, width=3 if is_active else 1.5,
             text="" if compact else f"<b>{label}</b><br>a<sup>&lt;{step.t}&gt;</sup>", size=size)
        hover_x.append(cx)
        hover_y.append(0)
        hover_text.append(f"step {step.t} ({step.role})<br>a&lt;{step.t}&gt; = {_fmt(step.a)}")
        named = step.t in labelled

        # hidden state in from the left (the first one is a<0> = 0, written above the arrow's start)
        if recurrent:
            start = cx - GAP + CELL_W / 2 if i else cx - GAP * 0.75
            if i == 0:
                fig.add_annotation(x=start, y=0.08, text="a<sup>&lt;0&gt;</sup>", showarrow=False, xanchor="left",
                                   yanchor="bottom", font=dict(size=size, color=GREY))
            # a fed-back input's dashed arrow crosses this gap: its W_aa label would sit on it
            show_waa = named and i > 0 and not step.x_from_feedback
            _arrow(fig, start, 0, cx - CELL_W / 2, 0, color=ORANGE if is_active else INK,
                   label="W<sub>aa</sub>" if show_waa else "", label_pos=(cx - GAP / 2, 0.17), size=size - 1)

        # input below
        if step.x_char is not None:
            char = html.escape(repr(step.x_char)[1:-1] if step.x_char != " " else "␣")
            if step.x_from_feedback or step.x_is_start:
                _box(fig, cx, Y_IN, BOX, BOX, fill="white", line=PURPLE if step.x_is_start else GREY, text=char,
                     size=size, width=2 if step.x_is_start else 1.5)
                if step.x_from_feedback and i > 0 and run.steps[i - 1].y_char is not None:  # dashed from ŷ<t-1>
                    _arrow(fig, cx - GAP + BOX, Y_OUT - BOX, cx - BOX, Y_IN + BOX, color=ORANGE if is_active else GREEN,
                           dash=True)
            else:
                _box(fig, cx, Y_IN, BOX, BOX, fill=SKY if not is_active else ORANGE, line=BLUE, text=char, size=size)
            _arrow(fig, cx, Y_IN + BOX, cx, -CELL_H / 2, color=ORANGE if is_active else INK)
            if named:
                _label(fig, "W<sub>ax</sub>", cx + 0.07, (Y_IN + BOX - CELL_H / 2) / 2, "left", size - 1)
            if not compact:
                sub = "<br>start" if step.x_is_start else ""
                fig.add_annotation(x=cx, y=Y_IN - BOX - 0.08, text=f"x<sup>&lt;{step.t}&gt;</sup>{sub}",
                                   showarrow=False, yanchor="top", font=dict(size=size - 1, color=GREY))

        # output above
        if step.y_char is not None:
            char = html.escape(step.y_char if step.y_char != " " else "␣")
            _box(fig, cx, Y_OUT, BOX, BOX, fill=GREEN if is_active else "#D9F2EA", line=GREEN, text=char, size=size)
            _arrow(fig, cx, CELL_H / 2, cx, Y_OUT - BOX, color=ORANGE if is_active else INK)
            if named:
                _label(fig, "W<sub>ya</sub>", cx - 0.07, (CELL_H / 2 + Y_OUT - BOX) / 2, "right", size - 1)
            if not compact:
                fig.add_annotation(x=cx, y=Y_OUT + BOX + 0.2, text=f"ŷ<sup>&lt;{step.t}&gt;</sup>", showarrow=False,
                                   font=dict(size=size - 1, color=GREY))
            probs = ", ".join(f"{c if c != ' ' else '␣'} {p:.2f}" for c, p in zip(VOCAB, step.y_hat or []))
            hover_x.append(cx)
            hover_y.append(Y_OUT)
            hover_text.append(f"ŷ&lt;{step.t}&gt; = softmax(W_ya a&lt;{step.t}&gt; + b_y)<br>{probs}")

    left, right = (-GAP * 0.85 if recurrent else -GAP * 0.6), max(n - 1, 0) * GAP + GAP * 0.6
    pad = max(0.0, (MIN_SPAN_CELLS[compact] * GAP - (right - left)) / 2)  # few cells: keep them cell-shaped
    return diagram_figure(fig.shapes, fig.annotations, height=200 if compact else 380,
                          x_range=[left - pad, right + pad],
                          y_range=[Y_IN - (0.75 if compact else 1.0), Y_OUT + 0.75],
                          hover=hover_points(hover_x, hover_y, hover_text))
