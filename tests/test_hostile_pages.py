"""Hostile input on every page (AppTest): odd URL values, hostile text and numbers, bad uploads.

For every input: the page does not crash, it shows a clear message or falls back to a sane default,
and nothing the user typed is rendered as HTML: every ``unsafe_allow_html`` snippet and every
``st.html`` body holds the payload escaped and no blank line (a blank line would end the HTML
block and Streamlit would render the rest of the user's text as Markdown: links, images, math),
and chart labels hold no raw ``<script>``/``<img>`` tags (plotly reads tags in labels).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterator

import pytest

from sequence_models.music.midi import MAX_UPLOAD_BYTES
from sequence_models.ner.inference import MAX_CHARS as NER_MAX_CHARS
from tests.conftest import melody_players, open_page
from tests.tables import tables
from tests.midi_files import midi_bytes as _midi

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE x;--"
HUGE = ("Paris is big. " * 7200)[:100_000]
#: text payloads for text inputs (name → text)
TEXTS = {
    "empty": "",
    "whitespace": " \t\n \u00a0 ",
    "huge": HUGE,
    "control": "Obama\x00 visited\x1b[31m Paris\u202e on\x07 Monday\x7f.",
    "emoji": "🎵🙂 👍🏽 👩‍👩‍👧 Obama 🇫🇷",
    "rtl": "مرحبا بالعالم Barack Obama שלום עולם",
    "script": f"{SCRIPT} Barack Obama visited Paris.",
    "img": f"{IMG} Apple bought a startup.",
    "sql": SQL,
    "markdown": "Paris is big.\n\n# PWNED ![x](https://example.invalid/x.png) [y](https://example.invalid) $x^2$",
}
#: odd values for every URL parameter at once
URL_VALUES = ["", "NaN", "inf", "-1e309", "-5", "9" * 100_000, SCRIPT, SQL, "\x00\x1b\u202e🙂", "مرحبا שלום"]
#: every page's URL-bound widget keys (the URL parameter names)
PAGES = {
    "pages/rnn_types.py": ("rt_type", "rt_tx", "rt_ty", "rt_seed", "rt_step"),
    "pages/music.py": ("mus_note", "mus_net", "mus_len", "mus_temp", "mus_topk", "mus_bpm", "mus_seed", "mus_scale",
                       "mus_step"),
    "pages/ner.py": ("ner_ex", "ner_types", "ner_hm", "ner_alltags", "ner_set"),
    "pages/translation.py": ("tr_mdl", "tr_beam", "tr_ts"),
    "pages/gradients.py": ("grad_cell", "grad_act", "grad_prec", "grad_T", "grad_rho", "grad_H", "grad_seed", "grad_lr",
                           "grad_clip", "grad_rho0", "grad_cseed"),
    "pages/long_term.py": ("lt_lag", "lt_steps", "lt_seed", "lt_gT", "lt_ex"),
    "pages/parallelism.py": ("par_Tmax", "par_d", "par_B"),
    "pages/sentiment.py": ("sen_ex", "sen_units"),
}
#: URL keys bound to a text widget: any string is a valid value (tested with TEXTS below)
TEXT_KEYS = {"pages/ner.py": "ner_text", "pages/translation.py": "tr_en", "pages/sentiment.py": "sen_text"}
RAW_TAG = re.compile(r"<\s*(script|img)\b", re.IGNORECASE)
BLANK_LINE = re.compile(r"(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)")


def _strings(obj):
    """Every string inside a decoded JSON value."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def html_snippets(at) -> list[str]:
    """Bodies rendered as HTML: ``st.markdown(unsafe_allow_html=True)`` and ``st.html``."""
    return [m.value for m in at.markdown if m.proto.allow_html] + [h.value for h in at.get("html")]


def assert_safe(at, what: str) -> None:
    """No exception, the page title is drawn, and nothing is rendered as live HTML."""
    assert not at.exception, f"{what}: {[e.value for e in at.exception]}"
    assert at.title, f"{what}: the page drew nothing"
    for body in html_snippets(at):
        assert not RAW_TAG.search(body), f"{what}: raw tag in HTML: {body[:300]}"
        assert not BLANK_LINE.search(body), f"{what}: a blank line lets Markdown through: {body[:300]}"
    for chart in at.get("plotly_chart"):
        for s in _strings(json.loads(chart.proto.spec)):
            assert not RAW_TAG.search(s), f"{what}: raw tag in a chart label: {s[:200]}"


def each_payload(at, widget: str, key: str, blank: tuple[str, str]) -> Iterator[tuple[str, str]]:
    """Type every text of :data:`TEXTS` into the ``widget`` (``"text_area"``, ``"text_input"``) keyed ``key``.

    After each run the page must be safe (:func:`assert_safe`), and a blank text must bring the note
    ``blank`` = (element kind such as ``"info"``, words in it). Yields (name, text) of the other texts."""
    for name, text in TEXTS.items():
        getattr(at, widget)(key=key).set_value(text).run()
        assert_safe(at, f"{key} {name}")
        if not text.strip():
            kind, words = blank
            assert words in getattr(at, kind)[0].value, f"{key} {name}"
            continue
        yield name, text


def bound_values(at, keys) -> dict:
    out = {}
    for k in keys:
        try:
            out[k] = at.get_by_key(k).value
        except KeyError:  # a widget this view does not draw (e.g. LSTM-only slider)
            out[k] = "<absent>"
    return out


# --- odd URL values ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def defaults() -> dict[str, dict]:
    """Each page's bound widget values with no query string."""
    out = {}
    for page, keys in PAGES.items():
        at = open_page(page)
        assert_safe(at, f"{page} default")
        out[page] = bound_values(at, keys)
    return out


@pytest.mark.parametrize("page", list(PAGES))
def test_odd_url_values_fall_back_to_defaults(page: str, defaults: dict) -> None:
    keys = PAGES[page]
    for value in URL_VALUES:
        at = open_page(page, {k: value for k in keys})
        what = f"{page}?…={value[:20]!r}"
        assert_safe(at, what)
        got = bound_values(at, keys)
        for k in keys:
            # an empty value may clear a control (None / []); the page then uses its default
            cleared = value == "" and got[k] in (None, [])
            assert got[k] == defaults[page][k] or cleared, f"{what}: {k} = {got[k]!r}"
        assert at.get("plotly_chart") or tables(at), f"{what}: no chart"


@pytest.mark.parametrize("page", list(PAGES))
def test_repeated_and_mixed_url_parameters(page: str, defaults: dict) -> None:
    """``?k=1&k=<script>`` (a list) and a different odd value for every key."""
    keys = PAGES[page]
    at = open_page(page, {k: ["1", SCRIPT] for k in keys})
    assert_safe(at, f"{page} repeated keys")
    mixed = {k: URL_VALUES[1 + i % (len(URL_VALUES) - 1)] for i, k in enumerate(keys)}
    at = open_page(page, mixed)
    assert_safe(at, f"{page} mixed")
    assert bound_values(at, keys) == defaults[page]


# --- hostile text -------------------------------------------------------------------------------

def _ner_shown_text(div: str) -> str:
    """The characters a reader sees in the NER highlight, without the entity labels."""
    div = re.sub(r'<span class="ner-label"[^>]*>[^<]*</span>', "", div)
    return html.unescape(re.sub(r"<[^>]+>", "", div))


def test_ner_text_box_survives_every_payload() -> None:
    at = open_page("pages/ner.py")
    for name, text in each_payload(at, "text_area", "ner_text", ("info", "Type or paste some English text")):
        highlight = next(m.value for m in at.markdown if m.value.startswith('<div class="ner-text"'))
        shown = _ner_shown_text(highlight)
        if name == "huge":
            assert f"at most {NER_MAX_CHARS:,}" in at.warning[0].value
            assert HUGE.startswith(shown) and len(shown) <= NER_MAX_CHARS
        else:
            assert shown == text  # exactly what was typed, shown as text
        if name == "script":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in highlight
        if name == "markdown":
            assert "# PWNED ![x](https://example.invalid/x.png)" in highlight  # as text, not an image
        assert at.get("plotly_chart")                                           # the heatmap is drawn


def test_ner_hostile_text_in_the_url() -> None:
    for name in ("script", "img", "huge", "markdown", "control"):
        at = open_page("pages/ner.py", {"ner_text": TEXTS[name]})
        assert_safe(at, f"ner ?ner_text={name}")
        assert any(m.value.startswith('<div class="ner-text"') for m in at.markdown)


def test_translation_box_survives_every_payload() -> None:
    at = open_page("pages/translation.py")
    for name, text in each_payload(at, "text_input", "tr_en", ("warning", "the input is empty")):
        if name == "huge":  # the box keeps 600 characters, still more than 60 words
            assert at.text_input(key="tr_en").value == HUGE[:600] and "the limit is 60 words" in at.warning[0].value
            continue
        chips = next(m.value for m in at.markdown if 'class="tr-chip"' in m.value)
        assert any('class="tr-output"' in b for b in html_snippets(at))
        if name in ("script", "img"):
            assert "&lt;" in chips and "&gt;" in chips
        if name in ("emoji", "rtl", "script", "img"):
            assert any("not in the" in c.value for c in at.caption)  # the unknown words are pointed out


def test_translation_hostile_text_in_the_url() -> None:
    for text in (TEXTS["huge"], "word " * 200, SCRIPT, "\x00\x1b", "...", "😀" * 700):
        at = open_page("pages/translation.py", {"tr_en": text})
        assert_safe(at, f"translation ?tr_en={text[:15]!r}")
        assert at.warning or any('class="tr-output"' in b for b in html_snippets(at))


# --- hostile numbers ----------------------------------------------------------------------------

FALLS_BACK_TO_MIN = {"mus_seed"}
NUMBER_INPUTS = {"pages/music.py": ("mus_seed",), "pages/gradients.py": ("grad_seed", "grad_cseed"),
                 "pages/long_term.py": ("lt_seed", "lt_ex")}


@pytest.mark.parametrize("page", list(NUMBER_INPUTS))
def test_number_inputs_reject_nan_inf_negative_and_huge(page: str) -> None:
    at = open_page(page)
    for key in NUMBER_INPUTS[page]:
        widget = at.number_input(key=key)
        lo, hi, default = widget.min, widget.max, widget.value
        for value in (math.nan, math.inf, -math.inf, -1, 1e12, lo - 0.5):
            at.number_input(key=key).set_value(value).run()
            assert_safe(at, f"{page} {key}={value}")
            shown = at.number_input(key=key).value
            # Inputs given a default fall back to it; the music seed (set only through Session State, so that
            # the 🎲 button can write it without a warning) falls back to its lowest value, also a valid seed.
            assert shown == (lo if key in FALLS_BACK_TO_MIN else default), f"{key}={value}"
        at.number_input(key=key).set_value(hi).run()
        assert_safe(at, f"{page} {key}={hi}")
        assert at.number_input(key=key).value == hi


@pytest.mark.parametrize("page,key,value", [
    ("pages/music.py", "mus_seed", "inf"), ("pages/gradients.py", "grad_seed", "-inf"),
    ("pages/gradients.py", "grad_cseed", "1e309"), ("pages/long_term.py", "lt_ex", "inf"),
    ("pages/long_term.py", "lt_seed", "nan"),
])
def test_non_finite_seed_in_the_url_opens_the_default(page: str, key: str, value: str) -> None:
    """Streamlit's integer number input crashed on ?seed=inf (OverflowError); these fall back."""
    at = open_page(page, {key: value})
    assert_safe(at, f"{page}?{key}={value}")
    assert at.number_input(key=key).value == (1 if key == "mus_seed" else 0)  # the default seed


# --- uploads on the music page ----------------------------------------------------------------

GOOD = _midi(((64, 240), (67, 240), (71, 240)))
UPLOADS = {  # name → (file name, bytes, expected words in the st.error, or None when the file is usable)
    "truncated": ("cut.mid", GOOD[: len(GOOD) // 2], "damaged"),
    "garbage after header": ("noise.mid", b"MThd" + bytes(range(256)) * 4, "damaged"),
    "huge": ("big.mid", GOOD + b"\0" * (MAX_UPLOAD_BYTES + 1), "at most"),
    "png": ("song.mid", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a MIDI file"),
    "text": ("notes.mid", "C D E F G — ♪ 🎵".encode(), "not a MIDI file"),  # (a .txt name never gets here:
    # the browser only offers .mid/.midi, and Streamlit itself rejects other extensions)
    "empty": ("empty.mid", b"", "empty"),
    "drums only": ("drums.mid", _midi(((64, 0), (67, 240)), channel=9), "no notes"),
    "zero-length notes": ("zero.mid", _midi(((60, 0), (62, 0))), "no notes"),
    "html file name": (f"{IMG}![x](https:example.invalid).mid", b"MThd\0\0\0\6", "damaged"),
    "65535 tracks, none there": ("tracks.mid", b"MThd\0\0\0\6\0\1\xff\xff\1\xe0", "no notes"),
    "extreme pitches": ("wide.mid", _midi(((0, 120), (127, 120), (1, 1))), None),
    "one tick per beat": ("fast.mid", _midi(((60, 1), (62, 100_000)), ticks_per_beat=1), None),
}


def test_music_uploads_corrupt_huge_and_not_midi() -> None:
    at = open_page("pages/music.py")
    at.segmented_control(key="mus_src").set_value("A MIDI file").run()
    assert_safe(at, "music upload mode")
    for label, (name, data, expected) in UPLOADS.items():
        at.file_uploader(key="mus_upload").set_value((name, data, "audio/midi")).run()
        what = f"upload {label}"
        assert_safe(at, what)
        assert len(melody_players(at)) == 1, f"{what}: no melody"         # a melody is always made
        seed = next(t for t in json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
                    if t["name"] == "seed (given)")["y"]
        if expected is None:
            assert not at.error, f"{what}: {[e.value for e in at.error]}"
            assert 1 <= len(seed) <= 8 and all(48 <= p <= 96 for p in seed)  # folded into the model's range
        else:
            assert len(at.error) == 1 and expected in at.error[0].value, f"{what}: {[e.value for e in at.error]}"
            assert "Using the seed note instead" in at.error[0].value and seed == [60]
    # the hostile file name is shown literally: escaped for Markdown, no tag, no link
    at.file_uploader(key="mus_upload").set_value(UPLOADS["html file name"][:2] + ("audio/midi",)).run()
    message = at.error[0].value
    assert "\\<img src=x onerror=alert\\(1\\)\\>\\!\\[x\\]" in message and "](" not in message


@pytest.mark.parametrize("page, task", [("pages/music.py", "music"), ("pages/translation.py", "translation"),
                                        ("pages/ner.py", "ner"), ("pages/sentiment.py", "sentiment")])
def test_a_missing_evaluation_file_gets_one_note_naming_its_command(monkeypatch, page: str, task: str) -> None:
    """Every lesson reads its stored results through ``ui.evaluation``; without them the page still runs and
    says once which command makes them."""
    import ui.evaluation

    monkeypatch.setattr(ui.evaluation, "stored_results", lambda name, required=("models",): None)
    at = open_page(page, timeout=300)
    assert not at.exception, at.exception
    notes = [w.value for w in at.warning if "No evaluation results yet" in w.value]
    assert len(notes) == 1 and f"evaluate {task}" in notes[0], notes
