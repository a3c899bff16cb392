"""Melody generation: the course's one-to-many example at classroom scale.

Modules:

* :mod:`.corpus`   – parse music21's bundled ABC folk tunes once into ``assets/music/tunes.npz``
  (``python -m sequence_models.music.corpus``) and load it with a fixed split by tune.
* :mod:`.events`   – the event vocabulary: one token per note or rest (pitch × duration).
* :mod:`.model`    – the 2-layer recurrent melody model (LSTM, GRU or vanilla RNN).
* :mod:`.train`    – ``python -m sequence_models train music``.
* :mod:`.baselines`, :mod:`.evaluate` – ``python -m sequence_models evaluate music``.
* :mod:`.generate` – sampling from a seed note, with every step's probabilities.
* :mod:`.midi`     – MIDI writing (pretty_midi) and reading uploads (mido).
* :mod:`.synth`    – WAV rendering: FluidSynth when present, else a numpy synthesiser.
* :mod:`.commands` – the ``melody`` CLI command.

Nothing here imports Streamlit.
"""
