"""The folk-tune corpus: parse music21's bundled ABC once, then load the cached token file.

``python -m sequence_models.music.corpus`` parses O'Neill's *Music of Ireland* (1850) and
*Ryan's Mammoth Collection* (both ship with ``music21``; public domain) into
``assets/music/tunes.npz``. Each tune becomes a list of (pitch, duration) notes:
``pitch`` is a MIDI number, or :data:`REST` for a rest, and ``duration`` is counted in
twelfths of a quarter note (so triplets stay exact). Tied notes are merged, grace notes
dropped, chords reduced to their top note, and exact duplicate tunes (the collections
repeat some) are kept once, and a validation or test tune whose notes match an earlier
split's tune (another rhythm of the same tune) is left out when loading, so no tune is in two splits.
The split is fixed by tune:
a seeded permutation puts 80 % in train, 10 % in validation, 10 % in test.

music21 is needed only here (it is in ``requirements-dev.txt``); the app reads the npz.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sequence_models.cli import OneLineParser
from sequence_models.runtime import AssetError, asset_path

REST = -1                      #: the pitch value of a rest
TICKS_PER_QUARTER = 12         #: duration unit: 1/12 of a quarter note
COLLECTIONS = ("oneills1850", "ryansMammoth")
SPLITS = ("train", "valid", "test")
SPLIT_SEED = 2024


def tokens_path() -> Path:
    """Where the parsed corpus lives: ``assets/music/tunes.npz``."""
    return asset_path("music/tunes.npz")


@dataclass
class Tune:
    """One melody. ``pitches`` ``[n]`` (MIDI or :data:`REST`), ``ticks`` ``[n]`` (1/12 quarter)."""

    title: str
    source: str
    pitches: np.ndarray
    ticks: np.ndarray

    def __len__(self) -> int:
        return len(self.pitches)


def _tune_from_score(score) -> tuple[list[int], list[int]]:
    """Pitches and durations of the first part of a music21 score (ties merged)."""
    from music21 import chord, note

    parts = list(score.parts) if hasattr(score, "parts") and len(score.parts) else [score]
    pitches: list[int] = []
    ticks: list[int] = []
    for el in parts[0].flatten().notesAndRests:
        ql = float(el.quarterLength)
        if ql <= 0:  # grace notes
            continue
        t = int(round(ql * TICKS_PER_QUARTER))
        if t <= 0:
            continue
        if isinstance(el, note.Rest):
            p = REST
        elif isinstance(el, chord.Chord):
            p = max(x.midi for x in el.pitches)
        elif isinstance(el, note.Note):
            p = el.pitch.midi
        else:
            continue
        tie = getattr(el, "tie", None)
        continues = tie is not None and tie.type in ("continue", "stop")
        if pitches and ((continues and pitches[-1] == p) or (p == REST and pitches[-1] == REST)):
            ticks[-1] += t   # a tied note or a run of rests is one event
            continue
        pitches.append(p)
        ticks.append(t)
    while pitches and pitches[0] == REST:
        pitches.pop(0), ticks.pop(0)
    while pitches and pitches[-1] == REST:
        pitches.pop(), ticks.pop()
    return pitches, ticks


def parse_collections(collections: tuple[str, ...] = COLLECTIONS, log=print) -> tuple[list[Tune], dict]:
    """Parse every ABC file of ``collections`` with music21 (one process). Returns tunes and stats."""
    from music21 import converter, corpus

    tunes: list[Tune] = []
    stats = {"files": 0, "files_failed": [], "scores": 0, "empty": 0}
    for name in collections:
        for path in corpus.getWork(name):
            stats["files"] += 1
            try:
                parsed = converter.parse(path, format="abc", forceSource=True)
            except Exception as exc:  # a broken file should not stop the whole corpus
                stats["files_failed"].append(f"{Path(path).name}: {type(exc).__name__}")
                log(f"  skip {path}: {exc}")
                continue
            scores = list(parsed.scores) if hasattr(parsed, "scores") else [parsed]
            for score in scores:
                stats["scores"] += 1
                try:
                    pitches, ticks = _tune_from_score(score)
                except Exception:
                    pitches = []
                if len(pitches) < 8:
                    stats["empty"] += 1
                    continue
                title = (score.metadata.title if score.metadata and score.metadata.title else "") or "untitled"
                tunes.append(Tune(str(title), name, np.asarray(pitches, np.int16), np.asarray(ticks, np.int16)))
            log(f"  {name}/{Path(path).name}: {len(tunes)} tunes so far")
    return tunes, stats


def dedupe(tunes: list[Tune]) -> tuple[list[Tune], int]:
    """Keep the first of tunes whose note sequences are identical; return them and the number dropped."""
    seen: set[bytes] = set()
    kept = []
    for t in tunes:
        key = t.pitches.tobytes() + b"|" + t.ticks.tobytes()
        if key not in seen:
            seen.add(key)
            kept.append(t)
    return kept, len(tunes) - len(kept)


def split_of(n_tunes: int, seed: int = SPLIT_SEED) -> np.ndarray:
    """``[n_tunes]`` split ids (0 train, 1 valid, 2 test) from a seeded permutation, 80/10/10."""
    order = np.random.default_rng(seed).permutation(n_tunes)
    split = np.zeros(n_tunes, np.int8)
    n_valid = n_test = max(1, n_tunes // 10)
    split[order[:n_test]] = 2
    split[order[n_test:n_test + n_valid]] = 1
    return split


def save_tunes(tunes: list[Tune], path: Path, meta: dict) -> None:
    """Write tunes as flat arrays plus offsets into a compressed npz."""
    lengths = np.array([len(t) for t in tunes], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        pitches=np.concatenate([t.pitches for t in tunes]).astype(np.int16),
        ticks=np.concatenate([t.ticks for t in tunes]).astype(np.int16),
        offsets=offsets,
        split=split_of(len(tunes)),
        titles=np.array([t.title for t in tunes]),
        sources=np.array([t.source for t in tunes]),
        meta=np.array(json.dumps(meta)),
    )


@dataclass
class Corpus:
    """The cached corpus: tunes by split and the preprocessing record."""

    tunes: dict[str, list[Tune]]
    meta: dict

    def counts(self) -> dict[str, dict[str, int]]:
        """Tunes and notes (rests counted apart) per split."""
        out = {}
        for s, ts in self.tunes.items():
            notes = sum(int((t.pitches != REST).sum()) for t in ts)
            events = sum(len(t) for t in ts)
            out[s] = {"tunes": len(ts), "notes": notes, "rests": events - notes}
        return out


def load_corpus(path: str | Path | None = None) -> Corpus:
    """Read the token file written by :func:`main`; :class:`AssetError` if missing or broken."""
    path = Path(path) if path else tokens_path()
    if not path.is_file():
        raise AssetError(f"{path.name} is missing; build it with `python -m sequence_models.music.corpus`.")
    try:
        z = np.load(path, allow_pickle=False)
        off, pitches, ticks, split = z["offsets"], z["pitches"], z["ticks"], z["split"]
        titles, sources, meta = z["titles"], z["sources"], json.loads(str(z["meta"]))
    except Exception as exc:
        raise AssetError(f"{path.name} is unreadable ({type(exc).__name__}); rebuild it with "
                         "`python -m sequence_models.music.corpus`.") from exc
    tunes: dict[str, list[Tune]] = {s: [] for s in SPLITS}
    for i in range(len(off) - 1):
        t = Tune(str(titles[i]), str(sources[i]), pitches[off[i]:off[i + 1]], ticks[off[i]:off[i + 1]])
        tunes[SPLITS[int(split[i])]].append(t)
    # Same notes with another rhythm (an alternative setting of the same tune) would leak
    # a training tune into evaluation: such validation/test tunes are left out.
    seen = {t.pitches.tobytes() for t in tunes["train"]}
    for s in ("valid", "test"):
        tunes[s] = [t for t in tunes[s] if t.pitches.tobytes() not in seen]
        seen |= {t.pitches.tobytes() for t in tunes[s]}
    return Corpus(tunes, meta)


def main(argv: list[str] | None = None) -> int:
    """Parse the ABC collections and write the token file (prints counts and time taken)."""
    p = OneLineParser(prog="python -m sequence_models.music.corpus", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=tokens_path(), help="npz to write (default: assets/music/tunes.npz)")
    p.add_argument("--collections", nargs="+", default=list(COLLECTIONS),
                   help="music21 corpus names (Essen 'essenFolksong' is opt-in: non-commercial licence)")
    args = p.parse_args(argv)
    import music21

    t0 = time.perf_counter()
    tunes, stats = parse_collections(tuple(args.collections))
    parse_seconds = time.perf_counter() - t0
    tunes, dropped = dedupe(tunes)
    meta = {"collections": list(args.collections), "music21": music21.__version__,
            "parse_seconds": round(parse_seconds, 1), "duplicates_dropped": dropped,
            "split_seed": SPLIT_SEED, **stats}
    save_tunes(tunes, args.out, meta)
    corpus = load_corpus(args.out)
    corpus.meta["counts"] = corpus.counts()
    meta["counts"] = corpus.meta["counts"]
    save_tunes(tunes, args.out, meta)  # again, now with the counts inside
    print(json.dumps(meta, indent=2))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {parse_seconds:.0f} s of parsing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
