"""Load a trained tagger and tag pre-tokenised sentences in batches."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from sequence_models.ner.data import TAGS
from sequence_models.ner.model import Tagger
from sequence_models.ner.vocab import Vocab
from sequence_models.runtime import AssetError, load_checkpoint


@dataclass
class LoadedTagger:
    """A tagger with its vocabulary and training summary."""

    model: Tagger
    vocab: Vocab
    training: dict

    @property
    def kind(self) -> str:
        return self.model.config["kind"]


def load_tagger(path: str | os.PathLike[str]) -> LoadedTagger:
    """Load ``assets/ner/<kind>.pt`` (float16 on disk, float32 in memory).

    Raises:
        AssetError: missing/corrupt file, or a file whose tag set or shapes do not fit.
    """
    ckpt = load_checkpoint(path)
    try:
        if list(ckpt.get("tags", [])) != list(TAGS):
            raise ValueError("its tag set differs from this code's")
        model = Tagger(ckpt["config"])
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()})
        vocab = Vocab.from_dict(ckpt["vocab"])
    except (KeyError, ValueError, RuntimeError, TypeError) as exc:
        raise AssetError(f"Model file {os.path.basename(path)} does not fit this code ({exc}); "
                         "rebuild it with `python -m sequence_models train ner`.") from exc
    model.eval()
    return LoadedTagger(model, vocab, dict(ckpt.get("training", {})))


def tag_batch(tagger: LoadedTagger, sentences: Sequence[Sequence[str]]) -> tuple[list[list[str]], list[torch.Tensor]]:
    """Tags and probabilities for a few sentences (one forward pass).

    Returns:
        tag strings per sentence, and per sentence a ``[time, n_tags]`` tensor of
        probabilities (CRF marginals or softmax).
    """
    if not sentences:
        return [], []
    inputs = tagger.vocab.encode_batch(sentences)
    with torch.inference_mode():
        paths, probs = tagger.model.predict(inputs)
    tags = [[TAGS[i] for i in p] for p in paths]
    return tags, [probs[i, :len(s)].clone() for i, s in enumerate(sentences)]


def tag_corpus(tagger: LoadedTagger, sentences: Sequence[Sequence[str]], batch_size: int = 64) -> list[list[str]]:
    """Tag many sentences, batching similar lengths together; returns tags in input order."""
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    out: list[list[str]] = [[] for _ in sentences]
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        tags, _ = tag_batch(tagger, [sentences[i] for i in idx])
        for i, t in zip(idx, tags):
            out[i] = t
    return out
