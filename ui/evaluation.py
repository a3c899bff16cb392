"""A lesson's stored evaluation results, read once per server, with one note when they are missing."""

from __future__ import annotations

import streamlit as st

from sequence_models.runtime import read_evaluation


@st.cache_data(show_spinner=False)
def stored_results(name: str, required: tuple[str, ...] = ("models",)) -> dict | None:
    """``assets/<name>`` as read by :func:`sequence_models.runtime.read_evaluation` (``None`` if unusable)."""
    return read_evaluation(name, required)


def missing_results_note(name: str, task: str) -> None:
    """The warning shown where a lesson's stored results should be: it names the command that makes them."""
    st.warning(f"No evaluation results yet: run `python -m sequence_models evaluate {task}` to create "
               f"assets/{name}.")


def results_or_note(name: str, task: str, required: tuple[str, ...] = ("models",)) -> dict | None:
    """The results in ``assets/<name>``; when there are none, :func:`missing_results_note` says so."""
    results = stored_results(name, required)
    if results is None:
        missing_results_note(name, task)
    return results
