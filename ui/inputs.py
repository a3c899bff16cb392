"""Input widgets and user-text helpers that survive hostile input."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st


def whole_number_input(label: str, lo: int, hi: int, value: int, key: str, container: Any = st,
                       **kwargs: Any) -> int:
    """A whole-number ``st.number_input`` bound to the URL (``?key=…``), returned as ``int``.

    Streamlit 1.67's *integer* number input crashes the page with an uncaught ``OverflowError``
    when its URL value is ``inf``, ``-inf`` or ``1e309`` (it calls ``int()`` on the parsed float).
    A float input shown without decimals rejects non-finite and out-of-range URL values and falls
    back to ``value`` instead, so this widget is a float input rounded to a whole number.
    """
    number = container.number_input(label, float(lo), float(hi), float(value), step=1.0, format="%.0f", key=key,
                                    bind="query-params", **kwargs)
    return min(max(int(round(number)), lo), hi)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~&])")


def markdown_literal(text: str, limit: int = 200) -> str:
    """``text`` (cut to ``limit`` characters, on one line) escaped so that ``st.markdown``, ``st.error``
    and friends show it literally: no links, images, emphasis, math or HTML from user input."""
    one_line = " ".join(str(text)[:limit].split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line)
