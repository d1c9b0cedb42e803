"""Estimators on matrices (never on Documents): ``fit`` learns, state ends in ``_``."""

from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.tfidf import TfidfFeaturizer

__all__ = ["MultiLabelLogistic", "TfidfFeaturizer"]
