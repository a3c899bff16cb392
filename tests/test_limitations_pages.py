"""AppTests for the three limitations pages: every control changes what is shown; odd URLs fall back."""

from __future__ import annotations

import pytest

from tests.conftest import open_page

GRAD = "pages/gradients.py"
LONG = "pages/long_term.py"
PAR = "pages/parallelism.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_gradients_page_default_view() -> None:
    at = open_page(GRAD)
    assert not at.exception
    assert at.title[0].value == "Vanishing & exploding gradients"
    assert "What you will see." in markdown(at) and at.subheader[-1].value == "Try this"
    m = metrics(at)
    assert m["‖∂L/∂a⟨T−1⟩‖ (one step back)"] == "0.852"
    assert float(m["‖∂L/∂a⟨1⟩‖ (99 steps back)"]) < 1e-6     # tanh, ρ = 0.9, 99 steps: vanished
    assert any("sufficient condition holds" in s.value for s in at.success)
    assert len(at.get("plotly_chart")) == 3                       # norms, heatmap, clipping


def test_gradients_page_every_slider_changes_the_numbers() -> None:
    at = open_page(GRAD)
    far = lambda: [v for k, v in metrics(at).items() if "steps back" in k and "one step" not in k][0]
    seen = {far()}
    for key, value in (("T", 200), ("rho", 1.5), ("H", 64), ("gseed", 7)):
        (at.slider(key=key) if key != "gseed" else at.number_input(key=key)).set_value(value)
        at.run()
        assert not at.exception, key
        assert far() not in seen, key
        seen.add(far())
    assert any("exploding is *possible*" in w.value for w in at.warning)   # ρ = 1.5 > 1/γ
    at.button_group(key="act").set_value("linear").run()
    assert any("theory line" in c.value for c in at.caption)
    at.slider(key="rho").set_value(0.1).run()
    at.slider(key="T").set_value(500).run()
    at.button_group(key="prec").set_value("float32").run()
    assert int(metrics(at)["Exactly 0 (underflow)"]) > 400
    assert any("underflowed to exactly 0" in w.value for w in at.warning)


def test_gradients_page_lstm_forget_bias_slider() -> None:
    at = open_page(GRAD, {"cell": "LSTM", "rho": "1"})
    assert not at.exception and at.slider(key="fb").value == 1.0
    before = metrics(at)["‖∂L/∂a⟨1⟩‖ (99 steps back)"]
    at.slider(key="fb").set_value(3.0).run()
    after = metrics(at)["‖∂L/∂a⟨1⟩‖ (99 steps back)"]
    assert float(after) > 100 * float(before)                       # the open forget gate keeps the gradient
    assert any("condition is stated for the vanilla RNN" in i.value for i in at.info)
    at.button_group(key="cell").set_value("GRU").run()
    assert not at.exception and "fb" not in [s.key for s in at.slider]


def test_gradients_page_clipping_controls() -> None:
    at = open_page(GRAD)
    assert any("Without clipping: the loss became inf" in e.value for e in at.error)
    at.select_slider(key="lr").set_value(0.01).run()
    at.select_slider(key="rho0").set_value(0.5).run()
    assert not at.exception and not at.error                        # small steps, small ρ₀: both stay finite
    at.select_slider(key="clip").set_value(10.0).run()
    at.number_input(key="cseed").set_value(3).run()
    assert not at.exception
    assert sum("finite all the way" in m for m in markdown(at).splitlines()) == 2


@pytest.mark.parametrize("query", [{"cell": "<script>alert(1)</script>", "T": "abc", "rho": "99", "H": "-3"},
                                   {"act": "sigmoid", "prec": "float16", "gseed": "1e99", "lr": "NaN"}])
def test_gradients_page_bad_query_strings_fall_back(query: dict) -> None:
    at = open_page(GRAD, query)
    assert not at.exception
    assert at.button_group(key="cell").value == "Vanilla RNN" and at.slider(key="T").value == 100


def test_gradients_page_presenting_puts_each_idea_with_its_own_controls_on_one_screen() -> None:
    at = open_page(GRAD, {"present": "true"})
    assert not at.exception, at.exception
    reaches, condition, clipping, try_this = at.tabs
    assert [e.label for e in reaches.expander] == ["⚙️ Cell, floats, length and weight scale",
                                                  "Per-unit gradient magnitude over time (heatmap)"]
    assert {s.key for s in reaches.slider} == {"T", "rho", "H"} and len(reaches.metric) == 4
    assert len(reaches.get("plotly_chart")) == 2                   # norms and the per-unit heatmap
    assert not condition.expander and any("sufficient condition holds" in s.value for s in condition.success)
    assert [e.label for e in clipping.expander] == ["⚙️ Learning rate, threshold, ρ₀ and seed"]
    assert {s.key for s in clipping.select_slider} == {"lr", "clip", "rho0"}
    assert len(clipping.get("plotly_chart")) == 1 and clipping.error
    assert "Pick **linear**" in "\n".join(m.value for m in try_this.markdown)
    at.slider(key="rho").set_value(1.5).run()                      # a control of screen 1 drives screen 2's verdict
    assert any("exploding is *possible*" in w.value for w in at.tabs[1].warning)

def test_long_term_page_trains_live_and_shows_the_gates() -> None:
    at = open_page(LONG, {"lag": "4", "steps": "250"})
    assert not at.exception, at.exception
    assert "What you will see." in markdown(at) and at.subheader[-1].value == "Try this"
    assert any("Press **Train**" in i.value for i in at.info)
    assert any("Longest length learned" in m for m in markdown(at).splitlines())
    assert any("saved by the repository's script" in m for m in markdown(at).splitlines())
    at.button(key="lt_start").click().run()
    assert not at.exception, at.exception
    m = metrics(at)
    assert set(m) == {"Vanilla RNN (tanh)", "LSTM", "GRU"}
    assert all(v.startswith("MSE ") for v in m.values())
    assert any("the LSTM you just trained (T = 4)" in x for x in markdown(at).splitlines())


def test_long_term_page_sliders() -> None:
    at = open_page(LONG)
    gates = lambda: [x for x in markdown(at).splitlines() if "LSTM answers" in x][0]
    first = gates()
    at.slider(key="gT").set_value(60).run()
    assert gates() != first
    second = gates()
    at.number_input(key="ex").set_value(4).run()
    assert gates() != second
    at.slider(key="lag").set_value(100).run()
    at.select_slider(key="steps").set_value(500).run()
    at.number_input(key="lseed").set_value(2).run()
    assert not at.exception
    assert at.slider(key="lag").value == 100


def test_long_term_page_bad_query_strings_fall_back() -> None:
    at = open_page(LONG, {"lag": "99999", "steps": "<b>x</b>", "gT": "-1", "ex": "abc"})
    assert not at.exception and at.slider(key="lag").value == 40


def test_long_term_page_presenting_trains_live_in_its_own_screen() -> None:
    at = open_page(LONG, {"present": "true", "lag": "4", "steps": "250"})
    assert not at.exception, at.exception
    problem, training, _, inside, _ = at.tabs
    assert len(problem.get("plotly_chart")) == 1 and not problem.expander
    assert [e.label for e in training.expander] == ["⚙️ Length, steps and seed"]
    assert any("Press **Train**" in i.value for i in training.info)
    assert [e.label for e in inside.expander] == ["⚙️ Example sequence"]
    at.button(key="lt_start").click().run()   # the run is drawn at the end of the script, into its screen
    assert not at.exception, at.exception
    training = at.tabs[1]
    assert {m.label for m in training.metric} == {"Vanilla RNN (tanh)", "LSTM", "GRU"} and len(at.metric) == 3
    assert len(training.get("plotly_chart")) == 1
    assert any("the LSTM you just trained (T = 4)" in m.value for m in at.tabs[3].markdown)


def test_long_term_page_says_a_run_did_not_start_when_the_server_was_busy(monkeypatch) -> None:
    import threading

    from ui import heavy

    full = heavy.Limiter(1, 1.0)
    monkeypatch.setattr(heavy, "LIMITER", full)
    monkeypatch.setattr(heavy, "TRAINING_WAIT", 1.0)
    taken, release = threading.Event(), threading.Event()

    def other_student() -> None:
        with full.slot():
            taken.set()
            release.wait(60)

    thread = threading.Thread(target=other_student, daemon=True)
    thread.start()
    try:
        assert taken.wait(10)
        at = open_page(LONG, {"lag": "4", "steps": "250"})
        at.button(key="lt_start").click().run()
        assert not at.exception, at.exception
        assert any("Busy, try again in a moment" in i.value for i in at.info)     # heavy.job's own message
        at.number_input(key="ex").set_value(4).run()                              # any later click reruns
        assert not at.exception, at.exception
        said = [w.value for w in at.warning if "did not start" in w.value]
        assert said and "T = 4" in said[0] and "server was busy" in said[0], [w.value for w in at.warning]
        assert not at.metric                                                      # no "interrupted after 0 steps"
    finally:
        release.set()
        thread.join(10)
    at.button(key="lt_start").click().run()                                       # a slot is free again
    assert not at.exception and len(at.metric) == 3
    assert not [w for w in at.warning if "did not start" in w.value]

def test_parallelism_page_measures_and_every_control_changes_it() -> None:
    at = open_page(PAR, {"Tmax": "64", "d": "16", "B": "1"})
    assert not at.exception
    assert "What you will see." in markdown(at) and at.subheader[-1].value == "Try this"
    table = at.dataframe[0].value
    assert list(table["T"]) == [16, 32, 64]
    assert (table["RNN (ms)"] > 0).all() and (table["self-attention (ms)"] > 0).all()
    assert any("On a GPU" in i.value for i in at.info)
    at.select_slider(key="Tmax").set_value(128).run()
    assert list(at.dataframe[0].value["T"]) == [16, 32, 64, 128]
    at.select_slider(key="d").set_value(32).run()
    assert "d 32" in " ".join(c.value for c in at.caption)
    at.select_slider(key="B").set_value(2).run()
    assert "batch 2" in " ".join(c.value for c in at.caption)
    assert not at.exception


def test_parallelism_page_bad_query_strings_fall_back() -> None:
    at = open_page(PAR, {"Tmax": "1000000", "d": "<script>", "B": "-1"})
    assert not at.exception
    assert at.select_slider(key="Tmax").value == 1024
