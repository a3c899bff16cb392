"""Named-entity recognition: a BiLSTM-CRF tagger and a forward-only LSTM tagger.

The course's many-to-many (Tx = Ty) example: one BIO tag for every input token.

Modules:
    data        read the GMB/OntoNotes CoNLL files (``../shared/data/ner``)
    supplement  the hand-written sentences for the rarer course types (``supplement.txt``)
    tokenizer   raw text → Penn-Treebank-like tokens with character offsets
    vocab       words, capitalisation shapes and characters → integer ids
    crf         a linear-chain CRF: forward algorithm, Viterbi, marginals
    model       the taggers (word + shape embeddings, char CNN, LSTM, CRF or softmax)
    metrics     span-level precision/recall/F1 with seqeval's conventions
    types       the 18 OntoNotes types the taggers predict → the course's entity types
    train       ``python -m sequence_models train ner``
    evaluate    ``python -m sequence_models evaluate ner`` (writes the evaluation file and README.md)
    predict     load a trained tagger; tag pre-tokenised sentences in batches
    inference   tag raw text with the committed weights: tokens, tags, probabilities, entity spans
    highlight   displaCy-like HTML for entity spans, every piece of text escaped
    report      what the page says about the taggers, from the evaluation file and the models
    command     ``python -m sequence_models ner "TEXT" [--json]``
"""
