"""English→French encoder–decoder with and without Bahdanau attention (Tatoeba data).

Modules: ``tokenize`` (lower-casing word tokenisers), ``vocab``, ``data`` (splits and
length-bucketed batches), ``encoder`` (bidirectional GRU), ``decoders`` (attention and
plain GRU decoders), ``seq2seq`` (model, saving/loading), ``train``, ``decode`` (greedy and
beam search with attention weights), ``translate`` (one sentence for the page/CLI),
``evaluate`` (sacreBLEU by sentence length) and ``command`` (the ``translate`` CLI command).
"""
