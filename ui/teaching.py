"""Teaching tools shared by every lesson: predict-then-reveal checkpoints and teacher links.

* :func:`checkpoint` asks a question *before* the chart that answers it: the student picks an
  answer and presses **Check** (or **Show without predicting**); only then does the page draw
  what follows, with the measured answer (computed now, from the live model or an evaluation
  file) beside the guess. Guesses live in this browser session only.
* :func:`locked` tells a page whether the teacher's link fixed a control (``?lock=key1,key2``):
  pages pass ``disabled=locked(key)`` to each URL-bound widget.
* :func:`class_link_builder` (drawn by ``app.py`` in the sidebar of every lesson) is a button that
  opens a dialog building that link from the page's URL state *at that moment* (so a control inside an
  ``st.fragment``, which does not rerun the sidebar, is never left out) and the controls the teacher
  ticks; :func:`lock_note` tells the student which controls the link fixed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from ui.inputs import markdown_literal

#: URL parameter listing the widget keys a teacher's link fixes, comma-separated.
LOCK_PARAM = "lock"
_MAX_LOCKS = 40
#: What a widget key (and so a lockable name) looks like; anything else in ``?lock=`` is ignored.
_KEY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
#: URL parameters shared by every page that a class link leaves out (presentation mode is the teacher's view).
NOT_IN_CLASS_LINKS = frozenset({LOCK_PARAM, "present", "screen"})


@dataclass(frozen=True)
class Answer:
    """What a checkpoint reveals: the correct option (one of the options, computed, never typed in)
    and one sentence on why (it may quote measured numbers, formatted from the computation)."""

    correct: str
    why: str


def parse_locks(raw: str | Iterable[str] | None) -> frozenset[str]:
    """The widget keys named by a ``lock`` value (``"a,b"``, or several values, or ``None``).

    Hostile values fall back safely: only names that look like widget keys count (letters, digits,
    ``_``; at most 64 characters), at most 40 of them, from the first 2,000 characters of each value."""
    if raw is None:
        return frozenset()
    values = [raw] if isinstance(raw, str) else list(raw)[:_MAX_LOCKS]
    names: list[str] = []
    for value in values:
        names += [n.strip() for n in str(value)[:2000].split(",")]
    good = [n for n in names if _KEY_NAME.fullmatch(n)]
    return frozenset(list(dict.fromkeys(good))[:_MAX_LOCKS])


def locked_keys() -> frozenset[str]:
    """The widget keys named by ``?lock=…`` in this page's URL (hostile values are ignored)."""
    try:
        raw = st.query_params.get_all(LOCK_PARAM)
    except Exception:  # noqa: BLE001 - outside a script run there is no URL: nothing is locked
        return frozenset()
    return parse_locks(raw)


def locked(key: str) -> bool:
    """Has the teacher's link fixed the widget with this key? Pass as ``disabled=locked(key)``."""
    return key in locked_keys()


def url_bound_keys(prefix: str = "") -> list[str]:
    """The keys of the widgets on this page that keep their value in the URL (``bind="query-params"``),
    starting with ``prefix`` (the page's key prefix), without the shared ``present``/``screen``.

    Read after the page has run: Streamlit records each URL-bound widget of the run. If that record
    cannot be read (a Streamlit upgrade moved it), the session's widget keys with ``prefix`` stand in."""
    names: list[str] = []
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        with get_session_state().query_params() as qp:
            names = list(qp._bindings_by_param)
    except Exception:  # noqa: BLE001 - private API; fall back to the session's keys
        names = [k for k in st.session_state if isinstance(k, str) and prefix and k.startswith(prefix)]
    return sorted(n for n in names if n.startswith(prefix) and n not in NOT_IN_CLASS_LINKS and _KEY_NAME.fullmatch(n))


def class_link(base: str, params: Mapping[str, str | Sequence[str]], lock: Iterable[str]) -> str:
    """``base`` plus the query ``params`` (multi-valued ones repeated) and ``lock=a,b`` for ``lock``.

    Presentation-mode parameters and any old ``lock`` are left out."""
    query: list[tuple[str, str]] = []
    for name, value in params.items():
        if name in NOT_IN_CLASS_LINKS:
            continue
        for v in [value] if isinstance(value, str) else list(value):
            query.append((name, str(v)))
    locks = sorted(parse_locks(",".join(lock)))
    if locks:
        query.append((LOCK_PARAM, ",".join(locks)))
    return base + ("?" + urlencode(query, safe=",") if query else "")


def _short(key: str, prefix: str) -> str:
    return key[len(prefix):] if prefix and key.startswith(prefix) and len(key) > len(prefix) else key


def _current_link(url_path: str, locks: Iterable[str]) -> str:
    """The class link of the page as its URL stands now, with ``locks`` fixed."""
    try:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
    except Exception:  # noqa: BLE001
        params = {}
    page_url = (st.context.url or "").split("?")[0] if _has_context_url() else ""
    return class_link(page_url or f"/{url_path}", params, locks)


@st.dialog("👩‍🏫 Copy link for my class", width="large")
def _class_link_dialog(url_path: str, prefix: str, keys: list[str]) -> None:
    st.caption("The link opens this page as you see it now. Controls you tick below are shown greyed out "
               "to your students, so everyone starts from the same view.")
    current = sorted(locked_keys() & set(keys))
    chosen = st.multiselect("Fix these controls", keys, default=current, key=f"_teach_lock_{url_path}",
                            format_func=lambda k: _short(k, prefix), placeholder="none: students can change all")
    st.code(_current_link(url_path, chosen), language=None, wrap_lines=True)
    st.caption("Copy it with the button at the code box's top right.")


def class_link_builder(url_path: str, prefix: str, container=None) -> str | None:
    """Draw the "Copy link for my class" button (in ``container``, default the sidebar), which opens the
    link dialog; return the page's link with the locks in force now, or ``None`` when the page has no
    URL-bound controls (the home page)."""
    keys = url_bound_keys(prefix)
    if not keys:
        return None
    st.session_state[f"_teach_keys_{url_path}"] = keys     # the page's lockable controls (tests read them)
    box = container if container is not None else st.sidebar
    if box.button("👩‍🏫 Copy link for my class", key=f"_teach_open_{url_path}", width="stretch",
                  help="A link to this page as it is now, for your students; you choose which controls to fix."):
        _class_link_dialog(url_path, prefix, keys)
    return _current_link(url_path, sorted(locked_keys() & set(keys)))


def _has_context_url() -> bool:
    try:
        return bool(st.context.url)
    except Exception:  # noqa: BLE001 - no browser (AppTest)
        return False


def lock_note(container, keys_on_page: Iterable[str], prefix: str = "") -> str | None:
    """Say once which controls the teacher's link fixed (only names of this page's controls are shown)."""
    fixed = sorted(locked_keys() & set(keys_on_page))
    if not fixed:
        return None
    text = "Your teacher fixed: " + ", ".join(f"**{markdown_literal(_short(k, prefix))}**" for k in fixed) + \
        " (shown greyed out), so the class starts from the same view."
    container.info(text, icon="🔒")
    return text


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
            ask = st.empty()
            with ask.container():
                guess = st.radio("Your prediction", list(options), index=None, key=f"{key}_guess",
                                 label_visibility="collapsed", horizontal=len(options) <= 4)
                row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
                if row.button("Check", key=f"{key}_check", type="primary", disabled=guess is None):
                    state.update(revealed=True, guess=guess)
                if row.button("Show without predicting", key=f"{key}_skip", type="tertiary"):
                    state.update(revealed=True, guess=None)
            if not state["revealed"]:
                return False
            ask.empty()   # the question's controls give way to the answer in this same run
        result = answer()
        if state["guess"] is None:
            st.markdown(f"**Answer:** {result.correct}. {result.why}")
        elif state["guess"] == result.correct:
            st.success(f"You predicted **{state['guess']}**: right. {result.why}", icon="✅")
        else:
            st.info(f"You predicted **{state['guess']}**; the answer is **{result.correct}**. {result.why}")
        if st.button("Ask me again", key=f"{key}_again", type="tertiary"):
            state.update(revealed=False, guess=None)
            st.rerun()
    return True
