"""Named-entity recognition: a BiLSTM-CRF tagger and a forward-only LSTM tagger.

The course's many-to-many (Tx = Ty) example: one BIO tag for every input token.

Modules:
    data       read the GMB/OntoNotes CoNLL files (``../shared/data/ner``)
    tokenizer  raw text → Penn-Treebank-like tokens with character offsets
    vocab      words, capitalisation shapes and characters → integer ids
    crf        a linear-chain CRF: forward algorithm, Viterbi, marginals
    model      the taggers (word + shape embeddings, char CNN, LSTM, CRF or softmax)
    metrics    span-level precision/recall/F1 with seqeval's conventions
    train      ``python -m sequence_models train ner``
    evaluate   ``python -m sequence_models evaluate ner``
    inference  load the committed weights and tag raw text
    command    ``python -m sequence_models ner "TEXT" [--json]``
"""
