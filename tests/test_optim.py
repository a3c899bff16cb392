"""The app's plain SGD/Adam update (sequence_models.optim) against torch.optim, and what it avoids importing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from sequence_models.optim import optimizer_step


def _model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))


def _train(model: nn.Module, step, steps: int = 60, clip: float | None = None) -> list[float]:
    gen = torch.Generator().manual_seed(1)
    losses = []
    for _ in range(steps):
        x = torch.randn(16, 3, generator=gen)
        y = x.sum(1, keepdim=True).sin()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        step()
        losses.append(float(loss))
    return losses


@pytest.mark.parametrize("lr", [0.05, 0.003])
@pytest.mark.parametrize("clip", [None, 0.5])
def test_adam_matches_torch_optim_bit_for_bit(lr, clip):
    ours, theirs = _model(0), _model(0)
    opt = torch.optim.Adam(theirs.parameters(), lr=lr)
    state: dict = {}

    def torch_step():
        opt.step()
        opt.zero_grad()

    a = _train(ours, lambda: optimizer_step(ours.parameters(), lr, state), clip=clip)
    b = _train(theirs, torch_step, clip=clip)
    assert a == b
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(p, q)
    assert a[-1] < a[0]   # it did train


def test_sgd_matches_torch_optim_bit_for_bit():
    ours, theirs = _model(2), _model(2)
    opt = torch.optim.SGD(theirs.parameters(), lr=0.1)

    def torch_step():
        opt.step()
        opt.zero_grad()

    assert _train(ours, lambda: optimizer_step(list(ours.parameters()), 0.1)) == _train(theirs, torch_step)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(p, q)


def test_adam_betas_and_eps_are_used():
    ours, theirs = _model(3), _model(3)
    opt = torch.optim.Adam(theirs.parameters(), lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    state: dict = {}

    def torch_step():
        opt.step()
        opt.zero_grad()

    assert (_train(ours, lambda: optimizer_step(ours.parameters(), 0.01, state, betas=(0.8, 0.99), eps=1e-6))
            == _train(theirs, torch_step))


def test_step_skips_parameters_without_gradient_and_clears_the_rest():
    used, unused = nn.Parameter(torch.ones(2)), nn.Parameter(torch.ones(2))
    (used * 3).sum().backward()
    state: dict = {}
    optimizer_step([used, unused], 0.5, state)
    assert used.grad is None and unused.grad is None
    assert torch.equal(unused, torch.ones(2))            # no gradient: untouched, no Adam state
    assert unused not in state and state[used][0] == 1.0
    assert torch.allclose(used, torch.full((2,), 0.5))    # Adam's first step moves by lr (sign of the gradient)
    optimizer_step([used], 0.5, state)                     # nothing to do: no gradient now
    assert state[used][0] == 1.0


def test_live_training_paths_never_import_torch_dynamo():
    """The point of the helper: the app's live trainings leave torch._dynamo (about 70 MB) unimported."""
    code = (
        "import sys, torch\n"
        "torch.set_num_threads(1)\n"
        "from sequence_models.rnn_types import train_toy_rnn\n"
        "from sequence_models.limitations.gradients import clipping_demo\n"
        "from sequence_models.limitations.long_term import LiveConfig, train_side_by_side\n"
        "train_toy_rnn(steps=5)\n"
        "clipping_demo(steps=3)\n"
        "train_side_by_side(LiveConfig(length=10, steps=10, eval_every=5, eval_size=8))\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"
