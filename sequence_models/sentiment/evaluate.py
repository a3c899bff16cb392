"""``python -m sequence_models evaluate sentiment``: test accuracy/F1, accuracy by length, the word-order set.

Writes ``assets/sentiment/evaluation.json`` (the page reads it) and renders the model card
``sequence_models/sentiment/README.md`` from it, so no number in the card is typed by hand.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sequence_models.cli import OneLineParser
from sequence_models.runtime import (
    DataError, asset_path, atomic_write_text, check_writable_file, require_data_file, require_examples,
)
from sequence_models.sentiment.data import ATTRIBUTION, LABELS, load_split, split_path, tokenize
from sequence_models.sentiment.inference import EVALUATION_FILE, NAMES, Loaded, load_one
from sequence_models.sentiment.train import final_probs

HERE = Path(__file__).resolve().parent
WORD_ORDER_FILE = HERE / "word_order.tsv"
MODEL_CARD = HERE / "README.md"
MODELS = ("gru", "gru_plain", "bow")
#: length buckets in words (tokens holding a letter or digit), inclusive
LENGTH_BUCKETS = ((1, 4), (5, 8), (9, 16), (17, 10_000))
#: word-order kinds whose shape an augmentation rule also has ("A, but B", "not X", "A, not B")
RULE_KINDS = ("X, not Y", "not X, Y", "expected X but Y", "at first X, now Y", "but")
#: the issue's acceptance: GRU test accuracy ≥ max(bag of words, this), word-order margin ≥ this many points
MIN_ACCURACY, MIN_WORD_ORDER_MARGIN = 0.92, 20.0


@dataclass(frozen=True)
class PairText:
    """One text of the word-order set."""

    pair: int
    kind: str
    label: int
    text: str


def read_word_order(path: str | Path = WORD_ORDER_FILE) -> list[PairText]:
    """The hand-written minimal pairs (``#`` lines are the header comment)."""
    path = require_data_file(path, "word-order set")
    rows = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("pair\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[2] not in LABELS or not parts[0].isdigit():
            raise DataError(f"{path}:{lineno}: expected 'pair<TAB>kind<TAB>pos|neg<TAB>text'")
        rows.append(PairText(int(parts[0]), parts[1], LABELS.index(parts[2]), parts[3]))
    return require_examples(rows, path, "word-order pairs")


def n_words(tokens: list[str]) -> int:
    return sum(any(c.isalnum() for c in t) for t in tokens)


def scores(pred: list[int], gold: list[int]) -> dict[str, float]:
    """Accuracy, and F1 of each class and their mean (macro-F1)."""
    out: dict[str, float] = {"n": len(gold),
                             "accuracy": round(sum(p == g for p, g in zip(pred, gold)) / max(len(gold), 1), 4)}
    f1s = []
    for cls, name in ((1, "f1_pos"), (0, "f1_neg")):
        tp = sum(p == g == cls for p, g in zip(pred, gold))
        fp = sum(p == cls != g for p, g in zip(pred, gold))
        fn = sum(g == cls != p for p, g in zip(pred, gold))
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        out[name] = round(f1, 4)
        f1s.append(f1)
    out["f1_macro"] = round(sum(f1s) / 2, 4)
    return out


def evaluate_model(m: Loaded, test: list[tuple[list[str], int]], pairs: list[PairText]) -> dict[str, Any]:
    torch.set_num_threads(1)
    seqs = [m.vocab.encode(t) for t, _ in test]
    gold = [y for _, y in test]
    t0 = time.perf_counter()
    probs = final_probs(m.model, seqs).tolist()
    seconds = time.perf_counter() - t0
    pred = [int(p >= 0.5) for p in probs]
    by_length = []
    for lo, hi in LENGTH_BUCKETS:
        idx = [i for i, (t, _) in enumerate(test) if lo <= n_words(t) <= hi]
        by_length.append({"words": f"{lo}–{hi}" if hi < 10_000 else f"{lo}+", **scores([pred[i] for i in idx],
                                                                                     [gold[i] for i in idx])})
    wo_probs = final_probs(m.model, [m.vocab.encode(tokenize(p.text)) for p in pairs]).tolist()
    wo_right = [int(q >= 0.5) == p.label for q, p in zip(wo_probs, pairs)]
    kinds: dict[str, list[bool]] = defaultdict(list)
    both: dict[int, list[bool]] = defaultdict(list)
    for p, r in zip(pairs, wo_right):
        kinds[p.kind].append(r)
        both[p.pair].append(r)
    return {"name": NAMES[m.name], "parameters": sum(x.numel() for x in m.model.parameters()),
            "training": {k: v for k, v in m.training.items() if k != "history"},
            "history": m.training.get("history", []),
            "test": scores(pred, gold), "by_length": by_length,
            "texts_per_second": round(len(seqs) / max(seconds, 1e-9)),
            "word_order": {"accuracy": round(sum(wo_right) / len(wo_right), 4),
                           "pairs_both_right": sum(all(v) for v in both.values()), "pairs": len(both),
                           "by_kind": {k: {"n": len(v), "accuracy": round(sum(v) / len(v), 4)}
                                       for k, v in kinds.items()},
                           "prob_positive": [round(q, 4) for q in wo_probs]}}


def evaluate(data: str | None = None, weights: str | None = None, limit: int | None = None,
             word_order: str | Path = WORD_ORDER_FILE) -> dict[str, Any]:
    """All scores, as written to ``evaluation.json``."""
    test_examples = load_split("test", data, limit)
    pairs = read_word_order(word_order)
    loaded = [load_one(name, weights) for name in MODELS]
    test = [(tokenize(e.text), e.label) for e in test_examples]
    results: dict[str, Any] = {
        "split": "test", "texts": len(test), "positive_share": round(sum(y for _, y in test) / len(test), 4),
        "data": str(split_path("test", data).relative_to(split_path("test", data).parents[1])),
        "attribution": ATTRIBUTION, "models": {},
        "word_order_set": {"file": "sequence_models/sentiment/word_order.tsv", "pairs": len({p.pair for p in pairs}),
                           "texts": [{"pair": p.pair, "kind": p.kind, "label": LABELS[p.label], "text": p.text}
                                     for p in pairs]}}
    for m in loaded:
        r = evaluate_model(m, test, pairs)
        results["models"][m.name] = r
        print(f"{r['name']}: test accuracy {r['test']['accuracy']:.4f}, macro-F1 {r['test']['f1_macro']:.4f}; "
              f"word-order set {r['word_order']['accuracy']:.4f} "
              f"({r['word_order']['pairs_both_right']}/{r['word_order']['pairs']} pairs both right)", flush=True)
    gru, bow = results["models"]["gru"], results["models"]["bow"]
    margin = round(100 * (gru["word_order"]["accuracy"] - bow["word_order"]["accuracy"]), 1)
    results["acceptance"] = {
        "gru_test_accuracy": gru["test"]["accuracy"], "bow_test_accuracy": bow["test"]["accuracy"],
        "min_accuracy": MIN_ACCURACY, "word_order_margin_points": margin,
        "min_word_order_margin": MIN_WORD_ORDER_MARGIN,
        "passed": bool(gru["test"]["accuracy"] >= max(bow["test"]["accuracy"], MIN_ACCURACY)
                       and margin >= MIN_WORD_ORDER_MARGIN)}
    return results


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _share(model: dict[str, Any], rule_kinds: bool) -> float:
    """Word-order accuracy over the kinds in (or not in) :data:`RULE_KINDS`."""
    kinds = [v for k, v in model["word_order"]["by_kind"].items() if (k in RULE_KINDS) == rule_kinds]
    return sum(v["n"] * v["accuracy"] for v in kinds) / max(sum(v["n"] for v in kinds), 1)


def model_card(r: dict[str, Any]) -> str:
    """The model card (Markdown), every number taken from the evaluation results ``r``."""
    ms = r["models"]
    gru, plain, bow = ms["gru"], ms["gru_plain"], ms["bow"]
    acc = r["acceptance"]
    accuracy_ok = acc["gru_test_accuracy"] >= max(acc["bow_test_accuracy"], acc["min_accuracy"])
    tr = gru["training"]
    lines = [
        "# Sentiment: a many-to-one GRU and a bag of words",
        "",
        "<!-- Generated by `python -m sequence_models evaluate sentiment` from assets/sentiment/evaluation.json."
        " Do not edit by hand. -->",
        "",
        "The model behind the **Sentiment** lesson (`pages/sentiment.py`): a GRU reads a short product review word by"
        " word and one output layer, applied after every word, gives P(positive | the words so far); the value after"
        " the last word is the verdict (many-to-one). A bag of words (logistic regression on word counts) is the"
        " baseline with no notion of order.",
        "",
        "## Data",
        "",
        f"`../shared/data/sentiment/{{train,dev,test}}.tsv`: short English pros/cons and review sentences about"
        f" cameras, phones, MP3 players, printers and routers (2004–2008), labelled pos/neg. Test split: {r['texts']:,}"
        f" texts, {_pct(r['positive_share'])} positive. **Not known to the models:** movies, restaurants, books,"
        " people — everyday words of other domains are rare or absent from the vocabulary.",
        "",
        f"> {ATTRIBUTION}",
        "",
        "## Models",
        "",
        "| model | parameters | what it sees | file |",
        "|---|---:|---|---|",
        f"| {gru['name']} | {gru['parameters']:,} | word embeddings (64) → GRU (96 units) → one logistic output"
        " after every word; trained with the contrast/negation augmentation below | `assets/sentiment/gru.pt` |",
        f"| {plain['name']} | {plain['parameters']:,} | the same network trained on the reviews alone"
        " (no augmentation) | `assets/sentiment/gru_plain.pt` |",
        f"| {bow['name']} | {bow['parameters']:,} | one weight per word + a bias; the order of words is lost"
        f" (L2 {bow['training'].get('l2', 0):g}, picked on dev) | `assets/sentiment/bow.pt` |",
        "",
        "Loss: cross-entropy of the verdict (last step) + ½ × the mean cross-entropy over every prefix. Training"
        " keeps the epoch with the best dev accuracy.",
        "",
        "**Augmentation** (`sequence_models/sentiment/augment.py`, drawn only from the training split): the reviews"
        " are pros/cons lists, where a con like \"good screen, but the battery dies\" is negative because of where it"
        " was written and \"not\" nearly always means a con. Two rules of English are added with the reviews' own"
        " phrases: *contrast* (\"A, but B\" takes B's label; the steps inside A keep A's label) and *negation*"
        " (\"not\" + a short phrase that starts with a sentiment word flips its label; \"A, not B\")."
        " Nothing from the test split or the word-order set is used.",
        "",
        "## Training",
        "",
        "```bash",
        "python -m sequence_models train sentiment      # bag of words, GRU, GRU (reviews only) → assets/sentiment/",
        "python -m sequence_models evaluate sentiment   # → assets/sentiment/evaluation.json and this card",
        "```",
        "",
        f"Seed {tr.get('seed')}, one CPU thread, {tr.get('epochs')} epochs (best: {tr.get('best_epoch')}), batch"
        f" {tr.get('batch_size')}, Adam lr {tr.get('lr')} with cosine decay. Wall-clock here (2 shared cores):"
        f" bag of words {bow['training'].get('seconds', 0):.0f} s, GRU {gru['training'].get('seconds', 0):.0f} s,"
        f" GRU (reviews only) {plain['training'].get('seconds', 0):.0f} s;"
        f" whole command {max(m['training'].get('total_seconds_at_save', 0) for m in ms.values()) / 60:.1f} min.",
        "",
        "## Scores (test split)",
        "",
        "| model | accuracy | F1 pos | F1 neg | macro-F1 | word-order set | pairs both right | texts/s (1 thread) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in ms.values():
        t, w = m["test"], m["word_order"]
        lines.append(f"| {m['name']} | {t['accuracy']:.4f} | {t['f1_pos']:.4f} | {t['f1_neg']:.4f}"
                     f" | {t['f1_macro']:.4f} | {_pct(w['accuracy'])} | {w['pairs_both_right']} / {w['pairs']}"
                     f" | {m['texts_per_second']:,} |")
    lines += ["", "texts/s: whole test split, batches of 256, one thread, on the shared 2-core machine while other"
              " jobs ran (it varies several-fold with the load).",
              "", "Accuracy by length (words):", "",
              "| words | texts | " + " | ".join(m["name"] for m in ms.values()) + " |",
              "|---|---:|" + "---:|" * len(ms)]
    for i, b in enumerate(gru["by_length"]):
        lines.append(f"| {b['words']} | {b['n']:,} | " + " | ".join(f"{m['by_length'][i]['accuracy']:.4f}"
                                                                     for m in ms.values()) + " |")
    wo = r["word_order_set"]
    lines += ["", "## Word-order set", "",
              f"`sequence_models/sentiment/word_order.tsv`: {wo['pairs']} minimal pairs written for this project, in"
              " the product domain (\"Good, not bad.\" / \"Bad, not good.\"). The two texts of a pair hold the same"
              " words the same number of times, so the bag of words gives both the same score and is right on"
              " exactly one: 50 % by construction.", "",
              "| kind | texts | " + " | ".join(m["name"] for m in ms.values()) + " |",
              "|---|---:|" + "---:|" * len(ms)]
    for kind, v in gru["word_order"]["by_kind"].items():
        lines.append(f"| {kind} | {v['n']} | " + " | ".join(_pct(m["word_order"]["by_kind"][kind]["accuracy"])
                                                           for m in ms.values()) + " |")
    lines += ["", "## Acceptance (issue 13)", "",
              f"- GRU test accuracy {acc['gru_test_accuracy']:.4f} ≥ bag of words {acc['bow_test_accuracy']:.4f}"
              f" and ≥ {acc['min_accuracy']}: **{'yes' if accuracy_ok else 'no'}**",
              f"- GRU beats the bag of words on the word-order set by {acc['word_order_margin_points']:.1f} points"
              f" (≥ {acc['min_word_order_margin']:.0f} required):"
              f" **{'yes' if acc['word_order_margin_points'] >= acc['min_word_order_margin'] else 'no'}**", "",
              "## Limits", "",
              "- Domain: consumer electronics reviews of 2004–2008. Movie, restaurant or book reviews, sarcasm, and"
              " long texts are outside what it has seen.",
              "- The word-order set is small and written by one author; it shows a tendency, not a benchmark."
              f" Its kinds {'; '.join(f'“{k}”' for k in RULE_KINDS)} have the shapes the augmentation"
              " teaches (\"A, but B\", \"not X\", \"A, not B\"; with other words), so there they measure"
              " whether the rules were"
              f" learnt: GRU {_pct(_share(gru, True))} vs reviews-only {_pct(_share(plain, True))}. On the other kinds"
              f" (questions, more/less, comparisons…) the two are close: {_pct(_share(gru, False))} vs"
              f" {_pct(_share(plain, False))}.",
              "- Labels come from where a reviewer wrote a phrase (pros or cons), so some texts are ambiguous on their"
              " own (\"Size, price\")."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m sequence_models evaluate sentiment [options]``."""
    p = OneLineParser(prog="python -m sequence_models evaluate sentiment",
                      description="Test accuracy/F1 and the word-order set for the GRU and the bag of words.")
    p.add_argument("--data", default=None, help="data folder holding sentiment/ (default: runtime.data_dir())")
    p.add_argument("--weights", default=None,
                   help="folder holding gru.pt, gru_plain.pt, bow.pt (default assets/sentiment)")
    p.add_argument("--limit", type=int, default=None, help="only the first N test texts (quick checks)")
    p.add_argument("--out", default=None, help=f"results JSON (default assets/{EVALUATION_FILE}; '-' to skip)")
    p.add_argument("--card", default=None, help="model card to write (default sequence_models/sentiment/README.md; "
                                                "'-' to skip)")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    require_data_file(split_path("test", args.data), "sentiment test split")
    out = None if args.out == "-" else check_writable_file(Path(args.out) if args.out else asset_path(EVALUATION_FILE))
    card = None if args.card == "-" else check_writable_file(Path(args.card) if args.card else MODEL_CARD)
    results = evaluate(args.data, args.weights, args.limit)
    acc = results["acceptance"]
    print(f"acceptance: GRU {acc['gru_test_accuracy']:.4f} vs bag {acc['bow_test_accuracy']:.4f}; word-order margin "
          f"{acc['word_order_margin_points']:.1f} points → {'passed' if acc['passed'] else 'NOT passed'}")
    if out:
        atomic_write_text(out, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {out}")
    if card:
        atomic_write_text(card, model_card(results))
        print(f"wrote {card}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
