"""The RNN-types toy model: it really learned "hello ", and each wiring obeys its rules."""

import pytest
import torch

from sequence_models.rnn_types import (ARCHITECTURES, MAX_STEPS, START, TEXT, VOCAB, run_architecture, step_rows,
                                       steps_csv, toy_input, train_toy_rnn)
from ui.rnn_diagram import GAP, unrolled_figure


@pytest.fixture(scope="module")
def model():
    return train_toy_rnn(seed=0)


def test_toy_model_predicts_every_next_character_of_hello(model) -> None:
    text = TEXT * 2
    with torch.inference_mode():
        logits = model(model.one_hot(text[:-1]))
    predicted = "".join(VOCAB[i] for i in logits.argmax(-1).tolist())
    # the very first prediction has no context; every later one must be right
    assert predicted[1:] == text[2:]


def test_training_is_deterministic() -> None:
    a, b = train_toy_rnn(seed=3), train_toy_rnn(seed=3)
    assert torch.equal(a.cell.W_aa, b.cell.W_aa) and torch.equal(a.W_ya, b.W_ya)
    assert not torch.equal(a.cell.W_aa, train_toy_rnn(seed=4).cell.W_aa)


@pytest.mark.parametrize("key, tx, ty, n_steps, n_inputs, n_outputs", [
    ("one_to_one", 7, 7, 1, 1, 1),
    ("one_to_many", 1, 6, 6, 1, 6),
    ("many_to_one", 6, 3, 6, 6, 1),
    ("many_to_many", 6, 2, 6, 6, 6),
    ("encoder_decoder", 6, 3, 9, 6, 3),
])
def test_each_architecture_has_its_shape(model, key, tx, ty, n_steps, n_inputs, n_outputs) -> None:
    run = run_architecture(model, key, tx, ty)
    assert len(run.steps) == n_steps
    assert sum(1 for s in run.steps if s.x_char is not None and not s.x_from_feedback and not s.x_is_start) == n_inputs
    assert sum(1 for s in run.steps if s.y_hat is not None) == n_outputs
    for s in run.steps:
        if s.y_hat is not None:
            assert sum(s.y_hat) == pytest.approx(1.0, abs=1e-5)
            assert s.y_char == VOCAB[max(range(len(VOCAB)), key=s.y_hat.__getitem__)]


def test_lengths_are_clamped_to_each_types_rules(model) -> None:
    assert ARCHITECTURES["one_to_one"].clamp(5, 9) == (1, 1)
    assert ARCHITECTURES["one_to_many"].clamp(4, 1) == (1, 2)
    assert ARCHITECTURES["many_to_one"].clamp(99, 4) == (MAX_STEPS, 1)
    assert ARCHITECTURES["many_to_many"].clamp(4, 9) == (4, 4)
    assert ARCHITECTURES["encoder_decoder"].clamp(-3, 99) == (1, MAX_STEPS)
    assert len(run_architecture(model, "many_to_many", 500, 500).steps) == MAX_STEPS


def test_steps_chain_hidden_states_and_feed_outputs_back(model) -> None:
    run = run_architecture(model, "one_to_many", 1, 6)
    assert run.input_text == "h" and run.output_text == "ello h"
    for prev, step in zip(run.steps, run.steps[1:]):
        assert step.a_prev == prev.a
        assert step.x_from_feedback and step.x_char == prev.y_char
    assert run.steps[0].a_prev == [0.0] * len(run.steps[0].a)


def test_step_numbers_are_the_real_cell_equation(model) -> None:
    step = run_architecture(model, "many_to_many", 5, 5).steps[3]
    z = torch.tensor(step.Waa_a) + torch.tensor(step.Wax_x) + model.cell.b_a.detach()
    torch.testing.assert_close(torch.tensor(step.z), z)
    torch.testing.assert_close(torch.tensor(step.a), torch.tanh(z))


def test_encoder_decoder_reads_then_writes(model) -> None:
    run = run_architecture(model, "encoder_decoder", 4, 2)
    assert [s.role for s in run.steps] == ["encoder"] * 4 + ["decoder"] * 2
    assert run.input_text == toy_input(4) == "hell"
    assert all(s.y_hat is None for s in run.steps[:4])


def test_bad_arguments_say_what_is_wrong(model) -> None:
    with pytest.raises(ValueError, match="unknown architecture"):
        run_architecture(model, "two_to_two", 2, 2)
    with pytest.raises(ValueError, match="seed character must be one of"):
        run_architecture(model, "one_to_many", 1, 3, seed_char="z")


def test_decoder_starts_from_the_start_symbol_then_feeds_back(model) -> None:
    run = run_architecture(model, "encoder_decoder", 3, 4)
    first, *rest = run.steps[3:]
    assert first.role == "decoder" and first.x_is_start and not first.x_from_feedback and first.x_char == START
    for prev, step in zip(run.steps[3:], rest):
        assert step.x_from_feedback and not step.x_is_start and step.x_char == prev.y_char
    assert run.input_text == "hel"                      # the start symbol is not part of the input sequence
    # the same numbers as running the cell by hand: encoder over "hel", then START, then fed-back outputs
    with torch.inference_mode():
        a = model.cell.init_state(1)
        for c in "hel":
            a = model.cell(model.one_hot(c), a)
        out, x = "", START
        for _ in range(4):
            a = model.cell(model.one_hot(x), a)
            x = VOCAB[int(model.logits(a).argmax())]
            out += x
    assert run.output_text == out


def _annotations(fig: dict) -> list[dict]:
    return fig["layout"]["annotations"]


def test_diagram_draws_a0_only_where_there_is_recurrence(model) -> None:
    def has_a0(fig) -> bool:
        return any("&lt;0&gt;" in (a.get("text") or "") for a in _annotations(fig))

    assert not has_a0(unrolled_figure(run_architecture(model, "one_to_one", 1, 1), active=1))
    assert not has_a0(unrolled_figure(run_architecture(model, "one_to_one", 1, 1), compact=True))
    for key in ("one_to_many", "many_to_one", "many_to_many", "encoder_decoder"):
        fig = unrolled_figure(run_architecture(model, key, 4, 4), active=1)
        a0 = next(a for a in _annotations(fig) if "&lt;0&gt;" in (a.get("text") or ""))
        lo, hi = fig["layout"]["xaxis"]["range"]
        assert lo < a0["x"] and a0["xanchor"] == "left" and a0["x"] - lo > 0.1  # inside the plot, not clipped


def test_diagram_marks_the_start_symbol_and_feedback(model) -> None:
    fig = unrolled_figure(run_architecture(model, "encoder_decoder", 2, 3), active=3)
    texts = [a.get("text") or "" for a in _annotations(fig)]
    assert sum("start" in t for t in texts) == 1                               # under x<3>, the first decoder input
    dashed = [s for s in fig["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash"]
    assert len(dashed) == 2                                                    # ŷ<3> → x<4>, ŷ<4> → x<5>


@pytest.mark.parametrize("tx, ty, active", [(3, 2, 4), (10, 4, 12), (10, 4, 2)])
def test_weight_labels_keep_clear_of_the_arrows(model, tx, ty, active) -> None:
    run = run_architecture(model, "encoder_decoder", tx, ty)
    fig = unrolled_figure(run, active=active)
    labels = [a for a in _annotations(fig) if (a.get("text") or "").startswith("W<sub>")]
    def step_index(a: dict) -> int:  # W_aa sits half a gap left of its cell
        return round((a["x"] + GAP / 2) / GAP) if a["text"] == "W<sub>aa</sub>" else round(a["x"] / GAP)

    if len(run.steps) > 7:
        assert {step_index(a) for a in labels} == {active - 1}                 # only the active step is named
    else:
        assert len({step_index(a) for a in labels}) == len(run.steps)
    for a in labels:
        i = step_index(a)
        if a["text"] == "W<sub>aa</sub>":                                      # never where a dashed arrow crosses
            assert not run.steps[i].x_from_feedback
        else:                                                                  # beside its vertical arrow, not on it
            side = a["x"] - i * GAP
            assert (a["xanchor"], side > 0.05) in (("left", True), ("right", False)) and abs(side) > 0.05


def test_step_values_export_matches_the_run(model) -> None:
    run = run_architecture(model, "encoder_decoder", 3, 2)
    rows = step_rows(run)
    text = steps_csv(run).splitlines()
    assert len(text) == 1 + len(run.steps) and text[0].startswith("t,role,x,x_source,a_prev_1")
    assert [r["x_source"] for r in rows] == ["input"] * 3 + ["start symbol", "fed back"]
    assert rows[1]["a_1"] == pytest.approx(run.steps[1].a[0], abs=1e-6)
    assert rows[0]["p_h"] is None and rows[4]["p_space"] == pytest.approx(run.steps[4].y_hat[4], abs=1e-6)
    assert rows[4]["y"] == run.steps[4].y_char
