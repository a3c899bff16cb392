"""Recurrent cells written out in the course's notation, one time step at a time.

Shapes: ``x`` is ``[batch, input]``, hidden states ``a`` (and LSTM memory ``c``)
are ``[batch, hidden]``. Each cell's :meth:`trace` returns every intermediate
value of one step (gates included) so the app can show them; :meth:`forward`
returns just the new state. :func:`unroll` runs a cell over ``[batch, time, input]``.

The parameters carry the course's names (``W_ax``, ``W_aa``, ``b_a``) and
:meth:`from_torch` copies weights from ``torch.nn.RNN``/``LSTM``/``GRU`` (layer 0),
so the tests can check these cells reproduce PyTorch's numbers exactly.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Nonlinearity = Literal["tanh", "relu", "linear"]
_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}


def _param(rows: int, cols: int | None = None) -> nn.Parameter:
    shape = (rows,) if cols is None else (rows, cols)
    return nn.Parameter(torch.empty(shape))


def _torch_weights(layer: nn.Module, whole: type[nn.Module], gates: int) -> tuple[tuple[torch.Tensor, ...], ...]:
    """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of layer 0 of a torch recurrent layer (``whole``,
    e.g. ``nn.LSTM``) or of its one-step cell, each split into ``gates`` blocks in PyTorch's row order."""
    sfx = "_l0" if isinstance(layer, whole) else ""
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    return tuple(getattr(layer, f"{name}{sfx}").chunk(gates) for name in names)


def _gated_from_torch(cls: type, layer: nn.Module, whole: type[nn.Module]):
    """A ``cls`` cell (:class:`LSTMCell`, :class:`GRUCell`) of ``layer``'s sizes with each gate's input
    block copied into ``W_<g>x`` and its recurrent block into ``W_<g>a``. Returns the cell and layer 0's
    bias blocks ``(bias_ih, bias_hh)``, which each cell folds into its own biases."""
    w_ih, w_hh, b_ih, b_hh = _torch_weights(layer, whole, len(cls.GATES))
    cell = cls(layer.input_size, layer.hidden_size)
    with torch.no_grad():
        for g, wi, wh in zip(cls.GATES, w_ih, w_hh):
            getattr(cell, f"W_{g}x").copy_(wi)
            getattr(cell, f"W_{g}a").copy_(wh)
    return cell, b_ih, b_hh


class _Cell(nn.Module):
    """What every cell shares: PyTorch's initialisation and a zero starting state."""

    hidden_size: int
    GATES: tuple[str, ...] = ()

    def _register_gates(self, input_size: int, hidden_size: int, gate_bias: bool) -> None:
        """Set the sizes and register, gate by gate in :attr:`GATES` order, ``W_<g>x`` ``[hidden, input]``,
        ``W_<g>a`` ``[hidden, hidden]`` and (with ``gate_bias``) ``b_<g>`` ``[hidden]``. The order is the
        order :meth:`reset_parameters` draws them in, so it fixes what a seed gives."""
        self.input_size, self.hidden_size = input_size, hidden_size
        for g in self.GATES:
            self.register_parameter(f"W_{g}x", _param(hidden_size, input_size))
            self.register_parameter(f"W_{g}a", _param(hidden_size, hidden_size))
            if gate_bias:
                self.register_parameter(f"b_{g}", _param(hidden_size))

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """Uniform(-1/sqrt(hidden), 1/sqrt(hidden)), as PyTorch initialises its RNNs."""
        bound = self.hidden_size ** -0.5
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound, generator=generator)

    def init_state(self, batch: int = 1) -> torch.Tensor:
        """``a<0>``: zeros ``[batch, hidden]``."""
        return torch.zeros(batch, self.hidden_size)


class RNNCell(_Cell):
    """Vanilla RNN: ``a<t> = g(W_aa a<t-1> + W_ax x<t> + b_a)`` with ``g`` tanh, ReLU or identity."""

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: Nonlinearity = "tanh") -> None:
        super().__init__()
        if nonlinearity not in _ACTIVATIONS:
            raise ValueError(f"nonlinearity must be one of {sorted(_ACTIVATIONS)}, not {nonlinearity!r}")
        self.input_size, self.hidden_size, self.nonlinearity = input_size, hidden_size, nonlinearity
        self.W_ax = _param(hidden_size, input_size)
        self.W_aa = _param(hidden_size, hidden_size)
        self.b_a = _param(hidden_size)
        self.reset_parameters()

    def trace(self, x: torch.Tensor, a_prev: torch.Tensor) -> dict[str, torch.Tensor]:
        """One step with its parts: ``Wax_x``, ``Waa_a``, ``z`` (pre-activation) and ``a``."""
        wax_x = x @ self.W_ax.T
        waa_a = a_prev @ self.W_aa.T
        z = waa_a + wax_x + self.b_a
        return {"Wax_x": wax_x, "Waa_a": waa_a, "z": z, "a": _ACTIVATIONS[self.nonlinearity](z)}

    def forward(self, x: torch.Tensor, a_prev: torch.Tensor) -> torch.Tensor:
        """``x`` ``[batch, input]``, ``a_prev`` ``[batch, hidden]`` → ``a`` ``[batch, hidden]``."""
        return self.trace(x, a_prev)["a"]

    @classmethod
    def from_torch(cls, rnn: nn.RNN | nn.RNNCell) -> "RNNCell":
        """Copy layer 0 of a ``torch.nn.RNN`` (or an ``RNNCell``); both biases fold into ``b_a``."""
        (w_ih,), (w_hh,), (b_ih,), (b_hh,) = _torch_weights(rnn, nn.RNN, 1)
        cell = cls(rnn.input_size, rnn.hidden_size, rnn.nonlinearity)
        with torch.no_grad():
            cell.W_ax.copy_(w_ih)
            cell.W_aa.copy_(w_hh)
            cell.b_a.copy_(b_ih + b_hh)
        return cell


class LSTMCell(_Cell):
    """LSTM in the course's notation (state ``a`` and memory cell ``c``)::

        Γ_f = σ(W_f [a<t-1>, x<t>] + b_f)      forget gate
        Γ_u = σ(W_u [a<t-1>, x<t>] + b_u)      update (input) gate
        Γ_o = σ(W_o [a<t-1>, x<t>] + b_o)      output gate
        c̃<t> = tanh(W_c [a<t-1>, x<t>] + b_c)  candidate memory
        c<t> = Γ_u * c̃<t> + Γ_f * c<t-1>
        a<t> = Γ_o * tanh(c<t>)

    Each ``W_g [a, x]`` is stored as two blocks, ``W_ga`` ``[hidden, hidden]`` and
    ``W_gx`` ``[hidden, input]``.
    """

    GATES = ("u", "f", "c", "o")  # PyTorch's row order: input, forget, cell, output

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self._register_gates(input_size, hidden_size, gate_bias=True)
        self.reset_parameters()

    def reset_parameters(self, generator: torch.Generator | None = None, forget_bias: float | None = None) -> None:
        """PyTorch's uniform init; ``forget_bias`` (if given) then sets every ``b_f``."""
        super().reset_parameters(generator)
        if forget_bias is not None:
            with torch.no_grad():
                self.b_f.fill_(forget_bias)

    def init_state(self, batch: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """``(a<0>, c<0>)``: zeros, each ``[batch, hidden]``."""
        return torch.zeros(batch, self.hidden_size), torch.zeros(batch, self.hidden_size)

    def _affine(self, g: str, x: torch.Tensor, a_prev: torch.Tensor) -> torch.Tensor:
        return a_prev @ getattr(self, f"W_{g}a").T + x @ getattr(self, f"W_{g}x").T + getattr(self, f"b_{g}")

    def trace(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        """One step: gates ``forget``, ``update``, ``output``, ``candidate`` and new ``c``, ``a``."""
        a_prev, c_prev = state
        forget = torch.sigmoid(self._affine("f", x, a_prev))
        update = torch.sigmoid(self._affine("u", x, a_prev))
        output = torch.sigmoid(self._affine("o", x, a_prev))
        candidate = torch.tanh(self._affine("c", x, a_prev))
        c = update * candidate + forget * c_prev
        a = output * torch.tanh(c)
        return {"forget": forget, "update": update, "output": output, "candidate": candidate, "c": c, "a": a}

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``[batch, input]``, ``(a, c)`` each ``[batch, hidden]`` → new ``(a, c)``."""
        t = self.trace(x, state)
        return t["a"], t["c"]

    @classmethod
    def from_torch(cls, lstm: nn.LSTM | nn.LSTMCell) -> "LSTMCell":
        """Copy layer 0 of a ``torch.nn.LSTM`` (or an ``LSTMCell``)."""
        cell, b_ih, b_hh = _gated_from_torch(cls, lstm, nn.LSTM)
        with torch.no_grad():
            for g, bi, bh in zip(cls.GATES, b_ih, b_hh):
                getattr(cell, f"b_{g}").copy_(bi + bh)
        return cell


class GRUCell(_Cell):
    """GRU as PyTorch computes it (``Γ_r`` relevance, ``Γ_u`` update)::

        Γ_r = σ(W_rx x<t> + W_ra a<t-1> + b_r)
        Γ_u = σ(W_ux x<t> + W_ua a<t-1> + b_u)
        c̃<t> = tanh(W_cx x<t> + b_cx + Γ_r * (W_ca a<t-1> + b_ca))
        a<t> = (1 - Γ_u) * c̃<t> + Γ_u * a<t-1>

    Note ``Γ_u`` here is the share of the *old* state that is kept (PyTorch's ``z``);
    the course's update gate is ``1 - Γ_u``.
    """

    GATES = ("r", "u", "c")  # PyTorch's row order: reset, update, new

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self._register_gates(input_size, hidden_size, gate_bias=False)
        self.b_r, self.b_u = _param(hidden_size), _param(hidden_size)
        self.b_cx, self.b_ca = _param(hidden_size), _param(hidden_size)
        self.reset_parameters()

    def trace(self, x: torch.Tensor, a_prev: torch.Tensor) -> dict[str, torch.Tensor]:
        """One step: gates ``relevance``, ``update``, the ``candidate`` and new ``a``."""
        relevance = torch.sigmoid(x @ self.W_rx.T + a_prev @ self.W_ra.T + self.b_r)
        update = torch.sigmoid(x @ self.W_ux.T + a_prev @ self.W_ua.T + self.b_u)
        candidate = torch.tanh(x @ self.W_cx.T + self.b_cx + relevance * (a_prev @ self.W_ca.T + self.b_ca))
        a = (1 - update) * candidate + update * a_prev
        return {"relevance": relevance, "update": update, "candidate": candidate, "a": a}

    def forward(self, x: torch.Tensor, a_prev: torch.Tensor) -> torch.Tensor:
        """``x`` ``[batch, input]``, ``a_prev`` ``[batch, hidden]`` → ``a`` ``[batch, hidden]``."""
        return self.trace(x, a_prev)["a"]

    @classmethod
    def from_torch(cls, gru: nn.GRU | nn.GRUCell) -> "GRUCell":
        """Copy layer 0 of a ``torch.nn.GRU`` (or a ``GRUCell``)."""
        cell, b_ih, b_hh = _gated_from_torch(cls, gru, nn.GRU)
        with torch.no_grad():
            cell.b_r.copy_(b_ih[0] + b_hh[0])
            cell.b_u.copy_(b_ih[1] + b_hh[1])
            cell.b_cx.copy_(b_ih[2])
            cell.b_ca.copy_(b_hh[2])
        return cell


Cell = RNNCell | LSTMCell | GRUCell


def unroll(cell: Cell, xs: torch.Tensor, state=None) -> tuple[torch.Tensor, list[dict[str, torch.Tensor]]]:
    """Run ``cell`` over ``xs`` ``[batch, time, input]``.

    Returns the hidden states ``[batch, time, hidden]`` and the per-step traces.
    ``state`` defaults to the cell's zero state.
    """
    batch, steps, _ = xs.shape
    if state is None:
        state = cell.init_state(batch)
    outputs, traces = [], []
    for t in range(steps):
        tr = cell.trace(xs[:, t], state)
        state = (tr["a"], tr["c"]) if isinstance(cell, LSTMCell) else tr["a"]
        outputs.append(tr["a"])
        traces.append(tr)
    return torch.stack(outputs, dim=1), traces
