"""Lack of parallelism: what a recurrent layer makes of a machine, against self-attention and a convolution.

Each layer maps ``x`` ``[batch, T, d]`` to ``[batch, T, d]``. A recurrent layer must
compute ``a⟨t⟩`` before ``a⟨t+1⟩``: ``T`` steps one after another, however many cores
there are, each a small ``[batch, d] × [d, d]`` product. Self-attention and a convolution
compute every position from the input at once: a few large products whose work can be
spread over all the cores.

The course's point is *utilization* ("longer training time and inefficient utilization of
machines"), so besides time we measure what each layer achieves: useful floating-point
operations per second (:func:`forward_flops` counts the multiply-adds of each forward pass,
2 FLOPs each) and the speed-up from 1 to 2 torch threads. :func:`same_flops` times the same
matrix-product work done as ``T`` products in a row (a recurrence) or as one big product.
Everything is measured now, forward pass only, best of a few repeats (the fastest run is
the one least disturbed by other work on a shared machine), within a time budget.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from sequence_models.runtime import make_generator

THREADS = (1, 2)
HEADS = 4

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


def forward_flops(layer: str, batch: int, length: int, width: int, kernel: int = CONV_KERNEL) -> int:
    """Floating-point operations of one forward pass (2 per multiply-add of the matrix products;
    biases, activations and the softmax are left out: they are O(T·d) or O(T²) next to O(T·d²)).

    * ``RNN``:  per step ``W_ax x⟨t⟩`` and ``W_aa a⟨t−1⟩``, 2·d² multiply-adds → ``4·B·T·d²``.
    * ``LSTM``: four gates, each like the RNN's step → ``16·B·T·d²``.
    * ``self-attention``: Q, K, V and output projections, 4·d² per position, plus ``QKᵀ`` and the
      weighted sum of V, T·d each per position (all heads together) → ``8·B·T·d² + 4·B·T²·d``.
    * ``1-D conv``: ``d`` outputs × ``d`` inputs × ``kernel`` taps per position → ``2·B·T·d²·kernel``.
    """
    b, t, d = int(batch), int(length), int(width)
    flops = {"RNN": 4 * b * t * d * d, "LSTM": 16 * b * t * d * d,
             "self-attention": 8 * b * t * d * d + 4 * b * t * t * d,
             "1-D conv": 2 * b * t * d * d * kernel}
    if layer not in flops:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}, not {layer!r}")
    return flops[layer]


def attention_heads(width: int) -> int:
    """How many heads the self-attention layer of ``width`` channels has: :data:`HEADS` when they divide it, else 1."""
    return HEADS if width % HEADS == 0 else 1


def build_layers(width: int, seed: int = 0, device: str = "cpu") -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """One layer of each kind, ``width`` channels, each a function ``[batch, T, d] → [batch, T, d]``."""
    torch_gen = make_generator(seed)
    rnn = nn.RNN(width, width, batch_first=True)
    lstm = nn.LSTM(width, width, batch_first=True)
    attention = nn.MultiheadAttention(width, attention_heads(width), batch_first=True)
    conv = nn.Conv1d(width, width, CONV_KERNEL, padding=CONV_KERNEL // 2)
    with torch.no_grad():
        for module in (rnn, lstm, attention, conv):
            for p in module.parameters():
                p.uniform_(-width ** -0.5, width ** -0.5, generator=torch_gen)
    for module in (rnn, lstm, attention, conv):
        module.to(device)
    return {
        "RNN": lambda x: rnn(x)[0],
        "LSTM": lambda x: lstm(x)[0],
        "self-attention": lambda x: attention(x, x, x, need_weights=False)[0],
        "1-D conv": lambda x: conv(x.transpose(1, 2)).transpose(1, 2),
    }


@dataclass(frozen=True)
class TimingConfig:
    """What to time. ``threads``: the torch thread counts to measure at (each ≤ the CPU count is
    not enforced: more threads than free cores just measures the contention). ``budget`` (seconds)
    bounds the whole measurement: lengths left when it runs out are reported as skipped rather
    than measured (the shortest is always measured)."""

    lengths: tuple[int, ...] = LENGTHS
    width: int = 64
    batch: int = 8
    repeats: int = 5
    budget: float = 8.0
    seed: int = 0
    threads: tuple[int, ...] = (1,)
    device: str = "cpu"

    def validate(self) -> "TimingConfig":
        if not self.lengths or any(not (LENGTHS[0] <= n <= LENGTHS[-1]) for n in self.lengths):
            raise ValueError(f"lengths must lie between {LENGTHS[0]} and {LENGTHS[-1]}")
        for name, value, (lo, hi) in (("width", self.width, WIDTH_RANGE), ("batch", self.batch, BATCH_RANGE),
                                      ("repeats", self.repeats, REPEATS_RANGE), ("budget", self.budget, (0.1, 600))):
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo} and {hi}, not {value!r}")
        if not self.threads or any(not 1 <= int(n) <= 8 for n in self.threads):
            raise ValueError("threads must be 1 to 8")
        return self


@dataclass
class TimingResult:
    """``by_threads[n][layer][i]``: best wall-clock forward time (seconds) at ``lengths[i]`` on ``n``
    torch threads (None if skipped). ``seconds`` is the first thread count's table (1 thread by default).

    ``cpu[layer][i]``: the best *CPU* time of the 1-thread run (``time.thread_time`` of the thread doing
    the work), which time slices lost to other programs do not inflate: on a shared server it is the
    honest measure of what one core achieves, so :meth:`gflops` uses it for 1 thread. ``load`` is the
    1-minute load average and ``cores`` the CPU count when the measurement ran."""

    config: TimingConfig
    lengths: list[int]
    by_threads: dict[int, dict[str, list[float | None]]] = field(default_factory=dict)
    cpu: dict[str, list[float | None]] = field(default_factory=dict)
    total_seconds: float = 0.0
    device_name: str = "CPU"
    load: float = 0.0
    cores: int = 1

    @property
    def busy(self) -> bool:
        """More runnable work than cores while measuring: multi-thread timings then show contention."""
        return self.load > self.cores - 0.5

    @property
    def threads(self) -> int:
        return self.config.threads[0]

    @property
    def seconds(self) -> dict[str, list[float | None]]:
        return self.by_threads[self.config.threads[0]]

    @property
    def skipped(self) -> list[int]:
        """Lengths the first thread count (1 by default) did not reach within the budget."""
        return [n for i, n in enumerate(self.lengths) if any(v[i] is None for v in self.seconds.values())]

    def core_seconds(self, layer: str) -> list[float | None]:
        """Best time of one forward pass on one core: the CPU time where it was kept (1 thread on a CPU),
        else the first thread count's wall-clock time."""
        return self.cpu[layer] if self.cpu else self.seconds[layer]

    def flops(self, layer: str) -> list[int]:
        c = self.config
        return [forward_flops(layer, c.batch, n, c.width) for n in self.lengths]

    def gflops(self, layer: str, threads: int | None = None) -> list[float | None]:
        """Achieved GFLOP/s (useful FLOPs ÷ best time ÷ 1e9) at each length; None where not measured.
        On one CPU thread the time is the CPU time (see the class note); otherwise wall-clock time."""
        n = threads if threads is not None else self.threads
        table = self.cpu if n == 1 and self.cpu else self.by_threads[n]
        return [None if t is None else f / t / 1e9 for f, t in zip(self.flops(layer), table[layer])]

    def speedup(self, layer: str, fast: int = 2, slow: int = 1) -> list[float | None]:
        """Time on ``slow`` threads ÷ time on ``fast`` threads, per length (None where either is missing)."""
        if fast not in self.by_threads or slow not in self.by_threads:
            return [None] * len(self.lengths)
        return [None if a is None or b is None else a / b
                for a, b in zip(self.by_threads[slow][layer], self.by_threads[fast][layer])]

    def last_measured(self) -> int | None:
        """Index of the longest length measured for every layer on the first thread count (None: nothing)."""
        ok = [i for i in range(len(self.lengths)) if all(v[i] is not None for v in self.seconds.values())]
        return ok[-1] if ok else None

    def rows(self) -> list[dict]:
        """One plain row per length: time (ms), GFLOP/s and speed-up per layer (None = not measured)."""
        out = []
        for i, n in enumerate(self.lengths):
            row: dict = {"T": n}
            for name in LAYERS:
                t = self.core_seconds(name)[i]
                g = self.gflops(name)[i]
                sp = self.speedup(name)[i]
                row[f"{name} ms"] = None if t is None else round(t * 1e3, 3)
                row[f"{name} GFLOP/s"] = None if g is None else round(g, 2)
                if 2 in self.by_threads:
                    row[f"{name} speed-up 1→2 threads"] = None if sp is None else round(sp, 2)
            out.append(row)
        return out


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def device_name(device: str) -> str:
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    import platform
    return platform.processor() or platform.machine() or "CPU"


def machine_load() -> tuple[float, int]:
    """(1-minute load average, CPU count); the load is 0 where the system does not report one."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    return load, os.cpu_count() or 1


def server_busy() -> bool:
    """Is there more runnable work than cores? Then a second thread has no free core to run on."""
    load, cores = machine_load()
    return load > cores - 0.5


def time_layers(config: TimingConfig, clock: Callable[[], float] = time.perf_counter,
                cpu_clock: Callable[[], float] = time.thread_time) -> TimingResult:
    """Time every layer in :data:`LAYERS` at each length (shortest first), for each thread count of
    ``config.threads`` in turn.

    For each (threads, length, layer): one warm-up call, then ``repeats`` timed calls on the same
    random input ``[batch, T, width]``; the fastest is kept. The first thread count gets 60% of the
    budget (all of it when it is the only one), the others share the rest; the shortest length is
    always measured. The previous thread count is restored afterwards.
    """
    config.validate()
    previous = torch.get_num_threads()
    start = clock()
    lengths = sorted(set(config.lengths))
    result = TimingResult(config=config, lengths=lengths,
                          by_threads={n: {k: [] for k in LAYERS} for n in config.threads},
                          cpu={k: [] for k in LAYERS} if 1 in config.threads and config.device == "cpu" else {},
                          device_name=device_name(config.device))
    result.load, result.cores = machine_load()
    others = len(config.threads) - 1
    shares = [1.0] if not others else [0.6] + [0.4 / others] * others
    try:
        layers = build_layers(config.width, config.seed, config.device)
        gen = make_generator(config.seed + 1)
        inputs = [torch.randn(config.batch, n, config.width, generator=gen).to(config.device) for n in lengths]
        deadline = start
        with torch.inference_mode():
            for threads, share in zip(config.threads, shares):
                torch.set_num_threads(int(threads))
                phase = clock()
                deadline = max(deadline, phase) + share * config.budget
                for i, x in enumerate(inputs):
                    out_of_budget = i > 0 and clock() > deadline     # the shortest is always measured
                    for name, f in layers.items():
                        keep_cpu = threads == 1 and name in result.cpu
                        if out_of_budget:
                            result.by_threads[threads][name].append(None)
                            if keep_cpu:
                                result.cpu[name].append(None)
                            continue
                        f(x)
                        _sync(config.device)
                        times, cpu = [], []
                        for _ in range(config.repeats):
                            t0, c0 = clock(), cpu_clock()
                            f(x)
                            _sync(config.device)
                            times.append(clock() - t0)
                            cpu.append(cpu_clock() - c0)
                        result.by_threads[threads][name].append(min(times))
                        if keep_cpu:
                            result.cpu[name].append(max(min(cpu), 1e-9))
    finally:
        torch.set_num_threads(previous)
    result.total_seconds = clock() - start
    return result


# --- the same multiply-adds, in a row or at once ----------------------------------------

@dataclass
class SameFlops:
    """``T`` products ``[batch, d] × [d, d]`` in a row (each needing the previous one) against one
    ``[batch·T, d] × [d, d]`` product: the same ``2·batch·T·d²`` FLOPs. Seconds per thread count."""

    batch: int
    length: int
    width: int
    in_a_row: dict[int, float]
    at_once: dict[int, float]
    cpu_in_a_row: float = 0.0     # best CPU seconds on 1 thread (immune to other programs' time slices)
    cpu_at_once: float = 0.0

    @property
    def flops(self) -> int:
        return 2 * self.batch * self.length * self.width * self.width

    def gflops(self, seconds: float) -> float:
        return self.flops / seconds / 1e9


def same_flops(batch: int, length: int, width: int, threads: tuple[int, ...] = THREADS, repeats: int = 5,
               seed: int = 0, clock: Callable[[], float] = time.perf_counter,
               cpu_clock: Callable[[], float] = time.thread_time) -> SameFlops:
    """Time the same matrix-product work as a recurrence ``a⟨t⟩ = tanh(x⟨t⟩ + a⟨t−1⟩W)`` over ``T``
    steps and as ``tanh(X W)`` over all ``batch·T`` rows at once (best of ``repeats``)."""
    if not (BATCH_RANGE[0] <= batch <= BATCH_RANGE[1] and LENGTHS[0] <= length <= LENGTHS[-1]
            and WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1] and 1 <= repeats <= 10):
        raise ValueError("batch, length, width or repeats out of range")
    gen = make_generator(seed)
    w = torch.randn(width, width, generator=gen) * width ** -0.5
    x = torch.randn(length, batch, width, generator=gen)
    flat = x.reshape(length * batch, width)

    def in_a_row() -> None:
        a = torch.zeros(batch, width)
        for t in range(length):
            a = torch.tanh(x[t] + a @ w)

    def at_once() -> None:
        torch.tanh(flat @ w)

    previous = torch.get_num_threads()
    rows: dict[int, float] = {}
    once: dict[int, float] = {}
    cpu: dict[str, float] = {}
    try:
        with torch.inference_mode():
            for n in threads:
                torch.set_num_threads(int(n))
                for name, f, table in (("row", in_a_row, rows), ("once", at_once, once)):
                    f()
                    best = best_cpu = float("inf")
                    for _ in range(repeats):
                        t0, c0 = clock(), cpu_clock()
                        f()
                        best = min(best, clock() - t0)
                        best_cpu = min(best_cpu, cpu_clock() - c0)
                    table[int(n)] = best
                    if n == 1:
                        cpu[name] = max(best_cpu, 1e-9)
    finally:
        torch.set_num_threads(previous)
    return SameFlops(batch=batch, length=length, width=width, in_a_row=rows, at_once=once,
                     cpu_in_a_row=cpu.get("row", 0.0), cpu_at_once=cpu.get("once", 0.0))


# --- reference figures recorded by the benchmarks ------------------------------------------

GPU_FILE = "gpu_timing.json"          # benchmarks/limitations_gpu.py, on a machine with CUDA
THREADS_FILE = "cpu_threads.json"     # benchmarks/limitations_timing.py --record, on a quiet machine


def timing_to_json(res: TimingResult) -> dict:
    """A measurement as plain JSON (seconds per thread count, GFLOP/s, speed-ups, load, device)."""
    c = res.config
    out = {"device": res.device_name, "config": {"lengths": list(c.lengths), "width": c.width, "batch": c.batch,
                                                 "repeats": c.repeats, "threads": list(c.threads)},
           "lengths": res.lengths, "seconds": res.seconds,
           "seconds_by_threads": {str(n): t for n, t in res.by_threads.items()},
           "gflops": {k: res.gflops(k) for k in LAYERS}, "load": round(res.load, 2), "cores": res.cores,
           "total_seconds": round(res.total_seconds, 2), "recorded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if 2 in res.by_threads and 1 in res.by_threads:
        out["speedup"] = {k: res.speedup(k) for k in LAYERS}
    return out


def load_timing_file(name: str, path=None) -> dict | None:
    """A recorded measurement (``assets/limitations/<name>``) if present and well formed, else None."""
    import json
    from pathlib import Path

    from sequence_models.runtime import asset_path
    path = Path(path) if path is not None else asset_path("limitations") / name
    try:
        data = json.loads(path.read_text())
        assert isinstance(data["device"], str) and set(data["seconds"]) == set(LAYERS)
        assert all(len(v) == len(data["lengths"]) for v in data["seconds"].values())
        return data
    except Exception:
        return None


def load_gpu_timing(path=None) -> dict | None:
    return load_timing_file(GPU_FILE, path)


def load_thread_reference(path=None) -> dict | None:
    data = load_timing_file(THREADS_FILE, path)
    return data if data is not None and "speedup" in data else None
