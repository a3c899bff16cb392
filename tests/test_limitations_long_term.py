"""The adding problem, the live side-by-side trainer (time cap, stop), the LSTM gates and the sweep's files."""

from __future__ import annotations

import json
import time

import pytest
import torch

from sequence_models.limitations.long_term import (BASELINE_MSE, LiveConfig, SequenceRegressor, adding_batch,
                                                   load_across_lag, load_lstm, lstm_gates, train_side_by_side)
from sequence_models.runtime import AssetError, make_generator, use_inference_threads

use_inference_threads(1)


def test_adding_batch_marks_one_step_in_each_half_and_sums_them() -> None:
    x, y = adding_batch(500, 30, make_generator(0))
    assert x.shape == (500, 30, 2) and y.shape == (500,)
    marks = x[..., 1]
    assert torch.all(marks.sum(1) == 2)
    for i in range(500):
        pos = torch.nonzero(marks[i]).flatten()
        assert pos[0] < 15 <= pos[1]
        assert y[i] == pytest.approx(float(x[i, pos, 0].sum()))
    # the trivial baseline: answering 1 scores about 1/6
    assert float(((y - 1) ** 2).mean()) == pytest.approx(BASELINE_MSE, rel=0.15)


def test_live_run_honours_its_time_cap() -> None:
    cfg = LiveConfig(length=30, steps=5000, time_limit=1.5, eval_every=20)
    for _ in range(2):  # the first run in a process also pays torch's one-time optimizer import
        t0 = time.monotonic()
        res = train_side_by_side(cfg)
        wall = time.monotonic() - t0
        assert res.stopped == "time" and res.steps_done < 5000
        assert res.elapsed < 1.5 + 0.75      # overshoot: at most one step plus one evaluation
        assert all(len(c) >= 1 for c in res.curves.values())
    assert wall < 1.5 + 1.5                  # everything, once warm: models, data, training, evaluation


def test_time_cap_is_checked_before_every_step_with_a_fake_clock() -> None:
    ticks = iter(range(10_000))
    res = train_side_by_side(LiveConfig(length=10, steps=100, time_limit=7.0, eval_every=1000),
                             clock=lambda: float(next(ticks)))
    # the clock advances one "second" per look; the run must stop as soon as 7 have passed
    assert res.stopped == "time" and res.steps_done <= 3


def test_stop_request_ends_the_run_and_keeps_the_curves() -> None:
    seen: list[int] = []
    res = train_side_by_side(LiveConfig(length=8, steps=1000, eval_every=2),
                             on_progress=lambda r: seen.append(r.steps_done),
                             should_stop=lambda: len(seen) >= 3)
    # progress is reported at steps 0, 2 and 4; the stop request is seen after the next step
    assert res.stopped == "stopped" and res.steps_done == 5 and seen[:3] == [0, 2, 4]
    assert set(res.curves) == {"rnn", "lstm", "gru"} and res.curves["lstm"][-1][0] == 5


def test_a_short_run_trains_all_three_on_identical_data() -> None:
    res = train_side_by_side(LiveConfig(length=6, steps=60, eval_every=30, seed=1))
    assert res.stopped == "done" and res.steps_done == 60
    for cell, curve in res.curves.items():
        assert curve[0][0] == 0 and curve[-1][0] == 60
        assert curve[-1][1] < curve[0][1], cell            # the loss went down
    # same hidden size, different parameter counts (gates)
    sizes = {c: sum(p.numel() for p in m.parameters()) for c, m in res.models.items()}
    assert sizes["rnn"] < sizes["gru"] < sizes["lstm"]


@pytest.mark.parametrize("bad", [dict(time_limit=61.0), dict(length=1000), dict(hidden=0), dict(cells=("cnn",)),
                                 dict(steps=10**6)])
def test_live_config_is_bounded(bad: dict) -> None:
    with pytest.raises(ValueError):
        train_side_by_side(LiveConfig(**bad))


def test_lstm_gates_from_the_committed_model_match_torch() -> None:
    model = load_lstm()
    trace = lstm_gates(model, 40, seed=5)
    assert trace.forget.shape == trace.update.shape == trace.output.shape == trace.memory.shape == (32, 40)
    for gate in (trace.forget, trace.update, trace.output):
        assert gate.min() >= 0 and gate.max() <= 1
    x, y = adding_batch(1, 40, make_generator(5))
    with torch.inference_mode():
        assert trace.prediction == pytest.approx(float(model(x)), abs=1e-5)   # LSTMCell == nn.LSTM
    assert trace.target == pytest.approx(float(y))
    assert abs(trace.prediction - trace.target) < 0.2                          # it was trained on this task
    with pytest.raises(ValueError):
        lstm_gates(SequenceRegressor("gru", 8), 20)


def test_committed_sweep_results_cover_every_cell_and_length() -> None:
    data = load_across_lag()
    cfg = data["config"]
    cells = {r["cell"] for r in data["results"]}
    assert cells == {"rnn", "lstm", "gru"}
    skipped = {(r["cell"], r["length"]) for r in data.get("skipped", [])}
    assert len(data["results"]) == (3 * len(cfg["lengths"]) - len(skipped)) * len(cfg["seeds"])
    by = {(r["cell"], r["length"], r["seed"]): r["test_mse"] for r in data["results"]}
    shortest, longest = min(cfg["lengths"]), max(cfg["lengths"])
    assert all(by[("rnn", shortest, s)] < 0.1 * BASELINE_MSE for s in cfg["seeds"])     # learns short lags
    rnn_long = max(n for n in cfg["lengths"] if ("rnn", n) not in skipped)               # skipped after failing
    assert all(by[("rnn", rnn_long, s)] > 0.5 * BASELINE_MSE for s in cfg["seeds"])    # fails long ones
    # the remedy: the GRU learns the longest lag; the LSTM does too, or the page names its step budget
    from sequence_models.limitations.long_term import budget_limited
    assert all(by[("gru", longest, s)] < 0.1 * BASELINE_MSE for s in cfg["seeds"])
    lstm_longest = sum(by[("lstm", longest, s)] for s in cfg["seeds"]) / len(cfg["seeds"])
    assert lstm_longest < 0.1 * BASELINE_MSE or ("lstm", longest) in budget_limited(data)
    assert ("rnn", longest) not in budget_limited(data)                                 # its failure is the lesson


def test_missing_or_corrupt_result_files_raise_asset_errors(tmp_path) -> None:
    with pytest.raises(AssetError, match="train limitations"):
        load_across_lag(tmp_path / "nope.json")
    bad = tmp_path / "across_lag.json"
    bad.write_text("{not json")
    with pytest.raises(AssetError, match="unreadable"):
        load_across_lag(bad)
    bad.write_text(json.dumps({"results": [{"cell": "rnn"}]}))
    with pytest.raises(AssetError):
        load_across_lag(bad)
    junk = tmp_path / "lstm.pt"
    junk.write_bytes(b"\x00" * 10)
    with pytest.raises(AssetError, match="train limitations"):
        load_lstm(junk)


# --- step budget, verdicts, the sweep's early stop and the live defaults (issue 15, item 2) -----

def test_verdict_needs_the_whole_step_budget_unless_the_model_learned() -> None:
    from sequence_models.limitations.long_term import VERDICTS, verdict
    assert verdict(0.05 * BASELINE_MSE, "time") == "learned"                 # learned is learned, however it ended
    assert verdict(0.9 * BASELINE_MSE, "done") == "no better than guessing"
    assert verdict(0.3 * BASELINE_MSE, "done") == "partly"
    for cut_short in ("time", "stopped", "interrupted"):
        assert verdict(1.07 * BASELINE_MSE, cut_short) == VERDICTS[3] == "stopped before the verdict: not enough steps"
    assert verdict(float("nan"), "done") == "no better than guessing"


def test_a_run_cut_by_the_time_cap_gets_no_failing_verdict() -> None:
    ticks = iter(range(10_000))
    res = train_side_by_side(LiveConfig(length=10, steps=100, time_limit=5.0, eval_every=1000),
                             clock=lambda: float(next(ticks)))
    assert res.stopped == "time" and res.steps_done < 100
    assert all(v in ("learned", "stopped before the verdict: not enough steps") for v in res.verdicts().values())
    assert res.cpu_seconds > 0


def test_sweep_trainer_retires_a_cell_once_it_has_learned() -> None:
    from sequence_models.limitations.long_term import _train
    res = _train(LiveConfig(length=5, steps=400, eval_every=50, seed=1).validate(), time_limit=float("inf"),
                 stop_below=0.5)
    assert all(res.steps_used[c] <= 400 for c in res.curves)
    retired = [c for c in res.curves if res.steps_used[c] < res.steps_done]
    for c in retired:   # a retired cell stops at the evaluation that put it below the threshold
        assert res.curves[c][-1][0] == res.steps_used[c] and res.curves[c][-1][1] < 0.5 * BASELINE_MSE
    assert retired or res.steps_done == 400


def test_forget_bias_reaches_the_lstm() -> None:
    m = SequenceRegressor("lstm", 8)
    m.reset_parameters(make_generator(0), forget_bias=2.5)
    assert torch.all(m.rnn.bias_ih_l0[8:16] == 2.5) and torch.all(m.rnn.bias_hh_l0[8:16] == 0)
    with pytest.raises(ValueError):
        LiveConfig(forget_bias=9.0).validate()


def test_check_live_defaults_reports_every_seed() -> None:
    from sequence_models.limitations.long_term import check_live_defaults
    out = check_live_defaults(LiveConfig(length=6, steps=40, eval_every=20), seeds=(0, 1), log=lambda s: None)
    assert [r["seed"] for r in out["runs"]] == [0, 1] and set(out["learned"]) == {"rnn", "lstm", "gru"}
    assert all(0 <= n <= 2 for n in out["learned"].values()) and out["cpu_seconds"]["max"] > 0
    assert all(set(r["learned_at_step"]) == {"rnn", "lstm", "gru"} for r in out["runs"])


def test_committed_live_defaults_check_agrees_with_the_lesson() -> None:
    from sequence_models.limitations.long_term import LIVE_DEFAULTS, load_live_check
    data = load_live_check()
    if data is None:
        pytest.skip("assets/limitations/live_defaults.json not recorded yet (evaluate limitations --part live)")
    n = len(data["seeds"])
    assert n >= 10 and data["config"]["length"] == LIVE_DEFAULTS.length
    assert data["config"]["steps"] == LIVE_DEFAULTS.steps
    assert data["learned"] == {"rnn": 0, "lstm": n, "gru": n}           # the RNN fails, both remedies learn
    assert data["cpu_seconds"]["median"] <= 20                            # ≤ 20 s of one core


def test_train_limitations_refuses_a_bad_output_folder_before_training(tmp_path, capsys) -> None:
    from sequence_models.cli import main
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    assert main(["train", "limitations", "--out", str(blocker), "--steps", "10"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a folder" in err[0]
    assert main(["evaluate", "limitations", "--out", str(blocker)]) == 1


def test_train_limitations_writes_both_files_atomically(tmp_path) -> None:
    from sequence_models.cli import main
    out = tmp_path / "lim"
    assert main(["train", "limitations", "--out", str(out), "--lengths", "5", "6", "--steps", "20", "--seeds", "0",
                 "--lstm-length", "5"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["across_lag.json", "lstm_adding.pt"]    # no temporary files left
    data = load_across_lag(out / "across_lag.json")
    assert {r["length"] for r in data["results"]} | {r["length"] for r in data["skipped"]} == {5, 6}
    assert all(r["steps_used"] <= 20 for r in data["results"])
    assert load_lstm(out / "lstm_adding.pt").hidden == 32
