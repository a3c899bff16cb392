"""Hostile runs of the music commands (`melody`, `train music`, `evaluate music`), each as a real subprocess.

The CLI contract: bad arguments exit 2 with one line, failures exit 1 with one line, never a traceback, and
never lose or silently destroy work (existing files are replaced only with --force; the same file is never
named twice; outputs are checked before the work starts).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import assert_one_line_error
from tests.cli_helpers import run_subprocess as run
from tests.midi_files import midi_bytes


@pytest.mark.parametrize("argv, words", [
    (["--scale", "H major"], "bad scale tonic 'H'"),
    (["--scale", "C lydian"], "bad scale"),
    (["--seed-note", "C99"], "bad note 'C99'"),
    (["--seed-note", "C8"], "outside the model's range"),
])
def test_bad_melody_arguments_exit_2(argv: list[str], words: str) -> None:
    code, out, err = run("melody", *argv, "--length", "8")
    assert_one_line_error(code, err, 2, words)
    assert out == ""


def test_an_existing_output_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "existing.mid"
    out.write_bytes(b"my own work")
    code, _, err = run("melody", "--length", "8", "--out", str(out))
    assert_one_line_error(code, err, 2, "already exists")
    assert "--force" in err
    assert out.read_bytes() == b"my own work"
    wav = tmp_path / "existing.wav"
    wav.write_bytes(b"keep me")
    code, _, err = run("melody", "--length", "8", "--out", str(tmp_path / "new.mid"), "--wav", str(wav))
    assert_one_line_error(code, err, 2, "--wav")
    assert wav.read_bytes() == b"keep me"
    assert not (tmp_path / "new.mid").exists()                       # refused before anything was written
    code, out_text, err = run("melody", "--length", "8", "--out", str(out), "--force")
    assert code == 0 and out.read_bytes()[:4] == b"MThd" and "wrote" in out_text


def test_help_states_the_overwrite_rule() -> None:
    code, out, _ = run("melody", "--help")
    assert code == 0 and "never replaced unless you pass --force" in " ".join(out.split())


def test_the_same_file_twice_is_refused(tmp_path: Path) -> None:
    seed = tmp_path / "x.mid"
    seed.write_bytes(midi_bytes())
    code, _, err = run("melody", "--seed-midi", str(seed), "--out", str(seed), "--force")
    assert_one_line_error(code, err, 2, "same file")
    assert seed.read_bytes() == midi_bytes()                        # the seed survives, even with --force
    p = tmp_path / "p"
    code, _, err = run("melody", "--length", "8", "--out", str(p), "--wav", str(p))
    assert_one_line_error(code, err, 2, "same file")
    assert not p.exists()
    link = tmp_path / "link.mid"
    link.symlink_to(seed)
    code, _, err = run("melody", "--seed-midi", str(link), "--out", str(seed), "--force")
    assert_one_line_error(code, err, 2, "same file")


@pytest.mark.parametrize("source", ["/dev/zero", "huge"])
def test_a_huge_or_endless_seed_file_is_refused_without_reading_it_all(source: str, tmp_path: Path) -> None:
    if source == "huge":
        path = tmp_path / "huge.mid"
        with open(path, "wb") as fh:
            fh.write(b"MThd")
            fh.truncate(50_000_000)                                   # sparse: refused from its size alone
        source = str(path)
    code, _, err = run("melody", "--seed-midi", source, "--length", "8")
    assert_one_line_error(code, err, 1, "200,000 bytes")             # /dev/zero read whole: MemoryError


def test_triplet_lengths_print_as_fractions(tmp_path: Path) -> None:
    seed = tmp_path / "triplets.mid"
    seed.write_bytes(midi_bytes([(pitch, 80) for pitch in (60, 62, 64)]))  # triplet sixteenths: ⅙ beat = 80 ticks
    code, out, err = run("melody", "--seed-midi", str(seed), "--length", "8")
    assert code == 0, err
    assert out.split(": ", 1)[1].startswith("C4 ⅙ D4 ⅙ E4 ⅙") and "0.1666" not in out


def test_evaluate_music_refuses_an_unwritable_output_before_working(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for bad in (str(blocker / "evaluation.json"), str(tmp_path), "/proc/evaluation.json"):
        code, out, err = run("evaluate", "music", "--out", bad, "--card", str(tmp_path / "card.md"), timeout=120)
        assert code == 1 and "Traceback" not in err, (bad, err)
        assert "LSTM" not in out                                       # no model was scored
    code, _, err = run("evaluate", "music", "--card", str(blocker / "README.md"), "--card-only", timeout=120)
    assert_one_line_error(code, err, 1)


def test_evaluate_and_train_music_refuse_empty_data(tmp_path: Path) -> None:
    empty = tmp_path / "tunes.npz"
    empty.write_bytes(b"")
    code, _, err = run("evaluate", "music", "--tokens", str(empty), "--out", str(tmp_path / "e.json"),
                       "--card", str(tmp_path / "card.md"), timeout=120)
    assert_one_line_error(code, err, 1, "empty")
    assert not (tmp_path / "e.json").exists()
    code, _, err = run("train", "music", "--tokens", str(empty), "--out-dir", str(tmp_path / "w"), "--steps", "1",
                       timeout=120)
    assert_one_line_error(code, err, 1, "empty")
    assert not list((tmp_path / "w").glob("*.pt"))


def test_train_music_checks_its_outputs_first(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = run("train", "music", "--out-dir", str(blocker), "--steps", "1", timeout=120)
    assert_one_line_error(code, err, 1, "not a folder")
    assert "step" not in out
    code, out, err = run("train", "music", "--out-dir", "/proc/music", "--steps", "1", timeout=120)
    assert code == 1 and "Traceback" not in err and "step" not in out
