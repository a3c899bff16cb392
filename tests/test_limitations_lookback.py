"""How far back the trained melody models look: the batched gradient, the bounded live recompute, the asset."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from sequence_models.limitations import lookback
from sequence_models.runtime import AssetError


def tiny_model(cell: str = "gru"):
    from sequence_models.music.model import MelodyConfig, MelodyRNN
    torch.manual_seed(0)
    m = MelodyRNN(MelodyConfig(cell=cell, embed=8, hidden=12, layers=2))
    return m.eval()


def one_position(model, tokens, t: int, max_lag: int) -> np.ndarray:
    """The gradient norms for a single position, computed the plain way (no batching trick)."""
    seq = torch.tensor(tokens[: t + 1])[None]
    emb = model.embed(seq).detach().requires_grad_(True)
    out, _ = model.rnn(emb)
    logp = torch.log_softmax(model.out(out)[0, t], -1)[tokens[t + 1]]
    (g,) = torch.autograd.grad(logp, emb)
    norms = g[0].norm(dim=-1).numpy()
    return np.array([norms[t - k] for k in range(min(max_lag, t) + 1)])


def test_batched_copies_give_each_position_its_own_gradient() -> None:
    model = tiny_model()
    tokens = [int(x) for x in np.random.default_rng(0).integers(0, 400, size=30)]
    positions = [5, 12, 28]
    sums, counts = lookback.lookback_gradients(model, tokens, positions, max_lag=10)
    expected = np.zeros(11)
    for t in positions:
        g = one_position(model, tokens, t, 10)
        expected[: len(g)] += g
    np.testing.assert_allclose(sums, expected, rtol=1e-5, atol=1e-9)
    assert counts.tolist() == [3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2]     # position 5 reaches back to k = 5 only


def test_positions_curves_and_distances() -> None:
    assert lookback.choose_positions(2, 10) == [] and lookback.choose_positions(50, 4) == [1, 17, 32, 48]
    assert lookback.mean_curve(np.array([2.0, 3.0]), np.array([2, 0])) == [1.0, None]
    assert lookback.distance_to([1.0, 0.5, 0.009, 0.2], 0.01) == 2
    assert lookback.distance_to([1.0, 0.5], 0.01) is None


def test_live_recompute_is_bounded() -> None:
    models = {"rnn": tiny_model("rnn"), "lstm": tiny_model("lstm")}
    tokens = [int(x) for x in np.random.default_rng(1).integers(0, 400, size=1000)]
    out = lookback.tune_curves(models, tokens, positions=10_000)
    assert len(out["positions"]) <= lookback.LIVE_POSITIONS and out["events"] == lookback.LIVE_MAX_EVENTS - 1
    assert max(out["positions"]) < lookback.LIVE_MAX_EVENTS - 1
    assert set(out["curves"]) == {"rnn", "lstm"} and len(out["curves"]["rnn"]) == lookback.MAX_LAG + 1


def test_bad_lookback_files_raise_asset_errors(tmp_path) -> None:
    with pytest.raises(AssetError, match="evaluate limitations"):
        lookback.load_lookback(tmp_path / "missing.json")
    bad = tmp_path / "lookback.json"
    bad.write_text(json.dumps({"max_lag": 3, "curves": {"rnn": [1.0, 0.5]}}))
    with pytest.raises(AssetError, match="unreadable"):
        lookback.load_lookback(bad)


def test_committed_lookback_shows_the_vanilla_rnn_forgetting_first() -> None:
    try:
        data = lookback.load_lookback()
    except AssetError as exc:
        pytest.skip(str(exc))
    curves = data["curves"]
    assert set(curves) == {"rnn", "gru", "lstm"} and data["tunes"] >= 50
    for k in (50, 75, 100):   # further back, the gated models' predictions depend more on the past than the RNN's
        assert curves["rnn"][k] < curves["gru"][k] and curves["rnn"][k] < curves["lstm"][k], k
    # and the vanilla RNN's gradient falls 100-fold within the 100 events measured
    assert lookback.distance_to(curves["rnn"], 0.01) is not None
