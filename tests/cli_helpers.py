"""What the CLI contract tests share: running ``python -m sequence_models`` and checking its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys


from sequence_models.cli import main
from tests.conftest import ROOT


def run_in_process(argv: list[str], capsys) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``python -m sequence_models *argv`` run in-process."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def run_subprocess(*argv: str, timeout: float = 600) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``python -m sequence_models *argv`` in a real subprocess."""
    proc = subprocess.run([sys.executable, "-m", "sequence_models", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return proc.returncode, proc.stdout, proc.stderr


def assert_one_line_error(code: int, err: str, expected_code: int, fragment: str = "") -> str:
    """Assert the CLI contract for a refusal: exit status ``expected_code`` and exactly one line on
    stderr, ``… error: …`` containing ``fragment``, with no traceback. Returns that line."""
    assert code == expected_code, err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert "error:" in err and fragment in err, err
    assert "Traceback" not in err
    return err.rstrip("\n")
