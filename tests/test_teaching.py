"""Teaching tools (ui/teaching.py): predict-then-reveal checkpoints, teacher locks and the class-link builder."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from ui.teaching import NOT_IN_CLASS_LINKS, class_link, parse_locks


def checkpoint_script() -> None:
    import streamlit as st

    from ui.teaching import Answer, checkpoint

    calls = st.session_state.setdefault("answer_calls", [0])

    def answer() -> Answer:
        calls[0] += 1
        total = sum(range(1, 4))           # "computed": the test checks this number reaches the page
        return Answer(correct=f"{total} steps", why=f"The loop ran {total} times.")

    if checkpoint("t_cp_demo", "How many steps will the loop run?", ["2 steps", "6 steps", "9 steps"], answer):
        st.markdown("THE CHART")


def run_checkpoint() -> AppTest:
    return AppTest.from_function(checkpoint_script, default_timeout=30).run()


def shown(at: AppTest) -> bool:
    return any(m.value == "THE CHART" for m in at.markdown)


def test_checkpoint_hides_the_answer_until_check_then_shows_the_computed_answer() -> None:
    at = run_checkpoint()
    assert not at.exception
    assert not shown(at) and at.session_state["answer_calls"] == [0]    # answer() not even computed yet
    assert at.button(key="t_cp_demo_check").disabled                       # nothing picked: Check is off
    at.radio(key="t_cp_demo_guess").set_value("6 steps").run()
    assert not shown(at)                                                   # picking is not checking
    at.button(key="t_cp_demo_check").click().run()
    assert shown(at)
    assert [s.value for s in at.success] == ["You predicted **6 steps**: right. The loop ran 6 times."]
    assert not at.radio and not [b for b in at.button if b.key == "t_cp_demo_check"]   # the question gave way
    at.run()                                                               # any later rerun: still revealed
    assert shown(at) and at.success


def test_a_wrong_guess_is_answered_with_the_measured_value() -> None:
    at = run_checkpoint()
    at.radio(key="t_cp_demo_guess").set_value("9 steps").run()
    at.button(key="t_cp_demo_check").click().run()
    assert shown(at) and not at.success
    assert "You predicted **9 steps**; the answer is **6 steps**. The loop ran 6 times." in [i.value for i in at.info]


def test_show_without_predicting_reveals_without_a_guess_and_ask_again_hides() -> None:
    at = run_checkpoint()
    at.button(key="t_cp_demo_skip").click().run()
    assert shown(at)
    assert "**Answer:** 6 steps. The loop ran 6 times." in [m.value for m in at.markdown]
    at.button(key="t_cp_demo_again").click().run()
    assert not shown(at) and at.radio(key="t_cp_demo_guess").value is None


def test_guesses_live_in_one_session_only() -> None:
    first = run_checkpoint()
    first.button(key="t_cp_demo_skip").click().run()
    assert shown(first)
    second = run_checkpoint()             # another browser session (a classmate) starts unrevealed
    assert not shown(second)
    assert shown(first.run())


# --- locks ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("mus_temp,mus_seed", {"mus_temp", "mus_seed"}),
    (" mus_temp , ,mus_seed,mus_temp ", {"mus_temp", "mus_seed"}),
    (["ner_text", "ner_model,ner_types"], {"ner_text", "ner_model", "ner_types"}),   # ?lock=a&lock=b,c
    (None, set()),
    ("", set()),
    (",,,", set()),
    ("<script>alert(1)</script>", set()),
    ("x y,ok_key", {"ok_key"}),
    ("../../etc/passwd,%00,' OR 1=1 --", set()),
    ("ключ,鍵,mus_temp\u202e", set()),
    ("a" * 65, set()),
    ("a" * 64, {"a" * 64}),
    (",".join(f"k{i}" for i in range(500)), {f"k{i}" for i in range(40)}),     # at most 40 names
    ("mus_temp," + "x" * 100_000, {"mus_temp"}),
])
def test_lock_values_parse_safely(raw, expected) -> None:
    assert parse_locks(raw) == expected


def lock_script() -> None:
    import streamlit as st

    from ui.teaching import locked

    st.slider("Temperature", 0.0, 2.0, 1.0, key="t_temp", bind="query-params", disabled=locked("t_temp"))
    st.selectbox("Model", ["LSTM", "GRU"], key="t_model", bind="query-params", disabled=locked("t_model"))


@pytest.mark.parametrize("lock, disabled", [
    ("t_temp", {"t_temp"}),
    ("t_temp,t_model", {"t_temp", "t_model"}),
    ("<b>t_temp</b>", set()),
    ("t_temp" * 2000, set()),
    ("T_TEMP", set()),                      # keys are case-sensitive: no accidental match
])
def test_locked_widgets_are_disabled_and_hostile_locks_fall_back(lock, disabled) -> None:
    at = AppTest.from_function(lock_script, default_timeout=30)
    at.query_params["lock"] = lock
    at.query_params["t_temp"] = "0.4"
    at.run()
    assert not at.exception
    assert at.slider(key="t_temp").disabled is ("t_temp" in disabled)
    assert at.selectbox(key="t_model").disabled is ("t_model" in disabled)
    assert at.slider(key="t_temp").value == pytest.approx(0.4)      # the link's value is kept, locked or not


# --- the class-link builder ----------------------------------------------------------------------------

def test_class_link_keeps_the_state_drops_presentation_and_adds_the_locks() -> None:
    link = class_link("http://host/music", {"mus_temp": "0.4", "mus_types": ["a b", "c&d"], "present": "true",
                                            "screen": "Try this", "lock": "old"}, ["mus_temp", "<x>", "mus_len"])
    parts = urlsplit(link)
    assert parts.path == "/music"
    query = parse_qs(parts.query)
    assert query == {"mus_temp": ["0.4"], "mus_types": ["a b", "c&d"], "lock": ["mus_len,mus_temp"]}
    assert "lock=mus_len,mus_temp" in link                          # readable in the address bar
    assert not NOT_IN_CLASS_LINKS & set(query) - {"lock"}
    assert class_link("/ner", {}, []) == "/ner"


def builder_script() -> None:
    import streamlit as st

    from ui.teaching import class_link_builder, lock_note, url_bound_keys

    note = st.empty()
    st.slider("Temperature", 0.0, 2.0, 1.0, key="t_temp", bind="query-params")
    st.text_input("Text", "hello", key="t_text", bind="query-params")
    st.toggle("Presentation mode", key="present", bind="query-params")
    st.checkbox("Not in the URL", key="t_local")
    lock_note(note, url_bound_keys("t_"), "t_")
    class_link_builder("demo", "t_")


def test_sidebar_builder_offers_the_pages_url_controls_and_builds_the_link() -> None:
    at = AppTest.from_function(builder_script, default_timeout=30)
    at.query_params["t_temp"] = "0.5"
    at.query_params["present"] = "true"
    at.run()
    assert not at.exception and not at.info                       # no lock: no note
    assert not at.multiselect and not at.code                     # the dialog opens on demand only
    at.sidebar.button(key="_teach_open_demo").click().run()
    (chooser,) = at.multiselect
    assert chooser.options == ["temp", "text"]                      # URL-bound, this page's prefix, shown short
    assert at.code[0].value == "/demo?t_temp=0.5"                   # presentation mode is the teacher's own
    # The URL as it is when the dialog opens (a control moved inside a fragment is not left out).
    at.query_params["t_temp"] = "0.7"
    at.session_state["_teach_lock_demo"] = ["t_text", "t_temp"]
    at.sidebar.button(key="_teach_open_demo").click().run()
    link = at.code[0].value
    assert parse_qs(urlsplit(link).query) == {"t_temp": ["0.7"], "lock": ["t_temp,t_text"]}
    # A student opens the link: the note names the fixed controls once; a hostile name is never echoed.
    student = AppTest.from_function(builder_script, default_timeout=30)
    student.query_params["t_temp"] = "0.5"
    student.query_params["lock"] = "t_temp,t_text,t_nothing,<script>"
    student.run()
    assert [i.value for i in student.info] == [
        "Your teacher fixed: **temp**, **text** (shown greyed out), so the class starts from the same view."]
    student.sidebar.button(key="_teach_open_demo").click().run()
    assert student.multiselect[0].value == ["t_temp", "t_text"]   # the teacher's link can be rebuilt
