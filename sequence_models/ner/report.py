"""What the page says about the taggers, computed from ``assets/ner/evaluation.json`` and the models.

No Streamlit here: plain functions that turn the evaluation results into table rows and sentences
(so every number on the page comes from the file), and small probes of a loaded tagger.
"""

from __future__ import annotations

from typing import Any

import torch

from sequence_models.ner.data import TAGS
from sequence_models.ner.inference import analyse
from sequence_models.ner.metrics import bio_violations
from sequence_models.ner.predict import LoadedTagger
from sequence_models.ner.tokenizer import split_sentences
from sequence_models.ner.types import COURSE_TYPES, ONTONOTES_TO_COURSE

SET_LABELS = {"gmb": "GMB news", "gmb_lower": "GMB news, lower-case", "tatoeba": "Tatoeba everyday",
              "tatoeba_lower": "Tatoeba everyday, lower-case", "combined": "GMB + Tatoeba"}
#: F1 below this on the combined test sets counts as "still weak" on the page.
WEAK_F1 = 0.7
#: Sentences tried, in order, to show the forward-only model's invalid I- tag when the user's text has none.
INVALID_PAIR_CANDIDATES = (
    "Shares of Apple Inc. rose on Monday.",
    "He works for the New York Stock Exchange.",
    "She flew to New York City on Friday.",
    "They met at the Golden Gate Bridge.",
    "The Bank of England raised rates.",
    "Officials of the United Nations Security Council met.",
    "He studied at the University of California, Berkeley.",
    "Fans flew to the Rio de Janeiro Olympic Games.",
)


def course_order() -> list[str]:
    """The OntoNotes types of the course's ten, in the notes' order (Location → GPE, LOC)."""
    return [o for os_ in COURSE_TYPES.values() for o in os_]


def course_rows(ev: dict[str, Any], set_key: str, gold: bool = False) -> list[dict[str, Any]]:
    """Table rows for one test set: micro first, then the course's types, then the other types."""
    models = ev["models"]
    bi = models.get("bilstm_crf", {})
    fw = models.get("forward_lstm", {})
    scores_bi = bi.get("gold", {}) if gold else bi.get("sets", {}).get(set_key, {})
    scores_fw = fw.get("gold", {}) if gold else fw.get("sets", {}).get(set_key, {})
    types = [t for t in scores_bi if t != "micro"]
    order = course_order()
    ordered = [t for t in order if t in types] + sorted((t for t in types if t not in order),
                                                        key=lambda t: -scores_bi[t]["support"])
    rows = []
    for t in ["micro", *ordered]:
        b = scores_bi.get(t, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0})
        f = scores_fw.get(t, {"f1": 0.0})
        rows.append({"type": "all types (micro)" if t == "micro" else t,
                     "course type": "" if t == "micro" or gold else ONTONOTES_TO_COURSE.get(t, ""),
                     "support": b.get("support", 0), "precision": b["precision"], "recall": b["recall"],
                     "F1 BiLSTM-CRF": b["f1"], "F1 forward-only": f["f1"]})
    return rows


def weak_spots(ev: dict[str, Any] | None) -> list[str]:
    """Markdown bullet texts on what the BiLSTM-CRF learned from and where it is weak, from ``ev``."""
    lines = []
    if ev is None or "bilstm_crf" not in ev.get("models", {}):
        return ["No evaluation file yet: run `python -m sequence_models evaluate ner` to measure the taggers."]
    bi = ev["models"]["bilstm_crf"]
    fw = ev["models"].get("forward_lstm", {})
    tr = bi.get("training", {})
    sets = bi.get("sets", {})
    n_gmb, n_tat, n_sup = tr.get("train_sentences"), tr.get("tatoeba_sentences"), tr.get("supplement_sentences")
    if n_gmb:
        lines.append(
            f"**What it read.** {n_gmb:,} news sentences from the Groningen Meaning Bank (politics, conflicts, "
            "economics)" + (f", {n_tat:,} short everyday sentences from Tatoeba" if n_tat else "")
            + (f" and {n_sup:,} hand-written sentences for the rarer course types" if n_sup else "")
            + ". Tweets, recipes or scientific text look different and will do worse.")
    lines.append(
        "**Silver labels.** The training and test labels come from spaCy's small English model "
        "(`en_core_web_sm`): this tagger learned to *imitate* it, mistakes included, and the scores measure "
        "agreement with it, not truth.")
    combined = sets.get("combined", {})
    weak = [(t, combined[t]) for t in course_order() if t in combined and combined[t]["f1"] < WEAK_F1]
    if weak:
        parts = [f"{ONTONOTES_TO_COURSE[t]} ({t}: F1 {s['f1']:.2f} on {s['support']:,} test spans)" for t, s in weak]
        lines.append("**Still weak course types** (GMB + Tatoeba test, F1 below "
                     f"{WEAK_F1}): " + "; ".join(parts) + ". Rare types have few training examples, and "
                     "spaCy's silver labels for them are often wrong, so both the model and the score are noisy.")
    elif combined:
        lines.append(f"**Every course type** scores F1 ≥ {WEAK_F1} on the GMB + Tatoeba test sentences.")
    if "gmb" in sets and "gmb_lower" in sets:
        g, gl = sets["gmb"]["micro"]["f1"], sets["gmb_lower"]["micro"]["f1"]
        extra = ""
        if "tatoeba" in sets and "tatoeba_lower" in sets:
            extra = (f"; on Tatoeba {sets['tatoeba']['micro']['f1']:.3f} → "
                     f"{sets['tatoeba_lower']['micro']['f1']:.3f}")
        lines.append(f"**Lower case costs accuracy.** Micro-F1 on GMB news drops from {g:.3f} as written to "
                     f"{gl:.3f} when every word is lower-cased{extra}. Capitals are a strong clue, so names that "
                     "are also ordinary words (“apple”, “jordan”) are the first to go.")
    if fw.get("sets", {}).get("gmb") and "gmb" in sets:
        lines.append(f"**Reading ahead helps.** On GMB news the forward-only LSTM reaches micro-F1 "
                     f"{fw['sets']['gmb']['micro']['f1']:.3f} against the BiLSTM-CRF's "
                     f"{sets['gmb']['micro']['f1']:.3f}.")
    lines.append("**Words it never saw** become one *unknown* word vector; what it knows about them comes from "
                 "their spelling (a small character CNN) and capitalisation. Names that can be several things "
                 "(“Jordan” the country, the river or a person) and where exactly a date or amount begins and "
                 "ends remain typical errors.")
    return lines


def transition_score(tagger: LoadedTagger, before: str, after: str) -> float:
    """The CRF's score for the move ``before → after`` (``before`` not a tag = sentence start), penalty included."""
    crf = tagger.model.crf
    if crf is None:
        raise ValueError("this tagger has no CRF")
    j = TAGS.index(after)
    with torch.inference_mode():
        if before not in TAGS:
            return float(crf._start()[j])
        return float(crf._trans()[TAGS.index(before), j])


def invalid_pair_demo(tagger: LoadedTagger) -> tuple[str, list[str], list[str], list[int]] | None:
    """The first of :data:`INVALID_PAIR_CANDIDATES` on which ``tagger`` emits an I- tag that cannot follow
    the one before it: ``(sentence, tokens, tags, invalid indices)``, or ``None`` if it makes none."""
    for sentence in INVALID_PAIR_CANDIDATES:
        result = analyse(tagger, sentence)
        for sent in split_sentences(sentence, result.tokens):
            first = result.tokens.index(sent[0])
            tags = result.tags[first:first + len(sent)]
            bad = bio_violations(tags)
            if bad:
                return sentence, [t.text for t in sent], tags, bad
    return None
