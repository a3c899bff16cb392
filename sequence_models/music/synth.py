"""Render notes to audio the browser can play: WAV, and MP3 for the web page.

:func:`render_wav` uses FluidSynth with a General MIDI soundfont when both are installed
(Debian packages ``fluidsynth`` and ``fluid-soundfont-gm``, listed in ``packages.txt``);
otherwise, or if FluidSynth fails, :func:`synth_numpy` renders the notes itself: each note is
a sum of decaying harmonics (a soft plucked-string/piano tone) with an attack–decay–
sustain–release envelope, a little inharmonic shimmer, and the mix is normalised.

:func:`mp3_bytes` turns that WAV into a mono MP3 (libsndfile's LAME encoder, via ``soundfile``)
for the page: about 16× smaller, which matters when a class of 30 streams melodies from one
small server over one school network.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22_050
MAX_SECONDS = 240.0
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2",
              "/usr/share/soundfonts/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2")
#: relative amplitude and decay speed-up of harmonics 1…6
HARMONICS = ((1.0, 1.0), (0.45, 1.6), (0.25, 2.2), (0.12, 2.9), (0.07, 3.5), (0.04, 4.2))


def soundfont() -> str | None:
    """Path of an installed General MIDI soundfont, if any."""
    return next((p for p in SOUNDFONTS if Path(p).is_file()), None)


def fluidsynth_available() -> bool:
    return shutil.which("fluidsynth") is not None and soundfont() is not None


def _midi_to_hz(pitch: np.ndarray | float) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, float) - 69.0) / 12.0)


def synth_numpy(notes: list[dict], sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``notes`` (``{"pitch", "start", "end"}`` seconds) → mono float32 samples ``[n]`` in [-1, 1]."""
    if not notes:
        return np.zeros(int(0.2 * sample_rate), np.float32)
    end = min(MAX_SECONDS, max(float(n["end"]) for n in notes)) + 0.6
    out = np.zeros(int(end * sample_rate) + 1, np.float64)
    attack, release = 0.008, 0.12
    for n in notes:
        start = float(n["start"])
        if start >= MAX_SECONDS:
            break
        dur = max(0.03, float(n["end"]) - start)
        length = int((dur + release) * sample_rate)
        t = np.arange(length) / sample_rate
        f0 = float(_midi_to_hz(n["pitch"]))
        tone = np.zeros(length)
        for k, (amp, decay) in enumerate(HARMONICS, start=1):
            fk = f0 * k * (1 + 0.0004 * k * k)          # slight stiffness, like a real string
            if fk >= sample_rate / 2:
                break
            tone += amp * np.exp(-t * decay * (1.2 + f0 / 600)) * np.sin(2 * np.pi * fk * t)
        env = np.minimum(1.0, t / attack)                 # attack
        env *= 0.65 + 0.35 * np.exp(-t / 0.15)            # decay to a sustain level
        rel = np.clip((t - dur) / release, 0.0, 1.0)
        env *= 1.0 - rel                                  # release after the note ends
        i0 = int(start * sample_rate)
        seg = out[i0:i0 + length]
        seg += (tone * env)[: len(seg)]
    peak = np.max(np.abs(out)) or 1.0
    return (0.85 * out / peak).astype(np.float32)


def wav_bytes(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16-bit mono PCM WAV of ``samples`` ``[n]`` in [-1, 1]."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def render_fluidsynth(midi: bytes, sample_rate: int = SAMPLE_RATE, timeout: float = 30.0) -> bytes:
    """Render a MIDI file with FluidSynth; ``RuntimeError`` if it is missing or fails."""
    sf2 = soundfont()
    exe = shutil.which("fluidsynth")
    if exe is None or sf2 is None:
        raise RuntimeError("FluidSynth or a General MIDI soundfont is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        mid_path, wav_path = Path(tmp) / "in.mid", Path(tmp) / "out.wav"
        mid_path.write_bytes(midi)
        proc = subprocess.run([exe, "-ni", "-q", "-g", "0.8", "-F", str(wav_path), "-r", str(sample_rate), "-T", "wav",
                               sf2, str(mid_path)], capture_output=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not wav_path.is_file() or wav_path.stat().st_size < 100:
            raise RuntimeError(f"FluidSynth failed: {proc.stderr.decode(errors='replace')[:200]}")
        return wav_path.read_bytes()


def render_wav(notes: list[dict], midi: bytes | None = None, engine: str = "auto") -> tuple[bytes, str]:
    """WAV bytes of ``notes`` and the engine used (``"fluidsynth"`` or ``"numpy"``).

    ``engine``: ``"auto"`` (FluidSynth when available), ``"fluidsynth"`` or ``"numpy"``.
    """
    if engine in ("auto", "fluidsynth") and midi is not None and fluidsynth_available():
        try:
            return render_fluidsynth(midi), "fluidsynth"
        except (RuntimeError, OSError, subprocess.SubprocessError):
            pass
    return wav_bytes(synth_numpy(notes)), "numpy"


def mp3_bytes(wav: bytes) -> bytes:
    """Mono MP3 of a WAV file (any channel count; the channels are averaged)."""
    import soundfile

    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    buf = io.BytesIO()
    soundfile.write(buf, samples.mean(axis=1), rate, format="MP3", subtype="MPEG_LAYER_III")
    return buf.getvalue()
