"""Presentation mode for projecting the app in class: everything larger, the sidebar out of the way.

The switch lives in the sidebar and in the URL (``?present=true``), so a teacher can
open a lesson straight into it.
"""

import streamlit as st

#: Root font size in presentation mode (Streamlit sizes text and widgets in rem; the default is 16px).
FONT_PX = 21

# Scaling the root font enlarges text and widgets without breaking the charts' layout (a CSS
# zoom would: plotly measures its container in unzoomed pixels and gets clipped).
_CSS = f"""
<style>
html {{ font-size: {FONT_PX}px; }}
[data-testid="stMainBlockContainer"] {{ max-width: 100%; padding-left: 2.5rem; padding-right: 2.5rem; }}
</style>
"""


def presentation_switch() -> bool:
    """Draw the sidebar switch; when it is on, enlarge the page. Returns whether it is on."""
    on = st.sidebar.toggle("Presentation mode", key="present", bind="query-params", persist_state="session",
                           help="For a projector: larger text and charts. Close the sidebar with « for more room. "
                                "Add ?present=true to a link to open it this way.")
    if on:
        st.html(_CSS)
    return bool(on)
