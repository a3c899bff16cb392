"""The course's three limitations of RNNs, computed rather than drawn.

- :mod:`.gradients`: vanishing and exploding gradients through the from-scratch
  cells (autograd), the Pascanu et al. (2013) condition, and a gradient-clipping demo.
- :mod:`.long_term`: the adding problem, a live side-by-side trainer (RNN / LSTM /
  GRU) with a hard time cap, the across-lag precompute and the LSTM gates of one sequence.
- :mod:`.parallelism`: timing a recurrent layer against self-attention and a 1-D
  convolution over the sequence length.

Nothing here imports Streamlit; the pages in ``pages/`` draw what these return.
"""
