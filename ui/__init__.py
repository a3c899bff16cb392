"""Streamlit helpers shared by ``app.py`` and the pages (the model code lives in ``sequence_models``)."""
