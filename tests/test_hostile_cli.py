"""Hostile arguments for every CLI command (``python -m sequence_models …``).

A bad argument or a failure ends with a non-zero exit status and exactly one line on stderr
(``… error: …``), never a traceback; odd but acceptable input gives a sane result. Commands
run in-process through :func:`sequence_models.cli.main`; a few go through a real subprocess.
``train``/``evaluate`` are only given arguments that must fail before any training starts.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from sequence_models.music.midi import read_midi_notes
from tests.cli_helpers import assert_one_line_error
from tests.cli_helpers import run_in_process as run
from tests.conftest import ROOT

HUGE = ("Paris is big. " * 7200)[:100_000]
SCRIPT = "<script>alert(1)</script>"
EMOJI = "🎵🙂 👍🏽 👩‍👩‍👧 🇫🇷"
RTL = "مرحبا بالعالم שלום עולם"
CONTROL = "a\x00b\x1b[31mc\u202ed\x07"
COMMANDS = ("unroll", "melody", "ner", "translate", "gradients", "train", "evaluate")


BAD = [  # (argv, exit status, words in the message)
    # unroll
    (["unroll", "--tx", "nan"], 2, "invalid int value"),
    (["unroll", "--tx", ""], 2, "invalid int value"),
    (["unroll", "--type", SCRIPT], 2, "invalid choice"),
    (["unroll", "--seed-char", ""], 2, "invalid choice"),
    (["unroll", "--seed-char", EMOJI], 2, "invalid choice"),
    # melody
    (["melody", "--seed-note", ""], 2, "bad note"),
    (["melody", "--seed-note", SCRIPT], 2, "bad note"),
    (["melody", "--seed-note", EMOJI], 2, "bad note"),
    (["melody", "--seed-note", RTL], 2, "bad note"),
    (["melody", "--seed-note", "C" * 100_000], 2, "bad note"),
    (["melody", "--length", "nan"], 2, "not a whole number"),
    (["melody", "--length", "-8"], 2, "between 8 and 256"),
    (["melody", "--length", "99999999999999999999"], 2, "between 8 and 256"),
    (["melody", "--temperature", "nan"], 2, "between 0.1 and 2"),
    (["melody", "--temperature", "inf"], 2, "between 0.1 and 2"),
    (["melody", "--temperature", "-1"], 2, "between 0.1 and 2"),
    (["melody", "--top-k", "-1"], 2, "0 or more"),
    (["melody", "--seed", "-1"], 2, "between 0 and 4294967295"),
    (["melody", "--seed", str(10**30)], 2, "between 0 and"),
    (["melody", "--tempo", "nan"], 2, "beats per minute"),
    (["melody", "--tempo=-inf"], 2, "beats per minute"),
    (["melody", "--scale", SCRIPT], 2, "bad scale"),
    (["melody", "--model", "transformer"], 2, "invalid choice"),
    # ner / translate
    (["ner", HUGE], 2, "the limit is 5,000"),
    (["ner", "x", "--model", "bogus"], 2, "invalid choice"),
    (["translate", ""], 2, "the input is empty"),
    (["translate", " \t\n "], 2, "the input is empty"),
    (["translate", HUGE], 2, "the limit is 600"),
    (["translate", "word " * 100], 2, "the limit is 60 words"),
    (["translate", "😀" * 200], 2, "subword pieces; the limit is 200"),  # counted by the loaded model, still exit 2
    (["translate", "x", "--beam", "nan"], 2, "whole number"),
    (["translate", "x", "--beam", "0"], 2, "between 1 and 8"),
    (["translate", "x", "--beam", "1e9"], 2, "whole number"),
    # gradients
    (["gradients", "--length", "nan"], 2, "not a whole number"),
    (["gradients", "--length", "inf"], 2, "not a whole number"),
    (["gradients", "--length", "-1"], 2, "between 10 and 500"),
    (["gradients", "--length", "100000000"], 2, "between 10 and 500"),
    (["gradients", "--radius", "nan"], 2, "between 0.1 and 3"),
    (["gradients", "--radius", "inf"], 2, "between 0.1 and 3"),
    (["gradients", "--radius", "-0.5"], 2, "between 0.1 and 3"),
    (["gradients", "--forget-bias=-inf"], 2, "between -5 and 5"),
    (["gradients", "--hidden", "0"], 2, "between 4 and 128"),
    (["gradients", "--seed", str(10**30)], 2, "between 0 and 9999"),
    (["gradients", "--cell", SCRIPT], 2, "invalid choice"),
    (["gradients", "--dtype", "float16"], 2, "invalid choice"),
    # train / evaluate: argument and data errors, raised before any training
    (["train"], 2, "required"),
    (["train", "bogus"], 2, "invalid choice"),
    (["train", ""], 2, "invalid choice"),
    (["train", "ner", "--epochs", "nan"], 2, "invalid int value"),
    (["train", "ner", "--epochs", "0"], 2, "at least 1"),
    (["train", "ner", "--threads", "-1"], 2, "at least 1"),
    (["train", "ner", "--lr", "nan"], 2, "positive number"),
    (["train", "translation", "--threads", "0"], 2, "between 1 and 64"),
    (["train", "translation", "--epochs", "nan"], 2, "between 0.001 and 100"),
    (["train", "translation", "--batch-tokens", "-3"], 2, "between 16 and 100000"),
    (["train", "music", "--steps", "nan"], 2, "invalid int value"),
    (["train", "music", "--steps", "0"], 2, "must be ≥ 1"),
    (["train", "limitations", "--steps", "1e9"], 2, "not a whole number"),
    (["train", "limitations", "--steps", "-5"], 2, "between 10 and 20000"),
    (["train", "limitations", "--lengths"], 2, "expected at least one argument"),
    (["train", "limitations", "--lengths", "20", "--lstm-length", "40"], 2, "must be one of --lengths"),
    (["train", "limitations", "--data", "/nonexistent"], 2, "unrecognized arguments"),
    (["train", "ner", "--data", "/nonexistent/<x>"], 1, "NER data file not found"),
    (["train", "translation", "--data", "/nonexistent/x"], 1, "translation data not found"),
    (["train", "music", "--tokens", "/nonexistent/tunes.npz"], 1, "token file not found"),
    (["evaluate"], 2, "required"),
    (["evaluate", "limitations", "--steps", "1e9"], 2, "not a whole number"),
    (["evaluate", "ner", "--data", "/nonexistent/x"], 1, "NER data file not found"),
    (["evaluate", "translation", "--data", "/nonexistent/x"], 1, "translation data not found"),
    (["evaluate", "music", "--tokens", "/nonexistent/tunes.npz"], 1, "token file not found"),
    (["evaluate", "music", "--melodies", "nan"], 2, "invalid int value"),
    (["evaluate", "music", "--melodies", "0"], 2, "between 1 and 2000"),
    (["bogus"], 2, "invalid choice"),
    ([""], 2, "invalid choice"),
]


@pytest.mark.parametrize("argv,code,fragment", BAD, ids=[" ".join(a[:3])[:40] for a, _, _ in BAD])
def test_bad_arguments_fail_with_one_line(argv: list[str], code: int, fragment: str, capsys) -> None:
    got, out, err = run(argv, capsys)
    assert_one_line_error(got, err, code, fragment)
    assert out == ""


def test_every_command_gets_hostile_arguments() -> None:
    assert set(COMMANDS) <= {argv[0] for argv, _, _ in BAD}


# --- bad files and output paths -------------------------------------------------------------

def test_melody_bad_output_paths(tmp_path, capsys) -> None:
    # existing files without --force and the same file twice: tests/test_hostile_music_cli.py
    (tmp_path / "file").write_bytes(b"")
    for flag in ("--out", "--wav"):
        code, _, err = run(["melody", "--length", "8", flag, str(tmp_path), "--force"], capsys)
        assert_one_line_error(code, err, 1, "is a folder, not a file")
        code, _, err = run(["melody", "--length", "8", flag, str(tmp_path / "file" / "x.mid")], capsys)
        assert_one_line_error(code, err, 1, "cannot create output folder")


def test_melody_bad_seed_files(tmp_path, capsys) -> None:
    files = {"missing.mid": None, "text.mid": b"C D E F G", "corrupt.mid": b"MThd\0\0\0\6\0\1\0\1\1\xe0MTrk\xff",
             "empty.mid": b""}                                    # huge files: tests/test_hostile_music_cli.py
    expected = {"missing.mid": "No such file", "text.mid": "not a MIDI file", "corrupt.mid": "damaged",
                "empty.mid": "empty"}
    for name, data in files.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
        code, _, err = run(["melody", "--seed-midi", str(tmp_path / name)], capsys)
        assert_one_line_error(code, err, 1, expected[name])
    code, _, err = run(["melody", "--seed-midi", str(tmp_path)], capsys)
    assert_one_line_error(code, err, 1, "Is a directory")


# --- odd but acceptable input: a sane result ------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\t", EMOJI, SCRIPT, "'; DROP TABLE x;--", CONTROL, "★ ✓ → ∞"])
def test_ner_odd_text_gives_no_entities(text: str, capsys) -> None:
    code, out, err = run(["ner", text], capsys)
    assert code == 0 and err == ""
    assert out in ("(no text: nothing to tag)\n", "no entities found\n"), out


def test_ner_json_offsets_point_into_rtl_and_emoji_text(capsys) -> None:
    text = f"{RTL}\nBarack Obama visited Paris.\n{EMOJI} {CONTROL}"
    code, out, _ = run(["ner", "--json", text], capsys)
    data = json.loads(out)
    assert code == 0 and data["text"] == text
    assert all(text[t["start"]:t["end"]] == t["text"] for t in data["tokens"])
    assert ("PERSON", "Barack Obama") in [(e["label"], e["text"]) for e in data["entities"]]
    assert all(any(ch.isalnum() for ch in e["text"]) for e in data["entities"])


def test_ner_reads_hostile_standard_input(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(HUGE))
    code, _, err = run(["ner", "-"], capsys)
    assert_one_line_error(code, err, 2, "the limit is 5,000")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run(["ner", "-"], capsys)[:2] == (0, "(no text: nothing to tag)\n")


@pytest.mark.parametrize("text", [EMOJI, RTL, SCRIPT, CONTROL, "'; DROP TABLE x;--"])
def test_translate_odd_text_still_translates_and_names_split_words(text: str, capsys) -> None:
    code, out, err = run(["translate", "--json", text], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["translation"] and data["source_tokens"]
    assert "<unk>" not in data["source_tokens"] + data["output_tokens"]  # byte fallback: no unknown words
    code, out, err = run(["translate", text], capsys)
    assert code == 0 and err == ""
    assert bool(data["split_source_words"]) == ("(read as several pieces:" in out), out
    if text in (EMOJI, RTL, SCRIPT):                               # words the subword model never saw whole
        assert data["split_source_words"]


def test_unroll_clamps_odd_lengths(capsys) -> None:
    for tx, expected in (("-5", "Tx=2"), (str(10**30), "Tx=10"), ("0", "Tx=2")):
        code, out, err = run(["unroll", "--tx", tx], capsys)
        assert code == 0 and err == "" and expected in out


def test_melody_odd_but_valid_options(tmp_path, capsys) -> None:
    out_file = tmp_path / "ünïcødé 🎵.mid"
    code, out, err = run(["melody", "--length", "8", "--top-k", str(10**30), "--seed", str(2**32 - 1), "--scale", "",
                          "--json", "--out", str(out_file)], capsys)
    assert code == 0 and err == ""
    notes = json.loads(out)["notes"]
    assert len(read_midi_notes(out_file.read_bytes())[0]) == len(notes) >= 1


def test_gradients_overflow_is_reported_not_raised(capsys) -> None:
    code, out, err = run(["gradients", "--cell", "rnn", "--activation", "linear", "--radius", "3", "--length", "500",
                          "--dtype", "float32", "--hidden", "4", "--json"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["counts"]["inf"] + data["counts"]["nan"] > 0       # overflowed, and says so
    assert all(v in ("inf", "nan") or v >= 0 for v in data["grad_norm"])


# --- a few real subprocesses ---------------------------------------------------------------------

def _cli(*args: str | bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sequence_models", *args], cwd=ROOT, capture_output=True,
                          timeout=120)


def test_help_lists_every_command() -> None:
    r = _cli("--help")
    assert r.returncode == 0
    assert all(name.encode() in r.stdout for name in COMMANDS)


def test_invalid_utf8_and_control_bytes_in_argv() -> None:
    r = _cli("ner", b"Obama \xff\xfe in \x1b[2J Paris")
    assert r.returncode == 0 and b"Traceback" not in r.stderr
    assert b"PERSON" in r.stdout and b"GPE" in r.stdout
    r = _cli("translate", "--beam", b"\xff")
    assert r.returncode == 2 and r.stderr.count(b"\n") == 1 and b"error:" in r.stderr


def test_data_error_in_a_subprocess_is_one_line_and_fast() -> None:
    r = _cli("train", "translation", "--data", "/nonexistent/dir")
    assert r.returncode == 1 and r.stderr.count(b"\n") == 1 and b"translation data not found" in r.stderr


@pytest.mark.parametrize("argv, words", [
    (["ner", "a" * 5_001], "the limit is 5,000"),
    (["translate", ""], "the input is empty"),
    (["translate", "😀" * 200], "subword pieces; the limit is 200"),    # needs the loaded model's subwords
])
def test_bad_text_is_a_bad_argument_in_a_real_process(argv: list[str], words: str) -> None:
    """Issue 19, item 12: text the command refuses exits 2 (a bad argument) with one line, like the README says."""
    r = _cli(*argv)
    assert_one_line_error(r.returncode, r.stderr.decode(), 2, words)
    assert r.stdout == b""
