"""Translation models: tokenisation, shapes, attention sums, decoding, CLI, training/evaluation plumbing."""

from __future__ import annotations

import json

import pytest
import torch

from sequence_models.cli import main as cli_main
from sequence_models.translation.decode import beam_search, greedy_batch, greedy_decode
from sequence_models.translation.seq2seq import ModelConfig, Seq2Seq, load_translator
from sequence_models.translation.tokenize import count_words, detokenize_fr, tokenize_en, tokenize_fr
from sequence_models.translation.translate import MAX_WORDS, check_text, load_model, model_path, translate
from sequence_models.translation.vocab import EOS, UNK_ID, Vocab

SENTENCES = ["The red car is very fast.", "I don't want to eat green apples.",
             "When I was a child, I used to spend every summer with my grandparents near the sea."]


@pytest.fixture(scope="module")
def att():
    return load_model("attention")


@pytest.fixture(scope="module")
def plain():
    return load_model("plain")


# --- tokenisation and vocabulary --------------------------------------------------------

def test_tokenizers_lowercase_and_split_as_documented() -> None:
    assert tokenize_en("Tom’s car ISN'T here!") == ["tom's", "car", "isn't", "here", "!"]
    assert tokenize_fr("L'eau est-elle froide ?") == ["l'", "eau", "est-elle", "froide", "?"]
    assert detokenize_fr(["l'", "eau", "est", "froide", "."]) == "l'eau est froide."
    assert tokenize_en("  ") == [] and count_words("a  b c") == 3


def test_vocab_round_trip_and_unknown() -> None:
    v = Vocab.build([["a", "b", "a"], ["a", "c"]], max_size=10, min_freq=2)
    assert v.itos[4] == "a" and "b" not in v
    assert v.encode(["a", "zzz"], add_eos=True) == [4, UNK_ID, 2]
    assert v.decode([1, 4, 2, 4]) == ["a"]


# --- model shapes with a small random model -----------------------------------------------

@pytest.mark.parametrize("attention", [True, False])
def test_teacher_forcing_shapes_and_row_sums(attention: bool) -> None:
    torch.manual_seed(0)
    cfg = ModelConfig(attention=attention, src_vocab=50, tgt_vocab=60, emb_dim=16, enc_hidden=8, dec_hidden=12,
                      attn_dim=10, dropout=0.0)
    model = Seq2Seq(cfg).eval()
    src = torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]])
    feats, attn = model(src, torch.tensor([4, 2]), torch.tensor([[1, 5, 6], [1, 7, 0]]))
    assert feats.shape == (2, 3, 16)
    if attention:
        assert attn.shape == (2, 3, 4)
        assert torch.allclose(attn.sum(-1), torch.ones(2, 3), atol=1e-5)
        assert torch.all(attn[1, :, 2:] == 0)  # padding gets no attention
    else:
        assert attn is None
    loss, n = model.loss(src, torch.tensor([4, 2]), torch.tensor([[1, 5, 6], [1, 7, 0]]),
                         torch.tensor([[5, 6, 2], [7, 2, 0]]))
    assert n == 5 and loss.item() > 0


# --- the committed models -----------------------------------------------------------------

def test_committed_weights_are_small_and_load() -> None:
    for name in ("attention", "plain"):
        path = model_path(name)
        assert path.stat().st_size < 20e6, f"{path.name} is over 20 MB"
        tr = load_translator(path)
        assert tr.model.has_attention == (name == "attention")
        assert tr.info["steps"] == tr.info["total_steps"], "the committed model did not finish training"


@pytest.mark.parametrize("text", SENTENCES)
def test_attention_matrix_shape_and_rows_sum_to_one(att, text: str) -> None:
    r = translate(att, text)
    assert r.attention.shape == (len(r.output_tokens), len(r.source_tokens))
    assert r.output_tokens[-1] == EOS
    assert all(abs(s - 1) < 1e-4 for s in r.row_sums())
    assert torch.all(r.attention >= 0)
    assert r.translation and "</s>" not in r.translation


def test_translation_is_sensible(att) -> None:
    assert "voiture" in translate(att, "The red car is very fast.").translation
    assert "chat" in translate(att, "I have a cat.").translation


def test_decoding_is_deterministic(att, plain) -> None:
    for tr in (att, plain):
        a = translate(tr, SENTENCES[1], beam=3)
        b = translate(tr, SENTENCES[1], beam=3)
        assert a.output_tokens == b.output_tokens
        assert [x.translation for x in a.alternatives] == [x.translation for x in b.alternatives]
    assert torch.equal(translate(att, SENTENCES[0]).attention, translate(att, SENTENCES[0]).attention)


@pytest.mark.parametrize("text", SENTENCES)
def test_beam_width_one_equals_greedy(att, plain, text: str) -> None:
    for tr in (att, plain):
        ids = tr.src_vocab.encode(tokenize_en(text))
        g = greedy_decode(tr.model, ids)
        (b,) = beam_search(tr.model, ids, 1)
        assert b.ids == g.ids
        assert b.score == pytest.approx(g.score, abs=1e-4)
        if tr.model.has_attention:
            assert torch.allclose(b.attention(), g.attention())


def test_beam_returns_ranked_alternatives(att) -> None:
    src = tokenize_en(SENTENCES[1])
    hyps = beam_search(att.model, att.src_vocab.encode(src), 5)
    assert 1 <= len(hyps) <= 5
    scores = [h.normalised_score for h in hyps]
    assert scores == sorted(scores, reverse=True)
    assert len({tuple(h.ids) for h in hyps}) == len(hyps)
    for h in hyps:
        assert h.attention().shape == (len(h.ids), len(src))


def test_batched_greedy_matches_single_greedy(att) -> None:
    batch = [att.src_vocab.encode(tokenize_en(s)) for s in SENTENCES]
    for ids, out in zip(batch, greedy_batch(att.model, batch)):
        assert out == [i for i in greedy_decode(att.model, ids).ids if i != 2]


def test_no_attention_model_has_no_matrix(plain) -> None:
    r = translate(plain, SENTENCES[0])
    assert r.attention is None and r.row_sums() == [] and r.translation


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [("", "empty"), ("   \n\t", "empty"),
                                           ("word " * (MAX_WORDS + 1), f"limit is {MAX_WORDS} words"),
                                           ("x" * 700, "characters long")])
def test_bad_input_is_refused_with_a_reason(att, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        translate(att, text)


def test_sixty_words_are_accepted(att) -> None:
    r = translate(att, " ".join(["the cat is here ."] * 12))
    assert len(r.source_tokens) == 60 and r.attention.shape[1] == 60


def test_non_english_input_marks_unknown_words(att) -> None:
    r = translate(att, "Der schnelle braune Fuchs springt über den faulen Hund")
    assert r.unknown_share > 0.5
    assert r.unknown[r.source_tokens.index("fuchs")]
    r2 = translate(att, "<script>alert('x')</script> 日本語")
    assert r2.translation is not None and all(abs(s - 1) < 1e-4 for s in r2.row_sums())


def test_beam_width_bounds(att) -> None:
    with pytest.raises(ValueError, match="between 1 and 8"):
        translate(att, "hello", beam=9)
    with pytest.raises(ValueError, match="between 1 and 8"):
        beam_search(att.model, [5], 0)
    with pytest.raises(ValueError):
        check_text(None)  # type: ignore[arg-type]


# --- CLI ------------------------------------------------------------------------------------

def test_cli_translate_json(capsys) -> None:
    assert cli_main(["translate", "The red car is very fast.", "--json", "--beam", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source_tokens"] == ["the", "red", "car", "is", "very", "fast", "."]
    assert len(out["attention"]) == len(out["output_tokens"])
    assert all(len(row) == 7 and abs(sum(row) - 1) < 1e-3 for row in out["attention"])
    assert out["translation"] == out["alternatives"][0]["translation"]


def test_cli_no_attention_and_errors(capsys) -> None:
    assert cli_main(["translate", "I am happy.", "--json", "--no-attention"]) == 0
    assert json.loads(capsys.readouterr().out)["attention"] is None
    assert cli_main(["translate", ""]) == 1
    assert capsys.readouterr().err.startswith("error: Type an English sentence")
    with pytest.raises(SystemExit) as exc:
        cli_main(["translate", "hi", "--beam", "12"])
    assert exc.value.code == 2
    assert "between 1 and 8" in capsys.readouterr().err


# --- training and evaluation plumbing (tiny) ---------------------------------------------------

def test_training_loop_runs_and_checkpoint_loads(shared_data, tmp_path) -> None:
    out = tmp_path / "tiny.pt"
    assert cli_main(["train", "translation", "--limit", "300", "--max-steps", "3", "--batch-size", "32",
                     "--emb", "16", "--enc-hidden", "8", "--dec-hidden", "8", "--attn-dim", "8",
                     "--out", str(out)]) == 0
    tr = load_translator(out)
    assert tr.info["steps"] == 3 and tr.model.has_attention
    r = translate(tr, "I see a cat.")
    assert r.attention.shape == (len(r.output_tokens), 5)


def test_training_is_reproducible_with_a_seed(shared_data, tmp_path) -> None:
    args = ["train", "translation", "--limit", "200", "--max-steps", "2", "--batch-size", "16", "--emb", "8",
            "--enc-hidden", "4", "--dec-hidden", "4", "--attn-dim", "4"]
    for name in ("a", "b"):
        assert cli_main([*args, "--out", str(tmp_path / f"{name}.pt")]) == 0
    a, b = (load_translator(tmp_path / f"{n}.pt").model.state_dict() for n in ("a", "b"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_evaluation_runs_on_a_few_pairs(shared_data, tmp_path, capsys) -> None:
    pytest.importorskip("sacrebleu")
    out = tmp_path / "eval.json"
    assert cli_main(["evaluate", "translation", "--limit", "30", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["pairs"] == 30
    for name in ("attention", "plain"):
        m = res["models"][name]
        assert sum(b["n"] for b in m["buckets"]) == 30
        assert m["overall"]["bleu_signature"].startswith("nrefs:1|case:lc")
    assert "| all | 30 |" in capsys.readouterr().out


def test_stored_evaluation_meets_the_acceptance_bar() -> None:
    from sequence_models.runtime import asset_path
    res = json.loads(asset_path("translation/evaluation.json").read_text())
    att, plain = res["models"]["attention"], res["models"]["plain"]
    assert [b["bucket"] for b in att["buckets"]] == ["1–5", "6–10", "11–15", "16–20", "21+"]
    assert att["upto20"]["bleu"] >= 25
    assert att["overall"]["bleu"] > plain["overall"]["bleu"]
    assert att["buckets"][-1]["bleu"] > plain["buckets"][-1]["bleu"]
