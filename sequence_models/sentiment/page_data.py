"""Plain data the sentiment page shows: its examples menu, the pair table, the per-word CSV (no Streamlit here)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from sequence_models.sentiment.evaluate import PairText
from sequence_models.sentiment.inference import Reading

#: Ordinary reviews for the examples menu (written for the lesson, in the data's domain).
REVIEWS = {
    "A review with a turn: great screen, but…": "The screen is great, but the battery is not good.",
    "Pros: easy to use, great pictures": "Easy to use, great pictures, long battery life.",
    "Cons: eats batteries": "Eats batteries and the menus are confusing.",
    "Out of domain: a restaurant": "The waiter was rude and the soup was cold.",
}
#: Word-order pairs offered in the menu (pair numbers of word_order.tsv), both texts of each.
MENU_PAIRS = (1, 11, 19, 27, 29, 50, 58)


def examples(pairs: Sequence[PairText]) -> dict[str, str]:
    """Menu label → text: :data:`REVIEWS`, then both texts of each of :data:`MENU_PAIRS`."""
    out = dict(REVIEWS)
    for number in MENU_PAIRS:
        for p in (p for p in pairs if p.pair == number):
            out[f"Word order ({p.kind}): {p.text}"] = p.text
    return out


def pair_rows(pair: Sequence[str], read: Callable[[str], Reading]) -> list[dict[str, object]]:
    """One row per text of a pair: both models' P(positive) and verdicts."""
    rows = []
    for text in pair:
        r = read(text)
        rows.append({"text": text, "GRU P(positive)": r.prob_positive[-1], "GRU verdict": r.label,
                     "bag of words P(positive)": r.bow_prob, "bag verdict": r.bow_label})
    return rows


def reading_csv(reading: Reading) -> str:
    """Per-word CSV: position, token, known?, GRU P(positive) after it, its move, the bag's weight."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t", "token", "in_vocabulary", "gru_prob_positive", "gru_change", "bow_weight"])
    for i, (tok, known, p, mv, bw) in enumerate(zip(reading.tokens, reading.known, reading.prob_positive,
                                                   reading.moves, reading.bow_weights), 1):
        # a leading = + - @ would make a spreadsheet read the cell as a formula
        safe = "'" + tok if tok[:1] in ("=", "+", "-", "@") else tok
        w.writerow([i, safe, int(known), f"{p:.6f}", f"{mv:+.6f}", f"{bw:+.6f}"])
    w.writerow(["", "(bias)", "", "", "", f"{reading.bow_bias:+.6f}"])
    return buf.getvalue()


def short_text_share(by_length: Sequence[dict]) -> tuple[int, float]:
    """From an evaluation's ``by_length`` buckets (``{"words": "9–16", "n": 1663, …}``, the last one
    open-ended such as ``"17+"``): the longest length of the closed buckets, in words, and the share
    of the texts that are no longer than that."""
    *closed, _longest = by_length
    total = sum(b["n"] for b in by_length)
    upper = int(str(closed[-1]["words"]).replace("–", "-").split("-")[-1])
    return upper, sum(b["n"] for b in closed) / total
