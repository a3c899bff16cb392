"""Figures of the music page: keyboard, piano roll, what the model was thinking, one step, the unrolled loop.

Colours mean the same thing in every figure: the **seed** (given, forced in, never sampled) is
purple; a **sampled** choice is orange (on the blue probability shading) and the generated notes of
the piano roll are blue.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sequence_models.music.corpus import REST
from sequence_models.music.events import NOTE_NAMES, PITCH_LO, TOKEN_PITCH, pitch_name, token_label
from sequence_models.music.generate import Melody
from ui.svg import diagram_figure, heatmap_figure, hover_points
from ui.palette import BLUE, GREEN, GREY, INK, LIGHT, ORANGE, PURPLE, SKY

SEED_COLOR = PURPLE      #: the seed: given, not sampled
SAMPLED_COLOR = ORANGE   #: a sampled choice
KEY_LO, KEY_HI = 48, 84  #: the clickable keyboard: C3 … C6
UNROLL_STEPS = 6         #: cells in the unrolled view


def pitch_ticks(lo: int, hi: int) -> list[int]:
    """Y-axis ticks for pitches ``lo…hi``: every pitch when the range is small (so a melody of one repeated
    note is labelled with that note), else the C, E and G of each octave."""
    if hi - lo <= 14:
        return list(range(lo, hi + 1))
    return [p for p in range(lo, hi + 1) if p % 12 in (0, 4, 7)]


def keyboard_figure(selected: int, enabled: bool = True) -> go.Figure:
    """A clickable piano keyboard from C3 to C6; the chosen seed key is purple. ``enabled=False`` greys it out
    (the page then shows it as a static picture: a MIDI file gives the seed)."""
    whites = [p for p in range(KEY_LO, KEY_HI + 1) if NOTE_NAMES[p % 12][-1] != "#"]
    blacks = [p for p in range(KEY_LO, KEY_HI + 1) if NOTE_NAMES[p % 12][-1] == "#"]
    pos = {p: i for i, p in enumerate(whites)}
    fig = go.Figure()
    fig.add_bar(x=[pos[p] for p in whites], y=[1.0] * len(whites), width=0.94, customdata=whites,
                marker=dict(color=[SEED_COLOR if p == selected else "white" for p in whites],
                            line=dict(color=INK, width=1)),
                text=[pitch_name(p) if p % 12 == 0 or p == selected else "" for p in whites], textposition="inside",
                insidetextanchor="start", textfont=dict(size=10, color=INK),
                hovertemplate="%{text}<extra>click to choose</extra>", name="white")
    fig.add_bar(x=[pos[p - 1] + 0.5 for p in blacks], y=[0.6] * len(blacks), base=[0.4] * len(blacks), width=0.6,
                customdata=blacks, marker=dict(color=[SEED_COLOR if p == selected else INK for p in blacks]),
                hovertext=[pitch_name(p) for p in blacks], hovertemplate="%{hovertext}<extra>click to choose</extra>",
                name="black")
    if not enabled:
        fig.update_traces(opacity=0.35, selector=dict(type="bar"))
    fig.update_layout(barmode="overlay", height=120, margin=dict(l=0, r=0, t=0, b=0), showlegend=False,
                      xaxis=dict(visible=False, range=[-0.6, len(whites) - 0.4], fixedrange=True),
                      yaxis=dict(visible=False, range=[0, 1.02], fixedrange=True), plot_bgcolor="white",
                      dragmode=False, clickmode="event+select")
    return fig


def _roll_traces(fig: go.Figure, melody: Melody, tempo: float, row: int | None = None, col: int | None = None,
                 legend: bool = True) -> tuple[int, int]:
    """Add the melody's notes as bars (seed purple, generated blue); return the pitch range shown."""
    beat = 60.0 / tempo
    notes = melody.notes(tempo)
    where = {"row": row, "col": col} if row else {}
    for is_seed, color, name in ((True, SEED_COLOR, "seed (given)"), (False, BLUE, "generated")):
        sel = [n for n in notes if (n["index"] < melody.n_seed) == is_seed]
        if not sel:
            continue
        fig.add_bar(
            base=[n["start"] / beat for n in sel], x=[(n["end"] - n["start"]) / beat for n in sel],
            y=[n["pitch"] for n in sel], orientation="h", width=0.8, name=name, showlegend=legend,
            marker=dict(color=color, line=dict(color=INK if is_seed else color, width=1.5 if is_seed else 0)),
            customdata=[[n["index"] + 1, pitch_name(n["pitch"]), melody.steps[n["index"]].prob] for n in sel],
            hovertemplate="step %{customdata[0]}: %{customdata[1]}, beat %{base:.2f}, %{x:.2f} beats"
                          "<br>p(sampled) = %{customdata[2]:.2f}<extra>" + name + "</extra>", **where)
    pitches = [n["pitch"] for n in notes] or [60]
    return min(pitches) - 2, max(pitches) + 2


def piano_roll(melody: Melody, tempo: float) -> go.Figure:
    """Notes as bars on a time × pitch grid; the seed purple (and pointed at), generated notes blue (the page's text
    says so: no legend to lay out on every new melody); hover shows the probability."""
    fig = go.Figure()
    lo, hi = _roll_traces(fig, melody, tempo)
    notes = melody.notes(tempo)
    if notes and melody.n_seed:
        first = notes[0]
        fig.add_annotation(x=first["start"] / (60.0 / tempo), y=first["pitch"], text="seed", showarrow=True,
                           arrowhead=2, ax=-10, ay=-30, font=dict(color=SEED_COLOR, size=13), arrowcolor=SEED_COLOR)
    ticks = pitch_ticks(lo, hi)
    fig.update_layout(height=320, margin=dict(l=5, r=5, t=10, b=5), barmode="overlay", plot_bgcolor="white",
                      showlegend=False, xaxis=dict(title="beat", gridcolor=LIGHT),
                      yaxis=dict(title="pitch", tickvals=ticks, ticktext=[pitch_name(p) for p in ticks],
                                 range=[lo - 0.5, hi + 0.5], gridcolor=LIGHT))
    return fig


def temperature_pair(melodies: Sequence[tuple[float, Melody]], tempo: float) -> go.Figure:
    """Piano rolls of the same seed at different temperatures, side by side, titled with their distinct notes."""
    titles = [f"temperature {t:g}: {len(set(m.pitches()))} distinct notes" for t, m in melodies]
    fig = make_subplots(rows=1, cols=len(melodies), subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.04)
    ranges = [_roll_traces(fig, m, tempo, 1, i + 1, legend=i == 0) for i, (_, m) in enumerate(melodies)]
    lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    ticks = pitch_ticks(lo, hi)
    fig.update_yaxes(tickvals=ticks, ticktext=[pitch_name(p) for p in ticks], range=[lo - 0.5, hi + 0.5],
                     gridcolor=LIGHT)
    fig.update_xaxes(title_text="beat", gridcolor=LIGHT)
    fig.update_layout(height=300, margin=dict(l=5, r=5, t=40, b=5), barmode="overlay", plot_bgcolor="white",
                      legend=dict(orientation="h", y=-0.25, x=0))
    return fig


def thinking_heatmap(melody: Melody) -> dict:
    """Per step (columns): probability of each pitch (rows, high at the top; durations summed) as shading; the chosen
    pitch marked (orange circle: sampled; purple diamond: the seed, forced in). A figure for :func:`ui.svg.figure_svg`
    (hovering a column lists that step's most likely pitches)."""
    steps = melody.steps
    used = [PITCH_LO + i - 1 for i in range(1, len(steps[0].pitch_probs))
            if any(s.pitch_probs[i] > 0.005 for s in steps)]
    used += [int(TOKEN_PITCH[s.token]) for s in steps if TOKEN_PITCH[s.token] != REST]
    lo, hi = min(used or [60]), max(used or [60])
    rows = list(range(hi, lo - 1, -1))
    z = [[s.pitch_probs[p - PITCH_LO + 1] for s in steps] for p in rows]
    ticks = set(pitch_ticks(lo, hi))
    every = 1 if len(steps) <= 16 else 4 if len(steps) <= 64 else 8
    hover = []
    for s in steps:
        best = sorted(rows, key=lambda p: -s.pitch_probs[p - PITCH_LO + 1])[:4]
        chosen = ("the seed, forced in: " if s.forced else "sampled: ") + token_label(s.token)
        hover.append(f"step {s.t} ({html.escape(chosen)})<br>"
                     + "<br>".join(f"P({pitch_name(p)}) = {s.pitch_probs[p - PITCH_LO + 1]:.3f}" for p in best))
    marks = []
    for c, s in enumerate(steps):
        pitch = int(TOKEN_PITCH[s.token])
        if pitch == REST:
            continue
        y = pitch - lo   # rows run from hi at the top down to lo; heatmap y counts up from the bottom row
        if s.forced:
            marks.append(dict(type="path", path=f"M {c},{y + 0.6} L {c + 0.6},{y} L {c},{y - 0.6} L {c - 0.6},{y} Z",
                              fillcolor=SEED_COLOR, line=dict(color=INK, width=1)))
        else:
            marks.append(dict(type="circle", x0=c, x1=c, y0=y, y1=y, size=8, fillcolor=SAMPLED_COLOR,
                              line=dict(color=INK, width=1)))
    top = max((v for row in z for v in row), default=1.0) or 1.0
    return heatmap_figure(
        z, row_labels=[pitch_name(p) if p in ticks else "" for p in rows],
        col_labels=[str(s.t) if (s.t == 1 or s.t % every == 0) else "" for s in steps], zmin=0, zmax=top,
        column_hover=hover, skip=lambda v: v < 0.01 * top, marks=marks,
        row_height=max(6.0, min(12.0, 300 / len(rows))),
        x_title="step t (the event the model is choosing)", y_title="next pitch")


def step_bars(melody: Melody, t: int) -> dict:
    """The most likely next events at step ``t`` as a diagram (drawn as SVG by :func:`ui.svg.figure_svg`): one bar
    per event, its probability above it; the chosen one orange (sampled) or purple (the seed); grid lines every
    0.1 (or 0.05 when every bar is small). Hovering a bar names it."""
    s = melody.steps[t - 1]
    n = len(s.top_tokens)
    top = max(s.top_probs) * 1.2 + 0.03
    step = 0.05 if top <= 0.25 else 0.1 if top <= 0.6 else 0.2
    shapes: list[dict] = []
    notes: list[dict] = []
    for k in range(int(top / step) + 1):
        y = round(k * step, 2)
        shapes.append(dict(type="line", x0=-0.5, x1=n - 0.5, y0=y, y1=y, line=dict(color=LIGHT, width=1)))
        notes.append(dict(x=-0.55, y=y, text=f"{y:.2f}", xanchor="right", showarrow=False,
                          font=dict(size=11, color=GREY)))
    chosen = SEED_COLOR if s.forced else SAMPLED_COLOR
    for i, (token, p) in enumerate(zip(s.top_tokens, s.top_probs)):
        colour = chosen if token == s.token else BLUE
        shapes.append(dict(type="rect", x0=i - 0.38, x1=i + 0.38, y0=0, y1=p, fillcolor=colour,
                           line=dict(color=colour, width=1)))
        notes.append(dict(x=i, y=p, text=f"{p:.2f}", yanchor="bottom", showarrow=False, font=dict(size=11, color=INK)))
        notes.append(dict(x=i, y=-0.02 * top, text=html.escape(token_label(token)), yanchor="top", showarrow=False,
                          font=dict(size=11, color=INK)))
    notes.append(dict(x=(n - 1) / 2, y=-0.16 * top, text="next event (pitch and length in beats)", yanchor="top",
                      showarrow=False, font=dict(size=12, color=GREY)))
    notes.append(dict(x=-0.5, y=top, text="probability", xanchor="left", yanchor="bottom", showarrow=False,
                      font=dict(size=12, color=GREY)))
    tips = [f"P(next = {html.escape(token_label(k))}) = {p:.3f}" for k, p in zip(s.top_tokens, s.top_probs)]
    hover = hover_points(range(n), [p / 2 for p in s.top_probs], tips, size=40)
    return diagram_figure(shapes, notes, height=260, margin=dict(l=45, r=10, t=24, b=52), x_range=[-0.5, n - 0.5],
                          y_range=[0, top], hover=hover)


def unrolled_loop(melody: Melody, start: int, cell_name: str) -> dict:
    """``UNROLL_STEPS`` cells from step ``start``: x⟨t⟩ → cell → ŷ⟨t⟩ → y⟨t⟩ (seed or sampled) → x⟨t+1⟩.

    A diagram for :func:`ui.svg.figure_svg` (plain dicts: Plotly's validation of this figure's ~100 shapes and
    annotations took longer than drawing it)."""
    shapes: list[dict] = []
    notes: list[dict] = []
    gap = 1.9
    end = min(len(melody.steps), start + UNROLL_STEPS - 1)
    for i, t in enumerate(range(start, end + 1)):
        s = melody.steps[t - 1]
        cx = i * gap

        def box(y0, y1, fill, line, text, size=11, hw=0.55):
            shapes.append(dict(type="rect", x0=cx - hw, x1=cx + hw, y0=y0, y1=y1, fillcolor=fill,
                               line=dict(color=line, width=1.5)))
            notes.append(dict(x=cx, y=(y0 + y1) / 2, text=text, showarrow=False, font=dict(size=size, color=INK)))
        x_text = html.escape(token_label(s.input_token))
        box(-1.9, -1.3, "white", GREY, f"x<sup>⟨{t}⟩</sup><br>{x_text}")
        box(-0.45, 0.45, LIGHT, BLUE, f"<b>{html.escape(cell_name)}</b><br>a<sup>⟨{t}⟩</sup>")
        top3 = "<br>".join(f"{html.escape(token_label(k))}: {p:.2f}" for k, p in zip(s.top_tokens[:3], s.top_probs[:3]))
        box(1.15, 2.25, "white", SKY, f"ŷ<sup>⟨{t}⟩</sup><br>{top3}", size=10, hw=0.75)
        pick = "seed (given)" if s.forced else f"sampled p={s.prob:.2f}"
        box(2.65, 3.25, "#F6E4EE" if s.forced else "#FFF4DC", SEED_COLOR if s.forced else SAMPLED_COLOR,
            f"y<sup>⟨{t}⟩</sup> = {html.escape(token_label(s.token))}<br><span style='font-size:9px'>{pick}</span>")
        arrows = [(cx, -1.3, cx, -0.45), (cx, 0.45, cx, 1.15), (cx, 2.25, cx, 2.65)]
        if i > 0:
            arrows.append((cx - gap + 0.55, 0, cx - 0.55, 0))
        for x0, y0, x1, y1 in arrows:
            notes.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                              showarrow=True, arrowhead=2, arrowwidth=1.4, arrowcolor=INK))
        if t < end:  # the feedback: y<t> becomes x<t+1>
            nx = cx + gap
            shapes.append(dict(type="path",
                               path=f"M {cx + 0.45},{3.0} C {cx + 1.3},{3.0} {nx - 1.1},{-1.6} {nx - 0.55},{-1.6}",
                               line=dict(color=GREEN, width=1.8, dash="dash")))
    notes.append(dict(x=-0.9, y=0, text="a<sup>⟨0⟩</sup>=0" if start == 1 else f"a<sup>⟨{start - 1}⟩</sup>",
                      showarrow=False, font=dict(size=10, color=GREY)))
    return diagram_figure(shapes, notes, height=360, x_range=[-1.2, (end - start) * gap + 1.0], y_range=[-2.1, 3.45])
