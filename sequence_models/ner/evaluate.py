"""``python -m sequence_models evaluate ner``: span F1 of both taggers on the test split.

Two references, named in every output:

* ``silver``: column 2, the OntoNotes labels from spaCy ``en_core_web_sm`` (what the models
  were trained to imitate), all 18 types, seqeval conventions;
* ``gold``: column 3, GMB's own annotation, on the comparable groups only (person,
  organization, location = GMB geo+gpe vs OntoNotes GPE+LOC, date/time = GMB tim vs
  OntoNotes DATE+TIME).

Also measures tagging speed in tokens per second on one CPU thread. Results go to
``assets/ner/evaluation.json``, which the page reads.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from sequence_models.cli import OneLineParser
from sequence_models.ner.data import load_split
from sequence_models.ner.inference import EVALUATION_FILE, weights_file
from sequence_models.ner.metrics import span_scores
from sequence_models.ner.model import KINDS
from sequence_models.ner.predict import load_tagger, tag_corpus
from sequence_models.ner.types import GMB_GROUPS, ONTONOTES_GROUPS
from sequence_models.runtime import AssetError, asset_path

MODEL_NAMES = {"bilstm_crf": "BiLSTM-CRF", "forward_lstm": "Forward-only LSTM"}


def evaluate_model(path: str | Path, sentences: list, batch_size: int = 64) -> dict[str, Any]:
    """Scores and speed for one weights file on ``sentences`` (list of :class:`Sentence`)."""
    tagger = load_tagger(path)
    tokens = [list(s.tokens) for s in sentences]
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    pred = tag_corpus(tagger, tokens, batch_size)
    seconds = time.perf_counter() - t0
    n_tokens = sum(len(t) for t in tokens)
    silver = span_scores([s.silver for s in sentences], pred)
    gold = span_scores([[_to_group(t, GMB_GROUPS) for t in s.gold] for s in sentences],
                       [[_to_group(t, ONTONOTES_GROUPS) for t in p] for p in pred])
    return {"name": MODEL_NAMES.get(tagger.kind, tagger.kind), "parameters": tagger.model.num_parameters(),
            "file_mb": round(Path(path).stat().st_size / 1e6, 2), "training": tagger.training,
            "tokens_per_second": round(n_tokens / seconds), "batch_size": batch_size,
            "silver": {k: v.as_dict() for k, v in silver.items()},
            "gold": {k: v.as_dict() for k, v in gold.items()}}


def _to_group(tag: str, groups: dict[str, str]) -> str:
    """Rename a BIO tag's type by ``groups`` (types outside it become ``O``)."""
    if tag == "O":
        return tag
    prefix, _, typ = tag.partition("-")
    g = groups.get(typ)
    return f"{prefix}-{g}" if g else "O"


def markdown_table(results: dict[str, Any]) -> str:
    """The README's table: per type F1 for both models, against column 2 and column 3."""
    kinds = [k for k in KINDS if k in results["models"]]
    names = [results["models"][k]["name"] for k in kinds]
    lines = ["| reference | type | support | " + " | ".join(f"{n} P / R / F1" for n in names) + " |",
             "|---|---|---:|" + "---|" * len(kinds)]
    for ref, label in (("silver", "column 2 (spaCy silver)"), ("gold", "column 3 (GMB gold)")):
        first = results["models"][kinds[0]][ref]
        types = [t for t in first if t != "micro"]
        types.sort(key=lambda t: -first[t]["support"])
        for t in ["micro", *types]:
            cells = []
            for k in kinds:
                s = results["models"][k][ref].get(t, {"precision": 0, "recall": 0, "f1": 0})
                cells.append(f"{s['precision']:.3f} / {s['recall']:.3f} / **{s['f1']:.3f}**" if t == "micro"
                             else f"{s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f}")
            name = "**all (micro)**" if t == "micro" else t
            lines.append(f"| {label} | {name} | {first.get(t, {}).get('support', 0)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m sequence_models evaluate ner [options]``."""
    p = OneLineParser(prog="python -m sequence_models evaluate ner",
                                description="Span-level P/R/F1 of both NER taggers on the test split.")
    p.add_argument("--data", default=None,
                   help="data folder holding ner/ (default: sequence_models.runtime.data_dir())")
    p.add_argument("--split", choices=["dev", "test"], default="test")
    p.add_argument("--weights", default=None,
                   help="folder holding bilstm_crf.pt and forward_lstm.pt (default assets/ner)")
    p.add_argument("--limit", type=int, default=None, help="only the first N sentences (quick checks)")
    p.add_argument("--out", default=None, help=f"results JSON (default assets/{EVALUATION_FILE}; '-' to skip)")
    args = p.parse_args(argv)
    sentences = load_split(args.split, args.data, args.limit)
    results: dict[str, Any] = {"split": args.split, "sentences": len(sentences),
                               "tokens": sum(len(s.tokens) for s in sentences), "models": {}}
    for kind in KINDS:
        path = Path(args.weights) / f"{kind}.pt" if args.weights else weights_file(kind)
        if not path.is_file():
            raise AssetError(f"Model file {path} is missing; train it with `python -m sequence_models train ner`.")
        r = evaluate_model(path, sentences)
        results["models"][kind] = r
        print(f"{r['name']}: micro-F1 {r['silver']['micro']['f1']:.4f} vs column 2 (silver), "
              f"{r['gold']['micro']['f1']:.4f} vs column 3 (gold, comparable types); "
              f"{r['tokens_per_second']:,} tokens/s on one thread", flush=True)
    print(markdown_table(results))
    if args.out != "-":
        out = Path(args.out) if args.out else asset_path(EVALUATION_FILE)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
