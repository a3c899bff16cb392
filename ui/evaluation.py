"""A lesson's stored evaluation results, read once per server, with one note when they are missing."""

from __future__ import annotations

import streamlit as st

from sequence_models.runtime import read_evaluation


@st.cache_data(show_spinner=False)
def stored_results(name: str) -> dict | None:
    """``assets/<name>`` as read by :func:`sequence_models.runtime.read_evaluation` (``None`` if unusable)."""
    return read_evaluation(name)


def results_or_note(name: str, task: str) -> dict | None:
    """The results in ``assets/<name>``; when there are none, a warning names the command that makes them."""
    results = stored_results(name)
    if results is None:
        st.warning(f"No evaluation results yet: run `python -m sequence_models evaluate {task}` to create "
                   f"assets/{name}.")
    return results
