"""Translate one English sentence and package everything the page and CLI show.

Sources and outputs are subword pieces (see :mod:`~sequence_models.translation.subwords`);
the result also groups them into words, so the page can show attention between words
(:meth:`TranslationResult.word_attention`) and mark the English words read as several pieces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import torch

from sequence_models.runtime import asset_path
from sequence_models.translation.decode import MAX_BEAM, MIN_BEAM, beam_search, greedy_decode
from sequence_models.translation.seq2seq import Translator, load_translator
from sequence_models.translation.subwords import Subwords, group_words, word_text
from sequence_models.translation.normalise import WordTable, load_word_table, normalise
from sequence_models.translation.vocab import SPECIALS

MAX_WORDS = 60
MAX_CHARS = 600
MAX_PIECES = 200
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
    return load_translator(model_path(name), frozen=True)


@dataclass
class Alternative:
    """One finished beam hypothesis."""
    tokens: list[str]
    translation: str
    logprob: float
    normalised: float


def is_byte_piece(piece: str) -> bool:
    """``<0xD0>``: a UTF-8 byte, what the tokenizer falls back to for characters it has no piece for."""
    return len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">")


@dataclass
class TranslationResult:
    """What the decoder did with one sentence.

    ``attention`` is ``[len(output_tokens), len(source_tokens)]`` over subword pieces (``None``
    without attention); ``output_tokens`` ends with ``</s>`` when the decoder stopped by itself.
    ``source_groups``/``output_groups`` list the piece indices of each word (``</s>`` is a word of its own).
    """
    source_tokens: list[str]
    source_words: list[str]
    source_groups: list[list[int]]
    output_tokens: list[str]
    output_words: list[str]
    output_groups: list[list[int]]
    translation: str
    attention: torch.Tensor | None
    steps_top: list[list[tuple[str, float]]]      # per step: TOP_K (piece, probability), best first
    steps_prob: list[float]                        # per step: probability of the chosen piece
    alternatives: list[Alternative] = field(default_factory=list)
    beam: int = 1
    model: str = "attention"
    raw_translation: str = ""                      # the decoder's own text, before names were copied
    copied: list[tuple[int, int]] = field(default_factory=list)   # (output word, source word) replaced
    typed: str = ""                                # the text as typed
    source_text: str = ""                          # what the encoder read: the typed text, normalised

    @property
    def split_words(self) -> list[bool]:
        """Per source word: read as more than one piece (an unfamiliar or rare word)."""
        return [len(g) > 1 for g in self.source_groups]

    @property
    def byte_share(self) -> float:
        """Share of source pieces that are raw UTF-8 bytes (characters the vocabulary lacks, e.g. Cyrillic)."""
        return sum(map(is_byte_piece, self.source_tokens)) / max(1, len(self.source_tokens))

    def word_attention(self) -> torch.Tensor | None:
        """``[output words, source words]``: a source word's weight is the sum over its pieces; an output
        word made of several pieces gets the mean of their rows. Rows still sum to 1."""
        if self.attention is None:
            return None
        cols = torch.stack([self.attention[:, g].sum(dim=1) for g in self.source_groups], dim=1)
        return torch.stack([cols[g].mean(dim=0) for g in self.output_groups], dim=0)

    def alignment(self) -> list[tuple[int, int, float]]:
        """For each output word with a letter in it: ``(output word, the source word it attended to most, α)``
        at word level (:meth:`word_attention`); empty without attention."""
        att = self.word_attention()
        if att is None:
            return []
        return [(i, int(att[i].argmax()), float(att[i].max())) for i, w in enumerate(self.output_words)
                if any(ch.isalpha() for ch in w) and w not in SPECIALS]

    def raw_output_word(self, i: int) -> str:
        """What the decoder itself wrote as output word ``i`` (before a name was copied over it)."""
        return "".join(self.output_tokens[k] for k in self.output_groups[i]).replace("\u2581", "")

    def row_sums(self, words: bool = False) -> list[float]:
        """Sum of each attention row (1 up to float rounding), over pieces or words."""
        att = self.word_attention() if words else self.attention
        return [] if att is None else att.sum(dim=1).tolist()

    def to_json(self) -> dict:
        def rows(m: torch.Tensor | None):
            return None if m is None else [[round(float(x), 4) for x in row] for row in m]
        return {"model": self.model, "beam": self.beam, "source_text": self.source_text,
                "source_tokens": self.source_tokens,
                "output_tokens": self.output_tokens, "translation": self.translation,
                "attention": rows(self.attention),
                "source_words": self.source_words,
                "split_source_words": [w for w, s in zip(self.source_words, self.split_words) if s],
                "output_words": self.output_words, "word_attention": rows(self.word_attention()),
                "raw_translation": self.raw_translation,
                "copied_names": [{"source_word": self.source_words[j], "replaced": self.raw_output_word(i)}
                                 for i, j in self.copied],
                "alternatives": [{"translation": a.translation, "logprob": round(a.logprob, 4),
                                  "normalised_score": round(a.normalised, 4)} for a in self.alternatives]}


def check_text(text: str) -> str:
    """Validate user text (non-empty, at most ``MAX_CHARS`` characters and ``MAX_WORDS`` words) and return it;
    ``ValueError`` with a readable reason otherwise."""
    if text is None or not text.strip():
        raise ValueError("Type an English sentence to translate (the input is empty).")
    if len(text) > MAX_CHARS:
        raise ValueError(f"The input is {len(text)} characters long; the limit is {MAX_CHARS}.")
    words = len(text.split())
    if words > MAX_WORDS:
        raise ValueError(f"The input has {words} words; the limit is {MAX_WORDS} words. "
                         "Shorten it or split it into sentences.")
    return text


def source_pieces(sw: Subwords, text: str) -> list[str]:
    """Checked ``text`` → its pieces (at most :data:`MAX_PIECES`)."""
    pieces = sw.pieces(check_text(text))
    if not pieces:
        raise ValueError("The input has nothing to translate.")
    if len(pieces) > MAX_PIECES:
        raise ValueError(f"The input splits into {len(pieces)} subword pieces; the limit is {MAX_PIECES}. "
                         "Is it in another script? Try a shorter English sentence.")
    return pieces


#: An output word may be replaced by a source name when it gets at least this much (word-level) attention.
COPY_MIN_ATTENTION = 0.2


def name_like(sw: Subwords, word: str, pieces: list[str]) -> bool:
    """A source word to copy verbatim: capitalised, read as several pieces, and its lower-case form is
    not a single known piece either (``Oluwaseun`` yes; ``Where``, ``Tom`` no)."""
    return (len(pieces) > 1 and word[:1].isupper() and any(ch.isalpha() for ch in word)
            and len(sw.pieces(word.lower())) > 1)


def copy_names(result: TranslationResult, sw: Subwords) -> TranslationResult:
    """Attention-guided copying of unseen names (the "unknown-word replacement" of Luong et al. 2015).

    For every name-like source word (:func:`name_like`) that the output does not already contain,
    the output word that attended to it most (word-level attention at least
    :data:`COPY_MIN_ATTENTION`) is replaced by the source word, if that output word is itself unusual
    (several pieces, or capitalised): the decoder wrote *something* for the name while looking at it,
    and the copy puts the name back. Only the attention model can do this: without attention there
    is no alignment to follow. The attention matrix and output pieces stay as the decoder made them."""
    att = result.word_attention()
    if att is None:
        return result
    words = list(result.output_words)
    out_pieces = [[result.output_tokens[k] for k in g] for g in result.output_groups]
    copied: list[tuple[int, int]] = []
    for j, (word, group) in enumerate(zip(result.source_words, result.source_groups)):
        src_pieces = [result.source_tokens[k] for k in group]
        if not name_like(sw, word, src_pieces) or word in words:
            continue
        taken = {i for i, _ in copied}
        candidates = [i for i, ps in enumerate(out_pieces)
                      if i not in taken and ps[-1] not in SPECIALS and any(ch.isalpha() for ch in words[i])
                      and (sum(p != "\u2581" for p in ps) > 1 or words[i][:1].isupper())
                      and float(att[i, j]) >= COPY_MIN_ATTENTION]
        if not candidates:
            continue
        i = max(candidates, key=lambda c: float(att[c, j]))
        new = sw.pieces(word)
        if not out_pieces[i][0].startswith("\u2581") and new[0] == "\u2581":
            new = new[1:]
        out_pieces[i] = new
        words[i] = word
        copied.append((i, j))
        for step in (-1, 1):   # neighbours that were also the decoder's attempt at this name
            k = i + step
            while k in candidates and k not in taken:
                out_pieces[k], words[k] = [], ""
                copied.append((k, j))
                k += step
    if not copied:
        return result
    text = sw.detokenize([p for ps in out_pieces for p in ps if p not in SPECIALS])
    return TranslationResult(**{**result.__dict__, "output_words": words, "translation": text, "copied": copied})


def _words(pieces: list[str], sw: Subwords) -> tuple[list[str], list[list[int]]]:
    groups = group_words(pieces)
    return [word_text(pieces, g, sw) for g in groups], groups


def prepare(text: str, words: WordTable | None = None) -> str:
    """Checked ``text`` as the training English writes it (:func:`~sequence_models.translation.normalise.normalise`:
    the usual case for lower-case or capitals typing, an end mark if there was none): what the encoder reads."""
    return normalise(check_text(text), words or load_word_table())


def translate(tr: Translator, text: str, beam: int = 1, model_name: str = "attention",
              copy: bool = True) -> TranslationResult:
    """Translate ``text`` greedily (``beam == 1``) or with beam search (``beam`` 2–8); with ``copy``,
    unseen names are put back by following the attention (:func:`copy_names`). The text is normalised first
    (:func:`prepare`)."""
    if not MIN_BEAM <= int(beam) <= MAX_BEAM:
        raise ValueError(f"beam width must be between {MIN_BEAM} and {MAX_BEAM}, got {beam}")
    sw = tr.subwords
    source_text = prepare(text)
    pieces = source_pieces(sw, source_text)
    src_ids = tr.vocab.encode(pieces)
    hyps = [greedy_decode(tr.model, src_ids)] if beam == 1 else beam_search(tr.model, src_ids, int(beam))
    best = hyps[0]
    out = [tr.vocab.itos[i] for i in best.ids]
    alts = []
    for h in hyps:
        hp = [tr.vocab.itos[i] for i in h.ids if tr.vocab.itos[i] not in SPECIALS]
        alts.append(Alternative(hp, sw.detokenize(hp), h.score, h.normalised_score))
    src_words, src_groups = _words(pieces, sw)
    out_words, out_groups = _words(out, sw)
    translation = sw.detokenize([p for p in out if p not in SPECIALS])
    result = TranslationResult(
        source_tokens=pieces, source_words=src_words, source_groups=src_groups,
        output_tokens=out, output_words=out_words, output_groups=out_groups,
        translation=translation, raw_translation=translation, attention=best.attention(),
        steps_top=[[(tr.vocab.itos[i], float(torch.tensor(v).exp())) for i, v in zip(s.top_ids, s.top_logprobs)]
                   for s in best.steps],
        steps_prob=[float(torch.tensor(s.logprob).exp()) for s in best.steps],
        alternatives=alts, beam=int(beam), model=model_name, typed=text, source_text=source_text)
    return copy_names(result, sw) if copy else result
