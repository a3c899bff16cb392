"""Small result tables as plain HTML: no pandas, no pyarrow, no data-grid canvas in the browser.

``st.dataframe`` converts every table through pandas and Arrow (about 80 MB of imports in the server
process) and draws it in a canvas data grid, the slowest element of a rerun in the browser. The
lessons' tables are a handful of rows of finished numbers, so :func:`show_table` writes them as an
HTML ``<table>`` inside ``st.markdown``, styled by the theme like any Markdown table. Every cell is
HTML-escaped (cells can hold the student's text or the model's output); numbers are right-aligned.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from numbers import Integral, Real

import streamlit as st

#: The class on the wrapping ``<div>`` (tests and the browser find tables by it).
TABLE_CLASS = "unrolled-table"
#: Taller tables scroll inside the page instead of pushing everything below out of sight.
MAX_HEIGHT_PX = 420


def markdown_safe_html(text: str) -> str:
    """Text for HTML that goes through ``st.markdown`` (tables here, diagrams in :mod:`ui.svg`): HTML-escape,
    and write ``:`` and ``$`` as character references so that Streamlit's Markdown
    never reads ``:material/…:`` icon codes or ``$…$`` maths inside a cell."""
    return html.escape(text).replace(":", "&#58;").replace("$", "&#36;")


def _cell(value: object, spec: str | None) -> tuple[str, bool]:
    """(escaped text, is a number) of one cell; ``spec`` is a format spec such as ``".3f"``."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return markdown_safe_html(str(value)), False
    if isinstance(value, Integral):
        return markdown_safe_html(format(value, spec or "d")), True
    if isinstance(value, Real):
        return markdown_safe_html(format(float(value), spec or "g")), True
    return markdown_safe_html(str(value)), False


def table_html(rows: Sequence[Mapping[str, object]], formats: Mapping[str, str] | None = None) -> str:
    """One HTML table: a header row from the first row's keys, then one row per mapping.

    ``formats`` maps a column to a format spec for its numbers (``{"p": ".3f"}``); other numbers use
    ``"g"`` (floats) or ``"d"`` (integers). Returns one line of HTML (no blank line, so Markdown keeps it
    as one block)."""
    if not rows:
        return ""
    formats = formats or {}
    columns = list(rows[0].keys())
    head = "".join(f"<th>{markdown_safe_html(str(c))}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            text, numeric = _cell(row.get(c), formats.get(c))
            cells.append(f'<td style="text-align:right">{text}</td>' if numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="{TABLE_CLASS}" style="max-height:{MAX_HEIGHT_PX}px;overflow:auto">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def show_table(rows: Sequence[Mapping[str, object]], formats: Mapping[str, str] | None = None) -> None:
    """Draw :func:`table_html` of ``rows`` (nothing when there are none)."""
    if rows:
        st.markdown(table_html(rows, formats), unsafe_allow_html=True)
