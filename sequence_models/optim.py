"""A plain SGD/Adam update for the app's live training (toy RNN, long-term race, clipping demo).

Why not ``torch.optim``: the first ``torch.optim`` optimizer of a process imports
``torch._dynamo`` (about 70 MB of resident memory and seconds of CPU on a busy server), which
the app's tiny live trainings do not need. :func:`optimizer_step` is the same arithmetic as
``torch.optim.SGD`` (no momentum) and ``torch.optim.Adam`` (defaults, no weight decay) on the
CPU, operation for operation, so results match them to the last bit
(``tests/test_optim.py``). Offline training commands keep using ``torch.optim``.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

import torch

#: Adam's defaults, as in ``torch.optim.Adam``.
BETAS = (0.9, 0.999)
EPS = 1e-8


@torch.no_grad()
def optimizer_step(params: Iterable[torch.Tensor], lr: float, adam: MutableMapping | None = None, *,
                   betas: tuple[float, float] = BETAS, eps: float = EPS) -> None:
    """Update every parameter that has a gradient in place, then clear the gradients.

    * ``adam=None``: plain SGD, ``p ← p − lr · ∇p`` (``torch.optim.SGD(params, lr)``).
    * ``adam`` a dict (start with ``{}`` and pass the same dict at every step): Adam, the dict
      keeping each parameter's step count and first and second moments
      (``torch.optim.Adam(params, lr, betas, eps)``, bias-corrected)::

          m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
          p ← p − lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    Parameters whose ``.grad`` is ``None`` are skipped (as ``torch.optim`` does). Afterwards every
    ``.grad`` is set to ``None``, so a training loop needs no ``zero_grad()`` before ``backward()``.
    Runs under ``torch.no_grad()`` (an update is never part of the graph).
    """
    beta1, beta2 = betas
    for p in params:
        grad = p.grad
        if grad is None:
            continue
        if adam is None:
            p.add_(grad, alpha=-lr)
        else:
            state = adam.get(p)
            if state is None:
                state = adam[p] = [0.0, torch.zeros_like(p, memory_format=torch.preserve_format),
                                   torch.zeros_like(p, memory_format=torch.preserve_format)]
            state[0] += 1.0
            step, exp_avg, exp_avg_sq = state
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            p.addcdiv_(exp_avg, denom, value=-(lr / bias_correction1))
        p.grad = None
