"""``python -m sequence_models evaluate translation``: sacreBLEU BLEU and chrF on the test split.

Both models decode every test pair greedily; the detokenised output is scored against
the pair's French sentence (one reference per line) with sacreBLEU's default ``13a``
tokeniser and ``lowercase=True`` (the models only ever see lower-cased text, which the
signatures record as ``case:lc``). Scores are given overall, for sources of at most 20
words, and per source-length bucket (English words separated by whitespace).
Results go to ``assets/translation/evaluation.json``; the page draws its
BLEU-vs-length chart from that file.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from sequence_models.runtime import asset_path
from sequence_models.translation.data import ATTRIBUTION, read_pairs
from sequence_models.translation.decode import greedy_batch
from sequence_models.translation.seq2seq import Translator
from sequence_models.translation.tokenize import count_words, detokenize_fr
from sequence_models.translation.translate import EVALUATION_FILE, MODEL_FILES, load_model

BUCKETS: list[tuple[str, int, int]] = [("1–5", 1, 5), ("6–10", 6, 10), ("11–15", 11, 15), ("16–20", 16, 20),
                                       ("21+", 21, 10**9)]


def bucket_of(words: int) -> str:
    """Name of the source-length bucket for a sentence of ``words`` words."""
    for name, lo, hi in BUCKETS:
        if lo <= words <= hi:
            return name
    return BUCKETS[0][0]


def translate_corpus(tr: Translator, sentences: list[list[str]], batch_size: int = 64) -> list[str]:
    """Greedy translations (detokenised French) of tokenised English ``sentences``, in order."""
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    out: list[str] = [""] * len(sentences)
    for k in range(0, len(order), batch_size):
        idx = order[k: k + batch_size]
        ids = greedy_batch(tr.model, [tr.src_vocab.encode(sentences[i]) for i in idx])
        for i, seq in zip(idx, ids):
            out[i] = detokenize_fr(tr.tgt_vocab.decode(seq))
    return out


def score(hyps: list[str], refs: list[str]) -> dict:
    """Corpus BLEU and chrF (lower-cased) with their sacreBLEU signatures."""
    from sacrebleu.metrics import BLEU, CHRF
    bleu, chrf = BLEU(lowercase=True), CHRF(lowercase=True)
    b, c = bleu.corpus_score(hyps, [refs]), chrf.corpus_score(hyps, [refs])
    return {"n": len(hyps), "bleu": round(b.score, 2), "chrf": round(c.score, 2),
            "bleu_signature": str(bleu.get_signature()), "chrf_signature": str(chrf.get_signature())}


def evaluate_model(tr: Translator, pairs, batch_size: int = 64) -> dict:
    """Scores of one model: ``overall``, ``upto20`` and ``buckets`` (list, in bucket order)."""
    hyps = translate_corpus(tr, [p.en_tokens for p in pairs], batch_size)
    refs = [p.fr for p in pairs]
    words = [count_words(p.en) for p in pairs]
    result = {"overall": score(hyps, refs),
              "upto20": score([h for h, w in zip(hyps, words) if w <= 20], [r for r, w in zip(refs, words) if w <= 20]),
              "buckets": []}
    for name, lo, hi in BUCKETS:
        sel = [i for i, w in enumerate(words) if lo <= w <= hi]
        if sel:
            result["buckets"].append({"bucket": name, **score([hyps[i] for i in sel], [refs[i] for i in sel])})
    result["examples"] = [{"en": pairs[i].en, "fr": pairs[i].fr, "output": hyps[i]}
                          for i in sorted(range(len(pairs)), key=lambda i: -words[i])[:3]]
    info = dict(tr.info)
    info.pop("history", None)
    result["training"] = info
    return result


def evaluate_main(argv: list[str]) -> int:
    from sequence_models.cli import OneLineParser
    p = OneLineParser(prog="python -m sequence_models evaluate translation",
                description="BLEU and chrF (sacreBLEU) of both translation models on the test split, by source length.")
    p.add_argument("--data", default=None, help="data folder (default: ../shared/data)")
    p.add_argument("--split", default="test", choices=["dev", "test"])
    p.add_argument("--limit", type=int, default=None, help="score only the first N pairs (quick checks)")
    p.add_argument("--out", default=None, help=f"results JSON (default: assets/{EVALUATION_FILE}; '-' = do not write)")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    pairs = [q for q in read_pairs(args.split, args.data, args.limit) if q.en_tokens]
    results: dict = {"split": args.split, "pairs": len(pairs), "decoding": "greedy",
                     "references": "one French reference per test line", "attribution": ATTRIBUTION, "models": {}}
    for name in MODEL_FILES:
        t0 = time.time()
        res = evaluate_model(load_model(name), pairs)
        res["eval_seconds"] = round(time.time() - t0, 1)
        results["models"][name] = res
    print(format_table(results))
    for name, res in results["models"].items():
        print(f"{name}: {res['overall']['bleu_signature']} | {res['overall']['chrf_signature']}")
    if args.out != "-":
        out = Path(args.out) if args.out else asset_path(EVALUATION_FILE)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


def format_table(results: dict) -> str:
    """The Markdown table that goes into the README."""
    models = results["models"]
    att, pl = models.get("attention"), models.get("plain")
    lines = ["| source words | pairs | BLEU attention | BLEU no attention | chrF attention | chrF no attention |",
             "|---|---:|---:|---:|---:|---:|"]
    rows = [("all", att["overall"], pl["overall"]), ("≤ 20", att["upto20"], pl["upto20"])]
    for a, b in zip(att["buckets"], pl["buckets"]):
        rows.append((a["bucket"], a, b))
    for label, a, b in rows:
        lines.append(f"| {label} | {a['n']} | {a['bleu']:.1f} | {b['bleu']:.1f} | {a['chrf']:.1f} | {b['chrf']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(evaluate_main(sys.argv[1:]))
