"""Timing recurrent vs attention vs convolution layers: bounded, one thread, honest skips."""

from __future__ import annotations

import pytest
import torch

from sequence_models.limitations.parallelism import (LAYERS, TimingConfig, build_layers,
                                                     conv_layers_to_see_everything, sequential_steps, time_layers)


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
    assert res.lengths == [16, 64] and not res.skipped
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
