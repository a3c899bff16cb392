"""Unrolled: an interactive visual explainer of sequence models.

Run with ``streamlit run app.py``. This file is the entry point, read twice:

* ``streamlit run`` first imports it to look for an ASGI app, finds ``app`` (an ``st.App`` of this
  same file with one route, a melody's audio rendered when it is played (:mod:`ui.melody_audio`), and
  one middleware, :class:`ui.routes.DeeperPathsToTheirPage`, so that ``/ner/x`` opens ``/ner`` instead
  of a blank page) and serves it;
* then, for every visitor's run, Streamlit executes the file as ``__main__``: :func:`main` builds
  the navigation from the lesson map (``ui/lessons.py``), draws the shared sidebar and the home
  page, and runs the selected page.
"""

import streamlit as st

if __name__ != "__main__":   # imported by `streamlit run` (or uvicorn) to find the server app
    from starlette.middleware import Middleware

    from ui import melody_audio
    from ui.routes import DeeperPathsToTheirPage

    app = st.App(__file__, routes=melody_audio.routes(), middleware=[Middleware(DeeperPathsToTheirPage)])

#: What each step of the course covers (the home page's map).
SECTION_INTROS = {
    "Start": "How one recurrent cell is wired into the RNN types.",
    "What RNNs do": "One real model per architecture: one-to-many, many-to-one, many-to-many (Tx = Ty), "
                    "encoder–decoder.",
    "Limitations of RNNs": "Why plain RNNs struggle, and what LSTMs, GRUs and attention change.",
}


def home() -> None:
    from ui.lessons import SECTIONS, built_lessons

    st.title("Unrolled")
    st.markdown(
        "**Sequence models, one time step at a time.** A recurrent neural network reads a sequence "
        r"one element after another, carrying a hidden state $a^{\langle t \rangle}$ from step to step and reusing the "
        "same weights at every step. Each lesson below runs a real model on the server as you use it: "
        "change the inputs and watch the numbers move."
    )
    lessons = built_lessons()
    shown = [s for s in SECTIONS if any(lesson.section == s for lesson in lessons)]
    st.caption("The course, in order: " + " → ".join(shown))
    for number, section in enumerate(shown, start=1):
        in_section = [lesson for lesson in lessons if lesson.section == section]
        st.subheader(f"{number}. {section}")
        st.caption(SECTION_INTROS[section])
        cols = st.columns(3)
        for i, lesson in enumerate(in_section):
            with cols[i % 3].container(border=True):
                st.page_link(lesson.file, label=f"**{lesson.title}**", icon=lesson.icon)
                st.caption(lesson.blurb)


def sidebar() -> None:
    from ui.presentation import presentation_switch

    presentation_switch()
    with st.sidebar:
        st.caption(
            "Unrolled follows the course notes on recurrent neural networks: RNN types, what RNNs "
            "do (music, sentiment, named entities, translation) and their limitations. Every chart comes from "
            "a model that runs now or from a script in the project's repository."
        )


def main() -> None:
    """One visitor's run: navigation, shared sidebar, the selected page, then the teacher's tools."""
    from ui.lessons import built_lessons, ensure_app_navigation

    # First, before any slow import: the first run after a server start is Streamlit's legacy pages/ run,
    # which this cuts short (a rerun through the navigation below).
    ensure_app_navigation()

    from ui.presentation import requested as presentation_requested
    from ui.server_memory import limit_malloc_arenas
    from ui.teaching import class_link_builder, lock_note, url_bound_keys

    limit_malloc_arenas(2)  # a class's many script threads otherwise each keep their own malloc arena

    # Presenting collapses the sidebar (the projector needs the width; « opens it again).
    st.set_page_config(page_title="Unrolled: sequence models, step by step", page_icon="🔁", layout="wide",
                       initial_sidebar_state="collapsed" if presentation_requested() else "auto")

    home_page = st.Page(home, title="Home", icon="🏠", url_path="start", default=True)

    def home_alias() -> None:
        """``/home`` (a natural guess, and old links) opens the home page at ``/``."""
        st.switch_page(home_page)

    pages: dict[str, list] = {"": [home_page, st.Page(home_alias, title="Home", url_path="home", visibility="hidden")]}
    lessons_by_path = {}
    for lesson in built_lessons():
        lessons_by_path[lesson.url_path] = lesson
        pages.setdefault(lesson.section, []).append(
            st.Page(lesson.file, title=lesson.title, icon=lesson.icon, url_path=lesson.url_path))
    page = st.navigation(pages)
    sidebar()
    lesson = lessons_by_path.get(page.url_path)
    teacher_note = st.empty()            # filled after the page has run, once its controls are known
    teacher_tools = st.sidebar.container()
    page.run()
    if lesson is not None:
        # After the page: only now are its URL-bound controls known (a page that stopped early gets neither).
        lock_note(teacher_note, url_bound_keys(lesson.key_prefix), lesson.key_prefix)
        class_link_builder(lesson.url_path, lesson.key_prefix, teacher_tools)


if __name__ == "__main__":
    main()
