"""Reading the Tatoeba English–French splits, joining sentences into long inputs, and batching."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from sequence_models.runtime import DataError, data_dir, require_data_file, require_examples
from sequence_models.translation.vocab import BOS_ID, PAD_ID, Vocab

SPLIT_FILE = "translation/tatoeba_en_fr_{split}.tsv"
ATTRIBUTION = ("Sentence pairs from the Tatoeba Project (tatoeba.org), via manythings.org/anki, CC-BY 2.0")


@dataclass
class Pair:
    """One sentence pair (raw text; tokenisation happens with the subword model)."""
    en: str
    fr: str

    @property
    def words(self) -> int:
        """English words (whitespace-separated), the unit of the length buckets."""
        return len(self.en.split())


def split_path(split: str, data: str | Path | None = None) -> Path:
    """``…/translation/tatoeba_en_fr_<split>.tsv`` under the data folder."""
    return data_dir(data) / SPLIT_FILE.format(split=split)


def read_pairs(split: str, data: str | Path | None = None, limit: int | None = None) -> list[Pair]:
    """Read one split (``train``/``dev``/``test``).

    Raises :class:`~sequence_models.runtime.DataError` (one line) when the file is missing,
    unreadable, empty, or holds no ``English<TAB>French`` line."""
    path = require_data_file(split_path(split, data), "translation data")
    pairs: list[Pair] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                    continue
                pairs.append(Pair(parts[0].strip(), parts[1].strip()))
                if limit is not None and len(pairs) >= limit:
                    break
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read translation {split} split {path}: {exc}") from None
    return require_examples(pairs, path, f"English<TAB>French pairs in the translation {split} split")


def join_pairs(pairs: list[Pair]) -> Pair:
    """Several pairs as one: English joined with a space, French likewise."""
    return Pair(" ".join(p.en for p in pairs), " ".join(p.fr for p in pairs))


def joined_training_pairs(pairs: list[Pair], count: int, rng: random.Random,
                          k_range: tuple[int, int] = (2, 4)) -> list[Pair]:
    """``count`` inputs made of 2–4 randomly chosen training pairs (distinct English sentences) joined.

    Mixed into training so that inputs of 20–60 words are not out of distribution for
    either model (Tatoeba's own sentences are short)."""
    out: list[Pair] = []
    n = len(pairs)
    if n < k_range[1]:
        return out
    while len(out) < count:
        k = rng.randint(*k_range)
        chosen = [pairs[rng.randrange(n)] for _ in range(k)]
        if len({p.en for p in chosen}) == k:
            out.append(join_pairs(chosen))
    return out


#: Length buckets (English words) of the long-input test set and how many inputs each holds.
LONG_BUCKETS: list[tuple[str, int, int]] = [("6–15", 6, 15), ("16–25", 16, 25), ("26–40", 26, 40),
                                           ("41–60", 41, 60)]
LONG_PER_BUCKET = 250
#: How many consecutive test pairs one joined input holds (inclusive).
LONG_JOIN: tuple[int, int] = (2, 6)


def long_test_set(pairs: list[Pair], per_bucket: int = LONG_PER_BUCKET, seed: int = 2015) -> list[Pair]:
    """The joined-sentence test set: runs of 2–6 consecutive test pairs, each joined into one input.

    Only the first pair of each distinct English sentence is used (one reference each), in a fixed
    shuffled order (the file itself is sorted by length). Walking that order, each start position
    gives one input of k = 2…6 consecutive pairs for a seeded random k; inputs go into the bucket
    of their English word count until every bucket of :data:`LONG_BUCKETS` holds ``per_bucket``."""
    seen: dict[str, Pair] = {}
    for p in pairs:
        seen.setdefault(" ".join(p.en.lower().split()), p)
    uniq = list(seen.values())
    rng = random.Random(seed)
    rng.shuffle(uniq)
    filled: dict[str, list[Pair]] = {name: [] for name, _, _ in LONG_BUCKETS}
    for start in range(len(uniq)):
        for k in rng.sample(range(LONG_JOIN[0], LONG_JOIN[1] + 1), LONG_JOIN[1] - LONG_JOIN[0] + 1):
            if start + k > len(uniq):
                continue
            joined = join_pairs(uniq[start: start + k])
            for name, lo, hi in LONG_BUCKETS:
                if lo <= joined.words <= hi and len(filled[name]) < per_bucket:
                    filled[name].append(joined)
                    break
            else:
                continue
            break
        if all(len(v) >= per_bucket for v in filled.values()):
            break
    return [p for name, _, _ in LONG_BUCKETS for p in filled[name]]


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


def encode_pairs(pairs: list[Pair], sw, vocab: Vocab) -> list[tuple[list[int], list[int]]]:
    """Pairs → (source piece ids, target piece ids + ``</s>``) with subword model ``sw``."""
    return [(vocab.encode(sw.pieces(p.en)), vocab.encode(sw.pieces(p.fr), add_eos=True)) for p in pairs]


def make_batch(items: list[tuple[list[int], list[int]]]) -> Batch:
    srcs = [s for s, _ in items]
    tgts = [t for _, t in items]
    tgt_in = pad_batch([t[:-1] for t in tgts], prepend_bos=True)
    return Batch(pad_batch(srcs), torch.tensor([len(s) for s in srcs]), tgt_in, pad_batch(tgts))


def bucketed_batches(items: list[tuple[list[int], list[int]]], tokens_per_batch: int,
                     rng: random.Random, max_batch: int = 256) -> list[list[int]]:
    """Indices grouped into batches of similar length, batches in random order.

    Sorting by (source length, target length, random key) keeps padding small. A batch holds
    about ``tokens_per_batch`` target tokens (so short sentences come in big batches and long
    ones in small batches, each step costing about the same); the shuffle of the batches keeps
    each epoch's order different but reproducible.
    """
    keys = [(len(s), len(t), rng.random(), i) for i, (s, t) in enumerate(items)]
    order = [k[3] for k in sorted(keys)]
    batches: list[list[int]] = []
    cur: list[int] = []
    width = 0
    for i in order:
        w = max(width, len(items[i][1]), len(items[i][0]))
        if cur and (w * (len(cur) + 1) > tokens_per_batch or len(cur) >= max_batch):
            batches.append(cur)
            cur, w = [], max(len(items[i][1]), len(items[i][0]))
        cur.append(i)
        width = w
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


_CAPITAL = re.compile(r"(?<![\w'])[A-Z][a-z]{2,}(?![\w'])")
_ONSETS = ["b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "ch", "sh", "th",
           "br", "kr", "st", "tr", "gw", "ny", "ol", "am", "el", "is"]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ou", "ia", "ei", "é", "á", "í", "ö", "ü", "ñ"]
_CODAS = ["", "", "", "n", "r", "s", "l", "m", "k", "th", "sh", "nd"]


def synthetic_name(rng: random.Random) -> str:
    """A made-up name such as ``Brailon`` or ``Thösam`` (2–4 syllables)."""
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 4))]
    return ("".join(parts) + rng.choice(_CODAS)).capitalize()


def name_swapped_pairs(pairs: list[Pair], share: float, rng: random.Random,
                       avoid: set[str] | frozenset[str] = frozenset()) -> list[Pair]:
    """Copies of training pairs with their names replaced by made-up names, on both sides.

    A name is a capitalised word found in both the English and the French sentence whose lower-case
    form never occurs in the English training text (``Tom``, ``Boston``; not ``The``). Tatoeba names
    are few (mostly Tom and Mary), so a model learns to translate *those* names rather than to copy
    any name; the swapped copies teach it to copy pieces it has never seen as a name. ``share`` of the
    pairs that hold a name get one swapped copy; names in ``avoid`` are never generated."""
    lower = {w for p in pairs for w in re.findall(r"[a-z]+", p.en)}
    out: list[Pair] = []
    for p in pairs:
        names = {w for w in _CAPITAL.findall(p.en) if w.lower() not in lower and re.search(rf"\b{w}\b", p.fr)}
        if not names or rng.random() >= share:
            continue
        en, fr = p.en, p.fr
        for w in sorted(names):
            new = synthetic_name(rng)
            while new in avoid:
                new = synthetic_name(rng)
            en = re.sub(rf"\b{w}\b", new, en)
            fr = re.sub(rf"\b{w}\b", new, fr)
        out.append(Pair(en, fr))
    return out


#: Closed word classes whose members can replace each other in a sentence pair without changing
#: anything else in either sentence: (English, French) forms, grouped so that French articles,
#: prepositions and elision stay right ("en septembre"/"en mai", "d'août"/"d'avril",
#: "l'Afrique"/"l'Italie", "la Chine"/"la France", "au Japon"/"au Canada").
SWAP_CLASSES: dict[str, list[tuple[str, str]]] = {
    "month": [("January", "janvier"), ("February", "février"), ("March", "mars"), ("June", "juin"),
              ("July", "juillet"), ("September", "septembre"), ("November", "novembre"), ("December", "décembre")],
    "month, vowel": [("April", "avril"), ("August", "août"), ("October", "octobre")],
    "weekday": [("Monday", "lundi"), ("Tuesday", "mardi"), ("Wednesday", "mercredi"), ("Thursday", "jeudi"),
                ("Friday", "vendredi"), ("Saturday", "samedi"), ("Sunday", "dimanche")],
    "place, feminine": [("France", "France"), ("China", "Chine"), ("Russia", "Russie"), ("Switzerland", "Suisse"),
                        ("Greece", "Grèce"), ("Belgium", "Belgique"), ("Sweden", "Suède"), ("Poland", "Pologne"),
                        ("Finland", "Finlande"), ("Norway", "Norvège"), ("Turkey", "Turquie")],
    "place, vowel": [("Italy", "Italie"), ("Germany", "Allemagne"), ("Spain", "Espagne"), ("Africa", "Afrique"),
                     ("Europe", "Europe"), ("Asia", "Asie"), ("America", "Amérique"), ("Australia", "Australie"),
                     ("England", "Angleterre"), ("India", "Inde"), ("Ireland", "Irlande"), ("Austria", "Autriche"),
                     ("Egypt", "Égypte"), ("Scotland", "Écosse"), ("Argentina", "Argentine"),
                     ("Algeria", "Algérie")],
    "place, masculine": [("Japan", "Japon"), ("Canada", "Canada"), ("Brazil", "Brésil"), ("Mexico", "Mexique"),
                         ("Portugal", "Portugal"), ("Morocco", "Maroc"), ("Denmark", "Danemark"), ("Peru", "Pérou"),
                         ("Chile", "Chili"), ("Lebanon", "Liban"), ("Kenya", "Kenya")],
}


def _word(w: str) -> str:
    return rf"(?<!\w){re.escape(w)}(?!\w)"


def class_swapped_pairs(pairs: list[Pair], copies: int, rng: random.Random, per_class: int = 0) -> list[Pair]:
    """Copies of training pairs with their months, weekdays and countries replaced, on both sides.

    Tatoeba mentions Japan 271 times but September 12 and Africa 26 times, so a model learns the
    frequent members of these classes and garbles the rare ones a teacher types ("Jane visits
    Africa in September."). A pair takes part when a member of a class of :data:`SWAP_CLASSES`
    occurs once in the English and its French form once in the French; each of its ``copies``
    replaces every such member by another member of the same class, chosen at random. With ``per_class``,
    a pair of a class that few pairs hold gets more copies, so that each class has at least about
    ``per_class`` (months are in 66 training pairs, countries in hundreds)."""
    found: list[tuple[Pair, list[tuple[str, str, list[tuple[str, str]]]]]] = []
    for p in pairs:
        hits = []
        for members in SWAP_CLASSES.values():
            for en, fr in members:
                if len(re.findall(_word(en), p.en)) == 1 and len(re.findall(_word(fr), p.fr)) == 1:
                    hits.append((en, fr, members))
        if hits:
            found.append((p, hits))
    holders = {name: sum(any(h[2] is members for h in hits) for _, hits in found)
               for name, members in SWAP_CLASSES.items()}
    out: list[Pair] = []
    for p, hits in found:
        need = max((-(-per_class // holders[name]) for name, members in SWAP_CLASSES.items()
                    if holders[name] and any(h[2] is members for h in hits)), default=0)
        for _ in range(max(copies, need)):
            en_text, fr_text = p.en, p.fr
            taken = {en for en, _, _ in hits}
            for en, fr, members in hits:
                free = [m for m in members if m[0] not in taken]
                if not free:
                    continue
                new_en, new_fr = rng.choice(free)
                taken.add(new_en)
                en_text = re.sub(_word(en), new_en, en_text)
                fr_text = re.sub(_word(fr), new_fr, fr_text)
            out.append(Pair(en_text, fr_text))
    return out
