"""``python -m sequence_models evaluate ner``: span F1 of both taggers on GMB and Tatoeba.

Test sets (``--split test``, or ``dev`` to choose settings), each as written and lower-cased:

* ``gmb``: GMB news sentences; ``tatoeba``: everyday Tatoeba sentences;
* ``*_lower``: the same sentences with every token lower-cased, scored against the same
  labels (how the taggers cope with text typed without capitals);
* ``combined``: GMB and Tatoeba together, as written (the rare course types need both
  to have enough spans to score).

Two references, named in every output:

* ``silver``: the OntoNotes labels from spaCy ``en_core_web_sm`` (what the models were trained
  to imitate), all 18 types, seqeval conventions;
* ``gold``: GMB's own annotation (column 3, GMB only) on the comparable groups (person,
  organization, location = GMB geo+gpe vs OntoNotes GPE+LOC, date/time = GMB tim vs
  OntoNotes DATE+TIME).

Also measures tagging speed in tokens per second on one CPU thread, checks the acceptance
figures of issue 12, and writes ``assets/ner/evaluation.json`` (read by the page) and the
model card ``sequence_models/ner/README.md`` (rendered from that JSON by :func:`model_card`).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from sequence_models.cli import OneLineParser
from sequence_models.ner.data import Sentence, load_split, split_path
from sequence_models.ner.inference import EVALUATION_FILE, weights_file
from sequence_models.ner.metrics import span_scores
from sequence_models.ner.model import KINDS
from sequence_models.ner.predict import load_tagger, tag_corpus
from sequence_models.ner.types import COURSE_TYPES, GMB_GROUPS, ONTONOTES_GROUPS
from sequence_models.runtime import (
    AssetError,
    asset_path,
    atomic_write_text,
    check_writable_file,
    require_data_file,
)

MODEL_NAMES = {"bilstm_crf": "BiLSTM-CRF", "forward_lstm": "Forward-only LSTM"}
MODEL_CARD = Path(__file__).with_name("README.md")
SET_NAMES = {"gmb": "GMB news", "gmb_lower": "GMB news, lower-cased", "tatoeba": "Tatoeba everyday",
             "tatoeba_lower": "Tatoeba everyday, lower-cased", "combined": "GMB + Tatoeba"}
RARE_COURSE_TYPES = ("TIME", "PRODUCT", "EVENT", "FAC")
#: issue 12's acceptance figures: (what, model, set, type, threshold); passed when the F1 is at least
#: the threshold (the rare types must be strictly above 0.5).
ACCEPTANCE = [("micro-F1, GMB test", "bilstm_crf", "gmb", "micro", 0.90, False),
              ("micro-F1, Tatoeba test", "bilstm_crf", "tatoeba", "micro", 0.85, False),
              ("micro-F1, GMB test lower-cased", "bilstm_crf", "gmb_lower", "micro", 0.80, False),
              *[(f"{t} F1, GMB + Tatoeba test", "bilstm_crf", "combined", t, 0.5, True) for t in RARE_COURSE_TYPES]]


def lower_cased(sentences: list[Sentence]) -> list[Sentence]:
    return [replace(s, tokens=tuple(t.lower() for t in s.tokens)) for s in sentences]


def _to_group(tag: str, groups: dict[str, str]) -> str:
    """Rename a BIO tag's type by ``groups`` (types outside it become ``O``)."""
    if tag == "O":
        return tag
    prefix, _, typ = tag.partition("-")
    g = groups.get(typ)
    return f"{prefix}-{g}" if g else "O"


def evaluate_model(path: str | Path, sets: dict[str, list[Sentence]], batch_size: int = 64) -> dict[str, Any]:
    """Scores on every set, and speed, for one weights file."""
    tagger = load_tagger(path)
    torch.set_num_threads(1)
    preds: dict[str, list[list[str]]] = {}
    n_tokens, seconds = 0, 0.0
    for name, sentences in sets.items():
        tokens = [list(s.tokens) for s in sentences]
        t0 = time.perf_counter()
        preds[name] = tag_corpus(tagger, tokens, batch_size)
        seconds += time.perf_counter() - t0
        n_tokens += sum(len(t) for t in tokens)
    scores: dict[str, Any] = {}
    for name, sentences in sets.items():
        scores[name] = {k: v.as_dict() for k, v in span_scores([s.silver for s in sentences], preds[name]).items()}
    if "gmb" in sets and "tatoeba" in sets:
        both = sets["gmb"] + sets["tatoeba"]
        scores["combined"] = {k: v.as_dict() for k, v in
                              span_scores([s.silver for s in both], preds["gmb"] + preds["tatoeba"]).items()}
    gold = {}
    if "gmb" in sets:
        g = sets["gmb"]
        gold = span_scores([[_to_group(t, GMB_GROUPS) for t in s.gold] for s in g],
                           [[_to_group(t, ONTONOTES_GROUPS) for t in p] for p in preds["gmb"]])
    size = Path(path).stat().st_size
    return {"name": MODEL_NAMES.get(tagger.kind, tagger.kind), "parameters": tagger.model.num_parameters(),
            "file_mb": round(size / 1e6, 2), "file_bytes": size, "training": tagger.training,
            "tokens_per_second": round(n_tokens / seconds) if seconds else 0, "batch_size": batch_size,
            "sets": scores, "silver": scores.get("gmb", {}), "gold": {k: v.as_dict() for k, v in gold.items()}}


def acceptance(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 12's acceptance figures, measured (only meaningful on the test split)."""
    rows = []
    for what, kind, name, typ, threshold, strict in ACCEPTANCE:
        f1 = results["models"].get(kind, {}).get("sets", {}).get(name, {}).get(typ, {}).get("f1")
        passed = f1 is not None and (f1 > threshold if strict else f1 >= threshold)
        rows.append({"what": what, "model": kind, "set": name, "type": typ, "f1": f1,
                     "threshold": threshold, "rule": ">" if strict else "≥", "passed": passed})
    return rows


def course_first(types: list[str]) -> list[str]:
    """OntoNotes types with the course's ten first (in the notes' order), then the rest by name."""
    order = [o for os_ in COURSE_TYPES.values() for o in os_]
    return [t for t in order if t in types] + sorted(t for t in types if t not in order)


def markdown_table(results: dict[str, Any], ref_set: str = "gmb") -> str:
    """Per type P / R / F1 of both models on one set (course types first)."""
    kinds = [k for k in KINDS if k in results["models"]]
    names = [results["models"][k]["name"] for k in kinds]
    first = results["models"][kinds[0]]["sets"][ref_set]
    lines = ["| type | support | " + " | ".join(f"{n} P / R / F1" for n in names) + " |",
             "|---|---:|" + "---|" * len(kinds)]
    for t in ["micro", *course_first([t for t in first if t != "micro"])]:
        cells = []
        for k in kinds:
            s = results["models"][k]["sets"][ref_set].get(t, {"precision": 0, "recall": 0, "f1": 0})
            f1 = f"**{s['f1']:.3f}**" if t == "micro" else f"{s['f1']:.3f}"
            cells.append(f"{s['precision']:.3f} / {s['recall']:.3f} / {f1}")
        name = "**all (micro)**" if t == "micro" else t
        lines.append(f"| {name} | {first.get(t, {}).get('support', 0)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_table(results: dict[str, Any]) -> str:
    """micro-F1 of both models on every set (and against GMB gold)."""
    kinds = [k for k in KINDS if k in results["models"]]
    lines = ["| test set | sentences | " + " | ".join(f"{results['models'][k]['name']} micro-F1" for k in kinds)
             + " |", "|---|---:|" + "---:|" * len(kinds)]
    for name, label in SET_NAMES.items():
        if name not in results["models"][kinds[0]]["sets"]:
            continue
        n = results["sets"].get(name, {}).get("sentences", "")
        cells = [f"{results['models'][k]['sets'][name]['micro']['f1']:.3f}" for k in kinds]
        lines.append(f"| {label} (silver) | {n:,} | " + " | ".join(cells) + " |")
    if results["models"][kinds[0]]["gold"]:
        cells = [f"{results['models'][k]['gold']['micro']['f1']:.3f}" for k in kinds]
        lines.append(f"| GMB news vs GMB's own gold labels (comparable types) | "
                     f"{results['sets']['gmb']['sentences']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def training_stages(training: dict[str, Any]) -> list[dict[str, Any]]:
    """The chain of training runs behind a checkpoint, oldest first (``--init`` links them)."""
    chain = []
    while training:
        chain.append(training)
        training = (training.get("initialised_from") or {}).get("training") or {}
    return chain[::-1]


def model_card(results: dict[str, Any]) -> str:
    """``sequence_models/ner/README.md``, rendered from the evaluation results (no number typed in)."""
    kinds = [k for k in KINDS if k in results["models"]]
    bi = results["models"][kinds[0]]
    tr = bi.get("training", {})
    lines = [
        "# Named-entity taggers (model card)",
        "",
        "*Generated by `python -m sequence_models evaluate ner` from `assets/ner/evaluation.json`; "
        "do not edit by hand.*",
        "",
        "## Models",
        "",
    ]
    for k in kinds:
        m = results["models"][k]
        stages = training_stages(m.get("training", {}))
        total = sum(st.get("seconds", 0) for st in stages) / 60
        chained = "s, each continuing from the one before" if len(stages) > 1 else ""
        lines.append(f"- **{m['name']}** (`assets/ner/{k}.pt`): {m['parameters']:,} parameters, "
                     f"{m['file_mb']} MB (float16); {m['tokens_per_second']:,} tokens/s when tagging on one CPU "
                     f"thread. Trained in {len(stages)} stage{chained}"
                     f", {total:.0f} min in all on one shared CPU thread (weights copied to `assets/ner/` after "
                     "the last):")
        for i, st in enumerate(stages, 1):
            cmd = st.get("command") or ("python -m sequence_models train ner --gmb-only --epochs "
                                        f"{st.get('epochs', '?')}  (GMB only, before issue 12)")
            lines.append(f"  {i}. `{cmd}`: {st.get('epochs', '?')} epoch(s), {st.get('steps', 0):,} steps, "
                         f"{st.get('seconds', 0) / 60:.0f} min")
    mix = tr.get("mix")
    lines += ["", "## Data", "",
              f"- GMB news (`../shared/data/ner/gmb_train.tsv`, {tr.get('train_sentences', 0):,} sentences) and "
              f"Tatoeba everyday sentences (`tatoeba_train.tsv`, {tr.get('tatoeba_sentences', 0):,} sentences), "
              "labelled with OntoNotes types by spaCy `en_core_web_sm` (silver labels: the models learn to imitate "
              "that tagger). Tatoeba sentences: CC-BY 2.0 (France), from the Tatoeba Project via manythings.org/anki.",
              f"- {tr.get('supplement_sentences', 0)} hand-written sentences (`sequence_models/ner/supplement.txt`, "
              "see its header) for the rare course types and the notes' span boundaries."]
    if mix:
        lines.append(f"- Each epoch of the last stage: all GMB sentences; Tatoeba sentences with an entity plus "
                     f"{mix['tatoeba_o_fraction']:.0%} of those without; {mix['rare_copies']} extra copies of "
                     f"sentences holding TIME, PRODUCT, EVENT or FAC; {mix['supplement_copies']} copies of the "
                     f"supplement; every sentence lower-cased with probability {mix['lower']:.0%} and upper-cased "
                     f"with {mix['upper']:.0%} (earlier stages: see their commands). Training labels put `$` inside "
                     "MONEY and `10:00 AM` in one TIME span.")
    split = results["split"]
    lines += ["", f"## Scores ({split} split)", "",
              "Span-level micro-F1 (seqeval conventions: type and both ends must match). *Silver* means agreement "
              "with spaCy's labels, not truth; lower-cased sets are the same sentences with every token "
              "lower-cased, scored against the same labels.", "", summary_table(results), ""]
    acc = results.get("acceptance")
    if acc and split == "test":
        lines += ["### Acceptance (issue 12)", "", "| figure | measured | required | |", "|---|---:|---:|---|"]
        for a in acc:
            f1 = "n/a" if a["f1"] is None else f"{a['f1']:.3f}"
            lines.append(f"| {a['what']} | {f1} | {a['rule']} {a['threshold']} | "
                         f"{'met' if a['passed'] else '**not met**'} |")
        lines.append("")
    for name in ("gmb", "tatoeba", "combined"):
        if name in bi["sets"]:
            lines += [f"### Per type: {SET_NAMES[name]} (silver)", "", markdown_table(results, name), ""]
    lines += ["## Limits", "",
              "- The labels are silver: rare types (PRODUCT, LAW, WORK_OF_ART, FAC) are often wrong in the "
              "reference itself (GMB's PRODUCT spans include “Cyprus” and “747”), so their scores are noisy.",
              "- News and short everyday sentences only; other genres (tweets, recipes, science) will score lower.",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m sequence_models evaluate ner [options]``."""
    p = OneLineParser(prog="python -m sequence_models evaluate ner",
                      description="Span-level P/R/F1 of both NER taggers on GMB and Tatoeba, as written and "
                                  "lower-cased.")
    p.add_argument("--data", default=None,
                   help="data folder holding ner/ (default: sequence_models.runtime.data_dir())")
    p.add_argument("--split", choices=["dev", "test"], default="test")
    p.add_argument("--weights", default=None,
                   help="folder holding bilstm_crf.pt and forward_lstm.pt (default assets/ner)")
    p.add_argument("--limit", type=int, default=None, help="only the first N sentences of each corpus (quick checks)")
    p.add_argument("--out", default=None, help=f"results JSON (default assets/{EVALUATION_FILE}; '-' to skip)")
    p.add_argument("--card", default=None,
                   help="model card to write (default sequence_models/ner/README.md with the default --out; "
                        "'-' to skip)")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    # everything that can fail cheaply is checked before the work starts
    for corpus in ("gmb", "tatoeba"):
        require_data_file(split_path(args.split, args.data, corpus), "NER data file")
    paths = {}
    for kind in KINDS:
        paths[kind] = Path(args.weights) / f"{kind}.pt" if args.weights else weights_file(kind)
        if not paths[kind].is_file():
            raise AssetError(f"Model file {paths[kind]} is missing; train it with "
                             "`python -m sequence_models train ner`.")
    out = None if args.out == "-" else check_writable_file(Path(args.out) if args.out else asset_path(EVALUATION_FILE))
    card_default = args.out is None and args.split == "test" and args.limit is None
    card = (None if args.card == "-" or (args.card is None and not card_default)
            else check_writable_file(Path(args.card) if args.card else MODEL_CARD))
    gmb = load_split(args.split, args.data, args.limit, "gmb")
    tatoeba = load_split(args.split, args.data, args.limit, "tatoeba")
    sets = {"gmb": gmb, "gmb_lower": lower_cased(gmb), "tatoeba": tatoeba, "tatoeba_lower": lower_cased(tatoeba)}
    results: dict[str, Any] = {
        "split": args.split, "sentences": len(gmb), "tokens": sum(len(s.tokens) for s in gmb),
        "sets": {name: {"sentences": len(s), "tokens": sum(len(x.tokens) for x in s)} for name, s in sets.items()},
        "models": {}}
    results["sets"]["combined"] = {"sentences": len(gmb) + len(tatoeba),
                                   "tokens": results["sets"]["gmb"]["tokens"] + results["sets"]["tatoeba"]["tokens"]}
    for kind in KINDS:
        r = evaluate_model(paths[kind], sets)
        results["models"][kind] = r
        micro = " · ".join(f"{n} {r['sets'][n]['micro']['f1']:.4f}" for n in SET_NAMES if n in r["sets"])
        print(f"{r['name']}: micro-F1 (silver) {micro}; {r['gold']['micro']['f1']:.4f} vs GMB gold "
              f"(comparable types); {r['tokens_per_second']:,} tokens/s on one thread", flush=True)
    results["acceptance"] = acceptance(results)
    print(summary_table(results))
    if args.split != "test":
        print(f"acceptance figures on the {args.split} split (issue 12's thresholds apply to the test split):")
    for a in results["acceptance"]:
        f1 = "n/a" if a["f1"] is None else f"{a['f1']:.4f}"
        print(f"  {'met    ' if a['passed'] else 'NOT MET'} {a['what']}: {f1} (needs {a['rule']} {a['threshold']})")
    if out is not None:
        atomic_write_text(out, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {out}")
    if card is not None:
        atomic_write_text(card, model_card(results))
        print(f"wrote {card}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
