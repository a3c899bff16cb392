"""Timing recurrent vs attention vs convolution layers: bounded, one thread, honest skips."""

from __future__ import annotations

import json

import pytest
import torch

from sequence_models.limitations.parallelism import (LAYERS, TimingConfig, build_layers,
                                                     conv_layers_to_see_everything, forward_flops, load_gpu_timing,
                                                     load_thread_reference, same_flops, sequential_steps,
                                                     time_layers, timing_to_json)


def test_sequential_steps_and_receptive_field() -> None:
    assert [sequential_steps(k, 512) for k in LAYERS] == [512, 512, 1, 1]
    assert conv_layers_to_see_everything(1024) == 512 and conv_layers_to_see_everything(2) == 1
    with pytest.raises(ValueError):
        sequential_steps("transformer", 8)


def test_every_layer_maps_batch_time_width_to_the_same_shape() -> None:
    x = torch.randn(2, 17, 16)
    for name, f in build_layers(16).items():
        with torch.inference_mode():
            assert f(x).shape == (2, 17, 16), name


def test_time_layers_measures_on_one_thread_and_restores_the_setting() -> None:
    before = torch.get_num_threads()
    res = time_layers(TimingConfig(lengths=(16, 64), width=16, batch=1, repeats=2))
    assert torch.get_num_threads() == before and res.threads == 1
    assert res.lengths == [16, 64] and not res.skipped and set(res.cpu) == set(LAYERS)
    for name in LAYERS:
        assert all(s is not None and 0 < s < 5 for s in res.seconds[name])
    # the recurrent layer's work grows with T (4× the steps)
    assert res.seconds["RNN"][1] > res.seconds["RNN"][0]


def test_budget_bounds_the_measurement() -> None:
    ticks = iter(range(0, 10**6))
    res = time_layers(TimingConfig(lengths=(16, 32, 64), width=16, batch=1, repeats=1, budget=0.5),
                      clock=lambda: float(next(ticks)))
    # the fake clock jumps a second per look: after the first length the budget is gone
    assert res.skipped == [32, 64]
    assert all(res.seconds[k][1:] == [None, None] for k in LAYERS)


@pytest.mark.parametrize("bad", [dict(lengths=(8,)), dict(lengths=(2048,)), dict(lengths=()), dict(width=1024),
                                 dict(batch=0), dict(repeats=100)])
def test_bad_timing_configs_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        time_layers(TimingConfig(**bad))


def test_flop_formulas_match_a_hand_count() -> None:
    # B = 2 sequences, T = 3 steps, d = 4 units/channels, kernel 3, counted by hand (2 FLOPs per multiply-add):
    # RNN: each step W_ax x (4×4) and W_aa a (4×4) = 32 multiply-adds, × 6 (sequence, step) pairs = 192 → 384
    assert forward_flops("RNN", 2, 3, 4) == 384
    # LSTM: four gates like that: 4 × 192 = 768 multiply-adds → 1536
    assert forward_flops("LSTM", 2, 3, 4) == 1536
    # attention: Q, K, V, out projections 4 × 16 = 64 per position × 6 = 384; scores QKᵀ: 3 × 3 pairs × 4 dims × 2
    # sequences = 72; weights × V: 72 again → 528 multiply-adds → 1056
    assert forward_flops("self-attention", 2, 3, 4) == 1056
    # conv: 4 outputs × 4 inputs × 3 taps = 48 per position × 6 = 288 → 576
    assert forward_flops("1-D conv", 2, 3, 4) == 576
    with pytest.raises(ValueError):
        forward_flops("transformer", 1, 1, 1)


def test_flop_formulas_agree_with_torch_flop_counter_where_it_sees_the_products() -> None:
    from torch.utils.flop_counter import FlopCounterMode
    b, t, d = 3, 5, 8
    layers = build_layers(d)
    x = torch.randn(b, t, d)
    for name in ("RNN", "1-D conv"):
        counter = FlopCounterMode(display=False)
        with torch.inference_mode(), counter:
            layers[name](x)
        assert counter.get_total_flops() == forward_flops(name, b, t, d), name
    # attention: torch counts the four projections (its fused attention kernel is not counted); ours adds 4·B·T²·d
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        layers["self-attention"](x)
    assert counter.get_total_flops() == forward_flops("self-attention", b, t, d) - 4 * b * t * t * d


def test_gflops_speedup_and_rows_come_from_the_measured_times() -> None:
    ticks = iter(float(i) for i in range(10**6))
    cpu_ticks = iter(float(i) * 0.5 for i in range(10**6))
    res = time_layers(TimingConfig(lengths=(16, 32), width=16, batch=1, repeats=1, budget=60, threads=(1, 2)),
                      clock=lambda: next(ticks), cpu_clock=lambda: next(cpu_ticks))
    # every timed call takes 1 "second" of wall clock and 0.5 of CPU on the fake clocks
    assert all(v == [1.0, 1.0] for v in res.by_threads[1].values()) and res.cpu["RNN"] == [0.5, 0.5]
    assert res.gflops("RNN") == [forward_flops("RNN", 1, n, 16) / 0.5 / 1e9 for n in (16, 32)]
    assert res.gflops("RNN", threads=2) == [f / 1.0 / 1e9 for f in res.flops("RNN")]
    assert res.speedup("LSTM") == [1.0, 1.0] and res.last_measured() == 1
    row = res.rows()[0]
    assert row["T"] == 16 and row["RNN ms"] == 500.0 and row["RNN speed-up 1→2 threads"] == 1.0
    out = timing_to_json(res)
    assert out["speedup"]["RNN"] == [1.0, 1.0] and out["lengths"] == [16, 32]


def test_skipped_lengths_leave_gaps_not_nan() -> None:
    ticks = iter(float(i) for i in range(10**6))
    res = time_layers(TimingConfig(lengths=(16, 32, 64), width=16, batch=1, repeats=1, budget=0.5),
                      clock=lambda: next(ticks))
    assert res.skipped == [32, 64] and res.last_measured() == 0
    assert res.gflops("RNN")[1:] == [None, None] and res.rows()[2]["RNN ms"] is None


def test_same_flops_in_a_row_and_at_once() -> None:
    sf = same_flops(4, 64, 32, threads=(1,), repeats=2)
    assert sf.flops == 2 * 4 * 64 * 32 * 32 and set(sf.in_a_row) == {1} and sf.cpu_in_a_row > 0
    # 64 dependent products cannot beat one product of the same size on one core
    assert sf.gflops(sf.cpu_at_once) > sf.gflops(sf.cpu_in_a_row)
    with pytest.raises(ValueError):
        same_flops(4, 4096, 32)


def test_recorded_timing_files_are_read_only_when_well_formed(tmp_path) -> None:
    res = time_layers(TimingConfig(lengths=(16,), width=16, batch=1, repeats=1, threads=(1, 2)))
    good = tmp_path / "t.json"
    good.write_text(json.dumps(timing_to_json(res)))
    assert load_gpu_timing(good)["lengths"] == [16] and load_thread_reference(good) is not None
    one = time_layers(TimingConfig(lengths=(16,), width=16, batch=1, repeats=1))
    good.write_text(json.dumps(timing_to_json(one)))
    assert load_thread_reference(good) is None                      # no speed-up recorded
    good.write_text("{broken")
    assert load_gpu_timing(good) is None and load_gpu_timing(tmp_path / "missing.json") is None
