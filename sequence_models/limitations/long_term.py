"""Long-term dependencies: the adding problem, trained live and across lags.

The adding problem (Hochreiter & Schmidhuber 1997): each step carries two numbers,
a value drawn uniformly from [0, 1] and a marker that is 1 at exactly two steps,
one in the first half of the sequence and one in the second, and 0 elsewhere. The
target, read at the last step, is the sum of the two marked values. The first mark
is at least ``T/2`` steps before the end, so the model must carry it that far.
Always answering 1 (the mean of the target) scores ``MSE = 2/12 = 1/6``: a model that
stays at that line has learned nothing about the sequence.

:func:`train_side_by_side` trains a vanilla RNN, an LSTM and a GRU with the same
number of hidden units on the same batches, one step each in turn, reporting
progress through a callback. It stops after a fixed number of steps, when the
caller asks, or at a hard wall-clock cap, whichever comes first. The run is *budgeted in
steps*: its verdict (:func:`verdict`) is given only for a model that learned or that used its
whole step budget; a run cut short by the time cap (a busy server) or by the student says
"stopped before the verdict" instead of "no better than guessing".

:func:`check_live_defaults` trains the page's default live run over 10 seeds and records
how often each cell learns, and the CPU seconds each run took (``evaluate limitations``).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from sequence_models.cells import LSTMCell, unroll
from sequence_models.optim import optimizer_step
from sequence_models.runtime import (AssetError, asset_path, atomic_write_text, check_writable_dir, load_checkpoint,
                                     make_generator, save_checkpoint)

CELL_NAMES = {"rnn": "Vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
#: MSE of always answering 1 (the target's mean): Var(U₁ + U₂) = 2/12.
BASELINE_MSE = 1 / 6
LENGTH_RANGE = (4, 200)
HIDDEN_RANGE = (4, 64)
STEPS_RANGE = (10, 5000)
MAX_TIME_LIMIT = 60.0
ASSET_DIR = "limitations"
ACROSS_LAG_FILE = "across_lag.json"
LSTM_FILE = "lstm_adding.pt"
LIVE_CHECK_FILE = "live_defaults.json"
#: A model has *learned* when its MSE is below this fraction of the baseline; *partly* below PARTLY.
LEARNED, PARTLY = 0.1, 0.5
VERDICTS = ("learned", "partly", "no better than guessing", "stopped before the verdict: not enough steps")


def verdict(mse: float, stopped: str) -> str:
    """What a final MSE says about a model, given why its run ended.

    ``"learned"`` (below :data:`LEARNED` × baseline) stands whatever stopped the run. Otherwise a run
    that did not use its whole step budget (``stopped`` is not ``"done"``: the time cap, the Stop
    button, an interruption) has not earned a verdict: ``"stopped before the verdict: not enough
    steps"``. A finished run is ``"partly"`` below :data:`PARTLY` × baseline, else
    ``"no better than guessing"``."""
    ratio = mse / BASELINE_MSE
    if math.isfinite(ratio) and ratio < LEARNED:
        return VERDICTS[0]
    if stopped != "done":
        return VERDICTS[3]
    return VERDICTS[1] if math.isfinite(ratio) and ratio < PARTLY else VERDICTS[2]


def adding_batch(batch: int, length: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch`` adding-problem sequences of ``length`` steps.

    Returns ``x`` ``[batch, length, 2]`` (channel 0: values in [0, 1]; channel 1: the
    two markers) and ``y`` ``[batch]`` (sum of the two marked values).
    """
    if length < 2 or batch < 1:
        raise ValueError("the adding problem needs length ≥ 2 and batch ≥ 1")
    values = torch.rand(batch, length, generator=generator)
    half = length // 2
    first = torch.randint(0, half, (batch,), generator=generator)
    second = torch.randint(half, length, (batch,), generator=generator)
    marks = torch.zeros(batch, length)
    rows = torch.arange(batch)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return torch.stack([values, marks], dim=-1), y


class SequenceRegressor(nn.Module):
    """One recurrent layer (``nn.RNN`` tanh / ``nn.LSTM`` / ``nn.GRU``) and a linear read-out
    of the last hidden state: ``x`` ``[batch, time, 2]`` → ``ŷ`` ``[batch]``."""

    def __init__(self, cell: str, hidden: int, input_size: int = 2) -> None:
        super().__init__()
        layers = {"rnn": lambda: nn.RNN(input_size, hidden, nonlinearity="tanh", batch_first=True),
                  "lstm": lambda: nn.LSTM(input_size, hidden, batch_first=True),
                  "gru": lambda: nn.GRU(input_size, hidden, batch_first=True)}
        if cell not in layers:
            raise ValueError(f"cell must be one of {', '.join(layers)}, not {cell!r}")
        self.cell, self.hidden = cell, hidden
        self.rnn = layers[cell]()
        self.head = nn.Linear(hidden, 1)

    def reset_parameters(self, generator: torch.Generator, forget_bias: float = 1.0) -> None:
        """PyTorch's uniform(±1/√hidden) init from ``generator``; an LSTM's forget bias set to ``forget_bias``."""
        bound = self.hidden ** -0.5
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound, generator=generator)
            if self.cell == "lstm":
                h = self.hidden
                self.rnn.bias_ih_l0[h:2 * h].fill_(forget_bias)
                self.rnn.bias_hh_l0[h:2 * h].zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@dataclass(frozen=True)
class LiveConfig:
    """One side-by-side run. ``time_limit`` is a hard wall-clock cap in seconds (≤ 60)."""

    length: int = 50
    hidden: int = 32
    steps: int = 1500
    batch: int = 32
    lr: float = 0.01
    seed: int = 0
    time_limit: float = 45.0
    cells: tuple[str, ...] = ("rnn", "lstm", "gru")
    eval_every: int = 25
    eval_size: int = 256
    forget_bias: float = 1.0

    def validate(self) -> "LiveConfig":
        checks = [("length", self.length, *LENGTH_RANGE), ("hidden", self.hidden, *HIDDEN_RANGE),
                  ("steps", self.steps, *STEPS_RANGE), ("batch", self.batch, 1, 512), ("lr", self.lr, 1e-5, 1.0),
                  ("forget_bias", self.forget_bias, -5.0, 5.0),
                  ("time_limit", self.time_limit, 0.0, MAX_TIME_LIMIT), ("eval_every", self.eval_every, 1, 5000),
                  ("eval_size", self.eval_size, 1, 4096)]
        for name, value, lo, hi in checks:
            if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
                raise ValueError(f"{name} must be between {lo:g} and {hi:g}, not {value!r}")
        if not self.cells or any(c not in CELL_NAMES for c in self.cells):
            raise ValueError(f"cells must be a non-empty subset of {', '.join(CELL_NAMES)}")
        return self


@dataclass
class LiveResult:
    """Validation MSE curves: ``curves[cell]`` is a list of ``(step, mse)``; ``stopped`` is
    ``"done"`` (all steps), ``"time"`` (hit the cap) or ``"stopped"`` (asked to stop).
    ``cpu_seconds`` is the CPU time of the training thread (``time.thread_time``), which other
    sessions' work does not inflate; ``elapsed`` is wall-clock time. ``steps_used[cell]`` is where a
    cell stopped training (smaller than ``steps_done`` only when ``stop_below`` retired it early)."""

    config: LiveConfig
    curves: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    steps_done: int = 0
    elapsed: float = 0.0
    cpu_seconds: float = 0.0
    stopped: str = "running"
    models: dict[str, SequenceRegressor] = field(default_factory=dict)
    steps_used: dict[str, int] = field(default_factory=dict)

    def final_mse(self) -> dict[str, float]:
        return {c: (v[-1][1] if v else math.nan) for c, v in self.curves.items()}

    def verdicts(self) -> dict[str, str]:
        return {c: verdict(m, self.stopped) for c, m in self.final_mse().items()}


def evaluate(model: SequenceRegressor, x: torch.Tensor, y: torch.Tensor) -> float:
    """MSE of ``model`` on ``x`` ``[n, T, 2]``, ``y`` ``[n]``."""
    with torch.inference_mode():
        return float(nn.functional.mse_loss(model(x), y))


def train_side_by_side(config: LiveConfig,
                       on_progress: Callable[[LiveResult], None] | None = None,
                       should_stop: Callable[[], bool] | None = None,
                       clock: Callable[[], float] = time.monotonic) -> LiveResult:
    """Train one model per cell in ``config.cells`` on identical batches, a step each in turn.

    Every ``eval_every`` steps each model's MSE on a fixed validation set is appended
    to its curve and ``on_progress(result)`` is called. Before every single step the
    wall clock is checked: once ``time_limit`` seconds have passed since the start
    (or ``should_stop()`` returns True) training ends with one last evaluation, so a
    run overshoots the cap by at most one step plus that evaluation. The updates are Adam's
    (:func:`sequence_models.optim.optimizer_step`: ``torch.optim.Adam``'s numbers without its
    one-time import of ``torch._dynamo``).
    """
    return _train(config.validate(), config.time_limit, on_progress, should_stop, clock)


def _train(config: LiveConfig, time_limit: float,
           on_progress: Callable[[LiveResult], None] | None = None,
           should_stop: Callable[[], bool] | None = None,
           clock: Callable[[], float] = time.monotonic, stop_below: float | None = None) -> LiveResult:
    """The trainer behind :func:`train_side_by_side` and the sweep. ``stop_below``: retire a cell
    (stop training it) once its validation MSE is below ``stop_below`` × baseline (sweep only)."""
    start, cpu_start = clock(), time.thread_time()
    gen = make_generator(config.seed)
    models: dict[str, SequenceRegressor] = {}
    for cell in config.cells:
        models[cell] = SequenceRegressor(cell, config.hidden)
        models[cell].reset_parameters(make_generator(config.seed + 1), forget_bias=config.forget_bias)
    params = {c: list(m.parameters()) for c, m in models.items()}
    adam: dict[str, dict] = {c: {} for c in models}     # each model's Adam state (optimizer_step)
    x_val, y_val = adding_batch(config.eval_size, config.length, make_generator(10_000 + config.seed))
    result = LiveResult(config=config, curves={c: [] for c in config.cells}, models=models)
    active = set(config.cells)

    def record() -> None:
        for c, m in models.items():
            if c in active or not result.curves[c]:
                result.curves[c].append((result.steps_done, evaluate(m, x_val, y_val)))
            if c in active:
                result.steps_used[c] = result.steps_done
            if stop_below is not None and result.curves[c][-1][1] < stop_below * BASELINE_MSE:
                active.discard(c)
        result.elapsed = clock() - start
        result.cpu_seconds = time.thread_time() - cpu_start
        if on_progress is not None:
            on_progress(result)

    def out_of_time() -> bool:
        return clock() - start >= time_limit

    record()
    while result.steps_done < config.steps and active:
        x, y = adding_batch(config.batch, config.length, gen)
        for c, m in models.items():
            if c not in active:
                continue
            if out_of_time():
                result.stopped = "time"
                break
            with torch.enable_grad():
                loss = nn.functional.mse_loss(m(x), y)
                loss.backward()
                nn.utils.clip_grad_norm_(params[c], 1.0)
                optimizer_step(params[c], config.lr, adam[c])
        if result.stopped == "time":
            break
        result.steps_done += 1
        if should_stop is not None and should_stop():
            result.stopped = "stopped"
            break
        if result.steps_done % config.eval_every == 0 and result.steps_done < config.steps:
            if out_of_time():
                result.stopped = "time"
                break
            record()
    if result.stopped == "running":
        result.stopped = "done"
    if active and result.curves[next(iter(active))][-1][0] != result.steps_done:
        record()
    result.elapsed = clock() - start
    result.cpu_seconds = time.thread_time() - cpu_start
    if on_progress is not None:
        on_progress(result)
    return result


# --- the LSTM's gates on one sequence --------------------------------------------------

@dataclass
class GateTrace:
    """The LSTM's gates on one sequence, each ``[hidden, T]``, plus the sequence itself."""

    forget: np.ndarray
    update: np.ndarray
    output: np.ndarray
    memory: np.ndarray
    values: np.ndarray      # [T] channel 0
    marks: np.ndarray       # [T] channel 1
    target: float
    prediction: float


def lstm_gates(model: SequenceRegressor, length: int, seed: int = 0) -> GateTrace:
    """Run ``model``'s LSTM as the course's :class:`~sequence_models.cells.LSTMCell` (weights
    copied with ``from_torch``) over one adding-problem sequence of ``length`` steps and
    return every gate's activation over time."""
    if model.cell != "lstm":
        raise ValueError("gates are shown for an LSTM model only")
    if not LENGTH_RANGE[0] <= length <= LENGTH_RANGE[1]:
        raise ValueError(f"length must be between {LENGTH_RANGE[0]} and {LENGTH_RANGE[1]}")
    cell = LSTMCell.from_torch(model.rnn)
    x, y = adding_batch(1, length, make_generator(seed))
    with torch.inference_mode():
        states, traces = unroll(cell, x)
        pred = float(model.head(states[:, -1]).squeeze())

    def stack(key: str) -> np.ndarray:
        return torch.cat([t[key] for t in traces]).T.numpy()

    return GateTrace(forget=stack("forget"), update=stack("update"), output=stack("output"), memory=stack("c"),
                     values=x[0, :, 0].numpy(), marks=x[0, :, 1].numpy(), target=float(y[0]), prediction=pred)


# --- across lags: the precompute -------------------------------------------------------

@dataclass(frozen=True)
class SweepConfig:
    """The across-lag precompute (``python -m sequence_models train limitations``).

    Every (cell, length, seed) trains for at most ``steps`` Adam steps; a cell whose validation
    MSE (256 sequences, checked every ``eval_every`` steps) falls below ``stop_below`` × baseline
    is retired early (it has learned; more steps only cost time). A cell that has not learned
    after ``steps`` steps failed *within that budget*: the JSON keeps ``steps`` so the page can say so.
    With ``skip_after_failure``, a cell that failed at a length for every seed (full budget used, mean
    test MSE ≥ ``LEARNED`` × baseline) is not trained at the longer lengths (the lag only gets harder);
    the JSON lists those under ``"skipped"``."""

    lengths: tuple[int, ...] = (5, 10, 20, 40, 80, 160)
    seeds: tuple[int, ...] = (0, 1, 2)
    hidden: int = 32
    steps: int = 6000
    batch: int = 32
    lr: float = 0.01
    test_size: int = 1000
    lstm_length: int = 40
    forget_bias: float = 1.0
    eval_every: int = 250
    stop_below: float = 0.01
    skip_after_failure: bool = True


def run_sweep(config: SweepConfig, out_dir: Path | None = None, log: Callable[[str], None] = print) -> dict:
    """Train RNN, LSTM and GRU at every length and seed of ``config`` (no time cap, one thread)
    and measure test MSE on ``test_size`` fresh sequences.

    Checks that ``out_dir`` (default ``assets/limitations``) is a writable folder *before* any
    training (:class:`~sequence_models.runtime.DataError` otherwise), then writes ``across_lag.json``
    and the LSTM trained at ``lstm_length`` with the first seed (``lstm_adding.pt``), both atomically.
    Returns the JSON dict.
    """
    out_dir = check_writable_dir(Path(out_dir) if out_dir is not None else asset_path(ASSET_DIR))
    if config.lstm_length not in config.lengths:
        raise ValueError("lstm_length must be one of the lengths")
    torch.set_num_threads(1)
    rows = []
    t_all, cpu_all = time.perf_counter(), time.process_time()
    lstm_state = None
    failed: dict[str, int] = {}                  # cell → the length where it failed for every seed
    skipped: list[dict] = []
    for length in sorted(config.lengths):
        cells = tuple(c for c in CELL_NAMES if c not in failed)
        for c, n in failed.items():
            skipped.append({"cell": c, "length": length, "failed_at": n})
            log(f"T={length:4d} {c:5s} skipped: it failed at T = {n} for every seed")
        if not cells:
            continue
        for seed in config.seeds:
            live = LiveConfig(length=length, hidden=config.hidden, steps=config.steps, batch=config.batch,
                              lr=config.lr, seed=seed, eval_every=config.eval_every, eval_size=256,
                              forget_bias=config.forget_bias, cells=cells).validate()
            t0 = time.perf_counter()
            res = _train(live, time_limit=math.inf, stop_below=config.stop_below)
            seconds = time.perf_counter() - t0
            x_test, y_test = adding_batch(config.test_size, length, make_generator(20_000 + length))
            for cell, model in res.models.items():
                mse = evaluate(model, x_test, y_test)
                rows.append({"cell": cell, "length": length, "seed": seed, "test_mse": mse,
                             "relative_mse": mse / BASELINE_MSE, "steps_used": res.steps_used.get(cell, 0),
                             "seconds_all_cells": round(seconds, 2),
                             "cpu_seconds_all_cells": round(res.cpu_seconds, 2)})
                log(f"T={length:4d} seed {seed} {cell:5s} test MSE {mse:.4f} ({mse / BASELINE_MSE:.3f} × baseline) "
                    f"after {res.steps_used.get(cell, 0)} steps")
            if length == config.lstm_length and seed == config.seeds[0] and "lstm" in res.models:
                lstm_state = (res.models["lstm"].state_dict(), length, seed,
                              next(r["test_mse"] for r in rows[-3:] if r["cell"] == "lstm"))
        if config.skip_after_failure:
            for c in cells:
                mine = [r for r in rows if r["cell"] == c and r["length"] == length]
                if all(r["steps_used"] >= config.steps for r in mine) and \
                        statistics.mean(r["relative_mse"] for r in mine) >= LEARNED:
                    failed[c] = length
    data = {"config": asdict(config), "baseline_mse": BASELINE_MSE, "results": rows, "skipped": skipped,
            "seconds_total": round(time.perf_counter() - t_all, 1),
            "cpu_seconds_total": round(time.process_time() - cpu_all, 1), "torch_threads": 1}
    if lstm_state is not None:
        state, length, seed, mse = lstm_state
        save_checkpoint(out_dir / LSTM_FILE, state,
                        {"cell": "lstm", "hidden": config.hidden, "length": length, "steps": config.steps,
                         "seed": seed, "lr": config.lr, "batch": config.batch, "forget_bias": config.forget_bias},
                        test_mse=mse)
    atomic_write_text(out_dir / ACROSS_LAG_FILE, json.dumps(data, indent=1))
    log(f"wrote {out_dir / ACROSS_LAG_FILE}: {data['seconds_total']:.0f} s wall, {data['cpu_seconds_total']:.0f} s CPU")
    return data


def budget_limited(data: dict, threshold: float = LEARNED,
                   cells: tuple[str, ...] = ("lstm", "gru")) -> list[tuple[str, int]]:
    """(cell, length) pairs of the sweep where a gated cell (``cells``: the remedies the lesson is about)
    did not learn (mean relative MSE ≥ ``threshold``) although it learned at a shorter length: its
    failure there is the sweep's step budget running out, which the page must say."""
    per: dict[tuple[str, int], list[float]] = {}
    for r in data["results"]:
        per.setdefault((r["cell"], r["length"]), []).append(r["test_mse"] / data["baseline_mse"])
    out = []
    for (cell, length), values in sorted(per.items()):
        shorter = [statistics.mean(v) for (c, n), v in per.items() if c == cell and n < length]
        if cell in cells and statistics.mean(values) >= threshold and any(m < threshold for m in shorter):
            out.append((cell, length))
    return out


# --- the page's default live run, checked over seeds --------------------------------------

#: The live run's defaults (page and ``evaluate limitations``): chosen so that, over 10 seeds, the
#: vanilla RNN fails and both the LSTM and the GRU learn, in ≤ 20 s of one core (see live_defaults.json).
LIVE_DEFAULTS = LiveConfig(length=30, hidden=32, steps=800, batch=32, lr=0.01, forget_bias=1.0)


def check_live_defaults(config: LiveConfig = LIVE_DEFAULTS, seeds: tuple[int, ...] = tuple(range(10)),
                        log: Callable[[str], None] = print) -> dict:
    """Train ``config`` (step budget only, no time cap) once per seed; return per-seed final MSE,
    verdicts and CPU seconds, and per cell how many seeds learned."""
    torch.set_num_threads(1)
    runs = []
    for seed in seeds:
        cfg = LiveConfig(**{**asdict(config), "seed": int(seed), "time_limit": MAX_TIME_LIMIT}).validate()
        res = _train(cfg, time_limit=math.inf)
        final = res.final_mse()
        learned_at = {c: next((step for step, m in curve if m < LEARNED * BASELINE_MSE), None)
                      for c, curve in res.curves.items()}
        runs.append({"seed": int(seed), "final_mse": final, "learned_at_step": learned_at,
                     "verdict": {c: verdict(m, "done") for c, m in final.items()},
                     "cpu_seconds": round(res.cpu_seconds, 2), "wall_seconds": round(res.elapsed, 2)})
        log(f"seed {seed}: " + ", ".join(f"{c} {m / BASELINE_MSE:.3f}×" for c, m in final.items())
            + f" ({res.cpu_seconds:.1f} s CPU; learned at {learned_at})")
    learned = {c: sum(r["verdict"][c] == "learned" for r in runs) for c in config.cells}
    cpu = [r["cpu_seconds"] for r in runs]
    return {"config": {k: v for k, v in asdict(config).items() if k not in ("time_limit", "seed")},
            "seeds": list(map(int, seeds)), "runs": runs, "learned": learned,
            "cpu_seconds": {"median": statistics.median(cpu), "max": max(cpu)}, "baseline_mse": BASELINE_MSE}


def curves_csv(curves: dict[str, list[tuple[int, float]]]) -> str:
    """A live run's validation curves as CSV: one row per evaluation step, one column per cell."""
    steps = sorted({s for pts in curves.values() for s, _ in pts})
    by = {c: dict(pts) for c, pts in curves.items()}
    lines = [",".join(["step"] + [f"{c}_val_mse" for c in curves])]
    for s in steps:
        lines.append(",".join([str(s)] + [repr(float(by[c][s])) if s in by[c] else "" for c in curves]))
    return "\n".join(lines) + "\n"


def load_live_check(path: Path | None = None) -> dict | None:
    """``live_defaults.json`` if present and readable, else None (the page then just omits the sentence)."""
    path = Path(path) if path is not None else asset_path(ASSET_DIR) / LIVE_CHECK_FILE
    try:
        data = json.loads(path.read_text())
        assert isinstance(data["learned"], dict) and data["runs"]
        return data
    except Exception:
        return None


def load_across_lag(path: Path | None = None) -> dict:
    """The sweep's JSON (``assets/limitations/across_lag.json``); :class:`AssetError` if missing or bad."""
    path = Path(path) if path is not None else asset_path(ASSET_DIR) / ACROSS_LAG_FILE
    rebuild = "rebuild it with `python -m sequence_models train limitations`"
    if not path.is_file():
        raise AssetError(f"Results file {path.name} is missing from {path.parent}; {rebuild}.")
    try:
        data = json.loads(path.read_text())
        rows = data["results"]
        assert all({"cell", "length", "test_mse"} <= set(r) for r in rows)
    except Exception as exc:
        raise AssetError(f"Results file {path.name} is unreadable ({type(exc).__name__}); {rebuild}.") from exc
    return data


def load_lstm(path: Path | None = None) -> SequenceRegressor:
    """The LSTM saved by the sweep (for the gate heatmap before any live run)."""
    path = Path(path) if path is not None else asset_path(ASSET_DIR) / LSTM_FILE
    try:
        ckpt = load_checkpoint(path)
    except AssetError as exc:
        raise AssetError(str(exc).split("; rebuild")[0] + "; rebuild it with "
                         "`python -m sequence_models train limitations`.") from exc
    try:
        model = SequenceRegressor("lstm", int(ckpt["config"]["hidden"]))
        model.load_state_dict(ckpt["state_dict"])
    except (RuntimeError, KeyError, TypeError, ValueError) as exc:
        raise AssetError(f"{LSTM_FILE} does not match the LSTM's shape; rebuild it with "
                         "`python -m sequence_models train limitations`.") from exc
    model.eval()
    return model
