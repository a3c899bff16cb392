"""Shared fixtures: AppTest for one page, the data folder, one torch thread, the project root."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from sequence_models.runtime import data_dir

ROOT = Path(__file__).resolve().parent.parent


def open_page(file: str, query: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """Run ``app.py`` switched to ``file`` (e.g. ``"pages/rnn_types.py"``) with URL ``query``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(file)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def melody_players(at: AppTest) -> list[str]:
    """The keys of the melody players on the page (``<audio src="_unrolled/melody/<key>.mp3">``, see
    ``ui.melody_audio``), in page order."""
    import re

    return [m for h in at.get("html") for m in re.findall(r'<audio [^>]*src="_unrolled/melody/([0-9a-f]{24})\.mp3"',
                                                            h.proto.body)]


@pytest.fixture
def shared_data() -> Path:
    """The training data folder (``../shared/data``); skips the test when it is absent."""
    path = data_dir()
    if not path.is_dir():
        pytest.skip(f"training data not found at {path} (set UNROLLED_DATA or put shared/ beside the project)")
    return path


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a whole test module, as the app and the CLI use (the CI machine is shared).

    A module opts in with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``; the thread
    count before the module is restored after it."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
