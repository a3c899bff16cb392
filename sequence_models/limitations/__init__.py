"""The course's three limitations of RNNs, computed rather than drawn.

- :mod:`.gradients`: vanishing and exploding gradients through the from-scratch
  cells (autograd), the Pascanu et al. (2013) condition, and a gradient-clipping demo.
- :mod:`.long_term`: the adding problem, a live side-by-side trainer (RNN / LSTM /
  GRU) budgeted in steps with a hard time cap, the verdict rule, the across-lag precompute,
  the 10-seed check of the live defaults and the LSTM gates of one sequence.
- :mod:`.lookback`: how far back the music lesson's trained melody models look
  (‖∂ log p(next)/∂ e⟨t−k⟩‖ for k = 0…100), precomputed and for one tune live.
- :mod:`.parallelism`: what a recurrent layer makes of a machine against self-attention and
  a 1-D convolution: FLOP counts, achieved GFLOP/s, 1→2 thread speed-up, the same FLOPs in a
  row or at once, and timings.
- :mod:`.cli` (``gradients``, ``train limitations``, ``evaluate limitations``) and
  :mod:`.model_card` (``README.md`` rendered from the result files).

Nothing here imports Streamlit; the pages in ``pages/`` draw what these return.
"""
