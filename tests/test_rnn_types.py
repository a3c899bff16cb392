"""The RNN-types toy model: it really learned "hello ", and each wiring obeys its rules."""

import pytest
import torch

from sequence_models.rnn_types import ARCHITECTURES, MAX_STEPS, TEXT, VOCAB, run_architecture, toy_input, train_toy_rnn


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
    assert sum(1 for s in run.steps if s.x_char is not None and not s.x_from_feedback) == n_inputs
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
