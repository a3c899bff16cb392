"""``ui.tables``: escaped, formatted HTML tables that read back as the rows that went in."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.tables import parse_table
from ui.tables import TABLE_CLASS, table_html


def test_rows_round_trip_with_formats_and_alignment() -> None:
    rows = [{"model": "GRU", "accuracy": 0.91234, "parameters": 12000, "note": None},
            {"model": "bag of words", "accuracy": 0.5, "parameters": 7, "note": "baseline"}]
    markup = table_html(rows, {"accuracy": ".3f"})
    assert markup.startswith(f'<div class="{TABLE_CLASS}"') and "\n" not in markup
    assert parse_table(markup) == [
        {"model": "GRU", "accuracy": "0.912", "parameters": "12000", "note": ""},
        {"model": "bag of words", "accuracy": "0.500", "parameters": "7", "note": "baseline"}]
    assert markup.count('style="text-align:right"') == 4          # the numbers only


def test_hostile_text_is_shown_as_text() -> None:
    evil = "<script>alert(1)</script> **bold** :material/warning: $x^2$ [a](javascript:alert(1)) | \u202e"
    markup = table_html([{"<b>column</b>": evil}])
    assert "<script>" not in markup and "<b>" not in markup
    assert ":material" not in markup and "$x" not in markup          # no icon codes, no maths for Markdown
    assert parse_table(markup) == [{"<b>column</b>": evil}]


def test_no_rows_no_table() -> None:
    assert table_html([]) == ""


NO_PANDAS = r"""
import sys
from streamlit.testing.v1 import AppTest
from ui.lessons import built_lessons
for lesson in built_lessons():
    at = AppTest.from_file("app.py", default_timeout=300)
    at.switch_page(lesson.file).run()
    assert not at.exception, (lesson.file, at.exception)
print(sorted(m for m in ("pandas", "pyarrow") if m in sys.modules))
"""


@pytest.mark.slow
def test_no_page_imports_pandas_or_pyarrow() -> None:
    """About 80 MB of the server's memory (issue 18): every table is ``ui.tables`` HTML, never a dataframe."""
    out = subprocess.run([sys.executable, "-c", NO_PANDAS], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        text = path.read_text()
        assert "st.dataframe(" not in text and "import pandas" not in text, path.name
