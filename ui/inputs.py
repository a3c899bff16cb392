"""Input widgets and user-text helpers that survive hostile input."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st


def whole_number(raw: Any, lo: int, hi: int, default: int) -> int:
    """``raw`` (a number, a numeric string, ``None`` or anything else) as a whole number in [lo, hi].

    Anything that is not a finite number (``None``, ``""``, ``"abc"``, ``nan``, ``inf``, a list) gives
    ``default`` (itself clamped to the range); a finite number is rounded and clamped."""
    lo, hi = int(lo), int(hi)
    if lo > hi:
        lo, hi = hi, lo
    fallback = min(max(int(default), lo), hi)
    if isinstance(raw, bool) or raw is None:
        return fallback
    try:
        number = float(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError, OverflowError):
        return fallback
    if not math.isfinite(number):
        return fallback
    return min(max(int(round(number)), lo), hi)


def whole_number_input(label: str, lo: int, hi: int, value: int, key: str, container: Any = st,
                       **kwargs: Any) -> int:
    """A whole-number ``st.number_input`` bound to the URL (``?key=…``), returned as ``int``.

    Streamlit 1.67's *integer* number input crashes the page with an uncaught ``OverflowError``
    when its URL value is ``inf``, ``-inf`` or ``1e309`` (it calls ``int()`` on the parsed float).
    A float input shown without decimals rejects non-finite and out-of-range URL values and falls
    back to ``value`` instead, so this widget is a float input rounded to a whole number.

    Whatever the widget hands back (``None`` after its state was dropped on a page change, a value
    left in Session State by another widget with the same key) becomes ``value``, never an error.
    """
    value = whole_number(value, lo, hi, lo)
    if key in st.session_state:
        held = st.session_state[key]
        # Another widget's value under this key (a string, None, out of range) would make number_input raise: drop it.
        if isinstance(held, bool) or not isinstance(held, int | float) or not lo <= held <= hi:
            del st.session_state[key]
    number = container.number_input(label, float(lo), float(hi), float(value), step=1.0, format="%.0f", key=key,
                                    bind="query-params", **kwargs)
    return whole_number(number, lo, hi, value)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~&])")


def markdown_literal(text: str, limit: int = 200) -> str:
    """``text`` (cut to ``limit`` characters, on one line) escaped so that ``st.markdown``, ``st.error``
    and friends show it literally: no links, images, emphasis, math or HTML from user input."""
    one_line = " ".join(str(text)[:limit].split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line)


_WORD_JOINER = "\u2060"  # invisible; breaks the text patterns Streamlit's Markdown turns into links and icons


def file_name_literal(name: str, limit: int = 60) -> str:
    """An uploaded file's name, safe to put in ``st.markdown``/``st.error``: :func:`markdown_literal`, plus

    * control and format characters removed (bidi overrides such as U+202E, which would reverse the
      rest of the sentence, zero-width characters, newlines);
    * an invisible word joiner after every ``:`` and ``@`` and before every ``.``, so that ``www.x.com``,
      ``http://…``, ``x@y.com``, ``:material/icon:``, ``:emoji:`` and ``:color[…]`` are not recognised
      (Streamlit finds those in the text *after* Markdown escapes are resolved, so escaping alone fails)."""
    import unicodedata

    visible = "".join(c if unicodedata.category(c)[0] != "C" else " " if c.isspace() else ""
                      for c in str(name)[: 4 * limit])
    text = markdown_literal(visible, limit) + ("…" if len(" ".join(visible.split())) > limit else "")
    return text.replace(":", ":" + _WORD_JOINER).replace("@", "@" + _WORD_JOINER).replace("\\.", _WORD_JOINER + "\\.")


@dataclass(frozen=True)
class BoxText:
    """What :func:`example_text_box` hands back."""

    example: str | None  # the name of the chosen example, or None
    text: str            # the text in the box ("" when empty)
    cut: bool            # the held text was longer than ``max_chars`` and was cut before the box was drawn


def example_text_box(examples: Mapping[str, str], menu_key: str, text_key: str, *, menu_label: str,
                     text_label: str, start: Callable[[str | None], str], max_chars: int | None = None,
                     menu_help: str | None = None, **text_area_options: Any) -> BoxText:
    """An examples menu above a text box, kept in step: picking an example fills the box, editing the
    box away from the example clears the menu, and clearing the menu keeps the text.

    ``start(example)`` gives the box's text the first time it is drawn in a session (the chosen
    example's, say). A link that names both an example and a different text (``?menu_key=…&text_key=…``)
    opens with the link's text: the menu is cleared on one extra rerun. With ``max_chars`` the box
    never holds more than that many characters. ``text_area_options`` go to ``st.text_area``."""
    from ui.teaching import locked  # ui.teaching imports this module

    stale_flag = f"_{menu_key}_stale_example"   # not a widget key: set when the menu disagreed with the text

    def set_example() -> None:
        example = examples.get(st.session_state.get(menu_key) or "")
        if example is not None:
            st.session_state[text_key] = example

    def forget_example() -> None:
        if st.session_state.get(text_key) != examples.get(st.session_state.get(menu_key) or ""):
            st.session_state[menu_key] = None

    stale_link = st.session_state.pop(stale_flag, False)
    if stale_link:
        st.session_state[menu_key] = None
    example = st.selectbox(menu_label, list(examples), index=None, placeholder="Choose an example…", key=menu_key,
                           bind="query-params", on_change=set_example, disabled=locked(menu_key), help=menu_help)
    if text_key not in st.session_state:
        st.session_state[text_key] = start(example)
    held = st.session_state[text_key] or ""
    cut = max_chars is not None and len(held) > max_chars
    if cut:
        st.session_state[text_key] = held[:max_chars]
    if max_chars is not None:
        text_area_options["max_chars"] = max_chars
    text = st.text_area(text_label, key=text_key, on_change=forget_example, disabled=locked(text_key),
                        **text_area_options) or ""
    if example is not None and text != examples.get(example) and not stale_link:
        # The URL's text wins over its example on a first run; clear the menu on a rerun.
        st.session_state[stale_flag] = True
        st.rerun()
    return BoxText(example, text, cut)
