"""The CLI's shared behaviour and the runtime helpers (seeding, checkpoints, paths)."""

import json
import subprocess
import sys

import pytest
import torch

from sequence_models.cli import main
from sequence_models.runtime import (AssetError, data_dir, load_checkpoint, make_generator, save_checkpoint,
                                     seed_everything, use_inference_threads)
from tests.conftest import ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sequence_models", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_help_lists_commands() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0 and "unroll" in proc.stdout


def test_unroll_json_has_every_step(capsys) -> None:
    assert main(["unroll", "--type", "encoder_decoder", "--tx", "4", "--ty", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tx"] == 4 and out["ty"] == 3 and out["input"] == "hell"
    assert [s["role"] for s in out["steps"]] == ["encoder"] * 4 + ["decoder"] * 3
    assert len(out["weights"]["W_aa"]) == 4


def test_unroll_clamps_lengths(capsys) -> None:
    assert main(["unroll", "--type", "one_to_one", "--tx", "9", "--ty", "9"]) == 0
    assert "Tx=1 Ty=1" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["unroll", "--tx", "abc"], "invalid int value: 'abc'"),
    (["unroll", "--type", "two_to_two"], "invalid choice: 'two_to_two'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required: COMMAND"),
])
def test_bad_arguments_exit_2_with_one_line(args, message) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_checkpoint_round_trip(tmp_path) -> None:
    sd = {"w": torch.arange(6.0).reshape(2, 3)}
    path = save_checkpoint(tmp_path / "m.pt", sd, {"hidden": 3}, note="x")
    ckpt = load_checkpoint(path)
    assert torch.equal(ckpt["state_dict"]["w"], sd["w"]) and ckpt["config"] == {"hidden": 3} and ckpt["note"] == "x"


def test_missing_checkpoint_names_file_and_fix(tmp_path) -> None:
    with pytest.raises(AssetError, match=r"nothing\.pt is missing .* `python -m sequence_models train"):
        load_checkpoint(tmp_path / "nothing.pt")


@pytest.mark.parametrize("content", [b"", b"not a torch file at all", b"PK\x03\x04garbage"])
def test_corrupt_checkpoint_is_reported(tmp_path, content) -> None:
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(AssetError, match="bad.pt is corrupt"):
        load_checkpoint(path)


def test_checkpoint_without_expected_keys_is_reported(tmp_path) -> None:
    path = tmp_path / "odd.pt"
    torch.save({"weights": torch.zeros(1)}, path)
    with pytest.raises(AssetError, match="does not hold 'state_dict' and 'config'"):
        load_checkpoint(path)


def test_seeding_and_generators_are_reproducible() -> None:
    seed_everything(5)
    a = torch.rand(3)
    seed_everything(5)
    assert torch.equal(a, torch.rand(3))
    g1, g2 = make_generator(9), make_generator(9)
    assert torch.equal(torch.rand(4, generator=g1), torch.rand(4, generator=g2))


def test_inference_threads_and_data_dir(monkeypatch, tmp_path) -> None:
    before = torch.get_num_threads()
    use_inference_threads(1)
    assert torch.get_num_threads() == 1
    torch.set_num_threads(before)
    monkeypatch.setenv("UNROLLED_DATA", str(tmp_path))
    assert data_dir() == tmp_path and data_dir("x/y").as_posix() == "x/y"
    monkeypatch.delenv("UNROLLED_DATA")
    assert data_dir() == ROOT.parent / "shared" / "data"


def test_output_piped_into_a_command_that_exits_early_gives_no_traceback() -> None:
    """``unroll --json | true`` (issue 19): the reader is gone before the output is written."""
    for command in (["unroll", "--json", "--type", "encoder_decoder", "--tx", "9", "--ty", "9"], ["--help"]):
        proc = subprocess.Popen([sys.executable, "-m", "sequence_models", *command], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()                      # like `| true`: nobody reads standard output
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait(120) in (0, 1), err
        assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_home_page_first_paint_loads_no_model_code() -> None:
    """Cold start (issue 14): the path to the home page imports neither torch nor any model package."""
    script = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
              "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
              "assert not at.exception, at.exception\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in {'torch', 'sequence_models', 'music21', "
              "'sentencepiece', 'mido'}))\n")   # (Streamlit itself imports plotly to set its chart theme)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout


@pytest.mark.parametrize("command", ["ner", "sentiment"])
def test_text_commands_with_standard_input_closed_fail_with_one_line(command: str) -> None:
    """``COMMAND -`` with standard input closed (``<&-``): exit 1, one line, no traceback (issue 19 item 11)."""
    r = subprocess.run(f"{sys.executable} -m sequence_models {command} - <&-", shell=True, cwd=ROOT,
                       capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0
    assert "standard input is closed" in r.stderr
