"""Presentation mode for projecting the app in class: larger text, controls tucked away, one idea per screen.

The switch lives in the sidebar and in the URL (``?present=true``), so a teacher can open a
lesson straight into it. Pages lay themselves out with two helpers that do the right thing
in both modes:

* :func:`screens` gives a page's ideas as containers: one after another under their
  subheadings normally; one tab each when presenting, the open one in the URL
  (``?screen=…``), so "one idea per screen" and a link lands on the idea.
* :func:`controls` is where a page puts its widgets: in place normally; folded into a
  collapsed "Controls" expander when presenting, so the projector shows the picture.
* :func:`intro` writes the page's opening "What you will see." paragraph: in place normally;
  folded (one click away) when presenting, so each screen's picture starts near the top.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

#: Root font size in presentation mode (Streamlit sizes text and widgets in rem; the default is 16px).
FONT_PX = 21
#: Session-state key (and URL parameter) of the switch, and of the open screen.
KEY = "present"
SCREEN_KEY = "screen"

# Scaling the root font enlarges text and widgets without breaking the charts' layout (a CSS
# zoom would: plotly measures its container in unzoomed pixels and gets clipped).
_CSS = f"""
<style>
html {{ font-size: {FONT_PX}px; }}
[data-testid="stMainBlockContainer"] {{ max-width: 100%; padding: 3.6rem 2rem 3rem; }}
[data-testid="stMainBlockContainer"] h1 {{ padding: 0 0 0.3rem; font-size: 2.1rem; }}
/* Tabs: every screen's name visible (wrapped onto a second row if need be), never behind a scroll arrow. */
[data-testid="stTabs"] [role="tablist"] {{ flex-wrap: wrap; row-gap: 0.15rem; overflow: visible; }}
[data-testid="stTab"] p {{ font-size: 0.95rem; font-weight: 600; }}
</style>
"""


def requested() -> bool:
    """Is presentation mode on or asked for by the URL? Usable before the switch is drawn (page config)."""
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    try:
        return str(st.query_params.get(KEY, "")).lower() == "true"
    except Exception:  # noqa: BLE001 - no URL outside a script run
        return False


def presentation_switch() -> bool:
    """Draw the sidebar switch; when it is on, enlarge the page. Returns whether it is on."""
    on = st.sidebar.toggle("Presentation mode", key=KEY, bind="query-params", persist_state="session",
                           help="For a projector: larger text, one idea per screen (tabs), controls folded "
                                "away. Close the sidebar with « for more room. Add ?present=true to a link to "
                                "open it this way.")
    if on:
        st.html(_CSS)
    return bool(on)


def presenting() -> bool:
    """Is presentation mode on for this session?"""
    return bool(st.session_state.get(KEY))


def screens(titles: Sequence[str]) -> list:
    """One container per idea of the page, in order (``titles`` are their headings).

    Normal mode: the containers follow each other, each opening with ``st.subheader(title)``.
    Presentation mode: one tab per idea; the open tab is kept in the URL (``?screen=title``).
    Everything is computed in both modes, so code after a screen may use what it made."""
    if presenting():
        return list(st.tabs(list(titles), key=SCREEN_KEY, bind="query-params"))
    out = []
    for title in titles:
        box = st.container()
        box.subheader(title)
        out.append(box)
    return out


def intro(markdown: str) -> None:
    """The page's opening paragraph, after "**What you will see.**": shown normally, folded when presenting."""
    if presenting():
        with st.expander("📖 What you will see", expanded=False):
            st.markdown(markdown)
    else:
        st.markdown(f"**What you will see.** {markdown}")


def controls(label: str = "Controls"):
    """The container for a block of widgets: in place normally, a collapsed expander when presenting."""
    if presenting():
        return st.expander(f"⚙️ {label}", expanded=False)
    return st.container()
