"""Reading the Tatoeba English–French splits and cutting them into length-bucketed batches."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import torch

from sequence_models.runtime import data_dir
from sequence_models.translation.tokenize import tokenize_en, tokenize_fr
from sequence_models.translation.vocab import BOS_ID, PAD_ID, Vocab

SPLIT_FILE = "translation/tatoeba_en_fr_{split}.tsv"
ATTRIBUTION = ("Sentence pairs from the Tatoeba Project (tatoeba.org), via manythings.org/anki, CC-BY 2.0")


@dataclass
class Pair:
    """One sentence pair: raw text and tokens."""
    en: str
    fr: str
    en_tokens: list[str]
    fr_tokens: list[str]


def split_path(split: str, data: str | Path | None = None) -> Path:
    """``…/translation/tatoeba_en_fr_<split>.tsv`` under the data folder."""
    return data_dir(data) / SPLIT_FILE.format(split=split)


def read_pairs(split: str, data: str | Path | None = None, limit: int | None = None) -> list[Pair]:
    """Read one split (``train``/``dev``/``test``); raises ``ValueError`` when the file is missing."""
    path = split_path(split, data)
    if not path.is_file():
        raise ValueError(f"translation data not found: {path} (see ../shared/data/README.md)")
    pairs: list[Pair] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                continue
            pairs.append(Pair(parts[0], parts[1], tokenize_en(parts[0]), tokenize_fr(parts[1])))
            if limit is not None and len(pairs) >= limit:
                break
    return pairs


def pad_batch(seqs: list[list[int]], prepend_bos: bool = False) -> torch.Tensor:
    """Right-pad id lists to ``[batch, max_len]`` (``prepend_bos`` puts ``<s>`` first)."""
    seqs = [[BOS_ID] + s for s in seqs] if prepend_bos else seqs
    width = max(len(s) for s in seqs)
    out = torch.full((len(seqs), width), PAD_ID, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return out


@dataclass
class Batch:
    src: torch.Tensor        # [batch, src_len]
    lengths: torch.Tensor    # [batch]
    tgt_in: torch.Tensor     # [batch, tgt_len]  <s> y1 … yT
    tgt_out: torch.Tensor    # [batch, tgt_len]  y1 … yT </s>


def encode_pairs(pairs: list[Pair], src: Vocab, tgt: Vocab) -> list[tuple[list[int], list[int]]]:
    """Pairs → (source ids, target ids + ``</s>``)."""
    return [(src.encode(p.en_tokens), tgt.encode(p.fr_tokens, add_eos=True)) for p in pairs]


def make_batch(items: list[tuple[list[int], list[int]]]) -> Batch:
    srcs = [s for s, _ in items]
    tgts = [t for _, t in items]
    tgt_in = pad_batch([t[:-1] for t in tgts], prepend_bos=True)
    return Batch(pad_batch(srcs), torch.tensor([len(s) for s in srcs]), tgt_in, pad_batch(tgts))


def bucketed_batches(items: list[tuple[list[int], list[int]]], batch_size: int,
                     rng: random.Random) -> list[list[int]]:
    """Indices grouped into batches of similar source length, batches in random order.

    Sorting by (source length, target length, random key) keeps padding small; the
    shuffle of the batches keeps each epoch's order different but reproducible.
    """
    keys = [(len(s), len(t), rng.random(), i) for i, (s, t) in enumerate(items)]
    order = [k[3] for k in sorted(keys)]
    batches = [order[i: i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches
