"""NER: tokenizer, metrics, CRF, the committed models, escaping, CLI and a tiny training run."""

from __future__ import annotations

import itertools
import json
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sequence_models.cli import main as cli_main
from sequence_models.ner.crf import CRF
from sequence_models.ner.data import TAGS, Sentence, load_split, read_sentences
from sequence_models.ner.highlight import highlight_html
from sequence_models.ner.inference import MAX_CHARS, Entity, InputTooLong, analyse, load
from sequence_models.ner.metrics import get_spans, span_scores
from sequence_models.ner.predict import load_tagger, tag_batch
from sequence_models.ner.tokenizer import split_sentences, tokenize
from sequence_models.ner.train import half_state, make_batches, train_model
from sequence_models.ner.types import COURSE_TYPES, display_name
from sequence_models.ner.vocab import SHAPES, Vocab, shape_id
from sequence_models.runtime import AssetError, DataError, save_checkpoint
from tests.cli_helpers import assert_one_line_error

#: The news sentence the page's second example and these tests use.
NEWS = "Apple Inc. is looking at buying UK startup for $1 billion."


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def bilstm():
    return load("bilstm_crf")


@pytest.fixture(scope="module")
def forward():
    return load("forward_lstm")


# --- tokenizer --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (NEWS, ["Apple", "Inc.", "is", "looking", "at", "buying", "UK", "startup", "for", "$", "1", "billion",
                    "."]),
    ("The U.S. and U.N. met.", ["The", "U.S.", "and", "U.N.", "met", "."]),
    ("It rose 5% to $1,000.50, Mr. Smith said.", ["It", "rose", "5", "%", "to", "$", "1,000.50", ",", "Mr.",
                                                    "Smith", "said", "."]),
    ("Apple's boss can't go; they don't.", ["Apple", "'s", "boss", "ca", "n't", "go", ";", "they", "do", "n't", "."]),
    ("O'Connor visited Washington, D.C.", ["O'Connor", "visited", "Washington", ",", "D.C."]),
    ('He said "no" (twice).', ["He", "said", '"', "no", '"', "(", "twice", ")", "."]),
    ("a well-known war-torn area", ["a", "well-known", "war-torn", "area"]),
    ("He was ill. Mass. voters said no.", ["He", "was", "ill", ".", "Mass.", "voters", "said", "no", "."]),
])
def test_tokenizer_matches_training_conventions(text: str, expected: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("aZ9 .,$%'\"()-—\n\t’“”éß漢😀") + ["Inc.", "U.S.", "n't", "$1", "--", "..."]),
                max_size=60).map("".join))
def test_tokenizer_offsets_round_trip(text: str) -> None:
    tokens = tokenize(text)
    pos = 0
    for tok in tokens:
        assert text[tok.start:tok.end] == tok.text and tok.text.strip() == tok.text and tok.text
        assert tok.start >= pos and not text[pos:tok.start].strip()  # only whitespace is skipped
        pos = tok.end
    assert not text[pos:].strip()
    sentences = split_sentences(text, tokens)
    assert [t for s in sentences for t in s] == tokens


def test_sentence_split_on_final_punctuation_and_newlines() -> None:
    text = "Jordan said no. Then he left!\nJordan River is low"
    sents = split_sentences(text, tokenize(text))
    assert [[t.text for t in s] for s in sents] == [["Jordan", "said", "no", "."], ["Then", "he", "left", "!"],
                                                    ["Jordan", "River", "is", "low"]]


def test_shapes() -> None:
    assert [SHAPES[shape_id(w)] for w in ["apple", "Apple", "UK", "iPhone", "1,000", "G8", ","]] == \
        ["lower", "Title", "UPPER", "mIxed", "digits", "digit-mix", "punct"]


# --- metrics (seqeval conventions) ----------------------------------------------------------

def test_get_spans_follows_seqeval() -> None:
    tags = ["B-ORG", "I-ORG", "O", "I-GPE", "I-GPE", "B-GPE", "I-ORG", "O", "B-MONEY"]
    assert get_spans(tags) == [("ORG", 0, 1), ("GPE", 3, 4), ("GPE", 5, 5), ("ORG", 6, 6), ("MONEY", 8, 8)]


def test_span_scores_exact_match_only() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "B-LOC"]]
    s = span_scores(gold, pred)
    # gold: PER 0-1, LOC 3, ORG 0; predicted: PER 0-0 (wrong end), LOC 3, ORG 0, LOC 1 (spurious)
    assert (s["micro"].true_pos, s["micro"].pred, s["micro"].gold) == (2, 4, 3)
    assert s["PER"].f1 == 0.0 and s["LOC"].precision == 0.5 and s["LOC"].recall == 1.0
    assert math.isclose(s["micro"].f1, 2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    with pytest.raises(ValueError, match="lengths differ"):
        span_scores([["O"]], [["O", "O"]])


# --- CRF against brute force ---------------------------------------------------------------

def _brute(crf: CRF, e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    t, k = e.shape
    scores, seqs = [], list(itertools.product(range(k), repeat=t))
    mask = torch.ones(1, t, dtype=torch.bool)
    for seq in seqs:
        scores.append(crf.score(e[None], torch.tensor([seq]), mask)[0])
    scores_t = torch.stack(scores)
    log_z = torch.logsumexp(scores_t, 0)
    p = torch.exp(scores_t - log_z)
    marg = torch.zeros(t, k)
    for prob, seq in zip(p, seqs):
        for i, y in enumerate(seq):
            marg[i, y] += prob
    return log_z, marg, list(seqs[int(scores_t.argmax())])


def test_crf_forward_viterbi_and_marginals_match_brute_force() -> None:
    torch.manual_seed(0)
    tags = ("O", "B-X", "I-X", "B-Y", "I-Y")
    crf = CRF(tags)
    with torch.no_grad():
        crf.transitions.normal_()
        crf.start.normal_()
        crf.end.normal_()
    lengths = [4, 2, 3]
    e = torch.randn(3, 4, len(tags))
    mask = torch.arange(4)[None] < torch.tensor(lengths)[:, None]
    log_z = crf.log_partition(e, mask)
    marg = crf.marginals(e, mask)
    paths = crf.viterbi(e, mask)
    for b, n in enumerate(lengths):
        bz, bm, bpath = _brute(crf, e[b, :n])
        assert torch.allclose(log_z[b], bz, atol=1e-4)
        assert torch.allclose(marg[b, :n], bm, atol=1e-4)
        assert paths[b] == bpath
        # BIO constraints: never O → I-X or a start on I-X
        assert tags[paths[b][0]][0] != "I"
        assert all(not (tags[y].startswith("I-") and tags[x][2:] != tags[y][2:])
                   for x, y in zip(paths[b], paths[b][1:]))


# --- the committed models --------------------------------------------------------------------

def test_default_sentence_entities(bilstm) -> None:
    found = {(e.label, e.text) for e in analyse(bilstm, NEWS).entities}
    assert {("ORG", "Apple Inc."), ("GPE", "UK"), ("MONEY", "$1 billion")} <= found


def test_analysis_shapes_offsets_and_scores(bilstm, forward) -> None:
    text = "Barack Obama visited Paris on Monday.\nShares of Google rose 5% in New York."
    for tagger in (bilstm, forward):
        r = analyse(tagger, text)
        assert r.probs.shape == (len(r.tokens), len(TAGS)) == (len(r.tags), len(TAGS))
        assert abs(r.probs.sum(1) - 1).max() < 1e-4
        assert r.entities
        for e in r.entities:
            assert text[e.start:e.end] == e.text and 0 < e.score <= 1
            assert r.tokens[e.first_token].start == e.start and r.tokens[e.last_token].end == e.end


def test_forward_only_model_cannot_see_the_future(forward, bilstm) -> None:
    said, river = "Officials in Jordan said the water was low.", "Officials in Jordan River towns said it was low."
    a, b = analyse(forward, said), analyse(forward, river)
    assert a.tokens[2].text == b.tokens[2].text == "Jordan"
    assert torch.allclose(torch.from_numpy(a.probs[:3]), torch.from_numpy(b.probs[:3]), atol=1e-6)
    c, d = analyse(bilstm, said), analyse(bilstm, river)
    assert c.tags[2] != d.tags[2]  # the words after "Jordan" change the BiLSTM's label for it


def test_empty_and_overlong_input(bilstm) -> None:
    for text in ("", "   \n\t "):
        r = analyse(bilstm, text)
        assert r.tokens == [] and r.entities == [] and r.probs.shape == (0, len(TAGS))
    assert len(analyse(bilstm, "word " * (MAX_CHARS // 5)).tokens) == MAX_CHARS // 5  # exactly at the cap
    with pytest.raises(InputTooLong, match="5,000"):
        analyse(bilstm, "x" * (MAX_CHARS + 1))


def test_tag_batch_handles_unicode_and_symbols(bilstm) -> None:
    tags, probs = tag_batch(bilstm, [["😀", "漢字", "<script>"], ["Zürich"]])
    assert [len(t) for t in tags] == [3, 1] and probs[0].shape == (3, len(TAGS))


def test_corrupt_weights_raise_asset_error(tmp_path) -> None:
    bad = tmp_path / "bilstm_crf.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(AssetError, match="corrupt"):
        load_tagger(bad)
    save_checkpoint(bad, {"x": torch.zeros(1)}, {"kind": "bilstm_crf"}, tags=list(TAGS),
                    vocab={"words": [], "chars": []})
    with pytest.raises(AssetError, match="does not fit"):
        load_tagger(bad)


# --- HTML escaping ----------------------------------------------------------------------------

def test_highlight_escapes_user_and_model_text() -> None:
    text = "<script>alert(1)</script> & <b>Bob</b>"
    ents = [Entity(0, 25, "PERSON", text[0:25], 0.5, 0, 0), Entity(31, 37, "<img src=x>", "<b>Bob", 0.9, 2, 2)]
    out = highlight_html(text, ents, lambda _: "#0072B2", lambda lab: lab)
    assert "<script>" not in out and "<b>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&amp;" in out and "&lt;img src=x&gt;" in out
    hidden = highlight_html(text, ents, lambda _: "#0072B2", lambda lab: lab, visible={"ORG"})
    assert "<mark" not in hidden and "&lt;script&gt;" in hidden


def test_course_types_cover_ten_names() -> None:
    assert list(COURSE_TYPES) == ["Person", "Organization", "Location", "Date", "Time", "Money", "Percentage",
                                  "Product", "Event", "Facility"]
    assert display_name("GPE") == display_name("LOC") == "Location" and display_name("NORP") == "NORP"


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_json(capsys) -> None:
    assert cli_main(["ner", NEWS, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [t["text"] for t in out["tokens"]][:2] == ["Apple", "Inc."]
    for e in out["entities"]:
        assert NEWS[e["start"]:e["end"]] == e["text"] and set(e) == {"start", "end", "label", "text", "score"}
    assert ("MONEY", "$1 billion") in [(e["label"], e["text"]) for e in out["entities"]]


def test_cli_errors_are_one_line(capsys) -> None:
    code = cli_main(["ner", "x" * (MAX_CHARS + 1)])       # a bad argument (issue 19 item 12)
    line = assert_one_line_error(code, capsys.readouterr().err, 2, f"text is {MAX_CHARS + 1:,} characters")
    assert line.startswith("error: TEXT: ")
    with pytest.raises(SystemExit) as exc:
        cli_main(["ner", "hi", "--model", "gru"])
    assert exc.value.code == 2
    assert cli_main(["ner", ""]) == 0 and "nothing to tag" in capsys.readouterr().out
    for argv in (["train", "ner", "--epochs", "0"], ["evaluate", "ner", "--split", "train"]):
        with pytest.raises(SystemExit) as exc:
            cli_main(argv)
        assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "--epochs and --batch-size must be at least 1" in err[0] and "invalid choice" in err[1]


# --- data and training --------------------------------------------------------------------------

def test_read_sentences_and_bad_file(tmp_path) -> None:
    f = tmp_path / "x.tsv"
    f.write_text("Apple\tB-ORG\tB-org\nsaid\tO\tO\n\nHi\tO\tO\n", encoding="utf-8")
    assert read_sentences(f) == [Sentence(("Apple", "said"), ("B-ORG", "O"), ("B-org", "O")),
                                 Sentence(("Hi",), ("O",), ("O",))]
    f.write_text("Apple\tB-ORG\n\nsaid\tO\n", encoding="utf-8")        # Tatoeba's layout: no gold column
    assert read_sentences(f) == [Sentence(("Apple",), ("B-ORG",), ()), Sentence(("said",), ("O",), ())]
    f.write_text("Apple\tB-ORG\tB-org\nsaid\tO\n", encoding="utf-8")
    with pytest.raises(DataError, match="x.tsv:2: expected 3"):
        read_sentences(f)
    f.write_text("Apple\tB-ORG\tB-org\tx\n", encoding="utf-8")
    with pytest.raises(DataError, match="x.tsv:1: expected 2 or 3"):
        read_sentences(f)
    with pytest.raises(DataError, match="not found"):
        read_sentences(tmp_path / "missing.tsv")
    f.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        read_sentences(f)


def test_tiny_training_run_learns_and_round_trips(tmp_path) -> None:
    data = [Sentence(("Alice", "visited", "Paris", "."), ("B-PERSON", "O", "B-GPE", "O"), ("O",) * 4),
            Sentence(("Bob", "left", "Rome", "."), ("B-PERSON", "O", "B-GPE", "O"), ("O",) * 4)] * 8
    vocab = Vocab.build([s.tokens for s in data], min_count=1, min_char_count=1)
    for kind in ("bilstm_crf", "forward_lstm"):
        model, summary = train_model(kind, data, vocab, epochs=20, batch_size=16, lr=0.02, seed=0, hidden=16,
                                     log=lambda _: None)
        assert summary["steps"] == 20
        inputs, tags = make_batches(data[:2], vocab, 2)[0]
        assert model.loss(inputs, tags).item() < 0.3  # it fitted the two sentences
        path = save_checkpoint(tmp_path / f"{kind}.pt", half_state(model), model.config, vocab=vocab.to_dict(),
                               tags=list(TAGS), training=summary)
        tags, _ = tag_batch(load_tagger(path), [["Alice", "visited", "Rome", "."]])
        assert tags[0] == ["B-PERSON", "O", "B-GPE", "O"]


def test_training_is_reproducible_with_a_seed() -> None:
    data = [Sentence(("Alice", "visited", "Paris", "."), ("B-PERSON", "O", "B-GPE", "O"), ("O",) * 4)] * 8
    vocab = Vocab.build([s.tokens for s in data], min_count=1, min_char_count=1)
    runs = [train_model("bilstm_crf", data, vocab, epochs=2, batch_size=4, lr=0.02, seed=seed, hidden=8,
                        log=lambda _: None)[0].state_dict() for seed in (5, 5, 6)]
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])
    assert not all(torch.equal(runs[0][k], runs[2][k]) for k in runs[0])


def test_evaluate_command_on_a_slice(shared_data, capsys) -> None:
    assert cli_main(["evaluate", "ner", "--limit", "40", "--out", "-"]) == 0
    out = capsys.readouterr().out
    assert "BiLSTM-CRF: micro-F1" in out and "Forward-only LSTM: micro-F1" in out
    assert "| GMB news, lower-cased (silver) | 40 |" in out and "| Tatoeba everyday (silver) | 40 |" in out


def test_shared_test_split_size(shared_data) -> None:
    test = load_split("test", shared_data)
    assert len(test) == 4796 and sum(len(s.tokens) for s in test) == 104730
