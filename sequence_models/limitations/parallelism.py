"""Lack of parallelism: time a recurrent layer against self-attention and a 1-D convolution.

Each layer maps ``x`` ``[batch, T, d]`` to ``[batch, T, d]``. A recurrent layer must
compute ``a⟨t⟩`` before ``a⟨t+1⟩``: ``T`` steps one after another, however many cores
there are. Self-attention and a convolution compute every position from the input
at once: one step whose work can be spread over all the cores. The timings are
measured now, forward pass only, on one CPU thread, best of a few repeats (the
fastest run is the one least disturbed by other work on a shared machine).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from sequence_models.runtime import make_generator

LAYERS = ("RNN", "LSTM", "self-attention", "1-D conv")
LENGTHS = (16, 32, 64, 128, 256, 512, 1024)
WIDTH_RANGE = (16, 256)
BATCH_RANGE = (1, 32)
REPEATS_RANGE = (1, 10)
CONV_KERNEL = 3


def sequential_steps(layer: str, length: int) -> int:
    """Steps that must run one after another for one layer over ``length`` positions."""
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}, not {layer!r}")
    return length if layer in ("RNN", "LSTM") else 1


def conv_layers_to_see_everything(length: int, kernel: int = CONV_KERNEL) -> int:
    """Stacked (undilated) convolutions needed before the last output sees the first input:
    each layer widens the receptive field by ``kernel − 1``."""
    return max(1, -(-(length - 1) // (kernel - 1)))


def build_layers(width: int, seed: int = 0) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """One layer of each kind, ``width`` channels, each a function ``[batch, T, d] → [batch, T, d]``."""
    torch_gen = make_generator(seed)
    rnn = nn.RNN(width, width, batch_first=True)
    lstm = nn.LSTM(width, width, batch_first=True)
    heads = 4 if width % 4 == 0 else 1
    attention = nn.MultiheadAttention(width, heads, batch_first=True)
    conv = nn.Conv1d(width, width, CONV_KERNEL, padding=CONV_KERNEL // 2)
    with torch.no_grad():
        for module in (rnn, lstm, attention, conv):
            for p in module.parameters():
                p.uniform_(-width ** -0.5, width ** -0.5, generator=torch_gen)
    return {
        "RNN": lambda x: rnn(x)[0],
        "LSTM": lambda x: lstm(x)[0],
        "self-attention": lambda x: attention(x, x, x, need_weights=False)[0],
        "1-D conv": lambda x: conv(x.transpose(1, 2)).transpose(1, 2),
    }


@dataclass(frozen=True)
class TimingConfig:
    """What to time. ``budget`` (seconds) bounds the whole measurement: lengths left when
    it runs out are reported as skipped rather than measured (the shortest is always measured)."""

    lengths: tuple[int, ...] = LENGTHS
    width: int = 64
    batch: int = 8
    repeats: int = 5
    budget: float = 8.0
    seed: int = 0

    def validate(self) -> "TimingConfig":
        if not self.lengths or any(not (LENGTHS[0] <= n <= LENGTHS[-1]) for n in self.lengths):
            raise ValueError(f"lengths must lie between {LENGTHS[0]} and {LENGTHS[-1]}")
        for name, value, (lo, hi) in (("width", self.width, WIDTH_RANGE), ("batch", self.batch, BATCH_RANGE),
                                      ("repeats", self.repeats, REPEATS_RANGE), ("budget", self.budget, (0.1, 60))):
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo} and {hi}, not {value!r}")
        return self


@dataclass
class TimingResult:
    """``seconds[layer][i]`` is the best forward time at ``lengths[i]`` (None if skipped)."""

    config: TimingConfig
    lengths: list[int]
    seconds: dict[str, list[float | None]] = field(default_factory=dict)
    total_seconds: float = 0.0
    threads: int = 1

    @property
    def skipped(self) -> list[int]:
        return [n for i, n in enumerate(self.lengths) if any(self.seconds[k][i] is None for k in self.seconds)]


def time_layers(config: TimingConfig, clock: Callable[[], float] = time.perf_counter) -> TimingResult:
    """Time every layer in :data:`LAYERS` at each length (shortest first) on ONE torch thread.

    For each (layer, length): one warm-up call, then ``repeats`` timed calls on the same
    random input ``[batch, T, width]``; the fastest is kept. The previous thread count
    is restored afterwards.
    """
    config.validate()
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    start = clock()
    lengths = sorted(set(config.lengths))
    result = TimingResult(config=config, lengths=lengths, seconds={k: [] for k in LAYERS}, threads=1)
    try:
        layers = build_layers(config.width, config.seed)
        gen = make_generator(config.seed + 1)
        with torch.inference_mode():
            for i, n in enumerate(lengths):
                out_of_budget = i > 0 and clock() - start > config.budget  # the shortest is always measured
                x = torch.randn(config.batch, n, config.width, generator=gen)
                for name, f in layers.items():
                    if out_of_budget:
                        result.seconds[name].append(None)
                        continue
                    f(x)
                    times = []
                    for _ in range(config.repeats):
                        t0 = clock()
                        f(x)
                        times.append(clock() - t0)
                    result.seconds[name].append(min(times))
    finally:
        torch.set_num_threads(previous)
    result.total_seconds = clock() - start
    return result
