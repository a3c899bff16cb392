"""Vanishing/exploding gradients: autograd through the course's cells, the theory, clipping, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sequence_models.limitations.gradients import (GradientConfig, clipping_demo, fitted_slope, format_log10,
                                                   gradient_norms, pascanu_condition, safe_norm, scaled_matrix)
from sequence_models.runtime import make_generator, use_inference_threads

use_inference_threads(1)  # the CPU is shared; one thread is also what the pages use


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.1, 2.0])
def test_linear_rnn_with_orthogonal_matrix_decays_at_exactly_log_rho(rho: float) -> None:
    res = gradient_norms(GradientConfig(cell="rnn", activation="linear", radius=rho, length=100, hidden=16, seed=3))
    slope = fitted_slope(res)
    assert slope == pytest.approx(math.log(rho), rel=0.01)
    # and point by point: ‖∂L/∂a⟨T−k⟩‖ = ρ^k (‖u‖ = 1)
    assert res.norms[0] == pytest.approx(1.0)
    np.testing.assert_allclose(np.log10(res.norms), res.theory_log10, atol=1e-6)


def test_lstm_with_forget_bias_3_keeps_more_gradient_100_steps_back_than_tanh_rnn() -> None:
    common = dict(length=150, radius=1.0, hidden=32, seed=0)
    lstm = gradient_norms(GradientConfig(cell="lstm", forget_bias=3.0, **common))
    rnn = gradient_norms(GradientConfig(cell="rnn", activation="tanh", **common))
    assert lstm.norms[100] > 100 * rnn.norms[100]
    assert lstm.memory_norms is not None and lstm.memory_norms[100] > rnn.norms[100]
    # and a negative forget bias throws that advantage away
    closed = gradient_norms(GradientConfig(cell="lstm", forget_bias=-2.0, **common))
    assert closed.norms[100] < lstm.norms[100] * 1e-10


def test_underflow_and_overflow_are_reported_not_hidden() -> None:
    small = gradient_norms(GradientConfig(cell="rnn", activation="linear", radius=0.1, length=500, dtype="float32"))
    assert small.counts["zero"] > 400 and small.counts["inf"] == 0
    assert small.norms[-1] == 0.0                  # an exact zero, not a tiny positive stand-in
    big = gradient_norms(GradientConfig(cell="rnn", activation="linear", radius=3.0, length=500, dtype="float32"))
    assert big.counts["inf"] + big.counts["nan"] > 0 and not math.isfinite(big.loss)
    same64 = gradient_norms(GradientConfig(cell="rnn", activation="linear", radius=3.0, length=500))
    assert same64.counts == {"zero": 0, "inf": 0, "nan": 0} and same64.norms[-1] > 1e230
    out = big.to_json()
    text = json.dumps(out, allow_nan=False)        # strict JSON: inf/nan became strings
    assert '"inf"' in text and '"nan"' in text


def test_per_unit_heatmap_matches_the_norms_and_gru_runs() -> None:
    res = gradient_norms(GradientConfig(cell="gru", length=40, hidden=8, radius=1.5))
    assert res.per_unit.shape == (8, 40)
    np.testing.assert_allclose(np.sqrt((res.per_unit ** 2).sum(axis=0)), res.norms, rtol=1e-10)


def test_scaled_matrix_has_the_requested_spectral_radius() -> None:
    for kind in ("orthogonal", "gaussian"):
        m = scaled_matrix(20, 1.7, kind, make_generator(1))
        assert float(np.abs(np.linalg.eigvals(m.numpy())).max()) == pytest.approx(1.7, rel=1e-9)
    s = np.linalg.svd(scaled_matrix(20, 0.4, "orthogonal", make_generator(2)).numpy(), compute_uv=False)
    np.testing.assert_allclose(s, 0.4)


def test_pascanu_condition_verdicts() -> None:
    assert pascanu_condition(gradient_norms(GradientConfig(radius=0.8, length=10)))["verdict"] == "vanish"
    assert pascanu_condition(gradient_norms(GradientConfig(radius=1.5, length=10)))["verdict"] == "may_explode"
    assert pascanu_condition(gradient_norms(GradientConfig(cell="lstm", length=10)))["verdict"] == "n/a"


@pytest.mark.parametrize("bad, field", [(dict(length=5), "length"), (dict(length=501), "length"),
                                        (dict(radius=0.0), "radius"), (dict(radius=float("nan")), "radius"),
                                        (dict(hidden=1000), "hidden"), (dict(cell="transformer"), "cell"),
                                        (dict(activation="sigmoid"), "activation"), (dict(dtype="float16"), "dtype")])
def test_bad_configs_are_refused_with_the_field_named(bad: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        gradient_norms(GradientConfig(**bad))


def test_safe_norm_and_format_log10() -> None:
    assert safe_norm(np.array([3e200, 4e200])) == pytest.approx(5e200)
    assert safe_norm(np.zeros(3)) == 0.0 and math.isinf(safe_norm(np.array([1.0, np.inf])))
    assert math.isnan(safe_norm(np.array([np.nan, 1.0])))
    assert format_log10(-500 + math.log10(3.49)) == "3.49e-500"
    assert format_log10(2.0) == "1.00e+02"


def test_clipping_keeps_training_finite_where_plain_sgd_blows_up() -> None:
    plain, clipped = clipping_demo(lr=0.1, clip=1.0, seed=0, steps=60, init_radius=1.5)
    assert plain.first_nonfinite is not None            # inf then nan, recorded as such
    assert not any(math.isfinite(v) for v in plain.losses[plain.first_nonfinite:])  # never recovers
    assert clipped.first_nonfinite is None and all(math.isfinite(v) for v in clipped.losses)
    assert plain.losses[0] == clipped.losses[0]         # same start, same first batch
    assert max(plain.grad_norms[: plain.first_nonfinite]) > 1e6


def test_cli_gradients_json(capsys) -> None:
    from sequence_models.cli import main
    assert main(["gradients", "--cell", "rnn", "--length", "100", "--radius", "0.9", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["grad_norm"]) == 100 and out["distance"][:3] == [0, 1, 2]
    assert out["grad_norm"][0] == pytest.approx(1.0)
    assert out["grad_norm"][50] < out["grad_norm"][10] < 1   # tanh, ρ = 0.9: vanishing
    assert out["pascanu"]["verdict"] == "vanish"


def test_cli_gradients_table_and_bad_arguments(capsys) -> None:
    from sequence_models.cli import main
    assert main(["gradients", "--activation", "linear", "--length", "10", "--radius", "0.5"]) == 0
    text = capsys.readouterr().out
    assert "1.9531e-03" in text and "underflow): 0" in text   # k runs 0…9: the last row is 0.5^9
    for argv in (["gradients", "--length", "5"], ["gradients", "--radius", "abc"], ["gradients", "--cell", "x"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_style_subplots_titles_the_given_rows_and_only_the_bottom_x_axes() -> None:
    from plotly.subplots import make_subplots

    from ui.charts import GRID, style_subplots

    fig = style_subplots(make_subplots(rows=3, cols=2), 300, {1: "loss", 3: "norm"}, "step", bottom_row=3, cols=2)
    def axes(kind: str) -> list:
        return [fig.layout[f"{kind}axis{i if i > 1 else ''}"] for i in range(1, 7)]
    assert [a.title.text for a in axes("y")] == ["loss", "loss", None, None, "norm", "norm"]
    assert [a.title.text for a in axes("x")] == [None, None, None, None, "step", "step"]
    assert all(a.gridcolor == GRID for a in axes("x") + axes("y")) and all(a.showticklabels is None for a in axes("y"))
    assert fig.layout.height == 300 and fig.layout.plot_bgcolor == "white" and fig.layout.margin.t == 40
    heat = style_subplots(make_subplots(rows=2, cols=1), 200, {2: "units"}, "t", bottom_row=2, y_tick_labels=False,
                          grid=False)
    assert heat.layout.yaxis2.showticklabels is False and heat.layout.yaxis.showticklabels is None
    assert heat.layout.xaxis2.title.text == "t" and heat.layout.xaxis.gridcolor is None


# --- the condition, generated from γ and λ₁ (issue 15, item 3) -----------------------------

EXPECTED_VERDICT = {  # (activation, ρ) → verdict, for an orthogonal W_aa × ρ (λ₁ = spectral radius = ρ)
    ("tanh", 0.5): "vanish", ("tanh", 1.0): "cannot_explode", ("tanh", 1.1): "may_explode",
    ("tanh", 3.0): "may_explode",
    ("relu", 0.5): "vanish", ("relu", 1.0): "cannot_explode", ("relu", 1.1): "may_explode",
    ("relu", 3.0): "may_explode",
    ("linear", 0.5): "vanishes", ("linear", 1.0): "constant", ("linear", 1.1): "explodes", ("linear", 3.0): "explodes",
}


@pytest.mark.parametrize("activation, radius", list(EXPECTED_VERDICT))
def test_condition_verdict_and_sentence_follow_the_strict_rule(activation: str, radius: float) -> None:
    from sequence_models.limitations.gradients import condition_sentence
    res = gradient_norms(GradientConfig(activation=activation, radius=radius, length=40))
    pc = pascanu_condition(res)
    assert pc["verdict"] == EXPECTED_VERDICT[(activation, radius)]
    style, text = condition_sentence(activation, pc["lambda1"], pc["spectral_radius"], 39, float(res.norms[-1]))
    if radius == 1.0:
        assert "λ₁ = 1" in text and "≥" not in text and "1.0000" not in text and "1 > 1" not in text
    if activation == "linear":
        assert "may" not in text and "possible" not in text           # g′ = 1: the outcome is certain
        word = {0.5: "**vanishes**", 1.0: "no geometric growth or decay", 1.1: "**explodes**", 3.0: "**explodes**"}
        assert word[radius] in text
    else:
        assert {0.5: "sufficient condition holds", 1.0: "rules explosion out", 1.1: "*possible*",
                3.0: "*possible*"}[radius] in text
    assert style == {"vanish": "vanish", "vanishes": "vanish", "cannot_explode": "neutral", "constant": "neutral",
                     "may_explode": "explode", "explodes": "explode"}[pc["verdict"]]
    # and what the sentence says matches what autograd measured
    far = float(res.norms[-1])
    if pc["verdict"] in ("vanish", "vanishes"):
        assert far < 1e-2
    if pc["verdict"] == "explodes":
        assert far > 10
    if pc["verdict"] == "cannot_explode":
        assert far <= 1 + 1e-9


def test_lambda1_of_an_orthogonal_matrix_times_one_counts_as_one() -> None:
    from sequence_models.limitations.gradients import compare_with_one, pascanu_verdict
    assert compare_with_one(1.0000000000000004) == 0 and compare_with_one(1.001) == 1 and compare_with_one(0.999) == -1
    assert pascanu_verdict("tanh", 1.0000000000000004, 1.0) == "cannot_explode"
    # linear, λ₁ ≥ 1 but spectral radius < 1 (a non-normal matrix): vanishes in the end, certainly
    assert pascanu_verdict("linear", 1.3, 0.8) == "vanishes"
    with pytest.raises(ValueError):
        pascanu_verdict("sigmoid", 0.5, 0.5)


@pytest.mark.parametrize("activation, radius", [("tanh", 1.0), ("linear", 1.1), ("linear", 0.5), ("relu", 3.0)])
def test_cli_json_verdict_follows_the_same_rule(capsys, activation: str, radius: float) -> None:
    from sequence_models.cli import main
    assert main(["gradients", "--activation", activation, "--radius", str(radius), "--length", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pascanu"]["verdict"] == EXPECTED_VERDICT[(activation, radius)]
