"""Static diagrams drawn as inline SVG instead of Plotly charts (issue 18: browser latency).

The unrolled-loop diagrams (a row of cells with boxes, arrows and labels) are pictures, not charts:
nothing to zoom or select. Plotly draws each of their ~80 shapes and annotations as separate DOM
work and Streamlit rebuilds the whole chart whenever a number in it changes, which took the
browser 150–300 ms per diagram on every rerun. The same picture as one SVG string takes a few
milliseconds to draw.

Figures keep being *described* the Plotly way (the diagram builders in ``ui/`` collect Plotly shape
and annotation dicts, in data coordinates, and can still be drawn by Plotly): :func:`figure_svg`
turns such a figure into SVG, and :func:`show_svg` puts it on the page. What it understands:

* layout ``xaxis.range``, ``yaxis.range``, ``height``, ``margin``, ``plot_bgcolor``;
* shapes ``rect``, ``circle`` (with ``size``: a dot of that many px), ``line`` (``dash``) and ``path``
  (absolute ``M``/``L``/``C``/``Z`` commands),
  each with an optional ``hovertext`` (not a Plotly key: a tooltip, for figures only drawn here);
* annotations: text (Plotly's HTML subset: ``<br>``, ``<b>``, ``<i>``, ``<sup>``, ``<sub>``,
  ``<span style="font-size:…;color:…">``), ``xanchor``/``yanchor``, ``textangle``, ``xshift``/``yshift``,
  ``font.size``/``font.color``, and arrows (``showarrow`` with ``ax``/``ay`` in data coordinates, head at ``x``/``y``);
* scatter traces with ``hovertext``: each point becomes an invisible circle whose ``<title>`` is the
  browser's tooltip (the hover text, as plain text).

Every text is escaped here; callers pass Plotly-style markup whose user and model text they have
already escaped (as they must for Plotly too).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections.abc import Callable, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from ui.tables import markdown_safe_html

#: Default font, as Streamlit's Plotly theme uses.
FONT = '"Source Sans Pro", "Source Sans 3", sans-serif'
LINE_HEIGHT = 1.25   # em between the lines of a multi-line label


def _fig_dict(fig: Any) -> dict:
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)


def hover_points(x: Sequence[float], y: Sequence[float], texts: Sequence[str], size: float = 28) -> dict:
    """Invisible points whose tooltips are ``texts`` (Plotly-style markup): a scatter trace as
    :func:`figure_svg` reads it."""
    return {"type": "scatter", "mode": "markers", "x": list(x), "y": list(y), "hovertext": list(texts),
            "marker": {"size": size, "opacity": 0}}


def diagram_figure(shapes: list[dict], annotations: list[dict], *, height: float, x_range: Sequence[float],
                   y_range: Sequence[float], margin: Mapping | None = None, hover: dict | None = None) -> dict:
    """A diagram for :func:`figure_svg` as a plain dict (``data``: the hover trace, ``layout``): no
    ``go.Figure``, whose validation of ~100 shapes and annotations took longer than drawing the SVG."""
    return {"data": [hover] if hover else [],
            "layout": {"shapes": shapes, "annotations": annotations, "height": height,
                       "margin": dict(margin or {"l": 5, "r": 5, "t": 5, "b": 5}), "plot_bgcolor": "white",
                       "xaxis": {"visible": False, "range": list(x_range)},
                       "yaxis": {"visible": False, "range": list(y_range)}}}


class _Markup(HTMLParser):
    """Plotly's label markup → lines of ``(text, style)`` runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[tuple[str, dict]]] = [[]]
        self.stack: list[dict] = [{}]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.lines.append([])
            return
        style = dict(self.stack[-1])
        style.pop("shift", None)
        if tag == "b":
            style["weight"] = "bold"
        elif tag == "i":
            style["italic"] = True
        elif tag in ("sup", "sub"):
            style["shift"] = tag
        elif tag == "span":
            for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", dict(attrs).get("style") or ""):
                if name == "font-size":
                    style["size"] = value.strip()
                elif name == "color":
                    style["color"] = value.strip()
        self.stack.append(style)

    def handle_endtag(self, tag: str) -> None:
        if tag != "br" and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data:
            self.lines[-1].append((data, self.stack[-1]))


def markup_lines(text: str) -> list[list[tuple[str, dict]]]:
    """Plotly label markup as lines of ``(text, style)`` runs (style keys: weight, italic, shift, size, color)."""
    parser = _Markup()
    parser.feed(str(text))
    parser.close()
    return parser.lines


def plain_text(text: str) -> str:
    """Plotly markup as plain text: ``<br>`` → newline, other tags dropped, entities decoded."""
    return "\n".join("".join(run for run, _ in line) for line in markup_lines(text))


def _tspans(text: str, x: float, size: float, color: str) -> tuple[str, int]:
    """SVG ``<tspan>`` runs for a label at ``x``; returns (markup, number of lines)."""
    lines = markup_lines(text)
    out = []
    for n, line in enumerate(lines):
        first = True
        for run, style in line:
            attrs = []
            if first:
                attrs.append(f'x="{x:.1f}" dy="{0 if n == 0 else LINE_HEIGHT:.2f}em"')
                first = False
            run_size = style.get("size")
            if style.get("shift"):
                attrs.append(f'baseline-shift="{"super" if style["shift"] == "sup" else "sub"}" '
                             f'font-size="{0.7 * _px(run_size, size):.1f}"')
            elif run_size:
                attrs.append(f'font-size="{_px(run_size, size):.1f}"')
            if style.get("weight"):
                attrs.append('font-weight="bold"')
            if style.get("italic"):
                attrs.append('font-style="italic"')
            if style.get("color"):
                attrs.append(f'fill="{markdown_safe_html(style["color"])}"')
            out.append(f"<tspan {' '.join(attrs)}>{markdown_safe_html(run)}</tspan>")
        if first:  # an empty line still takes its height
            out.append(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else LINE_HEIGHT:.2f}em"> </tspan>')
    return "".join(out), len(lines)


def _px(value: str | None, default: float) -> float:
    try:
        return float(str(value).replace("px", "")) if value else default
    except ValueError:
        return default


class _Frame:
    """Data coordinates → SVG pixels for one figure."""

    def __init__(self, layout: Mapping, width: float) -> None:
        margin = layout.get("margin") or {}
        self.left, self.right = float(margin.get("l", 80)), float(margin.get("r", 80))
        self.top, self.bottom = float(margin.get("t", 100)), float(margin.get("b", 80))
        self.width, self.height = float(width), float(layout.get("height") or 450)
        self.x0, self.x1 = (layout.get("xaxis") or {}).get("range") or (0, 1)
        self.y0, self.y1 = (layout.get("yaxis") or {}).get("range") or (0, 1)

    def x(self, v: float) -> float:
        inner = self.width - self.left - self.right
        return self.left + (float(v) - self.x0) / (self.x1 - self.x0) * inner

    def y(self, v: float) -> float:
        inner = self.height - self.top - self.bottom
        return self.top + (self.y1 - float(v)) / (self.y1 - self.y0) * inner


def _dash(line: Mapping) -> str:
    dash = line.get("dash")
    return ' stroke-dasharray="6 4"' if dash in ("dash", "longdash") else ' stroke-dasharray="2 3"' if dash == "dot" \
        else ""


def _title(item: Mapping) -> str:
    """A shape's tooltip (``hovertext``, an extension of Plotly's shape keys for figures drawn here only)."""
    text = item.get("hovertext")
    return f"<title>{markdown_safe_html(plain_text(text))}</title>" if text else ""


def _shape(shape: Mapping, f: _Frame) -> str:
    line = shape.get("line") or {}
    stroke = markdown_safe_html(str(line.get("color", "#444")))
    width = float(line.get("width", 2))
    kind = shape.get("type")
    if kind == "rect":
        x0, x1 = sorted((f.x(shape["x0"]), f.x(shape["x1"])))
        y0, y1 = sorted((f.y(shape["y0"]), f.y(shape["y1"])))
        fill = markdown_safe_html(str(shape.get("fillcolor") or "none"))
        corner = shape.get("rx", 3)
        edge = f'stroke="{stroke}" stroke-width="{width}"' if width > 0 else 'stroke="none"'
        return (f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" rx="{corner}" '
                f'fill="{fill}" {edge}>{_title(shape)}</rect>')
    if kind == "circle":
        x0, x1 = sorted((f.x(shape["x0"]), f.x(shape["x1"])))
        y0, y1 = sorted((f.y(shape["y0"]), f.y(shape["y1"])))
        fill = markdown_safe_html(str(shape.get("fillcolor") or "none"))
        rx, ry = ((shape["size"] / 2,) * 2 if shape.get("size") else ((x1 - x0) / 2, (y1 - y0) / 2))  # size: px
        return (f'<ellipse cx="{(x0 + x1) / 2:.1f}" cy="{(y0 + y1) / 2:.1f}" rx="{rx:.1f}" ry="{ry:.1f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{width}">{_title(shape)}</ellipse>')
    if kind == "line":
        return (f'<line x1="{f.x(shape["x0"]):.1f}" y1="{f.y(shape["y0"]):.1f}" x2="{f.x(shape["x1"]):.1f}" '
                f'y2="{f.y(shape["y1"]):.1f}" stroke="{stroke}" stroke-width="{width}"{_dash(line)}/>')
    if kind == "path":
        tokens = re.findall(r"[MLCZmlcz]|-?\d+(?:\.\d+)?(?:e-?\d+)?", str(shape.get("path", "")))
        out, numbers = [], []
        for tok in tokens:
            if tok.isalpha():
                out.append(tok.upper())
            else:
                numbers.append(float(tok))
                if len(numbers) == 2:
                    out.append(f"{f.x(numbers[0]):.1f},{f.y(numbers[1]):.1f}")
                    numbers = []
        fill = markdown_safe_html(str(shape.get("fillcolor") or "none"))
        return (f'<path d="{" ".join(out)}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{_dash(line)}>'
                f"{_title(shape)}</path>")
    return ""


def _arrow_head(x0: float, y0: float, x1: float, y1: float, color: str, size: float) -> str:
    angle = math.atan2(y1 - y0, x1 - x0)
    back, half = size * 1.6, size * 0.7
    bx, by = x1 - back * math.cos(angle), y1 - back * math.sin(angle)
    px, py = -math.sin(angle) * half, math.cos(angle) * half
    return (f'<polygon points="{x1:.1f},{y1:.1f} {bx + px:.1f},{by + py:.1f} {bx - px:.1f},{by - py:.1f}" '
            f'fill="{color}"/>')


def _annotation(note: Mapping, f: _Frame) -> str:
    x, y = f.x(note["x"]) + float(note.get("xshift") or 0), f.y(note["y"]) - float(note.get("yshift") or 0)
    parts = []
    if note.get("showarrow"):
        color = markdown_safe_html(str(note.get("arrowcolor", "#444")))
        width = float(note.get("arrowwidth", 1.5))
        ax, ay = f.x(note.get("ax", note["x"])), f.y(note.get("ay", note["y"]))
        opacity = note.get("opacity")
        extra = f' opacity="{float(opacity):.2f}"' if opacity is not None and float(opacity) < 1 else ""
        if math.hypot(x - ax, y - ay) > 1:
            head = 3.2 * width * float(note.get("arrowsize", 1))
            angle = math.atan2(y - ay, x - ax)
            ex, ey = x - head * math.cos(angle), y - head * math.sin(angle)   # the line stops under the head
            parts.append(f'<g{extra}><line x1="{ax:.1f}" y1="{ay:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="{color}" '
                         f'stroke-width="{width}"/>{_arrow_head(ax, ay, x, y, color, head / 1.6)}</g>')
    text = str(note.get("text") or "")
    if text:
        font = note.get("font") or {}
        size = float(font.get("size") or 12)
        color = markdown_safe_html(str(font.get("color") or "#31333F"))
        anchor = {"left": "start", "right": "end"}.get(note.get("xanchor"), "middle")
        spans, n_lines = _tspans(text, x, size, color)
        block = size * (1 + LINE_HEIGHT * (n_lines - 1))
        yanchor = note.get("yanchor", "middle")
        top = y - block if yanchor == "bottom" else y if yanchor == "top" else y - block / 2
        angle = float(note.get("textangle") or 0)
        turn = f' transform="rotate({angle:g} {x:.1f} {y:.1f})"' if angle else ""
        parts.append(f'<text x="{x:.1f}" y="{top + 0.8 * size:.1f}" text-anchor="{anchor}" font-size="{size:g}" '
                     f'fill="{color}"{turn}>{spans}</text>')
    return "".join(parts)


def _tooltips(trace: Mapping, f: _Frame) -> str:
    texts = trace.get("hovertext")
    if texts is None or trace.get("type", "scatter") != "scatter":
        return ""
    texts = [texts] * len(trace.get("x") or []) if isinstance(texts, str) else list(texts)
    radius = float((trace.get("marker") or {}).get("size", 20)) / 2
    out = []
    for x, y, text in zip(trace.get("x") or [], trace.get("y") or [], texts):
        if x is None or y is None or not text:
            continue
        out.append(f'<circle cx="{f.x(x):.1f}" cy="{f.y(y):.1f}" r="{radius:.1f}" fill="transparent">'
                   f"<title>{markdown_safe_html(plain_text(text))}</title></circle>")
    return "".join(out)


def figure_svg(fig: Any, width: float = 1000, label: str = "") -> str:
    """The figure's shapes, annotations and hover texts as one ``<svg>`` string ``width`` px wide (scaled to its
    container by its ``viewBox``). ``label`` is read by screen readers (``role="img"``)."""
    spec = _fig_dict(fig)
    layout = spec.get("layout") or {}
    f = _Frame(layout, width)
    below = [s for s in layout.get("shapes") or [] if s.get("layer") == "below"]
    above = [s for s in layout.get("shapes") or [] if s.get("layer") != "below"]
    body = [_shape(s, f) for s in below] + [_shape(s, f) for s in above]
    body += [_annotation(a, f) for a in layout.get("annotations") or []]
    body += [_tooltips(t, f) for t in spec.get("data") or []]
    background = markdown_safe_html(str(layout.get("plot_bgcolor") or "white"))
    aria = f' role="img" aria-label="{markdown_safe_html(label)}"' if label else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width:g} {f.height:g}" width="100%"'
            f' preserveAspectRatio="xMidYMid meet" font-family=\'{FONT}\'{aria}'
            f' style="display:block;max-width:{1.35 * f.width:.0f}px;background:{background}">' + "".join(body)
            + "</svg>")


def svg_block(svg: str, min_width: int = 560) -> str:
    """``svg`` in a block that scrolls sideways below ``min_width`` px (a phone) instead of shrinking its text."""
    return (f'<div style="overflow-x:auto;max-width:100%"><div style="min-width:{int(min_width)}px">{svg}</div>'
            "</div>")


def show_svg(fig: Any, *, width: float = 1000, min_width: int = 560, label: str = "") -> None:
    """Draw a diagram figure on the page as inline SVG (see :func:`figure_svg`). Through ``st.markdown``: ``st.html``
    sanitises SVG away. ``width`` is the drawing's natural width in px (text sizes are meant at that width); it
    scales with the column, up to 1.35× that."""
    import streamlit as st

    st.markdown(svg_block(figure_svg(fig, width, label), min_width), unsafe_allow_html=True)


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    return tuple(float(v) for v in re.findall(r"[\d.]+", colour)[:3])  # type: ignore[return-value]


@lru_cache(maxsize=64)
def _stops(scale: tuple[tuple[float, str], ...]) -> tuple[tuple[float, tuple[float, float, float]], ...]:
    """A colour scale's stops with their colours parsed once (a heatmap asks for thousands of cells)."""
    return tuple((float(p), _rgb(c)) for p, c in scale)


def scale_colour(scale: Sequence[tuple[float, str]], value: float) -> str:
    """The colour at ``value`` (0…1) of a Plotly-style colour scale ``[(0, "#fff"), …, (1, "rgb(…)")]``."""
    value = min(max(float(value), 0.0), 1.0)
    stops = _stops(tuple((p, c) for p, c in scale))
    for (p0, a), (p1, b) in zip(stops, stops[1:]):
        if value <= p1:
            u = 0.0 if p1 == p0 else (value - p0) / (p1 - p0)
            return f"rgb({a[0] + (b[0] - a[0]) * u:.0f},{a[1] + (b[1] - a[1]) * u:.0f},{a[2] + (b[2] - a[2]) * u:.0f})"
    return scale[-1][1]


#: Plotly's "Blues" colour scale (light to dark).
BLUES = [(0.0, "rgb(247,251,255)"), (0.125, "rgb(222,235,247)"), (0.25, "rgb(198,219,239)"),
         (0.375, "rgb(158,202,225)"), (0.5, "rgb(107,174,214)"), (0.625, "rgb(66,146,198)"),
         (0.75, "rgb(33,113,181)"), (0.875, "rgb(8,81,156)"), (1.0, "rgb(8,48,107)")]


def heatmap_figure(z: Sequence[Sequence[float]], *, row_labels: Sequence[str], col_labels: Sequence[str],
                   zmin: float, zmax: float, scale: Sequence[tuple[float, str]] = BLUES,
                   cell_hover: Callable[[int, int], str] | None = None, column_hover: Sequence[str] | None = None,
                   skip: Callable[[float], bool] | None = None, x_title: str = "", y_title: str = "",
                   row_height: float = 16, label_angle: float = 0, marks: Sequence[Mapping] = (),
                   cell_text: Callable[[int, int], tuple[str, str] | None] | None = None) -> dict:
    """A heatmap as a figure for :func:`figure_svg`: ``z`` is ``[rows][columns]``, row 0 drawn on top.

    ``cell_hover(row, col)`` gives each cell's tooltip, or ``column_hover[col]`` one tooltip per column (drawn
    over the cells). Cells for which ``skip(value)`` is true are left white (fewer elements for mostly-empty maps).
    ``cell_text(row, col)`` may write ``(text, colour)`` in a cell (e.g. its value). ``marks`` are extra shapes
    (e.g. the chosen note's circle) in the same coordinates: column ``c`` is x = c,
    row ``r`` is y = ``len(z) - 1 - r``. Labels are escaped by the caller (Plotly markup)."""
    n_rows, n_cols = len(z), len(z[0]) if z else 0
    span = (zmax - zmin) or 1.0
    shapes: list[dict] = []
    for r, row in enumerate(z):
        y = n_rows - 1 - r
        for c, v in enumerate(row):
            if skip is not None and skip(v):
                continue
            shape = dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=y - 0.5, y1=y + 0.5, rx=0,
                         fillcolor=scale_colour(scale, (v - zmin) / span), line=dict(width=0))
            if cell_hover is not None:
                shape["hovertext"] = cell_hover(r, c)
            shapes.append(shape)
    shapes.extend(dict(m) for m in marks)
    if column_hover is not None:
        shapes.extend(dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=-0.5, y1=n_rows - 0.5, rx=0, fillcolor="transparent",
                           line=dict(width=0), hovertext=text) for c, text in enumerate(column_hover))
    notes = []
    if cell_text is not None:
        for r in range(n_rows):
            for c in range(n_cols):
                written = cell_text(r, c)
                if written:
                    notes.append(dict(x=c, y=n_rows - 1 - r, text=written[0], showarrow=False,
                                      font=dict(size=10, color=written[1])))
    notes += [dict(x=-0.6, y=n_rows - 1 - r, text=label, xanchor="right", showarrow=False,
                  font=dict(size=10, color="#555")) for r, label in enumerate(row_labels) if label]
    notes += [dict(x=c, y=-0.7, text=label, showarrow=False, yanchor="top",
                   xanchor="right" if label_angle else "center", textangle=label_angle,
                   font=dict(size=10, color="#555")) for c, label in enumerate(col_labels) if label]
    longest = max((len(plain_text(label)) for label in row_labels), default=4)
    bottom = 44 + (5.5 * max((len(plain_text(label)) for label in col_labels), default=2) * 0.7 if label_angle else 0)
    if x_title:
        notes.append(dict(x=(n_cols - 1) / 2, y=-0.5, text=x_title, showarrow=False, yanchor="top",
                          font=dict(size=12, color="#555"), yshift=-(bottom - 22)))
    if y_title:
        notes.append(dict(x=-0.5, y=n_rows - 0.5, text=y_title, showarrow=False, xanchor="left", yanchor="bottom",
                          font=dict(size=12, color="#555")))
    return diagram_figure(shapes, notes, height=n_rows * row_height + bottom + 24,
                          margin=dict(l=12 + 6 * longest, r=10, t=24, b=bottom),
                          x_range=[-0.5, n_cols - 0.5], y_range=[-0.5, n_rows - 0.5])
