"""Translate one English sentence and package everything the page and CLI show."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import torch

from sequence_models.runtime import asset_path
from sequence_models.translation.decode import MAX_BEAM, MIN_BEAM, Hypothesis, beam_search, greedy_decode
from sequence_models.translation.seq2seq import Translator, load_translator
from sequence_models.translation.tokenize import count_words, detokenize_fr, tokenize_en
from sequence_models.translation.vocab import EOS, UNK_ID

MAX_WORDS = 60
MAX_CHARS = 600
MAX_TOKENS = 100
MODEL_FILES = {"attention": "translation/attention.pt", "plain": "translation/plain.pt"}
EVALUATION_FILE = "translation/evaluation.json"


def model_path(name: str) -> Path:
    """``assets/translation/attention.pt`` or ``plain.pt``."""
    if name not in MODEL_FILES:
        raise ValueError(f"unknown translation model {name!r}; choose from {', '.join(MODEL_FILES)}")
    return asset_path(MODEL_FILES[name])


@lru_cache(maxsize=2)
def load_model(name: str) -> Translator:
    """The trained ``"attention"`` or ``"plain"`` (no-attention) model, loaded once per process."""
    return load_translator(model_path(name))


@dataclass
class Alternative:
    """One finished beam hypothesis."""
    tokens: list[str]
    translation: str
    logprob: float
    normalised: float


@dataclass
class TranslationResult:
    """What the decoder did with one sentence.

    ``attention`` is ``[len(output_tokens), len(source_tokens)]`` (``None`` without attention);
    ``output_tokens`` ends with ``</s>`` when the decoder stopped by itself.
    """
    source_tokens: list[str]
    unknown: list[bool]
    output_tokens: list[str]
    translation: str
    attention: torch.Tensor | None
    steps_top: list[list[tuple[str, float]]]      # per step: TOP_K (word, probability), best first
    steps_prob: list[float]                        # per step: probability of the chosen word
    alternatives: list[Alternative] = field(default_factory=list)
    beam: int = 1
    model: str = "attention"

    @property
    def unknown_share(self) -> float:
        return sum(self.unknown) / max(1, len(self.unknown))

    def row_sums(self) -> list[float]:
        """Sum of each attention row (1 up to float rounding)."""
        return [] if self.attention is None else self.attention.sum(dim=1).tolist()

    def to_json(self) -> dict:
        return {"model": self.model, "beam": self.beam, "source_tokens": self.source_tokens,
                "unknown_source_tokens": [t for t, u in zip(self.source_tokens, self.unknown) if u],
                "output_tokens": self.output_tokens, "translation": self.translation,
                "attention": None if self.attention is None else [[round(float(x), 4) for x in row]
                                                                  for row in self.attention],
                "alternatives": [{"translation": a.translation, "logprob": round(a.logprob, 4),
                                  "normalised_score": round(a.normalised, 4)} for a in self.alternatives]}


def check_text(text: str) -> list[str]:
    """Validate user text and return its tokens; ``ValueError`` with a readable reason otherwise."""
    if text is None or not text.strip():
        raise ValueError("Type an English sentence to translate (the input is empty).")
    if len(text) > MAX_CHARS:
        raise ValueError(f"The input is {len(text)} characters long; the limit is {MAX_CHARS}.")
    words = count_words(text)
    if words > MAX_WORDS:
        raise ValueError(f"The input has {words} words; the limit is {MAX_WORDS} words. "
                         "Shorten it or split it into sentences.")
    tokens = tokenize_en(text)
    if not tokens:
        raise ValueError("The input has no letters, digits or punctuation to translate.")
    if len(tokens) > MAX_TOKENS:
        raise ValueError(f"The input splits into {len(tokens)} tokens; the limit is {MAX_TOKENS}.")
    return tokens


def _words(tr: Translator, hyp: Hypothesis) -> list[str]:
    return [tr.tgt_vocab.itos[i] for i in hyp.ids]


def translate(tr: Translator, text: str, beam: int = 1, model_name: str = "attention") -> TranslationResult:
    """Translate ``text`` greedily (``beam == 1``) or with beam search (``beam`` 2–8)."""
    if not MIN_BEAM <= int(beam) <= MAX_BEAM:
        raise ValueError(f"beam width must be between {MIN_BEAM} and {MAX_BEAM}, got {beam}")
    tokens = check_text(text)
    src_ids = tr.src_vocab.encode(tokens)
    hyps = [greedy_decode(tr.model, src_ids)] if beam == 1 else beam_search(tr.model, src_ids, int(beam))
    best = hyps[0]
    out = _words(tr, best)
    alts = []
    for h in hyps:
        words = [w for w in _words(tr, h) if w != EOS]
        alts.append(Alternative(words, detokenize_fr(words), h.score, h.normalised_score))
    return TranslationResult(
        source_tokens=tokens, unknown=[i == UNK_ID for i in src_ids], output_tokens=out,
        translation=detokenize_fr([w for w in out if w != EOS]), attention=best.attention(),
        steps_top=[[(tr.tgt_vocab.itos[i], float(torch.tensor(v).exp())) for i, v in zip(s.top_ids, s.top_logprobs)]
                   for s in best.steps],
        steps_prob=[float(torch.tensor(s.logprob).exp()) for s in best.steps],
        alternatives=alts, beam=int(beam), model=model_name)
