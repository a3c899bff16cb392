"""Shared plumbing: paths, seeding, inference threads and loading weights.

Every model file in ``assets/`` is a ``torch.save`` dict with at least the keys
``"state_dict"`` and ``"config"``; :func:`load_checkpoint` checks that shape and
turns every failure (missing file, truncated or foreign file) into one
:class:`AssetError` whose message says what to do.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = PROJECT_ROOT / "assets"
#: Training data lives beside the project, never inside it (see README).
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"


class AssetError(RuntimeError):
    """A weights or results file in ``assets/`` is missing or unreadable."""


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a ``torch.Generator`` seeded the same.

    Training scripts call this once at the start so runs are reproducible.
    Inference code should not touch global state: it takes the returned kind of
    per-request generator instead (see :func:`make_generator`).
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    return make_generator(seed)


def make_generator(seed: int) -> torch.Generator:
    """A fresh CPU ``torch.Generator`` for one request (sampling, init)."""
    gen = torch.Generator(device="cpu")
    gen.manual_seed(int(seed))
    return gen


def use_inference_threads(n: int = 1) -> None:
    """Pin torch to ``n`` intra-op threads (1 for serving many users at once)."""
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the training-data folder: ``path``, else ``$UNROLLED_DATA``, else ``../shared/data``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("UNROLLED_DATA")
    return Path(env) if env else DEFAULT_DATA_DIR


def asset_path(name: str) -> Path:
    """Path of a file in ``assets/`` (it need not exist yet)."""
    return ASSETS_DIR / name


def read_evaluation(name: str, required: tuple[str, ...] = ("models",)) -> dict | None:
    """The results in ``assets/<name>`` (an ``evaluate`` command's JSON file), or ``None`` when the file
    is missing, unreadable, not a JSON object or lacks one of the ``required`` keys."""
    import json
    try:
        data = json.loads(asset_path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and all(k in data for k in required) else None


def save_checkpoint(path: str | os.PathLike[str], state_dict: dict[str, torch.Tensor],
                    config: dict[str, Any], **extra: Any) -> Path:
    """Write ``{"state_dict", "config", **extra}`` with ``torch.save``; return the path."""
    import io
    buf = io.BytesIO()
    torch.save({"state_dict": state_dict, "config": config, **extra}, buf)
    return atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint`.

    Raises:
        AssetError: the file is missing, is not a torch file, or lacks
            ``state_dict``/``config``. The message names the file and the command
            that rebuilds it.
    """
    path = Path(path)
    rebuild = "rebuild it with `python -m sequence_models train …` (see README, 'Models and data')"
    if not path.is_file():
        raise AssetError(f"Model file {path.name} is missing from {path.parent}; {rebuild}.")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a bad file
        raise AssetError(f"Model file {path.name} is corrupt or not a torch checkpoint "
                         f"({type(exc).__name__}); {rebuild}.") from exc
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt or "config" not in ckpt:
        raise AssetError(f"Model file {path.name} does not hold 'state_dict' and 'config'; {rebuild}.")
    return ckpt


# --- The CLI's contract for long jobs: refuse bad data and unwritable outputs *before* the work,
# --- and never leave a half-written result behind. Every `train`/`evaluate` command uses these.

class DataError(ValueError):
    """Training or evaluation data is missing, unreadable or empty (the CLI exits 1 with this message)."""


def require_data_file(path: str | os.PathLike[str], what: str = "data file") -> Path:
    """Return ``path`` if it is a readable, non-empty file; else raise :class:`DataError` with one line.

    Call it for every input file before any training or evaluation starts (and before any output
    is touched), so an empty or missing split never yields untrained weights or zeroed results."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{what} not found: {path}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise DataError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if not head.strip():
        raise DataError(f"{what} is empty: {path}")
    return path


def require_examples(examples: Any, path: str | os.PathLike[str], what: str = "examples") -> Any:
    """Raise :class:`DataError` when ``examples`` (a parsed split) holds nothing; else return it."""
    if len(examples) == 0:
        raise DataError(f"no {what} in {path}")
    return examples


def check_writable_file(path: str | os.PathLike[str]) -> Path:
    """Check, before a long job starts, that a result file can be written at ``path``.

    Raises :class:`DataError` with one line when ``path`` is a folder, or its
    folder cannot be created or written. Creates the folder if needed; never creates the file."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"output path is a folder, not a file: {path}")
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create output folder {parent}: {exc.strerror or exc}") from None
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise DataError(f"output folder is not writable: {parent}")
    if path.exists() and not os.access(path, os.W_OK):
        raise DataError(f"output file is not writable: {path}")
    return path


def check_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Like :func:`check_writable_file` for an output *folder* (created if missing)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise DataError(f"output path exists and is not a folder: {path}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create output folder {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataError(f"output folder is not writable: {path}")
    return path


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text (evaluation JSON files, model cards)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
