"""Cold start: every lesson draws its title (and, where it can, its intro) before anything imports torch.

On a cold server importing torch takes seconds; Streamlit streams elements to the browser as the script
runs, so a page that draws its title and intro first is on screen in about the time of a bare app
(issue 18, benchmarks/cold_start.py). This runs every page with AppTest in ONE fresh interpreter in which
torch cannot be imported: an import hook refuses it and records what the page had drawn at that moment.
The page then stops with that ImportError, which is expected here; no torch is loaded, so it is fast.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from ui.lessons import built_lessons

#: Pages whose intro needs torch-backed values, so only their title comes first: music's intro names the
#: model chosen in its controls; rnn_types' gives the hidden size of the toy model trained for the page.
TITLE_ONLY = {"pages/music.py", "pages/rnn_types.py"}

CHILD = r"""
import importlib.abc
import json
import sys

import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.presentation

seen = {"title": False, "intro": False}
first_torch = {}     # page -> what had been drawn when torch was first asked for
current = [None]


class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            first_torch.setdefault(current[0], dict(seen))
            raise ImportError("torch is blocked by tests/test_cold_start_order.py")
        return None


sys.meta_path.insert(0, NoTorch())
assert "torch" not in sys.modules

real_title, real_intro = st.title, ui.presentation.intro


def title(*args, **kwargs):
    seen["title"] = True
    return real_title(*args, **kwargs)


def intro(*args, **kwargs):
    seen["intro"] = True
    return real_intro(*args, **kwargs)


st.title = title                  # pages call st.title(...) and import intro from ui.presentation on every run
ui.presentation.intro = intro

for page in json.loads(sys.argv[1]):
    current[0] = page
    seen.update(title=False, intro=False)
    at = AppTest.from_file("app.py", default_timeout=60)
    if page != "home":
        at.switch_page(page)
    at.run()
    if page not in first_torch:
        first_torch[page] = None  # never asked for torch
print(json.dumps(first_torch))
"""


def test_every_page_draws_its_title_before_importing_torch() -> None:
    pages = ["home"] + [lesson.file for lesson in built_lessons()]
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(pages)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    first_torch = json.loads(done.stdout.strip().splitlines()[-1])
    assert first_torch["home"] is None, "the home page should not import torch at all"
    for page in pages[1:]:
        drawn = first_torch[page]
        assert drawn is not None, f"{page} never imported torch: did the page run at all?"
        assert drawn["title"], f"{page} imports torch before st.title(...): move the heavy imports below it"
        if page not in TITLE_ONLY:
            assert drawn["intro"], f"{page} imports torch before its intro(...): move the heavy imports below it"
