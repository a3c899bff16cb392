"""The music model card (``sequence_models/music/README.md``), rendered from the evaluation file.

``python -m sequence_models evaluate music`` writes the card after each evaluation;
``python -m sequence_models.music.card`` re-renders it from the stored
``assets/music/evaluation.json`` without evaluating again. Every number in the card comes from
that file or from the code's constants, never typed in.
"""

from __future__ import annotations

from pathlib import Path

from sequence_models.music.evaluate import MELODY_EVENTS, load_results, markdown_tables
from sequence_models.music.generate import DEFAULTS
from sequence_models.music.model import CELL_NAMES
from sequence_models.runtime import atomic_write_text

CARD_PATH = Path(__file__).resolve().parent / "README.md"


def render_card(result: dict) -> str:
    """The model card's Markdown for one stored evaluation ``result``."""
    counts = result["split_counts"]
    corpus = result["corpus"]
    models = [r for r in result["next_event"] if r["kind"] == "model"]
    bigram = next(r for r in result["next_event"] if r["key"] == "bigram")
    split_rows = "\n".join(f"| {name} | {c['tunes']:,} | {c['notes']:,} | {c['rests']:,} |"
                           for name, c in counts.items())
    times = ", ".join(f"{CELL_NAMES[r['key']]} {r['train_seconds'] / 60:.0f} min" for r in models
                      if r.get("train_seconds"))
    sizes = " / ".join(f"{r['size_mb']:.1f}" for r in models)
    best = min(models, key=lambda r: r["bits_per_event"])
    return f"""# Music generation: model card

One-to-many: a seed note in, a melody out. Code in `sequence_models/music/`; page `pages/music.py`.
This card is written by `python -m sequence_models evaluate music` from `assets/music/evaluation.json`.

## Data

`python -m sequence_models.music.corpus` parses the public-domain folk-tune collections that ship inside
`music21` {corpus['music21']} ({', '.join(corpus['collections'])}), in one process ({corpus['parse_seconds']:.0f} s in
the recorded run). It keeps the top line of each tune as (pitch, duration) notes, ties merged and grace notes
dropped, removes {corpus['duplicates_dropped']} exact duplicates and writes `assets/music/tunes.npz`. The split
is fixed by tune (seeded 80/10/10); a validation or test tune with the same notes as a training tune in another
rhythm is left out, so no tune is in two splits.

| split | tunes | notes | rests |
|---|---|---|---|
{split_rows}

## Model and training

One token per note or rest (pitch × duration class) plus start and end tokens. Embedding → 2-layer LSTM, GRU
or tanh RNN → softmax over the events. `python -m sequence_models train music` trains all three the same way
(seed 0, one torch thread, Adam with warm-up and cosine decay, gradient clipping at 1, random transposition of
each training tune). Wall-clock time on the project's shared 2-core machine: {times}. Weights
`assets/music/melody_{{lstm,gru,rnn}}.pt` ({sizes} MB).

## Evaluation

Every next event of the test tunes ({result['test_events']:,} predictions, the end token included). Baselines are
fitted on the training tunes: unigram, bigram (add-k, k = {result['bigram_k']:g} chosen on validation) and
repeat-previous. Bits per event is the average surprise of the true next event (lower is better); accuracy counts
how often the most likely event was exactly right. Best model: {best['name']} ({best['bits_per_event']:.2f} bits
per event against the bigram's {bigram['bits_per_event']:.2f}).

Melodies: {result['melodies']['settings']['n']} per model at the page's
defaults (temperature {DEFAULTS['temperature']}, top-k {DEFAULTS['top_k']}, {MELODY_EVENTS} events, seed note = the
first note of a test tune) against the first {MELODY_EVENTS} events of each test tune. Pitch-class entropy: how
evenly the notes spread over the 12 pitch classes; in-scale rate: share of notes in the best-fitting major or
relative-minor scale; intervals: absolute jumps between consecutive notes, in semitones.

{markdown_tables(result)}

Evaluation took {result['seconds']:.0f} s.
"""


def write_card(result: dict | None = None, path: Path = CARD_PATH) -> Path:
    """Render the card from ``result`` (default: the stored evaluation) and write it atomically."""
    return atomic_write_text(path, render_card(result if result is not None else load_results()))


if __name__ == "__main__":
    print(f"wrote {write_card()}")
