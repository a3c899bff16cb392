"""Diagrams as inline SVG (ui.svg): Plotly-style shapes and annotations, escaping, heatmaps."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest

from ui import svg

NS = "{http://www.w3.org/2000/svg}"


def _tree(markup: str) -> ET.Element:
    return ET.fromstring(markup)   # well-formed XML, or this raises


def test_markup_becomes_lines_of_styled_runs() -> None:
    lines = svg.markup_lines("<b>LSTM</b><br>a<sup>⟨3⟩</sup> &lt;x&gt;<span style='font-size:9px;color:#f00'>p</span>")
    assert [[run for run, _ in line] for line in lines] == [["LSTM"], ["a", "⟨3⟩", " <x>", "p"]]
    assert lines[0][0][1]["weight"] == "bold" and lines[1][1][1]["shift"] == "sup"
    assert lines[1][3][1] == {"size": "9px", "color": "#f00"}
    assert svg.plain_text("step 3<br>a&lt;3&gt; = [+0.10]") == "step 3\na<3> = [+0.10]"


def test_a_figure_of_shapes_and_annotations_becomes_valid_svg_in_pixels() -> None:
    fig = go.Figure(data=[go.Scatter(x=[0], y=[0], mode="markers", hovertext=["hello <b>there</b>"])], layout=dict(
        height=200, margin=dict(l=0, r=0, t=0, b=0), xaxis=dict(range=[0, 10]), yaxis=dict(range=[0, 10]),
        shapes=[dict(type="rect", x0=1, x1=3, y0=1, y1=3, fillcolor="#fff", line=dict(color="#00f", width=2)),
                dict(type="line", x0=0, x1=10, y0=5, y1=5, line=dict(color="#000", width=1, dash="dash")),
                dict(type="path", path="M 1,1 C 2,2 3,3 4,4", line=dict(color="#0a0", width=1))],
        annotations=[dict(x=2, y=2, text="<b>RNN</b><br>a<sup>1</sup>", showarrow=False),
                     dict(x=5, y=9, ax=5, ay=6, xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                          arrowcolor="#333", arrowwidth=1.5)]))
    out = svg.figure_svg(fig, width=1000, label="a test")
    root = _tree(out)
    assert root.get("viewBox") == "0 0 1000 200" and root.get("aria-label") == "a test"
    rect = root.find(f"{NS}rect")
    assert (rect.get("x"), rect.get("y"), rect.get("width"), rect.get("height")) == ("100.0", "140.0", "200.0", "40.0")
    assert root.find(f"{NS}line").get("stroke-dasharray") == "6 4"
    assert root.find(f"{NS}path").get("d") == "M 100.0,180.0 C 200.0,160.0 300.0,140.0 400.0,120.0"
    text = root.find(f"{NS}text")
    assert "".join(text.itertext()) == "RNNa1" and text.find(f"{NS}tspan").get("font-weight") == "bold"
    assert root.find(f"{NS}g/{NS}polygon") is not None                       # the arrow's head
    assert root.find(f"{NS}circle/{NS}title").text == "hello there"         # the hover text, as a tooltip


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                     '"><svg onload=alert(1)>', "&lt;script&gt;", ":material/warning: $x^2$"])
def test_text_is_escaped_wherever_it_goes(hostile: str) -> None:
    fig = dict(layout=dict(height=100, xaxis=dict(range=[0, 1]), yaxis=dict(range=[0, 1]),
                           annotations=[dict(x=0.5, y=0.5, text=hostile, showarrow=False, font=dict(color=hostile))],
                           shapes=[dict(type="rect", x0=0, x1=1, y0=0, y1=1, hovertext=hostile, fillcolor=hostile)]),
               data=[dict(type="scatter", x=[0.5], y=[0.5], hovertext=[hostile])])
    out = svg.figure_svg(fig, label=hostile)
    root = _tree(out)                                  # still one well-formed document
    assert not re.search(r"<(script|img|svg onload)", out[4:]), out
    assert ":material" not in out and "$x" not in out      # no icon code or maths for Streamlit's Markdown
    assert all(el.tag.startswith(NS) and el.tag[len(NS):] in {"svg", "rect", "title", "text", "tspan", "circle"}
               for el in root.iter())


def test_heatmap_cells_colours_skips_marks_and_tooltips() -> None:
    z = [[0.0, 0.5, 1.0], [0.001, 0.2, 0.9]]
    fig = svg.heatmap_figure(z, row_labels=["top", "bottom"], col_labels=["a", "b", "c"], zmin=0, zmax=1,
                             cell_hover=lambda r, c: f"r{r}c{c}", skip=lambda v: v < 0.01,
                             marks=[dict(type="circle", x0=2, x1=2, y0=1, y1=1, size=8, fillcolor="#f80")])
    rects = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"]
    assert len(rects) == 4                                  # two near-zero cells skipped
    first = next(s for s in rects if s["hovertext"] == "r0c1")
    assert (first["x0"], first["x1"], first["y0"], first["y1"]) == (0.5, 1.5, 0.5, 1.5)   # row 0 on top
    assert svg.scale_colour(svg.BLUES, 0) == "rgb(247,251,255)" and svg.scale_colour(svg.BLUES, 1) == "rgb(8,48,107)"
    assert svg.scale_colour([(0, "#000000"), (1, "#ffffff")], 0.5) == "rgb(128,128,128)"
    root = _tree(svg.figure_svg(fig))
    assert len(root.findall(f"{NS}rect")) == 4 and root.find(f"{NS}ellipse").get("rx") == "4.0"
    assert sorted(t.text for t in root.iter(f"{NS}title")) == ["r0c1", "r0c2", "r1c1", "r1c2"]
    labels = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert labels == ["top", "bottom", "a", "b", "c"]


def test_svg_block_scrolls_on_a_phone_instead_of_shrinking() -> None:
    block = svg.svg_block("<svg></svg>", min_width=640)
    assert 'overflow-x:auto' in block and "min-width:640px" in block


def test_diagram_figure_is_a_plain_dict_with_hover_points() -> None:
    fig = svg.diagram_figure([dict(type="rect", x0=0, x1=1, y0=0, y1=1)], [dict(x=0.5, y=0.5, text="a")], height=100,
                             x_range=[0, 1], y_range=[0, 1], hover=svg.hover_points([0.5], [0.5], ["tip &lt;1&gt;"]))
    assert isinstance(fig, dict) and fig["layout"]["height"] == 100 and fig["data"][0]["hovertext"] == ["tip &lt;1&gt;"]
    root = _tree(svg.figure_svg(fig, 200))
    assert [t.text for t in root.iter(f"{NS}title")] == ["tip <1>"]
    assert root.find(f"{NS}rect") is not None


def test_hidden_heatmap_gives_one_tooltip_per_word_when_cells_are_many() -> None:
    from sequence_models.sentiment.inference import Reading
    from ui.sentiment_figures import COLUMN_TOOLTIP_UNITS, MAX_CELL_TOOLTIPS, hidden_heatmap

    def reading(n_tokens: int, units: int) -> Reading:
        hidden = [[((t * 7 + u * 3) % 11 - 5) / 5 for u in range(units)] for t in range(n_tokens)]
        return Reading(tokens=[f"w{t}" for t in range(n_tokens)], known=[True] * n_tokens,
                       prob_positive=[0.5] * n_tokens, hidden=hidden, bow_weights=[0.0] * n_tokens, bow_bias=0.0,
                       bow_prob=0.5, truncated=False)

    head = [((u * 5) % 9 - 4) / 4 for u in range(40)]
    small = svg.figure_svg(hidden_heatmap(reading(5, 40), head, top=40), 900)
    assert small.count("<title>") == 5 * 40 and "unit" in small
    n = MAX_CELL_TOOLTIPS // 40 + 10
    big = svg.figure_svg(hidden_heatmap(reading(n, 40), head, top=40), 900)
    titles = [t.text for t in _tree(big).iter(f"{NS}title")]
    assert len(titles) == n and all(t.count("unit ") == COLUMN_TOOLTIP_UNITS for t in titles)
    assert titles[0].startswith("after “w0”")
