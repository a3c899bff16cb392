"""A melody's audio made on request (issue 18): keys, bounded stores, one rendering, byte ranges, the route."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest
import soundfile
from starlette.requests import Request

from ui import melody_audio
from ui.routes import own_route_path

SCALE = [(60 + step, 0.5 * i, 0.5 * i + 0.45) for i, step in enumerate((0, 2, 4, 5, 7, 9, 11, 12))]  # 4 s of C major


@pytest.fixture(autouse=True)
def empty_stores():
    for store in (melody_audio._melodies, melody_audio._rendered, melody_audio._rendering):
        store.clear()
    yield


def _get(key: str, range_header: str | None = None, method: str = "GET"):
    headers = [(b"range", range_header.encode())] if range_header else []
    scope = {"type": "http", "method": method, "path": f"/_unrolled/melody/{key}.mp3", "headers": headers,
             "query_string": b"", "path_params": {"key": key}}
    return asyncio.run(melody_audio.serve(Request(scope)))


def test_a_key_names_the_notes_and_tempo() -> None:
    key = melody_audio.register(SCALE, 120)
    assert len(key) == 24 and key == melody_audio.register(list(SCALE), 120.0)     # same melody, same key
    assert melody_audio.register(SCALE, 100) != key                                 # another tempo
    assert melody_audio.register(SCALE[:-1], 120) != key                            # another melody
    assert melody_audio.audio_url(key) == f"_unrolled/melody/{key}.mp3"             # relative to the page
    player = melody_audio.player_html(key, 'The <b>"LSTM"</b>')
    assert 'preload="none"' in player and f'src="_unrolled/melody/{key}.mp3"' in player
    assert "<b>" not in player and "&lt;b&gt;&quot;LSTM&quot;" in player


def test_the_mp3_is_the_melody_rendered_once_and_kept() -> None:
    key = melody_audio.register(SCALE, 120)
    assert not melody_audio._rendered                        # registering renders nothing
    mp3 = melody_audio.mp3_for(key)
    samples, rate = soundfile.read(io.BytesIO(mp3), dtype="float32")
    seconds = len(samples) / rate
    assert 3.9 < seconds < 8, seconds       # 8 notes of half a second, plus the release (FluidSynth: ≈ 3 s)
    assert abs(samples).max() > 0.05                           # sound, not silence
    assert melody_audio.mp3_for(key) is mp3                    # the second request is served from the store


def test_unknown_malformed_and_forgotten_keys_give_none() -> None:
    assert melody_audio.mp3_for("0" * 24) is None
    assert melody_audio.mp3_for("../../etc/passwd") is None
    assert melody_audio.mp3_for("ABC") is None
    first = melody_audio.register(SCALE, 60)
    for tempo in range(61, 61 + melody_audio.MAX_MELODIES):     # enough other melodies to push it out
        melody_audio.register(SCALE, tempo)
    assert len(melody_audio._melodies) == melody_audio.MAX_MELODIES
    assert melody_audio.mp3_for(first) is None


def test_too_many_notes_are_refused() -> None:
    notes = [(60, i * 0.1, i * 0.1 + 0.05) for i in range(melody_audio.MAX_NOTES + 1)]
    with pytest.raises(ValueError, match="longer than the 2000"):
        melody_audio.register(notes, 120)


def test_concurrent_requests_render_once_and_the_store_is_bounded(monkeypatch) -> None:
    calls = []

    def slow_render(notes, tempo):
        calls.append(tempo)
        threading.Event().wait(0.2)
        return f"mp3 at {tempo}".encode()

    monkeypatch.setattr(melody_audio, "render_mp3", slow_render)
    key = melody_audio.register(SCALE, 90)
    results: list[bytes | None] = []
    threads = [threading.Thread(target=lambda: results.append(melody_audio.mp3_for(key))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [90.0] and results == [b"mp3 at 90.0"] * 4
    for tempo in range(100, 100 + melody_audio.MAX_RENDERED + 3):
        assert melody_audio.mp3_for(melody_audio.register(SCALE, tempo)) == f"mp3 at {float(tempo)}".encode()
    assert len(melody_audio._rendered) == melody_audio.MAX_RENDERED and not melody_audio._rendering


@pytest.mark.parametrize(("header", "size", "expected"), [
    (None, 100, None), ("", 100, None), ("bytes=0-", 100, (0, 99)), ("bytes=10-19", 100, (10, 19)),
    ("bytes=90-500", 100, (90, 99)), ("bytes=-10", 100, (90, 99)), ("bytes=-500", 100, (0, 99)),
    ("bytes=0-1,5-6", 100, None), ("items=0-5", 100, None), ("bytes=-", 100, None),
])
def test_byte_ranges(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert melody_audio.byte_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=50-40"])
def test_unsatisfiable_byte_ranges(header: str) -> None:
    with pytest.raises(ValueError, match="not satisfiable"):
        melody_audio.byte_range(header, 100)


def test_the_route_answers_whole_ranged_missing_and_busy(monkeypatch) -> None:
    monkeypatch.setattr(melody_audio, "render_mp3", lambda notes, tempo: bytes(range(200)))
    key = melody_audio.register(SCALE, 120)
    whole = _get(key)
    assert whole.status_code == 200 and whole.body == bytes(range(200))
    assert whole.headers["content-type"] == "audio/mpeg" and whole.headers["accept-ranges"] == "bytes"
    part = _get(key, "bytes=10-19")
    assert part.status_code == 206 and part.body == bytes(range(10, 20))
    assert part.headers["content-range"] == "bytes 10-19/200"
    assert _get(key, "bytes=500-").status_code == 416
    missing = _get("f" * 24)
    assert missing.status_code == 404 and b"press New melody or reload the page" in missing.body

    from ui import heavy

    def busy(*args, **kwargs):
        raise heavy.Busy("all slots busy")

    monkeypatch.setattr(melody_audio, "render_mp3", busy)
    answer = _get(melody_audio.register(SCALE, 121))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"


@pytest.mark.parametrize(("path", "expected"), [
    ("/_unrolled/melody/k.mp3", "/_unrolled/melody/k.mp3"),
    ("/music/_unrolled/melody/k.mp3", "/_unrolled/melody/k.mp3"),      # relative to a page's address
    ("/course/music/_unrolled/melody/k.mp3", "/_unrolled/melody/k.mp3"),  # under server.baseUrlPath
    ("/music", None), ("/ner/x", None), ("/_unrolledx/a", None), ("/_stcore/health", None),
])
def test_own_routes_are_found_under_any_prefix(path: str, expected: str | None) -> None:
    assert own_route_path(path) == expected


def test_app_py_mounts_the_audio_route() -> None:
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / "app.py").read_text()
    assert "routes=melody_audio.routes()" in source
    (route,) = melody_audio.routes()
    assert route.path == melody_audio.ROUTE_PATH and route.matches(
        {"type": "http", "method": "GET", "path": "/_unrolled/melody/abc.mp3"})[0].name == "FULL"
