"""SemEval-2023 Task 3 measures: micro-F1 (techniques, frames), macro-F1 (genre), span F1."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from narrascope.errors import AnnotationError
from narrascope.ingest.annotations import iter_tsv


def micro_f1(gold: Mapping, pred: Mapping) -> dict[str, float]:
    """Micro-F1 over (item, label) pairs; items are the GOLD keys, a missing prediction is empty."""
    tp = n_gold = n_pred = 0
    for key, labels in gold.items():
        g, p = set(labels), set(pred.get(key, ()))
        tp += len(g & p)
        n_gold += len(g)
        n_pred += len(p)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"micro_f1": f1, "precision": precision, "recall": recall, "n_items": len(gold),
            "n_missing": sum(1 for k in gold if k not in pred)}


def macro_f1(gold: Mapping[str, str], pred: Mapping[str, str], labels: Sequence[str]) -> dict[str, float]:
    """Macro-F1 over the ``labels`` that occur (single-label items); a missing prediction counts as wrong."""
    per_label = {}
    for label in labels:
        tp = sum(1 for k, g in gold.items() if g == label and pred.get(k) == label)
        n_gold = sum(1 for g in gold.values() if g == label)
        n_pred = sum(1 for k in gold if pred.get(k) == label)
        per_label[label] = 2 * tp / (n_gold + n_pred) if n_gold + n_pred else 0.0
    # like scikit-learn's default: the labels present in the gold or the predictions
    seen = set(gold.values()) | {pred[k] for k in gold if k in pred}
    present = [label for label in labels if label in seen]
    value = float(np.mean([per_label[label] for label in present])) if present else 0.0
    accuracy = sum(1 for k, g in gold.items() if pred.get(k) == g) / len(gold) if gold else 0.0
    return {"macro_f1": value, "accuracy": accuracy, "per_label": per_label, "n_items": len(gold),
            "n_missing": sum(1 for k in gold if k not in pred)}


def span_f1(gold: Mapping[str, Iterable[tuple[str, int, int]]],
            pred: Mapping[str, Iterable[tuple[str, int, int]]]) -> dict[str, float]:
    """Character-overlap span F1 with matching techniques (the PTC / SemEval-2020 Task 11 measure).

    precision = mean over predicted spans of the share of their characters inside
    gold spans of the same technique; recall = the same over gold spans.
    """
    def covered(spans: list[tuple[str, int, int]], others: list[tuple[str, int, int]]) -> list[float]:
        out = []
        for tech, s, e in spans:
            mask = np.zeros(e - s, dtype=bool)
            for t2, s2, e2 in others:
                if t2 == tech and s2 < e and e2 > s:
                    mask[max(s2, s) - s:min(e2, e) - s] = True
            out.append(float(mask.mean()) if e > s else 0.0)
        return out

    p_scores: list[float] = []
    r_scores: list[float] = []
    for key in set(gold) | set(pred):
        g, p = list(gold.get(key, ())), list(pred.get(key, ()))
        p_scores += covered(p, g)
        r_scores += covered(g, p)
    precision = float(np.mean(p_scores)) if p_scores else 0.0
    recall = float(np.mean(r_scores)) if r_scores else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"span_f1": f1, "precision": precision, "recall": recall, "n_gold": len(r_scores), "n_pred": len(p_scores)}


def read_paragraph_file(path: str | Path) -> dict[tuple[str, int], list[str]]:
    """Subtask-3 file (gold or predictions): ``{(article_id, line): [techniques]}``."""
    out = {}
    for lineno, cols in iter_tsv(path, 2, strict=True, what="article_id, paragraph line, techniques"):
        try:
            key = (cols[0], int(cols[1]))
        except ValueError:
            raise AnnotationError(f"line {lineno}: paragraph line {cols[1]!r} is not an integer",
                                  source=str(path)) from None
        out[key] = [t.strip() for t in (cols[2] if len(cols) > 2 else "").split(",") if t.strip()]
    return out


def read_document_file(path: str | Path) -> dict[str, list[str]]:
    """Subtask-1/2 file: ``{article_id: [labels]}`` (comma-separated labels)."""
    return {cols[0]: [x.strip() for x in cols[1].split(",") if x.strip()]
            for _, cols in iter_tsv(path, 2, strict=True, what="article_id, label(s)")}
