"""Record the parallelism page's layer timings on a GPU, when this machine has one.

    python benchmarks/limitations_gpu.py [--out assets/limitations/gpu_timing.json]

Times the RNN, LSTM, self-attention and 1-D convolution layers (forward pass, best of 5, CUDA
synchronised) over T = 16…1024 at the page's default width and batch, and writes the result with
the device's name; the "On a GPU" screen of the parallelism page shows it when the file exists.
Without CUDA it says so and exits 1 without writing anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from sequence_models.limitations.parallelism import GPU_FILE, TimingConfig, time_layers, timing_to_json  # noqa: E402
from sequence_models.runtime import asset_path, atomic_write_text, check_writable_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=asset_path("limitations") / GPU_FILE)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--batch", type=int, default=1)
    args = p.parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA device here: nothing recorded (run this on a machine with a GPU)", file=sys.stderr)
        return 1
    check_writable_file(args.out)
    res = time_layers(TimingConfig(width=args.width, batch=args.batch, repeats=5, budget=120, device="cuda"))
    data = timing_to_json(res)
    atomic_write_text(args.out, json.dumps(data, indent=1))
    print(f"{data['device']}: " + ", ".join(f"{k} {v[-1]:.1f} GFLOP/s" for k, v in data["gflops"].items() if v[-1])
          + f" at T = {res.lengths[-1]}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
