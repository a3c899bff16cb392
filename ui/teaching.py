"""Teaching tools shared by every lesson: predict-then-reveal checkpoints and teacher locks.

* :func:`checkpoint` asks a question *before* the chart that answers it: the student picks an
  answer and presses **Check** (or **Show without predicting**); only then does the page draw
  what follows, with the measured answer (computed now, from the live model or an evaluation
  file) beside the guess. Guesses live in this browser session only.
* :func:`locked` tells a page whether the teacher's link fixed a control (``?lock=key1,key2``):
  pages pass ``disabled=locked(key)`` to each URL-bound widget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

#: URL parameter listing the widget keys a teacher's link fixes, comma-separated.
LOCK_PARAM = "lock"
_MAX_LOCKS = 40


@dataclass(frozen=True)
class Answer:
    """What a checkpoint reveals: the correct option (one of the options, computed, never typed in)
    and one sentence on why (it may quote measured numbers, formatted from the computation)."""

    correct: str
    why: str


def locked_keys() -> frozenset[str]:
    """The widget keys named by ``?lock=…`` (hostile values are just names that match nothing)."""
    raw = st.query_params.get(LOCK_PARAM, "")
    names = [n.strip() for n in str(raw)[:2000].split(",")]
    return frozenset(n for n in names[:_MAX_LOCKS] if n)


def locked(key: str) -> bool:
    """Has the teacher's link fixed the widget with this key? Pass as ``disabled=locked(key)``."""
    return key in locked_keys()


def _state_key(key: str) -> str:
    return f"_checkpoint_{key}"


def checkpoint(key: str, question: str, options: Sequence[str], answer: Callable[[], Answer]) -> bool:
    """Ask ``question``; return ``True`` once the student has checked a guess or chosen to skip.

    Draws a radio of ``options`` and two buttons. After **Check**, shows the guess against
    ``answer()`` (called only then, so it can run the live model) and returns ``True``: the caller
    then draws the chart or number that shows it. **Show without predicting** reveals without a
    guess. ``key`` must be unique in the app (use the page's prefix). The state is kept in
    ``st.session_state`` for this session only.
    """
    state = st.session_state.setdefault(_state_key(key), {"revealed": False, "guess": None})
    with st.container(border=True):
        st.markdown(f"**🤔 Predict first:** {question}")
        if not state["revealed"]:
            guess = st.radio("Your prediction", list(options), index=None, key=f"{key}_guess",
                             label_visibility="collapsed", horizontal=len(options) <= 4)
            left, right = st.columns([1, 3])
            if left.button("Check", key=f"{key}_check", type="primary", disabled=guess is None):
                state.update(revealed=True, guess=guess)
            if right.button("Show without predicting", key=f"{key}_skip", type="tertiary"):
                state.update(revealed=True, guess=None)
            if not state["revealed"]:
                return False
        result = answer()
        if state["guess"] is None:
            st.markdown(f"**Answer:** {result.correct}. {result.why}")
        elif state["guess"] == result.correct:
            st.success(f"✅ You predicted **{state['guess']}**: right. {result.why}")
        else:
            st.info(f"You predicted **{state['guess']}**; the answer is **{result.correct}**. {result.why}")
        if st.button("Ask me again", key=f"{key}_again", type="tertiary"):
            state.update(revealed=False, guess=None)
            st.rerun()
    return True
