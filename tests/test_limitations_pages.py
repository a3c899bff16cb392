"""AppTests for the three limitations pages: every control changes what is shown; odd URLs fall back."""

from __future__ import annotations

import pytest

from sequence_models.limitations.long_term import LIVE_DEFAULTS
from tests.conftest import open_page
from tests.tables import table_with

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
    assert any("sufficient condition holds" in s.value for s in at.info)
    assert len(at.get("plotly_chart")) == 2                       # norms, heatmap; clipping waits for the prediction
    assert not at.error                                           # expected results are not shown as failures


def test_gradients_page_every_slider_changes_the_numbers() -> None:
    at = open_page(GRAD)
    def far():
        return [v for k, v in metrics(at).items() if "steps back" in k and "one step" not in k][0]
    seen = {far()}
    for key, value in (("grad_T", 200), ("grad_rho", 1.5), ("grad_H", 64), ("grad_seed", 7)):
        (at.slider(key=key) if key != "grad_seed" else at.number_input(key=key)).set_value(value)
        at.run()
        assert not at.exception, key
        assert far() not in seen, key
        seen.add(far())
    assert any("exploding is *possible*" in w.value for w in at.warning)   # ρ = 1.5 > 1/γ
    at.button_group(key="grad_act").set_value("linear").run()
    assert any("**explodes**" in w.value and "possible" not in w.value for w in at.warning)   # g′ = 1: certain
    assert any("theory line" in c.value for c in at.caption)
    at.slider(key="grad_rho").set_value(0.1).run()
    at.slider(key="grad_T").set_value(500).run()
    at.button_group(key="grad_prec").set_value("float32").run()
    assert int(metrics(at)["Exactly 0 (underflow)"]) > 400
    assert any("underflowed to exactly 0" in w.value for w in at.warning)


def test_gradients_page_lstm_forget_bias_slider() -> None:
    at = open_page(GRAD, {"grad_cell": "LSTM", "grad_rho": "1"})
    assert not at.exception and at.slider(key="grad_fb").value == 1.0
    before = metrics(at)["‖∂L/∂a⟨1⟩‖ (99 steps back)"]
    at.slider(key="grad_fb").set_value(3.0).run()
    after = metrics(at)["‖∂L/∂a⟨1⟩‖ (99 steps back)"]
    assert float(after) > 100 * float(before)                       # the open forget gate keeps the gradient
    assert any("condition is stated for the vanilla RNN" in i.value for i in at.info)
    at.button_group(key="grad_cell").set_value("GRU").run()
    assert not at.exception and "grad_fb" not in [s.key for s in at.slider]


def test_gradients_page_clipping_checkpoint_then_controls() -> None:
    at = open_page(GRAD)
    assert len(at.get("plotly_chart")) == 2 and "Predict first" in markdown(at)   # the chart waits
    at.radio(key="grad_cp_clip_guess").set_value("It stays finite").run()
    at.button(key="grad_cp_clip_check").click().run()
    assert not at.exception and len(at.get("plotly_chart")) == 3
    said = [i.value for i in at.info if "You predicted" in i.value]
    assert said and "the answer is **It blows up to ∞ or nan**" in said[0] and "from step" in said[0]
    assert any("**Without clipping:** the loss became inf" in m for m in markdown(at).splitlines())
    assert not at.error
    at.select_slider(key="grad_lr").set_value(0.01).run()
    at.select_slider(key="grad_rho0").set_value(0.5).run()
    revealed = [m.value for m in at.markdown] + [i.value for i in at.info] + [x.value for x in at.success]
    assert not at.exception and any("the unclipped run stays finite" in m for m in revealed)
    at.select_slider(key="grad_clip").set_value(10.0).run()
    at.number_input(key="grad_cseed").set_value(3).run()
    assert not at.exception
    assert sum("finite all the way" in m for m in markdown(at).splitlines()) == 2


@pytest.mark.parametrize("query", [{"grad_cell": "<script>alert(1)</script>", "grad_T": "abc", "grad_rho": "99",
                                    "grad_H": "-3"},
                                   {"grad_act": "sigmoid", "grad_prec": "float16", "grad_seed": "1e99",
                                    "grad_lr": "NaN"}])
def test_gradients_page_bad_query_strings_fall_back(query: dict) -> None:
    at = open_page(GRAD, query)
    assert not at.exception
    assert at.button_group(key="grad_cell").value == "Vanilla RNN" and at.slider(key="grad_T").value == 100


def test_gradients_page_presenting_puts_each_idea_with_its_own_controls_on_one_screen() -> None:
    at = open_page(GRAD, {"present": "true"})
    assert not at.exception, at.exception
    reaches, condition, clipping, try_this = at.tabs
    assert [e.label for e in reaches.expander] == ["⚙️ Cell, floats, length and weight scale",
                                                  "Per-unit gradient magnitude over time (heatmap)"]
    assert {s.key for s in reaches.slider} == {"grad_T", "grad_rho", "grad_H"} and len(reaches.metric) == 4
    assert len(reaches.get("plotly_chart")) == 2                   # norms and the per-unit heatmap
    assert not condition.expander and any("sufficient condition holds" in s.value for s in condition.info)
    assert [e.label for e in clipping.expander] == ["⚙️ Learning rate, threshold, ρ₀ and seed"]
    assert {s.key for s in clipping.select_slider} == {"grad_lr", "grad_clip", "grad_rho0"}
    assert not clipping.get("plotly_chart") and "Predict first" in "\n".join(m.value for m in clipping.markdown)
    assert "Pick **linear**" in "\n".join(m.value for m in try_this.markdown)
    at.slider(key="grad_rho").set_value(1.5).run()                 # a control of screen 1 drives screen 2's verdict
    assert any("exploding is *possible*" in w.value for w in at.tabs[1].warning)

def test_long_term_page_trains_live_and_shows_the_gates() -> None:
    at = open_page(LONG, {"lt_lag": "4", "lt_steps": "250"})
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
    def gates():
        return [x for x in markdown(at).splitlines() if "LSTM answers" in x][0]
    first = gates()
    at.slider(key="lt_gT").set_value(60).run()
    assert gates() != first
    second = gates()
    at.number_input(key="lt_ex").set_value(4).run()
    assert gates() != second
    at.slider(key="lt_lag").set_value(100).run()
    at.select_slider(key="lt_steps").set_value(500).run()
    at.number_input(key="lt_seed").set_value(2).run()
    assert not at.exception
    assert at.slider(key="lt_lag").value == 100


def test_long_term_page_bad_query_strings_fall_back() -> None:
    at = open_page(LONG, {"lt_lag": "99999", "lt_steps": "<b>x</b>", "lt_gT": "-1", "lt_ex": "abc"})
    assert not at.exception and at.slider(key="lt_lag").value == LIVE_DEFAULTS.length


def test_long_term_page_presenting_trains_live_in_its_own_screen() -> None:
    at = open_page(LONG, {"present": "true", "lt_lag": "4", "lt_steps": "250"})
    assert not at.exception, at.exception
    problem, training, _, inside, _, _ = at.tabs
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
        at = open_page(LONG, {"lt_lag": "4", "lt_steps": "250"})
        at.button(key="lt_start").click().run()
        assert not at.exception, at.exception
        assert any("Busy, try again in a moment" in i.value for i in at.info)     # heavy.job's own message
        at.number_input(key="lt_ex").set_value(4).run()                              # any later click reruns
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

def download_keys(at) -> list[str]:
    return [b.proto.id for b in at.get("download_button")]


def test_long_term_page_time_cap_says_no_verdict(monkeypatch) -> None:
    import sequence_models.limitations.long_term as lt
    real = lt.train_side_by_side

    def capped(config, **kw):                      # a busy server: the cap cuts the run after a few steps
        from dataclasses import replace
        ticks = iter(range(10**6))
        return real(replace(config, time_limit=3.0), clock=lambda: float(next(ticks)), **kw)

    monkeypatch.setattr(lt, "train_side_by_side", capped)
    at = open_page(LONG, {"lt_lag": "30", "lt_steps": "250"})
    at.button(key="lt_start").click().run()
    assert not at.exception, at.exception
    deltas = [m.proto.delta for m in at.metric]
    assert len(deltas) == 3
    assert all("stopped before the verdict: not enough steps" in d or "learned" in d for d in deltas)
    assert not any("no better than guessing" in d for d in deltas)


def test_long_term_page_lookback_checkpoint_and_live_tune() -> None:
    at = open_page(LONG)
    assert not at.exception
    if any("lookback.json is missing" in e.value for e in at.error):
        pytest.skip("assets/limitations/lookback.json not built")
    n_before = len(at.get("plotly_chart"))
    assert "whose prediction of the next event" in markdown(at)
    at.button(key="lt_cp_lookback_skip").click().run()
    assert not at.exception and len(at.get("plotly_chart")) == n_before + 1
    answer = [m for m in markdown(at).splitlines() if m.startswith("**Answer:**")]
    assert answer and "the gradient 50 events back" in answer[0]
    tunes = at.selectbox(key="lt_tune")
    first = [m for m in markdown(at).splitlines() if m.startswith("On this tune, 50 events back")]
    tunes.set_value(tunes.options[3]).run()
    assert not at.exception
    second = [m for m in markdown(at).splitlines() if m.startswith("On this tune, 50 events back")]
    assert first and second and first != second


def test_long_term_page_exports_and_locks() -> None:
    at = open_page(LONG, {"lt_lag": "4", "lt_steps": "250", "lock": "lt_lag,lt_steps,lt_seed,lt_gT,lt_ex,lt_tune"})
    assert at.slider(key="lt_lag").disabled and at.select_slider(key="lt_steps").disabled
    assert at.number_input(key="lt_seed").disabled and at.slider(key="lt_gT").disabled
    assert at.number_input(key="lt_ex").disabled
    assert any("lt_sweep_csv" in k for k in download_keys(at))
    at.button(key="lt_start").click().run()
    assert any("lt_curves_csv" in k for k in download_keys(at))


def test_gradients_page_exports_norms_and_honours_locks() -> None:
    at = open_page(GRAD, {"lock": "grad_T,grad_rho,grad_act,grad_seed,grad_lr"})
    assert at.slider(key="grad_T").disabled and at.slider(key="grad_rho").disabled
    assert at.button_group(key="grad_act").disabled and at.number_input(key="grad_seed").disabled
    assert at.select_slider(key="grad_lr").disabled and not at.select_slider(key="grad_clip").disabled
    assert any("grad_csv" in k for k in download_keys(at))


def test_csv_exports_hold_the_numbers_shown() -> None:
    from sequence_models.limitations.gradients import GradientConfig, gradient_norms
    from sequence_models.limitations.long_term import curves_csv
    res = gradient_norms(GradientConfig(activation="linear", radius=0.5, length=10))
    rows = res.to_csv().splitlines()
    assert rows[1] == "k,grad_norm,memory_grad_norm,theory_log10_rho_k" and len(rows) == 12
    assert float(rows[-1].split(",")[1]) == pytest.approx(0.5 ** 9, rel=1e-12)
    text = curves_csv({"rnn": [(0, 0.2), (25, 0.1)], "lstm": [(0, 0.3), (25, 0.05)]})
    assert text.splitlines() == ["step,rnn_val_mse,lstm_val_mse", "0,0.2,0.3", "25,0.1,0.05"]


def test_parallelism_page_measures_and_every_control_changes_it() -> None:
    at = open_page(PAR, {"par_Tmax": "64", "par_d": "16", "par_B": "1"})
    assert not at.exception
    assert "What you will see." in markdown(at) and at.subheader[-1].value == "Try this"
    table = table_with(at, "T")
    assert [r["T"] for r in table] == ["16", "32", "64"]
    assert all(float(r["RNN ms"]) > 0 and float(r["RNN GFLOP/s"]) > 0 for r in table)
    assert any("On a GPU" in i.value for i in at.info)
    text = markdown(at)
    assert "nan" not in text and "None" not in text
    assert "The same" in text and "GFLOP/s" in text                       # same FLOPs, in a row or at once
    at.select_slider(key="par_Tmax").set_value(128).run()
    assert [r["T"] for r in table_with(at, "T")] == ["16", "32", "64", "128"]
    at.select_slider(key="par_d").set_value(32).run()
    assert "d 32" in " ".join(c.value for c in at.caption)
    at.select_slider(key="par_B").set_value(2).run()
    assert "batch 2" in " ".join(c.value for c in at.caption)
    assert not at.exception


def test_parallelism_checkpoint_reveals_the_measured_gflops() -> None:
    at = open_page(PAR, {"par_Tmax": "128", "par_d": "32", "par_B": "1"})
    charts = len(at.get("plotly_chart"))
    at.radio(key="par_cp_work_guess").set_value("The RNN").run()
    at.button(key="par_cp_work_check").click().run()
    assert not at.exception and len(at.get("plotly_chart")) == charts + 1
    said = " ".join([i.value for i in at.info] + [s.value for s in at.success])
    assert "Measured now at T = 128" in said and "GFLOP/s" in said
    assert any(m.startswith("At T = 128, one core achieves:") for m in markdown(at).splitlines())


def test_measure_again_remeasures_only_this_setting_once_a_minute() -> None:
    at = open_page(PAR, {"par_Tmax": "32", "par_d": "16", "par_B": "1"})
    before = at.caption
    assert not at.button(key="par_again").disabled
    at.button(key="par_again").click().run()
    assert not at.exception
    assert at.button(key="par_again").disabled                              # rate-limited for this visitor
    other = open_page(PAR, {"par_Tmax": "32", "par_d": "16", "par_B": "1"})
    assert not other.button(key="par_again").disabled                       # another visitor is not
    assert before is not None


@pytest.mark.slow
def test_parallelism_page_large_settings_never_say_nan() -> None:
    at = open_page(PAR, {"par_Tmax": "1024", "par_d": "256", "par_B": "32"})
    assert not at.exception
    text = markdown(at) + " ".join(c.value for c in at.caption)
    assert "nan" not in text and "None" not in text
    assert all("None" not in v and "nan" not in v for r in table_with(at, "T") for v in r.values())


def test_parallelism_page_bad_query_strings_fall_back() -> None:
    at = open_page(PAR, {"par_Tmax": "1000000", "par_d": "<script>", "par_B": "-1", "lock": "par_d"})
    assert not at.exception
    assert at.select_slider(key="par_Tmax").value == 1024 and at.select_slider(key="par_d").disabled
