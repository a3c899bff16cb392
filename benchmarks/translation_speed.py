"""Milliseconds per sentence for greedy decoding and beam search (width 5), both models.

Run: ``python benchmarks/translation_speed.py [--sentences N]``. Uses one torch thread and
N English sentences of 1–20 words spread evenly over the test split (or built-in sentences when
the data folder is absent). First it times the budget case of issue 11: one greedy translation of
a 10-word sentence (target ≤ 50 ms), as wall-clock time and as CPU time of this process (on a
shared machine the CPU time is the cost; the wall time includes waiting for a core).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from sequence_models.translation.translate import load_model, translate  # noqa: E402

TEN_WORDS = "My teacher says that recurrent networks read one word slowly."
FALLBACK = ["The red car is very fast.", "I don't want to eat green apples.", "Where is the station?",
            "When I was a child, I used to spend every summer with my grandparents near the sea."]


def sentences(n: int) -> list[str]:
    try:
        from sequence_models.translation.data import read_pairs
        pairs = read_pairs("test")
        seen: dict[str, None] = {}
        for p in pairs:
            if 1 <= len(p.en.split()) <= 20:
                seen.setdefault(p.en)
        unique = list(seen)  # the file runs from short to long: take an even spread
        return unique[:: max(1, len(unique) // n)][:n]
    except ValueError:
        return (FALLBACK * n)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sentences", type=int, default=100)
    args = ap.parse_args()
    torch.set_num_threads(1)
    texts = sentences(args.sentences)
    words = statistics.mean(len(t.split()) for t in texts)
    tr = load_model("attention")
    translate(tr, TEN_WORDS)  # warm-up
    reps = 20
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(reps):
        translate(tr, TEN_WORDS)
    wall, cpu = ((time.perf_counter() - w0) * 1000 / reps, (time.process_time() - c0) * 1000 / reps)
    print(f"greedy, attention, 10 words ({len(TEN_WORDS.split())}): {wall:.1f} ms wall, {cpu:.1f} ms CPU "
          f"per translation (target 50 ms)")
    print(f"{len(texts)} test sentences, mean {words:.1f} words, torch threads = 1")
    for name in ("attention", "plain"):
        tr = load_model(name)
        translate(tr, texts[0])  # warm-up
        for beam in (1, 5):
            t0 = time.perf_counter()
            for t in texts:
                translate(tr, t, beam=beam)
            ms = (time.perf_counter() - t0) * 1000 / len(texts)
            print(f"{name:9s} {'greedy' if beam == 1 else f'beam {beam}':7s} {ms:7.1f} ms/sentence")


if __name__ == "__main__":
    main()
