"""Small plotly styling helpers shared by pages."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

#: Light grid lines on the white plot background the pages use.
GRID = "#eee"


def style_subplots(fig: go.Figure, height: int, y_titles: Mapping[int, str], x_title: str, bottom_row: int,
                   cols: int = 1, y_tick_labels: bool = True, grid: bool = True) -> go.Figure:
    """Style a ``make_subplots`` grid the way the pages do, in place; returns ``fig``.

    ``y_titles`` maps a row number (from 1) to the y-axis title of every subplot in that row
    (``y_tick_labels=False`` hides those rows' tick labels, e.g. for heatmaps of many units);
    ``x_title`` goes under the subplots of ``bottom_row``. ``grid`` draws light grid lines on
    every axis. The layout gets ``height``, room for subplot titles and a white background."""
    hidden_ticks = {} if y_tick_labels else {"showticklabels": False}
    for row, title in y_titles.items():
        for col in range(1, cols + 1):
            fig.update_yaxes(title_text=title, row=row, col=col, **hidden_ticks)
    for col in range(1, cols + 1):
        fig.update_xaxes(title_text=x_title, row=bottom_row, col=col)
    if grid:
        fig.update_xaxes(gridcolor=GRID)
        fig.update_yaxes(gridcolor=GRID)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white")
    return fig


#: Plotly's configuration for every interactive chart in the lessons: the mode bar appears on hover with one
#: button, Plotly's "Download plot as a png" (twice the screen resolution, for slides; presentation mode too);
#: no zoom or pan buttons to get lost in. Pass it as ``st.plotly_chart(fig, config=CHART)``.
CHART: dict = {"displayModeBar": "hover", "displaylogo": False, "modeBarButtons": [["toImage"]],
               "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "unrolled-chart"}}

#: A chart that is a picture (a small diagram drawn with Plotly): no hover, no mode bar.
STATIC_CHART: dict = {"displayModeBar": False, "staticPlot": True}
