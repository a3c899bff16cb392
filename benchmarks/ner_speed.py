"""Tagging speed of the NER models on one CPU thread (tokens per second).

Run: ``python benchmarks/ner_speed.py [--sentences 1000]``.

Tags the first N test sentences (``../shared/data/ner``) with each committed model,
in batches of 64 (as ``evaluate ner`` does) and one sentence at a time (as a page
request does), plus the whole raw-text pipeline (tokenizer + sentence split +
tagging + spans) on the 5,000-character cap, the page's first example (milliseconds per
request, median of 20; the page must stay well under 100 ms) and a pasted run of dashes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sequence_models.ner.data import load_split
from sequence_models.ner.inference import DEFAULT_TEXT, MAX_CHARS, analyse, load
from sequence_models.ner.model import KINDS
from sequence_models.ner.predict import tag_batch, tag_corpus


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sentences", type=int, default=1000)
    p.add_argument("--data", default=None)
    args = p.parse_args()
    torch.set_num_threads(1)
    sents = [list(s.tokens) for s in load_split("test", args.data, args.sentences)]
    n = sum(len(s) for s in sents)
    text = (DEFAULT_TEXT + " ") * (MAX_CHARS // (len(DEFAULT_TEXT) + 1))
    print(f"{len(sents)} test sentences, {n} tokens; torch threads = {torch.get_num_threads()}")
    for kind in KINDS:
        tagger = load(kind)
        tag_corpus(tagger, sents[:64])  # warm-up
        t0 = time.perf_counter()
        tag_corpus(tagger, sents, batch_size=64)
        batched = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for s in sents[:300]:
            tag_batch(tagger, [s])
        single = sum(len(s) for s in sents[:300]) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        r = analyse(tagger, text)
        page = time.perf_counter() - t0
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            analyse(tagger, DEFAULT_TEXT)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        analyse(tagger, "—" * 1996)
        dashes = time.perf_counter() - t0
        print(f"{kind:>13}: {batched:8,.0f} tokens/s in batches of 64 | {single:7,.0f} tokens/s one sentence at a "
              f"time | raw text of {len(text):,} chars ({len(r.tokens)} tokens) in {page * 1000:.0f} ms | "
              f"first example ({len(DEFAULT_TEXT)} chars) {statistics.median(times) * 1000:.1f} ms | "
              f"1,996 dashes {dashes * 1000:.0f} ms")


if __name__ == "__main__":
    main()
