"""Span-level precision, recall and F1 with seqeval's (CoNLL ``conlleval``) conventions.

A span is ``(type, first, last)``. As in seqeval's default mode, an ``I-X`` that
follows ``O`` or a different type starts a new span, and a span counts as correct
only when its type and both boundaries match exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def _split(tag: str) -> tuple[str, str]:
    if tag == "O" or "-" not in tag:
        return "O", ""
    prefix, _, typ = tag.partition("-")
    return prefix, typ


def get_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """BIO tags → ``[(type, first, last), …]`` (inclusive token indices)."""
    spans: list[tuple[str, int, int]] = []
    start, cur = -1, ""
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, typ = _split(tag)
        ends = cur and (prefix in ("B", "O") or typ != cur)
        if ends:
            spans.append((cur, start, i - 1))
            cur = ""
        if prefix == "B" or (prefix == "I" and not cur):
            start, cur = i, typ
    return spans


@dataclass(frozen=True)
class Score:
    """Counts and scores for one type (or the micro average)."""

    true_pos: int
    pred: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_pos / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.true_pos / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "support": self.gold, "predicted": self.pred}


def span_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                type_map: Callable[[str], str | None] | None = None) -> dict[str, Score]:
    """Per-type and ``"micro"`` scores over sentences of BIO tags.

    ``type_map`` renames span types before matching (``None`` drops the span); it is
    how GMB's ``geo``/``gpe`` and OntoNotes' ``GPE``/``LOC`` become one "location".
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted")
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for g, p in zip(gold, pred):
        if len(g) != len(p):
            raise ValueError(f"sentence lengths differ: {len(g)} gold tags, {len(p)} predicted")
        gs, ps = get_spans(g), get_spans(p)
        if type_map is not None:
            gs = [(t, a, b) for t0, a, b in gs if (t := type_map(t0)) is not None]
            ps = [(t, a, b) for t0, a, b in ps if (t := type_map(t0)) is not None]
        gset, pset = set(gs), set(ps)
        for t, _, _ in gset:
            n_gold[t] += 1
        for t, _, _ in pset:
            n_pred[t] += 1
        for t, _, _ in gset & pset:
            tp[t] += 1
    types = sorted(set(n_gold) | set(n_pred))
    out = {t: Score(tp[t], n_pred[t], n_gold[t]) for t in types}
    out["micro"] = Score(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return out


def bio_violations(tags: Sequence[str]) -> list[int]:
    """Indices ``t`` whose tag ``I-X`` cannot follow the tag before it (``O``, another type, or nothing).

    These are exactly the moves the CRF forbids (:func:`sequence_models.ner.crf.bio_constraints`);
    a tagger that picks each tag on its own, like the forward-only LSTM's softmax, can make them.
    Pass one sentence at a time (the first tag has "nothing" before it).
    """
    bad = []
    for t, tag in enumerate(tags):
        prefix, typ = _split(tag)
        if prefix != "I":
            continue
        before_prefix, before_typ = _split(tags[t - 1]) if t > 0 else ("O", "")
        if before_prefix == "O" or before_typ != typ:
            bad.append(t)
    return bad
