"""A melody's audio, rendered only when a browser asks for it (press ▶ or download).

Rendering a melody (FluidSynth, ≈ 115 ms for 128 events) and encoding its MP3 (≈ 115 ms) used to
happen on every New melody, before the page could redraw, even for students who never press play.
Now the music page only *registers* the notes (:func:`register`, microseconds) and draws an
``<audio preload="none">`` element (:func:`player_html`) whose address is a route of this server,
``/_unrolled/melody/<key>.mp3``; :func:`serve` renders and encodes the MP3 when that address is
first requested and keeps the last few (:data:`MAX_RENDERED`).

``app.py`` mounts :func:`routes` on its ``st.App``; :class:`ui.routes.DeeperPathsToTheirPage`
strips whatever comes before ``/_unrolled/`` (a page's address, ``server.baseUrlPath``, a hosting
proxy's prefix), so the relative address of the player works from every page address.

Both stores are bounded and shared by every session: a key is the hash of the notes and tempo, so
thirty students who press play on the same melody cause one rendering.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

from ui.routes import OWN_SEGMENT

#: Path of a melody's MP3 under the server root: ``/_unrolled/melody/<key>.mp3``.
ROUTE_PATH = f"/{OWN_SEGMENT}/melody/{{key}}.mp3"
#: Melodies whose notes are kept (about 10 kB each for 128 events), oldest forgotten first.
MAX_MELODIES = 256
#: Rendered MP3 files kept (about 200 kB each for 128 events at 120 bpm).
MAX_RENDERED = 8
#: Notes per melody accepted (the page makes at most a few hundred).
MAX_NOTES = 2_000

Note = tuple[int, float, float]   # (MIDI pitch, start s, end s)

_KEY = re.compile(r"[0-9a-f]{24}")
_lock = threading.Lock()
_melodies: OrderedDict[str, tuple[tuple[Note, ...], float]] = OrderedDict()
_rendered: OrderedDict[str, bytes] = OrderedDict()
_rendering: dict[str, threading.Lock] = {}


def melody_key(notes: Sequence[Note], tempo: float) -> str:
    """The 24-hex-digit key of a melody: the same notes and tempo give the same key."""
    text = repr((tuple((int(p), round(float(s), 6), round(float(e), 6)) for p, s, e in notes), round(float(tempo), 3)))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def register(notes: Sequence[Note], tempo: float) -> str:
    """Keep ``notes`` (``(pitch, start, end)`` in seconds) for a later request; return the melody's key.

    Raises ``ValueError`` for more than :data:`MAX_NOTES` notes."""
    if len(notes) > MAX_NOTES:
        raise ValueError(f"a melody of {len(notes)} notes is longer than the {MAX_NOTES} the player accepts")
    key = melody_key(notes, tempo)
    kept = tuple((int(p), float(s), float(e)) for p, s, e in notes)
    with _lock:
        _melodies[key] = (kept, float(tempo))
        _melodies.move_to_end(key)
        while len(_melodies) > MAX_MELODIES:
            _melodies.popitem(last=False)
    return key


def audio_url(key: str) -> str:
    """The player's address, relative to the page (``_unrolled/melody/<key>.mp3``)."""
    return ROUTE_PATH.lstrip("/").format(key=key)


def player_html(key: str, label: str) -> str:
    """An audio player that fetches nothing until ▶ is pressed (``preload="none"``); ``label`` names it for
    screen readers (escaped here)."""
    return (f'<audio controls preload="none" src="{audio_url(key)}" aria-label="{html.escape(label, quote=True)}" '
            'style="width:100%;height:40px"></audio>')


def render_mp3(notes: Sequence[Note], tempo: float) -> bytes:
    """The MP3 of ``notes``: MIDI → WAV (FluidSynth, or the numpy synthesiser) → mono MP3."""
    from sequence_models.music.midi import melody_midi_bytes
    from sequence_models.music.synth import mp3_bytes, render_wav

    as_dicts = [{"pitch": p, "start": s, "end": e} for p, s, e in notes]
    wav, _engine = render_wav(as_dicts, melody_midi_bytes(as_dicts, tempo))
    return mp3_bytes(wav)


def mp3_for(key: str) -> bytes | None:
    """The MP3 of a registered melody (rendered on the first request, under a heavy-job slot), or ``None`` for a
    key that is malformed, unknown or already forgotten. Two requests for one key render it once."""
    if not _KEY.fullmatch(key):
        return None
    with _lock:
        if key in _rendered:
            _rendered.move_to_end(key)
            return _rendered[key]
        melody = _melodies.get(key)
        if melody is None:
            return None
        once = _rendering.setdefault(key, threading.Lock())
    with once:
        try:
            with _lock:
                if key in _rendered:
                    return _rendered[key]
            from ui import heavy

            with heavy.slot():
                mp3 = render_mp3(*melody)
            with _lock:
                _rendered[key] = mp3
                while len(_rendered) > MAX_RENDERED:
                    _rendered.popitem(last=False)
        finally:
            with _lock:
                _rendering.pop(key, None)
    return mp3


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte of a single ``Range: bytes=a-b`` header within ``size`` bytes; ``None`` for no header
    or one this server does not honour (the whole file is sent then). Raises ``ValueError`` when unsatisfiable."""
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header or "")
    if not m or (not m[1] and not m[2]):
        return None
    if m[1]:
        first = int(m[1])
        last = min(int(m[2]), size - 1) if m[2] else size - 1
    else:  # the last n bytes
        first, last = max(0, size - int(m[2])), size - 1
    if first >= size or first > last:
        raise ValueError("range not satisfiable")
    return first, last


async def serve(request):  # -> starlette Response
    """``GET /_unrolled/melody/<key>.mp3``: the MP3 (200, or 206 for a byte range); 404 for a forgotten melody;
    503 when every heavy slot stayed busy."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response

    from ui.heavy import Busy

    key = str(request.path_params.get("key", ""))
    try:
        mp3 = await run_in_threadpool(mp3_for, key)
    except Busy:
        return PlainTextResponse("The server is busy: press play again in a moment.", status_code=503,
                                 headers={"Retry-After": "5"})
    if mp3 is None:
        return PlainTextResponse("This melody is no longer on the server: press New melody or reload the page.",
                                 status_code=404)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
    try:
        span = byte_range(request.headers.get("range"), len(mp3))
    except ValueError:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{len(mp3)}"})
    if span is None:
        return Response(mp3, media_type="audio/mpeg", headers=headers)
    first, last = span
    headers["Content-Range"] = f"bytes {first}-{last}/{len(mp3)}"
    return Response(mp3[first:last + 1], status_code=206, media_type="audio/mpeg", headers=headers)


def routes() -> list:
    """The Starlette route ``app.py`` gives to ``st.App``."""
    from starlette.routing import Route

    return [Route(ROUTE_PATH, serve, methods=["GET", "HEAD"])]
