"""The cased subword vocabulary (SentencePiece) shared by English and French.

One joint unigram SentencePiece model is trained on the **training split only** (English
and French sentences together), keeping case. Rare characters fall back to their UTF-8
bytes (``byte_fallback``), so no input is ever "unknown": a name the model never saw,
like ``Oluwaseun``, is read as a few known pieces (``▁Olu`` ``wa`` ``se`` ``un``) and the
decoder can write the same pieces back out. ``▁`` marks the start of a word.

The model file ships in ``assets/translation/spm.model``. The ids the neural models use
come from a :class:`~sequence_models.translation.vocab.Vocab` that lists the pieces by
their frequency in the training split (the adaptive softmax wants frequent ids first);
every piece of the SentencePiece model is in it, so ``<unk>`` never occurs.
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from sequence_models.runtime import AssetError, asset_path
from sequence_models.translation.vocab import SPECIALS, Vocab

TOKENIZER_FILE = "translation/spm.model"
WORD_START = "\u2581"   # ▁
#: Characters that always get their own piece (digits, Latin letters with accents, common punctuation),
#: so numbers and European names are copied as characters rather than as UTF-8 bytes.
REQUIRED_CHARS = "".join(sorted(
    set("0123456789!\"#$%&'()*+,-./:;<=>?@[]_{}~€£«»…–—")
    | {chr(c) for c in range(ord("A"), ord("Z") + 1)} | {chr(c) for c in range(ord("a"), ord("z") + 1)}
    | {chr(c) for c in range(0xC0, 0x180) if chr(c).isalpha()}))


def clean(text: str) -> str:
    """NFC, straight apostrophes, plain spaces, collapsed whitespace (case is kept)."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split())


def train_tokenizer(sentences: Iterable[str], out: str | Path, vocab_size: int = 12000,
                    threads: int = 1) -> Path:
    """Train the joint cased unigram model on ``sentences`` and write it to ``out`` (atomically).

    ``vocab_size`` is at least about 560 (bytes, required characters, specials) and an upper
    bound: a small corpus may give fewer pieces."""
    import sentencepiece as spm

    from sequence_models.runtime import atomic_write_bytes
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([clean(s) for s in sentences]), model_writer=buf, vocab_size=vocab_size,
        model_type="unigram", character_coverage=0.9995, byte_fallback=True, split_digits=True,
        normalization_rule_name="identity", pad_id=0, bos_id=1, eos_id=2, unk_id=3,
        pad_piece=SPECIALS[0], bos_piece=SPECIALS[1], eos_piece=SPECIALS[2], unk_piece=SPECIALS[3],
        required_chars=REQUIRED_CHARS, num_threads=threads, input_sentence_size=400000,
        shuffle_input_sentence=True, seed_sentencepiece_size=400000, hard_vocab_limit=False,
        minloglevel=2)
    return atomic_write_bytes(out, buf.getvalue())


class Subwords:
    """A loaded SentencePiece model: text ↔ pieces."""

    def __init__(self, path: str | Path) -> None:
        import sentencepiece as spm
        path = Path(path)
        if not path.is_file():
            raise AssetError(f"Tokenizer file {path.name} is missing from {path.parent}; rebuild it with "
                             "`python -m sequence_models train translation`.")
        try:
            self.sp = spm.SentencePieceProcessor(model_file=str(path))
        except (OSError, RuntimeError) as exc:
            raise AssetError(f"Tokenizer file {path.name} is unreadable ({type(exc).__name__}); rebuild it with "
                             "`python -m sequence_models train translation`.") from exc
        self.path = path

    def pieces(self, text: str) -> list[str]:
        """``"Jane visits Oslo."`` → ``["▁Jane", "▁visits", "▁Oslo", "."]`` (cased)."""
        return self.sp.encode(clean(text), out_type=str)

    def detokenize(self, pieces: list[str]) -> str:
        """Pieces → text (byte pieces are reassembled into characters)."""
        return self.sp.decode_pieces(list(pieces))

    def all_pieces(self) -> list[str]:
        return [self.sp.id_to_piece(i) for i in range(self.sp.get_piece_size())]

    def build_vocab(self, texts: Iterable[str]) -> Vocab:
        """Every piece, most frequent in ``texts`` first (ties and unseen pieces: SentencePiece order)."""
        counts: Counter[str] = Counter()
        for t in texts:
            counts.update(self.pieces(t))
        order = {p: i for i, p in enumerate(self.all_pieces())}
        ranked = sorted((p for p in order if p not in SPECIALS), key=lambda p: (-counts[p], order[p]))
        return Vocab(list(SPECIALS) + ranked)


@lru_cache(maxsize=4)
def load_subwords(path: str | None = None) -> Subwords:
    """The shipped tokenizer (``assets/translation/spm.model``) or the one at ``path``, loaded once."""
    return Subwords(path or asset_path(TOKENIZER_FILE))


def _is_punct(piece: str) -> bool:
    core = piece.lstrip(WORD_START)
    return bool(core) and all(unicodedata.category(ch)[0] in "PS" for ch in core)


#: Punctuation inside a word (no space before it) that keeps the word together: ``l'eau``, ``est-elle``.
GLUE = ("'", "-")


def group_words(pieces: list[str]) -> list[list[int]]:
    """Indices of ``pieces`` grouped into words: a word starts at ``▁``; punctuation stands alone,
    except an apostrophe or hyphen inside a word (:data:`GLUE`), which keeps it whole.

    ``["▁Olu", "wa", "se", "un", "▁is", "▁here", "."]`` → ``[[0, 1, 2, 3], [4], [5], [6]]``.
    Byte pieces (``<0xD0>``) stay with the piece before them; a lone ``▁`` joins the piece after it.
    """
    groups: list[list[int]] = []
    prev_punct = bare = glue = False
    for i, p in enumerate(pieces):
        punct = _is_punct(p)
        inner = p in GLUE and bool(groups) and not prev_punct
        if groups and (bare or inner or (glue and not p.startswith(WORD_START) and not punct)) \
                and p not in SPECIALS:
            groups[-1].append(i)       # "▁" + ".", "don" + "'" + "t", "l" + "'" + "eau", "est" + "-" + "elle"
        elif not groups or p.startswith(WORD_START) or punct or prev_punct or p in SPECIALS:
            groups.append([i])
        else:
            groups[-1].append(i)
        prev_punct = (punct and not inner) or p in SPECIALS
        bare, glue = p == WORD_START, inner
    return groups


def word_text(pieces: list[str], group: list[int], sw: Subwords | None = None) -> str:
    """The readable word made of ``pieces[group]`` (``▁`` removed, bytes decoded when ``sw`` is given)."""
    parts = [pieces[i] for i in group]
    if sw is not None and not any(p in SPECIALS for p in parts):
        return sw.detokenize(parts).strip() or "".join(parts).replace(WORD_START, "")
    return "".join(parts).replace(WORD_START, "")
