"""The lesson map: every page of the app, in the course's order.

``app.py`` builds the navigation and the home page's cards from :data:`LESSONS`;
a lesson whose file does not exist yet is left out everywhere (no stubs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Lesson:
    file: str        # path relative to the project root, e.g. "pages/rnn_types.py"
    title: str
    icon: str
    section: str     # navigation section
    blurb: str       # one sentence for the home page's card
    prefix: str = ""  # the page's widget-key (and URL-parameter) prefix, e.g. "ner_"; see key_prefix

    @property
    def built(self) -> bool:
        return (ROOT / self.file).is_file()

    @property
    def key_prefix(self) -> str:
        """The prefix of every widget key on this page (``KEY_PREFIXES`` when ``prefix`` is not given)."""
        return self.prefix or KEY_PREFIXES.get(Path(self.file).stem, "")

    @property
    def url_path(self) -> str:
        # The file's stem, exactly: Streamlit's very first script run after start-up uses its
        # legacy pages/ mode, which finds pages by stem (see ensure_app_navigation).
        return Path(self.file).stem


#: Each page's widget-key prefix (widget keys double as URL parameters, so they must be unique across pages).
KEY_PREFIXES = {"rnn_types": "rt_", "music": "mus_", "sentiment": "sen_", "ner": "ner_", "translation": "tr_",
                "gradients": "grad_", "long_term": "lt_", "parallelism": "par_"}

SECTIONS = ("Start", "What RNNs do", "Limitations of RNNs")

LESSONS: tuple[Lesson, ...] = (
    Lesson("pages/rnn_types.py", "RNN types", "🔁", "Start",
           "One cell, five wirings: watch real numbers flow through an unrolled RNN, step by step."),
    Lesson("pages/music.py", "Music generation", "🎵", "What RNNs do",
           "One-to-many: an LSTM continues a seed note into a melody you can see, hear and download."),
    Lesson("pages/sentiment.py", "Sentiment", "💬", "What RNNs do",
           "Many-to-one: a GRU reads a product review word by word and gives one verdict at the end."),
    Lesson("pages/ner.py", "Named entities", "🏷️", "What RNNs do",
           "Many-to-many (Tx = Ty): a BiLSTM tags people, organisations, places, dates and money."),
    Lesson("pages/translation.py", "Translation", "🌍", "What RNNs do",
           "Encoder–decoder (Tx ≠ Ty): English to French, with attention you can see."),
    Lesson("pages/gradients.py", "Vanishing & exploding gradients", "📉", "Limitations of RNNs",
           "Slide the recurrent weights and watch the gradient shrink to nothing or blow up."),
    Lesson("pages/long_term.py", "Long-term dependencies", "🧠", "Limitations of RNNs",
           "Train an RNN, an LSTM and a GRU live on the same memory task and see which one remembers."),
    Lesson("pages/parallelism.py", "No parallelism", "⏱️", "Limitations of RNNs",
           "Time a recurrent layer against attention and convolution: T sequential steps versus one."),
)


def ensure_app_navigation() -> None:
    """Make the first run after server start go through ``app.py``'s ``st.navigation``.

    Until some script calls ``st.navigation``, Streamlit treats a ``pages/`` folder in its
    legacy way: the first visitor's page (a shared deep link, say) is run on its own,
    without ``app.py``'s set-up and navigation. Every page and ``app.py`` call this first;
    it switches the legacy mode off and, on a session's first run, reruns: the rerun opens
    the same page (same URL path) through ``app.py``. (AppTest turns the legacy mode back
    on before every run; rerunning only on a session's first run keeps its clicks.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    first_run = not st.session_state.get("_through_app")
    st.session_state["_through_app"] = True
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if first_run:
            st.rerun()
    # .streamlit/config.toml sets client.showSidebarNavigation = false, so that legacy first run never
    # shows its menu of raw file names; app.py's own navigation is shown, so switch the menu back on.
    if st.get_option("client.showSidebarNavigation") is False:
        st.set_option("client.showSidebarNavigation", True)


def built_lessons() -> list[Lesson]:
    """The lessons whose page file exists."""
    return [lesson for lesson in LESSONS if lesson.built]


def lesson_link(file: str, label: str | None = None) -> bool:
    """Draw a link to the page ``file`` if it is built; return whether it was drawn."""
    lesson = next((x for x in LESSONS if x.file == file), None)
    if lesson is None or not lesson.built:
        return False
    st.page_link(lesson.file, label=label or lesson.title, icon=lesson.icon)
    return True
