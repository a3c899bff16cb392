"""Tag raw text with a trained tagger: tokens, BIO tags, probabilities and entity spans."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sequence_models.ner.data import TAGS
from sequence_models.ner.metrics import get_spans
from sequence_models.ner.model import KINDS
from sequence_models.ner.predict import LoadedTagger, load_tagger, tag_batch
from sequence_models.ner.tokenizer import Token, split_sentences, tokenize
from sequence_models.runtime import asset_path

#: Longest text the page, the CLI and :func:`analyse` accept.
MAX_CHARS = 5000
#: The course notes' ten example entities (Steve Jobs, Apple Inc., Cupertino, August 3, 2024, 10:00 AM, $500,
#: 15%, iPhone, World Cup, Golden Gate Bridge) in two plain sentences: the page's first example.
COURSE_EXAMPLE = ("Steve Jobs of Apple Inc. showed the new iPhone in Cupertino at 10:00 AM on August 3, 2024.\n"
                  "It cost $500, 15% more than a World Cup ticket, and the queue reached the Golden Gate Bridge.")
DEFAULT_TEXT = COURSE_EXAMPLE
EVALUATION_FILE = "ner/evaluation.json"


class InputTooLong(ValueError):
    """The text is longer than :data:`MAX_CHARS`."""


@dataclass(frozen=True)
class Entity:
    """An entity span: character offsets into the text and token indices (inclusive)."""

    start: int
    end: int
    label: str
    text: str
    score: float          # smallest probability of the span's tags (CRF marginal or softmax)
    first_token: int
    last_token: int

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text,
                "score": round(self.score, 4)}


@dataclass
class Analysis:
    """Everything one model says about one text.

    ``probs`` is ``[tokens, tags]`` (tags in :data:`~sequence_models.ner.data.TAGS` order).
    """

    text: str
    kind: str
    tokens: list[Token] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    probs: np.ndarray = field(default_factory=lambda: np.zeros((0, len(TAGS)), dtype=np.float32))
    entities: list[Entity] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"model": self.kind, "text": self.text,
                "tokens": [{"text": t.text, "start": t.start, "end": t.end, "tag": g,
                            "prob": round(float(self.probs[i, TAGS.index(g)]), 4)}
                           for i, (t, g) in enumerate(zip(self.tokens, self.tags))],
                "entities": [e.as_dict() for e in self.entities]}


def weights_file(kind: str) -> Path:
    """``assets/ner/<kind>.pt``."""
    if kind not in KINDS:
        raise ValueError(f"unknown model {kind!r}; choose one of {', '.join(KINDS)}")
    return asset_path(f"ner/{kind}.pt")


def load(kind: str = "bilstm_crf", path: str | os.PathLike[str] | None = None) -> LoadedTagger:
    """Load a committed tagger (raises ``AssetError`` with a clear message if it is missing)."""
    return load_tagger(path or weights_file(kind))


def check_text(text: str) -> str:
    """Return ``text`` if it fits :data:`MAX_CHARS`, else raise :class:`InputTooLong`."""
    if len(text) > MAX_CHARS:
        raise InputTooLong(f"text is {len(text):,} characters; the limit is {MAX_CHARS:,}")
    return text


def analyse(tagger: LoadedTagger, text: str) -> Analysis:
    """Tokenize ``text``, tag each sentence, and collect entity spans with their scores.

    A span without any letter or digit (emoji, symbols) is not reported as an entity; its tokens
    keep their tags in ``tags`` and ``probs``.

    Raises:
        InputTooLong: ``text`` is longer than :data:`MAX_CHARS`.
    """
    check_text(text)
    result = Analysis(text=text, kind=tagger.kind)
    tokens = tokenize(text)
    if not tokens:
        return result
    sentences = split_sentences(text, tokens)
    tags, probs = tag_batch(tagger, [[t.norm for t in s] for s in sentences])
    result.tokens = tokens
    result.tags = [t for sent in tags for t in sent]
    result.probs = np.concatenate([p.numpy() for p in probs]).astype(np.float32)
    tag_index = {t: i for i, t in enumerate(TAGS)}
    offset = 0
    for sent, sent_tags in zip(sentences, tags):
        for label, a, b in get_spans(sent_tags):
            i, j = offset + a, offset + b
            score = float(min(result.probs[k, tag_index[result.tags[k]]] for k in range(i, j + 1)))
            start, end = tokens[i].start, tokens[j].end
            if not any(ch.isalnum() for ch in text[start:end]):
                continue  # only symbols or emoji (never seen in training, tagged from their shape): no entity
            result.entities.append(Entity(start, end, label, text[start:end], score, i, j))
        offset += len(sent)
    return result
