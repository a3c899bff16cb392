"""Compute times behind the limitations pages, on one torch thread.

    python benchmarks/limitations_timing.py

Prints (median of 3):
* the gradient measurement (autograd through the course's cells, float64) at the largest
  sizes the page allows (T = 500, 128 hidden units) for each cell, and at the default;
* the clipping demo (two 200-step SGD runs);
* one side-by-side training step of RNN + LSTM + GRU (32 units, batch 32) at T = 40 and 160,
  and how many steps fit in the live run's 45 s cap at that rate;
* the parallelism page's whole measurement at its default settings.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from sequence_models.limitations.gradients import GradientConfig, clipping_demo, gradient_norms  # noqa: E402
from sequence_models.limitations.long_term import LiveConfig, train_side_by_side, warm_up  # noqa: E402
from sequence_models.limitations.parallelism import TimingConfig, time_layers  # noqa: E402


def median_time(f, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    torch.set_num_threads(1)
    warm_up()
    for cell in ("rnn", "lstm", "gru"):
        big = median_time(lambda: gradient_norms(GradientConfig(cell=cell, length=500, hidden=128)))
        default = median_time(lambda: gradient_norms(GradientConfig(cell=cell)))
        print(f"gradients {cell:4s}: T=500 H=128 {big * 1e3:7.0f} ms | default T=100 H=32 {default * 1e3:5.0f} ms")
    print(f"clipping demo (2 × 200 SGD steps): {median_time(clipping_demo) * 1e3:.0f} ms")
    for length in (40, 160):
        steps = 100
        t = median_time(lambda: train_side_by_side(LiveConfig(length=length, steps=steps, eval_every=steps)), n=1)
        per = t / steps
        print(f"live training T={length:3d}: {per * 1e3:.1f} ms per step (3 models) "
              f"→ ~{int(45 / per)} steps in the 45 s cap")
    res = time_layers(TimingConfig())
    print(f"parallelism page measurement (T 16–1024, d 64, batch 8, best of 5): {res.total_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
