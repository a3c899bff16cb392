"""English→French encoder–decoder with and without Bahdanau attention (Tatoeba data).

Modules: ``subwords`` (the cased SentencePiece vocabulary shared by both languages), ``vocab``
(piece ↔ id table), ``data`` (splits, joined long inputs, length-bucketed batches), ``encoder``
(bidirectional GRU), ``decoders`` (attention and plain GRU decoders), ``seq2seq`` (model,
saving/loading), ``train``, ``decode`` (greedy and beam search with attention weights, batched
versions for evaluation), ``normalise`` (typed text given the training English's usual case and end mark,
and its word counts), ``translate`` (one sentence for the page/CLI, with word-level attention),
``names`` (the unseen-names test), ``evaluate`` (sacreBLEU by sentence length, model card) and
``command`` (the ``translate`` CLI command).
"""
