"""``/home``: the home page's second address (a natural guess, and old links).

Not a lesson. It exists for the very first run after a server start, which is
Streamlit's legacy ``pages/`` mode: that mode finds pages by file name, so
without this file ``/home`` would say "Page not found" to the first visitor.
The rerun below goes through ``app.py``, whose hidden ``home`` page opens the
home page at ``/``.
"""

import streamlit as st

from ui.lessons import ensure_app_navigation

ensure_app_navigation()  # first visit after a server start: rerun through app.py
# Run on its own some other way (never through app.py's navigation): send the reader home.
st.markdown("[Open Unrolled's home page](./)")
