"""Sentiment of short product reviews: a many-to-one GRU and a bag-of-words baseline.

The GRU reads a review word by word; one output head is applied after every word, so
P(positive | the first t words) exists for every prefix and the last one is the verdict.
The bag of words (logistic regression on word counts) has no notion of order: "good, not
bad" and "bad, not good" are the same bag to it. Data: ``../shared/data/sentiment``
(CC BY 4.0; see :data:`sequence_models.sentiment.data.ATTRIBUTION`).
"""
