"""NER: hostile input (issue 19), the data mix and training pieces (issue 12), evaluation outputs."""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from sequence_models.ner.data import Sentence, repair_boundaries
from sequence_models.ner.evaluate import acceptance, model_card
from sequence_models.ner.metrics import bio_violations
from sequence_models.ner.model import Tagger, default_config
from sequence_models.ner.supplement import SUPPLEMENT_FILE, load_supplement, parse_line
from sequence_models.ner.tokenizer import tokenize
from sequence_models.ner.train import Mix, epoch_sentences, init_from
from sequence_models.ner.vocab import Vocab
from sequence_models.runtime import save_checkpoint
from tests.cli_helpers import assert_one_line_error
from tests.conftest import ROOT
from ui.ner_figures import MAX_NUMBERED_COLUMNS, tag_heatmap, tag_strip_html

CAP = 5000
MARKS = list(string.punctuation) + list("—–“”‘’«»…")


def _cli(*args: str, stdin=None, input_: bytes | None = None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sequence_models", *args], cwd=ROOT, capture_output=True,
                          timeout=300, stdin=stdin, input=input_, env=env)


def _one_line_error(r: subprocess.CompletedProcess, code: int, fragment: str) -> None:
    assert_one_line_error(r.returncode, r.stderr.decode(), code, fragment)


# --- issue 19 item 1: long runs of one character ---------------------------------------------------

@pytest.mark.parametrize("mark", MARKS + ["a", "a--", "a—", "-a", "x.", "$1"])
def test_tokenizer_survives_long_runs_at_the_cap(mark: str) -> None:
    for text in ((mark * CAP)[:CAP], (("x" + mark) * CAP)[:CAP]):
        t0 = time.process_time()                  # CPU time: the machine running the tests may be busy
        tokens = tokenize(text)
        assert time.process_time() - t0 < 1.0     # about 0.02 s here; a quadratic or recursive split is far slower
        assert all(text[t.start:t.end] == t.text and t.text for t in tokens)
        assert "".join(t.text for t in tokens) == text.replace(" ", "")


def test_tokenizer_splits_dash_runs_like_before() -> None:
    assert [t.text for t in tokenize("a--b—c–d")] == ["a", "--", "b", "—", "c", "–", "d"]
    assert [t.text for t in tokenize("a--" * 3)] == ["a", "--", "a", "--", "a", "--"]


def test_cli_tags_dash_runs_and_refuses_overlong_text() -> None:
    for text in ("-" * 3000, "a--" * 1000, "—" * 1996):
        r = _cli("ner", "--json", "--", text)
        assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr[-300:]
        assert json.loads(r.stdout)["text"] == text
    _one_line_error(_cli("ner", "x" * (CAP + 1)), 2, "the limit is 5,000")           # item 12: a bad argument
    _one_line_error(_cli("ner", "-", input_=b"y" * (CAP + 10)), 2, "the limit is 5,000")
    _one_line_error(_closed_stdin(), 1, "standard input is closed")


def _closed_stdin() -> subprocess.CompletedProcess:
    """``ner -`` with standard input closed (``<&-`` in a shell): issue 19 item 11."""
    return subprocess.run(f"{sys.executable} -m sequence_models ner - <&-", shell=True, cwd=ROOT,
                          capture_output=True, timeout=120, executable="/bin/bash")


# --- issue 19 items 8/9: refuse bad data and outputs before any work ---------------------------------

def _data_dir(tmp_path, empty: str | None = None):
    root = tmp_path / "data" / "ner"
    root.mkdir(parents=True)
    for corpus in ("gmb", "tatoeba"):
        for split in ("train", "dev", "test"):
            cols = "\tO\tO" if corpus == "gmb" else "\tO"
            text = f"Paris{cols.replace('O', 'B-GPE', 1)}\nis{cols}\nbig{cols}\n\n"
            (root / f"{corpus}_{split}.tsv").write_text("" if f"{corpus}_{split}" == empty else text * 3,
                                                          encoding="utf-8")
    return root.parent


def test_evaluate_refuses_empty_data_and_leaves_results_alone(tmp_path) -> None:
    data = _data_dir(tmp_path, empty="gmb_test")
    out = tmp_path / "evaluation.json"
    out.write_text('{"kept": true}\n', encoding="utf-8")
    r = _cli("evaluate", "ner", "--data", str(data), "--out", str(out), "--card", str(tmp_path / "card.md"))
    _one_line_error(r, 1, "empty")
    assert out.read_text(encoding="utf-8") == '{"kept": true}\n' and not (tmp_path / "card.md").exists()
    r = _cli("evaluate", "ner", "--data", str(_data_dir(tmp_path / "b")), "--out", str(tmp_path))  # a folder
    _one_line_error(r, 1, "is a folder")


def test_train_refuses_empty_data_and_bad_out_before_training(tmp_path) -> None:
    out = tmp_path / "weights"
    r = _cli("train", "ner", "--data", str(_data_dir(tmp_path, empty="tatoeba_train")), "--out", str(out))
    _one_line_error(r, 1, "empty")
    assert not out.exists()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    r = _cli("train", "ner", "--data", str(_data_dir(tmp_path / "b")), "--out", str(blocker))
    _one_line_error(r, 1, "not a folder")
    assert blocker.read_text(encoding="utf-8") == "x" and r.stdout == b""      # refused before reading any data


def test_train_and_evaluate_a_tiny_run_end_to_end(tmp_path) -> None:
    data, out = _data_dir(tmp_path), tmp_path / "w"
    r = _cli("train", "ner", "--data", str(data), "--out", str(out), "--epochs", "1", "--hidden", "8")
    assert r.returncode == 0, r.stderr[-500:]
    assert {p.name for p in out.iterdir()} == {"bilstm_crf.pt", "forward_lstm.pt"}     # no temporary files left
    res, card = tmp_path / "e.json", tmp_path / "card.md"
    r = _cli("evaluate", "ner", "--data", str(data), "--weights", str(out), "--out", str(res), "--card", str(card))
    assert r.returncode == 0, r.stderr[-500:]
    results = json.loads(res.read_text(encoding="utf-8"))
    assert set(results["models"]["bilstm_crf"]["sets"]) == {"gmb", "gmb_lower", "tatoeba", "tatoeba_lower",
                                                            "combined"}
    assert results["sets"]["combined"]["sentences"] == 6
    assert "Generated by `python -m sequence_models evaluate ner`" in card.read_text(encoding="utf-8")


# --- labels, supplement, data mix --------------------------------------------------------------------

def test_repair_boundaries_puts_currency_and_meridiem_inside() -> None:
    assert repair_boundaries(("It", "cost", "$", "500", "."), ("O", "O", "O", "B-MONEY", "O")) == \
        ("O", "O", "B-MONEY", "I-MONEY", "O")
    assert repair_boundaries(("at", "10:00", "AM", "today"), ("O", "B-CARDINAL", "B-ORG", "B-DATE")) == \
        ("O", "B-TIME", "I-TIME", "B-DATE")
    assert repair_boundaries(("at", "6", "a.m.", "sharp"), ("O", "B-TIME", "I-TIME", "O")) == \
        ("O", "B-TIME", "I-TIME", "O")
    assert repair_boundaries(("the", "$", "sign"), ("O", "O", "O")) == ("O", "O", "O")


def test_supplement_parses_with_a_header_and_valid_spans() -> None:
    text = SUPPLEMENT_FILE.read_text(encoding="utf-8")
    assert text.startswith("# Hand-written supplement") and "How it was written" in text
    sentences = load_supplement()
    assert 100 <= len(sentences) <= 400
    types = {t[2:] for s in sentences for t in s.silver if t != "O"}
    assert {"TIME", "PRODUCT", "EVENT", "FAC"} <= types
    for s in sentences:
        assert len(s.tokens) == len(s.silver) and not bio_violations(s.silver)
    s = parse_line("It cost [$500|MONEY] at [10:00 AM|TIME].")
    assert s.tokens == ("It", "cost", "$", "500", "at", "10:00", "AM", ".")
    assert s.silver == ("O", "O", "B-MONEY", "I-MONEY", "O", "B-TIME", "I-TIME", "O")
    with pytest.raises(ValueError, match="unknown entity type"):
        parse_line("[x|NOPE]")


def test_epoch_mix_recases_oversamples_and_is_seeded() -> None:
    gmb = [Sentence(("Paris", "is", "big"), ("B-GPE", "O", "O"), ("B-geo", "O", "O"))] * 50
    tat = ([Sentence(("Hi", "there"), ("O", "O"), ())] * 100
           + [Sentence(("at", "noon"), ("O", "B-TIME"), ())] * 10)
    sup = [Sentence(("The", "iPhone"), ("O", "B-PRODUCT"), ())]
    mix = Mix(tatoeba_o_fraction=0.5, rare_copies=2, supplement_copies=3, lower=0.3, upper=0.1)
    a = epoch_sentences(gmb, tat, sup, mix, random.Random(1))
    b = epoch_sentences(gmb, tat, sup, mix, random.Random(1))
    assert a == b
    assert sum(s.silver == ("O", "B-TIME") for s in a) == 10 * 3          # once + two extra copies
    assert sum(s.silver == ("O", "B-PRODUCT") for s in a) == 3
    assert 30 <= sum(s.silver == ("O", "O") for s in a) <= 70               # about half of the 100
    lower = sum(s.tokens[0] == "paris" for s in a)
    upper = sum(s.tokens[0] == "PARIS" for s in a)
    assert 5 <= lower <= 30 and 1 <= upper <= 15


def test_init_from_copies_known_rows(tmp_path) -> None:
    old_vocab = Vocab(["<pad>", "<unk>", "paris"], ["<pad>", "<unk>", "a"])
    old = Tagger(default_config("bilstm_crf", 3, 3))
    save_checkpoint(tmp_path / "bilstm_crf.pt", old.state_dict(), old.config, vocab=old_vocab.to_dict(),
                    tags=[], training={"epochs": 7})
    new_vocab = Vocab(["<pad>", "<unk>", "london", "paris"], ["<pad>", "<unk>", "a", "b"])
    new = Tagger(default_config("bilstm_crf", 4, 4))
    summary = init_from(new, new_vocab, tmp_path / "bilstm_crf.pt")
    assert summary == {"epochs": 7}
    assert torch.equal(new.word_embed.weight[3], old.word_embed.weight[2])
    assert torch.equal(new.chars.embed.weight[2], old.chars.embed.weight[2])
    assert torch.equal(new.lstm.weight_hh_l0, old.lstm.weight_hh_l0)


# --- invalid BIO pairs and the figures ------------------------------------------------------------------

def test_bio_violations_are_the_moves_the_crf_forbids() -> None:
    assert bio_violations(["B-ORG", "I-ORG", "O", "I-ORG", "B-GPE", "I-ORG", "I-ORG"]) == [3, 5]
    assert bio_violations(["I-PERSON", "I-PERSON"]) == [0]
    assert bio_violations(["O", "B-DATE", "I-DATE"]) == []


def test_tag_strip_escapes_and_boxes_the_invalid_pair() -> None:
    html_ = tag_strip_html(["Apple", "<b>Inc.</b>"], ["O", "I-ORG"], [1])
    assert "<b>" not in html_ and "&lt;b&gt;Inc.&lt;/b&gt;" in html_
    assert html_.count("2px solid") == 2 and "→ ✗" in html_ and html_.count("white-space:nowrap") == 2


def test_heatmap_numbers_only_when_readable() -> None:
    probs = np.full((3, 5), 0.2)
    probs[0] = 0.6
    fig = tag_heatmap(list("abcde"), ["O"] * 5, probs, ["O", "B-ORG", "I-ORG"])
    colours = {a.font.color for a in fig.layout.annotations}
    assert len(fig.layout.annotations) == 15 and colours == {"#FFFFFF", "#1A1A1A"}
    wide = tag_heatmap(["w"] * (MAX_NUMBERED_COLUMNS + 1), ["O"] * (MAX_NUMBERED_COLUMNS + 1),
                       np.full((3, MAX_NUMBERED_COLUMNS + 1), 0.3), ["O", "B-ORG", "I-ORG"])
    assert len(wide.layout.annotations) == 0 and not wide.layout.title.text
    n = MAX_NUMBERED_COLUMNS                                            # many columns: chosen cells only, short form
    mid = tag_heatmap(["w"] * n, ["I-ORG"] * n, np.tile([[0.1], [0.2], [0.7]], (1, n)), ["O", "B-ORG", "I-ORG"])
    assert [a.text for a in mid.layout.annotations] == [".70"] * n
    sure = tag_heatmap(["w"] * n, ["O"] * n, np.tile([[0.999], [0.0], [0.001]], (1, n)), ["O", "B-ORG", "I-ORG"])
    assert [a.text for a in sure.layout.annotations] == ["1"] * n


def test_acceptance_and_model_card_render_from_results() -> None:
    micro = {"micro": {"precision": 0.9, "recall": 0.9, "f1": 0.91, "support": 10, "predicted": 10}}
    typ = {t: {"precision": 0.6, "recall": 0.6, "f1": 0.6, "support": 3, "predicted": 3}
           for t in ("TIME", "PRODUCT", "EVENT", "FAC")}
    sets = {s: {**micro, **typ} for s in ("gmb", "gmb_lower", "tatoeba", "tatoeba_lower", "combined")}
    model = {"name": "BiLSTM-CRF", "parameters": 5, "file_mb": 1.0, "tokens_per_second": 100,
             "training": {"epochs": 3, "steps": 9, "tokens_seen": 99, "seconds": 60}, "sets": sets, "gold": micro}
    results = {"split": "test", "sets": {s: {"sentences": 2, "tokens": 4} for s in sets},
               "models": {"bilstm_crf": model}}
    acc = acceptance(results)
    assert [a["passed"] for a in acc] == [True, True, True, True, True, True, True]
    results["acceptance"] = acc
    card = model_card(results)
    assert "| micro-F1, GMB test | 0.910 | ≥ 0.9 | met |" in card and "**not met**" not in card
    assert card.index("| TIME |") < card.index("| PRODUCT |")                  # course types in the notes' order
