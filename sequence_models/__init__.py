"""Unrolled's model code: cells, models, training, evaluation and decoding.

Importable without Streamlit. The app's pages call into it; so does the CLI
(``python -m sequence_models --help``).
"""

__version__ = "0.1.0"
