"""``python -m sequence_models evaluate translation``: sacreBLEU BLEU and chrF of both models.

Three measurements, all written to ``assets/translation/evaluation.json`` (the page and the
model card ``sequence_models/translation/README.md`` are drawn from that file):

1. **Test split** (Tatoeba, one French reference per line): greedy and beam-5 decoding,
   BLEU and chrF cased and lower-cased (sacreBLEU defaults: ``13a`` tokeniser, signatures
   stored), overall, for sources of at most 20 words, and per source-length bucket
   (English words separated by whitespace).
2. **Joined-sentence long test set** (:func:`~sequence_models.translation.data.long_test_set`):
   runs of 2–6 consecutive test pairs joined into one input, so the buckets 16–25, 26–40 and
   41–60 words hold enough inputs to show how each model's BLEU falls with length
   (Bahdanau et al. 2015, figure 2). Greedy decoding.
3. **Classroom typing**: the test split's English lower-cased, and without its end mark (``.``/``?``/``!``),
   as students often type it, translated with the normalising step the page and CLI use
   (:mod:`~sequence_models.translation.normalise`) and without it (the model reading the text as
   typed). Greedy decoding.
4. **Unseen names** (:mod:`~sequence_models.translation.names`): the share of first names and
   places absent from the training split that the greedy output copies verbatim.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import torch

from sequence_models.runtime import asset_path, atomic_write_text, check_writable_file
from sequence_models.translation.data import ATTRIBUTION, LONG_BUCKETS, LONG_PER_BUCKET, Pair, long_test_set, read_pairs
from sequence_models.translation.decode import beam_batch, greedy_batch
from sequence_models.translation.names import NAME_SENTENCES, missing_names, names_copied
from sequence_models.translation.seq2seq import Translator, load_translator
from sequence_models.translation.translate import EVALUATION_FILE, MODEL_FILES, model_path
from sequence_models.translation.normalise import load_word_table, normalise

BUCKETS: list[tuple[str, int, int]] = [("1–5", 1, 5), ("6–10", 6, 10), ("11–15", 11, 15), ("16–20", 16, 20),
                                       ("21+", 21, 10**9)]
MODEL_CARD = Path(__file__).resolve().parent / "README.md"
BEAM = 5
#: The acceptance's short-sentence limit (source words), scored as ``upto20``.
SHORT_WORDS = 20
#: How students type a test sentence, for the classroom-typing measurement: name → English as typed.
TYPING = {"lower_case": str.lower, "no_end_mark": lambda en: re.sub(r"[.!?…]+$", "", en.strip())}
#: What each kind of typing is called in the model card and on the page.
TYPING_LABELS = {"lower_case": "in lower case", "no_end_mark": "without the end mark (. ? !)"}
#: A length bucket with fewer test sentences than this is an anecdote, not a measurement.
MIN_BUCKET = 100


def bucket_of(words: int, buckets=BUCKETS) -> str:
    """Name of the source-length bucket for a sentence of ``words`` words."""
    for name, lo, hi in buckets:
        if lo <= words <= hi:
            return name
    return buckets[0][0]


def _detok(tr: Translator, ids: list[int]) -> str:
    return tr.subwords.detokenize(tr.vocab.decode(ids))


def translate_corpus(tr: Translator, sentences: list[str], beam: int = 1, batch_size: int = 64,
                     prepared: bool = True) -> list[str]:
    """Translations (French text) of English ``sentences``, in order: batched greedy or beam search. With
    ``prepared`` each sentence is normalised first, as on the page and in the CLI."""
    if prepared:
        words = load_word_table()
        sentences = [normalise(s, words) for s in sentences]
    srcs = [tr.vocab.encode(tr.subwords.pieces(s)) for s in sentences]
    out: list[str] = [""] * len(sentences)
    order = sorted(range(len(srcs)), key=lambda i: len(srcs[i]))
    size = batch_size if beam == 1 else max(1, batch_size // 2)
    for k in range(0, len(order), size):
        idx = order[k: k + size]
        batch = [srcs[i] for i in idx]
        decoded = greedy_batch(tr.model, batch) if beam == 1 else beam_batch(tr.model, batch, beam)
        for i, seq in zip(idx, decoded):
            out[i] = _detok(tr, seq)
    return out


def signatures() -> dict[str, str]:
    """sacreBLEU signatures of the four metrics (the same for every row of the results)."""
    from sacrebleu.metrics import BLEU, CHRF
    metrics = {"bleu": BLEU(), "bleu_lc": BLEU(lowercase=True), "chrf": CHRF(), "chrf_lc": CHRF(lowercase=True)}
    for m in metrics.values():
        m.corpus_score(["a"], [["a"]])   # a signature records the reference count, known after scoring
    return {k: str(m.get_signature()) for k, m in metrics.items()}


def score(hyps: list[str], refs: list[str]) -> dict:
    """Corpus BLEU and chrF, cased and lower-cased (``_lc``)."""
    from sacrebleu.metrics import BLEU, CHRF
    out: dict = {"n": len(hyps)}
    for suffix, lc in (("", False), ("_lc", True)):
        out["bleu" + suffix] = round(BLEU(lowercase=lc).corpus_score(hyps, [refs]).score, 2)
        out["chrf" + suffix] = round(CHRF(lowercase=lc).corpus_score(hyps, [refs]).score, 2)
    return out


def scores_by_length(hyps: list[str], pairs: list[Pair], buckets=BUCKETS) -> dict:
    """``overall``, ``upto20`` and ``buckets`` (list in bucket order, only non-empty buckets)."""
    refs = [p.fr for p in pairs]
    words = [p.words for p in pairs]
    upto = [i for i, w in enumerate(words) if w <= SHORT_WORDS]
    result = {"overall": score(hyps, refs), "upto20": score([hyps[i] for i in upto], [refs[i] for i in upto]),
              "buckets": []}
    for name, lo, hi in buckets:
        sel = [i for i, w in enumerate(words) if lo <= w <= hi]
        if sel:
            result["buckets"].append({"bucket": name, **score([hyps[i] for i in sel], [refs[i] for i in sel])})
    return result


def names_scores(tr: Translator) -> dict:
    """Unseen names copied verbatim by greedy decoding: with the attention-guided copy step of the page
    and CLI (``copied``) and by the decoder alone (``copied_raw``)."""
    from sequence_models.translation.translate import translate
    texts = [s for s, _ in NAME_SENTENCES]
    outs = [translate(tr, s) for s in texts]
    copied, total = names_copied([r.translation for r in outs])
    raw, _ = names_copied([r.raw_translation for r in outs])
    typed_lower, _ = names_copied([translate(tr, s.lower()).translation for s in texts])
    return {"copied": copied, "copied_raw": raw, "copied_typed_lower": typed_lower, "total": total,
            "share": round(copied / max(1, total), 4),
            "share_raw": round(raw / max(1, total), 4), "sentences": len(NAME_SENTENCES),
            "missing": missing_names([r.translation for r in outs]),
            "examples": [{"en": texts[i], "raw": outs[i].raw_translation, "output": outs[i].translation}
                         for i in range(3)]}


def evaluate_model(tr: Translator, pairs: list[Pair], long_pairs: list[Pair], beam: int = BEAM) -> dict:
    """All scores of one model (see the module docstring)."""
    t0 = time.time()
    greedy = translate_corpus(tr, [p.en for p in pairs])
    result: dict = {"greedy": scores_by_length(greedy, pairs)}
    result["greedy_seconds"] = round(time.time() - t0, 1)
    if beam > 1:
        t0 = time.time()
        result[f"beam{beam}"] = scores_by_length(translate_corpus(tr, [p.en for p in pairs], beam), pairs)
        result["beam_seconds"] = round(time.time() - t0, 1)
    if long_pairs:
        long_hyps = translate_corpus(tr, [p.en for p in long_pairs])
        result["long"] = scores_by_length(long_hyps, long_pairs, LONG_BUCKETS)
        result["long_examples"] = [{"en": long_pairs[i].en, "fr": long_pairs[i].fr, "output": long_hyps[i]}
                                   for i in (0, len(long_pairs) // 2, len(long_pairs) - 1)]
    refs = [p.fr for p in pairs]
    result["typing"] = {}
    for kind, typed in TYPING.items():
        sources = [typed(p.en) for p in pairs]
        result["typing"][kind] = {"prepared": score(translate_corpus(tr, sources), refs),
                                  "as_typed": score(translate_corpus(tr, sources, prepared=False), refs)}
    result["names"] = names_scores(tr)
    words = [p.words for p in pairs]
    result["examples"] = [{"en": pairs[i].en, "fr": pairs[i].fr, "output": greedy[i]}
                          for i in sorted(range(len(pairs)), key=lambda i: -words[i])[:3]]
    info = dict(tr.info)
    result["training"] = info
    return result


def _evaluate_file(job: tuple[str, list[Pair], list[Pair], int]) -> dict:
    """Load one checkpoint and evaluate it (a top-level function, so a worker process can run it)."""
    torch.set_num_threads(1)
    path, pairs, long_pairs, beam = job
    t0 = time.time()
    res = evaluate_model(load_translator(path, frozen=True), pairs, long_pairs, beam)
    res["eval_seconds"] = round(time.time() - t0, 1)
    return res


def evaluate_main(argv: list[str]) -> int:
    from sequence_models.cli import OneLineParser, bounded
    p = OneLineParser(prog="python -m sequence_models evaluate translation",
                      description="BLEU and chrF (sacreBLEU) of both translation models on the test split, by "
                                  "source length, greedy and beam 5; the joined-sentence long test set; unseen names.")
    p.add_argument("--data", default=None, help="data folder (default: ../shared/data)")
    p.add_argument("--split", default="test", choices=["dev", "test"])
    p.add_argument("--limit", type=bounded(int, 1), default=None, help="score only the first N pairs (quick checks)")
    p.add_argument("--long-per-bucket", type=bounded(int, 0, 10000), default=LONG_PER_BUCKET,
                   help="inputs per bucket of the joined-sentence long test set (0 = skip it)")
    p.add_argument("--beam", type=bounded(int, 1, 8), default=BEAM,
                   help="beam width for the second decoding (1 = skip)")
    p.add_argument("--models", default=None,
                   help="folder holding attention.pt, plain.pt and spm.model (default: assets/translation)")
    p.add_argument("--jobs", type=bounded(int, 1, 2), default=1, help="evaluate the two models in parallel (2)")
    p.add_argument("--out", default=None, help=f"results JSON (default: assets/{EVALUATION_FILE}; '-' = do not write)")
    p.add_argument("--card", default=None,
                   help="model card Markdown (default: sequence_models/translation/README.md; '-' = do not write)")
    p.add_argument("--names-only", action="store_true",
                   help="recompute only the unseen-names scores in the existing results JSON (and the card)")
    args = p.parse_args(argv)
    if args.names_only:
        return _names_only(args)
    out = None if args.out == "-" else check_writable_file(Path(args.out) if args.out else asset_path(EVALUATION_FILE))
    card = None if args.card == "-" else check_writable_file(Path(args.card) if args.card else MODEL_CARD)
    torch.set_num_threads(1)
    pairs = read_pairs(args.split, args.data, args.limit)
    long_pairs = long_test_set(read_pairs(args.split, args.data), args.long_per_bucket) if args.long_per_bucket else []
    files = {name: Path(args.models) / Path(MODEL_FILES[name]).name if args.models else model_path(name)
             for name in MODEL_FILES}
    # fail early on a bad file
    translators = {name: load_translator(path, frozen=True) for name, path in files.items()}
    results: dict = {"split": args.split, "pairs": len(pairs), "long_inputs": len(long_pairs),
                     "long_per_bucket": args.long_per_bucket, "beam": args.beam,
                     "references": "one French reference per test line", "attribution": ATTRIBUTION,
                     "signatures": signatures(),
                     "long_set": ("Joined-sentence test set: the unique English sentences of the test split (first "
                                  "French translation of each) in a fixed shuffled order; each input joins 2–6 "
                                  "consecutive sentences (English with a space, French likewise) and goes to the "
                                  "bucket of its English word count."),
                     "models": {}}
    jobs = [(str(files[name]), pairs, long_pairs, args.beam) for name in translators]
    if args.jobs > 1:   # one process per model, one torch thread each
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(min(args.jobs, len(jobs))) as pool:
            done = list(pool.map(_evaluate_file, jobs))
    else:
        done = [_evaluate_file(job) for job in jobs]
    for name, res in zip(translators, done):
        res["file_mb"] = round(files[name].stat().st_size / 1e6, 2)
        results["models"][name] = res
        print(f"{name}: done in {res['eval_seconds']:.0f}s", flush=True)
    print(format_table(results))
    for key, sig in results["signatures"].items():
        print(f"{key}: {sig}")
    _write(results, out, card)
    return 0


def _names_only(args) -> int:
    from sequence_models.runtime import DataError
    path = Path(args.out) if args.out and args.out != "-" else asset_path(EVALUATION_FILE)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the results to update: {path} ({exc})") from None
    card = None if args.card == "-" else check_writable_file(Path(args.card) if args.card else MODEL_CARD)
    for name in MODEL_FILES:
        file = Path(args.models) / Path(MODEL_FILES[name]).name if args.models else model_path(name)
        results["models"][name]["names"] = names_scores(load_translator(file, frozen=True))
        n = results["models"][name]["names"]
        print(f"{name}: names copied {n['copied']}/{n['total']} (decoder alone {n['copied_raw']})")
    _write(results, path, card)
    return 0


def _write(results: dict, out: Path | None, card: Path | None) -> None:
    """Write ``results`` to ``out`` and the model card made from them to ``card`` (each unless None), saying so."""
    if out is not None:
        atomic_write_text(out, json.dumps(results, ensure_ascii=False, indent=1) + "\n")
        print(f"wrote {out}")
    if card is not None:
        atomic_write_text(card, model_card(results))
        print(f"wrote {card}")


def _row(label: str, a: dict, b: dict, key: str) -> str:
    return f"| {label} | {a['n']} | {a[key]:.1f} | {b[key]:.1f} |"


def format_table(results: dict, decoding: str = "greedy", key: str = "bleu_lc") -> str:
    """Markdown table: BLEU (``key``) of both models by source length for one decoding."""
    att, pl = results["models"]["attention"][decoding], results["models"]["plain"][decoding]
    lines = [f"| source words | inputs | {key} attention | {key} no attention |", "|---|---:|---:|---:|",
             _row("all", att["overall"], pl["overall"], key), _row("≤ 20", att["upto20"], pl["upto20"], key)]
    for a, b in zip(att["buckets"], pl["buckets"]):
        lines.append(_row(a["bucket"], a, b, key))
    return "\n".join(lines)


def _full_table(res: dict) -> list[str]:
    lines = ["| source words | inputs | BLEU | BLEU lc | chrF | chrF lc |", "|---|---:|---:|---:|---:|---:|"]
    rows = [("all", res["overall"]), ("≤ 20", res["upto20"])] + [(b["bucket"], b) for b in res["buckets"]]
    for label, r in rows:
        lines.append(f"| {label} | {r['n']} | {r['bleu']:.1f} | {r['bleu_lc']:.1f} | {r['chrf']:.1f} | "
                     f"{r['chrf_lc']:.1f} |")
    return lines


def model_card(results: dict) -> str:
    """The model card (Markdown), rendered from the evaluation results only."""
    models = results["models"]
    att, pl = models["attention"], models["plain"]
    tinfo = att["training"]
    beam_key = f"beam{results['beam']}"
    out = ["# Translation models (English → French)", "",
           "Generated by `python -m sequence_models evaluate translation` from "
           f"`assets/{EVALUATION_FILE}`; do not edit by hand.", "",
           "## Data", "", f"{results['attribution']}. Shared splits in `../shared/data/translation/` "
           f"(test: {results['pairs']:,} pairs, one reference each).", "",
           "## Models", "",
           "Both models share one cased SentencePiece unigram vocabulary "
           f"(`assets/translation/spm.model`, {tinfo.get('subword_pieces', '?')} pieces, trained on the training "
           "split only, byte fallback so no character is unknown) and one embedding table for English and French. "
           "Encoder: bidirectional GRU. Decoder: GRU with Bahdanau additive attention, or the same GRU seeing only "
           "the encoder's final state (no attention). Adaptive softmax output. Weights stored as int8 rows with "
           "fp16 scales.", "",
           "| model | parameters | file | steps (all stages) | minutes (1 thread, shared 2-core CPU) | best dev loss |",
           "|---|---:|---:|---:|---:|---:|"]
    for name, label in (("attention", "attention"), ("plain", "no attention")):
        t = models[name]["training"]
        out.append(f"| {label} | {t.get('parameters', 0) / 1e6:.2f} M | {models[name].get('file_mb', 0):.1f} MB | "
                   f"{t.get('steps_total', t.get('steps', '?'))} | "
                   f"{t.get('train_minutes_total', t.get('train_minutes', '?'))} | {t.get('best_dev_loss', '?')} |")
    stages = [*tinfo.get("stages", []), tinfo]
    out += ["", "Training commands, in order (attention; the baseline adds `--no-attention`; each stage keeps the "
            "checkpoint with the best dev loss and the next stage starts from it):", ""]
    for i, st in enumerate(stages, 1):
        out.append(f"{i}. `python -m sequence_models train translation {' '.join(st.get('argv') or [])}` "
                   f"({st.get('steps', '?')} steps, {st.get('train_minutes', '?')} min, best dev loss "
                   f"{st.get('best_dev_loss', '?')})")
    out += ["", f"Training data: {tinfo.get('train_pairs', '?'):,} pairs of at most 50 pieces per side"
            + (f" (with {tinfo['name_swapped']:,} copies whose names were swapped for made-up ones on both "
               "sides, so the model learns to copy names)" if tinfo.get("name_swapped") else "")
            + (f" and {tinfo['class_swapped']:,} copies whose months, weekdays or countries were swapped for others "
               "of the same kind on both sides (`SWAP_CLASSES` in `data.py`: Tatoeba names a few countries and months "
               "often and the rest rarely)" if tinfo.get("class_swapped") else "")
            + f", plus {tinfo.get('joined_inputs', '?'):,} inputs made by joining 2–4 training pairs.", "",
            "## Scores (test split)", "", "Signatures: " + "; ".join(f"`{v}`" for v in results["signatures"].values()),
            ""]
    for name, label in (("attention", "Attention"), ("plain", "No attention")):
        for dec in ("greedy", beam_key):
            if dec in models[name]:
                out += [f"**{label}, {dec}:**", ""] + _full_table(models[name][dec]) + [""]
    if "long" in att:
        out += ["## Long inputs (joined-sentence test set, greedy)", "", results["long_set"], "",
                "| source words | inputs | BLEU lc attention | BLEU lc no attention |", "|---|---:|---:|---:|"]
        for a, b in zip(att["long"]["buckets"], pl["long"]["buckets"]):
            out.append(f"| {a['bucket']} | {a['n']} | {a['bleu_lc']:.1f} | {b['bleu_lc']:.1f} |")
        out.append("")
    if "typing" in att:
        out += ["## Classroom typing (test split, greedy)", "",
                "The test split's English as students often type it, translated with the normalising step the page "
                "and the CLI apply first (`normalise.py`: each lower-case word gets its usual case in the training "
                "English, `assets/translation/words.json`, each sentence starts with a capital, and a sentence "
                "without an end mark gets `?` when it starts like a question, else `.`) and read as typed:", "",
                "| typed | model | BLEU lc, normalised | BLEU lc, as typed | chrF lc, normalised | chrF lc, as typed |",
                "|---|---|---:|---:|---:|---:|"]
        for kind, label in TYPING_LABELS.items():
            for name, model_label in (("attention", "attention"), ("plain", "no attention")):
                t = models[name]["typing"][kind]
                good, raw = t["prepared"], t["as_typed"]
                out.append(f"| {label} | {model_label} | {good['bleu_lc']:.1f} | {raw['bleu_lc']:.1f} "
                           f"| {good['chrf_lc']:.1f} | {raw['chrf_lc']:.1f} |")
        out.append("")
    na, npl = att["names"], pl["names"]
    out += ["## Unseen names", "",
            f"{na['sentences']} sentences of our own (`sequence_models/translation/names.py`) with first names and "
            f"places absent from the training split. Greedy output of the attention model with the attention-guided "
            f"copy step (a name-like source word replaces the output word that attended to it most, as in Luong et "
            f"al. 2015): {na['copied']} of {na['total']} names verbatim; the decoder alone copies "
            f"{na.get('copied_raw', '?')}. Without attention there is no alignment to copy along: "
            f"{npl['copied']} of {npl['total']}. The same sentences typed in lower case (normalised first: a word the "
            f"training English never contains is read as a name): {na.get('copied_typed_lower', '?')} of "
            f"{na['total']} names copied.", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(evaluate_main(sys.argv[1:]))
