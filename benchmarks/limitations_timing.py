"""Compute times behind the limitations pages, on one torch thread.

    python benchmarks/limitations_timing.py

Prints (median of 3):
* the gradient measurement (autograd through the course's cells, float64) at the largest
  sizes the page allows (T = 500, 128 hidden units) for each cell, and at the default;
* the clipping demo (two 200-step SGD runs);
* one side-by-side training step of RNN + LSTM + GRU (32 units, batch 32) at T = 40 and 160,
  and how many steps fit in the live run's 45 s cap at that rate;
* the parallelism page's whole measurement at its default settings.

    python benchmarks/limitations_timing.py --record [--force]

measures the parallelism page's layers on 1 and 2 threads and writes
``assets/limitations/cpu_threads.json`` (the speed-up reference the page shows when the server is
too busy to measure it live). It refuses to record while the machine is busy (load average above
the number of cores − 0.5), since the 2-thread figures would then measure the contention, unless
``--force`` is given (the file keeps the load it was recorded at).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from sequence_models.limitations.gradients import GradientConfig, clipping_demo, gradient_norms  # noqa: E402
from sequence_models.limitations.long_term import LIVE_DEFAULTS, LiveConfig, train_side_by_side  # noqa: E402
from sequence_models.limitations.parallelism import (THREADS_FILE, TimingConfig, machine_load,  # noqa: E402
                                                     server_busy, time_layers, timing_to_json)


def median_time(f, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def record(force: bool) -> int:
    import json

    from sequence_models.runtime import asset_path, atomic_write_text
    load, cores = machine_load()
    if server_busy() and not force:
        print(f"busy: load average {load:.1f} on {cores} cores; not recording (use --force to record anyway)",
              file=sys.stderr)
        return 1
    res = time_layers(TimingConfig(width=128, batch=1, repeats=7, budget=60, threads=(1, 2)))
    data = timing_to_json(res)
    out = asset_path("limitations") / THREADS_FILE
    atomic_write_text(out, json.dumps(data, indent=1))
    print(f"load {res.load:.1f} on {res.cores} cores; speed-up 1→2 threads at T = {res.lengths[-1]}: "
          + ", ".join(f"{k} {v[-1]:.2f}×" for k, v in data["speedup"].items() if v[-1]) + f"; wrote {out}")
    return 0


def main() -> int:
    if "--record" in sys.argv[1:]:
        return record("--force" in sys.argv[1:])
    torch.set_num_threads(1)
    for cell in ("rnn", "lstm", "gru"):
        big = median_time(lambda: gradient_norms(GradientConfig(cell=cell, length=500, hidden=128)))
        default = median_time(lambda: gradient_norms(GradientConfig(cell=cell)))
        print(f"gradients {cell:4s}: T=500 H=128 {big * 1e3:7.0f} ms | default T=100 H=32 {default * 1e3:5.0f} ms")
    print(f"clipping demo (2 × 200 SGD steps): {median_time(clipping_demo) * 1e3:.0f} ms")
    for length in (LIVE_DEFAULTS.length, 160):
        steps = 100
        res = train_side_by_side(LiveConfig(length=length, steps=steps, eval_every=25, time_limit=60))
        per = res.cpu_seconds / steps
        print(f"live training T={length:3d}: {per * 1e3:.1f} ms of CPU per step (3 models, with evaluations) "
              f"→ the default {LIVE_DEFAULTS.steps} steps ≈ {per * LIVE_DEFAULTS.steps:.0f} s of one core")
    res = time_layers(TimingConfig(width=128, batch=1, threads=(1, 2), budget=20))
    print(f"parallelism page measurement (T 16–1024, d 128, batch 1, 1 and 2 threads, best of 5): "
          f"{res.total_seconds:.2f} s; load {res.load:.1f} on {res.cores} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
