"""Batch analysis of large corpora: streamed, parallel, resumable (``narrascope batch``)."""
