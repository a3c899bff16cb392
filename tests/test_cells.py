"""The from-scratch cells reproduce PyTorch's RNN, LSTM and GRU with the same weights."""

import pytest
import torch
from torch import nn

from sequence_models.cells import GRUCell, LSTMCell, RNNCell, unroll


@pytest.fixture
def xs() -> torch.Tensor:
    return torch.randn(3, 7, 5, generator=torch.Generator().manual_seed(1))  # [batch, time, input]


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_matches_torch_rnn(xs: torch.Tensor, nonlinearity: str) -> None:
    torch.manual_seed(0)
    ref = nn.RNN(5, 4, batch_first=True, nonlinearity=nonlinearity)
    cell = RNNCell.from_torch(ref)
    ours, traces = unroll(cell, xs)
    theirs, h_n = ref(xs)
    assert ours.shape == (3, 7, 4) and len(traces) == 7
    torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(ours[:, -1], h_n[0], atol=1e-6, rtol=1e-5)


def test_rnn_cell_is_the_course_equation() -> None:
    cell = RNNCell(2, 2)
    with torch.no_grad():
        cell.W_ax.copy_(torch.tensor([[1.0, 0.0], [0.0, 2.0]]))
        cell.W_aa.copy_(torch.tensor([[0.5, 0.0], [0.0, 0.5]]))
        cell.b_a.copy_(torch.tensor([0.1, -0.1]))
    a = cell(torch.tensor([[1.0, 1.0]]), torch.tensor([[2.0, -2.0]]))
    expected = torch.tanh(torch.tensor([[1.0 + 1.0 + 0.1, 2.0 - 1.0 - 0.1]]))
    torch.testing.assert_close(a, expected)


def test_linear_rnn_has_no_squashing() -> None:
    cell = RNNCell(1, 1, "linear")
    with torch.no_grad():
        cell.W_ax.fill_(1.0)
        cell.W_aa.fill_(3.0)
        cell.b_a.zero_()
    assert cell(torch.tensor([[2.0]]), torch.tensor([[5.0]])).item() == pytest.approx(17.0)


def test_unknown_nonlinearity_is_refused() -> None:
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        RNNCell(2, 2, "sigmoid")  # type: ignore[arg-type]


def test_lstm_cell_matches_torch_lstm(xs: torch.Tensor) -> None:
    torch.manual_seed(0)
    ref = nn.LSTM(5, 4, batch_first=True)
    cell = LSTMCell.from_torch(ref)
    ours, traces = unroll(cell, xs)
    theirs, (h_n, c_n) = ref(xs)
    torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(traces[-1]["c"], c_n[0], atol=1e-6, rtol=1e-5)
    for gate in ("forget", "update", "output"):
        assert ((traces[0][gate] > 0) & (traces[0][gate] < 1)).all()


def test_lstm_forget_bias_sets_every_forget_bias() -> None:
    cell = LSTMCell(3, 6)
    cell.reset_parameters(torch.Generator().manual_seed(0), forget_bias=3.0)
    assert torch.equal(cell.b_f, torch.full((6,), 3.0))
    assert not torch.equal(cell.b_u, torch.full((6,), 3.0))


def test_gru_cell_matches_torch_gru(xs: torch.Tensor) -> None:
    torch.manual_seed(0)
    ref = nn.GRU(5, 4, batch_first=True)
    cell = GRUCell.from_torch(ref)
    ours, _ = unroll(cell, xs)
    theirs, _ = ref(xs)
    torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=1e-5)


def test_cells_copy_from_single_step_torch_cells() -> None:
    torch.manual_seed(0)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    rnn = nn.RNNCell(3, 4)
    torch.testing.assert_close(RNNCell.from_torch(rnn)(x, h), rnn(x, h))
    gru = nn.GRUCell(3, 4)
    torch.testing.assert_close(GRUCell.from_torch(gru)(x, h), gru(x, h))
    lstm = nn.LSTMCell(3, 4)
    c = torch.randn(2, 4)
    a_ours, c_ours = LSTMCell.from_torch(lstm)(x, (h, c))
    a_ref, c_ref = lstm(x, (h, c))
    torch.testing.assert_close(a_ours, a_ref)
    torch.testing.assert_close(c_ours, c_ref)
