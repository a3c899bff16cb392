"""Sentiment: tokenizer, data, word-order set, models, a tiny training run, evaluation, and the CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict

import pytest
import torch

from sequence_models import runtime
from sequence_models.cli import main as cli_main
from sequence_models.runtime import AssetError, DataError
from sequence_models.sentiment.augment import Augmenter, sentiment_lexicon
from sequence_models.sentiment.data import LABELS, Vocab, read_examples, tokenize
from sequence_models.sentiment.evaluate import model_card, read_word_order, scores
from sequence_models.sentiment.inference import MAX_TOKENS, analyse, load_one
from sequence_models.sentiment.model import BagOfWords, SentimentRNN, default_config
from sequence_models.sentiment.page_data import reading_csv, short_text_share
from sequence_models.sentiment.train import final_probs, main as train_main, pad, sequence_loss
from tests.cli_helpers import assert_one_line_error, run_in_process
from tests.conftest import ROOT


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def models():
    return load_one("gru"), load_one("bow")


def write_split(path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows), encoding="utf-8")


# --- data -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Don't buy it!", ["do", "n't", "buy", "it", "!"]),
    ("i 'm happy with it .", ["i", "'m", "happy", "with", "it", "."]),
    ("I'm happy", ["i", "'m", "happy"]),
    ("Can't stop, 3.5 stars, $50", ["can", "n't", "stop", ",", "3.5", "stars", ",", "$", "50"]),
    ("isn\u2019t GREAT", ["is", "n't", "great"]),
    ("", []),
])
def test_tokenizer(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_read_examples_rejects_bad_files(tmp_path) -> None:
    good = tmp_path / "ok.tsv"
    write_split(good, [("Great zoom", "pos"), ("Eats batteries", "neg")])
    assert [e.label for e in read_examples(good)] == [1, 0]
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\tlabel\nno tab here\n", encoding="utf-8")
    with pytest.raises(DataError, match="expected"):
        read_examples(bad)
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        read_examples(empty)
    header_only = tmp_path / "header.tsv"
    header_only.write_text("text\tlabel\n", encoding="utf-8")
    with pytest.raises(DataError, match="no labelled texts"):
        read_examples(header_only)


def test_word_order_pairs_are_same_bags_with_opposite_labels() -> None:
    rows = read_word_order()
    pairs = defaultdict(list)
    for r in rows:
        pairs[r.pair].append(r)
    assert len(pairs) >= 60
    for number, (a, b) in ((n, v) for n, v in pairs.items()):
        assert {a.label, b.label} == {0, 1}, number
        assert Counter(tokenize(a.text)) == Counter(tokenize(b.text)), number
        assert a.text != b.text and a.kind == b.kind


def test_bag_of_words_gives_both_texts_of_every_pair_the_same_score(models) -> None:
    _, bow = models
    rows = read_word_order()
    probs = final_probs(bow.model, [bow.vocab.encode(tokenize(r.text)) for r in rows]).tolist()
    by_pair = defaultdict(list)
    for r, p in zip(rows, probs):
        by_pair[r.pair].append(p)
    assert all(abs(a - b) < 1e-5 for a, b in by_pair.values())


# --- models ---------------------------------------------------------------------------------

def test_per_step_outputs_depend_only_on_the_prefix() -> None:
    torch.manual_seed(0)
    model = SentimentRNN(default_config("gru", 50)).eval()
    ids = torch.tensor([[5, 6, 7, 8, 9]])
    longer = torch.tensor([[5, 6, 7, 8, 9, 10, 11]])
    with torch.no_grad():
        a, states = model(ids)
        b, _ = model(longer)
    assert states.shape == (1, 5, model.config["hidden"])
    assert torch.allclose(a, b[:, :5], atol=1e-6)      # many-to-one read left to right: later words cannot leak back


def test_bag_of_words_ignores_order() -> None:
    model = BagOfWords(default_config("bow", 20))
    with torch.no_grad():
        model.weight.weight[1:].normal_()            # row 0 is padding and stays 0, as in training
        assert torch.allclose(model(torch.tensor([[3, 4, 5]])), model(torch.tensor([[5, 3, 4]])))
        assert torch.allclose(model(torch.tensor([[3, 4, 0, 0]])), model(torch.tensor([[4, 3]])))  # padding adds 0


def test_sequence_loss_counts_the_last_step_and_masks_weights() -> None:
    logits = torch.tensor([[0.0, 0.0, 10.0]])
    target = torch.tensor([[0.0, 0.0, 1.0]])
    lengths = torch.tensor([3])
    full = sequence_loss(logits, lengths, target, torch.ones(1, 3))
    final_only = sequence_loss(logits, lengths, target, torch.zeros(1, 3))
    assert final_only < 1e-3 < full            # weights 0 leave only the verdict's loss
    wrong_end = sequence_loss(torch.tensor([[0.0, 0.0, -10.0]]), lengths, target, torch.zeros(1, 3))
    assert wrong_end > 9


def test_augmentation_uses_the_clause_after_but_and_flips_negations() -> None:
    import random
    texts = [(["great", "pictures"], 1), (["easy", "to", "use"], 1), (["slow", "zoom"], 0), (["poor", "battery"], 0)]
    aug = Augmenter(texts, sentiment_lexicon(texts, min_count=1))
    rng = random.Random(0)
    for _ in range(50):
        tokens, target, weight = aug.contrast(rng)
        cut = next(i for i, t in enumerate(tokens) if t in {",", "but", ".", "however"})
        assert target[-1] != target[0] and all(t == target[0] for t in target[:cut]) and weight[cut] == 0
        tokens, target, _ = aug.negation(rng)
        assert "not" in tokens or "n't" in tokens
        assert len(set(target)) == 1


def test_analyse_returns_one_probability_per_token(models) -> None:
    gru, bow = models
    r = analyse(gru, bow, "Great pictures, but the battery dies fast.")
    assert len(r.tokens) == len(r.prob_positive) == len(r.hidden) == len(r.bow_weights) == len(r.moves)
    assert all(0 <= p <= 1 for p in r.prob_positive)
    assert r.bow_prob == pytest.approx(float(torch.sigmoid(torch.tensor(sum(r.bow_weights) + r.bow_bias))), abs=1e-4)
    assert sum(r.moves) == pytest.approx(r.prob_positive[-1] - 0.5, abs=1e-6)
    empty = analyse(gru, bow, "   ")
    assert empty.tokens == [] and empty.label is None
    long = analyse(gru, bow, "good " * 1000)
    assert len(long.tokens) == MAX_TOKENS and long.truncated


def test_committed_gru_reads_clear_reviews_and_a_negation_pair(models) -> None:
    gru, bow = models
    assert analyse(gru, bow, "Easy to use, great pictures").label == "pos"
    assert analyse(gru, bow, "Eats batteries, very slow").label == "neg"
    assert analyse(gru, bow, "Good, not bad.").label == "pos"
    assert analyse(gru, bow, "Bad, not good.").label == "neg"


def test_weights_are_small(models) -> None:
    for name in ("gru", "gru_plain", "bow"):
        assert (ROOT / "assets" / "sentiment" / f"{name}.pt").stat().st_size <= 5_000_000


def test_corrupt_weights_raise_asset_error(tmp_path) -> None:
    (tmp_path / "gru.pt").write_bytes(b"not a torch file")
    with pytest.raises(AssetError, match="corrupt"):
        load_one("gru", tmp_path)
    with pytest.raises(AssetError, match="missing"):
        load_one("bow", tmp_path)


def test_csv_export_has_one_row_per_token_and_defuses_formulas(models) -> None:
    r = analyse(*models, "=cmd great -zoom")
    lines = reading_csv(r).splitlines()
    assert lines[0].startswith("t,token,") and len(lines) == 1 + len(r.tokens) + 1
    assert all(not line.split(",")[1].startswith(("=", "+", "-", "@")) for line in lines[1:])


def test_scores() -> None:
    s = scores([1, 1, 0, 0], [1, 0, 0, 0])
    assert s["accuracy"] == 0.75 and s["f1_pos"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["f1_neg"] == pytest.approx(0.8, abs=1e-4)


# --- training and evaluation on a tiny slice -------------------------------------------------

def tiny_data(root) -> None:
    pos = ["great pictures", "easy to use", "excellent sound", "good battery", "love the zoom", "very fast"]
    neg = ["poor pictures", "hard to use", "terrible sound", "bad battery", "hate the zoom", "very slow"]
    rows = [(t, "pos") for t in pos] + [(t, "neg") for t in neg]
    for split in ("train", "dev", "test"):
        write_split(root / "sentiment" / f"{split}.tsv", rows * (20 if split == "train" else 1))


def test_tiny_training_run_learns_and_evaluates(tmp_path, capsys) -> None:
    tiny_data(tmp_path / "data")
    out = tmp_path / "weights"
    assert train_main(["--data", str(tmp_path / "data"), "--out", str(out), "--epochs", "6", "--hidden", "16",
                       "--batch-size", "16"]) == 0
    assert {p.name for p in out.iterdir()} == {"gru.pt", "gru_plain.pt", "bow.pt"}
    gru, bow = load_one("gru", out), load_one("bow", out)
    assert gru.training["dev_accuracy"] >= 0.9 and bow.training["dev_accuracy"] >= 0.9
    assert analyse(gru, bow, "excellent sound").label == "pos"
    results, card = tmp_path / "ev.json", tmp_path / "card.md"
    assert cli_main(["evaluate", "sentiment", "--data", str(tmp_path / "data"), "--weights", str(out),
                     "--out", str(results), "--card", str(card)]) == 0
    ev = json.loads(results.read_text())
    assert set(ev["models"]) == {"gru", "gru_plain", "bow"}
    assert ev["models"]["bow"]["word_order"]["accuracy"] == 0.5      # same bags: one of each pair right
    assert "CC BY 4.0" in card.read_text() and f"{ev['models']['gru']['test']['accuracy']:.4f}" in card.read_text()


def test_training_is_reproducible(tmp_path) -> None:
    tiny_data(tmp_path / "data")
    sds = []
    for run in ("a", "b"):
        train_main(["--data", str(tmp_path / "data"), "--out", str(tmp_path / run), "--epochs", "1", "--hidden", "8",
                    "--model", "gru"])
        sds.append(torch.load(tmp_path / run / "gru.pt", weights_only=True)["state_dict"])
    assert all(torch.equal(sds[0][k], sds[1][k]) for k in sds[0])


def test_committed_evaluation_meets_the_acceptance_and_the_card_matches() -> None:
    ev = json.loads((ROOT / "assets" / "sentiment" / "evaluation.json").read_text())
    gru, bow = ev["models"]["gru"], ev["models"]["bow"]
    assert gru["test"]["accuracy"] >= max(bow["test"]["accuracy"], 0.92)
    assert 100 * (gru["word_order"]["accuracy"] - bow["word_order"]["accuracy"]) >= 20
    assert ev["acceptance"]["passed"]
    card = (ROOT / "sequence_models" / "sentiment" / "README.md").read_text()
    assert card == model_card(ev)


def test_shared_splits(shared_data) -> None:
    from sequence_models.sentiment.data import load_split
    test = load_split("test", shared_data)
    assert len(test) == 4331 and {e.label for e in test} == {0, 1}


# --- CLI contract ------------------------------------------------------------------------------

def test_cli_json_contract_in_a_subprocess() -> None:
    proc = subprocess.run([sys.executable, "-m", "sequence_models", "sentiment", "Good, not bad.", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["tokens"] == ["good", ",", "not", "bad", "."]
    assert len(out["prob_positive"]) == len(out["tokens"])
    assert out["label"] == ("pos" if out["prob_positive"][-1] >= 0.5 else "neg") == "pos"
    assert out["baseline"]["label"] in LABELS and 0 <= out["baseline"]["prob_positive"] <= 1
    assert len(out["baseline"]["weights"]) == len(out["tokens"])


@pytest.mark.parametrize("text", ["", "   ", "<script>alert(1)</script>", "🙂👍🏽 مرحبا", "a\x00b\x1b[31m",
                                  ("Paris is big. " * 7200)[:100_000]])
def test_cli_odd_text(text: str, capsys) -> None:
    assert cli_main(["sentiment", text, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["tokens"]) == len(out["prob_positive"]) <= MAX_TOKENS
    assert (out["label"] is None) == (not out["tokens"])


@pytest.mark.parametrize("argv, code, fragment", [
    (["sentiment"], 2, "required"),
    (["sentiment", "x", "--bogus"], 2, "unrecognized arguments"),
    (["train", "sentiment", "--epochs", "0"], 2, "at least 1"),
    (["train", "sentiment", "--lr", "nan"], 2, "positive number"),
    (["train", "sentiment", "--augment-rate", "-1"], 2, "between 0 and 4"),
    (["train", "sentiment", "--data", "/nonexistent/x"], 1, "not found"),
    (["evaluate", "sentiment", "--data", "/nonexistent/x"], 1, "not found"),
    (["evaluate", "sentiment", "--limit", "0"], 2, "at least 1"),
])
def test_cli_errors_are_one_line(argv, code, fragment, capsys) -> None:
    got, _, err = run_in_process(argv, capsys)
    assert_one_line_error(got, err, code, fragment)


def test_evaluate_refuses_an_unwritable_output_before_working(tmp_path, capsys) -> None:
    folder = tmp_path / "a_folder"
    folder.mkdir()
    assert cli_main(["evaluate", "sentiment", "--out", str(folder)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_missing_weights_fail_with_one_line(tmp_path, capsys) -> None:
    tiny_data(tmp_path / "data")
    code = cli_main(["evaluate", "sentiment", "--data", str(tmp_path / "data"), "--weights", str(tmp_path / "none"),
                     "--out", "-", "--card", "-"])
    assert_one_line_error(code, capsys.readouterr().err, 1, "missing")


def test_vocab_unknown_and_padding() -> None:
    v = Vocab.build([["a", "a", "b"]], min_count=2)
    assert v.words[:2] == ["<pad>", "<unk>"] and v.encode(["a", "zzz"]) == [2, 1]
    ids, lengths = pad([[2, 3], []])
    assert ids.tolist() == [[2, 3], [1, 0]] and lengths.tolist() == [2, 1]


def test_short_text_share_reads_the_closed_length_buckets() -> None:
    buckets = [{"words": "1–4", "n": 30}, {"words": "5–8", "n": 50}, {"words": "9–16", "n": 15},
               {"words": "17+", "n": 5}]
    assert short_text_share(buckets) == (16, 0.95)
    assert short_text_share(buckets[1:]) == (16, 65 / 70)


def test_evaluation_files_are_read_or_refused_whole(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "ASSETS_DIR", tmp_path)
    (tmp_path / "good.json").write_text('{"models": {"gru": {}}, "texts": 3}', encoding="utf-8")
    (tmp_path / "cut.json").write_text('{"models": {"gru"', encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "bare.json").write_text('{"texts": 3}', encoding="utf-8")
    assert runtime.read_evaluation("good.json") == {"models": {"gru": {}}, "texts": 3}
    for name in ("cut.json", "list.json", "bare.json", "missing.json"):
        assert runtime.read_evaluation(name) is None, name
    assert runtime.read_evaluation("bare.json", required=()) == {"texts": 3}


@pytest.mark.parametrize("task", ["train", "evaluate"])
def test_empty_data_is_refused_before_any_output_in_a_real_process(tmp_path, task: str) -> None:
    """Empty splits: exit 1 with one line naming the empty file, and nothing written (issue 19, item 8)."""
    from tests.cli_helpers import run_subprocess

    (tmp_path / "sentiment").mkdir()
    for split in ("train", "dev", "test"):
        (tmp_path / "sentiment" / f"{split}.tsv").write_text("", encoding="utf-8")
    out = tmp_path / ("model" if task == "train" else "evaluation.json")
    code, _, err = run_subprocess(task, "sentiment", "--data", str(tmp_path), "--out", str(out), timeout=300)
    assert_one_line_error(code, err, 1, "empty")
    assert not out.exists()
