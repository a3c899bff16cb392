"""The melody model: token embedding → 2-layer recurrent network → softmax over next events.

The same class builds the LSTM, the GRU and the vanilla (tanh) RNN, with the same embedding
size, hidden size and number of layers, so the page can compare the three cells fairly.
PyTorch's fused ``nn.LSTM``/``nn.GRU``/``nn.RNN`` are used for speed; the from-scratch
cells in :mod:`sequence_models.cells` follow the same equations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from sequence_models.music.events import VOCAB_SIZE
from sequence_models.runtime import AssetError, asset_path, load_checkpoint

CELLS = ("lstm", "gru", "rnn")
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "Vanilla RNN"}


@dataclass(frozen=True)
class MelodyConfig:
    cell: str = "lstm"
    vocab_size: int = VOCAB_SIZE
    embed: int = 64
    hidden: int = 192
    layers: int = 2
    dropout: float = 0.1


class MelodyRNN(nn.Module):
    """Next-event model. ``forward(tokens [batch, time])`` → ``logits [batch, time, vocab]``, state."""

    def __init__(self, config: MelodyConfig) -> None:
        super().__init__()
        if config.cell not in CELLS:
            raise ValueError(f"unknown cell {config.cell!r}; choose one of {', '.join(CELLS)}")
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed)
        rnn_cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[config.cell]
        self.rnn = rnn_cls(config.embed, config.hidden, num_layers=config.layers, batch_first=True,
                           dropout=config.dropout if config.layers > 1 else 0.0)
        self.drop = nn.Dropout(config.dropout)
        self.out = nn.Linear(config.hidden, config.vocab_size)

    def forward(self, tokens: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """``tokens [batch, time]`` → ``(logits [batch, time, vocab], state)``.

        ``state`` is ``(h, c)`` with ``h, c: [layers, batch, hidden]`` for the LSTM and
        ``h: [layers, batch, hidden]`` for the GRU and RNN; ``None`` starts from zeros.
        """
        h, state = self.rnn(self.embed(tokens), state)
        return self.out(self.drop(h)), state

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def weights_path(cell: str) -> Path:
    """``assets/music/melody_<cell>.pt``."""
    return asset_path(f"music/melody_{cell}.pt")


def load_model(cell: str, path: str | Path | None = None) -> tuple[MelodyRNN, dict]:
    """Load a trained model in eval mode and its checkpoint extras (history, timing)."""
    if cell not in CELLS:
        raise ValueError(f"unknown model {cell!r}; choose one of {', '.join(CELLS)}")
    path = Path(path) if path else weights_path(cell)
    ckpt = load_checkpoint(path)
    try:
        model = MelodyRNN(MelodyConfig(**ckpt["config"]))
        model.load_state_dict(ckpt["state_dict"])
    except (TypeError, RuntimeError) as exc:
        raise AssetError(f"{path.name} does not match the melody model ({type(exc).__name__}); "
                         "retrain with `python -m sequence_models train music`.") from exc
    model.eval()
    return model, {k: v for k, v in ckpt.items() if k not in ("state_dict", "config")}


def config_dict(config: MelodyConfig) -> dict:
    return asdict(config)
