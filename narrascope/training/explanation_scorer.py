"""Scores of subtask-3 explanations: ROUGE-L F1, embedding cosine, and BERTScore when a model is at hand."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from narrascope.errors import MissingPackageError, ModelNotFoundError

BERTSCORE_LAYERS = 9  # the layer bert_score uses for bert-base-multilingual-cased, the official model


def tokens(text: str) -> list[str]:
    """Lower-cased words with punctuation and symbols removed, in any script (Devanagari signs are kept,
    unlike ``\\w``-based tokenisers, and non-Latin text is not dropped, unlike rouge-score's)."""
    out = []
    for word in text.split():
        word = "".join(ch for ch in word if not unicodedata.category(ch).startswith(("P", "S"))).lower()
        if word:
            out.append(word)
    return out


def _lcs(a: list[str], b: list[str]) -> int:
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l_f1(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (longest common subsequence of words, β = 1) of one prediction against one reference."""
    a, b = tokens(prediction), tokens(reference)
    common = _lcs(a, b)
    if common == 0:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def embedding_cosines(predictions: Sequence[str], references: Sequence[str], embedder) -> np.ndarray:
    """Cosine similarity of each prediction's embedding with its reference's (embedders return unit vectors)."""
    if not predictions:
        return np.zeros(0)
    P = _unit(embedder.encode(list(predictions)))
    R = _unit(embedder.encode(list(references)))
    return (P * R).sum(axis=1)


def _unit(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1.0)


def bertscore_f1(predictions: Sequence[str], references: Sequence[str], model_dir: str | Path,
                 layers: int = BERTSCORE_LAYERS) -> np.ndarray:
    """BERTScore F1 per pair with a local model folder (the official metric uses bert-base-multilingual-cased,
    layer 9, no idf, no rescaling); needs ``pip install narrascope[bertscore]``."""
    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise ModelNotFoundError("not a transformers model folder (no config.json); give the folder of a local "
                                 "bert-base-multilingual-cased", source=str(model_dir))
    try:
        from bert_score import score
    except ImportError:
        raise MissingPackageError("BERTScore needs the bert-score package and torch: pip install "
                                  "'narrascope[bertscore]'; without --bertscore-model the offline proxies are "
                                  "printed") from None
    _, _, f1 = score(list(predictions), list(references), model_type=str(model_dir), num_layers=layers,
                     verbose=False, batch_size=16)
    return f1.numpy()
